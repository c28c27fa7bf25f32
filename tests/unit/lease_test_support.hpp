// The setup the lease tests share (test_leases.cpp, test_lease_host.cpp): a
// real SQLite store in a temporary directory, a manual clock, the catalogue,
// lease and account services over the supplier host the test gives, an
// outbox mailer, the scheduler's log, and helpers to make accounts, publish
// clusters and request leases.
#pragma once

#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "api/leases.hpp"
#include "mail/mailer.hpp"
#include "service/accounts.hpp"
#include "catalog_test_support.hpp"
#include "service/catalog.hpp"
#include "service/leases.hpp"
#include "service/metrics.hpp"
#include "ssh/supplier_host.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"

namespace cpshare::testing {

// The time the wire writes as `rfc3339` ("2027-03-31T20:58:00Z").
inline std::optional<api::Time> utc(std::string_view rfc3339) { return api::Time{parse_rfc3339(rfc3339).value()}; }

// The networks of these tests' A-class hosts (127.0.0.1): the tests allow
// loopback explicitly, as the integration tests start cpshared with
// --supplier-networks 127.0.0.0/8,::1/128; the default refuses it (issue 12).
inline ssh::NetworkPolicy loopback_networks() {
  auto p = ssh::NetworkPolicy::parse_list("127.0.0.0/8,::1/128");
  REQUIRE(p);
  return *p;
}

struct LeaseFixture {
  // host: what the services reach A-class hosts through; it must outlive the fixture.
  explicit LeaseFixture(ssh::SupplierHost& h) : host(h) {
    REQUIRE(crypto::init());
    REQUIRE(log.open_file(dir / "cpshared.log"));
  }
  ~LeaseFixture() { std::filesystem::remove_all(dir); }
  LeaseFixture(const LeaseFixture&) = delete;
  LeaseFixture& operator=(const LeaseFixture&) = delete;

  ssh::SupplierHost& host;
  std::filesystem::path dir = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cpshare-leases-XXXXXX").string();
    return std::filesystem::path(mkdtemp(tmpl.data()));
  }();
  std::unique_ptr<Store> store = Store::open(dir / "t.db").value();
  ManualClock clock{1'800'000'000};
  crypto::KeyRing keys = crypto::KeyRing::from_master(crypto::Bytes(32, 7));
  CatalogService catalog{*store, keys, host, clock};
  OutboxMailer mailer{dir / "outbox", "cpshare@localhost"};
  LeaseConfig config;  // the platform's calendar: Beijing time
  Logger log;          // the lease service's and the scheduler's, into dir/cpshared.log
  LeaseService leases{*store, keys, host, mailer, clock, log, config};
  AccountServices accounts{*store, keys, mailer, clock, log, AccountConfig{}};
  RequestContext ctx{"192.0.2.7", "test"};

  std::string log_text() { return read_file(dir / "cpshared.log"); }

  Caller account(const std::string& name, Role role) { return insert_caller(*store, clock, name, role); }

  // An A-class cluster of `units` nodes of `per_node` units each (a lease of k
  // nodes then holds k * per_node units); B-class: `units` units.
  int next_port = 1;  // of the next A-class node published
  std::string publish(const Caller& sup, char cls, int units, int per_node = 1) {
    json b = {{"class", std::string(1, cls)},
              {"resource_type", "GPU"},
              {"model", "A100 80GB"},
              {"units", cls == 'A' ? units * per_node : units},
              {"unit_memory", 80'000'000'000},
              {"memory", 1'000'000'000'000},
              {"vcpus", 128},
              {"prices", {{"hourly", 2500}, {"daily", 50000}, {"monthly", 1'500'000}}},
              {"vendor", "Acme"},
              {"location", "深圳市"},
              {"region", "深圳"},
              {"storage", {{"description", "2TB nvme"}}}};
    if (cls == 'A') {
      b["usage"] = "ssh in";
      // An A-class lease takes whole nodes (issue 12): `units` nodes of one
      // unit each, so that a lease of k nodes holds k units, as the tests count.
      // Each node a port of its own, so a machine (the fake host's key at that port) is in one cluster only.
      json nodes = json::array();
      for (int k = 0; k < units; ++k)
        nodes.push_back({{"host", "127.0.0.1"}, {"port", next_port++}, {"user", "root"}, {"units", per_node}});
      b["access"] = {{"nodes", nodes}};
    } else {
      b["access"] = {{"platform_url", "https://bolt.example.com"}, {"environments", json::array({"pytorch"})}};
    }
    auto r = testing::publish(catalog, sup, b, ctx);
    REQUIRE(r);
    const std::string cpc = (*r)["cluster"]["cpc_id"];
    if (cls == 'B') report(cpc, (*r)["agent_token"]);
    return cpc;
  }

  // A B-class cluster is offered only while online (issue 11): one report of
  // its agent, with its agent token, through the Irmds ingest.
  void report(const std::string& cpc, const std::string& agent_token) {
    MetricsService metrics{*store, keys, clock};
    auto id = metrics.agent_cluster(agent_token);
    REQUIRE(id);
    api::HostSample s;
    s.at = {clock.now()};
    s.gpu_source = "none";
    REQUIRE(metrics.ingest(*id, cpc, api::MetricsBatch{{s}, 0}));
  }

  // POST /api/v1/leases with this body, parsed as the daemon parses it.
  Result<api::LeaseData> lease(const Caller& u, const std::string& cpc, int units, const std::string& mode = "hourly",
                               std::optional<int> periods = std::nullopt) {
    // A-class: that many whole nodes, of one unit each (publish).
    const bool a_class = store->catalog().by_cpc_id(cpc).value().value().cluster_class == 'A';
    json b = {{"cpc_id", cpc}, {a_class ? "nodes" : "units", units}, {"billing", mode}};
    if (periods) b["periods"] = *periods;
    TRY_ASSIGN(api::LeaseRequest request, api::LeaseRequest::from_body(b));
    return leases.request(u, request, ctx);
  }

  std::int64_t units_free(const std::string& cpc) { return store->catalog().by_cpc_id(cpc).value()->units_free; }
};

}  // namespace cpshare::testing
