// Accounts' SQL: accounts, activation codes, sessions and recovery codes.
#include "store/account_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "domain/normalize.hpp"
#include "store/guarded.hpp"

namespace cpshare {

namespace {

// Column order shared by every SELECT of accounts and by the row reader.
constexpr const char* kAccountColumns =
    "id, username, role, user_type, supplier_kind, status, password_hash, email, "
    "phone_idx, phone_enc, real_name, id_number_idx, id_number_enc, region, organization, "
    "credit_code_idx, credit_code_enc, company_name, legal_rep_name, legal_rep_id_idx, "
    "legal_rep_id_enc, registered_capital_fen, contact_name, address, affiliation, bank_name, "
    "bank_account_name, bank_account_idx, bank_account_enc, licence_filename, licence_type, "
    "licence_size, mfa_secret_enc, mfa_enabled, mfa_last_step, mfa_pending_enc, review_note, "
    "terms_version, created_at, activated_at, reviewed_at, deregistered_at";

// The writable columns, in bind order, for INSERT and UPDATE (no id).
constexpr const char* kAccountWritable[] = {"username",
                                            "username_key",
                                            "role",
                                            "user_type",
                                            "supplier_kind",
                                            "status",
                                            "password_hash",
                                            "email",
                                            "phone_idx",
                                            "phone_enc",
                                            "real_name",
                                            "id_number_idx",
                                            "id_number_enc",
                                            "region",
                                            "organization",
                                            "credit_code_idx",
                                            "credit_code_enc",
                                            "company_name",
                                            "legal_rep_name",
                                            "legal_rep_id_idx",
                                            "legal_rep_id_enc",
                                            "registered_capital_fen",
                                            "contact_name",
                                            "address",
                                            "affiliation",
                                            "bank_name",
                                            "bank_account_name",
                                            "bank_account_idx",
                                            "bank_account_enc",
                                            "licence_filename",
                                            "licence_type",
                                            "licence_size",
                                            "licence_enc",
                                            "mfa_secret_enc",
                                            "mfa_enabled",
                                            "mfa_last_step",
                                            "mfa_pending_enc",
                                            "review_note",
                                            "terms_version",
                                            "created_at",
                                            "activated_at",
                                            "reviewed_at",
                                            "deregistered_at"};

Account read_account(SQLite::Statement& st) {
  Account a;
  int i = 0;
  a.id = st.getColumn(i++).getInt64();
  a.username = st.getColumn(i++).getString();
  a.role = stored<Role>("accounts.role", st.getColumn(i++));
  a.user_type = stored_opt<UserType>("accounts.user_type", st.getColumn(i++));
  a.supplier_kind = stored_opt<SupplierKind>("accounts.supplier_kind", st.getColumn(i++));
  a.status = stored<AccountStatus>("accounts.status", st.getColumn(i++));
  a.password_hash = st.getColumn(i++).getString();
  a.email = opt_text(st.getColumn(i++));
  a.phone.index = blob(st.getColumn(i++));
  a.phone.cipher = blob(st.getColumn(i++));
  a.real_name = opt_text(st.getColumn(i++));
  a.id_number.index = blob(st.getColumn(i++));
  a.id_number.cipher = blob(st.getColumn(i++));
  a.region = opt_text(st.getColumn(i++));
  a.organization = opt_text(st.getColumn(i++));
  a.credit_code.index = blob(st.getColumn(i++));
  a.credit_code.cipher = blob(st.getColumn(i++));
  a.company_name = opt_text(st.getColumn(i++));
  a.legal_rep_name = opt_text(st.getColumn(i++));
  a.legal_rep_id_number.index = blob(st.getColumn(i++));
  a.legal_rep_id_number.cipher = blob(st.getColumn(i++));
  a.registered_capital_fen = opt_int(st.getColumn(i++));
  a.contact_name = opt_text(st.getColumn(i++));
  a.address = opt_text(st.getColumn(i++));
  a.affiliation = opt_text(st.getColumn(i++));
  a.bank_name = opt_text(st.getColumn(i++));
  a.bank_account_name = opt_text(st.getColumn(i++));
  a.bank_account.index = blob(st.getColumn(i++));
  a.bank_account.cipher = blob(st.getColumn(i++));
  a.licence_filename = opt_text(st.getColumn(i++));
  a.licence_type = opt_text(st.getColumn(i++));
  a.licence_size = opt_int(st.getColumn(i++));
  a.mfa_secret_cipher = blob(st.getColumn(i++));
  a.mfa_enabled = st.getColumn(i++).getInt() != 0;
  a.mfa_last_step = st.getColumn(i++).getInt64();
  a.mfa_pending_cipher = blob(st.getColumn(i++));
  a.review_note = opt_text(st.getColumn(i++));
  a.terms_version = opt_text(st.getColumn(i++));
  a.created_at = st.getColumn(i++).getInt64();
  a.activated_at = opt_int(st.getColumn(i++));
  a.reviewed_at = opt_int(st.getColumn(i++));
  a.deregistered_at = opt_int(st.getColumn(i++));
  return a;
}

// Binds the writable columns in kAccountWritable order starting at index 1.
// The licence blob is only written when the record carries one (it is not
// loaded with the account), so updates keep the stored file.
int bind_account(SQLite::Statement& st, const Account& a, bool with_licence_blob) {
  int i = 1;
  st.bind(i++, a.username);
  st.bind(i++, normalize::username_key(a.username));
  bind_name(st, i++, enum_name(a.role));
  bind_opt_enum(st, i++, a.user_type);
  bind_opt_enum(st, i++, a.supplier_kind);
  bind_name(st, i++, enum_name(a.status));
  st.bind(i++, a.password_hash);
  bind_opt(st, i++, a.email);
  bind_blob(st, i++, a.phone.index);
  bind_blob(st, i++, a.phone.cipher);
  bind_opt(st, i++, a.real_name);
  bind_blob(st, i++, a.id_number.index);
  bind_blob(st, i++, a.id_number.cipher);
  bind_opt(st, i++, a.region);
  bind_opt(st, i++, a.organization);
  bind_blob(st, i++, a.credit_code.index);
  bind_blob(st, i++, a.credit_code.cipher);
  bind_opt(st, i++, a.company_name);
  bind_opt(st, i++, a.legal_rep_name);
  bind_blob(st, i++, a.legal_rep_id_number.index);
  bind_blob(st, i++, a.legal_rep_id_number.cipher);
  bind_opt(st, i++, a.registered_capital_fen);
  bind_opt(st, i++, a.contact_name);
  bind_opt(st, i++, a.address);
  bind_opt(st, i++, a.affiliation);
  bind_opt(st, i++, a.bank_name);
  bind_opt(st, i++, a.bank_account_name);
  bind_blob(st, i++, a.bank_account.index);
  bind_blob(st, i++, a.bank_account.cipher);
  bind_opt(st, i++, a.licence_filename);
  bind_opt(st, i++, a.licence_type);
  bind_opt(st, i++, a.licence_size);
  if (with_licence_blob) bind_blob(st, i++, a.licence_cipher);
  bind_blob(st, i++, a.mfa_secret_cipher);
  st.bind(i++, a.mfa_enabled ? 1 : 0);
  st.bind(i++, static_cast<int64_t>(a.mfa_last_step));
  bind_blob(st, i++, a.mfa_pending_cipher);
  bind_opt(st, i++, a.review_note);
  bind_opt(st, i++, a.terms_version);
  st.bind(i++, static_cast<int64_t>(a.created_at));
  bind_opt(st, i++, a.activated_at);
  bind_opt(st, i++, a.reviewed_at);
  bind_opt(st, i++, a.deregistered_at);
  return i;
}

Session read_session(SQLite::Statement& st) {
  Session s;
  s.id = st.getColumn(0).getString();
  s.token_hash = blob(st.getColumn(1));
  s.account_id = st.getColumn(2).getInt64();
  s.created_at = st.getColumn(3).getInt64();
  s.last_seen_at = st.getColumn(4).getInt64();
  s.expires_at = st.getColumn(5).getInt64();
  s.client = st.getColumn(6).getString();
  s.ip = st.getColumn(7).getString();
  return s;
}
constexpr const char* kSessionColumns = "id, token_hash, account_id, created_at, last_seen_at, expires_at, client, ip";

ActivationCode read_activation(SQLite::Statement& st) {
  ActivationCode c;
  c.account_id = st.getColumn(0).getInt64();
  c.code_hash = blob(st.getColumn(1));
  c.code_expires_at = st.getColumn(2).getInt64();
  c.attempts = st.getColumn(3).getInt();
  c.link_hash = blob(st.getColumn(4));
  c.link_expires_at = st.getColumn(5).getInt64();
  c.sent_at = st.getColumn(6).getInt64();
  return c;
}
constexpr const char* kActivationColumns =
    "account_id, code_hash, code_expires_at, attempts, link_hash, link_expires_at, sent_at";

}  // namespace

Result<std::int64_t> AccountStore::insert(const Account& a) {
  return db_.write("insert account", [&](Connection& db) -> Result<std::int64_t> {
    std::string cols, marks;
    for (const char* c : kAccountWritable) {
      if (!cols.empty()) {
        cols += ", ";
        marks += ", ";
      }
      cols += c;
      marks += "?";
    }
    SQLite::Statement& st = db.prepare(fmt::format("INSERT INTO accounts ({}) VALUES ({})", cols, marks));
    bind_account(st, a, true);
    st.exec();
    return db.getLastInsertRowid();
  });
}

Result<> AccountStore::update(const Account& a) {
  return db_.write("update account", [&](Connection& db) -> Result<> {
    std::string sets;
    for (const char* c : kAccountWritable) {
      if (std::string_view(c) == "licence_enc") continue;
      if (!sets.empty()) sets += ", ";
      sets += fmt::format("{} = ?", c);
    }
    // Deregistration erases the licence: licence_filename NULL clears the blob.
    // (SET expressions see the old row, so the new filename is bound again.)
    SQLite::Statement& st =
        db.prepare(fmt::format("UPDATE accounts SET {}, licence_enc = CASE WHEN "
                               "? IS NULL THEN NULL ELSE licence_enc END "
                               "WHERE id = ?",
                               sets));
    int next = bind_account(st, a, false);
    bind_opt(st, next++, a.licence_filename);
    st.bind(next, static_cast<int64_t>(a.id));
    if (st.exec() != 1) return fail(ErrorCode::NotFound, fmt::format("account {} not found", a.username));
    return {};
  });
}

namespace {
template <class Bind>
Result<std::optional<Account>> one_account(Connection& db, const std::string& where, Bind&& bind) {
  SQLite::Statement& st = db.prepare(fmt::format("SELECT {} FROM accounts WHERE {}", kAccountColumns, where));
  bind(st);
  if (!st.executeStep()) return std::optional<Account>{};
  return std::optional<Account>(read_account(st));
}
}  // namespace

Result<std::optional<Account>> AccountStore::by_id(std::int64_t id) {
  return db_.read("account by id", [&](Connection& db) {
    return one_account(db, "id = ?", [&](SQLite::Statement& st) { st.bind(1, static_cast<int64_t>(id)); });
  });
}
Result<std::optional<Account>> AccountStore::by_username(const std::string& username) {
  return db_.read("account by username", [&](Connection& db) -> Result<std::optional<Account>> {
    TRY_ASSIGN(auto exact, one_account(db, "username = ?", [&](SQLite::Statement& st) { st.bind(1, username); }));
    if (exact) return exact;
    return one_account(db, "username_key = ? AND username_collision = 0",
                       [&](SQLite::Statement& st) { st.bind(1, normalize::username_key(username)); });
  });
}

Result<std::vector<UsernameCollision>> AccountStore::username_collisions() {
  return db_.read("username collisions", [&](Connection& db) -> Result<std::vector<UsernameCollision>> {
    SQLite::Statement& st = db.prepare(
        "SELECT username_key, username FROM accounts WHERE username_key IN "
        "(SELECT username_key FROM accounts WHERE username_collision = 1) ORDER BY username_key, id");
    std::vector<UsernameCollision> out;
    while (st.executeStep()) {
      std::string key = st.getColumn(0).getString();
      if (out.empty() || out.back().key != key) out.push_back({key, {}});
      out.back().usernames.push_back(st.getColumn(1).getString());
    }
    return out;
  });
}
Result<std::optional<Account>> AccountStore::by_email(const std::string& email) {
  return db_.read("account by email", [&](Connection& db) {
    return one_account(db, "email = ?", [&](SQLite::Statement& st) { st.bind(1, email); });
  });
}
Result<std::optional<Account>> AccountStore::by_phone_index(const Blob& index) {
  return db_.read("account by phone", [&](Connection& db) {
    return one_account(db, "phone_idx = ?", [&](SQLite::Statement& st) { bind_blob(st, 1, index); });
  });
}

Result<std::vector<Account>> AccountStore::with_status(AccountStatus status) {
  return db_.read("accounts by status", [&](Connection& db) -> Result<std::vector<Account>> {
    SQLite::Statement& st =
        db.prepare(fmt::format("SELECT {} FROM accounts WHERE status = ? ORDER BY created_at, id", kAccountColumns));
    bind_name(st, 1, enum_name(status));
    std::vector<Account> out;
    while (st.executeStep()) out.push_back(read_account(st));
    return out;
  });
}

Result<std::optional<LicenceFile>> AccountStore::licence(std::int64_t account_id) {
  return db_.read("licence", [&](Connection& db) -> Result<std::optional<LicenceFile>> {
    SQLite::Statement& st = db.prepare(
        "SELECT licence_filename, licence_type, licence_enc FROM accounts "
        "WHERE id = ? AND licence_enc IS NOT NULL");
    st.bind(1, static_cast<int64_t>(account_id));
    if (!st.executeStep()) return std::optional<LicenceFile>{};
    return std::optional<LicenceFile>(
        LicenceFile{st.getColumn(0).getString(), st.getColumn(1).getString(), blob(st.getColumn(2))});
  });
}

Result<> AccountStore::put_activation(const ActivationCode& c) {
  return db_.write("put activation", [&](Connection& db) -> Result<> {
    SQLite::Statement& del = db.prepare("DELETE FROM activation_codes WHERE account_id = ?");
    del.bind(1, static_cast<int64_t>(c.account_id));
    del.exec();
    SQLite::Statement& st =
        db.prepare(fmt::format("INSERT INTO activation_codes ({}) VALUES (?, ?, ?, ?, ?, ?, ?)", kActivationColumns));
    st.bind(1, static_cast<int64_t>(c.account_id));
    bind_blob(st, 2, c.code_hash);
    st.bind(3, static_cast<int64_t>(c.code_expires_at));
    st.bind(4, c.attempts);
    bind_blob(st, 5, c.link_hash);
    st.bind(6, static_cast<int64_t>(c.link_expires_at));
    st.bind(7, static_cast<int64_t>(c.sent_at));
    st.exec();
    return {};
  });
}

Result<std::optional<ActivationCode>> AccountStore::activation_for(std::int64_t account_id) {
  return db_.read("activation", [&](Connection& db) -> Result<std::optional<ActivationCode>> {
    SQLite::Statement& st =
        db.prepare(fmt::format("SELECT {} FROM activation_codes WHERE account_id = ?", kActivationColumns));
    st.bind(1, static_cast<int64_t>(account_id));
    if (!st.executeStep()) return std::optional<ActivationCode>{};
    return std::optional<ActivationCode>(read_activation(st));
  });
}

Result<std::optional<ActivationCode>> AccountStore::activation_by_link(const Blob& link_hash) {
  return db_.read("activation by link", [&](Connection& db) -> Result<std::optional<ActivationCode>> {
    SQLite::Statement& st =
        db.prepare(fmt::format("SELECT {} FROM activation_codes WHERE link_hash = ?", kActivationColumns));
    bind_blob(st, 1, link_hash);
    if (!st.executeStep()) return std::optional<ActivationCode>{};
    return std::optional<ActivationCode>(read_activation(st));
  });
}

Result<> AccountStore::set_activation_attempts(std::int64_t account_id, int attempts) {
  return db_.write("activation attempts", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare("UPDATE activation_codes SET attempts = ? WHERE account_id = ?");
    st.bind(1, attempts);
    st.bind(2, static_cast<int64_t>(account_id));
    st.exec();
    return {};
  });
}

