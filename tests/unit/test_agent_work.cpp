// The agent's side of the B-class lease lifecycle (issue 11, Build point 2; R-LEASE-6):
// the hook's stdin and stdout contract, the error text the platform is told, the
// backoff, and one poll end to end with a real shell-script hook run through
// util/subprocess (stdin given, stderr apart). The transport is the test's (the
// platform's answers); the real daemon's side is test_bclass_lifecycle.sh.
#include <catch2/catch.hpp>

#include <fstream>

#include "agent/work.hpp"
#include "store_test_support.hpp"

using namespace cpshare;
using namespace std::chrono_literals;

namespace {

api::AgentWorkItem item(const std::string& action, const std::string& lease) {
  api::AgentWorkItem i;
  i.action = action;
  i.lease_id = lease;
  i.user = "alice";
  i.units = {{0, std::string("GPU-aaaa")}, {1, std::nullopt}};
  i.environment = "pytorch";
  return i;
}

}  // namespace

TEST_CASE("the hook reads the lease as JSON and its access is parsed strictly", "[R-LEASE-6]") {
  const auto in = nlohmann::json::parse(agent::hook_input(item("provision", "ls-aaaaaaaaaa")));
  CHECK(in["action"] == "provision");
  CHECK(in["user"] == "alice");
  CHECK(in["units"][0]["gpu_uuid"] == "GPU-aaaa");
  CHECK(in["units"][1]["gpu_uuid"].is_null());
  CHECK(in["environment"] == "pytorch");
  CHECK(in["planned_end"].is_null());
  CHECK(in["attempts"] == 0);

  auto ok = agent::parse_hook_access(
      "  {\"url\": \"http://127.0.0.1:8080/\", \"username\": \"alice\", "
      "\"token\": \"t0k\", \"notes\": \"hi\"}\n");
  REQUIRE(ok);
  CHECK(*ok->url == "http://127.0.0.1:8080/");
  CHECK(*ok->token == "t0k");
  CHECK_FALSE(ok->password);
  CHECK_FALSE(ok->error);

  CHECK_FALSE(agent::parse_hook_access("not json"));
  CHECK_FALSE(agent::parse_hook_access("[]"));
  auto no_secret = agent::parse_hook_access(R"({"url": "http://h/", "username": "u"})");
  REQUIRE_FALSE(no_secret);
  CHECK_THAT(no_secret.error().message, Catch::Contains("password"));
  auto bad_url = agent::parse_hook_access(R"({"url": "ftp://h/", "username": "u", "password": "p"})");
  REQUIRE_FALSE(bad_url);
  CHECK_THAT(bad_url.error().message, Catch::Contains("url"));
  CHECK_FALSE(agent::parse_hook_access(R"({"url": "http://h/", "username": "u", "password": "p", "extra": 1})"));
  CHECK_FALSE(agent::parse_hook_access(R"({"error": "no"})"));
}

TEST_CASE("a failure is told as one line with the tail of stderr", "[R-LEASE-6]") {
  const std::string text = agent::failure_text("provision hook exited with status 2", "line one\nquota\texceeded\n");
  CHECK(text == "provision hook exited with status 2: line one | quota exceeded");
  const std::string long_err(5000, 'x');
  CHECK(agent::failure_text("failed", long_err + "END", 100).size() <= 100 + 20);
  CHECK(agent::failure_text("failed", std::string("a\x01", 2)).find('\x01') == std::string::npos);
}

TEST_CASE("backoff doubles from the first delay up to the cap, per lease", "[R-LEASE-6]") {
  agent::Backoff b(10s, 60s);
  CHECK(b.due("x", 0));
  b.failed("x", 100);
  CHECK(b.next_at("x") == 110);
  CHECK_FALSE(b.due("x", 109));
  CHECK(b.due("x", 110));
  b.failed("x", 110);
  CHECK(b.next_at("x") == 130);
  b.failed("x", 130);
  CHECK(b.next_at("x") == 170);
  b.failed("x", 170);
  CHECK(b.next_at("x") == 230);  // capped at 60
  CHECK(b.failures("x") == 4);
  CHECK(b.due("y", 0));
  b.keep_only({"y"});
  CHECK(b.failures("x") == 0);
  b.failed("y", 0);
  b.succeeded("y");
  CHECK(b.due("y", 0));
}

TEST_CASE("one poll runs a real hook per item, reports access, release and failures, and backs off", "[R-LEASE-6]") {
  testing::TempDir dir;
  const auto hook = dir.path / "hook.sh";
  const auto seen = dir.path / "seen";
  {
    std::ofstream h(hook);
    // provision: prints the access unless the lease id says fail; records its stdin.
    h << "#!/bin/sh\nin=$(cat)\necho \"$1 $in\" >> '" << seen.string() << "'\n"
      << "case \"$in\" in *ls-failfailf*) echo 'no quota left' >&2; exit 3;; esac\n"
      << "if [ \"$1\" = provision ]; then\n"
      << "  printf '{\"url\":\"http://127.0.0.1:9/\",\"username\":\"alice\",\"password\":\"pw\"}'\nfi\n";
  }
  std::filesystem::permissions(hook, std::filesystem::perms::owner_all);
  std::vector<api::AgentWorkItem> work = {item("provision", "ls-aaaaaaaaaa"), item("deprovision", "ls-bbbbbbbbbb"),
                                          item("provision", "ls-failfailf1")};
  std::vector<std::pair<std::string, api::AccessReport>> accesses;
  std::vector<std::pair<std::string, api::ReleasedReport>> releases;
  agent::WorkTransport t;
  t.fetch = [&]() -> Result<api::AgentWork> { return api::AgentWork{"cp-x", work}; };
  t.access = [&](const std::string& l, const api::AccessReport& r) -> Result<api::AgentReportAccepted> {
    accesses.emplace_back(l, r);
    return api::AgentReportAccepted{l, r.error ? LeaseState::Provisioning : LeaseState::Active, false, 0};
  };
  t.released = [&](const std::string& l, const api::ReleasedReport& r) -> Result<api::AgentReportAccepted> {
    releases.emplace_back(l, r);
    return api::AgentReportAccepted{l, LeaseState::Ended, !r.error, 0};
  };
  Logger log;
  agent::WorkRunner runner({hook.string(), 5s, 10s, 300s}, t, log);
  auto stats = runner.poll(1000);
  REQUIRE(stats);
  CHECK(stats->provisioned == 1);
  CHECK(stats->deprovisioned == 1);
  CHECK(stats->failed == 1);
  REQUIRE(accesses.size() == 2);
  CHECK(accesses[0].first == "ls-aaaaaaaaaa");
  CHECK(*accesses[0].second.password == "pw");
  CHECK(accesses[1].first == "ls-failfailf1");
  REQUIRE(accesses[1].second.error);
  CHECK(*accesses[1].second.error == "provision hook exited with status 3: no quota left");
  REQUIRE(releases.size() == 1);
  CHECK_FALSE(releases[0].second.error);
  std::ifstream s(seen);
  std::string first;
  std::getline(s, first);
  CHECK(first.starts_with("provision {\"action\":\"provision\""));  // the step as argument, the lease on stdin

  // The failed lease waits out its backoff; the others left the work list.
  work = {item("provision", "ls-failfailf1")};
  stats = runner.poll(1005);
  REQUIRE(stats);
  CHECK(stats->waiting == 1);
  CHECK(accesses.size() == 2);
  stats = runner.poll(1010);
  REQUIRE(stats);
  CHECK(stats->failed == 1);
  CHECK(runner.backoff().next_at("provision ls-failfailf1") == 1030);

  // A hook that outlives --hook-timeout is killed and reported as such.
  {
    std::ofstream h(hook);
    h << "#!/bin/sh\nsleep 30\n";
  }
  agent::WorkRunner slow({hook.string(), 300ms, 1s, 300s}, t, log);
  work = {item("deprovision", "ls-cccccccccc")};
  const auto started = std::chrono::steady_clock::now();
  stats = slow.poll(2000);
  CHECK(std::chrono::steady_clock::now() - started < 5s);
  REQUIRE(stats);
  CHECK(stats->failed == 1);
  REQUIRE(releases.size() == 2);
  CHECK_THAT(*releases[1].second.error, Catch::Contains("timed out"));
}
