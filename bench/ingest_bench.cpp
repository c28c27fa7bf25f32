// ingest_bench: Irmds ingest through the API of a running cpshared (issue 11,
// Performance): C concurrent keep-alive clients post host samples shaped as
// `cpshare agent` sends them (8 GPUs, CPU by mode, memory, a mount, two
// interfaces, hwmon sensors, latency and loss; one sample per POST unless
// --batch, as an agent that is caught up sends), 10 s apart per cluster, each
// to its own clusters with their agent tokens, for S seconds; meanwhile one
// more client lists the catalogue (GET /api/v1/clusters, as `cpshare list`)
// every 50 ms and its latency is reported. Every batch is durably committed
// before its answer. bench/ingest.sh sets up the daemon and the clusters.
//
// Usage: ingest_bench --url URL --clusters-file F --list-token T
//                     [--clients C] [--seconds S] [--batch B] [--rate R]
//   F: one "CPCID AGENT_TOKEN" per line. R: readings/s to offer in all, paced
//   evenly over the clients (default: as fast as the daemon answers), so that
//   list latency can be read at a given ingest rate, not only at saturation.
// Prints host samples/s and readings/s (a reading: one measured value of one
// series at one time, what Prometheus calls a sample), and list p50/p99.
#include "bench_util.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void die(const std::string& msg) { bench::die("ingest_bench", msg); }

using bench::pct;
using bench::rfc3339;

// One host sample as the agent reads an 8-GPU server (values vary a little).
json host_sample(std::int64_t at, int seq) {
  const double u = (seq % 100) / 100.0;
  json gpus = json::array();
  for (int i = 0; i < 8; ++i)
    gpus.push_back({{"uuid", fmt::format("GPU-{:08x}-0000-4000-8000-{:012x}", 0xbe0c0000 + i, i)},
                    {"index", i},
                    {"name", "NVIDIA A100-SXM4-80GB"},
                    {"lost", false},
                    {"utilization_ratio", u},
                    {"memory_utilization_ratio", 0.4},
                    {"memory_used_bytes", 40000000000LL + seq},
                    {"memory_total_bytes", 85899345920LL},
                    {"temperature_celsius", 60 + i},
                    {"power_watts", 250.5 + i},
                    {"power_limit_watts", 400},
                    {"voltage_volts", nullptr}});
  return {
      {"at", rfc3339(at)},
      {"cpu",
       {{"cpus", 128},
        {"user", 0.5},
        {"nice", 0},
        {"system", 0.1},
        {"idle", 0.4 - u / 10},
        {"iowait", 0.0},
        {"irq", 0},
        {"softirq", 0},
        {"steal", nullptr},
        {"load1", 30.5},
        {"load5", 29},
        {"load15", 28}}},
      {"memory", {{"total_bytes", 1099511627776LL}, {"available_bytes", 549755813888LL - seq}}},
      {"mounts", json::array({{{"path", "/data"}, {"used_bytes", 1000000000000LL}, {"total_bytes", 2000000000000LL}}})},
      {"interfaces", json::array({{{"name", "eth0"},
                                   {"receive_bytes_total", 1000000LL * seq},
                                   {"transmit_bytes_total", 2000000LL * seq},
                                   {"receive_bytes_per_second", 100000.0},
                                   {"transmit_bytes_per_second", 200000.0}},
                                  {{"name", "ib0"},
                                   {"receive_bytes_total", 5000000LL * seq},
                                   {"transmit_bytes_total", 5000000LL * seq},
                                   {"receive_bytes_per_second", 500000.0},
                                   {"transmit_bytes_per_second", 500000.0}}})},
      {"sensors",
       json::array({{{"chip", "coretemp"}, {"label", "Package id 0"}, {"kind", "temperature"}, {"value", 55}},
                    {{"chip", "coretemp"}, {"label", "Package id 1"}, {"kind", "temperature"}, {"value", 57}},
                    {{"chip", "nct6798"}, {"label", "Vcore"}, {"kind", "voltage"}, {"value", 1.1}}})},
      {"gpu_source", "nvml"},
      {"gpu_error", nullptr},
      {"gpus", gpus},
      {"network", {{"probes", 3}, {"latency_seconds", 0.002}, {"loss_ratio", 0}}}};
}

// Measured values in a sample: numbers, not counts of probes, CPUs or GPU indices.
long readings(const json& j, const std::string& key = "") {
  if (j.is_object()) {
    long n = 0;
    for (const auto& [k, v] : j.items()) n += readings(v, k);
    return n;
  }
  if (j.is_array()) {
    long n = 0;
    for (const auto& v : j) n += readings(v, key);
    return n;
  }
  return j.is_number() && key != "index" && key != "probes" && key != "cpus" ? 1 : 0;
}

