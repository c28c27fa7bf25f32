// No lost update in the catalogue (issue 8, kind 5): changes to one cluster
// that race each other all land. Two threads at a time, released together, on
// a real SQLite file (group commit and the read pool as the daemon runs them),
// for many rounds; after each round both effects must be there. Before the
// fix, update/delist/relist read the cluster outside the transaction and wrote
// every column back, so one of each racing pair was often lost; and a lease
// read the cluster outside the transaction that took its units, so it could
// land on a cluster delisted in between, or at the price before a change.
// (Worker threads only record: Catch's assertion macros are not thread-safe.)
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fmt/format.h>
#include <functional>
#include <latch>
#include <thread>

#include "store_test_support.hpp"
#include "catalog_test_support.hpp"
#include "service/catalog.hpp"
#include "service/metrics.hpp"
#include "service/leases.hpp"
#include "ssh/supplier_host.hpp"

using namespace cpshare;

namespace {

constexpr int kRounds = 150;

struct Fixture {
  std::filesystem::path dir = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cpshare-catalog-race-XXXXXX").string();
    return std::filesystem::path(mkdtemp(tmpl.data()));
  }();
  std::unique_ptr<Store> store = Store::open(dir / "t.db").value();
  ManualClock clock{1'800'000'000};
  crypto::KeyRing keys = crypto::KeyRing::from_master(crypto::Bytes(32, 5));
  ssh::LibsshSupplierHost host;  // never reached: these tests do not redeem or verify
  CatalogService catalog{*store, keys, host, clock};
  OutboxMailer mailer{dir / "outbox", "cpshare@localhost"};
  Logger log;  // stderr: these tests end no A-class lease, so nothing is logged
  LeaseService leases{*store, keys, host, mailer, clock, log};
  RequestContext ctx{"192.0.2.8", "test"};

  ~Fixture() { std::filesystem::remove_all(dir); }

  Caller account(const std::string& name, Role role) { return testing::insert_caller(*store, clock, name, role); }

  // A B-class cluster (no SSH key to make), 8 units, hourly 2500 fen.
  std::string publish(const Caller& sup) {
    json b = {{"class", "B"},
              {"resource_type", "GPU"},
              {"model", "A100 80GB"},
              {"units", 8},
              {"unit_memory", 80'000'000'000},
              {"memory", 1'000'000'000'000},
              {"vcpus", 128},
              {"prices", {{"hourly", 2500}}},
              {"vendor", "Acme"},
              {"location", "深圳市"},
              {"region", "深圳"},
              {"storage", {{"description", "2TB nvme"}}},
              {"access", {{"platform_url", "https://bolt.example.com"}, {"environments", json::array({"pytorch"})}}}};
    auto r = testing::publish(catalog, sup, b, ctx);
    REQUIRE(r);
    const std::string cpc = (*r)["cluster"]["cpc_id"];
    // Offered only while online (issue 11): one report of its agent.
    MetricsService metrics{*store, keys, clock};
    auto id = metrics.agent_cluster((*r)["agent_token"]);
    REQUIRE(id);
    api::HostSample s;
    s.at = {clock.now()};
    s.gpu_source = "none";
    REQUIRE(metrics.ingest(*id, cpc, api::MetricsBatch{{s}, 0}));
    return cpc;
  }

  catalog::Cluster cluster(const std::string& cpc) { return store->catalog().by_cpc_id(cpc).value().value(); }

  std::string unit_status(const std::string& cpc, int idx) {
    const auto rows = store->catalog().units(cluster(cpc).id).value();
    return std::string(enum_name(rows.at(static_cast<std::size_t>(idx)).status));
  }

  // The id of the newest audit event of this name (rounds run one after another).
  std::int64_t newest(const std::string& event) {
    auto rows = store->audit().query(AuditQuery{1, std::nullopt, event, std::nullopt}).value();
    return rows.empty() ? 0 : rows.front().id;
  }
};

// Runs a and b on two threads released at the same moment.
void race(const std::function<void()>& a, const std::function<void()>& b) {
  std::latch go(2);
  std::thread ta([&] {
    go.arrive_and_wait();
    a();
  });
  std::thread tb([&] {
    go.arrive_and_wait();
    b();
  });
  ta.join();
  tb.join();
}

}  // namespace

TEST_CASE("a price change racing a delist/relist: both land, every round", "[R-CL-4]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  const std::string cpc = f.publish(sup);
  int failed_calls = 0, lost_price = 0, lost_status = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::int64_t price = 3000 + round;
    const bool listed = round % 2 == 1;  // delist, relist, delist, ...
    Result<json> up;
    Result<api::ClusterChanged> st;
    race(
        [&] {
          up = testing::update(f.catalog, sup, cpc, {{"prices", {{"hourly", price}}}}, f.ctx);
        },
        [&] { st = f.catalog.set_listed(sup, cpc, listed, f.ctx); });
    if (!up || !st) ++failed_calls;
    const catalog::Cluster c = f.cluster(cpc);
    if (c.prices.hourly != price) ++lost_price;
    if ((c.status == catalog::ClusterStatus::Listed) != listed) ++lost_status;
  }
  INFO(kRounds << " rounds");
  CHECK(failed_calls == 0);
  CHECK(lost_price == 0);
  CHECK(lost_status == 0);
  // Every change is in the audit log once.
  CHECK(f.store->audit().query(AuditQuery{1000, std::nullopt, "cluster_updated", std::nullopt}).value().size() ==
        kRounds);
  CHECK(f.store->audit().query(AuditQuery{1000, std::nullopt, "cluster_delisted", std::nullopt}).value().size() ==
        kRounds / 2 + kRounds % 2);
}

