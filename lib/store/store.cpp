#include "store/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>
#include <fmt/format.h>

#include "domain/normalize.hpp"
#include "store/guarded.hpp"
#include "store/migrations.hpp"

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

// One writer waiting for the group commit that makes its write durable.
struct Store::Waiter {
  bool done = false;
  std::optional<Error> error;
};

namespace {
// Writers that join one open transaction before it commits. Bounds how long
// the first of them waits for its acknowledgement.
constexpr int kMaxGroup = 64;

// Reads map the file rather than copy pages through each connection's cache:
// the pool's connections then share the OS page cache (the catalogue's list
// and filter scans live there).
constexpr const char* kMmap = "PRAGMA mmap_size=1073741824";

// Deleted and overwritten content is zeroed in its page (and freed pages
// are zeroed whole), so erased personal data is not left in free space
// (issue 9). Per connection: every connection the store opens runs it.
void secure_delete(Connection& db) { db.exec("PRAGMA secure_delete=ON"); }

// The file grows in 16 MiB steps, so those maps are redone once a step
// rather than at every page a write adds.
constexpr int kChunk = 16 << 20;
void set_chunk(Connection& db, int bytes) {
  sqlite3_file_control(db.getHandle(), "main", SQLITE_FCNTL_CHUNK_SIZE, &bytes);
}

void configure(Connection& db) {
  set_chunk(db, kChunk);
  // FULL: an acknowledged write survives power loss and kill -9 (leases rely on it).
  db.exec("PRAGMA synchronous=FULL");
  db.exec("PRAGMA foreign_keys=ON");
  secure_delete(db);
}

// cpshare_username_key(username): normalize::username_key in SQL, for
// migration 5, which fills accounts.username_key for the rows it finds.
void sql_username_key(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const unsigned char* text = sqlite3_value_text(argv[0]);
  if (!text) {
    sqlite3_result_null(ctx);
    return;
  }
  const std::string key = normalize::username_key(
      std::string_view(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_value_bytes(argv[0]))));
  sqlite3_result_text(ctx, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
}
}  // namespace

Store::Store(std::unique_ptr<Connection> db, std::filesystem::path path)
    : path_(std::move(path)), db_(std::move(db)), pooled_(path_ != ":memory:") {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(const std::filesystem::path& path) {
  std::unique_ptr<Connection> db;
  try {
    db = std::make_unique<Connection>(path.string(),
                                      SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX, 5000);
    if (path != ":memory:") db->exec("PRAGMA journal_mode=WAL");
    configure(*db);
  } catch (const SQLite::Exception& e) {
    return fail(ErrorCode::Internal, fmt::format("open database {}: {}", path.string(), e.what()));
  }
  std::unique_ptr<Store> store(new Store(std::move(db), path));
  TRY_CTX(store->migrate(), "migrate database " + path.string());
  return store;
}

Result<> Store::migrate() {
  std::lock_guard lock(write_mu_);
  return with_errors("migrate", [&]() -> Result<> {
    db_->exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER "
        "PRIMARY KEY, "
        "name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT "
        "CURRENT_TIMESTAMP)");
    if (sqlite3_create_function_v2(db_->getHandle(), "cpshare_username_key", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                   nullptr, sql_username_key, nullptr, nullptr, nullptr) != SQLITE_OK)
      return fail(ErrorCode::Internal,
                  "register cpshare_username_key: " + std::string(sqlite3_errmsg(db_->getHandle())));
    int current = db_->execAndGet("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").getInt();
    int latest = migrations().empty() ? 0 : migrations().back().version;
    if (current > latest)
      return fail(ErrorCode::Internal, fmt::format("database schema version {} is newer than this "
                                                   "cpshared knows ({}); "
                                                   "run a newer cpshared",
                                                   current, latest));
    bool vacuum = false;
    for (const auto& m : migrations()) {
      if (m.version <= current) continue;
      vacuum = vacuum || m.vacuum_after;
      if (m.rebuilds_tables) db_->exec("PRAGMA foreign_keys=OFF");  // a no-op inside a transaction
      SQLite::Transaction tx(*db_);
      db_->exec(std::string(m.sql));
      if (m.rebuilds_tables && SQLite::Statement(*db_, "PRAGMA foreign_key_check").executeStep())
        return fail(ErrorCode::Internal, fmt::format("migration {} would break a foreign key; rolled back", m.version));
      SQLite::Statement st(*db_, "INSERT INTO schema_migrations(version, name) VALUES (?, ?)");
      st.bind(1, m.version);
      st.bind(2, std::string(m.name));
      st.exec();
      tx.commit();
      if (m.rebuilds_tables) db_->exec("PRAGMA foreign_keys=ON");
    }
    if (vacuum) {
      // Rewrites the file (no free page, no free space left holding what the
      // migration erased), then empties the WAL that carried it. Without the
      // chunk size, so the shrunk file is cut at its last page, not at the
      // next 16 MiB with the old pages left behind it.
      set_chunk(*db_, 0);
      db_->exec("VACUUM");
      db_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
      set_chunk(*db_, kChunk);
    }
    analyze_locked();
    return {};
  });
}

