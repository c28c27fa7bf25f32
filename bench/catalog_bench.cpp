// catalog_bench: load and latency figures for the catalogue API of a running
// cpshared (issue 3). It publishes N clusters through POST /api/v1/clusters,
// then times, at the HTTP client over keep-alive connections:
//   - simple GETs on one connection (health, and the authenticated /me),
//   - `list` (GET /api/v1/clusters, first page of 50, caller's region first),
//   - 4-term filters (first 50 rows, sorted),
// and prints throughput and latency percentiles. bench/catalog.sh sets up a
// daemon and a supplier and runs it; see docs/PERFORMANCE.md.
//
// Usage: catalog_bench --url URL --token TOKEN [--clusters N] [--publish-clients C]
//                      [--requests M] [--seconds S] [--seed X]
#include "bench_util.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  std::string url;
  std::string token;
  int clusters = 100000;
  int publish_clients = 4;
  int requests = 2000;
  double seconds = 5;
  unsigned seed = 42;
};

[[noreturn]] void die(const std::string& msg) { bench::die("catalog_bench", msg); }

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) die(k + " needs a value");
      return argv[++i];
    };
    if (k == "--url")
      a.url = next();
    else if (k == "--token")
      a.token = next();
    else if (k == "--clusters")
      a.clusters = std::stoi(next());
    else if (k == "--publish-clients")
      a.publish_clients = std::stoi(next());
    else if (k == "--requests")
      a.requests = std::stoi(next());
    else if (k == "--seconds")
      a.seconds = std::stod(next());
    else if (k == "--seed")
      a.seed = static_cast<unsigned>(std::stoul(next()));
    else
      die("unknown argument " + k);
  }
  if (a.url.empty() || a.token.empty()) die("usage: catalog_bench --url URL --token TOKEN [--clusters N] ...");
  return a;
}

std::unique_ptr<httplib::Client> client(const Args& a) {
  auto c = std::make_unique<httplib::Client>(a.url);
  c->set_keep_alive(true);
  c->set_tcp_nodelay(true);
  c->set_read_timeout(60, 0);
  c->set_default_headers({{"Authorization", "Bearer " + a.token}});
  return c;
}

