// The lease service over a real SQLite store (no SSH: redeem and account
// removal are unit-tested with a fake host in test_lease_host.cpp and proven
// against a real sshd in tests/integration/test_leases.sh): taking units under
// concurrency, who may do what, approval codes, lapses, ending and billing
// into the ledger.
#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <regex>
#include <set>
#include <thread>

#include "lease_test_support.hpp"
#include "store_test_support.hpp"
#include "catalog/units.hpp"
#include "catalog_test_support.hpp"
#include "service/catalog.hpp"
#include "service/leases.hpp"
#include "service/metrics.hpp"
#include "ssh/provision.hpp"
#include "ssh/supplier_host.hpp"

using namespace cpshare;

namespace {

// These tests' A-class hosts are never verified and not reachable (127.0.0.1:1): the real
// libssh host, whose calls fail there, as they did before the host was an interface
// (loopback allowed explicitly).
struct RealHost {
  ssh::LibsshSupplierHost libssh{testing::loopback_networks()};
};

struct Fixture : RealHost, testing::LeaseFixture {
  Fixture() : LeaseFixture(libssh) {}

  // SQL on the database file beside the store, as an old database (or a
  // failing disk) would present it: for rows and faults the services cannot make.
  void sql(const std::string& statement) {
    SQLite::Database db((dir / "t.db").string(), SQLite::OPEN_READWRITE);
    db.exec(statement);
  }

  std::vector<AuditEvent> events(const std::string& name) {
    AuditQuery q;
    q.event = name;
    return store->audit().query(q).value();
  }

  // The account's leases that still hold units.
  std::vector<Lease> holding(std::int64_t account_id) {
    LeaseQuery q;
    q.user_id = account_id;
    q.states = {LeaseState::Requested, LeaseState::Approved, LeaseState::Provisioning, LeaseState::Active};
    return store->leases().query(q).value();
  }

  // What a B-class cluster's agent does once a lease has ended (R-LEASE-6): reports its
  // deprovision step ran, so the units it kept busy are idle again.
  void agent_frees() {
    LeaseQuery q;
    q.limit = 10000;
    const std::vector<Lease> rows = store->leases().query(q).value();
    for (const auto& l : rows)
      if (l.cluster_class == 'B' && l.ended_at && !l.units_freed_at)
        REQUIRE(store->leases().free_units(l, clock.now()));
  }

  // Starts a lease's billing as the agent (B) or a redeem (A) would.
  Lease activate(const std::string& lease_id) {
    Lease l = *store->leases().by_lease_id(lease_id).value();
    const LeaseState from = l.state;
    l.state = LeaseState::Active;
    l.started_at = clock.now();
    if (l.terms.mode != billing::Mode::Hourly)
      l.planned_end = billing::period_end(l.terms.mode, config.calendar, clock.now(), l.terms.periods);
    REQUIRE(store->leases().update(l, from));
    REQUIRE(store->leases().set_units(l, UnitStatus::Busy));
    if (l.terms.mode != billing::Mode::Hourly)
      REQUIRE(store->leases().append_ledger({0, clock.now(), l.id, {}, l.user_id, LedgerKind::Charge, -l.estimate}));
    return l;
  }

  std::int64_t ledger_sum(std::int64_t account) {
    std::int64_t sum = 0;
    const auto entries =
        store->leases().ledger(account, 0, INT64_MAX).value();  // (a range-for over a temporary's value() dangles)
    for (const auto& e : entries) sum += e.amount;
    return sum;
  }
};

}  // namespace

TEST_CASE("64 concurrent requests for 8 units: exactly 8 leases", "[R-LEASE-3]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  const std::string cpc = f.publish(sup, 'B', 8);
  std::vector<Caller> users;
  for (int i = 0; i < 64; ++i) users.push_back(f.account(fmt::format("u{}", i), Role::User));
  std::atomic<int> won{0}, unavailable{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 64; ++i)
    threads.emplace_back([&, i] {
      auto r = f.lease(users[static_cast<std::size_t>(i)], cpc, 1);
      if (r)
        ++won;
      else if (r.error().code == ErrorCode::UnitsUnavailable)
        ++unavailable;
      else
        ++other;
    });
  for (auto& t : threads) t.join();
  CHECK(won == 8);
  CHECK(unavailable == 56);
  CHECK(other == 0);
  CHECK(f.units_free(cpc) == 0);
  // Every unit is held by exactly one lease.
  std::set<int> held;
  LeaseQuery q;
  q.supplier_id = sup.account.id;
  const auto leases = f.store->leases().query(q).value();
  for (const auto& l : leases)
    for (int u : l.units) CHECK(held.insert(u).second);
  CHECK(held.size() == 8);
}