// Fresh statistics for the catalogue's query planning, which picks among its
// indexes by them (docs/PERFORMANCE.md). Full, not sampled: sampled counts
// misled the planner; 100,000 clusters take about 0.2 s.
void Store::analyze_locked() {
  db_->exec("ANALYZE clusters");
  analyzed_clusters_.store(db_->execAndGet("SELECT COALESCE(MAX(id), 0) FROM clusters").getInt64());
}

// After a write, outside any transaction: analyze again when the catalogue has
// doubled since the last time (so O(log n) times as it grows).
void Store::analyze_if_grown() {
  if (!analyze_wanted_.exchange(false)) return;
  std::unique_lock lock(write_mu_);
  if (batch_open_) (void)commit_batch(lock);
  try {
    analyze_locked();
  } catch (const SQLite::Exception&) {
    // Statistics are an optimisation: the next growth step tries again.
  }
}

Result<> Store::flush_erased() {
  if (in_transaction())
    return fail(ErrorCode::Internal, "store: flush_erased inside a transaction; call it after the commit");
  std::unique_lock lock(write_mu_);
  if (batch_open_) TRY(commit_batch(lock));
  return with_errors("flush erased", [&]() -> Result<> {
    // (busy, WAL frames, frames checkpointed); busy 1: readers held an older snapshot past the timeout.
    SQLite::Statement st(*db_, "PRAGMA wal_checkpoint(TRUNCATE)");
    if (st.executeStep() && st.getColumn(0).getInt() != 0)
      return fail(ErrorCode::Internal, "store: the WAL checkpoint after an erasure was blocked by readers");
    return {};
  });
}

int Store::schema_version() {
  auto v = read("schema version", [](Connection& db) -> Result<int> {
    return db.execAndGet("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").getInt();
  });
  return v ? *v : 0;
}

Store::ReaderLease Store::borrow_reader() {
  if (!pooled_) return ReaderLease(*this, nullptr, std::unique_lock(write_mu_));
  {
    std::lock_guard lock(pool_mu_);
    if (!idle_readers_.empty()) {
      auto db = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return ReaderLease(*this, std::move(db), {});
    }
  }
  // The pool grows to the number of threads that read at once (the HTTP
  // server's pool bounds it); connections are kept for reuse.
  auto db = std::make_unique<Connection>(path_.string(), SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX, 5000);
  db->exec(kMmap);
  secure_delete(*db);
  return ReaderLease(*this, std::move(db), {});
}

void Store::give_back_reader(std::unique_ptr<Connection> db) {
  std::lock_guard lock(pool_mu_);
  idle_readers_.push_back(std::move(db));
}

