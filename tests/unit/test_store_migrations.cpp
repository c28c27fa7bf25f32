// Migration 5 (issue 8, kind 1): usernames become one name whatever their
// case. A database written by the previous schema may hold names that collide
// under that rule; both accounts are kept, each answers to its own spelling,
// and the admin is told (audit events written by the migration, a warning
// when the daemon starts).
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "store_test_support.hpp"
#include "crypto/crypto.hpp"
#include "service/accounts.hpp"
#include "store/migrations.hpp"
#include "store/store.hpp"

using namespace cpshare;

namespace {

using testing::TempDir;

struct NoMail final : Mailer {
  Result<> send(const Mail&) override { return {}; }
};

// A database as cpshared left it at schema 4.
void write_schema_4(const std::filesystem::path& path) {
  SQLite::Database db(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
      "applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)");
  for (const auto& m : migrations()) {
    if (m.version > 4) break;
    db.exec(std::string(m.sql));
    db.exec(fmt::format("INSERT INTO schema_migrations(version, name) VALUES ({}, 'm')", m.version));
  }
}

void add_account(const std::filesystem::path& path, int id, const std::string& username, const std::string& password) {
  SQLite::Database db(path.string(), SQLite::OPEN_READWRITE);
  SQLite::Statement st(db,
                       "INSERT INTO accounts (id, username, role, status, password_hash, email, created_at) "
                       "VALUES (?, ?, 'user', 'active', ?, ?, ?)");
  st.bind(1, id);
  st.bind(2, username);
  st.bind(3, crypto::hash_password(password).value());
  st.bind(4, fmt::format("user{}@example.org", id));
  st.bind(5, 1'700'000'000 + id);
  st.exec();
}

}  // namespace

TEST_CASE("migration 5 keeps both of alice and Alice, and reports them to the admin", "[R-USER-2][R-SEC-4]") {
  REQUIRE(crypto::init());
  TempDir dir;
  const auto path = dir.path / "v4.db";
  write_schema_4(path);
  add_account(path, 1, "alice", "first-alice-pass");
  add_account(path, 2, "Alice", "second-alice-pass");
  add_account(path, 3, "bob", "bob-pass-word");

  auto store = Store::open(path).value();
  CHECK(store->schema_version() >= 5);

  // Both are kept; each answers to its exact spelling, any other spelling
  // reaches the older one.
  CHECK(store->accounts().by_username("alice").value().value().id == 1);
  CHECK(store->accounts().by_username("Alice").value().value().id == 2);
  CHECK(store->accounts().by_username("ALICE").value().value().id == 1);
  CHECK(store->accounts().by_username("BOB").value().value().id == 3);

  // The report: the store lists the group, the migration wrote one audit
  // event per colliding account, and the daemon's start-up warning names them.
  auto groups = store->accounts().username_collisions().value();
  REQUIRE(groups.size() == 1);
  CHECK(groups[0].key == "alice");
  CHECK(groups[0].usernames == std::vector<std::string>{"alice", "Alice"});

  AuditQuery q;
  q.event = "username_collision";
  auto events = store->audit().query(q).value();
  REQUIRE(events.size() == 2);
  std::set<std::string> named;
  for (const auto& e : events) {
    named.insert(e.username);
    const json detail = json::parse(e.detail_json);
    CHECK(detail["username_key"] == "alice");
    CHECK(detail["accounts"] == json::array({"alice", "Alice"}));
    CHECK(detail["answers_to"] == (e.username == "alice" ? "any spelling" : "its exact spelling only"));
    CHECK(e.at > 1'700'000'000);
  }
  CHECK(named == std::set<std::string>{"alice", "Alice"});

  const auto log_file = dir.path / "cpshared.log";
  {
    Logger log;
    REQUIRE(log.open_file(log_file));
    crypto::KeyRing keys = crypto::KeyRing::from_master(crypto::Bytes(32, 7));
    NoMail mail;
    ManualClock clock{1'800'000'000};
    AccountServices svc(*store, keys, mail, clock, log, AccountConfig{});
    CHECK(svc.registration.report_username_collisions().value() == 1);

    // Login: exact spelling wins; another spelling is the older account's.
    RequestContext ctx{"192.0.2.1", "test"};
    auto first = svc.sessions.login(api::LoginRequest{"alice", "first-alice-pass", {}, {}, {}}, ctx);
    REQUIRE(first);
    CHECK(first->account.username == "alice");
    auto second = svc.sessions.login(api::LoginRequest{"Alice", "second-alice-pass", {}, {}, {}}, ctx);
    REQUIRE(second);
    CHECK(second->account.username == "Alice");
    auto upper = svc.sessions.login(api::LoginRequest{"ALICE", "first-alice-pass", {}, {}, {}}, ctx);
    REQUIRE(upper);
    CHECK(upper->account.username == "alice");
    CHECK(svc.sessions.login(api::LoginRequest{"ALICE", "second-alice-pass", {}, {}, {}}, ctx).error().code ==
          ErrorCode::InvalidCredentials);
  }
  const std::string logged = cpshare::testing::read_file(log_file);
  CHECK(logged.find("WARN") != std::string::npos);
  CHECK(logged.find("[alice, Alice]") != std::string::npos);

  // New names are held to the rule against every kept account, in the database.
  for (std::string name : {"ALICE", "aLICE", "Bob"}) {
    INFO(name);
    Account a;
    a.username = name;
    a.role = Role::User;
    a.password_hash = "x";
    a.created_at = 1'800'000'000;
    auto r = store->accounts().insert(a);
    REQUIRE(!r);
    CHECK(r.error().code == ErrorCode::UsernameTaken);
  }

  // Reopening runs nothing again: still two events.
  store.reset();
  store = Store::open(path).value();
  CHECK(store->audit().query(q).value().size() == 2);
}

TEST_CASE("migration 5 on a database without collisions reports nothing", "[R-USER-2]") {
  TempDir dir;
  const auto path = dir.path / "v4.db";
  write_schema_4(path);
  add_account(path, 1, "alice", "first-alice-pass");
  add_account(path, 2, "bob", "bob-pass-word");
  auto store = Store::open(path).value();
  CHECK(store->accounts().username_collisions().value().empty());
  AuditQuery q;
  q.event = "username_collision";
  CHECK(store->audit().query(q).value().empty());
  CHECK(store->accounts().by_username("Bob").value().value().id == 2);
}
