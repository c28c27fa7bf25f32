// A-class clusters of several nodes (issue 12; §3.1, §3.6): the publish and
// patch rules of access.nodes, whole-node leases in the store, and the
// migration of a one-host cluster of schema 12.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/catalog.hpp"
#include "api/leases.hpp"
#include "catalog/cluster.hpp"
#include "store/migrations.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"

namespace api = cpshare::api;
namespace catalog = cpshare::catalog;
using namespace cpshare;
using nlohmann::json;

namespace {

json two_nodes() {
  return {
      {"class", "A"},
      {"resource_type", "GPU"},
      {"model", "H100 80GB"},
      {"unit_memory", 80'000'000'000},
      {"memory", 2'048'000'000'000},
      {"vcpus", 192},
      {"prices", {{"hourly", 2000}}},
      {"vendor", "Acme"},
      {"location", "深圳市"},
      {"region", "广东省"},
      {"storage", {{"description", "4x3.84TB nvme"}}},
      {"usage", "module load cuda"},
      {"access",
       {{"nodes",
         {{{"host", "gpu01.example.edu.cn"}, {"user", "cpshare"}, {"units", 8}},
          {{"host", "10.0.0.12"},
           {"port", 2222},
           {"user", "cpshare"},
           {"units", 4},
           {"device_ids",
            {"00000000:3B:00.0", "0000:5e:00.0", "GPU-1a2b3c4d-0000-4000-8000-000000000000",
             "MIG-1a2b3c4d-0000-4000-8000-000000000001"}}}}}}},
  };
}

std::vector<std::string> fields_of(const Error& e) {
  std::vector<std::string> out;
  for (const auto& f : e.fields) out.push_back(f.field);
  return out;
}

bool names(const Error& e, std::string_view field) {
  for (const auto& f : e.fields)
    if (f.field == field) return true;
  return false;
}

}  // namespace

TEST_CASE("publish: access.nodes gives the nodes and units is their sum", "[issue-12]") {
  auto c = catalog::cluster_from_publish(two_nodes());
  REQUIRE(c);
  REQUIRE(c->nodes.size() == 2);
  CHECK(c->units == 12);
  CHECK(c->units_free == 12);
  CHECK(c->nodes_free == 2);
  CHECK(c->nodes[0].host == "gpu01.example.edu.cn");
  CHECK(c->nodes[0].port == 22);
  CHECK(c->nodes[1].port == 2222);
  CHECK(c->nodes[1].device_ids.size() == 4);
  CHECK(c->nodes[0].host_key.empty());
  CHECK(catalog::first_unit(*c, 1) == 8);
  CHECK(catalog::node_of(*c, 7) == 0u);
  CHECK(catalog::node_of(*c, 8) == 1u);
  CHECK_FALSE(catalog::node_of(*c, 12));
}

TEST_CASE("publish: the short form is a cluster of one node with every unit", "[issue-12]") {
  json b = two_nodes();
  b["units"] = 8;
  b["access"] = {{"ssh_host", "GPU01.example.edu.cn"}, {"ssh_user", "cpshare"}};
  auto c = catalog::cluster_from_publish(b);
  REQUIRE(c);
  REQUIRE(c->nodes.size() == 1);
  CHECK(c->nodes[0].host == "gpu01.example.edu.cn");
  CHECK(c->nodes[0].units == 8);
}

TEST_CASE("publish: bad nodes are named by path, every one at once", "[issue-12]") {
  json b = two_nodes();
  b["units"] = 10;  // the nodes have 12
  b["access"]["nodes"][0]["host"] = "bad host!";
  b["access"]["nodes"][1]["device_ids"] = {"0000:3b:00.0", "0000:3B:00.0", "eth0", "GPU-x"};  // one id in two cases
  auto c = catalog::cluster_from_publish(b);
  REQUIRE_FALSE(c);
  CHECK(c.error().code == ErrorCode::ValidationFailed);
  CHECK(names(c.error(), "access.nodes[0].host"));
  CHECK(names(c.error(), "access.nodes[1].device_ids[1]"));  // repeats
  CHECK(names(c.error(), "access.nodes[1].device_ids[2]"));
  CHECK(names(c.error(), "access.nodes[1].device_ids[3]"));
  // The same host and port twice is one node named twice.
  b = two_nodes();
  b["access"]["nodes"].push_back({{"host", "10.0.0.12"}, {"port", 2222}, {"user", "cpshare"}, {"units", 1}});
  CHECK(names(catalog::cluster_from_publish(b).error(), "access.nodes[2]"));
  // A zone id says what is wrong with it.
  b = two_nodes();
  b["access"]["nodes"][1]["host"] = "fe80::1%eth0";
  const auto zoned = catalog::cluster_from_publish(b).error();
  REQUIRE(names(zoned, "access.nodes[1].host"));
  CHECK_THAT(zoned.fields.front().message, Catch::Contains("zone id"));
}

TEST_CASE("publish: units that disagree with the nodes, both forms, none", "[issue-12]") {
  json b = two_nodes();
  b["units"] = 10;
  auto c = catalog::cluster_from_publish(b);
  REQUIRE_FALSE(c);
  CHECK(fields_of(c.error()) == std::vector<std::string>{"units"});

  b = two_nodes();
  b["access"]["ssh_host"] = "gpu01";
  CHECK(names(catalog::cluster_from_publish(b).error(), "access.nodes"));

  b = two_nodes();
  b["access"]["nodes"] = json::array();
  CHECK(names(catalog::cluster_from_publish(b).error(), "access.nodes"));

  b = two_nodes();
  b["access"]["nodes"][0]["device_ids"] = {"0000:3b:00.0"};  // 1 id for 8 units
  CHECK(names(catalog::cluster_from_publish(b).error(), "access.nodes[0].device_ids"));
}

TEST_CASE("publish: a CPU-only cluster of nodes is one unit per node", "[issue-12]") {
  json b = two_nodes();
  b["resource_type"] = "CPU";
  b.erase("unit_memory");
  b["access"]["nodes"][1].erase("device_ids");
  CHECK(names(catalog::cluster_from_publish(b).error(), "access.nodes[0].units"));
  b["access"]["nodes"][0]["units"] = 1;
  b["access"]["nodes"][1]["units"] = 1;
  auto c = catalog::cluster_from_publish(b);
  REQUIRE(c);
  CHECK(c->units == 2);
}

TEST_CASE("patch: nodes replace the list; an unchanged node keeps its pin, a moved one loses it", "[issue-12]") {
  auto c = catalog::cluster_from_publish(two_nodes()).value();
  c.nodes[0].host_key = "SHA256:zero";
  c.nodes[1].host_key = "SHA256:one";
  json patch = {{"access",
                 {{"nodes",
                   {{{"host", "gpu01.example.edu.cn"}, {"user", "cpshare"}, {"units", 8}},
                    {{"host", "10.0.0.13"}, {"user", "cpshare"}, {"units", 8}}}}}}};
  auto u = catalog::apply_update(c, patch);
  REQUIRE(u);
  CHECK(u->units == 16);
  CHECK(u->nodes[0].host_key == "SHA256:zero");
  CHECK(u->nodes[1].host_key.empty());

  // The short form cannot say which of several nodes it means; units follow the nodes.
  CHECK(names(catalog::apply_update(c, {{"access", {{"ssh_port", 2200}}}}).error(), "access.ssh_port"));
  CHECK(names(catalog::apply_update(c, {{"units", 4}}).error(), "units"));
  // On a one-node cluster the short form moves the node (its pin goes) and units follow.
  json one = two_nodes();
  one["access"]["nodes"].erase(1);
  auto single = catalog::cluster_from_publish(one).value();
  single.nodes[0].host_key = "SHA256:zero";
  auto moved = catalog::apply_update(single, {{"access", {{"ssh_port", 2200}}}, {"units", 4}}).value();
  CHECK(moved.nodes[0].port == 2200);
  CHECK(moved.nodes[0].units == 4);
  CHECK(moved.nodes[0].host_key.empty());
}

TEST_CASE("the owner sees the nodes; the public view only counts them", "[issue-12]") {
  auto c = catalog::cluster_from_publish(two_nodes()).value();
  c.nodes[0].host_key = "SHA256:zero";
  const api::ClusterView pub = api::cluster_view(c);
  CHECK(pub.nodes == 2);
  CHECK(pub.nodes_free == 2);
  CHECK_FALSE(pub.access.nodes);
  const api::ClusterView own = api::cluster_view(c, api::Viewer::Owner);
  REQUIRE(own.access.nodes);
  CHECK((*own.access.nodes)[0].host_key_fingerprint == "SHA256:zero");
  CHECK_FALSE((*own.access.nodes)[1].host_key_fingerprint);
  // The owner's view goes back as a publish request unchanged (pins are ignored).
  json back = api::encode(own);
  for (const char* k :
       {"cpc_id", "owner", "units_free", "nodes", "nodes_free", "billing_modes", "status", "created_at", "updated_at"})
    back.erase(k);
  auto again = catalog::cluster_from_publish(back);
  REQUIRE(again);
  CHECK(again->nodes[1].device_ids == c.nodes[1].device_ids);
  CHECK(again->nodes[0].host_key.empty());
}

TEST_CASE("a lease request gives units or nodes, not both, not neither", "[issue-12]") {
  CHECK(api::LeaseRequest::from_body({{"cpc_id", "cp-7k2m9x4qvd"}, {"nodes", 2}, {"billing", "hourly"}}));
  CHECK(api::LeaseRequest::from_body({{"cpc_id", "cp-7k2m9x4qvd"}, {"units", 2}, {"billing", "hourly"}}));
  auto both =
      api::LeaseRequest::from_body({{"cpc_id", "cp-7k2m9x4qvd"}, {"units", 1}, {"nodes", 1}, {"billing", "hourly"}});
  REQUIRE_FALSE(both);
  CHECK(names(both.error(), "nodes"));
  auto neither = api::LeaseRequest::from_body({{"cpc_id", "cp-7k2m9x4qvd"}, {"billing", "hourly"}});
  REQUIRE_FALSE(neither);
  CHECK(names(neither.error(), "units"));
  CHECK_FALSE(api::LeaseRequest::from_body({{"cpc_id", "cp-7k2m9x4qvd"}, {"nodes", 0}, {"billing", "hourly"}}));
}

TEST_CASE("migration 13: a one-host cluster becomes a cluster of one node, its pin and leases kept", "[issue-12]") {
  testing::TempDir dir;
  const auto path = dir.path / "v12.db";
  {
    // A database as cpshared left it at schema 12: two A-class clusters, one
    // with an older per-GPU lease holding unit 1 of its 4.
    testing::database_at_schema(path, 12);
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE);
    db.exec(
        "INSERT INTO accounts (id, username, username_key, role, status, password_hash, created_at) "
        "VALUES (7, 'acme', 'acme', 'supplier', 'active', 'x', 0), (8, 'alice', 'alice', 'user', 'active', 'x', 0)");
    for (int id : {3, 4})
      db.exec(fmt::format(
          "INSERT INTO clusters (id, cpc_id, owner_id, class, resource_type, model, units, units_free, unit_memory, "
          "memory, vcpus, price_hourly, vendor, location, region, storage, storage_desc, ssh_host, ssh_port, "
          "ssh_user, status, created_at, updated_at) VALUES ({0}, 'cp-abcdefghi{0}', 7, 'A', 'GPU', 'A100', 4, {1}, "
          "80, 1000, 16, 2500, 'Acme', '深圳市', '深圳', 5, '5B', 'gpu0{0}', 2222, 'cpadmin', 'listed', 1, 2)",
          id, id == 3 ? 3 : 4));
    db.exec(
        "INSERT INTO cluster_secrets (cluster_id, ssh_key_enc, ssh_public_key, ssh_host_key) "
        "VALUES (3, x'0102', 'ssh-ed25519 AAAA', 'SHA256:pin3'), (4, x'0304', 'ssh-ed25519 BBBB', NULL)");
    db.exec(
        "INSERT INTO cluster_units (cluster_id, idx, status) VALUES (3, 0, 'idle'), (3, 1, 'busy'), (3, 2, 'idle'), "
        "(3, 3, 'idle'), (4, 0, 'idle'), (4, 1, 'idle'), (4, 2, 'idle'), (4, 3, 'idle')");
    db.exec(
        "INSERT INTO leases (id, lease_id, user_id, cluster_id, supplier_id, class, cluster_snapshot, mode, "
        "unit_price, units, periods, estimate, state, unit_list, created_at, started_at) VALUES (1, 'l-1', 8, 3, 7, "
        "'A', '{}', 'hourly', 2500, 1, 0, 0, 'active', '1', 1, 1)");
    db.exec("INSERT INTO lease_units (lease_id, cluster_id, idx) VALUES (1, 3, 1)");
  }
  auto store = Store::open(path).value();
  CHECK(store->schema_version() >= 13);
  auto held = store->catalog().by_cpc_id("cp-abcdefghi3").value();
  REQUIRE(held);
  REQUIRE(held->nodes.size() == 1);
  CHECK(held->nodes[0].host == "gpu03");
  CHECK(held->nodes[0].port == 2222);
  CHECK(held->nodes[0].user == "cpadmin");
  CHECK(held->nodes[0].units == 4);
  CHECK(held->nodes[0].host_key == "SHA256:pin3");
  CHECK(held->units_free == 3);
  CHECK(held->nodes_free == 0);  // the older lease holds a unit of its one node
  CHECK(store->catalog().secrets(held->id).value().ssh_public_key == "ssh-ed25519 AAAA");
  auto free = store->catalog().by_cpc_id("cp-abcdefghi4").value();
  REQUIRE(free);
  CHECK(free->nodes_free == 1);
  CHECK(free->nodes[0].host_key.empty());
  const auto units = store->catalog().units(held->id).value();
  for (const auto& u : units) CHECK(u.node == 0);
  // A whole-node lease finds no free node on the held cluster, and the whole node on the other.
  CHECK(store->leases().pick_nodes(held->id, 1).error().code == ErrorCode::UnitsUnavailable);
  CHECK_THAT(store->leases().pick_nodes(held->id, 1).error().message,
             Catch::StartsWith("the cluster has no free node now") && !Catch::Contains("at most"));
  CHECK(store->leases().pick_nodes(free->id, 1).value() == std::vector<int>{0, 1, 2, 3});
}

