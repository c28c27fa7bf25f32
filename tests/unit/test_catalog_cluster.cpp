#include <catch2/catch.hpp>

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "api/catalog.hpp"
#include "catalog/cluster.hpp"

namespace api = cpshare::api;
namespace catalog = cpshare::catalog;
using nlohmann::json;

namespace {

bool has(const std::string& message, std::string_view part) { return message.find(part) != std::string::npos; }

// A complete A-class publish request (the issue's example machine).
json a_class() {
  return {
      {"class", "A"},
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
      {"software", {{"cuda", "12.4"}, {"cudnn", "9.1.0"}, {"python", "3.11"}, {"frameworks", {"pytorch 2.3"}}}},
      {"description", "8-GPU node\nNVLink"},
      {"usage", "ssh in with the account you are given;\n/data is the NVMe array"},
      {"access", {{"ssh_host", "gpu01.example.edu.cn"}, {"ssh_port", 2222}, {"ssh_user", "cpshare"}}},
  };
}

// A complete B-class publish request.
json b_class() {
  json b = a_class();
  b["class"] = "B";
  b.erase("usage");
  b["access"] = {{"platform_url", "https://ai.example.com/console"}, {"environments", {"jupyterlab", "vscode"}}};
  return b;
}

// The field errors of a failed request, as "field: message" lines (empty when it succeeded).
std::string errors_of(const cpshare::Result<catalog::Cluster>& r) {
  if (r) return "";
  CHECK(r.error().code == cpshare::ErrorCode::ValidationFailed);
  std::string out;
  for (const auto& e : r.error().fields) out += e.field + ": " + e.message + "\n";
  return out;
}

// The message of the error on `field`, or "(no error on FIELD)".
std::string error_on(const cpshare::Result<catalog::Cluster>& r, std::string_view field) {
  if (!r) {
    for (const auto& e : r.error().fields)
      if (e.field == field) return e.message;
  }
  return "(no error on " + std::string(field) + ")";
}

// The API view as the wire carries it.
json view_json(const catalog::Cluster& c, api::Viewer viewer = api::Viewer::Public) {
  return api::encode(api::cluster_view(c, viewer));
}

catalog::Cluster published(const json& body) {
  auto r = catalog::cluster_from_publish(body);
  INFO(errors_of(r));
  REQUIRE(r);
  return *r;
}

}  // namespace

// ---- CPcId ----------------------------------------------------------------------------------

TEST_CASE("new_cpc_id: cp- and 10 characters of the unambiguous base32 alphabet", "[R-CL-2]") {
  const std::string alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
  for (int i = 0; i < 100; ++i) {
    const std::string id = catalog::new_cpc_id();
    INFO(id);
    REQUIRE(id.size() == 13);
    CHECK(id.starts_with("cp-"));
    for (char c : id.substr(3)) CHECK(alphabet.find(c) != std::string::npos);
    CHECK(id.find_first_of("ilou", 3) == std::string::npos);
    CHECK(catalog::is_cpc_id(id));
  }
}