// Group commit. The writer connection runs one transaction at a time, but a
// transaction may hold several writers' work: each runs in a SAVEPOINT under
// write_mu_, and when others are already queued for write_mu_ it leaves the
// transaction open, releases the lock and waits; the last writer of the group
// (no one queued, or kMaxGroup reached) commits for all and wakes them. One
// fsync then acknowledges the whole group. A writer whose fn fails rolls back
// to its savepoint and returns at once.
Result<> Store::atomically(const std::function<Result<>()>& fn) {
  if (in_transaction()) return fn();  // already inside: join the outer transaction
  writers_waiting_.fetch_add(1);
  std::unique_lock lock(write_mu_);
  writers_waiting_.fetch_sub(1);
  try {
    if (!batch_open_) {
      db_->exec("BEGIN IMMEDIATE");
      batch_open_ = true;
      batch_size_ = 0;
    }
    db_->exec("SAVEPOINT w");
  } catch (const SQLite::Exception& e) {
    auto r = fail(ErrorCode::Internal, fmt::format("store: begin: {}", e.what()));
    if (batch_open_) (void)commit_batch(lock);
    return r;
  }
  tx_owner_.store(std::this_thread::get_id());
  Result<> r;
  try {
    r = fn();
  } catch (const std::exception& e) {
    r = fail(ErrorCode::Internal, fmt::format("store: {}", e.what()));
  }
  tx_owner_.store(std::thread::id{});
  try {
    if (!r) db_->exec("ROLLBACK TO w");
    db_->exec("RELEASE w");
  } catch (const SQLite::Exception& e) {
    // The transaction is in an unknown state: abandon the whole group.
    try {
      db_->exec("ROLLBACK");
    } catch (...) {}
    batch_open_ = false;
    Error err{ErrorCode::Internal, fmt::format("store: savepoint: {}", e.what()), {}, 0};
    for (Waiter* w : batch_waiters_) {
      w->done = true;
      w->error = err;
    }
    batch_waiters_.clear();
    committed_.notify_all();
    return std::unexpected(err);
  }
  ++batch_size_;
  if (writers_waiting_.load() > 0 && batch_size_ < kMaxGroup) {
    if (!r) return r;  // nothing of ours to make durable; the next writer commits
    Waiter me;
    batch_waiters_.push_back(&me);
    committed_.wait(lock, [&] { return me.done; });
    if (me.error) return std::unexpected(*me.error);
    lock.unlock();
    analyze_if_grown();
    return r;
  }
  TRY(commit_batch(lock));
  lock.unlock();
  analyze_if_grown();
  return r;
}

// Commits the open transaction (write_mu_ held) and wakes its waiters with the outcome.
Result<> Store::commit_batch(std::unique_lock<std::mutex>&) {
  std::optional<Error> err;
  try {
    db_->exec("COMMIT");
  } catch (const SQLite::Exception& e) {
    try {
      db_->exec("ROLLBACK");
    } catch (...) {}
    err = Error{ErrorCode::Internal, fmt::format("store: commit: {}", e.what()), {}, 0};
  }
  batch_open_ = false;
  for (Waiter* w : batch_waiters_) {
    w->done = true;
    w->error = err;
  }
  batch_waiters_.clear();
  committed_.notify_all();
  if (err) return std::unexpected(*err);
  return {};
}

