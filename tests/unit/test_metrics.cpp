// Irmds ingest and storage (issue 11, Build points 1 and 4; R-MON-1, R-MON-2;
// docs/design/monitoring.md "Decisions"): MetricsService over a real Store.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include <cmath>
#include <limits>

#include "lease_test_support.hpp"
#include "catalog/filter.hpp"
#include "service/metrics.hpp"
#include "service/rollup_series.hpp"
#include "ssh/supplier_host.hpp"
#include "store_test_support.hpp"

using namespace cpshare;
using cpshare::testing::insert_caller;

namespace {

constexpr std::int64_t kNow = 1'796'000'040;  // 40 s into a minute
constexpr std::int64_t kMinute = kNow - kNow % 60;

std::int64_t add_cluster(Store& store, std::int64_t owner, const std::string& cpc_id, char cls, int units) {
  catalog::Cluster c;
  c.cpc_id = cpc_id;
  c.owner_id = owner;
  c.cluster_class = cls;
  c.resource_type = "GPU";
  c.model = "RTX 4090";
  c.units = units;
  c.units_free = units;
  c.created_at = c.updated_at = kNow;
  if (cls == 'A') {
    c.usage = "ssh";
    c.nodes = {{"host.example.org", 22, "root", c.units, {}, ""}};
  } else {
    c.platform_url = "https://platform.example.org";
  }
  return store.catalog().insert(c).value();
}

// The fixture's GPUs (gpu-vanished-before.csv): indices 0..7, UUIDs GPU-9c0d000N-….
api::GpuReading gpu(int n, int index, double util) {
  api::GpuReading g;
  g.uuid = fmt::format("GPU-9c0d000{}-0000-4000-8000-00000000000{}", n, n);
  g.index = index;
  g.name = "NVIDIA GeForce RTX 4090";
  g.utilization_ratio = util;
  g.memory_used_bytes = 22000LL * 1024 * 1024;
  g.temperature_celsius = 70;
  return g;
}

api::HostSample sample(std::int64_t at, std::vector<api::GpuReading> gpus = {}) {
  api::HostSample s;
  s.at = {at};
  s.gpu_source = "nvidia-smi";
  s.memory = api::MemoryReading{64LL << 30, 32LL << 30};
  s.gpus = std::move(gpus);
  return s;
}

struct Fixture {
  cpshare::testing::TempDir dir;
  std::unique_ptr<Store> store = Store::open(dir.path / "db.sqlite").value();
  ManualClock clock{kNow};
  crypto::KeyRing keys = crypto::KeyRing::from_master(crypto::Bytes(32, 7));
  MetricsService svc{*store, keys, clock};
  std::int64_t owner = insert_caller(*store, clock, "supplier1", Role::Supplier).account.id;
  std::int64_t b = add_cluster(*store, owner, "CPC-B", 'B', 8);
};

// One value read straight from the fixture's database file.
std::string scalar(Fixture& f, const std::string& sql) {
  SQLite::Database db((f.dir.path / "db.sqlite").string(), SQLite::OPEN_READONLY);
  return db.execAndGet(sql).getString();
}

}  // namespace

TEST_CASE("metrics: a batch is stored in one go and re-sent samples are accepted once (R-MON-1)", "[metrics]") {
  Fixture f;
  api::MetricsBatch batch{{sample(kMinute), sample(kMinute + 10), sample(kMinute + 20)}, 0};
  auto r = f.svc.ingest(f.b, "CPC-B", batch);
  REQUIRE(r);
  CHECK(r->accepted == 3);
  CHECK(r->cluster_status == "listed");
  auto rows = f.store->metrics().samples(f.b, 0, kNow + 1000, 100).value();
  REQUIRE(rows.size() == 3);
  CHECK(rows[1].at == kMinute + 10);
  CHECK(nlohmann::json::parse(rows[1].sample)["memory"]["total_bytes"] == (64LL << 30));
  // The agent lost the answer and sends the same batch plus one new sample.
  batch.samples.push_back(sample(kMinute + 30));
  r = f.svc.ingest(f.b, "CPC-B", batch);
  REQUIRE(r);
  CHECK(r->accepted == 4);
  CHECK(f.store->metrics().samples(f.b, 0, kNow + 1000, 100).value().size() == 4);
  CHECK(f.store->metrics().last_report(f.b).value() == kMinute + 30);
}