Result<> AccountStore::delete_activation(std::int64_t account_id) {
  return db_.write("delete activation", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare("DELETE FROM activation_codes WHERE account_id = ?");
    st.bind(1, static_cast<int64_t>(account_id));
    st.exec();
    return {};
  });
}

Result<> AccountStore::insert_session(const Session& s) {
  return db_.write("insert session", [&](Connection& db) -> Result<> {
    SQLite::Statement& st =
        db.prepare(fmt::format("INSERT INTO sessions ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", kSessionColumns));
    st.bind(1, s.id);
    bind_blob(st, 2, s.token_hash);
    st.bind(3, static_cast<int64_t>(s.account_id));
    st.bind(4, static_cast<int64_t>(s.created_at));
    st.bind(5, static_cast<int64_t>(s.last_seen_at));
    st.bind(6, static_cast<int64_t>(s.expires_at));
    st.bind(7, s.client);
    st.bind(8, s.ip);
    st.exec();
    return {};
  });
}

Result<std::optional<Session>> AccountStore::session_by_token(const Blob& token_hash) {
  return db_.read("session by token", [&](Connection& db) -> Result<std::optional<Session>> {
    SQLite::Statement& st = db.prepare(fmt::format("SELECT {} FROM sessions WHERE token_hash = ?", kSessionColumns));
    bind_blob(st, 1, token_hash);
    if (!st.executeStep()) return std::optional<Session>{};
    return std::optional<Session>(read_session(st));
  });
}