Result<std::int64_t> Store::insert_account(const Account& a) {
  return write("insert account", [&](Connection& db) -> Result<std::int64_t> {
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

Result<> Store::update_account(const Account& a) {
  return write("update account", [&](Connection& db) -> Result<> {
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

Result<std::optional<Account>> Store::account_by_id(std::int64_t id) {
  return read("account by id", [&](Connection& db) {
    return one_account(db, "id = ?", [&](SQLite::Statement& st) { st.bind(1, static_cast<int64_t>(id)); });
  });
}
Result<std::optional<Account>> Store::account_by_username(const std::string& username) {
  return read("account by username", [&](Connection& db) -> Result<std::optional<Account>> {
    TRY_ASSIGN(auto exact, one_account(db, "username = ?", [&](SQLite::Statement& st) { st.bind(1, username); }));
    if (exact) return exact;
    return one_account(db, "username_key = ? AND username_collision = 0",
                       [&](SQLite::Statement& st) { st.bind(1, normalize::username_key(username)); });
  });
}

Result<std::vector<UsernameCollision>> Store::username_collisions() {
  return read("username collisions", [&](Connection& db) -> Result<std::vector<UsernameCollision>> {
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
Result<std::optional<Account>> Store::account_by_email(const std::string& email) {
  return read("account by email", [&](Connection& db) {
    return one_account(db, "email = ?", [&](SQLite::Statement& st) { st.bind(1, email); });
  });
}
Result<std::optional<Account>> Store::account_by_phone_index(const Blob& index) {
  return read("account by phone", [&](Connection& db) {
    return one_account(db, "phone_idx = ?", [&](SQLite::Statement& st) { bind_blob(st, 1, index); });
  });
}

Result<std::vector<Account>> Store::accounts_with_status(AccountStatus status) {
  return read("accounts by status", [&](Connection& db) -> Result<std::vector<Account>> {
    SQLite::Statement& st =
        db.prepare(fmt::format("SELECT {} FROM accounts WHERE status = ? ORDER BY created_at, id", kAccountColumns));
    bind_name(st, 1, enum_name(status));
    std::vector<Account> out;
    while (st.executeStep()) out.push_back(read_account(st));
    return out;
  });
}

Result<std::optional<LicenceFile>> Store::licence(std::int64_t account_id) {
  return read("licence", [&](Connection& db) -> Result<std::optional<LicenceFile>> {
    SQLite::Statement& st = db.prepare(
        "SELECT licence_filename, licence_type, licence_enc FROM accounts "
        "WHERE id = ? AND licence_enc IS NOT NULL");
    st.bind(1, static_cast<int64_t>(account_id));
    if (!st.executeStep()) return std::optional<LicenceFile>{};
    return std::optional<LicenceFile>(
        LicenceFile{st.getColumn(0).getString(), st.getColumn(1).getString(), blob(st.getColumn(2))});
  });
}

Result<> Store::put_activation(const ActivationCode& c) {
  return write("put activation", [&](Connection& db) -> Result<> {
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

Result<std::optional<ActivationCode>> Store::activation_for(std::int64_t account_id) {
  return read("activation", [&](Connection& db) -> Result<std::optional<ActivationCode>> {
    SQLite::Statement& st =
        db.prepare(fmt::format("SELECT {} FROM activation_codes WHERE account_id = ?", kActivationColumns));
    st.bind(1, static_cast<int64_t>(account_id));
    if (!st.executeStep()) return std::optional<ActivationCode>{};
    return std::optional<ActivationCode>(read_activation(st));
  });
}

Result<std::optional<ActivationCode>> Store::activation_by_link(const Blob& link_hash) {
  return read("activation by link", [&](Connection& db) -> Result<std::optional<ActivationCode>> {
    SQLite::Statement& st =
        db.prepare(fmt::format("SELECT {} FROM activation_codes WHERE link_hash = ?", kActivationColumns));
    bind_blob(st, 1, link_hash);
    if (!st.executeStep()) return std::optional<ActivationCode>{};
    return std::optional<ActivationCode>(read_activation(st));
  });
}

Result<> Store::set_activation_attempts(std::int64_t account_id, int attempts) {
  return write("activation attempts", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare("UPDATE activation_codes SET attempts = ? WHERE account_id = ?");
    st.bind(1, attempts);
    st.bind(2, static_cast<int64_t>(account_id));
    st.exec();
    return {};
  });
}

Result<> Store::delete_activation(std::int64_t account_id) {
  return write("delete activation", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare("DELETE FROM activation_codes WHERE account_id = ?");
    st.bind(1, static_cast<int64_t>(account_id));
    st.exec();
    return {};
  });
}

Result<> Store::insert_session(const Session& s) {
  return write("insert session", [&](Connection& db) -> Result<> {
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

Result<std::optional<Session>> Store::session_by_token(const Blob& token_hash) {
  return read("session by token", [&](Connection& db) -> Result<std::optional<Session>> {
    SQLite::Statement& st = db.prepare(fmt::format("SELECT {} FROM sessions WHERE token_hash = ?", kSessionColumns));
    bind_blob(st, 1, token_hash);
    if (!st.executeStep()) return std::optional<Session>{};
    return std::optional<Session>(read_session(st));
  });
}

Result<std::vector<Session>> Store::sessions_for(std::int64_t account_id) {
  return read("sessions", [&](Connection& db) -> Result<std::vector<Session>> {
    SQLite::Statement& st = db.prepare(
        fmt::format("SELECT {} FROM sessions WHERE account_id = ? ORDER BY created_at, id", kSessionColumns));
    st.bind(1, static_cast<int64_t>(account_id));
    std::vector<Session> out;
    while (st.executeStep()) out.push_back(read_session(st));
    return out;
  });
}

Result<> Store::touch_session(const std::string& id, std::int64_t at) {
  return write("touch session", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare("UPDATE sessions SET last_seen_at = ? WHERE id = ?");
    st.bind(1, static_cast<int64_t>(at));
    st.bind(2, id);
    st.exec();
    return {};
  });
}

Result<bool> Store::delete_session(std::int64_t account_id, const std::string& id) {
  return write("delete session", [&](Connection& db) -> Result<bool> {
    SQLite::Statement& st = db.prepare("DELETE FROM sessions WHERE id = ? AND account_id = ?");
    st.bind(1, id);
    st.bind(2, static_cast<int64_t>(account_id));
    return st.exec() == 1;
  });
}

Result<int> Store::delete_sessions_for(std::int64_t account_id) {
  return write("delete sessions", [&](Connection& db) -> Result<int> {
    SQLite::Statement& st = db.prepare("DELETE FROM sessions WHERE account_id = ?");
    st.bind(1, static_cast<int64_t>(account_id));
    return st.exec();
  });
}

Result<int> Store::delete_expired_sessions(std::int64_t now, std::int64_t idle_timeout) {
  return write("expire sessions", [&](Connection& db) -> Result<int> {
    SQLite::Statement& st = db.prepare("DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?");
    st.bind(1, static_cast<int64_t>(now));
    st.bind(2, static_cast<int64_t>(now - idle_timeout));
    return st.exec();
  });
}

Result<> Store::replace_recovery_codes(std::int64_t account_id, const std::vector<Blob>& hashes) {
  return write("recovery codes", [&](Connection& db) -> Result<> {
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

Result<bool> Store::use_recovery_code(std::int64_t account_id, const Blob& hash, std::int64_t at) {
  return write("use recovery code", [&](Connection& db) -> Result<bool> {
    SQLite::Statement& st = db.prepare(
        "UPDATE recovery_codes SET used_at = ? WHERE account_id = ? AND code_hash = ? "
        "AND used_at IS NULL");
    st.bind(1, static_cast<int64_t>(at));
    st.bind(2, static_cast<int64_t>(account_id));
    bind_blob(st, 3, hash);
    return st.exec() == 1;
  });
}

Result<> Store::delete_recovery_codes(std::int64_t account_id) {
  return write("delete recovery codes", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare("DELETE FROM recovery_codes WHERE account_id = ?");
    st.bind(1, static_cast<int64_t>(account_id));
    st.exec();
    return {};
  });
}

Result<std::int64_t> Store::append_audit(const AuditEvent& e) {
  return write("audit", [&](Connection& db) -> Result<std::int64_t> {
    SQLite::Statement& st = db.prepare(
        "INSERT INTO audit_log (at, event, account_id, username, ip, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    st.bind(1, static_cast<int64_t>(e.at));
    bind_name(st, 2, enum_name(e.event));
    bind_opt(st, 3, e.account_id);
    st.bind(4, e.username);
    st.bind(5, e.ip);
    st.bind(6, e.detail_json);
    st.exec();
    return db.getLastInsertRowid();
  });
}

Result<std::vector<AuditEvent>> Store::audit(const AuditQuery& q) {
  return read("read audit", [&](Connection& db) -> Result<std::vector<AuditEvent>> {
    std::string where = "1 = 1";
    if (q.before_id) where += " AND id < ?";
    if (q.event) where += " AND event = ?";
    if (q.username) where += " AND username = ?";
    SQLite::Statement& st =
        db.prepare(fmt::format("SELECT id, at, event, account_id, username, ip, detail "
                               "FROM audit_log WHERE {} ORDER BY id DESC LIMIT ?",
                               where));
    int i = 1;
    if (q.before_id) st.bind(i++, static_cast<int64_t>(*q.before_id));
    if (q.event) st.bind(i++, *q.event);
    if (q.username) st.bind(i++, *q.username);
    st.bind(i, q.limit);
    std::vector<AuditEvent> out;
    while (st.executeStep()) {
      AuditEvent e;
      e.id = st.getColumn(0).getInt64();
      e.at = st.getColumn(1).getInt64();
      e.event = stored<AuditEventName>("audit_log.event", st.getColumn(2));
      e.account_id = opt_int(st.getColumn(3));
      e.username = st.getColumn(4).getString();
      e.ip = st.getColumn(5).getString();
      e.detail_json = st.getColumn(6).getString();
      out.push_back(std::move(e));
    }
    return out;
  });
}

}  // namespace cpshare