TEST_CASE("metrics: a bad sample refuses the whole batch, naming its path", "[metrics]") {
  Fixture f;
  auto bad = [&](api::HostSample s, const std::string& path) {
    api::MetricsBatch batch{{sample(kMinute), std::move(s)}, 0};
    auto r = f.svc.ingest(f.b, "CPC-B", batch);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::ValidationFailed);
    REQUIRE_FALSE(r.error().fields.empty());
    CHECK(r.error().fields[0].field == path);
    CHECK(f.store->metrics().samples(f.b, 0, kNow + 1000, 100).value().empty());
  };
  bad(sample(kMinute + 1, {gpu(0, 0, 1.5)}), "samples[1].gpus[0].utilization_ratio");
  auto g = gpu(0, 0, 0.5);
  g.uuid = "";
  bad(sample(kMinute + 1, {g}), "samples[1].gpus[0].uuid");
  g = gpu(0, 0, 0.5);
  g.memory_used_bytes = -1;
  bad(sample(kMinute + 1, {g}), "samples[1].gpus[0].memory_used_bytes");
  g = gpu(0, 0, 0.5);
  g.temperature_celsius = std::numeric_limits<double>::infinity();
  bad(sample(kMinute + 1, {g}), "samples[1].gpus[0].temperature_celsius");
  bad(sample(kNow + 301), "samples[1].at");
  bad(sample(kNow - 8 * 86400), "samples[1].at");
  auto s = sample(kMinute + 1);
  s.gpu_source = "rocm";
  bad(s, "samples[1].gpu_source");

  api::MetricsBatch empty{{}, 0};
  CHECK(f.svc.ingest(f.b, "CPC-B", empty).error().fields[0].field == "samples");
  api::MetricsBatch neg{{sample(kMinute)}, -1};
  CHECK(f.svc.ingest(f.b, "CPC-B", neg).error().fields[0].field == "dropped");
  // A body that does not fit the shape names the member.
  auto parsed = metrics::parse_batch(
      nlohmann::json{{"samples", nlohmann::json::array({{{"at", "yesterday"}}})}, {"dropped", 0}}, kNow, 7);
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().code == ErrorCode::ValidationFailed);
  CHECK(parsed.error().fields[0].field == "samples[0].at");
}

TEST_CASE("metrics: another cluster's token is FORBIDDEN; A-class is not monitored", "[metrics]") {
  Fixture f;
  const auto other = add_cluster(*f.store, f.owner, "CPC-B2", 'B', 2);
  const auto a = add_cluster(*f.store, f.owner, "CPC-A", 'A', 2);
  api::MetricsBatch batch{{sample(kMinute)}, 0};
  CHECK(f.svc.ingest(other, "CPC-B", batch).error().code == ErrorCode::Forbidden);
  CHECK(f.svc.ingest(f.b, "CPC-NONE", batch).error().code == ErrorCode::Forbidden);
  auto r = f.svc.ingest(a, "CPC-A", batch);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("B-class") != std::string::npos);
  CHECK(f.store->metrics().samples(f.b, 0, kNow + 1000, 100).value().empty());
}

