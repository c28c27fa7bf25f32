// Automatic status of B-class clusters and units (issue 11 point 3; R-LEASE-6,
// R-MON-1, R-MON-3, R-REL-2): the pure transition rules (catalog/health.hpp),
// then MetricsService applying them over a real Store: ingest, the scheduler's
// tick, lease ends, the owner's unit changes, the events read.
#include <catch2/catch.hpp>

#include "catalog/health.hpp"
#include "lease_test_support.hpp"
#include "service/metrics.hpp"
#include "store_test_support.hpp"
#include "util/text.hpp"

using namespace cpshare;
using cpshare::testing::insert_caller;
using health::UnitState;

namespace {

constexpr std::int64_t kT = 1'796'000'000;
const std::string kG0 = "GPU-00000000-0000-4000-8000-000000000000";
const std::string kG1 = "GPU-11111111-1111-4111-8111-111111111111";

health::GpuReport seen(std::set<std::string> s, std::set<std::string> lost = {}) {
  return health::GpuReport{std::move(s), std::move(lost)};
}

}  // namespace

TEST_CASE("health rules: a report brings a cluster online, with one event", "[health]") {
  auto first = health::on_report(ClusterHealth::Offline, std::nullopt, {}, std::nullopt, kT);
  REQUIRE(first.health == ClusterHealth::Online);
  REQUIRE(first.events.size() == 1);
  CHECK(first.events[0].kind == ClusterEventKind::ClusterOnline);
  CHECK(first.events[0].at == kT);
  CHECK(first.events[0].detail == "the agent's first report");
  auto again = health::on_report(ClusterHealth::Offline, kT - 100, {}, std::nullopt, kT);
  REQUIRE(again.events.size() == 1);
  CHECK(again.events[0].detail.find("2026-") != std::string::npos);
  // Already online: nothing changes, nothing recorded.
  auto steady = health::on_report(ClusterHealth::Online, kT - 10, {}, std::nullopt, kT);
  CHECK_FALSE(steady.health);
  CHECK(steady.events.empty());
}

TEST_CASE("health rules: silence past the timeout takes an online cluster offline", "[health]") {
  CHECK_FALSE(health::on_silence(ClusterHealth::Online, kT - 60, kT, 60));  // exactly the timeout: still online
  auto e = health::on_silence(ClusterHealth::Online, kT - 61, kT, 60);
  REQUIRE(e);
  CHECK(e->kind == ClusterEventKind::ClusterOffline);
  CHECK_FALSE(e->unit);
  CHECK(e->detail.find("61 s") != std::string::npos);
  CHECK_FALSE(health::on_silence(ClusterHealth::Offline, kT - 1000, kT, 60));  // offline already: no second event
}

TEST_CASE("health rules: a lost GPU takes an idle unit offline and its return brings it back", "[health]") {
  std::vector<UnitState> units = {{0, UnitStatus::Idle, kG0, std::nullopt, false},
                                  {1, UnitStatus::Idle, kG1, std::nullopt, false},
                                  {2, UnitStatus::Idle, std::nullopt, std::nullopt, false}};  // not bound
  // kG1 missing from a report whose source worked.
  auto lost = health::on_report(ClusterHealth::Online, kT - 10, units, seen({kG0}), kT);
  REQUIRE(lost.units.size() == 1);
  CHECK(lost.units[0] == UnitState{1, UnitStatus::Offline, kG1, kT, true});
  REQUIRE(lost.events.size() == 1);
  CHECK(lost.events[0].kind == ClusterEventKind::GpuLost);
  CHECK(lost.events[0].unit == 1);
  CHECK(lost.events[0].gpu_uuid == kG1);
  CHECK(lost.events[0].detail.find("missing from the agent's report") != std::string::npos);

  // Still lost: no second event, no change.
  units[1] = lost.units[0];
  auto still = health::on_report(ClusterHealth::Online, kT, units, seen({kG0}), kT + 10);
  CHECK(still.units.empty());
  CHECK(still.events.empty());

  // Back: idle again, gpu_returned.
  auto back = health::on_report(ClusterHealth::Online, kT + 10, units, seen({kG0, kG1}), kT + 20);
  REQUIRE(back.units.size() == 1);
  CHECK(back.units[0] == UnitState{1, UnitStatus::Idle, kG1, std::nullopt, false});
  REQUIRE(back.events.size() == 1);
  CHECK(back.events[0].kind == ClusterEventKind::GpuReturned);
  CHECK(back.events[0].detail.find("20 s lost") != std::string::npos);
}