TEST_CASE("request, approve with a one-time code, and who may do what", "[R-LEASE-1][R-LEASE-2][R-LEASE-4][R-SEC-1]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  Caller rival = f.account("rival", Role::Supplier);
  Caller alice = f.account("alice", Role::User);
  Caller bob = f.account("bob", Role::User);
  const std::string cpc = f.publish(sup, 'A', 8);

  CHECK(f.lease(sup, cpc, 1).error().code == ErrorCode::Forbidden);
  CHECK(f.lease(alice, cpc, 9).error().code == ErrorCode::UnitsUnavailable);
  CHECK_THAT(f.lease(alice, cpc, 9).error().message, Catch::Contains("has 8 nodes in all: ask for at most 8"));
  CHECK(f.lease(alice, cpc, 1, "yearly").error().code == ErrorCode::ValidationFailed);  // not offered
  CHECK(f.lease(alice, cpc, 0).error().code == ErrorCode::ValidationFailed);
  CHECK(f.units_free(cpc) == 8);  // refusals took nothing

  auto r = f.lease(alice, cpc, 3, "daily", 7);
  REQUIRE(r);
  const api::LeaseView lease = r->lease;
  const std::string id = lease.lease_id;
  CHECK(std::regex_match(id, std::regex("ls-[0-9a-z]{10}")));
  CHECK(lease.state == LeaseState::Requested);
  CHECK(lease.units == std::vector<int>{0, 1, 2});
  CHECK(lease.unit_price == 50000);
  CHECK(lease.estimate == 50000 * 3 * 7);
  CHECK(f.units_free(cpc) == 5);
  CHECK(api::encode(f.leases.show(alice, id, {}).value().lease) ==
        api::encode(lease));  // the answer is what was stored
  CHECK(f.store->catalog().units(f.store->catalog().by_cpc_id(cpc).value()->id).value()[0].status ==
        UnitStatus::Reserved);

  // A price change applies to new leases only.
  REQUIRE(testing::update(f.catalog, sup, cpc, {{"prices", {{"daily", 99900}}}}, f.ctx));
  CHECK(f.leases.show(alice, id, {}).value().lease.unit_price == 50000);

  CHECK(f.leases.show(bob, id, {}).error().code == ErrorCode::NotFound);
  CHECK(f.leases.show(sup, id, {}));
  CHECK(f.leases.show(sup, id, {true}).error().code == ErrorCode::Forbidden);   // access is the user's
  CHECK(f.leases.show(alice, id, {true}).error().code == ErrorCode::Conflict);  // none before redeem
  CHECK(f.leases.list(alice, {true, std::nullopt}).error().code == ErrorCode::Forbidden);
  CHECK(f.leases.list(sup, {true, std::nullopt}).value().items.size() == 1);
  CHECK(f.leases.list(bob, {}).value().items.empty());

  CHECK(f.leases.approve(rival, id, f.ctx).error().code == ErrorCode::NotFound);  // reveals nothing
  CHECK(f.leases.approve(alice, id, f.ctx).error().code == ErrorCode::Forbidden);
  auto approved = f.leases.approve(sup, id, f.ctx);
  REQUIRE(approved);
  const std::string code = approved->auth_code;
  CHECK(std::regex_match(code, std::regex("[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")));  // 80 bits
  CHECK(f.leases.approve(sup, id, f.ctx).error().code == ErrorCode::Conflict);
  // The code is stored only hashed.
  CHECK(f.store->leases().auth_code(f.keys.token_hash("0000000000000000")).value() == std::nullopt);

  // Someone else's code, or a wrong one: the same answer, nothing revealed.
  auto stolen = f.leases.redeem(bob, {code}, f.ctx);
  REQUIRE_FALSE(stolen);
  auto wrong = f.leases.redeem(alice, {"AAAA-AAAA-AAAA-AAAA"}, f.ctx);
  REQUIRE_FALSE(wrong);
  CHECK(stolen.error().code == ErrorCode::InvalidCode);
  CHECK(stolen.error().message == wrong.error().message);
  for (int i = 0; i < 6; ++i) (void)f.leases.redeem(bob, {"BBBB-BBBB-BBBB-BBBB"}, f.ctx);
  CHECK(f.leases.redeem(bob, {code}, f.ctx).error().code == ErrorCode::RateLimited);

  CHECK(f.leases.release(bob, id, f.ctx).error().code == ErrorCode::NotFound);
  CHECK(f.leases.terminate(rival, id, {"x"}, f.ctx).error().code == ErrorCode::NotFound);
  auto rejected = f.leases.reject(sup, id, {"maintenance this week"}, f.ctx);
  REQUIRE(rejected);
  CHECK(rejected->lease.state == LeaseState::Rejected);
  CHECK(rejected->lease.charged == 0);
  CHECK(f.units_free(cpc) == 8);
  CHECK(f.leases.release(alice, id, f.ctx).error().code == ErrorCode::Conflict);
}

TEST_CASE("undecided requests lapse and free their units", "[R-LEASE-7]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  Caller alice = f.account("alice", Role::User);
  const std::string cpc = f.publish(sup, 'A', 4);
  const std::string id = f.lease(alice, cpc, 4).value().lease.lease_id;
  CHECK(f.units_free(cpc) == 0);
  f.clock.advance(72 * 3600 - 1);
  f.leases.tick();
  CHECK(f.units_free(cpc) == 0);
  f.clock.advance(1);
  f.leases.tick();
  auto l = f.leases.show(alice, id, {}).value().lease;
  CHECK(l.state == LeaseState::Lapsed);
  CHECK(l.end_reason == EndReason::Lapsed);
  CHECK(f.units_free(cpc) == 4);
}

TEST_CASE("ending bills to the fen, and the ledger reconciles with the leases", "[R-LEASE-1][R-LEASE-7]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  Caller alice = f.account("alice", Role::User);
  const std::string cpc = f.publish(sup, 'B', 8);

  // B-class leases wait for the cluster's agent (a later issue).
  const std::string hourly = f.lease(alice, cpc, 2).value().lease.lease_id;
  CHECK(f.leases.show(alice, hourly, {}).value().lease.state == LeaseState::Provisioning);
  const std::string daily = f.lease(alice, cpc, 3, "daily", 7).value().lease.lease_id;
  const std::string monthly = f.lease(alice, cpc, 1, "monthly", 2).value().lease.lease_id;
  const std::string early = f.lease(alice, cpc, 1).value().lease.lease_id;
  CHECK(f.units_free(cpc) == 1);
  f.activate(hourly);
  f.activate(daily);
  f.activate(monthly);

  f.clock.advance(90 * 60 + 5);  // 91 started minutes
  CHECK(f.leases.show(alice, hourly, {}).value().lease.running_cost == (2500 * 2 * 91 + 30) / 60);
  auto h = f.leases.release(alice, hourly, f.ctx).value().lease;
  CHECK(h.charged == 7583);  // 7583.33
  CHECK(h.state == LeaseState::Ended);

  f.clock.advance(2 * 86400);  // into day 3 of 7
  auto d = f.leases.terminate(sup, daily, {"hardware fault"}, f.ctx).value().lease;
  CHECK(d.charged == 50000 * 3 * 3);
  CHECK(d.refunded == 50000 * 3 * 4);
  CHECK(d.note == "hardware fault");

  f.clock.advance(70 * 86400);  // past the monthly lease's end: the scheduler ends it
  f.leases.tick();
  auto m = f.leases.show(alice, monthly, {}).value().lease;
  CHECK(m.state == LeaseState::Ended);
  CHECK(m.end_reason == EndReason::Expired);
  CHECK(m.charged == 3'000'000);
  CHECK(m.refunded == 0);

  auto e = f.leases.release(alice, early, f.ctx).value().lease;  // never started: nothing billed
  CHECK(e.charged == 0);
  f.agent_frees();  // a B-class lease holds its units until its agent frees them (R-LEASE-6)
  CHECK(f.units_free(cpc) == 8);

  // The ledger: what the user paid is what the leases charged, and the supplier earned it.
  const std::int64_t charged = 7583 + 450000 + 3'000'000;
  CHECK(f.ledger_sum(alice.account.id) == -charged);
  CHECK(f.ledger_sum(sup.account.id) == charged);
  auto bills = f.leases.ledger(alice, {rfc3339(f.clock.now()).substr(0, 7)}, false);
  REQUIRE(bills);
  CHECK(f.leases.ledger(alice, {"2026-13"}, false).error().code == ErrorCode::ValidationFailed);
  CHECK(f.leases.ledger(alice, {}, true).error().code == ErrorCode::Forbidden);
}

