// The domain's fixed sets (issue 10 point 4): each enum's table is its only
// string form, every value round-trips, an unknown string is refused, the
// strings are exactly those the database and the wire have always held, and a
// stored string this version does not know is an Internal error naming it.
#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "catalog/cluster.hpp"
#include "domain/account.hpp"
#include "domain/audit.hpp"
#include "billing/billing_mode.hpp"
#include "domain/lease.hpp"
#include "store_test_support.hpp"

using namespace cpshare;
using Names = std::vector<std::string>;

namespace {

// name → parse → the same value for every row; no string twice; unknown,
// empty and differently cased strings are not values.
template <class E>
void round_trips() {
  std::set<std::string> seen;
  for (E v : enum_values<E>()) {
    const std::string_view name = enum_name(v);
    INFO(name);
    CHECK(enum_parse<E>(name) == v);
    CHECK(seen.insert(std::string(name)).second);
    std::string upper(name);
    upper[0] = static_cast<char>(upper[0] - 'a' + 'A');
    CHECK_FALSE(enum_parse<E>(upper));
  }
  CHECK(seen.size() == enum_names<E>().size());
  CHECK_FALSE(enum_parse<E>(""));
  CHECK_FALSE(enum_parse<E>("no_such_value"));
}

}  // namespace

TEST_CASE("every enum's table round-trips and refuses unknown strings", "[R-API-STD]") {
  round_trips<Role>();
  round_trips<AccountStatus>();
  round_trips<UserType>();
  round_trips<SupplierKind>();
  round_trips<LeaseState>();
  round_trips<EndReason>();
  round_trips<LedgerKind>();
  round_trips<BillingMode>();
  round_trips<ClusterStatus>();
  round_trips<UnitStatus>();
  round_trips<AuditEventName>();
}

TEST_CASE("the enums hold exactly the strings the database and the wire always held", "[R-API-STD]") {
  CHECK(enum_names<Role>() == Names{"user", "supplier", "admin"});
  CHECK(enum_names<AccountStatus>() == Names{"inactive", "pending_review", "active", "rejected", "deregistered"});
  CHECK(enum_names<UserType>() == Names{"individual", "university", "research_institute", "enterprise"});  // R-USER-1
  CHECK(enum_names<SupplierKind>() == Names{"enterprise", "individual"});                                  // R-SUP-1/2
  CHECK(enum_names<LeaseState>() ==
        Names{"requested", "approved", "provisioning", "active", "ended", "rejected", "lapsed"});
  CHECK(enum_names<EndReason>() == Names{"released", "expired", "terminated", "deregistered", "rejected", "lapsed"});
  CHECK(enum_names<LedgerKind>() == Names{"charge", "refund", "earning"});
  CHECK(enum_names<BillingMode>() == Names{"hourly", "daily", "monthly", "yearly"});  // R-LEASE-1
  CHECK(enum_names<ClusterStatus>() == Names{"listed", "delisted"});
  CHECK(enum_names<UnitStatus>() == Names{"idle", "reserved", "busy", "offline"});  // R-CL-3
  // The catalogue's prices and the billing arithmetic share the one BillingMode.
  STATIC_REQUIRE(std::is_same_v<billing::Mode, BillingMode>);
  STATIC_REQUIRE(std::is_same_v<catalog::BillingMode, BillingMode>);
  CHECK(enum_list<BillingMode>(", ", " or ") == "hourly, daily, monthly or yearly");
}

TEST_CASE("a lease ends in the state its reason gives", "[R-LEASE-4]") {
  CHECK(state_after(EndReason::Rejected) == LeaseState::Rejected);
  CHECK(state_after(EndReason::Lapsed) == LeaseState::Lapsed);
  for (EndReason r : {EndReason::Released, EndReason::Expired, EndReason::Terminated, EndReason::Deregistered})
    CHECK(state_after(r) == LeaseState::Ended);
}

TEST_CASE("a stored string no enum knows is an Internal error naming the column and the value", "[R-API-STD]") {
  testing::TempDir dir;
  SystemClock clock;
  const auto db = dir.path / "t.db";
  std::unique_ptr<Store> store = Store::open(db).value();
  const Caller alice = testing::insert_caller(*store, clock, "alice", Role::User);
  REQUIRE(
      store->audit().append(AuditEvent{0, clock.now(), AuditEventName::Logout, alice.account.id, "alice", "", "{}"}));
  REQUIRE(store->accounts().by_id(alice.account.id).value()->role == Role::User);

  // A row written by a newer cpshared (or edited by hand): nothing is guessed.
  {
    SQLite::Database raw(db.string(), SQLite::OPEN_READWRITE);
    raw.exec("UPDATE accounts SET role = 'auditor' WHERE username = 'alice'");
    raw.exec("UPDATE audit_log SET event = 'account_frozen'");
  }
  auto account = store->accounts().by_id(alice.account.id);
  REQUIRE_FALSE(account);
  CHECK(account.error().code == ErrorCode::Internal);
  CHECK_THAT(account.error().message, Catch::Contains("accounts.role holds 'auditor'"));
  auto events = store->audit().query(AuditQuery{});
  REQUIRE_FALSE(events);
  CHECK(events.error().code == ErrorCode::Internal);
  CHECK_THAT(events.error().message, Catch::Contains("audit_log.event holds 'account_frozen'"));
}