TEST_CASE("patch: a GPU keeps its status when its node moves in the list; a new node's GPUs are idle", "[issue-12]") {
  testing::TempDir dir;
  auto store = Store::open((dir.path / "nodes.db").string()).value();
  ManualClock clock{1'800'000'000};
  const Caller acme = testing::insert_caller(*store, clock, "acme", Role::Supplier);
  auto c = catalog::cluster_from_publish(two_nodes()).value();  // gpu01: units 0..7, 10.0.0.12: units 8..11
  c.owner_id = acme.account.id;
  c.cpc_id = "cp-abcdefgh12";
  c.created_at = clock.now();
  c.id = store->catalog().insert(c).value();
  // The second node's GPU 1 (unit 9) is down for maintenance.
  REQUIRE(store->catalog().set_unit_status(c.id, 9, UnitStatus::Offline, clock.now()));
  auto status_of = [&](int idx) { return store->catalog().units(c.id).value().at(static_cast<std::size_t>(idx)); };

  // Reordered: 10.0.0.12 is node 0 now, so its GPU 1 is unit 1.
  auto swapped =
      catalog::apply_update(c, {{"access",
                                 {{"nodes",
                                   {{{"host", "10.0.0.12"}, {"port", 2222}, {"user", "cpshare"}, {"units", 4}},
                                    {{"host", "gpu01.example.edu.cn"}, {"user", "cpshare"}, {"units", 8}}}}}}})
          .value();
  REQUIRE(store->catalog().update(swapped));
  CHECK(status_of(1).status == UnitStatus::Offline);
  CHECK(status_of(1).node == 0);
  CHECK(status_of(9).status == UnitStatus::Idle);
  CHECK(status_of(9).node == 1);
  CHECK(store->catalog().by_cpc_id(c.cpc_id).value()->units_free == 11);

  // gpu01 replaced by a new node (idle), 10.0.0.12 gives one more GPU: its first four keep theirs.
  auto replaced = catalog::apply_update(
                      swapped, {{"access",
                                 {{"nodes",
                                   {{{"host", "gpu09.example.edu.cn"}, {"user", "cpshare"}, {"units", 2}},
                                    {{"host", "10.0.0.12"}, {"port", 2222}, {"user", "cpshare"}, {"units", 5}}}}}}})
                      .value();
  REQUIRE(store->catalog().update(replaced));
  const auto units = store->catalog().units(c.id).value();
  REQUIRE(units.size() == 7);
  for (int idx = 0; idx < 7; ++idx) {
    INFO("unit " << idx);
    CHECK(units[static_cast<std::size_t>(idx)].status == (idx == 3 ? UnitStatus::Offline : UnitStatus::Idle));
    CHECK(units[static_cast<std::size_t>(idx)].node == (idx < 2 ? 0 : 1));
  }
}
