// The catalogue commands end to end in-process against a fake cpshared: human units become
// bytes and fen, only the given fields are sent, query parameters land in the URL.
#include <algorithm>
#include <fstream>

#include <catch2/catch.hpp>

#include "api/envelope.hpp"
#include "catalog/filter.hpp"
#include "cli_test_support.hpp"

using cpshare::testing::Cli;
using cpshare::testing::FakeServer;
using cpshare::testing::TempDir;
using nlohmann::json;

namespace {

const std::string kId = "cp-7k2m9x4qvd";

json cluster_view(const std::string& id = kId) {
  return {{"cpc_id", id},
          {"owner", "acme"},
          {"class", "A"},
          {"resource_type", "GPU"},
          {"model", "A100 80GB"},
          {"units", 8},
          {"units_free", 6},
          {"unit_memory", 80'000'000'000},
          {"memory", 1'000'000'000'000},
          {"vcpus", 128},
          {"prices", {{"hourly", 1250}, {"daily", nullptr}, {"monthly", 600000}, {"yearly", nullptr}}},
          {"billing_modes", {"hourly", "monthly"}},
          {"vendor", "NVIDIA"},
          {"location", "深圳市"},
          {"region", "Guangdong"},
          {"storage", {{"total_bytes", 8'160'000'000'000}, {"description", "2x3.84TB nvme data, 480GB ssd system"}}},
          {"software", {{"cuda", "12.4"}, {"cudnn", nullptr}, {"python", "3.11"}, {"frameworks", {"pytorch 2.3"}}}},
          {"description", "Eight A100s.\nNVLink."},
          {"usage", "ssh in as your leaser account"},
          {"nodes", 1},
          {"nodes_free", 1},
          {"access",
           {{"method", "ssh"},
            {"nodes",
             {{{"host", "gpu1.example.org"},
               {"port", 22},
               {"user", "cpshare"},
               {"units", 8},
               {"device_ids", json::array()},
               {"host_key_fingerprint", nullptr}}}}}},
          {"status", "listed"},
          {"created_at", "2026-11-27T12:00:00Z"},
          {"updated_at", "2026-11-27T12:00:00Z"}};
}

// A publish answer as the daemon sends it: every member, null where empty.
json published_view(const json& cluster = cluster_view()) {
  return {{"cluster", cluster}, {"provisioning_public_key", nullptr}, {"agent_token", nullptr}};
}

// `publish` with `flags`, completed by the other flags a cluster of class `cls` needs (the CLI
// checks a publish request with the daemon's parser before it sends it).
std::vector<std::string> publish_with(std::vector<std::string> flags, const std::string& cls = "A") {
  std::vector<std::string> out = {"publish"};
  const std::vector<std::pair<std::string, std::string>> defaults = {
      {"--class", cls},          {"--resource-type", "GPU"}, {"--model", "A100 80GB"},  {"--units", "8"},
      {"--unit-memory", "80GB"}, {"--memory", "1TB"},        {"--vcpus", "128"},        {"--price-hourly", "12.50"},
      {"--vendor", "NVIDIA"},    {"--location", "深圳市"},   {"--region", "Guangdong"}, {"--storage", "2TB nvme"}};
  for (const auto& [flag, value] : defaults)
    if (std::find(flags.begin(), flags.end(), flag) == flags.end()) out.insert(out.end(), {flag, value});
  const bool a_class = std::find(flags.begin(), flags.end(), "B") == flags.end() && cls == "A";
  if (a_class) {
    for (const auto& [flag, value] : std::vector<std::pair<std::string, std::string>>{
             {"--usage", "ssh in"}, {"--ssh-host", "gpu1.example.org"}, {"--ssh-user", "cpshare"}})
      if (std::find(flags.begin(), flags.end(), flag) == flags.end()) out.insert(out.end(), {flag, value});
  } else {
    for (const auto& [flag, value] : std::vector<std::pair<std::string, std::string>>{
             {"--platform-url", "https://p.example.org"}, {"--environment", "jupyterlab"}})
      if (std::find(flags.begin(), flags.end(), flag) == flags.end()) out.insert(out.end(), {flag, value});
  }
  out.insert(out.end(), flags.begin(), flags.end());
  return out;
}

void log_in(Cli& cli, FakeServer& server) {
  server.on("POST /api/v1/sessions",
            cpshare::testing::login_answer({{"token", "T0KEN"},
                                            {"session", {{"id", "s_0123456789abcdef"}, {"current", true}}},
                                            {"account", {{"username", "acme"}, {"role", "supplier"}}}}),
            201);
  cli.stdin_text = "pw\n";
  REQUIRE(cli({"login", "--server", server.url(), "--username", "acme", "--password-stdin"}) == 0);
  cli.stdin_text.clear();
}

}  // namespace

TEST_CASE("numbers, sizes and prices typed in full-width forms are the ASCII they mean", "[cli][catalog][R-CL-1]") {
  // Issue 8, kind 1: a Chinese input method gives "８", "８０ＧＢ", "１２．５０" (NFKC).
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  server.on("POST /api/v1/clusters", published_view(), 201);
  CHECK(cli(publish_with({"--class", "A", "--units", "８", "--unit-memory", "８０ＧＢ", "--price-hourly", "１２．５０",
                          "--ssh-port", "２２２２"})) == 0);
  const json sent = server.last("POST /api/v1/clusters").json_body();
  CHECK(sent["units"] == 8);
  CHECK(sent["unit_memory"] == 80'000'000'000);
  CHECK(sent["prices"]["hourly"] == 1250);
  CHECK(sent["access"]["ssh_port"] == 2222);
}

TEST_CASE("publish from flags sends bytes, fen, storage and repeated flags", "[cli][catalog][R-CL-1]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  TempDir tmp;
  std::ofstream(tmp.path / "usage.md") << "ssh in\nthen run nvidia-smi\n";
  server.on("POST /api/v1/clusters", published_view(), 201);
  CHECK(cli({"publish",
             "--class",
             "A",
             "--resource-type",
             "GPU",
             "--model",
             "A100 80GB",
             "--units",
             "8",
             "--unit-memory",
             "80GB",
             "--memory",
             "1TiB",
             "--vcpus",
             "128",
             "--price-hourly",
             "12.50",
             "--price-monthly",
             "6000",
             "--vendor",
             "NVIDIA",
             "--location",
             "深圳市",
             "--region",
             "Guangdong",
             "--storage",
             "2x3.84TB nvme data, 480GB ssd system",
             "--cuda",
             "12.4",
             "--python",
             "3.11",
             "--framework",
             "pytorch 2.3",
             "--framework",
             "jax 0.4",
             "--description",
             "Eight A100s.",
             "--usage-file",
             (tmp.path / "usage.md").string(),
             "--ssh-host",
             "gpu1.example.org",
             "--ssh-port",
             "2222",
             "--ssh-user",
             "cpshare"}) == 0);
  const json sent = server.last("POST /api/v1/clusters").json_body();
  CHECK(sent == json{{"class", "A"},
                     {"resource_type", "GPU"},
                     {"model", "A100 80GB"},
                     {"units", 8},
                     {"unit_memory", 80'000'000'000},
                     {"memory", std::int64_t{1} << 40},
                     {"vcpus", 128},
                     {"prices", {{"hourly", 1250}, {"monthly", 600000}}},
                     {"vendor", "NVIDIA"},
                     {"location", "深圳市"},
                     {"region", "Guangdong"},
                     {"storage", {{"description", "2x3.84TB nvme data, 480GB ssd system"}}},
                     {"software", {{"cuda", "12.4"}, {"python", "3.11"}, {"frameworks", {"pytorch 2.3", "jax 0.4"}}}},
                     {"description", "Eight A100s."},
                     {"usage", "ssh in\nthen run nvidia-smi\n"},
                     {"access", {{"ssh_host", "gpu1.example.org"}, {"ssh_port", 2222}, {"ssh_user", "cpshare"}}}});
  CHECK_THAT(cli.out, Catch::StartsWith("Published " + kId + "\n") && Catch::Contains("12.50/h"));

  CHECK(cli(publish_with({"--json", "--class", "B", "--environment", "jupyterlab", "--environment", "vscode",
                          "--platform-url", "https://p.example.org"},
                         "B")) == 0);
  CHECK(server.last("POST /api/v1/clusters").json_body()["access"] ==
        json{{"platform_url", "https://p.example.org"}, {"environments", {"jupyterlab", "vscode"}}});
  CHECK(cli.out_json() == published_view());
}

TEST_CASE("publish --file sends the file as is; with flags it is a usage error", "[cli][catalog]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  TempDir tmp;
  const json request = {{"class", "B"},
                        {"resource_type", "GPU"},
                        {"model", "RTX 4090"},
                        {"units", 2},
                        {"unit_memory", 24'000'000'000},
                        {"memory", 256'000'000'000},
                        {"vcpus", 32},
                        {"prices", {{"daily", 9900}}},
                        {"vendor", "NVIDIA"},
                        {"location", "广州市"},
                        {"region", "Guangdong"},
                        {"storage", {{"description", "1TB nvme"}, {"total_bytes", 1'000'000'000'000}}},
                        {"access", {{"platform_url", "https://p.example.org"}, {"environments", {"jupyterlab"}}}}};
  std::ofstream(tmp.path / "cluster.json") << request.dump(2);
  server.on("POST /api/v1/clusters", published_view(), 201);
  CHECK(cli({"publish", "--file", (tmp.path / "cluster.json").string()}) == 0);
  CHECK(server.last("POST /api/v1/clusters").json_body() == request);

  const auto before = server.requests().size();
  // The file is checked with the daemon's own parser (api::PublishClusterRequest::from_body) before
  // anything is sent: the same fields and messages, named by JSON path.
  json bad = request;
  bad.erase("model");
  bad["prices"] = {{"daily", "99.00"}};
  std::ofstream(tmp.path / "bad.json") << bad.dump(2);
  CHECK(cli({"publish", "--file", (tmp.path / "bad.json").string()}) == 2);
  CHECK_THAT(cli.err,
             Catch::Contains("  model: is required\n") &&
                 Catch::Contains("  prices.daily: must be an integer number of fen: send 9900 for 99.00 yuan"));
  CHECK(server.requests().size() == before);
  CHECK(cli({"publish", "--file", (tmp.path / "cluster.json").string(), "--units", "4"}) == 2);
  CHECK_THAT(cli.err, Catch::Contains("--file") && Catch::Contains("--units"));
  CHECK(cli({"publish"}) == 2);  // nothing to publish
  CHECK(server.requests().size() == before);
}

TEST_CASE("publish refuses bad human units locally, all at once, sending nothing", "[cli][catalog]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  const auto before = server.requests().size();
  CHECK(cli({"publish", "--class", "A", "--unit-memory", "80XB", "--memory", "-1GB", "--price-hourly", "12.555",
             "--price-daily", "¥30", "--storage", "2x3.84 nvme", "--units", "eight", "--ssh-port", "70000"}) == 2);
  for (const char* flag :
       {"--unit-memory", "--memory", "--price-hourly", "--price-daily", "--storage", "--units", "--ssh-port"})
    CHECK_THAT(cli.err, Catch::Contains(std::string("  ") + flag + ": "));
  CHECK(server.requests().size() == before);

  CHECK(cli({"--json", "publish", "--price-hourly", "12.555"}) == 2);
  CHECK(cli.out_json()["error"]["code"] == "VALIDATION_FAILED");
  CHECK(cli.out_json()["error"]["fields"][0]["field"] == "--price-hourly");
  CHECK(server.requests().size() == before);
}

TEST_CASE("publish: the server's field errors name the flag too", "[cli][catalog]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  server.on_error("POST /api/v1/clusters", 422,
                  {{"code", "VALIDATION_FAILED"},
                   {"message", "invalid"},
                   {"fields", {{{"field", "prices.hourly"}, {"message", "must be at least 1 fen"}}}}});
  CHECK(cli(publish_with({"--price-hourly", "1"})) == 2);
  CHECK_THAT(cli.err, Catch::Contains("prices.hourly (--price-hourly): must be at least 1 fen"));
  // With --json the field is the API's path, as scripts match it.
  auto args = publish_with({"--price-hourly", "1"});
  args.insert(args.begin(), "--json");
  CHECK(cli(args) == 2);
  CHECK(json::parse(cli.out)["error"]["fields"][0]["field"] == "prices.hourly");
}

TEST_CASE("update sends a merge patch of only the given fields", "[cli][catalog]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  server.on("PATCH /api/v1/clusters/" + kId, {{"cluster", cluster_view()}});
  CHECK(cli({"update", kId, "--price-hourly", "11", "--cuda", "12.6", "--framework", "jax 0.4", "--storage", "4TB nvme",
             "--ssh-port", "2200"}) == 0);
  CHECK(server.last("PATCH /api/v1/clusters/" + kId).json_body() ==
        json{{"prices", {{"hourly", 1100}}},
             {"software", {{"cuda", "12.6"}, {"frameworks", {"jax 0.4"}}}},
             {"storage", {{"description", "4TB nvme"}}},
             {"access", {{"ssh_port", 2200}}}});
  CHECK_THAT(cli.out, Catch::StartsWith("Updated " + kId));

  CHECK(cli({"update", "CP-7K2M9X4QVD", "--units", "16"}) == 0);  // ids are case-insensitive
  CHECK(server.last("PATCH /api/v1/clusters/" + kId).json_body() == json{{"units", 16}});
  // An IPv6 --ssh-host in brackets, as --node takes it, is the address inside.
  CHECK(cli({"update", kId, "--ssh-host", "[2001:db8::5]"}) == 0);
  CHECK(server.last("PATCH /api/v1/clusters/" + kId).json_body() == json{{"access", {{"ssh_host", "2001:db8::5"}}}});

  TempDir tmp;
  const json patch = {{"prices", {{"daily", nullptr}}}, {"description", nullptr}};
  std::ofstream(tmp.path / "patch.json") << patch.dump();
  CHECK(cli({"update", kId, "--file", (tmp.path / "patch.json").string()}) == 0);
  CHECK(server.last("PATCH /api/v1/clusters/" + kId).json_body() == patch);

  const auto before = server.requests().size();
  CHECK(cli({"update", kId}) == 2);
  CHECK_THAT(cli.err, Catch::Contains("nothing to update"));
  CHECK(cli({"update", "cp-bad", "--units", "2"}) == 2);
  CHECK(server.requests().size() == before);
}

TEST_CASE("list and filter put their parameters in the URL", "[cli][catalog]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  json second = cluster_view("cp-abcdefghjk");
  second["class"] = "B";
  second["prices"] = {{"hourly", nullptr}, {"daily", 28000}, {"monthly", nullptr}, {"yearly", nullptr}};
  second["unit_memory"] = 0;
  second["status"] = "delisted";
  server.on("GET /api/v1/clusters", {{"items", {cluster_view(), second}}, {"limit", 50}, {"offset", 0}});

  CHECK(cli({"list", "--mine", "--region", "any", "--sort", "price_hourly", "--limit", "20", "--offset", "40"}) == 0);
  CHECK(server.last("GET /api/v1/clusters").target ==
        "/api/v1/clusters?sort=price_hourly&limit=20&offset=40&region=any&mine=true");
  CHECK_THAT(cli.out, Catch::StartsWith("CPCID") && Catch::Contains("STATUS") && Catch::Contains("6/8") &&
                          Catch::Contains("80 GB") && Catch::Contains("12.50/h") && Catch::Contains("280.00/day") &&
                          Catch::Contains("delisted"));

  const std::string expr = "class=A units_free>=4 model~A100 price_hourly<=30 location=深圳市";
  CHECK(cli({"filter", expr, "--sort", "price_hourly"}) == 0);
  const auto req = server.last("GET /api/v1/clusters");
  CHECK(req.target ==
        "/api/v1/clusters?filter=class%3DA%20units_free%3E%3D4%20model~A100%20price_hourly%3C%3D30%20"
        "location%3D%E6%B7%B1%E5%9C%B3%E5%B8%82&sort=price_hourly");
  CHECK(req.path.find("filter=" + expr) != std::string::npos);  // decoded by the server as sent
  CHECK_THAT(cli.out, !Catch::Contains("STATUS"));

  CHECK(cli({"list", "--limit", "0"}) == 2);
  CHECK(cli({"list", "--offset", "x"}) == 2);

  server.on("GET /api/v1/clusters", {{"items", json::array()}, {"limit", 50}, {"offset", 0}});
  server.on("GET /api/v1/clusters", {{"items", json::array()}, {"limit", 50}, {"offset", 0}});
  CHECK(cli({"filter", "class=B"}) == 0);  // the first reply is still the two-cluster one
  CHECK(cli({"filter", "class=B"}) == 0);
  CHECK(cli.out == "No clusters match the filter.\n");
  CHECK(cli({"list", "--json"}) == 0);
  CHECK(cli.out_json() == json{{"items", json::array()}, {"limit", 50}, {"offset", 0}});
}

TEST_CASE("list and filter --help name every field the daemon sorts by", "[cli][catalog]") {
  for (const char* command : {"list", "filter"}) {
    Cli cli;
    REQUIRE(cli({command, "--help"}) == 0);
    const auto sort_line = cli.out.substr(cli.out.find("--sort"));
    INFO(command << ": " << sort_line);
    for (auto field : cpshare::catalog::sort_fields())
      CHECK_THAT(sort_line, Catch::Contains(std::string(field) + ",") || Catch::EndsWith(std::string(field)) ||
                                Catch::Contains(std::string(field) + "\n"));
  }
}

TEST_CASE("filter: the server's complaint about a term is printed as is", "[cli][catalog]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  server.on_error("GET /api/v1/clusters", 422,
                  {{"code", "VALIDATION_FAILED"},
                   {"message", "filter: term 2 'unitz>=4': unknown field 'unitz' (did you mean 'units'?)"},
                   {"fields", {{{"field", "filter"}, {"message", "term 2 'unitz>=4': unknown field 'unitz'"}}}}});
  CHECK(cli({"filter", "class=A unitz>=4"}) == 2);
  CHECK_THAT(cli.err,
             Catch::Contains("unknown field 'unitz' (did you mean 'units'?)") && Catch::Contains("  filter: term 2"));
}

TEST_CASE("show prints every field, prices per mode and the unit grid", "[cli][catalog]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  json units = json::array();
  for (int i = 0; i < 8; ++i)
    units.push_back({{"index", i}, {"status", i == 2 ? "busy" : i == 5 ? "offline" : i == 6 ? "reserved" : "idle"}});
  server.on("GET /api/v1/clusters/" + kId, {{"cluster", cluster_view()}, {"units", units}, {"provisioning", nullptr}});
  CHECK(cli({"show", kId}) == 0);
  for (const char* s :
       {"6 free of 8", "80 GB", "1 TB", "¥12.50 per unit per hour", "¥6000.00 per unit per month",
        "8.16 TB (2x3.84TB nvme data, 480GB ssd system)", "pytorch 2.3", "gpu1.example.org", "深圳市", "Guangdong",
        "  NVLink.", "0-7  . . B . . x r .", "r reserved", "5 idle, 1 reserved, 1 busy, 1 offline (of 8)"})
    CHECK_THAT(cli.out, Catch::Contains(s));
  CHECK_THAT(cli.out, Catch::Matches("[\\s\\S]*Price daily: +—\n[\\s\\S]*"));
  CHECK(cli({"show", kId, "--json"}) == 0);
  CHECK(cli.out_json()["units"] == units);
  CHECK(cli({"show", "nope"}) == 2);
}

TEST_CASE("delist, relist, units and units set", "[cli][catalog]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  json delisted = cluster_view();
  delisted["status"] = "delisted";
  server.on("POST /api/v1/clusters/" + kId + "/delist", {{"cluster", delisted}});
  server.on("POST /api/v1/clusters/" + kId + "/relist", {{"cluster", cluster_view()}});
  CHECK(cli({"delist", kId}) == 0);
  CHECK_THAT(cli.out, Catch::StartsWith("Delisted " + kId));
  CHECK(cli({"relist", kId, "--json"}) == 0);
  CHECK(cli.out_json()["cluster"]["status"] == "listed");

  json units = json::array();
  for (int i = 0; i < 20; ++i) units.push_back({{"index", i}, {"status", "idle"}});
  server.on("GET /api/v1/clusters/" + kId + "/units", {{"items", units}});
  CHECK(cli({"units", kId}) == 0);
  CHECK_THAT(cli.out, Catch::Contains(" 0-15  . . . .") && Catch::Contains("16-19  . . . .\n"));

  server.on("PUT /api/v1/clusters/" + kId + "/units/3", {{"unit", {{"index", 3}, {"status", "offline"}}}});
  CHECK(cli({"units", "set", kId, "3", "offline"}) == 0);
  const auto put = server.last("PUT /api/v1/clusters/" + kId + "/units/3");
  CHECK(put.method == "PUT");
  CHECK(put.json_body() == json{{"status", "offline"}});
  CHECK(cli.out == "Unit 3 of " + kId + " is now offline.\n");

  server.on_error("PUT /api/v1/clusters/" + kId + "/units/4", 409,
                  {{"code", "CONFLICT"}, {"message", "unit 4 is busy"}});
  CHECK(cli({"units", "set", kId, "4", "idle"}) == 1);

  const auto before = server.requests().size();
  CHECK(cli({"units", "set", kId, "3", "busy"}) == 2);  // only idle or offline
  CHECK(cli({"units", "set", kId, "x", "idle"}) == 2);
  CHECK(cli({"units"}) == 2);
  CHECK(cli({"units", "sett", kId, "3", "offline"}) == 2);
  CHECK(cli.err == "cpshare: unknown command 'sett' for 'cpshare units' (did you mean 'set'?)\n");
  CHECK(server.requests().size() == before);
}

TEST_CASE("publish prints the provisioning key for class A and the agent token for class B", "[cli][catalog]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  const std::string key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEIQczXkVx9q cpshare";
  const json published = {{"cluster", cluster_view()}, {"provisioning_public_key", key}, {"agent_token", nullptr}};
  json b_cluster = cluster_view();
  b_cluster["class"] = "B";
  b_cluster["access"] = {{"method", "platform"}, {"platform_url", "https://p.example.org"}};
  const json b_published = {
      {"cluster", b_cluster}, {"provisioning_public_key", nullptr}, {"agent_token", "cpa_s3cret"}};
  server.on("POST /api/v1/clusters", published, 201);  // replies are used in order, the last one repeated
  server.on("POST /api/v1/clusters", b_published, 201);
  CHECK(cli(publish_with({"--class", "A", "--units", "8"})) == 0);
  CHECK_THAT(cli.out, Catch::Contains("\n  " + key + "\n") &&
                          Catch::Contains("  ~cpshare/.ssh/authorized_keys on gpu1.example.org:22\nthen run: "
                                          "cpshare cluster verify " +
                                          kId + "\n") &&
                          !Catch::Contains("Agent token"));

  CHECK(cli(publish_with({"--class", "B", "--units", "8"}, "B")) == 0);
  CHECK_THAT(cli.out, Catch::Contains("Agent token (shown once: store it now):\n  cpa_s3cret\n") &&
                          !Catch::Contains("Provisioning public key"));

  CHECK(cli(publish_with({"--json", "--class", "B", "--units", "8"}, "B")) == 0);
  CHECK(cli.out_json() == b_published);
}

TEST_CASE("show prints the provisioning key and the pinned host key", "[cli][catalog]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  const json units = json::array({{{"index", 0}, {"status", "idle"}}});
  const std::string fp = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8";
  const std::string route = "GET /api/v1/clusters/" + kId;  // replies are used in order
  server.on(route, {{"cluster", cluster_view()},
                    {"units", units},
                    {"provisioning", {{"public_key", "ssh-ed25519 AAAAkey cpshare"}, {"nodes_unverified", 1}}}});
  json pinned = cluster_view();
  pinned["access"]["nodes"][0]["host_key_fingerprint"] = fp;
  server.on(route, {{"cluster", pinned},
                    {"units", units},
                    {"provisioning", {{"public_key", "ssh-ed25519 AAAAkey cpshare"}, {"nodes_unverified", 0}}}});
  server.on(route, {{"cluster", cluster_view()}, {"units", units}, {"provisioning", nullptr}});
  CHECK(cli({"show", kId}) == 0);
  CHECK_THAT(cli.out, Catch::Matches("[\\s\\S]*Provisioning key: +ssh-ed25519 AAAAkey cpshare\n[\\s\\S]*") &&
                          Catch::Contains("host key not verified yet") &&
                          Catch::Matches("[\\s\\S]*Unverified nodes: +1 \\(cpshare cluster verify[\\s\\S]*"));
  CHECK(cli({"show", kId}) == 0);
  CHECK_THAT(cli.out, Catch::Contains("Node 0") &&
                          Catch::Contains("cpshare@gpu1.example.org:22, 8 units, host key " + fp) &&
                          Catch::Matches("[\\s\\S]*Unverified nodes: +none\n[\\s\\S]*"));
  CHECK(cli({"show", kId}) == 0);
  CHECK_THAT(cli.out, !Catch::Contains("Provisioning key") && !Catch::Contains("Unverified"));
}

TEST_CASE("cluster verify posts to /verify, with repin on --repin", "[cli][catalog]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  const std::string path = "POST /api/v1/clusters/" + kId + "/verify";
  const std::string fp = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8";
  auto reply = [&](bool pinned_now) {
    return json{{"nodes",
                 {{{"node", 0},
                   {"host", "gpu1.example.org"},
                   {"port", 22},
                   {"fingerprint", fp},
                   {"key_type", "ssh-ed25519"},
                   {"pinned_now", pinned_now}}}},
                {"verified_at", "2026-11-27T12:00:00Z"}};
  };
  const json matched = reply(false);
  // Replies are used in order, the last one repeated.
  server.on(path, reply(true));
  server.on(path, matched);
  server.on(path, matched);
  server.on_error(path, 409,
                  {{"code", "CONFLICT"},
                   {"message", "verify " + kId + ": host key changed; to accept the new key: cpshare cluster verify " +
                                   kId + " --repin"}});
  server.on_error(path, 503, {{"code", "UNAVAILABLE"}, {"message", "verify " + kId + ": ssh: authentication refused"}});

  CHECK(cli({"cluster", "verify", kId}) == 0);
  CHECK(server.last(path).json_body() == json::object());
  CHECK(cli.out ==
        "Verified " + kId + ": 1 node\n  node 0 gpu1.example.org:22: host key " + fp + " (ssh-ed25519), pinned now\n");

  CHECK(cli({"cluster", "verify", "CP-7K2M9X4QVD", "--repin"}) == 0);
  CHECK(server.last(path).json_body() == json{{"repin", true}});
  CHECK(cli.out == "Verified " + kId + ": 1 node\n  node 0 gpu1.example.org:22: host key " + fp +
                       " (ssh-ed25519), matches the pinned key\n");

  CHECK(cli({"cluster", "verify", kId, "--json"}) == 0);
  CHECK(cli.out_json() == matched);

  CHECK(cli({"cluster", "verify", kId}) == 1);
  CHECK_THAT(cli.err, Catch::Contains("--repin"));

  CHECK(cli({"cluster", "verify", kId}) == 1);
  CHECK_THAT(cli.err, Catch::Contains("ssh: authentication refused"));

  const auto before = server.requests().size();
  CHECK(cli({"cluster", "verify", "cp-bad"}) == 2);
  CHECK(cli({"cluster", "verify"}) == 2);
  CHECK(server.requests().size() == before);
}

TEST_CASE("a filter error is printed once", "[cli][catalog]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  auto count = [](const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  };
  // The daemon's answers to bad filters, made as the daemon makes them (replies are used in order).
  const std::vector<std::string> exprs = {"bad syntax", "class=A unitz>=4"};
  std::vector<cpshare::Error> errors;
  for (const auto& expr : exprs) {
    auto compiled = cpshare::catalog::compile_filter(expr);
    REQUIRE_FALSE(compiled);
    errors.push_back(compiled.error());
    server.on_error("GET /api/v1/clusters", 422, cpshare::api::error_envelope(errors.back())["error"]);
  }
  for (std::size_t i = 0; i < exprs.size(); ++i) {
    CHECK(cli({"filter", exprs[i]}) == 2);
    INFO(cli.err);
    const std::string& message = errors[i].fields.at(0).message;
    CHECK(count(cli.err, message) == 1);
    CHECK(cli.err == "cpshare: error: filter: " + message + "\n");
  }

  // Other one-field errors likewise, with the flag's name kept; several
  // fields: how many, then each once (not the first twice).
  server.on_error("POST /api/v1/clusters", 422,
                  {{"code", "VALIDATION_FAILED"},
                   {"message", "prices.hourly: must be at least 1 fen"},
                   {"fields", {{{"field", "prices.hourly"}, {"message", "must be at least 1 fen"}}}}});
  server.on_error(
      "POST /api/v1/clusters", 422,
      {{"code", "VALIDATION_FAILED"},
       {"message", "model: is required (and 1 more)"},
       {"fields",
        {{{"field", "model"}, {"message", "is required"}}, {{"field", "units"}, {"message", "is required"}}}}});
  CHECK(cli(publish_with({"--price-hourly", "1"})) == 2);
  CHECK(cli.err == "cpshare: error: prices.hourly (--price-hourly): must be at least 1 fen\n");
  CHECK(cli(publish_with({"--price-hourly", "1"})) == 2);
  CHECK(cli.err ==
        "cpshare: error: 2 fields are invalid:\n  model (--model): is required\n"
        "  units (--units): is required\n");
}
