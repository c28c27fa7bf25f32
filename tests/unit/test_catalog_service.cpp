// The catalogue service over a real in-memory SQLite store: who may publish
// and change what, what the list offers, units, and the audit trail.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "store_test_support.hpp"
#include "catalog_test_support.hpp"
#include "service/catalog.hpp"
#include "ssh/supplier_host.hpp"

using namespace cpshare;

namespace {

struct Fixture {
  std::unique_ptr<Store> store = Store::open(":memory:").value();
  ManualClock clock{1'800'000'000};
  crypto::KeyRing keys = crypto::KeyRing::from_master(crypto::Bytes(32, 3));
  ssh::LibsshSupplierHost host;  // never reached: these tests do not verify
  CatalogService svc{*store, keys, host, clock};
  RequestContext ctx{"192.0.2.9", "test"};

  Caller account(const std::string& name, Role role, AccountStatus status, const std::string& region = "深圳") {
    return testing::insert_caller(*store, clock, name, role, status, region);
  }

  static json body(const std::string& model = "A100 80GB", const std::string& region = "深圳",
                   std::int64_t hourly = 2500) {
    return {{"class", "A"},
            {"resource_type", "GPU"},
            {"model", model},
            {"units", 8},
            {"unit_memory", 80'000'000'000},
            {"memory", 1'000'000'000'000},
            {"vcpus", 128},
            {"prices", {{"hourly", hourly}, {"monthly", 1'500'000}}},
            {"vendor", "Acme"},
            {"location", region == "深圳" ? "深圳市" : "广州市"},
            {"region", region},
            {"storage", {{"description", "2x3.84TB nvme data, 480GB ssd system"}}},
            {"usage", "ssh in and run conda activate"},
            {"access", {{"ssh_host", "gpu01.example.org"}, {"ssh_port", 22}, {"ssh_user", "cpadmin"}}}};
  }

  std::string publish(const Caller& c, json b = body()) {
    auto r = testing::publish(svc, c, b, ctx);
    REQUIRE(r);
    return (*r)["cluster"]["cpc_id"];
  }

  std::vector<std::string> ids(const Caller& c, const api::ListClustersQuery& q = api::ListClustersQuery{}) {
    auto r = svc.list(c, q);
    REQUIRE(r);
    std::vector<std::string> out;
    for (const auto& item : r->items) out.push_back(item.cpc_id);
    return out;
  }
};

// A list request (designated initializers would leave members to -Wextra's complaint).
api::ListClustersQuery lr(std::string filter = "", std::string sort = "", bool mine = false, std::string region = "",
                          int limit = 50, int offset = 0) {
  api::ListClustersQuery q;
  q.filter = std::move(filter);
  q.sort = std::move(sort);
  q.mine = mine;
  q.region = std::move(region);
  q.limit = limit;
  q.offset = offset;
  return q;
}

}  // namespace

TEST_CASE("only approved suppliers publish; bad input writes nothing", "[R-CL-1][R-CL-2][R-SEC-1]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier, AccountStatus::Active);
  Caller pending = f.account("newco", Role::Supplier, AccountStatus::PendingReview);
  Caller user = f.account("alice", Role::User, AccountStatus::Active);

  auto r = testing::publish(f.svc, sup, Fixture::body(), f.ctx);
  REQUIRE(r);
  CHECK(catalog::is_cpc_id((*r)["cluster"]["cpc_id"].get<std::string>()));
  CHECK((*r)["cluster"]["units_free"] == 8);
  CHECK((*r)["cluster"]["storage"]["total_bytes"] == 8'160'000'000'000);

  CHECK(testing::publish(f.svc, pending, Fixture::body(), f.ctx).error().code == ErrorCode::Forbidden);
  CHECK(testing::publish(f.svc, user, Fixture::body(), f.ctx).error().code == ErrorCode::Forbidden);

  json bad = Fixture::body();
  bad["prices"]["hourly"] = -5;
  bad["storage"]["description"] = "2x3.84XB";
  auto refused = testing::publish(f.svc, sup, bad, f.ctx);
  REQUIRE(!refused);
  CHECK(refused.error().code == ErrorCode::ValidationFailed);
  CHECK(f.ids(sup, lr("", "", true)).size() == 1);
}

TEST_CASE("a provisioning key's comment names its cluster once: cpshare-cp-...", "[R-CL-1][R-LEASE-5]") {
  // Before: "cpshare-cpshare-cp-...", the prefix added by the service and again by ssh::generate_ed25519.
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier, AccountStatus::Active);
  for (int i = 0; i < 2; ++i) {
    auto r = testing::publish(f.svc, sup, Fixture::body(), f.ctx);
    REQUIRE(r);
    const std::string cpc = (*r)["cluster"]["cpc_id"];
    const std::string line = (*r)["provisioning_public_key"];
    INFO(line);
    CHECK(line.starts_with("ssh-ed25519 AAAA"));
    CHECK(line.substr(line.rfind(' ') + 1) == "cpshare-" + cpc);  // e.g. cpshare-cp-7k2m9x4qvd
    CHECK(line.find("cpshare-cpshare-") == std::string::npos);
    // The key kept for the cluster is the one shown.
    CHECK(f.store->catalog().secrets(f.store->catalog().by_cpc_id(cpc).value()->id).value().ssh_public_key == line);
  }
}

TEST_CASE("the list offers listed clusters with idle units, the caller's region first", "[R-CL-5][R-CL-6][R-API-IUS]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier, AccountStatus::Active);
  Caller sz_user = f.account("alice", Role::User, AccountStatus::Active, "深圳");
  Caller gz_user = f.account("bob", Role::User, AccountStatus::Active, "广州");
  std::string sz = f.publish(sup, Fixture::body("A100 80GB", "深圳", 2500));
  f.clock.advance(10);
  std::string gz = f.publish(sup, Fixture::body("H100 80GB", "广州", 4000));

  CHECK(f.ids(sz_user) == std::vector<std::string>{sz, gz});
  CHECK(f.ids(gz_user) == std::vector<std::string>{gz, sz});
  CHECK(f.ids(sz_user, lr("", "", false, "any")) == std::vector<std::string>{gz, sz});  // newest first
  CHECK(f.ids(gz_user, lr("", "price_hourly")) == std::vector<std::string>{sz, gz});
  CHECK(f.ids(gz_user, lr("", "price_hourly-")) == std::vector<std::string>{gz, sz});
  CHECK(f.ids(sz_user, lr("class=A units_free>=4 model~A100 price_hourly<=30 location=深圳市")) ==
        std::vector<std::string>{sz});
  // The same filter typed with a Chinese input method's full-width forms (issue 8, NFKC).
  CHECK(f.ids(sz_user, lr("ｃｌａｓｓ＝Ａ　ｕｎｉｔｓ＿ｆｒｅｅ＞＝４　ｍｏｄｅｌ～Ａ１００　location=深圳市")) ==
        std::vector<std::string>{sz});
  auto typo = f.svc.list(sz_user, lr("modle~A100"));
  REQUIRE(!typo);
  CHECK(typo.error().fields.at(0).message.find("did you mean model?") != std::string::npos);

  // Delisted: gone from the list, still the owner's, hidden from others.
  REQUIRE(f.svc.set_listed(sup, gz, false, f.ctx));
  CHECK(f.ids(sz_user) == std::vector<std::string>{sz});
  CHECK(f.svc.show(sz_user, gz).error().code == ErrorCode::NotFound);
  CHECK(f.svc.show(sup, gz));
  CHECK(f.ids(sup, lr("", "", true)).size() == 2);
  REQUIRE(f.svc.set_listed(sup, gz, true, f.ctx));
  CHECK(f.ids(sz_user).size() == 2);

  // A cluster with no idle unit is not offered.
  for (int i = 0; i < 8; ++i)
    REQUIRE(testing::set_unit(f.svc, sup, sz, std::to_string(i), {{"status", "offline"}}, f.ctx));
  CHECK(f.ids(sz_user) == std::vector<std::string>{gz});
}

TEST_CASE("pages run across the region parts and the unpriced tail in order", "[R-CL-6][R-API-IUS]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier, AccountStatus::Active);
  Caller gz_user = f.account("bob", Role::User, AccountStatus::Active, "广州");
  // Published oldest first: sz0 gz0 sz1 gz1 sz2 (newest); sz1 offers no hourly price.
  std::vector<std::string> sz, gz;
  for (int i = 0; i < 5; ++i) {
    const bool in_sz = i % 2 == 0;
    json b = Fixture::body("A100 80GB", in_sz ? "深圳" : "广州", 1000 + 100 * i);
    if (i == 2) b["prices"].erase("hourly");
    (in_sz ? sz : gz).push_back(f.publish(sup, b));
    f.clock.advance(10);
  }
  using V = std::vector<std::string>;
  const V region_first{gz[1], gz[0], sz[2], sz[1], sz[0]};
  CHECK(f.ids(gz_user) == region_first);
  for (int offset = 0; offset < 6; ++offset)
    for (int limit = 1; limit <= 3; ++limit) {
      V want(region_first.begin() + std::min<int>(offset, 5), region_first.begin() + std::min<int>(offset + limit, 5));
      CHECK(f.ids(gz_user, lr("", "", false, "", limit, offset)) == want);
    }
  // Sorted by a price: the priced ones in order, then the one without it.
  const V by_hourly{sz[0], gz[0], gz[1], sz[2], sz[1]};
  CHECK(f.ids(gz_user, lr("", "price_hourly")) == by_hourly);
  CHECK(f.ids(gz_user, lr("", "price_hourly-")) == V{sz[2], gz[1], gz[0], sz[0], sz[1]});
  for (int offset = 0; offset < 6; ++offset) {
    V want(by_hourly.begin() + std::min<int>(offset, 5), by_hourly.begin() + std::min<int>(offset + 2, 5));
    CHECK(f.ids(gz_user, lr("", "price_hourly", false, "", 2, offset)) == want);
  }
  // region and location are the catalogue's own columns (accounts have a region too).
  CHECK(f.ids(gz_user, lr("region=深圳")) == V{sz[2], sz[1], sz[0]});
  CHECK(f.ids(gz_user, lr("region in [深圳] location=深圳市", "region")) == V{sz[0], sz[1], sz[2]});
}

TEST_CASE("owners and admins change a cluster; others are refused", "[R-CL-4][R-SEC-1]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier, AccountStatus::Active);
  Caller rival = f.account("rival", Role::Supplier, AccountStatus::Active);
  Caller admin = f.account("root", Role::Admin, AccountStatus::Active);
  std::string id = f.publish(sup);

  CHECK(testing::update(f.svc, rival, id, {{"prices", {{"hourly", 1}}}}, f.ctx).error().code == ErrorCode::Forbidden);
  CHECK(f.svc.set_listed(rival, id, false, f.ctx).error().code == ErrorCode::Forbidden);
  CHECK(testing::set_unit(f.svc, rival, id, "0", {{"status", "offline"}}, f.ctx).error().code == ErrorCode::Forbidden);

  auto up =
      testing::update(f.svc, sup, id, {{"prices", {{"hourly", 3000}, {"monthly", nullptr}}}, {"units", 10}}, f.ctx);
  REQUIRE(up);
  CHECK((*up)["cluster"]["prices"]["hourly"] == 3000);
  CHECK((*up)["cluster"]["prices"]["monthly"].is_null());
  CHECK((*up)["cluster"]["units_free"] == 10);
  CHECK(f.svc.units(sup, id).value().items.size() == 10);
  CHECK(testing::update(f.svc, admin, id, {{"units", 4}}, f.ctx));
  CHECK(f.svc.units(sup, id).value().items.size() == 4);
  CHECK(testing::update(f.svc, sup, id, {{"class", "B"}}, f.ctx).error().code == ErrorCode::ValidationFailed);

  auto audit = f.store->audit().query(AuditQuery{100, std::nullopt, "cluster_updated", std::nullopt}).value();
  CHECK(audit.size() == 2);
}

TEST_CASE("an A-class host at an address the platform does not connect to is refused at publish and update",
          "[R-SEC-1]") {
  // The default networks (cpshared without --supplier-networks): no loopback,
  // no link-local (cloud metadata), checked by the real LibsshSupplierHost
  // without connecting anywhere.
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier, AccountStatus::Active);
  auto field_error = [](const Result<json>& r) {
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::ValidationFailed);
    REQUIRE(r.error().fields.size() == 1);
    CHECK(r.error().fields[0].field == "access.ssh_host");
    return r.error().fields[0].message;
  };
  for (const char* host : {"127.0.0.1", "169.254.169.254", "::1", "0.0.0.0", "224.0.0.1"}) {
    INFO(host);
    json b = Fixture::body();
    b["access"]["ssh_host"] = host;
    const std::string m = field_error(testing::publish(f.svc, sup, b, f.ctx));
    CHECK_THAT(m, Catch::StartsWith(std::string(host) + " is a") &&
                      Catch::EndsWith("which this platform does not connect to (cpshared --supplier-networks)"));
  }
  CHECK(f.ids(sup, lr("", "", true)).empty());

  std::string id = f.publish(sup);  // gpu01.example.org: a name, checked when the platform connects
  const std::string m =
      field_error(testing::update(f.svc, sup, id, {{"access", {{"ssh_host", "169.254.169.254"}}}}, f.ctx));
  CHECK_THAT(m, Catch::Contains("169.254.169.254 is a link-local address"));
  CHECK(f.svc.show(sup, id).value().cluster.access.nodes.value().at(0).host == "gpu01.example.org");
  CHECK(testing::update(f.svc, sup, id, {{"access", {{"ssh_host", "10.0.0.5"}}}}, f.ctx));
  CHECK(testing::update(f.svc, sup, id, {{"access", {{"ssh_host", "localhost"}}}}, f.ctx));
}

