// metrics_read_bench: the Irmds read targets through the API of a running
// cpshared (issue 11, Performance), on the history bench/metrics_read.sh
// loads: "the last 10 minutes of one cluster" (raw samples, GET
// /api/v1/clusters/{cpc_id}/metrics?minutes=10) and "--since 7d from rollups"
// (?since=…&resolution=hour, as cpshare monitor --since asks past 6 h), timed at the client over keep-alive, one
// request at a time, each to a cluster picked at random.
//
// Usage: metrics_read_bench --url URL --token T --clusters-file F
//                           [--history-clusters K] [--requests N] [--since-days D] [--resolution hour|minute]
//   F: CPC IDs, one per line, the K clusters with D days of rollups first.
#include "bench_util.hpp"

#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fmt/format.h>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void die(const std::string& msg) { bench::die("metrics_read_bench", msg); }

using bench::rfc3339;

struct Figures {
  std::vector<double> ms;
  double bytes = 0;
};

Figures run(httplib::Client& cli, const std::vector<std::string>& ids, int requests, const std::string& query) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<std::size_t> pick(0, ids.size() - 1);
  Figures f;
  for (int i = 0; i < requests; ++i) {
    const std::string path = fmt::format("/api/v1/clusters/{}/metrics?{}", ids[pick(rng)], query);
    const auto a = Clock::now();
    auto res = cli.Get(path);
    f.ms.push_back(bench::ms_since(a));
    if (!res || res->status != 200)
      die(fmt::format("GET {}: {}", path, res ? res->body.substr(0, 300) : "no response"));
    f.bytes += static_cast<double>(res->body.size());
  }
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::string url, token, file;
  int history = 20, requests = 500, since_days = 7;
  std::string resolution = "hour";  // what cpshare monitor --since asks for past 6 h
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) die(k + " needs a value");
      return argv[++i];
    };
    if (k == "--url")
      url = next();
    else if (k == "--token")
      token = next();
    else if (k == "--clusters-file")
      file = next();
    else if (k == "--history-clusters")
      history = std::stoi(next());
    else if (k == "--requests")
      requests = std::stoi(next());
    else if (k == "--since-days")
      since_days = std::stoi(next());
    else if (k == "--resolution")
      resolution = next();
    else
      die("unknown argument " + k);
  }
  std::vector<std::string> ids;
  std::ifstream in(file);
  for (std::string id; in >> id;) ids.push_back(id);
  if (url.empty() || token.empty() || ids.empty() || history < 1 || history > static_cast<int>(ids.size()))
    die("usage: metrics_read_bench --url URL --token T --clusters-file F [--history-clusters K] [--requests N]");
  httplib::Client cli(url);
  cli.set_keep_alive(true);
  cli.set_tcp_nodelay(true);
  cli.set_read_timeout(120, 0);
  cli.set_default_headers({{"Authorization", "Bearer " + token}});
  run(cli, ids, 20, "minutes=10");  // warm the connection
  auto last10 = run(cli, ids, requests, "minutes=10");
  fmt::print(
      "last 10 minutes (raw), {} clusters:  p50 {:6.2f} ms  p99 {:6.2f} ms  ({:.0f} KB per answer, {} requests)\n",
      ids.size(), bench::pct(last10.ms, 50), bench::pct(last10.ms, 99), last10.bytes / requests / 1000, requests);
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::vector<std::string> with_history(ids.begin(), ids.begin() + history);
  const int slow = std::max(20, requests / 10);
  auto week = run(
      cli, with_history, slow,
      fmt::format("since={}&resolution={}", rfc3339(now - static_cast<std::int64_t>(since_days) * 86400), resolution));
  fmt::print(
      "--since {}d ({} rollups), {} clusters: p50 {:6.2f} ms  p99 {:6.2f} ms  ({:.0f} KB per answer, {} requests)\n",
      since_days, resolution, history, bench::pct(week.ms, 50), bench::pct(week.ms, 99), week.bytes / slow / 1000,
      slow);
  return 0;
}