TEST_CASE("issue 8: a monthly lease from 04:58 on 1 March Beijing time ends 1 April and is on March's bill",
          "[R-LEASE-1][R-LEASE-7]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  Caller alice = f.account("alice", Role::User);
  const std::string cpc = f.publish(sup, 'B', 8);
  auto move_to = [&](std::string_view when) { f.clock.advance(parse_rfc3339(when).value() - f.clock.now()); };

  move_to("2027-03-01T04:58:00+08:00");  // = 2027-02-28T20:58:00Z
  const std::string id = f.lease(alice, cpc, 1, "monthly", 1).value().lease.lease_id;
  f.activate(id);
  CHECK(f.leases.show(alice, id, {}).value().lease.planned_end == testing::utc("2027-03-31T20:58:00Z"));

  auto march = f.leases.ledger(alice, {"2027-03"}, false).value();
  CHECK(march.month == "2027-03");
  CHECK(march.time_zone == "Asia/Shanghai");
  REQUIRE(march.items.size() == 1);
  CHECK(march.items[0].at == testing::utc("2027-02-28T20:58:00Z"));  // the wire stays UTC
  CHECK(march.items[0].amount == -1'500'000);
  CHECK(march.total == -1'500'000);
  CHECK(f.leases.ledger(alice, {"2027-02"}, false).value().items.empty());
  CHECK(f.leases.ledger(alice, {}, false).value().month == "2027-03");  // "this month" is Beijing's

  // Still running on 28 March (where a UTC calendar ended it) ...
  move_to("2027-03-28T20:58:01Z");
  f.leases.tick();
  CHECK(f.leases.show(alice, id, {}).value().lease.state == LeaseState::Active);
  // ... and ended by the scheduler once 1 April 04:58 Beijing has passed: April's earnings.
  move_to("2027-04-01T04:58:05+08:00");
  f.leases.tick();
  auto l = f.leases.show(alice, id, {}).value().lease;
  CHECK(l.state == LeaseState::Ended);
  CHECK(l.end_reason == EndReason::Expired);
  CHECK(l.charged == 1'500'000);
  auto april = f.leases.ledger(sup, {"2027-04"}, true).value();
  REQUIRE(april.items.size() == 1);
  CHECK(april.items[0].kind == LedgerKind::Earning);
  CHECK(april.total == 1'500'000);
  CHECK(f.leases.ledger(sup, {"2027-03"}, true).value().items.empty());

  // Months are read strictly.
  for (const char* bad : {"2026-13", "2026-00", "2026-1", "2026-03-01", "March"})
    CHECK(f.leases.ledger(alice, {bad}, false).error().code == ErrorCode::ValidationFailed);
}