TEST_CASE("units: per-unit status set by the owner", "[R-CL-3][R-CL-7]") {
  Fixture f;
  Caller sup = f.account("acme", Role::Supplier, AccountStatus::Active);
  Caller user = f.account("alice", Role::User, AccountStatus::Active);
  std::string id = f.publish(sup);
  REQUIRE(testing::set_unit(f.svc, sup, id, "3", {{"status", "offline"}}, f.ctx));
  auto shown = api::encode(f.svc.show(user, id).value());
  CHECK(shown["cluster"]["units_free"] == 7);
  CHECK(shown["units"][3]["status"] == "offline");
  CHECK(shown["units"][2]["status"] == "idle");
  CHECK(testing::set_unit(f.svc, sup, id, "8", {{"status", "idle"}}, f.ctx).error().code == ErrorCode::NotFound);
  CHECK(testing::set_unit(f.svc, sup, id, "x", {{"status", "idle"}}, f.ctx).error().code == ErrorCode::NotFound);
  CHECK(testing::set_unit(f.svc, sup, id, "1", {{"status", "busy"}}, f.ctx).error().code ==
        ErrorCode::ValidationFailed);
  // The index is read as std::stoi read it (issue 10: std::from_chars now): leading
  // whitespace and '+' taken, anything after the digits or beyond int refused.
  CHECK(testing::set_unit(f.svc, sup, id, "3 ", {{"status", "idle"}}, f.ctx).error().code == ErrorCode::NotFound);
  CHECK(testing::set_unit(f.svc, sup, id, "99999999999", {{"status", "idle"}}, f.ctx).error().code ==
        ErrorCode::NotFound);
  CHECK(testing::set_unit(f.svc, sup, id, "-1", {{"status", "idle"}}, f.ctx).error().message ==
        "cluster " + id + " has units 0..7; there is no unit -1");
  REQUIRE(testing::set_unit(f.svc, sup, id, " +3", {{"status", "idle"}}, f.ctx));
  CHECK(f.svc.show(user, id).value().cluster.units_free == 8);
  // The A-class access details are the owner's to see.
  CHECK(shown["cluster"]["access"].contains("ssh_host") == false);
  CHECK(f.svc.show(sup, id).value().cluster.access.nodes.value().at(0).host == "gpu01.example.org");
}
