// The lease commands in-process against a fake cpshared: what redeem says, and when.
#include <catch2/catch.hpp>

#include "cli_test_support.hpp"

using cpshare::testing::Cli;
using cpshare::testing::FakeServer;
using nlohmann::json;

namespace {

const std::string kCode = "7K2M-9X4Q-VD3H-RT8N";

// The cluster's public view the lease keeps, as the daemon sends it.
json cluster_view() {
  return {{"cpc_id", "cp-7k2m9x4qvd"},
          {"owner", "acme"},
          {"class", "A"},
          {"resource_type", "GPU"},
          {"model", "A100 80GB"},
          {"units", 8},
          {"units_free", 8},
          {"unit_memory", 80'000'000'000},
          {"memory", 1'000'000'000'000},
          {"vcpus", 128},
          {"prices", {{"hourly", 2500}, {"daily", nullptr}, {"monthly", nullptr}, {"yearly", nullptr}}},
          {"billing_modes", {"hourly"}},
          {"vendor", "Acme"},
          {"location", "深圳市"},
          {"region", "深圳"},
          {"storage", {{"total_bytes", 2'000'000'000'000}, {"description", "2TB nvme"}}},
          {"software", {{"cuda", "12.4"}, {"cudnn", nullptr}, {"python", nullptr}, {"frameworks", json::array()}}},
          {"description", ""},
          {"usage", "ssh in"},
          {"access", {{"method", "ssh"}}},
          {"status", "listed"},
          {"created_at", "2026-11-27T11:00:00Z"},
          {"updated_at", nullptr}};
}

json lease_view() {
  return {{"lease_id", "ls-3q9x2m7k4d"},
          {"state", "approved"},
          {"cpc_id", "cp-7k2m9x4qvd"},
          {"class", "A"},
          {"user", "alice"},
          {"supplier", "acme"},
          {"units", {0, 1}},
          {"billing", "hourly"},
          {"unit_price", 2500},
          {"periods", 0},
          {"estimate", 5000},
          {"running_cost", nullptr},
          {"charged", nullptr},
          {"refunded", nullptr},
          {"bill_failed", false},
          {"created_at", "2026-11-27T12:00:00Z"},
          {"decide_by", "2026-11-30T12:00:00Z"},
          {"started_at", nullptr},
          {"planned_end", nullptr},
          {"ended_at", nullptr},
          {"end_reason", nullptr},
          {"note", nullptr},
          {"cluster", cluster_view()},
          {"environment", nullptr},
          {"agent", nullptr}};
}

json redemption() {
  json l = lease_view();
  l["state"] = "active";
  l["started_at"] = "2026-11-27T13:00:00Z";
  l["running_cost"] = 0;
  return {{"lease", l},
          {"access",
           {{"method", "ssh"},
            {"host", "gpu01.example.org"},
            {"port", 22},
            {"username", "cpl_3q9x2m7k4d"},
            {"password", "s3cret-pass"},
            {"ssh_key", nullptr},
            {"gpu_indices", {0, 1}},
            {"cuda_visible_devices", "0,1"},
            {"usage", "ssh in"}}}};
}

void log_in(Cli& cli, FakeServer& server) {
  server.on("POST /api/v1/sessions",
            cpshare::testing::login_answer({{"token", "T0KEN"},
                                            {"session", {{"id", "s_0123456789abcdef"}, {"current", true}}},
                                            {"account", {{"username", "alice"}, {"role", "user"}}}}),
            201);
  cli.stdin_text = "pw\n";
  REQUIRE(cli({"login", "--server", server.url(), "--username", "alice", "--password-stdin"}) == 0);
  cli.stdin_text.clear();
}

int count(FakeServer& server, const std::string& route) {
  int n = 0;
  for (const auto& r : server.requests()) n += r.method + " " + r.path == route;
  return n;
}

}  // namespace

TEST_CASE("redeem says it is creating the account only once the code is accepted", "[cli][R-LEASE-4]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  cli.err_tty = true;

  SECTION("a wrong code gets the error alone, and no account is attempted") {
    server.on_error(
        "POST /api/v1/redeem/check", 400,
        {{"code", "INVALID_CODE"}, {"message", "this authorization code is not valid; check it with the supplier"}});
    CHECK(cli({"redeem", kCode}) == 2);
    CHECK(cli.err.find("creating") == std::string::npos);
    CHECK(cli.err.find("this authorization code is not valid") != std::string::npos);
    CHECK(count(server, "POST /api/v1/redeem") == 0);
    CHECK(server.last("POST /api/v1/redeem/check").json_body() == json{{"code", kCode}});
  }

  SECTION("a code typed in full-width forms is the code; a pasted screenful is not repeated") {
    server.on("POST /api/v1/redeem/check", {{"lease", lease_view()}});
    server.on("POST /api/v1/redeem", redemption());
    CHECK(cli({"redeem", "７Ｋ２Ｍ－９Ｘ４Ｑ－ＶＤ３Ｈ－ＲＴ８Ｎ"}) == 0);
    CHECK(server.last("POST /api/v1/redeem/check").json_body() == json{{"code", "7K2M-9X4Q-VD3H-RT8N"}});
    const std::string pasted(5000, '#');
    CHECK(cli({"redeem", pasted}) == 2);
    CHECK(cli.err.find("the argument (5000 characters) is not an authorization code") != std::string::npos);
    CHECK(cli.err.find("#####") == std::string::npos);
    CHECK(cli({"redeem", "7K2M-9X4Q"}) == 2);
    CHECK(cli.err.find("'7K2M-9X4Q' is not an authorization code") != std::string::npos);  // a short typo is shown
  }

  SECTION("an accepted code: progress on the terminal names the lease, then the account") {
    server.on("POST /api/v1/redeem/check", {{"lease", lease_view()}});
    server.on("POST /api/v1/redeem", redemption());
    CHECK(cli({"redeem", kCode}) == 0);
    CHECK(cli.err == "creating your account on 2 x GPU A100 80GB on cp-7k2m9x4qvd (深圳市)…\n");
    CHECK(cli.out.find("cpl_3q9x2m7k4d") != std::string::npos);
    // The check came first, then the redeem, each with the code.
    const auto requests = server.requests();
    REQUIRE(requests.size() >= 2);
    CHECK(requests[requests.size() - 2].path == "/api/v1/redeem/check");
    CHECK(requests.back().path == "/api/v1/redeem");
    CHECK(requests.back().json_body() == json{{"code", kCode}});
  }

  SECTION("off a terminal, no progress at all") {
    cli.err_tty = false;
    server.on("POST /api/v1/redeem/check", {{"lease", lease_view()}});
    server.on("POST /api/v1/redeem", redemption());
    CHECK(cli({"--json", "redeem", kCode}) == 0);
    CHECK(cli.err.empty());
    CHECK(cli.out_json()["access"]["username"] == "cpl_3q9x2m7k4d");
  }

  SECTION("the account cannot be made: the progress line, then the error") {
    server.on("POST /api/v1/redeem/check", {{"lease", lease_view()}});
    server.on_error("POST /api/v1/redeem", 503,
                    {{"code", "UNAVAILABLE"}, {"message", "create the account on gpu01: connection refused"}});
    CHECK(cli({"redeem", kCode}) != 0);
    CHECK(cli.err.starts_with("creating your account on 2 x GPU A100 80GB"));
    CHECK(cli.err.find("connection refused") != std::string::npos);
  }
}

namespace {

json report_view(const std::string& status, const json& reason, const json& report) {
  return {{"lease_id", "ls-3q9x2m7k4d"},
          {"status", status},
          {"reason", reason},
          {"made_at", report.is_null() ? json(nullptr) : json("2026-11-27T14:00:00Z")},
          {"report", report}};
}

json service_report(std::int64_t minutes, std::int64_t reported) {
  return {{"from", "2026-11-27T13:00:00Z"},
          {"to", minutes == 0 ? "2026-11-27T13:00:00Z" : "2026-11-27T13:10:00Z"},
          {"minutes", minutes},
          {"minutes_reported", reported},
          {"availability", minutes == 0 ? 0.0 : static_cast<double>(reported) / static_cast<double>(minutes)},
          {"gpus_lost", json::array()},
          {"gpu_utilization_mean", nullptr},
          {"gpu_utilization_p95", nullptr},
          {"latency_mean_seconds", nullptr},
          {"loss_mean_ratio", nullptr}};
}

}  // namespace

TEST_CASE("leases show --report reads naturally: no report yet, none, no minutes, no readings", "[cli][R-LEASE-8]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  // The fake answers in order: not ready yet, none, a report of no minutes, a report.
  const std::string route = "GET /api/v1/leases/ls-3q9x2m7k4d/report";
  server.on(route, report_view("pending", "the lease is active; its report is made when it ends", nullptr));
  server.on(route, report_view("none",
                               "the lease is A-class; the specification evaluates B-class service only "
                               "(R-LEASE-8)",
                               nullptr));
  server.on(route, report_view("ready", nullptr, service_report(0, 0)));
  server.on(route, report_view("ready", nullptr, service_report(10, 9)));
  auto show = [&] {
    REQUIRE(cli({"leases", "show", "ls-3q9x2m7k4d", "--report"}) == 0);
    return cli.out;
  };
  CHECK(show() ==
        "No service report yet for lease ls-3q9x2m7k4d: the lease is active; its report is made when it ends.\n");
  CHECK(show() ==
        "No service report for lease ls-3q9x2m7k4d: the lease is A-class; the specification evaluates B-class service "
        "only (R-LEASE-8).\n");
  // A lease ended the instant it began: no share of no minutes, and no averages over no readings.
  const std::string empty = show();
  CHECK_THAT(empty, Catch::Contains("Availability: - (the window has no minutes)\n"));
  CHECK_THAT(empty, Catch::Contains("GPUs lost:    none\n"));
  CHECK_THAT(empty, Catch::Contains("Utilisation:  mean -, p95 of 1-minute means -\n"));
  CHECK_THAT(empty, Catch::Contains("Latency:      -\n") && Catch::Contains("Loss:         -\n"));
  CHECK_THAT(empty, !Catch::Contains("0.0%") && !Catch::Contains("0 of 0"));
  // The lease's id once, in the title.
  const std::string ready = show();
  CHECK_THAT(ready, Catch::Contains("Availability: 90.0% (9 of 10 minutes reported)\n"));
  CHECK(ready.find("ls-3q9x2m7k4d") == ready.rfind("ls-3q9x2m7k4d"));
}