TEST_CASE("health rules: the driver's own 'lost' counts; a source error or no source says nothing", "[health]") {
  std::vector<UnitState> units = {{0, UnitStatus::Idle, kG0, std::nullopt, false}};
  auto driver = health::on_report(ClusterHealth::Online, kT, units, seen({}, {kG0}), kT);
  REQUIRE(driver.units.size() == 1);
  CHECK(driver.units[0].status == UnitStatus::Offline);
  CHECK(driver.events.at(0).detail.find("the driver reports it lost") != std::string::npos);
  auto nothing = health::on_report(ClusterHealth::Online, kT, units, std::nullopt, kT);
  CHECK(nothing.units.empty());
  CHECK(nothing.events.empty());
}

TEST_CASE("health rules: a leased unit keeps its status and lease, flagged; the owner's offline stays", "[health]") {
  std::vector<UnitState> units = {{0, UnitStatus::Busy, kG0, std::nullopt, false},
                                  {1, UnitStatus::Offline, kG1, std::nullopt, false}};  // the owner's
  auto lost = health::on_report(ClusterHealth::Online, kT, units, seen({}), kT);
  REQUIRE(lost.units.size() == 2);
  CHECK(lost.units[0] == UnitState{0, UnitStatus::Busy, kG0, kT, false});
  CHECK(lost.units[1] == UnitState{1, UnitStatus::Offline, kG1, kT, false});
  CHECK(lost.events.size() == 2);
  CHECK(lost.events[0].detail.find("its lease goes on") != std::string::npos);
  auto back = health::on_report(ClusterHealth::Online, kT, lost.units, seen({kG0, kG1}), kT + 5);
  REQUIRE(back.units.size() == 2);
  CHECK(back.units[0] == UnitState{0, UnitStatus::Busy, kG0, std::nullopt, false});
  CHECK(back.units[1] == UnitState{1, UnitStatus::Offline, kG1, std::nullopt, false});  // still the owner's
  // A leased unit whose lease ended while lost (idle, lost_since set) goes offline at the next report.
  std::vector<UnitState> freed = {{0, UnitStatus::Idle, kG0, kT, false}};
  auto next = health::on_report(ClusterHealth::Online, kT, freed, seen({}), kT + 10);
  REQUIRE(next.units.size() == 1);
  CHECK(next.units[0] == UnitState{0, UnitStatus::Offline, kG0, kT, true});
  CHECK(next.events.empty());  // the loss was recorded when it began
}

TEST_CASE("text::parse_duration: seconds or one unit", "[health]") {
  CHECK(text::parse_duration("60") == 60);
  CHECK(text::parse_duration("60s") == 60);
  CHECK(text::parse_duration("2m") == 120);
  CHECK(text::parse_duration("1h") == 3600);
  CHECK(text::parse_duration("7d") == 7 * 86400);
  for (const char* bad : {"", "s", "-5", "+5", " 5", "5x", "1.5m", "5ms", "99999999999999999999"})
    CHECK_FALSE(text::parse_duration(bad));
}

// ------------------------------------------------------------------ the service over a real store

namespace {

struct Fixture {
  cpshare::testing::TempDir dir;
  std::unique_ptr<Store> store = Store::open(dir.path / "db.sqlite").value();
  ManualClock clock{kT};
  crypto::KeyRing keys = crypto::KeyRing::from_master(crypto::Bytes(32, 7));
  MetricsService svc{*store, keys, clock, MetricsConfig{7, 90, 60}};
  Caller owner = insert_caller(*store, clock, "supplier1", Role::Supplier);
  Caller rival = insert_caller(*store, clock, "supplier2", Role::Supplier);
  std::int64_t b = add(owner.account.id, "CPC-B", 'B');
  std::int64_t a = add(owner.account.id, "CPC-A", 'A');

