// The catalogue's request and response types (issue 10): the request parsers give the same
// VALIDATION_FAILED fields as the catalogue's rules, for the CLI and the daemon alike, and the
// view is the wire's shape.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "api/catalog.hpp"

namespace api = cpshare::api;
namespace catalog = cpshare::catalog;
using nlohmann::json;

namespace {

json a_class() {
  return {{"class", "A"},
          {"resource_type", "GPU"},
          {"model", "A100 80GB"},
          {"units", 8},
          {"unit_memory", 80'000'000'000},
          {"memory", 1'024'000'000'000},
          {"vcpus", 128},
          {"prices", {{"hourly", 1250}, {"monthly", 600'000}}},
          {"vendor", "NVIDIA"},
          {"location", "深圳市"},
          {"region", "广东省"},
          {"storage", {{"description", "2x3.84TB nvme data, 480GB ssd system"}}},
          {"software", {{"cuda", "12.4"}, {"frameworks", {"pytorch 2.3"}}}},
          {"usage", "ssh in"},
          {"access", {{"ssh_host", "gpu01.example.edu.cn"}, {"ssh_port", 2222}, {"ssh_user", "cpshare"}}}};
}

// "field: message" lines of a failed parse.
template <class T>
std::string errors_of(const cpshare::Result<T>& r) {
  if (r) return "";
  CHECK(r.error().code == cpshare::ErrorCode::ValidationFailed);
  std::string out;
  for (const auto& e : r.error().fields) out += e.field + ": " + e.message + "\n";
  return out;
}

api::Query query(std::initializer_list<std::pair<const std::string, std::string>> items) { return api::Query(items); }

}  // namespace

TEST_CASE("PublishClusterRequest::from_body keeps the request as sent; to_cluster is the catalogue's cluster",
          "[R-CL-1]") {
  auto r = api::PublishClusterRequest::from_body(a_class());
  INFO(errors_of(r));
  REQUIRE(r);
  CHECK(api::encode(*r) == a_class());  // what the CLI sends is what it was given
  CHECK(r->cls == "A");
  CHECK(r->units == 8);
  CHECK(r->prices.hourly == 1250);
  CHECK_FALSE(r->prices.daily);
  auto c = r->to_cluster();
  REQUIRE(c);
  auto direct = catalog::cluster_from_publish(a_class());
  REQUIRE(direct);
  CHECK(api::encode(api::cluster_view(*c, api::Viewer::Owner)) ==
        api::encode(api::cluster_view(*direct, api::Viewer::Owner)));
  CHECK(c->storage_bytes == 8'160'000'000'000);
}

TEST_CASE("PublishClusterRequest::from_body: the catalogue's field errors, all at once", "[R-CL-1]") {
  json bad = a_class();
  bad.erase("model");
  bad["unit_memory"] = "80GB";
  bad["prices"] = {{"hourly", 0}};
  bad["unitz"] = 4;
  const std::string errors = errors_of(api::PublishClusterRequest::from_body(bad));
  CHECK(errors.find("model: is required\n") != std::string::npos);
  CHECK(errors.find("unit_memory: must be an integer number of bytes: send 80000000000 for 80GB\n") !=
        std::string::npos);
  CHECK(errors.find("prices.hourly: must be at least 1 fen; leave the mode out to not offer it\n") !=
        std::string::npos);
  CHECK(errors.find("unitz: ") != std::string::npos);
  // The same list as the catalogue's parser gives.
  auto direct = catalog::cluster_from_publish(bad);
  REQUIRE_FALSE(direct);
  CHECK(errors == errors_of(direct));
}

TEST_CASE("PatchClusterRequest::from_body: what needs no stored cluster; apply_to the rest", "[R-CL-4]") {
  // Present, null and absent are three things in a merge patch.
  auto r = api::PatchClusterRequest::from_body(
      {{"prices", {{"hourly", 1500}, {"monthly", nullptr}}}, {"description", nullptr}});
  INFO(errors_of(r));
  REQUIRE(r);
  REQUIRE(r->prices);
  REQUIRE(*r->prices);
  CHECK((*r->prices)->hourly == std::optional<std::int64_t>{1500});
  REQUIRE((*r->prices)->monthly);
  CHECK_FALSE(*(*r->prices)->monthly);  // null: stop offering it
  CHECK_FALSE((*r->prices)->daily);     // absent: unchanged
  REQUIRE(r->description);
  CHECK_FALSE(*r->description);
  CHECK_FALSE(r->model);
  CHECK(api::encode(*r) == json{{"prices", {{"hourly", 1500}, {"monthly", nullptr}}}, {"description", nullptr}});
  CHECK(r->field_names() == std::vector<std::string>{"description", "prices"});

  CHECK(errors_of(api::PatchClusterRequest::from_body(json::object())) ==
        "(body): give at least one field to change\n");
  CHECK(errors_of(api::PatchClusterRequest::from_body({{"model", nullptr}, {"units", "8"}, {"prices", nullptr}})) ==
        errors_of(catalog::apply_update(*catalog::cluster_from_publish(a_class()),
                                        {{"model", nullptr}, {"units", "8"}, {"prices", nullptr}})));
  CHECK(errors_of(api::PatchClusterRequest::from_body({{"unitz", 4}})).starts_with("unitz: "));

  // The class and the rules across fields need the stored cluster: from_body lets them through.
  const auto current = *catalog::cluster_from_publish(a_class());
  auto change_class = api::PatchClusterRequest::from_body({{"class", "B"}});
  REQUIRE(change_class);
  CHECK(errors_of(change_class->apply_to(current)).starts_with("class: cannot change (this cluster is class A)"));
  auto cpu = api::PatchClusterRequest::from_body({{"resource_type", "CPU"}});
  REQUIRE(cpu);
  CHECK(errors_of(cpu->apply_to(current)).find("units: a CPU-only cluster is one unit") != std::string::npos);
  auto ok = api::PatchClusterRequest::from_body({{"units", 16}, {"class", "a"}});
  REQUIRE(ok);
  auto applied = ok->apply_to(current);
  REQUIRE(applied);
  CHECK(applied->units == 16);
}

TEST_CASE("ListClustersQuery::from_query: defaults and the messages of the query parameters", "[R-API-IVCPC]") {
  auto r = api::ListClustersQuery::from_query({});
  REQUIRE(r);
  CHECK(r->limit_or_default() == 50);
  CHECK(r->offset_or_default() == 0);
  CHECK_FALSE(r->mine);
  CHECK(api::to_query(*r).empty());

  r = api::ListClustersQuery::from_query(query({{"filter", "class=A"},
                                                {"sort", "price_hourly"},
                                                {"limit", "20"},
                                                {"offset", "40"},
                                                {"mine", "true"},
                                                {"region", "any"}}));
  REQUIRE(r);
  CHECK(r->filter == "class=A");
  CHECK(r->limit == 20);
  CHECK(r->offset == 40);
  CHECK(r->mine == true);
  CHECK(api::to_query(*r) == std::vector<std::pair<std::string, std::string>>{{"filter", "class=A"},
                                                                              {"sort", "price_hourly"},
                                                                              {"limit", "20"},
                                                                              {"offset", "40"},
                                                                              {"region", "any"},
                                                                              {"mine", "true"}});

  CHECK(errors_of(api::ListClustersQuery::from_query(query({{"limit", "0"}}))) ==
        "limit: must be an integer from 1 to 500\n");
  CHECK(errors_of(api::ListClustersQuery::from_query(query({{"limit", "501"}}))) ==
        "limit: must be an integer from 1 to 500\n");
  CHECK(errors_of(api::ListClustersQuery::from_query(query({{"limit", "5x"}}))) ==
        "limit: must be an integer from 1 to 500\n");
  CHECK(errors_of(api::ListClustersQuery::from_query(query({{"offset", "-1"}}))) ==
        "offset: must be an integer from 0 to 2147483647\n");
  CHECK(errors_of(api::ListClustersQuery::from_query(query({{"mine", "yes"}}))) == "mine: must be true or false\n");
}

TEST_CASE("SetUnitRequest and VerifyRequest: the field errors of today", "[R-CL-5]") {
  CHECK(api::SetUnitRequest::from_body({{"status", "offline"}})->status == cpshare::UnitStatus::Offline);
  CHECK(errors_of(api::SetUnitRequest::from_body({{"status", "busy"}})) ==
        "status: must be idle or offline (busy is set by leases)\n");
  CHECK(errors_of(api::SetUnitRequest::from_body(json::object())) == "status: is required\n");
  CHECK(api::VerifyRequest::from_body(json::object())->repin == std::nullopt);
  CHECK(api::VerifyRequest::from_body({{"repin", true}})->repin == true);
  CHECK(errors_of(api::VerifyRequest::from_body({{"repin", "yes"}})).starts_with("repin: "));
}

TEST_CASE("ClusterView decodes what it encodes; absent access keys stay absent", "[R-CL-1]") {
  auto c = *catalog::cluster_from_publish(a_class());
  c.cpc_id = "cp-7k2m9x4qvd";
  c.created_at = 1'795'780'800;
  const json pub = api::encode(api::cluster_view(c));
  CHECK(pub["access"] == json{{"method", "ssh"}});
  CHECK(pub["updated_at"].is_null());
  auto back = api::decode<api::ClusterView>(pub);
  REQUIRE(back);
  CHECK(api::encode(*back) == pub);
}
