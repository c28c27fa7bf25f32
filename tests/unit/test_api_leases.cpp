// The lease and billing endpoints' types (lib/api/leases.hpp, issue 10): their
// body and query parsing refuses what the service refused, with the same
// VALIDATION_FAILED fields and messages, and the lease's stored parts (the
// cluster snapshot, the sealed access details) read back to the very JSON the
// wire has always carried.
#include <catch2/catch.hpp>

#include <algorithm>

#include "api/catalog.hpp"
#include "api/leases.hpp"
#include "catalog/cluster.hpp"

using namespace cpshare;
using api::json;

namespace {

// The field errors of a failed parse, as "field: message" lines.
template <class T>
std::vector<std::string> field_errors(const Result<T>& r) {
  std::vector<std::string> out;
  if (r) return out;
  CHECK(r.error().code == ErrorCode::ValidationFailed);
  for (const auto& f : r.error().fields) out.push_back(f.field + ": " + f.message);
  return out;
}

bool has(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

catalog::Cluster cluster(char cls) {
  json b = {{"class", std::string(1, cls)},
            {"resource_type", "GPU"},
            {"model", "A100 80GB"},
            {"units", 8},
            {"unit_memory", 80'000'000'000},
            {"memory", 1'000'000'000'000},
            {"vcpus", 128},
            {"prices", {{"hourly", 2500}, {"monthly", 1'500'000}}},
            {"vendor", "Acme"},
            {"location", "深圳市"},
            {"region", "深圳"},
            {"storage", {{"description", "2x3.84TB nvme data, 480GB ssd system"}}},
            {"software", {{"cuda", "12.4"}, {"frameworks", {"pytorch 2.3"}}}}};
  if (cls == 'A') {
    b["usage"] = "ssh in, conda activate";
    b["access"] = {{"ssh_host", "gpu01.example.org"}, {"ssh_port", 2222}, {"ssh_user", "root"}};
  } else {
    b["access"] = {{"platform_url", "https://bolt.example.com"}, {"environments", {"pytorch", "jax"}}};
  }
  catalog::Cluster c = catalog::cluster_from_publish(b).value();
  c.cpc_id = "cp-7k2m9x4qvd";
  c.owner = "acme";
  c.units_free = 6;
  c.created_at = 1'800'000'000;
  return c;
}

}  // namespace

TEST_CASE("a lease request is parsed with every field error at once", "[R-LEASE-1][R-SEC-1]") {
  auto ok = api::LeaseRequest::from_body({{"cpc_id", "cp-7k2m9x4qvd"}, {"units", 2}, {"billing", "daily"}});
  REQUIRE(ok);
  CHECK(ok->cpc_id == "cp-7k2m9x4qvd");
  CHECK(ok->units == 2);
  CHECK(ok->billing == catalog::BillingMode::Daily);
  CHECK_FALSE(ok->periods);
  CHECK_FALSE(ok->ssh_public_key);
  // What the CLI sends: the optional members left out when empty.
  CHECK(api::encode(*ok) == json{{"cpc_id", "cp-7k2m9x4qvd"}, {"units", 2}, {"billing", "daily"}});

  const auto missing = field_errors(api::LeaseRequest::from_body(json::object()));
  CHECK(has(missing, "cpc_id: is required"));
  CHECK(has(missing, "units: is required: units N for a B-class cluster, or nodes N (whole nodes) for an A-class one"));
  CHECK(has(missing, "billing: is required"));

  const auto bad = field_errors(api::LeaseRequest::from_body({{"cpc_id", "cp-7k2m9x4qvd"},
                                                              {"units", 0},
                                                              {"billing", "weekly"},
                                                              {"periods", 87841},
                                                              {"ssh_public_key", "-----BEGIN OPENSSH PRIVATE KEY"},
                                                              {"unit", 1}}));
  CHECK(bad.size() == 5);
  CHECK(has(bad, "units: must be between 1 and 4096"));
  CHECK(has(bad, "billing: must be hourly, daily, monthly or yearly"));
  CHECK(has(bad, "periods: must be between 1 and 87840"));
  CHECK(has(bad, "ssh_public_key: must be one OpenSSH public key line, e.g. the contents of ~/.ssh/id_ed25519.pub"));
  CHECK(has(bad, "unit: unknown field; did you mean 'units'?"));
  // Two key lines are not one (refused as text with a line break, before the key's form is looked at).
  const auto two =
      field_errors(api::LeaseRequest::from_body({{"cpc_id", "cp-7k2m9x4qvd"},
                                                 {"units", 1},
                                                 {"billing", "hourly"},
                                                 {"ssh_public_key", "ssh-ed25519 AAAA\nssh-ed25519 BBBB"}}));
  REQUIRE(two.size() == 1);
  CHECK(two[0].starts_with("ssh_public_key: "));
}

TEST_CASE("lease queries take true/false, a lease state and a month, as the daemon did", "[R-LEASE-1]") {
  using api::Query;
  auto list = api::LeaseListQuery::from_query(Query{{"incoming", "true"}, {"state", "active"}});
  REQUIRE(list);
  CHECK(list->incoming);
  CHECK(list->state == LeaseState::Active);
  auto none = api::LeaseListQuery::from_query(Query{{"state", ""}});  // empty: no filter
  REQUIRE(none);
  CHECK_FALSE(none->incoming);
  CHECK_FALSE(none->state);
  CHECK(field_errors(api::LeaseListQuery::from_query(Query{{"incoming", "yes"}})) ==
        std::vector<std::string>{"incoming: must be true or false"});
  CHECK(
      field_errors(api::LeaseListQuery::from_query(Query{{"state", "running"}})) ==
      std::vector<std::string>{"state: must be requested, approved, provisioning, active, ended, rejected or lapsed"});
  // What the CLI puts in the query string.
  CHECK(api::to_query(api::LeaseListQuery{true, LeaseState::Ended}) ==
        std::vector<std::pair<std::string, std::string>>{{"incoming", "true"}, {"state", "ended"}});

  CHECK(api::LeaseShowQuery::from_query(Query{{"access", "true"}}).value().access);
  CHECK_FALSE(api::LeaseShowQuery::from_query(Query{}).value().access);
  CHECK(field_errors(api::LeaseShowQuery::from_query(Query{{"access", "1"}})) ==
        std::vector<std::string>{"access: must be true or false"});

  CHECK(api::MonthQuery::from_query(Query{{"month", "2027-03"}}).value().month == "2027-03");
  CHECK_FALSE(api::MonthQuery::from_query(Query{{"month", ""}}).value().month);  // this month
  CHECK(field_errors(api::MonthQuery::from_query(Query{{"month", "2026-13"}})) ==
        std::vector<std::string>{"month: must be YYYY-MM with a month from 01 to 12, e.g. 2026-11"});
  CHECK(api::to_query(api::MonthQuery{}).empty());
}

TEST_CASE("reasons and codes are required and bounded", "[R-LEASE-4][R-SEC-1]") {
  CHECK(api::LeaseReasonRequest::from_body({{"reason", "maintenance on Friday"}}).value().reason ==
        "maintenance on Friday");
  CHECK(field_errors(api::LeaseReasonRequest::from_body(json::object())) ==
        std::vector<std::string>{"reason: is required"});
  CHECK(field_errors(api::LeaseReasonRequest::from_body({{"reason", std::string(501, 'x')}})).size() == 1);
  CHECK(api::RedeemRequest::from_body({{"code", "7K2M-9X4Q-VD3H-RT8N"}}).value().code == "7K2M-9X4Q-VD3H-RT8N");
  CHECK(field_errors(api::RedeemRequest::from_body({{"code", " "}})) ==
        std::vector<std::string>{"code: must not be empty"});
  CHECK(field_errors(api::RedeemRequest::from_body(json::object())) == std::vector<std::string>{"code: is required"});
  CHECK(field_errors(api::RedeemRequest::from_body({{"code", std::string(65, '7')}})).size() == 1);
  CHECK(field_errors(api::RedeemRequest::from_body({{"code", "7K2M"}, {"lease", "x"}})).size() == 1);
}

TEST_CASE("a lease's cluster snapshot reads back to the catalogue's public view, byte for byte", "[R-API-ITM]") {
  for (char cls : {'A', 'B'}) {
    const catalog::Cluster c = cluster(cls);
    const json stored = api::encode(api::cluster_view(c));  // what a lease row keeps
    auto read = api::lease_cluster_from_snapshot(stored.dump());
    REQUIRE(read);
    CHECK(api::encode(*read) == stored);
    CHECK(api::encode(*read).dump() == stored.dump());
    CHECK(read->location == "深圳市");
  }
  auto a = api::lease_cluster_from_snapshot(api::encode(api::cluster_view(cluster('A'))).dump()).value();
  CHECK(a.access.method == "ssh");
  CHECK_FALSE(a.access.platform_url);  // the owner's admin access is never in a lease
  CHECK(a.billing_modes ==
        std::vector<catalog::BillingMode>{catalog::BillingMode::Hourly, catalog::BillingMode::Monthly});

  json broken = api::encode(api::cluster_view(cluster('A')));
  broken.erase("model");
  auto r = api::lease_cluster_from_snapshot(broken.dump());
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::Internal);
  CHECK_THAT(r.error().message, Catch::Contains("cluster snapshot") && Catch::Contains("model"));
  CHECK(api::lease_cluster_from_snapshot("{").error().code == ErrorCode::Internal);
}

TEST_CASE("a lease's access details read back as they were sealed", "[R-LEASE-5]") {
  const json sealed = {{"method", "ssh"},
                       {"host", "gpu01.example.org"},
                       {"port", 22},
                       {"username", "cpl_3q9x2m7k4d"},
                       {"password", "kT7vQ2mXw9rB4nLp"},
                       {"ssh_key", nullptr},
                       {"gpu_indices", {0, 1}},
                       {"cuda_visible_devices", "0,1"},
                       {"usage", "ssh in"}};
  auto a = api::lease_access_from_text(sealed.dump());
  REQUIRE(a);
  CHECK(a->gpu_indices == std::vector<int>{0, 1});
  CHECK_FALSE(a->ssh_key);
  CHECK(api::encode(*a) == sealed);
  // The detail answers the access member only when asked for (the key is left out otherwise).
  CHECK_FALSE(api::encode(api::LeaseDetail{}).contains("access"));
}
