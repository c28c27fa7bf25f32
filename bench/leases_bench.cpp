// leases_bench: lease create + release pairs through the API of a running
// cpshared (issue 4), over C concurrent keep-alive clients for S seconds.
// Every lease is durably committed before its answer (synchronous=FULL).
// bench/leases.sh sets up the daemon, a supplier with clusters and a user.
//
// Usage: leases_bench --url URL --token TOKEN --clusters CP1,CP2,... [--clients C] [--seconds S]
#include "bench_util.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void die(const std::string& msg) { bench::die("leases_bench", msg); }

using bench::pct;

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::string url, token;
  std::vector<std::string> clusters;
  int clients = 32;
  double seconds = 10;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) die(k + " needs a value");
      return argv[++i];
    };
    if (k == "--url")
      url = next();
    else if (k == "--token")
      token = next();
    else if (k == "--clients")
      clients = std::stoi(next());
    else if (k == "--seconds")
      seconds = std::stod(next());
    else if (k == "--clusters") {
      std::string list = next();
      for (std::size_t at = 0; at <= list.size();) {
        auto comma = list.find(',', at);
        if (comma == std::string::npos) comma = list.size();
        if (comma > at) clusters.push_back(list.substr(at, comma - at));
        at = comma + 1;
      }
    } else
      die("unknown argument " + k);
  }
  if (url.empty() || token.empty() || clusters.empty()) die("usage: leases_bench --url URL --token T --clusters A,B");

  std::atomic<long> pairs{0}, unavailable{0};
  std::mutex mu;
  std::vector<double> create_ms, release_ms;
  const auto t0 = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client cli(url);
      cli.set_keep_alive(true);
      cli.set_tcp_nodelay(true);
      cli.set_read_timeout(60, 0);
      cli.set_default_headers({{"Authorization", "Bearer " + token}});
      std::vector<double> mine_create, mine_release;
      const std::string cpc = clusters[static_cast<std::size_t>(c) % clusters.size()];
      const std::string body = json{{"cpc_id", cpc}, {"units", 1}, {"billing", "hourly"}}.dump();
      while (elapsed() < seconds) {
        auto a = Clock::now();
        auto res = cli.Post("/api/v1/leases", body, "application/json");
        mine_create.push_back(bench::ms_since(a));
        if (!res) die("create: no response");
        if (res->status == 409) {  // UNITS_UNAVAILABLE: clients outnumber idle units for a moment
          ++unavailable;
          continue;
        }
        if (res->status != 201) die(fmt::format("create: {} {}", res->status, res->body));
        const std::string id = json::parse(res->body)["data"]["lease"]["lease_id"];
        auto b = Clock::now();
        auto rel = cli.Post(fmt::format("/api/v1/leases/{}/release", id), "", "application/json");
        mine_release.push_back(bench::ms_since(b));
        if (!rel || rel->status != 200) die(fmt::format("release: {}", rel ? rel->body : "no response"));
        ++pairs;
      }
      std::lock_guard lock(mu);
      create_ms.insert(create_ms.end(), mine_create.begin(), mine_create.end());
      release_ms.insert(release_ms.end(), mine_release.begin(), mine_release.end());
    });
  }
  for (auto& t : threads) t.join();
  const double s = elapsed();
  fmt::print("lease create+release {:>7} pairs over {} clients in {:.1f} s: {:.0f} pairs/s ({} UNITS_UNAVAILABLE)\n",
             pairs.load(), clients, s, static_cast<double>(pairs.load()) / s, unavailable.load());
  fmt::print("create             p50 {:6.2f} ms  p99 {:6.2f} ms\n", pct(create_ms, 50), pct(create_ms, 99));
  fmt::print("release            p50 {:6.2f} ms  p99 {:6.2f} ms\n", pct(release_ms, 50), pct(release_ms, 99));
  return 0;
}