TEST_CASE("new_cpc_id: 10,000 ids without a collision, every symbol used in every position", "[R-CL-2]") {
  std::set<std::string> ids;
  std::set<std::pair<std::size_t, char>> seen;
  for (int i = 0; i < 10'000; ++i) {
    const std::string id = catalog::new_cpc_id();
    ids.insert(id);
    for (std::size_t p = 3; p < id.size(); ++p) seen.insert({p, id[p]});
  }
  CHECK(ids.size() == 10'000);
  CHECK(seen.size() == 10 * 32);  // all 50 random bits reach the id
}

TEST_CASE("is_cpc_id accepts exactly the CPcId shape", "[R-CL-2]") {
  CHECK(catalog::is_cpc_id("cp-7k2m9x4qvd"));
  for (std::string_view id :
       {"", "cp-", "cp-7k2m9x4qv", "cp-7k2m9x4qvdd", "CP-7k2m9x4qvd", "cp-7K2M9X4QVD", "cp-7k2m9x4qvi", "cp-7k2m9x4qvl",
        "cp-7k2m9x4qvo", "cp-7k2m9x4qvu", "cp_7k2m9x4qvd", "xx-7k2m9x4qvd", " cp-7k2m9x4qvd", "cp-7k2m9x4qv-"}) {
    INFO(id);
    CHECK_FALSE(catalog::is_cpc_id(id));
  }
}

// ---- publish --------------------------------------------------------------------------------

TEST_CASE("cluster_from_publish reads every field of an A-class cluster", "[R-CL-1]") {
  const auto c = published(a_class());
  CHECK(c.cluster_class == 'A');
  CHECK(c.resource_type == "GPU");
  CHECK(c.model == "A100 80GB");
  CHECK(c.units == 8);
  CHECK(c.units_free == 8);
  CHECK(c.unit_memory == 80'000'000'000);
  CHECK(c.memory == 1'024'000'000'000);
  CHECK(c.vcpus == 128);
  CHECK(c.prices.hourly == 1250);
  CHECK_FALSE(c.prices.daily);
  CHECK(c.prices.monthly == 600'000);
  CHECK_FALSE(c.prices.yearly);
  CHECK(c.prices.modes() == std::vector{catalog::BillingMode::Hourly, catalog::BillingMode::Monthly});
  CHECK(c.vendor == "NVIDIA");
  CHECK(c.location == "深圳市");
  CHECK(c.region == "广东省");
  CHECK(c.storage_bytes == 8'160'000'000'000);
  CHECK(c.storage_desc == "2x3.84TB nvme data, 480GB ssd system");
  CHECK(c.cuda == "12.4");
  CHECK(c.cudnn == "9.1.0");
  CHECK(c.python == "3.11");
  CHECK(c.frameworks == std::vector<std::string>{"pytorch 2.3"});
  CHECK(c.description == "8-GPU node\nNVLink");
  CHECK(c.usage == "ssh in with the account you are given;\n/data is the NVMe array");
  CHECK(c.nodes.at(0).host == "gpu01.example.edu.cn");
  CHECK(c.nodes.at(0).port == 2222);
  CHECK(c.nodes.at(0).user == "cpshare");
  CHECK(c.status == catalog::ClusterStatus::Listed);
  CHECK(c.cpc_id.empty());  // the caller assigns it
}

TEST_CASE("cluster_from_publish reads a B-class cluster and its platform access", "[R-CL-1]") {
  const auto c = published(b_class());
  CHECK(c.cluster_class == 'B');
  CHECK(c.usage.empty());
  CHECK(c.platform_url == "https://ai.example.com/console");
  CHECK(c.environments == std::vector<std::string>{"jupyterlab", "vscode"});
  CHECK(c.nodes.empty());
}

TEST_CASE("cluster_from_publish: optional parts and normalised spellings", "[R-CL-1]") {
  json body = a_class();
  body.erase("software");
  body.erase("description");
  body["access"].erase("ssh_port");
  body["class"] = "a";
  body["resource_type"] = "gpu";
  body["access"]["ssh_host"] = "GPU01.Example.edu.cn";
  body["storage"]["description"] = "2*3.84TB SSD data + 480GB system";
  body["description"] = "  \r\n  line one\r\nline two\t(tabbed)  ";
  const auto c = published(body);
  CHECK(c.cluster_class == 'A');
  CHECK(c.resource_type == "GPU");
  CHECK(c.nodes.at(0).port == 22);
  CHECK(c.nodes.at(0).host == "gpu01.example.edu.cn");
  CHECK_FALSE(c.cuda);
  CHECK(c.frameworks.empty());
  CHECK(c.description == "line one\nline two\t(tabbed)");
  CHECK(c.storage_desc == "2x3.84TB SSD data, 480GB system");
}

TEST_CASE("cluster_from_publish: a CPU-only cluster is one unit without accelerator memory", "[R-CL-1]") {
  json body = a_class();
  body["resource_type"] = "CPU";
  body.erase("units");
  body.erase("unit_memory");
  auto c = published(body);
  CHECK(c.units == 1);
  CHECK(c.unit_memory == 0);

  body["units"] = 1;
  body["unit_memory"] = 0;
  CHECK(published(body).units == 1);

  body["units"] = 4;
  body["unit_memory"] = 1'000;
  auto r = catalog::cluster_from_publish(body);
  CHECK(has(error_on(r, "units"), "a CPU-only cluster is one unit"));
  CHECK(has(error_on(r, "unit_memory"), "no accelerator memory"));
}

TEST_CASE("cluster_from_publish names every missing field at once", "[R-CL-1]") {
  auto r = catalog::cluster_from_publish(json::object());
  REQUIRE_FALSE(r);
  for (std::string_view f : {"class", "resource_type", "model", "memory", "vcpus", "prices", "vendor", "location",
                             "region", "storage", "access"}) {
    INFO(f);
    CHECK(has(error_on(r, f), "is required"));
  }
  CHECK(r.error().fields.size() == 11);
  CHECK(has(r.error().message, "invalid input"));
}

TEST_CASE("cluster_from_publish refuses a request without any one required field", "[R-CL-1]") {
  for (std::string_view f : {"class", "resource_type", "model", "units", "unit_memory", "memory", "vcpus", "prices",
                             "vendor", "location", "region", "storage", "usage", "access"}) {
    INFO(f);
    json body = a_class();
    body.erase(std::string(f));
    auto r = catalog::cluster_from_publish(body);
    CHECK(has(error_on(r, f), "is required"));
  }
  for (std::string_view f : {"ssh_host", "ssh_user"}) {
    INFO(f);
    json body = a_class();
    body["access"].erase(std::string(f));
    CHECK(has(error_on(catalog::cluster_from_publish(body), "access." + std::string(f)), "is required"));
  }
  for (std::string_view f : {"platform_url", "environments"}) {
    INFO(f);
    json body = b_class();
    body["access"].erase(std::string(f));
    CHECK(has(error_on(catalog::cluster_from_publish(body), "access." + std::string(f)), "is required"));
  }
  json body = a_class();
  body["storage"] = json::object();
  CHECK(has(error_on(catalog::cluster_from_publish(body), "storage.description"), "is required"));
  body = a_class();
  body["model"] = "   ";
  CHECK(has(error_on(catalog::cluster_from_publish(body), "model"), "must not be empty"));
  body = a_class();
  body["usage"] = "";
  CHECK(has(error_on(catalog::cluster_from_publish(body), "usage"), "must not be empty"));
}

TEST_CASE("cluster_from_publish refuses negative, zero and non-integer prices", "[R-CL-1]") {
  json body = a_class();
  body["prices"] = {{"hourly", -1250}, {"daily", 0}, {"monthly", 12.5}, {"yearly", "12.50"}};
  auto r = catalog::cluster_from_publish(body);
  CHECK(has(error_on(r, "prices.hourly"), "must not be negative"));
  CHECK(has(error_on(r, "prices.hourly"), "per unit per hour"));
  CHECK(has(error_on(r, "prices.daily"), "at least 1 fen"));
  CHECK(has(error_on(r, "prices.monthly"), "integer number of fen"));
  CHECK(has(error_on(r, "prices.yearly"), "send 1250 for 12.50 yuan"));

  body["prices"] = {{"hourly", 100'000'000'000'001}};
  CHECK(has(error_on(catalog::cluster_from_publish(body), "prices.hourly"), "at most 100000000000000"));
  body["prices"] = {{"hourly", 18'446'744'073'709'551'615ULL}};
  CHECK(has(error_on(catalog::cluster_from_publish(body), "prices.hourly"), "at most"));
}

TEST_CASE("cluster_from_publish refuses an unknown billing mode and names the modes", "[R-CL-1]") {
  json body = a_class();
  body["prices"] = {{"hourly", 1250}, {"weekly", 5000}, {"hourli", 1}};
  auto r = catalog::cluster_from_publish(body);
  CHECK(has(error_on(r, "prices.weekly"), "hourly, daily, monthly and yearly"));
  CHECK(has(error_on(r, "prices.hourli"), "did you mean 'hourly'?"));

  body["prices"] = json::object();
  CHECK(has(error_on(catalog::cluster_from_publish(body), "prices"), "at least one billing mode"));
  body["prices"] = {{"hourly", nullptr}};
  CHECK(has(error_on(catalog::cluster_from_publish(body), "prices"), "at least one billing mode"));
  body["prices"] = 1250;
  CHECK(has(error_on(catalog::cluster_from_publish(body), "prices"), R"({"hourly": 1250)"));
}

TEST_CASE("cluster_from_publish refuses malformed storage and names the item", "[R-CL-1]") {
  json body = a_class();
  body["storage"] = {{"description", "2x3.84TB nvme data, 480XB ssd"}};
  auto r = catalog::cluster_from_publish(body);
  const std::string m = error_on(r, "storage.description");
  CHECK(has(m, "item 2 '480XB ssd'"));
  CHECK(has(m, "unknown unit 'XB'"));

  body["storage"] = "2x3.84TB nvme data";
  CHECK(has(error_on(catalog::cluster_from_publish(body), "storage"), R"({"description": )"));
  body["storage"] = {{"description", "1TB"}, {"size", 1}};
  CHECK(has(error_on(catalog::cluster_from_publish(body), "storage.size"), "unknown field"));
}

TEST_CASE("cluster_from_publish: storage total_bytes may be sent but must match", "[R-CL-1]") {
  json body = a_class();
  body["storage"]["total_bytes"] = 8'160'000'000'000;
  CHECK(published(body).storage_bytes == 8'160'000'000'000);
  body["storage"]["total_bytes"] = 8'000'000'000'000;
  const std::string m = error_on(catalog::cluster_from_publish(body), "storage.total_bytes");
  CHECK(has(m, "adds up to 8160000000000 bytes (8.16 TB)"));
  CHECK(has(m, "leave total_bytes out"));
}

TEST_CASE("cluster_from_publish: sizes are integers of bytes on the wire", "[R-CL-1]") {
  json body = a_class();
  body["unit_memory"] = "80GB";
  body["memory"] = -1;
  body["units"] = 0;
  body["vcpus"] = 100'001;
  auto r = catalog::cluster_from_publish(body);
  CHECK(has(error_on(r, "unit_memory"), "send 80000000000 for 80GB"));
  CHECK(has(error_on(r, "memory"), "must not be negative"));
  CHECK(has(error_on(r, "units"), "at least 1"));
  CHECK(has(error_on(r, "vcpus"), "at most 100000"));

  body = a_class();
  body["units"] = 1025;
  body["unit_memory"] = 0;
  body["memory"] = "lots";
  r = catalog::cluster_from_publish(body);
  CHECK(has(error_on(r, "units"), "at most 1024"));
  CHECK(has(error_on(r, "unit_memory"), "greater than 0"));
  CHECK(has(error_on(r, "memory"), "e.g. 80000000000 for 80GB"));
}

TEST_CASE("cluster_from_publish: class and resource type are closed sets", "[R-CL-1]") {
  json body = a_class();
  body["class"] = "C";
  body["resource_type"] = "TPU";
  auto r = catalog::cluster_from_publish(body);
  CHECK(has(error_on(r, "class"), "must be A (bare metal"));
  CHECK(has(error_on(r, "resource_type"), "must be GPU, NPU or CPU"));
  body = a_class();
  body["resource_type"] = "npu";
  CHECK(published(body).resource_type == "NPU");
}

TEST_CASE("cluster_from_publish: usage instructions are for A-class only", "[R-CL-1]") {
  json body = b_class();
  body["usage"] = "log in";
  CHECK(has(error_on(catalog::cluster_from_publish(body), "usage"), "only A-class clusters"));
  body = a_class();
  body["usage"] = std::string(4001, 'u');
  CHECK(has(error_on(catalog::cluster_from_publish(body), "usage"), "at most 4000 characters"));
  body = a_class();
  body["description"] = std::string(4000, 'd');
  CHECK(published(body).description.size() == 4000);
  body["description"] = "bell\a";
  CHECK(has(error_on(catalog::cluster_from_publish(body), "description"), "control characters"));
}

TEST_CASE("cluster_from_publish: A-class SSH access is checked", "[R-CL-1]") {
  for (std::string_view host : {"gpu01.example.edu.cn", "10.0.0.5", "2001:db8::1", "localhost", "node-7"}) {
    INFO(host);
    json body = a_class();
    body["access"]["ssh_host"] = host;
    CHECK(published(body).nodes.at(0).host == host);
  }
  for (std::string_view host :
       {"gpu 01", "-oProxyCommand=sh", "10.0.0.256", "gpu_01.lab", "a..b", "[::1]", "host.", "2001:db8::zz"}) {
    INFO(host);
    json body = a_class();
    body["access"]["ssh_host"] = host;
    const std::string m = error_on(catalog::cluster_from_publish(body), "access.ssh_host");
    CHECK((has(m, "must be a host name") || has(m, "is not a valid IP")));
  }
  json body = a_class();
  body["access"]["ssh_port"] = 0;
  body["access"]["ssh_user"] = "Root";
  auto r = catalog::cluster_from_publish(body);
  CHECK(has(error_on(r, "access.ssh_port"), "at least 1"));
  CHECK(has(error_on(r, "access.ssh_user"), "POSIX user name"));
  body["access"]["ssh_port"] = 65536;
  body["access"]["ssh_user"] = "-oops";
  r = catalog::cluster_from_publish(body);
  CHECK(has(error_on(r, "access.ssh_port"), "at most 65535"));
  CHECK(has(error_on(r, "access.ssh_user"), "POSIX user name"));
  body["access"]["ssh_user"] = "_svc-gpu01";
  body["access"]["ssh_port"] = 65535;
  CHECK(published(body).nodes.at(0).user == "_svc-gpu01");
}

TEST_CASE("cluster_from_publish: access keys of the other class are refused with the reason", "[R-CL-1]") {
  json body = a_class();
  body["access"]["platform_url"] = "https://ai.example.com";
  CHECK(has(error_on(catalog::cluster_from_publish(body), "access.platform_url"), "only B-class clusters"));
  body = b_class();
  body["access"]["ssh_host"] = "gpu01";
  CHECK(has(error_on(catalog::cluster_from_publish(body), "access.ssh_host"), "only A-class clusters"));
  body = b_class();
  body["access"]["method"] = "ssh";
  CHECK(has(error_on(catalog::cluster_from_publish(body), "access.method"), "is 'platform' for a class B"));
}

TEST_CASE("cluster_from_publish: B-class platform access is checked", "[R-CL-1]") {
  for (std::string_view url : {"https://ai.example.com/console", "http://10.0.0.5:8080/", "HTTPS://AI.example.com",
                               "https://[2001:db8::1]:8443/x?y#z"}) {
    INFO(url);
    json body = b_class();
    body["access"]["platform_url"] = url;
    CHECK(published(body).platform_url == url);
  }
  struct Case {
    std::string_view url, problem;
  };
  for (const auto& c : {Case{"ftp://ai.example.com", "http:// or https://"}, Case{"ai.example.com", "http://"},
                        Case{"https://", "needs a host"}, Case{"https://user:pw@ai.example.com", "user name"},
                        Case{"https://ai.example.com:99999/", "port"}, Case{"https://ai example.com", "spaces"},
                        Case{"https://2001:db8::1/", "brackets"}, Case{"https://bad_host/", "has a host that"}}) {
    INFO(c.url);
    json body = b_class();
    body["access"]["platform_url"] = c.url;
    CHECK(has(error_on(catalog::cluster_from_publish(body), "access.platform_url"), c.problem));
  }
  json body = b_class();
  body["access"]["environments"] = json::array();
  CHECK(has(error_on(catalog::cluster_from_publish(body), "access.environments"), "at least one"));
  body["access"]["environments"] = {"jupyterlab", "JupyterLab", 7};
  auto r = catalog::cluster_from_publish(body);
  CHECK(has(error_on(r, "access.environments[1]"), "repeats 'jupyterlab'"));
  CHECK(has(error_on(r, "access.environments[2]"), "must be a string"));
}

TEST_CASE("cluster_from_publish: the software environment is checked", "[R-CL-1]") {
  json body = a_class();
  body["software"] = {
      {"cuda", "12.x"}, {"python", "three"}, {"frameworks", {"pytorch 2.3, tensorflow 2.16"}}, {"drivers", "550"}};
  auto r = catalog::cluster_from_publish(body);
  CHECK(has(error_on(r, "software.cuda"), "e.g. 12.4 or 11.8.0"));
  CHECK(has(error_on(r, "software.python"), "is not a version"));
  CHECK(has(error_on(r, "software.frameworks[0]"), "must not contain ','"));
  CHECK(has(error_on(r, "software.drivers"), "unknown field"));
  body["software"] = {{"frameworks", "pytorch"}};
  CHECK(has(error_on(catalog::cluster_from_publish(body), "software.frameworks"), "must be a list"));
}

TEST_CASE("cluster_from_publish refuses unknown fields and a body that is not an object", "[R-CL-1]") {
  json body = a_class();
  body["price"] = 1250;
  body["cpc_id"] = "cp-7k2m9x4qvd";
  auto r = catalog::cluster_from_publish(body);
  CHECK(has(error_on(r, "price"), "did you mean 'prices'?"));
  CHECK(has(error_on(r, "cpc_id"), "unknown field"));
  for (const json& bad : {json::array(), json("cluster"), json(nullptr)})
    CHECK(has(error_on(catalog::cluster_from_publish(bad), "(body)"), "JSON object"));
}

// ---- update ---------------------------------------------------------------------------------

TEST_CASE("apply_update changes prices: set, add and withdraw a mode", "[R-CL-4]") {
  const auto current = published(a_class());
  auto r = catalog::apply_update(current, {{"prices", {{"hourly", 1500}, {"yearly", 6'000'000}}}});
  REQUIRE(r);
  CHECK(r->prices.hourly == 1500);
  CHECK(r->prices.monthly == 600'000);  // untouched modes stay
  CHECK(r->prices.yearly == 6'000'000);

  r = catalog::apply_update(current, {{"prices", {{"hourly", nullptr}}}});
  REQUIRE(r);
  CHECK_FALSE(r->prices.hourly);
  CHECK(r->prices.modes() == std::vector{catalog::BillingMode::Monthly});

  r = catalog::apply_update(current, {{"prices", {{"hourly", nullptr}, {"monthly", nullptr}}}});
  CHECK(has(error_on(r, "prices"), "at least one billing mode"));
  r = catalog::apply_update(current, {{"prices", {{"hourly", -5}}}});
  CHECK(has(error_on(r, "prices.hourly"), "must not be negative"));
  r = catalog::apply_update(current, {{"prices", {{"weekly", 5}}}});
  CHECK(has(error_on(r, "prices.weekly"), "hourly, daily, monthly and yearly"));
  r = catalog::apply_update(current, {{"prices", nullptr}});
  CHECK(has(error_on(r, "prices"), "cannot be removed"));
}

TEST_CASE("apply_update changes configuration and description, keeping the rest", "[R-CL-4]") {
  auto current = published(a_class());
  current.cpc_id = "cp-7k2m9x4qvd";
  current.id = 42;
  current.units_free = 3;
  current.created_at = 1'780'000'000;
  current.status = catalog::ClusterStatus::Delisted;
  auto r = catalog::apply_update(current, {{"units", 16},
                                           {"memory", 2'048'000'000'000},
                                           {"vcpus", 256},
                                           {"model", "H100 80GB"},
                                           {"storage", {{"description", "4x7.68TB nvme"}}},
                                           {"software", {{"cuda", "12.6"}, {"cudnn", nullptr}}},
                                           {"description", "upgraded"},
                                           {"access", {{"ssh_port", 22022}}}});
  REQUIRE(r);
  CHECK(r->units == 16);
  CHECK(r->memory == 2'048'000'000'000);
  CHECK(r->vcpus == 256);
  CHECK(r->model == "H100 80GB");
  CHECK(r->storage_bytes == 30'720'000'000'000);
  CHECK(r->storage_desc == "4x7.68TB nvme");
  CHECK(r->cuda == "12.6");
  CHECK_FALSE(r->cudnn);
  CHECK(r->python == "3.11");
  CHECK(r->description == "upgraded");
  CHECK(r->nodes.at(0).port == 22022);
  CHECK(r->nodes.at(0).host == "gpu01.example.edu.cn");
  // Not the request's to change.
  CHECK(r->cpc_id == "cp-7k2m9x4qvd");
  CHECK(r->id == 42);
  CHECK(r->units_free == 3);
  CHECK(r->created_at == 1'780'000'000);
  CHECK(r->status == catalog::ClusterStatus::Delisted);
  CHECK(r->prices.hourly == 1250);
  CHECK(r->vendor == "NVIDIA");

  r = catalog::apply_update(current,
                            {{"description", nullptr}, {"software", nullptr}, {"access", {{"ssh_port", nullptr}}}});
  REQUIRE(r);
  CHECK(r->description.empty());
  CHECK_FALSE(r->cuda);
  CHECK(r->frameworks.empty());
  CHECK(r->nodes.at(0).port == 22);
}

TEST_CASE("apply_update refuses to change the class or remove what every cluster has", "[R-CL-4]") {
  const auto current = published(a_class());
  auto r = catalog::apply_update(current, {{"class", "B"}});
  CHECK(has(error_on(r, "class"), "cannot change"));
  CHECK(catalog::apply_update(current, {{"class", "a"}, {"vcpus", 64}}));  // the same class is no change
  r = catalog::apply_update(current, {{"model", nullptr},
                                      {"resource_type", nullptr},
                                      {"units", nullptr},
                                      {"unit_memory", nullptr},
                                      {"memory", nullptr},
                                      {"vcpus", nullptr},
                                      {"vendor", nullptr},
                                      {"storage", nullptr},
                                      {"usage", nullptr},
                                      {"access", {{"ssh_host", nullptr}, {"ssh_user", nullptr}}}});
  const std::vector<std::string_view> fields{"model",  "resource_type",   "units",          "unit_memory",
                                             "memory", "vcpus",           "vendor",         "storage",
                                             "usage",  "access.ssh_host", "access.ssh_user"};
  for (std::string_view f : fields) {
    INFO(f);
    CHECK(has(error_on(r, f), "cannot be removed"));
  }
  CHECK(r.error().fields.size() == fields.size());  // one error each
  r = catalog::apply_update(current, {{"access", nullptr}});
  CHECK(has(error_on(r, "access"), "cannot be removed"));
  r = catalog::apply_update(current, json::object());
  CHECK(has(error_on(r, "(body)"), "at least one field"));
  r = catalog::apply_update(current, {{"unitz", 4}});
  CHECK(has(error_on(r, "unitz"), "did you mean 'units'?"));
}

TEST_CASE("apply_update collects every error at once", "[R-CL-4]") {
  const auto current = published(a_class());
  auto r = catalog::apply_update(current, {{"prices", {{"hourly", -1}}},
                                           {"access", {{"ssh_port", 0}, {"platform_url", "https://x.example"}}},
                                           {"storage", {{"description", "1TB, 2XB"}}},
                                           {"vcpus", 0}});
  REQUIRE_FALSE(r);
  CHECK(r.error().fields.size() == 5);
  CHECK(has(error_on(r, "prices.hourly"), "negative"));
  CHECK(has(error_on(r, "access.ssh_port"), "at least 1"));
  CHECK(has(error_on(r, "access.platform_url"), "only B-class"));
  CHECK(has(error_on(r, "storage.description"), "item 2 '2XB'"));
  CHECK(has(error_on(r, "vcpus"), "at least 1"));
}

TEST_CASE("apply_update checks the merged cluster: resource type against units", "[R-CL-4]") {
  const auto current = published(a_class());
  auto r = catalog::apply_update(current, {{"resource_type", "CPU"}});
  CHECK(has(error_on(r, "units"), "set units to 1"));
  CHECK(has(error_on(r, "unit_memory"), "set it to 0"));
  r = catalog::apply_update(current, {{"resource_type", "CPU"}, {"units", 1}, {"unit_memory", nullptr}});
  REQUIRE(r);
  CHECK(r->resource_type == "CPU");
  CHECK(r->unit_memory == 0);
  r = catalog::apply_update(*r, {{"resource_type", "NPU"}});
  CHECK(has(error_on(r, "unit_memory"), "greater than 0"));
}

TEST_CASE("apply_update on a B-class cluster", "[R-CL-4]") {
  const auto current = published(b_class());
  auto r = catalog::apply_update(current, {{"access", {{"environments", {"jupyterlab"}}}}});
  REQUIRE(r);
  CHECK(r->environments == std::vector<std::string>{"jupyterlab"});
  CHECK(r->platform_url == "https://ai.example.com/console");
  r = catalog::apply_update(current, {{"usage", "x"}});
  CHECK(has(error_on(r, "usage"), "only A-class"));
  r = catalog::apply_update(current, {{"access", {{"environments", json::array()}}}});
  CHECK(has(error_on(r, "access.environments"), "at least one"));
}

// ---- the API view ---------------------------------------------------------------------------

TEST_CASE("cluster_view: integers on the wire, prices per mode, storage, software, status", "[R-CL-1]") {
  auto c = published(a_class());
  c.cpc_id = "cp-7k2m9x4qvd";
  c.owner = "acme";
  c.created_at = 1'795'780'800;  // 2026-11-27T12:00:00Z
  const json j = view_json(c);
  CHECK(j["cpc_id"] == "cp-7k2m9x4qvd");
  CHECK(j["owner"] == "acme");
  CHECK(j["class"] == "A");
  CHECK(j["resource_type"] == "GPU");
  CHECK(j["units"] == 8);
  CHECK(j["units_free"] == 8);
  CHECK(j["unit_memory"] == 80'000'000'000);
  CHECK(j["memory"] == 1'024'000'000'000);
  CHECK(j["vcpus"] == 128);
  CHECK(j["prices"] == json{{"hourly", 1250}, {"daily", nullptr}, {"monthly", 600'000}, {"yearly", nullptr}});
  CHECK(j["billing_modes"] == json{"hourly", "monthly"});
  CHECK(j["location"] == "深圳市");
  CHECK(j["storage"] ==
        json{{"total_bytes", 8'160'000'000'000}, {"description", "2x3.84TB nvme data, 480GB ssd system"}});
  CHECK(j["software"]["cuda"] == "12.4");
  CHECK(j["software"]["frameworks"] == json{"pytorch 2.3"});
  CHECK(j["usage"] == "ssh in with the account you are given;\n/data is the NVMe array");
  CHECK(j["status"] == "listed");
  CHECK(j["created_at"] == "2026-11-27T12:00:00Z");
  CHECK(j["updated_at"].is_null());
}

TEST_CASE("cluster_view: A-class SSH access only in the owner's view", "[R-CL-1]") {
  const auto c = published(a_class());
  const json pub = view_json(c);
  CHECK(pub["access"] == json{{"method", "ssh"}});
  CHECK_FALSE(has(pub.dump(), "gpu01"));
  CHECK_FALSE(has(pub.dump(), "cpshare"));
  const json own = view_json(c, api::Viewer::Owner);
  CHECK(own["access"] == json{{"method", "ssh"},
                              {"nodes",
                               {{{"host", "gpu01.example.edu.cn"},
                                 {"port", 2222},
                                 {"user", "cpshare"},
                                 {"units", 8},
                                 {"device_ids", json::array()},
                                 {"host_key_fingerprint", nullptr}}}}});

  const json b = view_json(published(b_class()));
  CHECK(b["access"] == json{{"method", "platform"},
                            {"platform_url", "https://ai.example.com/console"},
                            {"environments", {"jupyterlab", "vscode"}}});
  CHECK(b["usage"].is_null());
}

TEST_CASE("cluster_view parts can be sent back as an update unchanged", "[R-CL-4]") {
  const auto c = published(a_class());
  const json view = view_json(c, api::Viewer::Owner);
  auto r = catalog::apply_update(c, {{"storage", view["storage"]},
                                     {"access", view["access"]},
                                     {"prices", view["prices"]},
                                     {"software", view["software"]},
                                     {"class", view["class"]}});
  INFO(errors_of(r));
  REQUIRE(r);
  CHECK(view_json(*r, api::Viewer::Owner) == view);
}