TEST_CASE("metrics: minute rollups give min/mean/max per reading; absent values do not count", "[metrics]") {
  Fixture f;
  auto g1 = gpu(0, 0, 0.2);
  auto g2 = gpu(0, 0, 0.6);
  auto g3 = gpu(0, 0, 0.4);
  g3.utilization_ratio.reset();          // absent in the third sample (MIG, [N/A])
  g1.power_watts = g2.power_watts = {};  // absent in every sample
  g3.power_watts = {};
  // Two batches for the same minute: the rollup covers both.
  REQUIRE(f.svc.ingest(f.b, "CPC-B", {{sample(kMinute, {g1}), sample(kMinute + 10, {g3})}, 0}));
  REQUIRE(f.svc.ingest(f.b, "CPC-B", {{sample(kMinute + 20, {g2})}, 0}));
  auto rolls = f.store->metrics().rollups(f.b, 0, kNow + 1000, 10).value();
  REQUIRE(rolls.size() == 1);
  CHECK(rolls[0].minute == kMinute);
  CHECK(rolls[0].samples == 3);
  const auto j = nlohmann::json::parse(rolls[0].readings);
  const auto& u = j["gpus.GPU-9c0d0000-0000-4000-8000-000000000000.utilization_ratio"];
  CHECK(u["min"].get<double>() == Approx(0.2));
  CHECK(u["mean"].get<double>() == Approx(0.4));  // (0.2 + 0.6) / 2: the absent one is not a 0
  CHECK(u["max"].get<double>() == Approx(0.6));
  CHECK_FALSE(j.contains("gpus.GPU-9c0d0000-0000-4000-8000-000000000000.power_watts"));
  CHECK(j["memory.total_bytes"]["mean"].get<double>() == Approx(double(64LL << 30)));
}

TEST_CASE("metrics: a minute merged sample by sample equals its rollup from scratch; rows without n", "[metrics]") {
  std::vector<api::HostSample> all;
  for (int k = 0; k < 6; ++k) {
    auto g = gpu(0, 0, 0.1 * (k + 1));
    if (k == 2) g.utilization_ratio.reset();  // absent: not counted in n
    all.push_back(sample(kMinute + 10 * k, {g}));
  }
  const auto whole = metrics::rollup(all);
  // Stored after the first two samples, then the other four merged in.
  const auto first = metrics::rollup_json(metrics::rollup({all[0], all[1]}));
  std::vector<const api::HostSample*> more;
  for (std::size_t k = 2; k < all.size(); ++k) more.push_back(&all[k]);
  const auto merged = metrics::merge_rollup(first, 2, more);
  REQUIRE(merged.size() == whole.size());
  for (const auto& [name, st] : whole) {
    INFO(name);
    REQUIRE(merged.contains(name));
    CHECK(merged.at(name).n == st.n);
    CHECK(*merged.at(name).min == Approx(*st.min));
    CHECK(*merged.at(name).mean == Approx(*st.mean));
    CHECK(*merged.at(name).max == Approx(*st.max));
  }
  const auto util = "gpus.GPU-9c0d0000-0000-4000-8000-000000000000.utilization_ratio";
  CHECK(whole.at(util).n == 5);
  CHECK(metrics::rollup_json(whole)[util]["n"] == 5);
  // A row stored before schema 11 has no n: each reading counts the row's samples.
  auto old = metrics::rollup_json(metrics::rollup({all[0], all[1]}));
  for (auto& [name, stat] : old.items()) stat.erase("n");
  const auto from_old = metrics::merge_rollup(old, 2, {&all[3]});
  CHECK(from_old.at(util).n == 3);
  CHECK(*from_old.at(util).mean == Approx((0.1 + 0.2 + 0.4) / 3));
}

TEST_CASE("metrics: ingest merges minutes, counts reported and GPU-lost minutes per day (reliability)", "[metrics]") {
  Fixture f;
  const std::vector<api::GpuReading> both = {gpu(0, 0, 0.5), gpu(1, 1, 0.5)};
  // Minute 1: two batches; minute 2: GPU 1 missing from a working source (lost).
  REQUIRE(f.svc.ingest(f.b, "CPC-B", {{sample(kMinute - 120, both)}, 0}));
  REQUIRE(f.svc.ingest(f.b, "CPC-B", {{sample(kMinute - 110, both), sample(kMinute - 120, both)}, 0}));  // one re-sent
  REQUIRE(f.svc.ingest(f.b, "CPC-B", {{sample(kMinute - 60, {both[0]})}, 0}));
  REQUIRE(f.svc.ingest(f.b, "CPC-B", {{sample(kMinute - 50, both)}, 0}));
  auto rolls = f.store->metrics().rollups(f.b, 0, kNow + 1000, 10).value();
  REQUIRE(rolls.size() == 2);
  CHECK(rolls[0].samples == 2);  // the re-sent sample is not counted twice
  CHECK_FALSE(rolls[0].gpu_lost);
  CHECK(rolls[1].samples == 2);
  CHECK(rolls[1].gpu_lost);
  const auto day = kMinute - kMinute % 86400;
  CHECK(scalar(f, fmt::format("SELECT minutes_reported || '/' || minutes_gpu_lost FROM "
                              "metrics_days WHERE cluster_id = {} AND day = {}",
                              f.b, day)) == "2/1");
  CHECK(scalar(f, fmt::format("SELECT first_report_at FROM clusters WHERE id = {}", f.b)) ==
        std::to_string(kMinute - 120));
}

