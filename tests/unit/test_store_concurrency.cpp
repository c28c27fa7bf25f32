// The store under concurrent use, on a real database file: group commit keeps
// every acknowledged write and none of a failed one, reads on the pool see
// each write once its call has returned, and everything survives a reopen;
// migrations that rebuild tables keep what they move. (Worker threads only
// count: Catch's assertion macros are not thread-safe.)
#include <catch2/catch.hpp>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "store_test_support.hpp"
#include "store/migrations.hpp"
#include "store/store.hpp"

using namespace cpshare;

namespace {
using testing::TempDir;

AuditEvent event(AuditEventName name, const std::string& who) {
  AuditEvent e;
  e.at = 1'800'000'000;
  e.event = name;
  e.username = who;
  return e;
}

std::size_t count(Store& s, const std::string& who) {
  AuditQuery q;
  q.limit = 100000;
  q.username = who;
  return s.audit().query(q).value().size();
}
}  // namespace

TEST_CASE("group commit: concurrent writers keep exactly what they acknowledged", "[store]") {
  TempDir dir;
  const auto db = dir.path / "t.db";
  constexpr int kThreads = 16, kEach = 60;
  std::atomic<int> acknowledged{0}, refused{0}, stale_reads{0};
  {
    auto store = Store::open(db).value();
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        const std::string who = "writer" + std::to_string(t);
        for (int i = 0; i < kEach; ++i) {
          // Every third transaction writes, then fails: its row must vanish
          // without taking the others in its group with it.
          const bool doomed = i % 3 == 2;
          auto r = store->atomically([&]() -> Result<> {
            TRY(store->audit().append(event(AuditEventName::Logout, who)));
            if (doomed) {
              TRY(store->audit().append(event(AuditEventName::LoginFailed, who)));
              return fail(ErrorCode::Conflict, "refused on purpose");
            }
            return {};
          });
          if (r) {
            ++acknowledged;
            // Acknowledged means committed: a pooled reader sees it now.
            if (count(*store, who) != static_cast<std::size_t>(i - i / 3 + 1)) ++stale_reads;
          } else if (r.error().code == ErrorCode::Conflict) {
            ++refused;
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    CHECK(stale_reads == 0);
    CHECK(acknowledged == kThreads * kEach * 2 / 3);
    CHECK(refused == kThreads * kEach / 3);
  }
  // Reopen: what was acknowledged is on disk, what failed is not.
  auto store = Store::open(db).value();
  AuditQuery q;
  q.limit = 100000;
  auto all = store->audit().query(q).value();
  CHECK(all.size() == static_cast<std::size_t>(acknowledged.load()));
  for (const auto& e : all) CHECK(e.event == AuditEventName::Logout);
  for (int t = 0; t < kThreads; ++t) CHECK(count(*store, "writer" + std::to_string(t)) == kEach * 2 / 3);
}

TEST_CASE("a write inside atomically is visible to reads in the same transaction only", "[store]") {
  TempDir dir;
  auto store = Store::open(dir.path / "t.db").value();
  std::size_t seen_outside = 99;
  auto r = store->atomically([&]() -> Result<> {
    TRY(store->audit().append(event(AuditEventName::SessionRevoked, "solo")));
    CHECK(count(*store, "solo") == 1);  // the transaction's own view
    std::thread other([&] { seen_outside = count(*store, "solo"); });
    other.join();
    return {};
  });
  REQUIRE(r);
  CHECK(seen_outside == 0);  // another thread reads committed data only
  CHECK(count(*store, "solo") == 1);
}

TEST_CASE("reads through reused statements see every later write", "[store]") {
  // A single-row lookup leaves its statement mid-result; the store resets it
  // when the call ends, or the pooled connection would keep reading the
  // snapshot it started, and miss the writes that follow.
  TempDir dir;
  auto store = Store::open(dir.path / "t.db").value();
  Account a;
  a.username = "reader";
  a.role = Role::User;
  a.status = AccountStatus::Active;
  a.password_hash = std::string("x");
  a.region = "深圳";
  a.created_at = 1'800'000'000;
  a.id = store->accounts().insert(a).value();
  for (int i = 0; i < 5; ++i) {
    a.region = fmt::format("region {}", i);
    REQUIRE(store->accounts().update(a));
    CHECK(store->accounts().by_id(a.id).value()->region == a.region);
    CHECK(store->accounts().by_username("reader").value()->region == a.region);
    CHECK(count(*store, "reader") == static_cast<std::size_t>(i));
    REQUIRE(store->audit().append(event(AuditEventName::ProfileUpdated, "reader")));
  }
  // A statement that fails mid-operation is reset too: the next use works.
  Account twin = a;
  CHECK(store->accounts().insert(twin).error().code == ErrorCode::UsernameTaken);
  twin.username = "reader2";
  CHECK(store->accounts().insert(twin));
}

TEST_CASE("migration 3 moves the secrets out of a populated catalogue intact", "[store]") {
  TempDir dir;
  const auto path = dir.path / "v2.db";
  {
    // A database as cpshared left it at schema 2, with a cluster, its units and secrets.
    testing::database_at_schema(path, 2);
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE);
    db.exec(
        "INSERT INTO accounts (id, username, role, status, password_hash, created_at) "
        "VALUES (7, 'acme', 'supplier', 'active', 'x', 0)");
    db.exec(
        "INSERT INTO clusters (id, cpc_id, owner_id, class, resource_type, model, units, units_free, unit_memory, "
        "memory, vcpus, price_hourly, vendor, location, region, storage, storage_desc, ssh_host, ssh_port, "
        "ssh_user, ssh_key_enc, ssh_public_key, ssh_host_key, status, created_at, updated_at) VALUES (3, "
        "'cp-abcdefghij', 7, 'A', 'GPU', 'A100', 2, 1, 80, 1000, 16, 2500, 'Acme', '深圳市', '深圳', 5, '5B', "
        "'gpu01', 22, 'cpadmin', x'0102', 'ssh-ed25519 AAAA', 'SHA256:pin', 'listed', 1, 2)");
    db.exec("INSERT INTO cluster_units (cluster_id, idx, status) VALUES (3, 0, 'busy'), (3, 1, 'idle')");
  }
  auto store = Store::open(path).value();
  CHECK(store->schema_version() >= 3);
  auto c = store->catalog().by_cpc_id("cp-abcdefghij").value();
  REQUIRE(c);
  CHECK(c->owner == "acme");
  CHECK(c->location == "深圳市");
  CHECK(c->units_free == 1);
  auto secrets = store->catalog().secrets(c->id).value();
  CHECK(secrets.ssh_key_cipher == Blob{1, 2});
  CHECK(secrets.ssh_public_key == "ssh-ed25519 AAAA");
  REQUIRE(c->nodes.size() == 1);  // migration 13: the host and its pin are node 0's
  CHECK(c->nodes[0].host_key == "SHA256:pin");
  auto units = store->catalog().units(c->id).value();
  REQUIRE(units.size() == 2);
  CHECK(units[0].status == UnitStatus::Busy);
}