Result<std::vector<Session>> AccountStore::sessions_for(std::int64_t account_id) {
  return db_.read("sessions", [&](Connection& db) -> Result<std::vector<Session>> {
    SQLite::Statement& st = db.prepare(
        fmt::format("SELECT {} FROM sessions WHERE account_id = ? ORDER BY created_at, id", kSessionColumns));
    st.bind(1, static_cast<int64_t>(account_id));
    std::vector<Session> out;
    while (st.executeStep()) out.push_back(read_session(st));
    return out;
  });
}

Result<> AccountStore::touch_session(const std::string& id, std::int64_t at) {
  return db_.write("touch session", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare("UPDATE sessions SET last_seen_at = ? WHERE id = ?");
    st.bind(1, static_cast<int64_t>(at));
    st.bind(2, id);
    st.exec();
    return {};
  });
}

Result<bool> AccountStore::delete_session(std::int64_t account_id, const std::string& id) {
  return db_.write("delete session", [&](Connection& db) -> Result<bool> {
    SQLite::Statement& st = db.prepare("DELETE FROM sessions WHERE id = ? AND account_id = ?");
    st.bind(1, id);
    st.bind(2, static_cast<int64_t>(account_id));
    return st.exec() == 1;
  });
}

Result<int> AccountStore::delete_sessions_for(std::int64_t account_id) {
  return db_.write("delete sessions", [&](Connection& db) -> Result<int> {
    SQLite::Statement& st = db.prepare("DELETE FROM sessions WHERE account_id = ?");
    st.bind(1, static_cast<int64_t>(account_id));
    return st.exec();
  });
}