TEST_CASE("metrics: reliability is up minutes over the minutes since the first report, 30 days at most (R-REL-2)",
          "[metrics]") {
  Fixture f;
  const std::vector<api::GpuReading> both = {gpu(0, 0, 0.5), gpu(1, 1, 0.5)};
  const std::int64_t start = kMinute - 9 * 60;  // ten minutes: reports in eight, a GPU lost in one
  for (int m = 0; m < 10; ++m) {
    if (m == 3 || m == 7) continue;
    REQUIRE(f.svc.ingest(f.b, "CPC-B", {{sample(start + 60 * m, m == 5 ? std::vector{both[0]} : both)}, 0}));
  }
  f.clock.advance(kMinute + 60 - kNow);  // the window: the ten minutes since the first report
  REQUIRE(f.svc.score_reliability().value() == 1);
  auto c = f.store->catalog().by_cpc_id("CPC-B").value();
  REQUIRE(c->reliability_ppm);
  CHECK(*c->reliability_ppm == 700000);  // 7 up of 10
  // A filter on it: reliability>=0.7 holds, >0.7 does not.
  ClusterQuery q;
  q.filter = catalog::compile_filter("reliability>=0.7").value();
  CHECK(f.store->catalog().query(q).value().size() == 1);
  q.filter = catalog::compile_filter("reliability>70%").value();
  CHECK(f.store->catalog().query(q).value().empty());
  // A-class and unreported clusters have none.
  add_cluster(*f.store, f.owner, "CPC-A", 'A', 8);
  REQUIRE(f.svc.score_reliability().value() == 1);  // B only
  CHECK_FALSE(f.store->catalog().by_cpc_id("CPC-A").value()->reliability_ppm);
  // 40 days later with no report since: the window is the last 30 days, none up.
  f.clock.advance(40 * 86400);
  REQUIRE(f.svc.score_reliability());
  CHECK(*f.store->catalog().by_cpc_id("CPC-B").value()->reliability_ppm == 0);
}