struct Target {
  std::string cpc, token;
};

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::string url, clusters_file, list_token;
  int clients = 16, batch = 1;
  double seconds = 10, offered = 0;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) die(k + " needs a value");
      return argv[++i];
    };
    if (k == "--url")
      url = next();
    else if (k == "--clusters-file")
      clusters_file = next();
    else if (k == "--list-token")
      list_token = next();
    else if (k == "--clients")
      clients = std::stoi(next());
    else if (k == "--seconds")
      seconds = std::stod(next());
    else if (k == "--batch")
      batch = std::stoi(next());
    else if (k == "--rate")
      offered = std::stod(next());
    else
      die("unknown argument " + k);
  }
  std::vector<Target> targets;
  std::ifstream in(clusters_file);
  for (Target t; in >> t.cpc >> t.token;) targets.push_back(t);
  if (url.empty() || list_token.empty() || targets.empty() || clients < 1 || batch < 1)
    die("usage: ingest_bench --url URL --clusters-file F --list-token T [--clients C] [--seconds S] [--batch B]");
  if (static_cast<int>(targets.size()) < clients) die("give at least one cluster per client");

  const long per_sample = readings(host_sample(0, 1));
  // Samples go back from 6 days ago, 10 s apart per cluster (within the 7 days kept).
  const std::int64_t start =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() -
      6 * 86400;
  std::atomic<long> samples{0};
  std::atomic<bool> done{false};
  std::mutex mu;
  std::vector<double> post_ms, list_ms;
  const auto t0 = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      // The agents run on their own hosts; here they share the daemon's CPUs,
      // so they build and send their JSON at nice +10 (as the daemon's bulk
      // lane stores it) and leave the cores to the daemon's interactive work.
      ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
      std::vector<const Target*> mine;
      for (std::size_t i = static_cast<std::size_t>(c); i < targets.size(); i += static_cast<std::size_t>(clients))
        mine.push_back(&targets[i]);
      httplib::Client cli(url);
      cli.set_keep_alive(true);
      cli.set_tcp_nodelay(true);
      cli.set_read_timeout(60, 0);
      std::vector<std::int64_t> next_at(mine.size(), start);
      std::vector<double> mine_ms;
      int seq = 0;
      // Paced: this client's POSTs are due every `gap` seconds (--rate).
      const double gap = offered > 0 ? static_cast<double>(batch * per_sample * clients) / offered : 0;
      double due = 0;
      for (std::size_t k = 0; elapsed() < seconds; k = (k + 1) % mine.size()) {
        if (gap > 0) {
          due += gap;
          if (const double wait = due - elapsed(); wait > 0)
            std::this_thread::sleep_for(std::chrono::duration<double>(wait));
        }
        json body = {{"samples", json::array()}, {"dropped", 0}};
        for (int b = 0; b < batch; ++b) {
          body["samples"].push_back(host_sample(next_at[k], ++seq));
          next_at[k] += 10;
        }
        const std::string text = body.dump();
        auto a = Clock::now();
        auto res = cli.Post(fmt::format("/api/v1/clusters/{}/metrics", mine[k]->cpc),
                            {{"Authorization", "Bearer " + mine[k]->token}}, text, "application/json");
        mine_ms.push_back(bench::ms_since(a));
        if (!res) die("post: no response");
        if (res->status != 200) die(fmt::format("post: {} {}", res->status, res->body));
        samples += batch;
      }
      std::lock_guard lock(mu);
      post_ms.insert(post_ms.end(), mine_ms.begin(), mine_ms.end());
    });
  }
  std::thread lister([&] {
    httplib::Client cli(url);
    cli.set_keep_alive(true);
    cli.set_tcp_nodelay(true);
    cli.set_default_headers({{"Authorization", "Bearer " + list_token}});
    while (!done) {
      auto a = Clock::now();
      auto res = cli.Get("/api/v1/clusters");
      const double ms = bench::ms_since(a);
      if (!res || res->status != 200) die(fmt::format("list: {}", res ? res->body : "no response"));
      list_ms.push_back(ms);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  for (auto& t : threads) t.join();
  const double s = elapsed();
  done = true;
  lister.join();
  const double rate = static_cast<double>(samples.load()) / s;
  fmt::print("ingest {:>8} host samples ({} readings each, 8 GPUs) over {} clients, {} per POST, in {:.1f} s:\n",
             samples.load(), per_sample, clients, batch, s);
  fmt::print("       {:.0f} host samples/s = {:.0f} readings/s{}\n", rate, rate * static_cast<double>(per_sample),
             offered > 0 ? fmt::format(" (offered: {:.0f} readings/s)", offered) : std::string());
  fmt::print("post   p50 {:6.2f} ms  p99 {:6.2f} ms\n", pct(post_ms, 50), pct(post_ms, 99));
  fmt::print("list   p50 {:6.2f} ms  p99 {:6.2f} ms  ({} lists while ingesting)\n", pct(list_ms, 50), pct(list_ms, 99),
             list_ms.size());
  return 0;
}
