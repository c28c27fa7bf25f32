// Erased means erased (issue 9, point 6): what deregistration erases is not
// left readable as raw bytes in the database file or its WAL, neither after
// an erasure through the store (secure_delete on every connection, then
// flush_erased's TRUNCATE checkpoint) nor for accounts deregistered before
// (migration 7 erases what they kept, then the file is rewritten).
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "store_test_support.hpp"
#include "store/migrations.hpp"
#include "store/store.hpp"

using namespace cpshare;

namespace {

using testing::TempDir;

// The raw bytes of a file ("" when it does not exist).
std::string raw(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Which of `values` can be read in the database file or its WAL.
std::vector<std::string> readable(const std::filesystem::path& db, const std::vector<std::string>& values) {
  const std::string bytes = raw(db) + raw(db.string() + "-wal");
  std::vector<std::string> found;
  for (const auto& v : values)
    if (bytes.find(v) != std::string::npos) found.push_back(v);
  return found;
}

Blob bytes_of(const std::string& s) { return Blob(s.begin(), s.end()); }

constexpr const char* kEmail = "erase-me@example.org";
constexpr const char* kHash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHRzYWx0$ERASEMEhashERASEMEhashERASEMEhash";
constexpr const char* kName = "ErasedPersonName";
constexpr const char* kBank = "ErasedBankName";
// A licence large enough for overflow pages (freed whole, not just a cell).
const std::string kLicence = [] {
  std::string s;
  while (s.size() < 20000) s += "LICENCE-PAGE-MARKER-";
  return s;
}();

}  // namespace

TEST_CASE("an erased account's values are not readable in the database file or its WAL", "[R-USER-8][R-SEC-2]") {
  TempDir dir;
  const auto path = dir.path / "cpshare.db";
  auto store = Store::open(path).value();

  Account a;
  a.username = "leaver";
  a.role = Role::Supplier;
  a.status = AccountStatus::Active;
  a.password_hash = kHash;
  a.email = kEmail;
  a.real_name = kName;
  a.bank_name = kBank;
  a.licence_filename = "licence.pdf";
  a.licence_type = "application/pdf";
  a.licence_size = static_cast<std::int64_t>(kLicence.size());
  a.licence_cipher = bytes_of(kLicence);
  a.created_at = 1'800'000'000;
  a.id = store->accounts().insert(a).value();
  // Neighbours on the same pages, which stay.
  for (int i = 0; i < 20; ++i) {
    Account n;
    n.username = fmt::format("stays{}", i);
    n.role = Role::User;
    n.status = AccountStatus::Active;
    n.password_hash = "x";
    n.email = fmt::format("stays{}@example.org", i);
    n.created_at = 1'800'000'000;
    REQUIRE(store->accounts().insert(n));
  }
  const std::vector<std::string> erased = {kEmail, kHash, kName, kBank, "LICENCE-PAGE-MARKER"};
  // Self-check: the search sees the values where they are (WAL, then the file).
  CHECK(readable(path, erased) == erased);
  REQUIRE(store->flush_erased());
  CHECK(readable(path, erased) == erased);

  Account gone = store->accounts().by_id(a.id).value().value();
  gone.status = AccountStatus::Deregistered;
  gone.password_hash.clear();
  gone.email.reset();
  gone.real_name.reset();
  gone.bank_name.reset();
  gone.licence_filename.reset();
  gone.licence_type.reset();
  gone.licence_size.reset();
  REQUIRE(store->accounts().update(gone));
  REQUIRE(store->flush_erased());
  CHECK(std::filesystem::file_size(path.string() + "-wal") == 0);
  CHECK(readable(path, erased).empty());
  CHECK(raw(path).find("stays7@example.org") != std::string::npos);

  // Still so once the store has closed (its last checkpoint), and the row keeps the rest.
  store.reset();
  CHECK(readable(path, erased).empty());
  store = Store::open(path).value();
  const Account after = store->accounts().by_id(a.id).value().value();
  CHECK(after.username == "leaver");
  CHECK(after.password_hash.empty());
  CHECK(!after.email);
  CHECK(!store->accounts().licence(a.id).value());
}

TEST_CASE("flush_erased inside a transaction is refused, not deadlocked", "[R-SEC-2]") {
  TempDir dir;
  auto store = Store::open(dir.path / "cpshare.db").value();
  auto r = store->atomically([&]() -> Result<> { return store->flush_erased(); });
  REQUIRE(!r);
  CHECK(r.error().code == ErrorCode::Internal);
  CHECK(store->flush_erased());
}

TEST_CASE("migration 7 erases what accounts deregistered before kept, and leaves no trace in free pages",
          "[R-USER-8][R-SEC-2]") {
  TempDir dir;
  const auto path = dir.path / "v4.db";
  {
    // A database as cpshared left it at schema 4, written without
    // secure_delete (as a SQLite built without that default would).
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("PRAGMA secure_delete=OFF");
    db.exec(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)");
    for (const auto& m : migrations()) {
      if (m.version > 4) break;
      db.exec(std::string(m.sql));
      db.exec(fmt::format("INSERT INTO schema_migrations(version, name) VALUES ({}, 'm')", m.version));
    }
    SQLite::Statement st(db,
                         "INSERT INTO accounts (id, username, role, status, password_hash, email, real_name, "
                         "region, licence_filename, licence_enc, mfa_enabled, created_at) "
                         "VALUES (?, ?, 'user', 'active', ?, ?, ?, '深圳', 'l.pdf', ?, 1, 1700000000)");
    st.bind(1, 1);
    st.bind(2, "leaver");
    st.bind(3, kHash);
    st.bind(4, kEmail);
    st.bind(5, kName);
    st.bind(6, kLicence.data(), static_cast<int>(kLicence.size()));
    st.exec();
    db.exec(
        "INSERT INTO accounts (id, username, role, status, password_hash, email, real_name, created_at) "
        "VALUES (2, 'stays', 'user', 'active', 'stays-hash', 'stays@example.org', 'StaysName', 1700000000)");
    db.exec(
        "INSERT INTO sessions (id, token_hash, account_id, created_at, last_seen_at, expires_at) "
        "VALUES ('s_1', x'0102', 1, 0, 0, 0)");
    // What deregistration erased before issue 9: email and licence, not the hash or the name.
    db.exec(
        "UPDATE accounts SET status = 'deregistered', deregistered_at = 1700000100, email = NULL, "
        "licence_filename = NULL, licence_enc = NULL, mfa_enabled = 0 WHERE id = 1");
  }
  // Self-check: the old erasure left the email and the licence in free space.
  CHECK(raw(path).find(kEmail) != std::string::npos);
  CHECK(raw(path).find("LICENCE-PAGE-MARKER") != std::string::npos);

  auto store = Store::open(path).value();
  CHECK(store->schema_version() >= 7);
  const Account a = store->accounts().by_id(1).value().value();
  CHECK(a.username == "leaver");
  CHECK(a.status == AccountStatus::Deregistered);
  CHECK(a.password_hash.empty());
  CHECK(!a.real_name);
  CHECK(!a.region);
  CHECK(store->accounts().sessions_for(1).value().empty());
  const Account kept = store->accounts().by_id(2).value().value();
  CHECK(kept.password_hash == "stays-hash");
  CHECK(kept.real_name == "StaysName");

  {
    auto left = readable(path, {kEmail, kHash, kName, "LICENCE-PAGE-MARKER"});
    for (auto& l : left) UNSCOPED_INFO("left: " << l);
    CHECK(left.empty());
  }
  store.reset();
  CHECK(readable(path, {kEmail, kHash, kName, "LICENCE-PAGE-MARKER"}).empty());
  CHECK(raw(path).find("stays@example.org") != std::string::npos);
}