TEST_CASE("metrics: complete hours are rolled up; resolution=hour reads them and minutes for the rest", "[metrics]") {
  Fixture f;
  const std::int64_t hour = kNow - kNow % 3600 - 3 * 3600;  // three hours ago
  // Hour 1: six minutes of reports (utilisation 0.1 … 0.6); hour 2: one; the current hour: one.
  for (int m = 0; m < 6; ++m)
    REQUIRE(f.svc.ingest(f.b, "CPC-B", {{sample(hour + 60 * m, {gpu(0, 0, 0.1 * (m + 1))})}, 0}));
  REQUIRE(f.svc.ingest(f.b, "CPC-B", {{sample(hour + 3600 + 120, {gpu(0, 0, 0.9)})}, 0}));
  REQUIRE(f.svc.ingest(f.b, "CPC-B", {{sample(kNow - 90, {gpu(0, 0, 0.5)})}, 0}));
  REQUIRE(f.svc.ingest(f.b, "CPC-B", {{sample(kNow - 30, {gpu(0, 0, 0.9)})}, 0}));
  CHECK(f.svc.roll_hours(100).value() == 2);  // the current hour is not complete: left
  CHECK(f.svc.roll_hours(100).value() == 0);  // marks cleared
  auto hours = f.store->metrics().hours(f.b, 0, kNow + 3600, 10).value();
  REQUIRE(hours.size() == 2);
  CHECK(hours[0].hour == hour);
  CHECK(hours[0].samples == 6);
  CHECK(hours[0].minutes == 6);
  const auto util = "gpus.GPU-9c0d0000-0000-4000-8000-000000000000.utilization_ratio";
  const auto j = nlohmann::json::parse(hours[0].readings);
  CHECK(j[util]["mean"].get<double>() == Approx(0.35));
  CHECK(j[util]["min"].get<double>() == Approx(0.1));
  CHECK(j[util]["max"].get<double>() == Approx(0.6));
  CHECK(j[util]["n"] == 6);

  const auto acme = cpshare::testing::insert_caller(*f.store, f.clock, "acme", Role::Admin);
  api::MetricsQuery q;
  q.minutes = 4 * 60;
  q.resolution = "hour";
  const api::RollupSeries series = f.svc.read(acme, "CPC-B", q).value().rollups;
  auto rows = api::to_rows(series);
  REQUIRE(rows.size() == 3);  // two hours, then the current hour's two minutes merged
  CHECK(rows[0].seconds == 3600);
  CHECK(rows[0].minutes == 6);
  CHECK(rows[1].minute.unix == hour + 3600);
  CHECK(rows[2].minute.unix == (kNow - 90) - (kNow - 90) % 60);
  CHECK(rows[2].seconds == 120);
  CHECK(rows[2].minutes == 2);
  CHECK(rows[2].samples == 2);
  CHECK(*rows[2].readings[util].mean == Approx(0.7));
  // On the wire by column: one element per bucket in every reading's column.
  REQUIRE(series.seconds == std::vector<std::int64_t>{3600, 3600, 120});
  const auto col = std::ranges::find(series.readings, std::string(util), &api::ReadingSeries::key);
  REQUIRE(col != series.readings.end());
  CHECK(col->n == std::vector<std::int64_t>{6, 1, 2});
  CHECK(col->mean[2] == Approx(0.7));
  CHECK(std::ranges::is_sorted(series.readings, {}, &api::ReadingSeries::key));
  q.resolution = "minute";
  CHECK(f.svc.read(acme, "CPC-B", q).value().rollups.size() == 9);
  // A late sample in a rolled-up hour marks it again; the next roll takes it in.
  REQUIRE(f.svc.ingest(f.b, "CPC-B", {{sample(hour + 600, {gpu(0, 0, 0.7)})}, 0}));
  CHECK(f.svc.roll_hours(100).value() == 1);
  CHECK(f.store->metrics().hours(f.b, hour, hour + 1, 1).value()[0].samples == 7);
}

TEST_CASE("metrics: prune drops raw samples after raw_days and rollups after rollup_days", "[metrics]") {
  Fixture f;
  REQUIRE(f.svc.ingest(f.b, "CPC-B", {{sample(kNow - 6 * 86400), sample(kNow - 60)}, 0}));
  f.clock.advance(2 * 86400);  // the first sample is now 8 days old, its rollup 8 days
  auto pruned = f.svc.prune().value();
  CHECK(pruned.first == 1);
  CHECK(pruned.second == 0);
  CHECK(f.store->metrics().samples(f.b, 0, kNow + 1000, 100).value().size() == 1);
  CHECK(f.store->metrics().rollups(f.b, 0, kNow + 1000, 100).value().size() == 2);
  f.clock.advance(89 * 86400);
  pruned = f.svc.prune().value();
  CHECK(pruned.first == 1);
  CHECK(pruned.second == 2);
}

TEST_CASE("metrics: units are bound to GPU UUIDs, stable when indices renumber (Decisions)", "[metrics]") {
  Fixture f;
  // gpu-vanished-before.csv: eight GPUs at indices 0..7.
  std::vector<api::GpuReading> before;
  for (int n = 0; n < 8; ++n) before.push_back(gpu(n, n, 0.99));
  REQUIRE(f.svc.ingest(f.b, "CPC-B", {{sample(kMinute, before)}, 0}));
  auto units = f.store->metrics().unit_gpus(f.b).value();
  REQUIRE(units.size() == 8);
  for (int n = 0; n < 8; ++n) CHECK(units[n].gpu_uuid == gpu(n, n, 0).uuid);
  // gpu-vanished-after.csv: GPU 5 fell off the bus; 6 and 7 are now indices 5 and 6.
  std::vector<api::GpuReading> after;
  for (int n : {0, 1, 2, 3, 4}) after.push_back(gpu(n, n, 0.99));
  after.push_back(gpu(6, 5, 0.99));
  after.push_back(gpu(7, 6, 0.99));
  REQUIRE(f.svc.ingest(f.b, "CPC-B", {{sample(kMinute + 10, after)}, 0}));
  units = f.store->metrics().unit_gpus(f.b).value();
  CHECK(units[5].gpu_uuid == gpu(5, 5, 0).uuid);  // unit 5 still names the vanished GPU
  CHECK(units[6].gpu_uuid == gpu(6, 6, 0).uuid);
  CHECK(units[7].gpu_uuid == gpu(7, 7, 0).uuid);
}