TEST_CASE("a unit status change racing an update: both land, every round", "[R-CL-3][R-CL-4]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  const std::string cpc = f.publish(sup);
  int failed_calls = 0, lost_price = 0, lost_unit = 0, wrong_free = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::int64_t price = 4000 + round;
    const int idx = round % 8;
    const std::string status = (round / 8) % 2 == 0 ? "offline" : "idle";
    Result<json> up, un;
    race(
        [&] {
          up = testing::update(f.catalog, sup, cpc,
                               {{"prices", {{"hourly", price}}}, {"model", fmt::format("A100 r{}", round)}}, f.ctx);
        },
        [&] {
          un = testing::set_unit(f.catalog, sup, cpc, std::to_string(idx), {{"status", status}}, f.ctx);
        });
    if (!up || !un) ++failed_calls;
    const catalog::Cluster c = f.cluster(cpc);
    if (c.prices.hourly != price || c.model != fmt::format("A100 r{}", round)) ++lost_price;
    if (f.unit_status(cpc, idx) != status) ++lost_unit;
    // units_free follows the units: after unit idx, units 0..idx are offline in even passes.
    const int offline = (round / 8) % 2 == 0 ? idx + 1 : 8 - (idx + 1);
    if (c.units_free != 8 - offline) ++wrong_free;
  }
  CHECK(failed_calls == 0);
  CHECK(lost_price == 0);
  CHECK(lost_unit == 0);
  CHECK(wrong_free == 0);
}

TEST_CASE("a lease racing a delist: it lands only if it came first", "[R-LEASE-3][R-CL-4]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  Caller user = f.account("alice", Role::User);
  int leased = 0, refused = 0, other = 0, after_delist = 0, wrong_units = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::string cpc = f.publish(sup);
    Result<api::LeaseData> lease;
    Result<api::ClusterChanged> del;
    race(
        [&] {
          const json body = {{"cpc_id", cpc}, {"units", 2}, {"billing", "hourly"}};
          lease = f.leases.request(user, api::LeaseRequest::from_body(body).value(), f.ctx);
        },
        [&] { del = f.catalog.set_listed(sup, cpc, false, f.ctx); });
    if (!del) ++other;
    const std::int64_t free = f.cluster(cpc).units_free;
    if (lease) {
      ++leased;
      // Serialised before the delist: its audit event is the older one.
      if (f.newest("lease_requested") > f.newest("cluster_delisted")) ++after_delist;
      if (free != 6) ++wrong_units;
    } else if (lease.error().code == ErrorCode::NotFound) {
      ++refused;
      if (free != 8) ++wrong_units;
    } else {
      ++other;
    }
  }
  INFO(leased << " leased before the delist, " << refused << " refused after it");
  CHECK(leased + refused == kRounds);
  CHECK(other == 0);
  CHECK(after_delist == 0);
  CHECK(wrong_units == 0);
  // No lease was recorded on a cluster already delisted.
  LeaseQuery q;
  q.supplier_id = sup.account.id;
  q.limit = 1000;
  CHECK(static_cast<int>(f.store->leases().query(q).value().size()) == leased);
}

TEST_CASE("a lease racing a price change: it records the price of its moment", "[R-LEASE-1][R-CL-4]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier);
  Caller user = f.account("alice", Role::User);
  int failed_calls = 0, stale_price = 0, stale_snapshot = 0, old_price = 0, new_price = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::string cpc = f.publish(sup);  // hourly 2500
    Result<api::LeaseData> lease;
    Result<json> up;
    race(
        [&] {
          const json body = {{"cpc_id", cpc}, {"units", 1}, {"billing", "hourly"}};
          lease = f.leases.request(user, api::LeaseRequest::from_body(body).value(), f.ctx);
        },
        [&] {
          up = testing::update(f.catalog, sup, cpc, {{"prices", {{"hourly", 2600}}}}, f.ctx);
        });
    if (!lease || !up) {
      ++failed_calls;
      continue;
    }
    const bool lease_first = f.newest("lease_requested") < f.newest("cluster_updated");
    const std::int64_t want = lease_first ? 2500 : 2600;
    (lease_first ? old_price : new_price)++;
    const api::LeaseView& l = lease->lease;
    if (l.unit_price != want) ++stale_price;
    if (l.cluster.prices.hourly != want) ++stale_snapshot;
  }
  INFO(old_price << " leases before the change, " << new_price << " after");
  CHECK(failed_calls == 0);
  CHECK(stale_price == 0);
  CHECK(stale_snapshot == 0);
}
