// The store as the daemon opens it: one Database under the area stores, so a
// transaction spans them. A change and the audit event that records it
// (R-SEC-4; service/audit.hpp) commit together or not at all.
#include <catch2/catch.hpp>

#include "store_test_support.hpp"
#include "store/store.hpp"

using namespace cpshare;

namespace {
using testing::TempDir;

Account account(const std::string& name) {
  return testing::reviewed_account(name, Role::User, AccountStatus::Active, 1'800'000'000);
}

AuditEvent registered(const std::string& who) {
  AuditEvent e;
  e.at = 1'800'000'000;
  e.event = AuditEventName::Registered;
  e.username = who;
  return e;
}

std::size_t events_of(Store& s, const std::string& who) {
  AuditQuery q;
  q.username = who;
  return s.audit().query(q).value().size();
}
}  // namespace

TEST_CASE("the area stores write in one Database transaction", "[store][R-SEC-4]") {
  TempDir dir;
  const auto path = dir.path / "t.db";
  {
    auto store = Store::open(path).value();

    // fn fails after a write through accounts() and one through audit(): neither stays.
    auto r = store->atomically([&]() -> Result<> {
      TRY(store->accounts().insert(account("alice")));
      TRY(store->audit().append(registered("alice")));
      CHECK(store->accounts().by_username("alice").value().has_value());  // the transaction's own view
      CHECK(events_of(*store, "alice") == 1);
      return fail(ErrorCode::Conflict, "changed my mind");
    });
    REQUIRE(!r);
    CHECK(r.error().code == ErrorCode::Conflict);
    CHECK(!store->accounts().by_username("alice").value().has_value());
    CHECK(events_of(*store, "alice") == 0);

    // An area store's own error (USERNAME_TAKEN) rolls back what another wrote before it.
    REQUIRE(store->accounts().insert(account("bob")));
    r = store->atomically([&]() -> Result<> {
      TRY(store->audit().append(registered("Bob")));
      TRY(store->accounts().insert(account("Bob")));
      return {};
    });
    REQUIRE(!r);
    CHECK(r.error().code == ErrorCode::UsernameTaken);
    CHECK(events_of(*store, "Bob") == 0);

    // Both committed together when fn succeeds.
    REQUIRE(store->atomically([&]() -> Result<> {
      TRY(store->accounts().insert(account("carol")));
      TRY(store->audit().append(registered("carol")));
      return {};
    }));
  }
  // Reopened: what committed is on disk, what rolled back is not.
  auto store = Store::open(path).value();
  CHECK(store->accounts().by_username("carol").value().has_value());
  CHECK(events_of(*store, "carol") == 1);
  CHECK(!store->accounts().by_username("alice").value().has_value());
  CHECK(events_of(*store, "alice") == 0);
  CHECK(events_of(*store, "Bob") == 0);
  CHECK(store->schema_version() == store->db().schema_version());
}