TEST_CASE("a lease ends once, however many enders race for it", "[R-LEASE-3][R-LEASE-7]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  Caller alice = f.account("alice", Role::User);
  const std::string cpc = f.publish(sup, 'B', 2);
  for (int round = 0; round < 5; ++round) {
    const std::string id = f.lease(alice, cpc, 1).value().lease.lease_id;
    f.activate(id);
    f.clock.advance(600);
    // The user releases it several times at once while the supplier terminates it.
    std::atomic<int> ended{0}, conflict{0}, other{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
      threads.emplace_back([&, i] {
        auto r = i == 0 ? f.leases.terminate(sup, id, {"maintenance"}, f.ctx) : f.leases.release(alice, id, f.ctx);
        if (r)
          ++ended;
        else if (r.error().code == ErrorCode::Conflict)
          ++conflict;
        else
          ++other;
      });
    for (auto& t : threads) t.join();
    CHECK(ended == 1);
    CHECK(conflict == 7);
    CHECK(other == 0);
    // Another lease takes the freed unit; nothing left of the race frees it under it.
    f.agent_frees();  // a B-class lease holds its units until its agent frees them (R-LEASE-6)
    const std::string next = f.lease(alice, cpc, 1).value().lease.lease_id;
    CHECK(f.units_free(cpc) == 1);
    CHECK(f.leases.release(alice, next, f.ctx));
  }
  // Billed once per lease: ten minutes at 25 yuan an hour is 416.67 → 417 fen, five times.
  CHECK(f.ledger_sum(alice.account.id) == -5 * 417);
  CHECK(f.ledger_sum(sup.account.id) == 5 * 417);
}

TEST_CASE("deregistration ends the account's leases and those of its clusters", "[R-LEASE-7]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  Caller alice = f.account("alice", Role::User);
  Caller bob = f.account("bob", Role::User);
  const std::string cpc = f.publish(sup, 'B', 4);
  const std::string a = f.lease(alice, cpc, 1).value().lease.lease_id;
  const std::string b = f.lease(bob, cpc, 2).value().lease.lease_id;
  REQUIRE(f.leases.end_all(alice.account, f.ctx));
  CHECK(f.leases.show(alice, a, {}).value().lease.end_reason == EndReason::Deregistered);
  CHECK(f.leases.show(bob, b, {}).value().lease.state == LeaseState::Provisioning);
  CHECK(f.units_free(cpc) == 1);  // alice's ended lease keeps its unit busy until the agent frees it
  f.agent_frees();                // a B-class lease holds its units until its agent frees them (R-LEASE-6)
  CHECK(f.units_free(cpc) == 2);
  REQUIRE(f.leases.end_all(sup.account, f.ctx));  // the supplier leaves: its clusters' leases end
  CHECK(f.leases.show(bob, b, {}).value().lease.state == LeaseState::Ended);
  f.agent_frees();  // a B-class lease holds its units until its agent frees them (R-LEASE-6)
  CHECK(f.units_free(cpc) == 4);
}

// Issue 8, kind 3. Before: an hourly lease at the highest catalogue price
// (10^14 fen) on one unit, released 65 days later, failed with "the amount is
// too large to bill" and stayed active, its unit busy.
TEST_CASE("an hourly lease at the highest price ends 65 days later, billed to the fen", "[R-LEASE-1][R-LEASE-7]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  Caller alice = f.account("alice", Role::User);
  const std::string cpc = f.publish(sup, 'B', 4);
  REQUIRE(testing::update(f.catalog, sup, cpc, {{"prices", {{"hourly", catalog::kMaxFen}}}}, f.ctx));
  // Two units could not be billed for an open lease's ten-year horizon: refused up front, nothing taken.
  auto two = f.lease(alice, cpc, 2);
  REQUIRE_FALSE(two);
  CHECK(two.error().code == ErrorCode::ValidationFailed);
  CHECK(f.units_free(cpc) == 4);

  const std::string id = f.lease(alice, cpc, 1).value().lease.lease_id;
  f.activate(id);
  f.clock.advance(65 * 86400);
  CHECK(f.leases.show(alice, id, {}).value().lease.running_cost == 156'000'000'000'000'000);
  auto ended = f.leases.release(alice, id, f.ctx);
  REQUIRE(ended);
  CHECK(ended->lease.state == LeaseState::Ended);
  CHECK(ended->lease.charged == 156'000'000'000'000'000);  // 1,560 h × 10^14 fen
  CHECK(ended->lease.bill_failed == false);
  f.agent_frees();  // a B-class lease holds its units until its agent frees them (R-LEASE-6)
  CHECK(f.units_free(cpc) == 4);
  CHECK(f.ledger_sum(alice.account.id) == -156'000'000'000'000'000);
  CHECK(f.ledger_sum(sup.account.id) == 156'000'000'000'000'000);
}

TEST_CASE("an open hourly lease ends when its guaranteed life is over, billed to it", "[R-LEASE-1][R-LEASE-7]") {
  // Issue 8, kind 3: a lease without a planned end is bounded by its ten-year
  // life (billing::kOpenHourlyHorizonHours), which the request was checked
  // against; the scheduler ends it there, so its bill always fits.
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  Caller alice = f.account("alice", Role::User);
  const std::string cpc = f.publish(sup, 'B', 4);
  REQUIRE(testing::update(f.catalog, sup, cpc, {{"prices", {{"hourly", catalog::kMaxFen}}}}, f.ctx));
  const std::string id = f.lease(alice, cpc, 1).value().lease.lease_id;
  f.activate(id);
  const std::int64_t life = billing::kOpenHourlyHorizonHours * 3600;
  const std::int64_t whole = billing::kOpenHourlyHorizonHours * catalog::kMaxFen;  // 8.784 × 10^18 fen
  f.clock.advance(life - 60);
  f.leases.tick();
  CHECK(f.leases.show(alice, id, {}).value().lease.state == LeaseState::Active);  // not yet
  f.clock.advance(60 + 11 * 86400);  // the scheduler was away for eleven days: billed to the life's end only
  CHECK(f.leases.show(alice, id, {}).value().lease.running_cost == whole);
  f.leases.tick();
  auto l = f.leases.show(alice, id, {}).value().lease;
  CHECK(l.state == LeaseState::Ended);
  CHECK(l.end_reason == EndReason::Expired);
  CHECK(l.charged == whole);
  CHECK(l.bill_failed == false);
  f.agent_frees();  // a B-class lease holds its units until its agent frees them (R-LEASE-6)
  CHECK(f.units_free(cpc) == 4);
  CHECK(f.ledger_sum(sup.account.id) == whole);
}

TEST_CASE("a month whose total no 64-bit integer holds lists its entries and says so", "[R-LEASE-7]") {
  // Issue 8, kind 3: each charge fits int64 (billing::kMaxAmount), the sum of
  // two need not; it is added up checked, never wrapped.
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  Caller alice = f.account("alice", Role::User);
  const std::string cpc = f.publish(sup, 'B', 4);
  const std::string id = f.lease(alice, cpc, 1).value().lease.lease_id;
  const Lease l = *f.store->leases().by_lease_id(id).value();
  const std::string month = f.leases.ledger(alice, {}, false).value().month;
  REQUIRE(
      f.store->leases().append_ledger({0, f.clock.now(), l.id, {}, alice.account.id, LedgerKind::Charge, -INT64_MAX}));
  auto one = f.leases.ledger(alice, {month}, false).value();
  CHECK(one.total == -INT64_MAX);
  REQUIRE(
      f.store->leases().append_ledger({0, f.clock.now(), l.id, {}, alice.account.id, LedgerKind::Charge, -INT64_MAX}));
  auto two = f.leases.ledger(alice, {month}, false).value();
  CHECK(two.items.size() == 2);
  CHECK(two.total == std::nullopt);
  // A refund that brings it back into range gives an exact total again.
  REQUIRE(
      f.store->leases().append_ledger({0, f.clock.now(), l.id, {}, alice.account.id, LedgerKind::Refund, INT64_MAX}));
  CHECK(f.leases.ledger(alice, {month}, false).value().total == -INT64_MAX);
}

TEST_CASE("a lease whose bill cannot be computed ends anyway, flagged for the admin", "[R-LEASE-7]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  Caller alice = f.account("alice", Role::User);
  const std::string cpc = f.publish(sup, 'A', 4);
  const std::string id = f.lease(alice, cpc, 2).value().lease.lease_id;
  const Lease started = f.activate(id);  // as a redeem would: active, units busy
  CHECK(f.units_free(cpc) == 2);
  // An old database's row: a price above every bound billing knows.
  f.sql(fmt::format("UPDATE leases SET unit_price = {} WHERE lease_id = '{}'", INT64_MAX, id));
  f.clock.advance(3 * 3600);
  CHECK(f.leases.show(alice, id, {}).value().lease.running_cost == std::nullopt);

  auto ended = f.leases.release(alice, id, f.ctx);
  REQUIRE(ended);
  const api::LeaseView l = ended->lease;
  CHECK(l.state == LeaseState::Ended);
  CHECK(l.end_reason == EndReason::Released);
  CHECK(l.bill_failed == true);
  CHECK(l.charged == std::nullopt);
  CHECK(l.refunded == std::nullopt);
  CHECK(api::encode(f.leases.show(alice, id, {}).value().lease) == api::encode(l));  // as stored
  CHECK(f.units_free(cpc) == 2);  // its nodes wait for the account's removal (host unreachable here)
  const auto units = f.store->catalog().units(f.store->catalog().by_cpc_id(cpc).value()->id).value();
  for (const auto& u : units) CHECK(u.status == UnitStatus::Idle);
  // Its SSH account's removal is queued (the host here is unreachable: it waits for the scheduler).
  auto pending = f.store->leases().revocations_due(f.clock.now() + 86400).value();
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].lease_id == started.id);
  CHECK(pending[0].username == ssh::lease_username(id));
  CHECK_FALSE(pending[0].done_at);
  // No ledger entry for an amount nobody computed; the admin is told.
  CHECK(f.ledger_sum(alice.account.id) == 0);
  CHECK(f.ledger_sum(sup.account.id) == 0);
  auto flagged = f.events("lease_bill_failed");
  REQUIRE(flagged.size() == 1);
  const json detail = json::parse(flagged[0].detail_json);
  CHECK(detail["lease"] == id);
  CHECK(detail["reason"] == "released");
  CHECK(detail["unit_price"] == INT64_MAX);
  CHECK(detail["error"].get<std::string>().find("unit_price") != std::string::npos);

  // The same through the scheduler: a prepaid lease past its end with an
  // impossible unit count expires, flagged, and the log says so.
  const std::string monthly = f.lease(alice, cpc, 1, "monthly", 1).value().lease.lease_id;
  f.activate(monthly);
  f.sql(fmt::format("UPDATE leases SET units = 5000 WHERE lease_id = '{}'", monthly));
  f.clock.advance(32 * 86400);
  f.leases.tick();
  const api::LeaseView m = f.leases.show(alice, monthly, {}).value().lease;
  CHECK(m.state == LeaseState::Ended);
  CHECK(m.end_reason == EndReason::Expired);
  CHECK(m.bill_failed == true);
  CHECK(f.units_free(cpc) == 1);  // both leases' nodes wait for their accounts' removal
  CHECK(f.events("lease_bill_failed").size() == 2);
  CHECK(f.log_text().find(fmt::format("lease {} expired, but its bill could not be computed", monthly)) !=
        std::string::npos);
}

TEST_CASE("the scheduler logs every error it meets", "[R-LEASE-7]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  Caller alice = f.account("alice", Role::User);
  const std::string cpc = f.publish(sup, 'A', 4);
  const std::string id = f.lease(alice, cpc, 1, "daily", 1).value().lease.lease_id;
  f.activate(id);
  f.clock.advance(86400 + 1);
  // The database refuses to end it (a fault the scheduler cannot cure).
  f.sql(
      "CREATE TRIGGER refuse_expiry BEFORE UPDATE OF state ON leases WHEN NEW.end_reason = 'expired' "
      "BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
  f.leases.tick();
  std::string log = f.log_text();
  CHECK(log.find(fmt::format("ERROR scheduler: end lease {} (expired): ", id)) != std::string::npos);
  CHECK(log.find("disk says no") != std::string::npos);
  CHECK(f.leases.show(alice, id, {}).value().lease.state == LeaseState::Active);  // nothing half-done

  // Cured, the next tick ends it; removing its account on the (unreachable) host fails, and that is logged too.
  f.sql("DROP TRIGGER refuse_expiry");
  f.leases.tick();
  CHECK(f.leases.show(alice, id, {}).value().lease.state == LeaseState::Ended);
  log = f.log_text();
  CHECK(log.find(fmt::format("WARN scheduler: remove account {} of lease #", ssh::lease_username(id))) !=
        std::string::npos);
  CHECK(log.find("attempt 1, next at") != std::string::npos);
}

TEST_CASE("the scheduler logs a supplier it could not tell of a failed removal", "[R-LEASE-7]") {
  // Issue 10: telling the supplier (audit event, mail) answers what failed instead of dropping it.
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  Caller alice = f.account("alice", Role::User);
  const std::string cpc = f.publish(sup, 'A', 4);
  const std::string id = f.lease(alice, cpc, 1, "daily", 1).value().lease.lease_id;
  f.activate(id);
  f.clock.advance(86400 + 1);
  f.sql(
      "CREATE TRIGGER refuse_notice BEFORE INSERT ON audit_log WHEN NEW.event = 'lease_revocation_pending' "
      "BEGIN SELECT RAISE(ABORT, 'audit disk full'); END");
  f.leases.tick();
  CHECK(f.leases.show(alice, id, {}).value().lease.state == LeaseState::Ended);
  const std::string log = f.log_text();
  INFO(log);
  const std::string line = fmt::format("WARN scheduler: remove account {} of lease #", ssh::lease_username(id));
  const auto at = log.find(line);
  REQUIRE(at != std::string::npos);
  const std::string entry = log.substr(at, log.find('\n', at) - at);
  CHECK(entry.find("attempt 1, next at") != std::string::npos);
  CHECK(entry.find("; the supplier was not told: ") != std::string::npos);
  CHECK(entry.find("record lease_revocation_pending: store: audit: audit disk full") != std::string::npos);
  // The fixture's outbox directory does not exist: the mail fails too, and says so.
  CHECK(entry.find("mail the supplier: outbox: cannot create") != std::string::npos);
  CHECK(f.events("lease_revocation_pending").empty());
}

TEST_CASE("deregistration closes the account and ends its leases in one transaction", "[R-USER-8][R-LEASE-7]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  Caller alice = f.account("alice", Role::User);
  {
    Account a = alice.account;
    a.password_hash = crypto::hash_password("Tr0ub4dor&3x").value();
    REQUIRE(f.store->accounts().update(a));
    alice.account = a;
  }
  const std::string cpc = f.publish(sup, 'B', 4);
  const std::string running = f.lease(alice, cpc, 1).value().lease.lease_id;
  const std::string waiting = f.lease(alice, cpc, 2).value().lease.lease_id;
  f.activate(running);
  f.clock.advance(600);
  const api::Deregistration body =
      api::Deregistration::from_body({{"password", "Tr0ub4dor&3x"}, {"confirm_username", "alice"}}).value();
  auto status = [&] { return f.store->accounts().by_id(alice.account.id).value()->status; };

  // Ending a lease fails: the account is not closed either.
  f.sql(
      "CREATE TRIGGER refuse_end BEFORE UPDATE OF state ON leases WHEN NEW.end_reason = 'deregistered' "
      "BEGIN SELECT RAISE(ABORT, 'injected'); END");
  auto refused = f.leases.deregister(f.accounts.profile, alice, body, f.ctx);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("injected") != std::string::npos);
  CHECK(status() == AccountStatus::Active);
  CHECK(f.holding(alice.account.id).size() == 2);
  CHECK(f.units_free(cpc) == 1);
  CHECK(f.events("deregistered").empty());
  CHECK(f.ledger_sum(alice.account.id) == 0);
  f.sql("DROP TRIGGER refuse_end");

  // Closing the account fails after its leases were ended: they are not ended either.
  f.sql(
      "CREATE TRIGGER refuse_close BEFORE INSERT ON audit_log WHEN NEW.event = 'deregistered' "
      "BEGIN SELECT RAISE(ABORT, 'injected'); END");
  REQUIRE_FALSE(f.leases.deregister(f.accounts.profile, alice, body, f.ctx));
  CHECK(status() == AccountStatus::Active);
  CHECK(f.holding(alice.account.id).size() == 2);
  CHECK(f.units_free(cpc) == 1);
  f.sql("DROP TRIGGER refuse_close");

  // Both, once nothing fails: closed, and no lease of the account left active.
  auto done = f.leases.deregister(f.accounts.profile, alice, body, f.ctx);
  REQUIRE(done);
  CHECK(api::encode(*done)["status"] == "deregistered");
  CHECK(status() == AccountStatus::Deregistered);
  CHECK(f.holding(alice.account.id).empty());
  CHECK(f.leases.show(alice, running, {}).value().lease.end_reason == EndReason::Deregistered);
  CHECK(f.leases.show(alice, running, {}).value().lease.charged == 417);  // ten minutes at 25 yuan/h
  CHECK(f.leases.show(alice, waiting, {}).value().lease.state == LeaseState::Ended);
  f.agent_frees();  // a B-class lease holds its units until its agent frees them (R-LEASE-6)
  CHECK(f.units_free(cpc) == 4);
  CHECK(f.ledger_sum(alice.account.id) == -417);
}

TEST_CASE("checking a code names its lease and changes nothing", "[R-LEASE-4]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  Caller alice = f.account("alice", Role::User);
  Caller bob = f.account("bob", Role::User);
  const std::string cpc = f.publish(sup, 'A', 4);
  const std::string id = f.lease(alice, cpc, 2).value().lease.lease_id;
  const std::string code = f.leases.approve(sup, id, f.ctx).value().auth_code;

  auto wrong = f.leases.check_code(alice, {"AAAA-AAAA-AAAA-AAAA"}, f.ctx);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == ErrorCode::InvalidCode);
  CHECK(f.leases.check_code(bob, {code}, f.ctx).error().code == ErrorCode::InvalidCode);
  CHECK(f.events("lease_redeem_failed").size() == 2);  // counted as redeem counts them

  for (int i = 0; i < 2; ++i) {  // any number of times: the code stays live
    auto ok = f.leases.check_code(alice, {code}, f.ctx);
    REQUIRE(ok);
    CHECK(ok->lease.lease_id == id);
    CHECK(ok->lease.state == LeaseState::Approved);
  }
  CHECK(f.leases.show(alice, id, {}).value().lease.state == LeaseState::Approved);
  CHECK_FALSE(f.store->leases().auth_code(f.keys.token_hash("x")).value());
  // Throttled with redeem: after too many wrong codes a right one waits too.
  for (int i = 0; i < 6; ++i) (void)f.leases.check_code(bob, {"BBBB-BBBB-BBBB-BBBB"}, f.ctx);
  CHECK(f.leases.redeem(bob, {code}, f.ctx).error().code == ErrorCode::RateLimited);
}

TEST_CASE("a busy unit whose GPU is lost keeps its lease, flagged; freed while lost it goes offline (issue 11)",
          "[R-LEASE-6][R-MON-3]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  Caller alice = f.account("alice", Role::User);
  const std::string cpc = f.publish(sup, 'B', 2);
  const std::int64_t id = f.store->catalog().by_cpc_id(cpc).value()->id;
  MetricsService metrics{*f.store, f.keys, f.clock};
  auto report = [&](std::vector<std::string> uuids) {
    f.clock.advance(5);
    api::HostSample s;
    s.at = {f.clock.now()};
    s.gpu_source = "nvml";
    for (const auto& u : uuids) {
      api::GpuReading g;
      g.uuid = u;
      s.gpus.push_back(g);
    }
    REQUIRE(metrics.ingest(id, cpc, api::MetricsBatch{{s}, 0}));
  };
  auto unit = [&](int i) { return f.store->catalog().units(id).value().at(static_cast<std::size_t>(i)); };
  report({"GPU-a", "GPU-b"});  // binds unit 0 to GPU-a, unit 1 to GPU-b
  const std::string lease = f.lease(alice, cpc, 1).value().lease.lease_id;
  f.activate(lease);
  REQUIRE(unit(0).status == UnitStatus::Busy);
  report({"GPU-b"});
  CHECK(unit(0).status == UnitStatus::Busy);
  CHECK(unit(0).lost_since == f.clock.now());
  CHECK(f.store->leases().by_lease_id(lease).value()->state == LeaseState::Active);
  // The leaser sees the event within their lease; a stranger is refused.
  auto seen = metrics.events(alice, cpc, {});
  REQUIRE(seen);
  REQUIRE(seen->items.size() == 1);
  CHECK(seen->items[0].kind == ClusterEventKind::GpuLost);
  CHECK(seen->items[0].unit == 0);
  // Released while lost: held until the agent frees it (R-LEASE-6), then not
  // offered again until the GPU returns.
  REQUIRE(f.leases.release(alice, lease, f.ctx));
  CHECK(unit(0).status == UnitStatus::Busy);
  f.agent_frees();
  CHECK(unit(0).status == UnitStatus::Offline);
  CHECK(f.units_free(cpc) == 1);
  report({"GPU-b", "GPU-a"});
  CHECK(unit(0).status == UnitStatus::Idle);
  CHECK_FALSE(unit(0).lost_since);
  CHECK(f.units_free(cpc) == 2);
}

namespace {

// A B-class cluster with these environments; its cpc_id and agent token.
std::pair<std::string, std::string> publish_b(Fixture& f, const Caller& sup, const json& environments) {
  json b = {{"class", "B"},
            {"resource_type", "GPU"},
            {"model", "H200"},
            {"units", 2},
            {"unit_memory", 80'000'000'000},
            {"memory", 1'000'000'000'000},
            {"vcpus", 64},
            {"prices", {{"hourly", 3000}, {"daily", 50000}}},
            {"vendor", "Acme"},
            {"location", "深圳市"},
            {"region", "深圳"},
            {"storage", {{"description", "2TB nvme"}}},
            {"access", {{"platform_url", "https://ai.example.com"}, {"environments", environments}}}};
  auto r = testing::publish(f.catalog, sup, b, f.ctx);
  REQUIRE(r);
  f.report((*r)["cluster"]["cpc_id"], (*r)["agent_token"]);  // online: offered (issue 11, automatic status)
  return {(*r)["cluster"]["cpc_id"], (*r)["agent_token"]};
}

Result<api::LeaseData> lease_env(Fixture& f, const Caller& u, const std::string& cpc, std::optional<std::string> env,
                                 const std::string& mode = "hourly") {
  json b = {{"cpc_id", cpc}, {"units", 1}, {"billing", mode}};
  if (env) b["environment"] = *env;
  TRY_ASSIGN(api::LeaseRequest request, api::LeaseRequest::from_body(b));
  return f.leases.request(u, request, f.ctx);
}

api::AccessReport access_of(const std::string& token) {
  api::AccessReport r;
  r.url = "https://ai.example.com/s/1";
  r.username = "alice";
  r.token = token;
  return r;
}

}  // namespace

TEST_CASE("a B-class lease's environment is one of its cluster's; left out only among one or none", "[R-LEASE-6]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  Caller alice = f.account("alice", Role::User);
  const auto [two, t2] = publish_b(f, sup, json::array({"pytorch", "tensorflow"}));
  const auto [one, t1] = publish_b(f, sup, json::array({"jupyterlab"}));
  const std::string a_class = f.publish(sup, 'A', 2);
  auto missing = lease_env(f, alice, two, std::nullopt);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::ValidationFailed);
  REQUIRE(missing.error().fields.size() == 1);
  CHECK(missing.error().fields[0].field == "environment");
  CHECK_THAT(missing.error().fields[0].message, Catch::Contains("pytorch, tensorflow"));
  auto wrong = lease_env(f, alice, two, "cuda");
  REQUIRE_FALSE(wrong);
  CHECK_THAT(wrong.error().fields[0].message, Catch::Contains("'cuda' is not one of"));
  CHECK(lease_env(f, alice, two, "tensorflow").value().lease.environment == "tensorflow");
  CHECK(lease_env(f, alice, one, std::nullopt).value().lease.environment == "jupyterlab");
  auto a = lease_env(f, alice, a_class, "pytorch");
  REQUIRE_FALSE(a);
  CHECK(a.error().fields[0].field == "environment");
  CHECK(f.units_free(two) == 1);  // the refused requests took nothing
}

TEST_CASE("the agent activates a B-class lease once, billing from then; the supplier sees failures, not the secret",
          "[R-LEASE-6][R-LEASE-7]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  Caller alice = f.account("alice", Role::User);
  const auto [cpc, token] = publish_b(f, sup, json::array({"pytorch"}));
  const auto [other, other_token] = publish_b(f, sup, json::array({"pytorch"}));
  const std::string id = lease_env(f, alice, cpc, std::nullopt, "daily").value().lease.lease_id;

  CHECK(f.leases.agent_work(other_token, cpc).error().code == ErrorCode::Forbidden);
  CHECK(f.leases.agent_work("cpa_unknown", cpc).error().code == ErrorCode::Unauthenticated);
  CHECK(f.leases.agent_access(other_token, other, id, access_of("x"), f.ctx).error().code == ErrorCode::NotFound);
  auto work = f.leases.agent_work(token, cpc).value();
  REQUIRE(work.items.size() == 1);
  CHECK(work.items[0].action == "provision");
  CHECK(work.items[0].environment == "pytorch");
  CHECK(work.items[0].planned_end);  // a daily lease ends a day after it activates

  api::AccessReport failed;
  failed.error = "provision hook exited with status 1: quota";
  CHECK(f.leases.agent_access(token, cpc, id, failed, f.ctx).value().attempts == 1);
  auto seen = f.leases.show(sup, id, {}).value().lease;
  REQUIRE(seen.agent);
  CHECK(seen.agent->step == "provision");
  CHECK(seen.agent->last_error == failed.error);
  CHECK_FALSE(f.leases.show(alice, id, {}).value().lease.agent);  // the supplier's, not the user's
  CHECK(f.leases.show(alice, id, {true}).error().code == ErrorCode::Conflict);

  f.clock.advance(600);
  const std::int64_t activated = f.clock.now();
  auto ok = f.leases.agent_access(token, cpc, id, access_of("tk_secret"), f.ctx).value();
  CHECK(ok.state == LeaseState::Active);
  CHECK(f.leases.agent_access(token, cpc, id, access_of("tk_again"), f.ctx).error().code == ErrorCode::Conflict);
  auto shown = f.leases.show(alice, id, {true}).value();
  REQUIRE(shown.platform_access);
  CHECK(shown.platform_access->token == "tk_secret");
  CHECK_FALSE(shown.access);
  CHECK(shown.lease.started_at->unix == activated);
  CHECK(f.leases.show(sup, id, {true}).error().code == ErrorCode::Forbidden);
  const Lease stored = *f.store->leases().by_lease_id(id).value();
  CHECK(std::string(stored.access_cipher.begin(), stored.access_cipher.end()).find("tk_secret") == std::string::npos);
  CHECK(f.ledger_sum(alice.account.id) == -50000);  // prepaid at activation, not at the request
  CHECK(f.leases.agent_released(token, cpc, id, {}, f.ctx).error().code == ErrorCode::Conflict);  // not ended

  f.clock.advance(3600);
  CHECK(f.leases.release(alice, id, f.ctx).value().lease.charged == 50000);
  CHECK(f.units_free(cpc) == 1);  // busy until the agent frees it
  work = f.leases.agent_work(token, cpc).value();
  REQUIRE(work.items.size() == 1);
  CHECK(work.items[0].action == "deprovision");
  auto freed = f.leases.agent_released(token, cpc, id, {}, f.ctx).value();
  CHECK(freed.units_freed);
  CHECK(f.units_free(cpc) == 2);
  CHECK(f.leases.agent_released(token, cpc, id, {}, f.ctx).error().code == ErrorCode::Conflict);
  CHECK(f.leases.agent_work(token, cpc).value().items.empty());
  CHECK(f.leases.show(sup, id, {}).value().lease.agent->step == "done");
}

TEST_CASE("a B-class lease's service report: pending while active, made once after the end, for both sides",
          "[R-LEASE-8]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  Caller rival = f.account("rival", Role::Supplier);
  Caller alice = f.account("alice", Role::User);
  Caller bob = f.account("bob", Role::User);
  Caller root = f.account("root", Role::Admin);
  const auto [cpc, token] = publish_b(f, sup, json::array({"pytorch"}));
  const std::int64_t cluster = f.store->catalog().by_cpc_id(cpc).value()->id;
  const std::int64_t t0 = f.clock.now();  // a minute's start
  const std::string id = lease_env(f, alice, cpc, std::nullopt).value().lease.lease_id;
  CHECK(f.leases.report(alice, id).value().status == "pending");  // provisioning
  f.clock.advance(90);
  const std::int64_t from = f.clock.now();
  REQUIRE(f.leases.agent_access(token, cpc, id, access_of("tk"), f.ctx));
  auto active = f.leases.report(alice, id).value();
  CHECK(active.status == "pending");
  CHECK_THAT(*active.reason, Catch::Contains("made when it ends"));
  CHECK(f.leases.report(bob, id).error().code == ErrorCode::NotFound);    // as leases show
  CHECK(f.leases.report(rival, id).error().code == ErrorCode::NotFound);  // another supplier
  CHECK(f.leases.report(alice, "ls-0000000000").error().code == ErrorCode::NotFound);

  // The monitoring log: unit 0 is GPU-a, lost since before the lease and back 100 s into it;
  // minutes 1..10 from t0 rolled up (GPU-a at 0.5 in 6 samples each), except minute 5.
  REQUIRE(f.store->metrics().bind_unit_gpu(cluster, 0, "GPU-a"));
  REQUIRE(f.store->metrics().add_event(cluster, {0, ClusterEventKind::GpuLost, "GPU-a", t0 + 30, "lost"}));
  REQUIRE(f.store->metrics().add_event(cluster, {0, ClusterEventKind::GpuReturned, "GPU-a", from + 100, "back"}));
  for (int k = 1; k <= 10; ++k) {
    if (k == 5) continue;
    StoredRollup r;
    r.minute = t0 + 60 * k;
    r.samples = 6;
    r.readings = R"({"gpus.GPU-a.utilization_ratio":{"min":0.5,"mean":0.5,"max":0.5,"n":6}})";
    REQUIRE(f.store->metrics().put_rollup(cluster, r));
  }
  f.clock.advance(600);  // ends at t0 + 690: minutes 1..11 overlap [t0 + 90, t0 + 690)
  REQUIRE(f.leases.release(alice, id, f.ctx));
  f.leases.make_reports();  // the agent has not confirmed the units freed: not yet
  auto ended = f.leases.report(sup, id).value();
  CHECK(ended.status == "pending");
  CHECK_THAT(*ended.reason, Catch::Contains("being made"));
  REQUIRE(f.leases.agent_released(token, cpc, id, {}, f.ctx));
  f.leases.make_reports();
  auto ready = f.leases.report(alice, id).value();
  REQUIRE(ready.status == "ready");
  CHECK_FALSE(ready.reason);
  REQUIRE(ready.report);
  const api::ServiceReport& r = *ready.report;
  CHECK(r.from.unix == from);
  CHECK(r.to.unix == t0 + 690);
  CHECK(r.minutes == 11);
  CHECK(r.minutes_reported == 9);
  REQUIRE(r.gpus_lost.size() == 1);
  CHECK(r.gpus_lost[0].unit == 0);
  CHECK(r.gpus_lost[0].uuid == "GPU-a");
  CHECK(r.gpus_lost[0].first_lost.unix == from);
  CHECK(r.gpus_lost[0].seconds == 100);
  CHECK(r.gpu_utilization_mean == 0.5);
  CHECK(r.gpu_utilization_p95 == 0.5);
  CHECK_FALSE(r.latency_mean_seconds);
  // The same for the supplier and an admin; made once.
  CHECK(api::encode(f.leases.report(sup, id).value()) == api::encode(ready));
  CHECK(f.leases.report(root, id).value().status == "ready");
  f.clock.advance(60);
  f.leases.make_reports();
  CHECK(f.leases.report(alice, id).value().made_at == ready.made_at);

  // Ended and never confirmed freed: made kReportSettleSeconds after the end, from nothing.
  const std::string quiet = lease_env(f, alice, cpc, std::nullopt).value().lease.lease_id;
  REQUIRE(f.leases.agent_access(token, cpc, quiet, access_of("tk2"), f.ctx));
  f.clock.advance(120);
  REQUIRE(f.leases.release(alice, quiet, f.ctx));
  f.leases.make_reports();
  CHECK(f.leases.report(alice, quiet).value().status == "pending");
  f.clock.advance(LeaseService::kReportSettleSeconds);
  f.leases.make_reports();
  auto silent = f.leases.report(alice, quiet).value();
  REQUIRE(silent.report);
  CHECK(silent.report->minutes == 3);  // [t0 + 750, t0 + 870): minutes 12, 13, 14
  CHECK(silent.report->availability == 0.0);
  CHECK_FALSE(silent.report->gpu_utilization_mean);
}

TEST_CASE("A-class leases and B-class leases never active have no service report", "[R-LEASE-8]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  Caller alice = f.account("alice", Role::User);
  const auto [cpc, token] = publish_b(f, sup, json::array({"pytorch"}));
  const std::string never = lease_env(f, alice, cpc, std::nullopt).value().lease.lease_id;
  REQUIRE(f.leases.release(alice, never, f.ctx));
  auto none = f.leases.report(sup, never).value();
  CHECK(none.status == "none");
  CHECK_THAT(*none.reason, Catch::Contains("never became active"));
  const std::string a = f.lease(alice, f.publish(sup, 'A', 2), 1).value().lease.lease_id;
  auto a_class = f.leases.report(alice, a).value();
  CHECK(a_class.status == "none");
  CHECK_THAT(*a_class.reason, Catch::Contains("B-class service only (R-LEASE-8)"));
  CHECK_FALSE(a_class.report);
  f.leases.make_reports();
  CHECK(f.leases.report(alice, never).value().status == "none");
}