// The published catalogue: a spread of models, cities, sizes and prices like
// a national market's, so that filters select realistic fractions.
struct Model {
  const char* name;
  long long unit_memory;
  int price_lo, price_hi;  // yuan per unit-hour
};
constexpr Model kModels[] = {
    {"A100 80GB", 80'000'000'000, 12, 35}, {"A100 40GB", 40'000'000'000, 8, 25},  {"H100 80GB", 80'000'000'000, 25, 60},
    {"H800 80GB", 80'000'000'000, 22, 55}, {"A800 80GB", 80'000'000'000, 12, 32}, {"RTX 4090", 24'000'000'000, 2, 8},
    {"L40S", 48'000'000'000, 6, 15},       {"昇腾 910B", 64'000'000'000, 10, 28},
};
constexpr const char* kCities[][2] = {
    {"深圳市", "深圳"}, {"广州市", "广州"}, {"北京市", "北京"}, {"上海市", "上海"}, {"杭州市", "杭州"},
    {"成都市", "成都"}, {"武汉市", "武汉"}, {"南京市", "南京"}, {"西安市", "西安"}, {"重庆市", "重庆"},
    {"天津市", "天津"}, {"苏州市", "苏州"}, {"长沙市", "长沙"}, {"郑州市", "郑州"}, {"合肥市", "合肥"},
    {"青岛市", "青岛"}, {"东莞市", "东莞"}, {"厦门市", "厦门"}, {"贵阳市", "贵阳"}, {"乌兰察布市", "乌兰察布"},
};
constexpr int kUnitChoices[] = {1, 2, 4, 8, 8, 8, 16, 16};
constexpr const char* kCuda[] = {"11.8", "12.1", "12.2", "12.4"};

json cluster_body(std::mt19937& rng) {
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  const Model& m = kModels[pick(std::size(kModels))];
  const auto* city = kCities[pick(std::size(kCities))];
  const int units = kUnitChoices[pick(std::size(kUnitChoices))];
  const int hourly = std::uniform_int_distribution<int>(m.price_lo * 100, m.price_hi * 100)(rng);
  const bool a_class = pick(10) < 7;
  json body = {
      {"class", a_class ? "A" : "B"},
      {"resource_type", "GPU"},
      {"model", m.name},
      {"units", units},
      {"unit_memory", m.unit_memory},
      {"memory", 256'000'000'000LL * (1 + pick(4))},
      {"vcpus", 16 * units},
      {"prices", {{"hourly", hourly}, {"monthly", hourly * 24 * 30 * 8 / 10}}},
      {"vendor", fmt::format("vendor{}", pick(500))},
      {"location", city[0]},
      {"region", city[1]},
      {"storage", {{"description", "2x3.84TB nvme data, 480GB ssd system"}}},
      {"software", {{"cuda", kCuda[pick(std::size(kCuda))]}, {"frameworks", json::array({"pytorch 2.3", "jax 0.4"})}}},
  };
  if (a_class) body["usage"] = "ssh in, then: conda activate torch";
  if (a_class)
    body["access"] = {{"ssh_host", fmt::format("gpu{}.example.org", pick(1000))}, {"ssh_user", "cpadmin"}};
  else
    body["access"] = {{"platform_url", "https://platform.example.org"}, {"environments", json::array({"pytorch"})}};
  return body;
}

struct Latencies {
  std::vector<double> ms;
  double pct(double p) {
    if (ms.empty()) return 0;
    std::sort(ms.begin(), ms.end());
    auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(ms.size() - 1) + 0.5);
    return ms[std::min(i, ms.size() - 1)];
  }
};

using bench::ms_since;

// A published B-class cluster: its CPcId and agent token.
struct Agent {
  std::string cpc_id, token;
};

// Each B-class cluster's agent reports once, as a live one does within a
// minute of starting: a B-class cluster is offered only while its agent is
// online (issue 11). Without it no B-class cluster is offered, and a filter
// asking for one walks the whole index to find none (PERFORMANCE.md).
void bring_online(const Args& a, const std::vector<Agent>& agents) {
  const std::string at = fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::time(nullptr)));
  const std::string body = nlohmann::json{
      {"samples",
       {{{"at", at},
         {"cpu", nullptr},
         {"memory", nullptr},
         {"mounts", nlohmann::json::array()},
         {"interfaces", nlohmann::json::array()},
         {"sensors", nlohmann::json::array()},
         {"gpu_source", "none"},
         {"gpu_error", nullptr},
         {"gpus", nlohmann::json::array()},
         {"network", nullptr}}}},
      {"dropped", 0}}.dump();
  std::atomic<std::size_t> next{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  auto t0 = Clock::now();
  for (int t = 0; t < a.publish_clients; ++t) {
    threads.emplace_back([&] {
      auto cli = client(a);
      for (std::size_t i; (i = next.fetch_add(1)) < agents.size();) {
        auto res = cli->Post(fmt::format("/api/v1/clusters/{}/metrics", agents[i].cpc_id),
                             {{"Authorization", "Bearer " + agents[i].token}}, body, "application/json");
        if ((!res || res->status != 200) && failed.fetch_add(1) < 3)
          std::fprintf(stderr, "agent report failed: %s\n",
                       res ? (std::to_string(res->status) + " " + res->body).c_str() : "no response");
      }
    });
  }
  for (auto& th : threads) th.join();
  fmt::print("agents             {:>7} B-class clusters online in {:.1f} s ({} failed)\n", agents.size(),
             ms_since(t0) / 1000.0, failed.load());
  if (failed.load() > 0) die("bringing the agents online failed");
}

void publish(const Args& a) {
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> threads;
  std::mutex agents_mu;
  std::vector<Agent> agents;
  auto t0 = Clock::now();
  for (int t = 0; t < a.publish_clients; ++t) {
    threads.emplace_back([&, t] {
      auto cli = client(a);
      std::mt19937 rng(a.seed + static_cast<unsigned>(t));
      while (next.fetch_add(1) < a.clusters) {
        auto res = cli->Post("/api/v1/clusters", cluster_body(rng).dump(), "application/json");
        if (!res || res->status != 201) {
          if (failed.fetch_add(1) < 3)
            std::fprintf(stderr, "publish failed: %s\n",
                         res ? (std::to_string(res->status) + " " + res->body).c_str() : "no response");
        } else if (res->body.find("\"agent_token\"") != std::string::npos) {
          const auto data = nlohmann::json::parse(res->body).at("data");
          if (data.at("agent_token").is_string()) {
            std::lock_guard lock(agents_mu);
            agents.push_back({data.at("cluster").at("cpc_id"), data.at("agent_token")});
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  double s = ms_since(t0) / 1000.0;
  fmt::print("publish            {:>7} clusters over {} connections in {:.1f} s: {:.0f} clusters/s ({} failed)\n",
             a.clusters, a.publish_clients, s, a.clusters / s, failed.load());
  if (failed.load() > 0) die("publishing failed");
  bring_online(a, agents);
}

// Sequential GETs of `path` on one keep-alive connection for a.seconds.
void throughput(const Args& a, const char* label, const std::string& path) {
  auto cli = client(a);
  int n = 0;
  auto t0 = Clock::now();
  while (ms_since(t0) < a.seconds * 1000) {
    auto res = cli->Get(path);
    if (!res || res->status != 200) die(fmt::format("GET {} failed", path));
    ++n;
  }
  fmt::print("{:<18} {:>7.0f} requests/s on one keep-alive connection ({} in {:.1f} s)\n", label,
             n / (ms_since(t0) / 1000.0), n, ms_since(t0) / 1000.0);
}

// M sequential GETs of `path` on one keep-alive connection; latency percentiles.
void latency(const Args& a, const std::string& label, const std::string& path) {
  auto cli = client(a);
  Latencies l;
  std::size_t rows = 0;
  for (int i = 0; i < a.requests; ++i) {
    auto t0 = Clock::now();
    auto res = cli->Get(path);
    l.ms.push_back(ms_since(t0));
    if (!res || res->status != 200)
      die(fmt::format("GET {} failed: {}", path, res ? std::to_string(res->status) + " " + res->body : "no response"));
    if (i == 0) {
      json doc = json::parse(res->body, nullptr, false);
      if (!doc.contains("data") || !doc["data"].contains("items"))
        die(fmt::format("GET {}: no items in {}", path, res->body.substr(0, 300)));
      rows = doc["data"]["items"].size();
    }
  }
  fmt::print("{:<18} p50 {:6.2f} ms  p90 {:6.2f} ms  p99 {:6.2f} ms  max {:6.2f} ms  ({} rows, {} requests)\n", label,
             l.pct(50), l.pct(90), l.pct(99), l.pct(100), rows, a.requests);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  Args a = parse(argc, argv);
  if (a.clusters > 0) publish(a);
  throughput(a, "GET /health", "/api/v1/health");
  throughput(a, "GET /me", "/api/v1/me");
  latency(a, "list", "/api/v1/clusters?limit=50");
  latency(a, "list page 20", "/api/v1/clusters?limit=50&offset=950");
  const std::pair<const char*, const char*> filters[] = {
      {"filter 1", "class=A units_free>=4 model~A100 price_hourly<=30"},
      {"filter 2", "location=深圳市 unit_memory>=80GB units_free>=8 price_hourly<=40"},
      {"filter 3", "model~H100 region in [北京,上海] cuda>=12.1 price_hourly<50"},
      {"filter 4", "class=B resource_type=GPU vcpus>=64 price_monthly<=10000"},
  };
  for (const auto& [label, expr] : filters) {
    fmt::print("{:<18} '{}' --sort price_hourly\n", label, expr);
    latency(a, "",
            fmt::format("/api/v1/clusters?limit=50&sort=price_hourly&filter={}",
                        httplib::detail::encode_query_param(expr)));
  }
  latency(a, "issue's example",
          fmt::format("/api/v1/clusters?limit=50&sort=price_hourly&filter={}",
                      httplib::detail::encode_query_param(
                          "class=A units_free>=4 model~A100 price_hourly<=30 location=深圳市")));
  return 0;
}