Result<int> AccountStore::delete_expired_sessions(std::int64_t now, std::int64_t idle_timeout) {
  return db_.write("expire sessions", [&](Connection& db) -> Result<int> {
    SQLite::Statement& st = db.prepare("DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?");
    st.bind(1, static_cast<int64_t>(now));
    st.bind(2, static_cast<int64_t>(now - idle_timeout));
    return st.exec();
  });
}

Result<> AccountStore::replace_recovery_codes(std::int64_t account_id, const std::vector<Blob>& hashes) {
  return db_.write("recovery codes", [&](Connection& db) -> Result<> {
    SQLite::Statement& del = db.prepare("DELETE FROM recovery_codes WHERE account_id = ?");
    del.bind(1, static_cast<int64_t>(account_id));
    del.exec();
    SQLite::Statement& st = db.prepare("INSERT INTO recovery_codes (account_id, code_hash) VALUES (?, ?)");
    for (const auto& h : hashes) {
      st.reset();
      st.bind(1, static_cast<int64_t>(account_id));
      bind_blob(st, 2, h);
      st.exec();
    }
    return {};
  });
}

Result<bool> AccountStore::use_recovery_code(std::int64_t account_id, const Blob& hash, std::int64_t at) {
  return db_.write("use recovery code", [&](Connection& db) -> Result<bool> {
    SQLite::Statement& st = db.prepare(
        "UPDATE recovery_codes SET used_at = ? WHERE account_id = ? AND code_hash = ? "
        "AND used_at IS NULL");
    st.bind(1, static_cast<int64_t>(at));
    st.bind(2, static_cast<int64_t>(account_id));
    bind_blob(st, 3, hash);
    return st.exec() == 1;
  });
}

Result<> AccountStore::delete_recovery_codes(std::int64_t account_id) {
  return db_.write("delete recovery codes", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare("DELETE FROM recovery_codes WHERE account_id = ?");
    st.bind(1, static_cast<int64_t>(account_id));
    st.exec();
    return {};
  });
}
}  // namespace cpshare