TEST_CASE(
    "metrics: read rights: owner and admin all, a leaser only their lease's window, others FORBIDDEN "
    "(R-SEC-1)",
    "[metrics]") {
  ssh::LibsshSupplierHost host;  // never reached: B-class
  cpshare::testing::LeaseFixture f(host);
  MetricsService svc(*f.store, f.keys, f.clock);
  Caller acme = f.account("acme", Role::Supplier);
  Caller rival = f.account("rival", Role::Supplier);
  Caller admin = f.account("root", Role::Admin);
  Caller alice = f.account("alice", Role::User);
  Caller bob = f.account("bob", Role::User);
  json body = {{"class", "B"},
               {"resource_type", "GPU"},
               {"model", "RTX 4090"},
               {"units", 3},
               {"unit_memory", 24'000'000'000},
               {"memory", 1'000'000'000'000},
               {"vcpus", 64},
               {"prices", {{"hourly", 500}}},
               {"vendor", "Acme"},
               {"location", "深圳市"},
               {"region", "深圳"},
               {"storage", {{"description", "2TB nvme"}}},
               {"access", {{"platform_url", "https://p.example.org"}, {"environments", json::array({"pytorch"})}}}};
  auto published = cpshare::testing::publish(f.catalog, acme, body, f.ctx);
  REQUIRE(published);
  const std::string cpc = (*published)["cluster"]["cpc_id"];
  const std::string token = (*published)["agent_token"];
  const std::int64_t id = svc.agent_cluster(token).value();
  CHECK(svc.agent_cluster("cpa_not-a-token").error().code == ErrorCode::Unauthenticated);
  CHECK(svc.agent_cluster("a-session-token").error().code == ErrorCode::Unauthenticated);

  const std::int64_t t = f.clock.now();
  // Before alice's lease, during it, after it.
  REQUIRE(svc.ingest(id, cpc, {{sample(t - 120)}, 0}));
  auto lease = f.lease(alice, cpc, 1);
  REQUIRE(lease);
  Lease l = *f.store->leases().by_lease_id(lease->lease.lease_id).value();
  const LeaseState from = l.state;
  l.state = LeaseState::Active;
  l.started_at = t;
  REQUIRE(f.store->leases().update(l, from));
  f.clock.advance(10);
  REQUIRE(svc.ingest(id, cpc, {{sample(t + 10)}, 0}));
  f.clock.advance(10);
  l.state = LeaseState::Ended;
  l.ended_at = t + 20;
  REQUIRE(f.store->leases().update(l, LeaseState::Active));
  f.clock.advance(10);
  REQUIRE(svc.ingest(id, cpc, {{sample(t + 30)}, 0}));

  api::MetricsQuery q;
  q.minutes = 10;
  CHECK(svc.read(acme, cpc, q).value().samples.size() == 3);
  CHECK(svc.read(admin, cpc, q).value().samples.size() == 3);
  auto mine = svc.read(alice, cpc, q);
  REQUIRE(mine);
  REQUIRE(mine->samples.size() == 1);
  CHECK(mine->samples[0].at.unix == t + 10);
  CHECK(mine->last_report->unix == t + 30);
  CHECK(svc.read(rival, cpc, q).error().code == ErrorCode::Forbidden);
  CHECK(svc.read(bob, cpc, q).error().code == ErrorCode::Forbidden);
  CHECK(svc.read(acme, "cp-none", q).error().code == ErrorCode::NotFound);
  q.resolution = "minute";
  CHECK_FALSE(svc.read(acme, cpc, q).value().rollups.empty());
  // Rollups only for buckets wholly within a lease: alice's 20 s lease holds
  // no whole minute, so the minute it ended in, with t+30's sample from after
  // her lease, is not hers; nor any hour.
  CHECK(svc.read(alice, cpc, q).value().rollups.size() == 0);
  q.resolution = "hour";
  CHECK(svc.read(alice, cpc, q).value().rollups.size() == 0);

  // Bob leases from 30 s into a minute m0 to 30 s into m0+2: the minute
  // m0+1 is his whole, m0 and m0+2 are not (samples outside his lease in both).
  f.clock.advance(60 - f.clock.now() % 60 + 60);
  const std::int64_t m0 = f.clock.now();
  REQUIRE(svc.ingest(id, cpc, {{sample(m0 + 10)}, 0}));
  auto blease = f.lease(bob, cpc, 1);
  REQUIRE(blease);
  Lease bl = *f.store->leases().by_lease_id(blease->lease.lease_id).value();
  const LeaseState bfrom = bl.state;
  bl.state = LeaseState::Active;
  bl.started_at = m0 + 30;
  REQUIRE(f.store->leases().update(bl, bfrom));
  f.clock.advance(150);
  REQUIRE(svc.ingest(id, cpc, {{sample(m0 + 40), sample(m0 + 70), sample(m0 + 100), sample(m0 + 140)}, 0}));
  bl.state = LeaseState::Ended;
  bl.ended_at = m0 + 150;
  REQUIRE(f.store->leases().update(bl, LeaseState::Active));
  f.clock.advance(20);
  REQUIRE(svc.ingest(id, cpc, {{sample(m0 + 170)}, 0}));
  q.resolution = "raw";
  std::vector<std::int64_t> seen;
  const auto raw = svc.read(bob, cpc, q).value();
  for (const auto& s : raw.samples) seen.push_back(s.at.unix);
  CHECK(seen == std::vector<std::int64_t>{m0 + 40, m0 + 70, m0 + 100, m0 + 140});
  q.resolution = "minute";
  const auto bobs = api::to_rows(svc.read(bob, cpc, q).value().rollups);
  REQUIRE(bobs.size() == 1);
  CHECK(bobs[0].minute.unix == m0 + 60);
  CHECK(bobs[0].samples == 2);
  CHECK(api::to_rows(svc.read(acme, cpc, q).value().rollups).size() >= 3);  // the owner: every minute

  // A lease that ended as it started holds nothing, raw or rolled up (the
  // leases above were ended in the store, their units not given back).
  Caller carol = f.account("carol", Role::User);
  auto clease = f.lease(carol, cpc, 1);
  REQUIRE(clease);
  Lease cl = *f.store->leases().by_lease_id(clease->lease.lease_id).value();
  cl.state = LeaseState::Ended;
  cl.started_at = cl.ended_at = m0 + 100;
  REQUIRE(f.store->leases().update(cl, clease->lease.state));
  for (const char* r : {"raw", "minute", "hour"}) {
    q.resolution = r;
    const auto v = svc.read(carol, cpc, q).value();
    CHECK(v.samples.empty());
    CHECK(v.rollups.size() == 0);
  }
}

TEST_CASE("metrics: since may not be after the window (now + 5 min), nor (for metrics) more than 30 days ago",
          "[metrics]") {
  Fixture f;
  const auto admin = cpshare::testing::insert_caller(*f.store, f.clock, "root", Role::Admin);
  api::MetricsQuery q;
  q.since = api::Time{kNow + metrics::kMaxFutureSeconds};  // a page after the current minute: empty, not an error
  CHECK(f.svc.read(admin, "CPC-B", q));
  q.since = api::Time{kNow + metrics::kMaxFutureSeconds + 1};
  auto e = f.svc.read(admin, "CPC-B", q);
  REQUIRE_FALSE(e);
  CHECK(e.error().code == ErrorCode::ValidationFailed);
  CHECK(e.error().message.find("since") != std::string::npos);
  q.since = api::Time{kNow - 30 * 86400 - 1};
  CHECK(f.svc.read(admin, "CPC-B", q).error().code == ErrorCode::ValidationFailed);
  q.since = api::Time{kNow - 30 * 86400};
  CHECK(f.svc.read(admin, "CPC-B", q));
  api::ClusterEventsQuery eq;
  eq.since = api::Time{kNow + metrics::kMaxFutureSeconds + 60};
  CHECK(f.svc.events(admin, "CPC-B", eq).error().code == ErrorCode::ValidationFailed);
  eq.since = api::Time{kNow - 60 * 86400};  // events go back as far as they are kept
  CHECK(f.svc.events(admin, "CPC-B", eq));
}

TEST_CASE("metrics: rollups by column; stored rows read without a tree; rows and columns convert both ways",
          "[metrics]") {
  metrics::RollupSeriesBuilder b;
  b.add(
      3600, 3600, 360, 60,
      R"({"cpu.idle":{"max":0.5,"mean":0.25,"min":0.0,"n":360},"gpus.G.power_watts":{"max":300,"mean":250.5,"min":200,"n":350}})");
  // A row from before n was kept: the bucket's samples count; a reading with a null stat is left out.
  b.add(7200, 3600, 6, 1,
        R"({"cpu.idle":{"max":1,"mean":0.5,"min":0},"mounts./.used_bytes":{"max":null,"mean":1,"min":1,"n":6}})");
  b.add(10800, 120, 2, 2, "not json");  // a damaged row: the bucket with no readings
  const api::RollupSeries s = std::move(b).finish();
  REQUIRE(s.size() == 3);
  CHECK(s.seconds == std::vector<std::int64_t>{3600, 3600, 120});
  CHECK(s.samples == std::vector<std::int64_t>{360, 6, 2});
  CHECK(s.minutes == std::vector<std::int64_t>{60, 1, 2});
  REQUIRE(s.readings.size() == 2);  // sorted; the mount's reading had no whole stat
  CHECK(s.readings[0].key == "cpu.idle");
  CHECK(s.readings[0].n == std::vector<std::int64_t>{360, 6, 0});
  CHECK(s.readings[0].mean == std::vector<std::optional<double>>{0.25, 0.5, std::nullopt});
  CHECK(s.readings[1].key == "gpus.G.power_watts");
  CHECK(s.readings[1].max == std::vector<std::optional<double>>{300.0, std::nullopt, std::nullopt});
  CHECK(s.readings[1].n == std::vector<std::int64_t>{350, 0, 0});

  // Columns → rows leaves a reading out of a bucket that lacks it; rows → columns gives the same series.
  const auto rows = api::to_rows(s);
  REQUIRE(rows.size() == 3);
  CHECK(rows[1].readings.size() == 1);
  CHECK(rows[1].readings.at("cpu.idle") == api::ReadingStat{0.0, 0.5, 1.0, 6});
  CHECK(rows[2].readings.empty());
  CHECK(rows[2].seconds == 120);
  CHECK(api::encode(api::to_series(rows)) == api::encode(s));
  // And the wire form decodes to the same.
  CHECK(api::encode(api::decode<api::RollupSeries>(api::encode(s)).value()) == api::encode(s));
}

TEST_CASE("metrics: rollups are stored to 9 significant digits, never coarser than a whole unit", "[metrics]") {
  CHECK(metrics::significant(0.49500000000000005) == 0.495);
  CHECK(nlohmann::json(metrics::significant(0.30100000000000005)).dump() == "0.301");
  CHECK(metrics::significant(1.0 / 3) == 0.333333333);
  CHECK(metrics::significant(-2.5e-7 / 3) == Approx(-8.33333333e-8).epsilon(1e-12));
  CHECK(metrics::significant(40179588699.6) == 40179588700.0);
  CHECK(metrics::significant(85899345920.0) == 85899345920.0);  // bytes stay exact
  CHECK(metrics::significant(0.0) == 0.0);
  metrics::Rollup r{{"cpu.idle", {0.1, 0.30100000000000005, 0.5, 3}}};
  CHECK(metrics::rollup_json(r).dump() == R"({"cpu.idle":{"max":0.5,"mean":0.301,"min":0.1,"n":3}})");
}