  std::int64_t add(std::int64_t owner_id, const std::string& cpc_id, char cls) {
    catalog::Cluster c;
    c.cpc_id = cpc_id;
    c.owner_id = owner_id;
    c.cluster_class = cls;
    c.resource_type = "GPU";
    c.model = "RTX 4090";
    c.units = 2;
    c.units_free = 2;
    c.prices.hourly = 100;
    c.created_at = c.updated_at = kT;
    if (cls == 'A') {
      c.usage = "ssh";
      c.nodes = {{"host.example.org", 22, "root", c.units, {}, ""}};
    } else {
      c.platform_url = "https://platform.example.org";
    }
    return store->catalog().insert(c).value();
  }
  Result<api::MetricsAccepted> report(std::vector<std::string> uuids) {
    api::HostSample s;
    s.at = {clock.now()};
    s.gpu_source = "nvml";
    for (std::size_t i = 0; i < uuids.size(); ++i) {
      api::GpuReading g;
      g.uuid = uuids[i];
      g.index = static_cast<std::int64_t>(i);
      s.gpus.push_back(g);
    }
    return svc.ingest(b, "CPC-B", api::MetricsBatch{{s}, 0});
  }
  catalog::Cluster cluster(const std::string& id = "CPC-B") { return *store->catalog().by_cpc_id(id).value(); }
  std::vector<UnitRow> units() { return store->catalog().units(b).value(); }
  std::vector<ClusterEventKind> kinds() {
    std::vector<ClusterEventKind> out;
    auto events = store->metrics().events(b, 0, kT + 100000, 100);
    REQUIRE(events);
    for (const auto& e : *events) out.push_back(e.kind);
    return out;
  }
  std::size_t listed() {
    ClusterQuery q;
    return store->catalog().query(q).value().size();
  }
};

}  // namespace

TEST_CASE("cluster status: offline until the first report, online after, offline after silence", "[health]") {
  Fixture f;
  CHECK(f.cluster().health == ClusterHealth::Offline);
  CHECK_FALSE(f.cluster().last_report_at);
  CHECK_FALSE(f.cluster("CPC-A").health);  // A-class: not monitored
  CHECK(f.listed() == 1);                  // only the A-class cluster is offered
  REQUIRE(f.report({kG0, kG1}));
  CHECK(f.cluster().health == ClusterHealth::Online);
  CHECK(f.cluster().last_report_at == kT);
  CHECK(f.listed() == 2);
  f.clock.advance(60);
  CHECK(f.svc.tick().value() == 0);  // exactly the timeout
  f.clock.advance(1);
  CHECK(f.svc.tick().value() == 1);
  CHECK(f.cluster().health == ClusterHealth::Offline);
  CHECK(f.svc.tick().value() == 0);  // once
  CHECK(f.listed() == 1);
  REQUIRE(f.report({kG0, kG1}));
  CHECK(f.cluster().health == ClusterHealth::Online);
  CHECK(f.kinds() == std::vector{ClusterEventKind::ClusterOnline, ClusterEventKind::ClusterOffline,
                                 ClusterEventKind::ClusterOnline});
}

TEST_CASE("cluster status: a GPU missing turns its unit offline; back, idle; the owner cannot idle it", "[health]") {
  Fixture f;
  REQUIRE(f.report({kG0, kG1}));  // binds unit 0 to kG0, unit 1 to kG1
  f.clock.advance(10);
  REQUIRE(f.report({kG0}));
  auto u = f.units();
  CHECK(u[1].status == UnitStatus::Offline);
  CHECK(u[1].lost_since == kT + 10);
  CHECK(f.cluster().units_free == 1);
  auto idle = f.store->catalog().set_unit_status(f.b, 1, UnitStatus::Idle, f.clock.now());
  REQUIRE_FALSE(idle);
  CHECK(idle.error().code == ErrorCode::Conflict);
  f.clock.advance(10);
  REQUIRE(f.report({kG1, kG0}));  // back, at another index: bound by UUID
  u = f.units();
  CHECK(u[1].status == UnitStatus::Idle);
  CHECK_FALSE(u[1].lost_since);
  CHECK(f.cluster().units_free == 2);
  CHECK(f.kinds() ==
        std::vector{ClusterEventKind::ClusterOnline, ClusterEventKind::GpuLost, ClusterEventKind::GpuReturned});
}

TEST_CASE("cluster status: events are the owner's and admins'; others FORBIDDEN; A-class not monitored", "[health]") {
  Fixture f;
  REQUIRE(f.report({kG0}));
  auto mine = f.svc.events(f.owner, "CPC-B", {});
  REQUIRE(mine);
  REQUIRE(mine->items.size() == 1);
  CHECK(mine->items[0].kind == ClusterEventKind::ClusterOnline);
  CHECK(mine->since.unix == kT - 86400);
  CHECK(f.svc.events(f.rival, "CPC-B", {}).error().code == ErrorCode::Forbidden);
  CHECK(f.svc.events(f.owner, "CPC-A", {}).error().code == ErrorCode::ValidationFailed);
  CHECK(f.svc.events(f.owner, "CPC-NONE", {}).error().code == ErrorCode::NotFound);
  api::ClusterEventsQuery later;
  later.since = api::Time{kT + 1};
  CHECK(f.svc.events(f.owner, "CPC-B", later)->items.empty());
}
