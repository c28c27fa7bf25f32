// metrics_load: fills a stopped cpshared's database with Irmds history
// through the store (issue 11, Performance: "the history may be loaded
// through the store"), for bench/metrics_read.sh. It adds --clusters B-class
// clusters of 8 units owned by --owner, each with --hours of raw host samples
// 10 s apart up to now (8 GPUs, as ingest_bench sends them) and their minute
// rollups, written exactly as ingest writes them (packed JSON, one rollup row
// per minute, day counts, hour rollups); and, for the first
// --history-clusters of them, --history-days of rollups before that. It prints the CPC IDs, one
// per line, history clusters first, to --out.
//
// Usage: metrics_load --db FILE --owner USERNAME --out FILE
//                     [--clusters 1000] [--hours 24] [--history-clusters 20] [--history-days 7]
#include "bench_util.hpp"

#include <chrono>
#include <cstdio>
#include <fmt/format.h>
#include <fstream>
#include <string>
#include <vector>

#include "api/metrics.hpp"
#include "service/metrics.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"

using namespace cpshare;

namespace {

[[noreturn]] void die(const std::string& msg) { bench::die("metrics_load", msg); }

template <class T>
T must(Result<T> r, const char* what) {
  if (!r) die(fmt::format("{}: {}", what, r.error().message));
  return std::move(*r);
}
void must(Result<> r, const char* what) {
  if (!r) die(fmt::format("{}: {}", what, r.error().message));
}

// One host sample of cluster `c` at `at` (8 GPUs; values vary with seq).
api::HostSample host_sample(int c, std::int64_t at, int seq) {
  api::HostSample s;
  s.at = {at};
  const double u = (seq % 100) / 100.0;
  api::CpuReading cpu;
  cpu.cpus = 128;
  cpu.user = 0.5;
  cpu.nice = 0;
  cpu.system = 0.1;
  cpu.idle = 0.4 - u / 10;
  cpu.iowait = 0.0;
  cpu.irq = 0;
  cpu.softirq = 0;
  cpu.load1 = 30.5;
  cpu.load5 = 29;
  cpu.load15 = 28;
  s.cpu = cpu;
  s.memory = api::MemoryReading{1099511627776LL, 549755813888LL - seq};
  s.mounts = {{"/data", 1000000000000LL, 2000000000000LL}};
  api::InterfaceReading eth;
  eth.name = "eth0";
  eth.receive_bytes_total = 1000000LL * seq;
  eth.transmit_bytes_total = 2000000LL * seq;
  eth.receive_bytes_per_second = 100000.0;
  eth.transmit_bytes_per_second = 200000.0;
  s.interfaces = {eth};
  s.sensors = {{"coretemp", "Package id 0", "temperature", 55}, {"nct6798", "Vcore", "voltage", 1.1}};
  s.gpu_source = "nvml";
  for (int i = 0; i < 8; ++i) {
    api::GpuReading g;
    g.uuid = fmt::format("GPU-{:08x}-{:04x}-4000-8000-{:012x}", 0xbe0c0000 + i, c % 0x10000, i);
    g.index = i;
    g.name = "NVIDIA A100-SXM4-80GB";
    g.utilization_ratio = u;
    g.memory_utilization_ratio = 0.4;
    g.memory_used_bytes = 40000000000LL + seq;
    g.memory_total_bytes = 85899345920LL;
    g.temperature_celsius = 60 + i;
    g.power_watts = 250.5 + i;
    g.power_limit_watts = 400;
    s.gpus.push_back(g);
  }
  s.network = api::NetworkProbe{3, 0.002, 0.0};
  return s;
}

std::int64_t add_cluster(Store& store, std::int64_t owner, int c, std::int64_t now) {
  catalog::Cluster cl;
  // CPC IDs from the catalogue's alphabet (digits and lower-case letters but i, l, o, u).
  cl.cpc_id = fmt::format("cp-bench{:05d}", c);
  cl.owner_id = owner;
  cl.cluster_class = 'B';
  cl.resource_type = "GPU";
  cl.model = "A100 80GB";
  cl.units = cl.units_free = 8;
  cl.unit_memory = 85899345920LL;
  cl.memory = 1099511627776LL;
  cl.vcpus = 128;
  cl.prices.hourly = 2000;
  cl.vendor = "Acme";
  cl.location = "深圳市";
  cl.region = "深圳";
  cl.platform_url = "https://platform.example.org";
  cl.environments = {"pytorch"};
  cl.created_at = cl.updated_at = now;
  return must(store.catalog().insert(cl), "insert cluster");
}

// Minute rollups of one cluster for [from, to): a rollup of the minute's six samples each.
void write_rollups(Store& store, std::int64_t id, int c, std::int64_t from, std::int64_t to) {
  for (std::int64_t m = from; m < to; m += 60) {
    std::vector<api::HostSample> six;
    for (int k = 0; k < 6; ++k) six.push_back(host_sample(c, m + 10 * k, static_cast<int>(m / 10) + k));
    must(store.metrics().put_rollup(id, {m, 6, metrics::rollup_json(metrics::rollup(six)).dump(), false}), "rollup");
  }
}

// Cluster c's samples [sample_from, to), 10 s apart, and rollups of the
// minutes [rollup_from, to), with the hour marks, day counts and last report
// that ingest keeps.
Result<> load_range(Store& store, std::int64_t id, int c, std::int64_t sample_from, std::int64_t rollup_from,
                    std::int64_t to, long& samples, long& rollups) {
  std::vector<StoredSample> rows;
  for (std::int64_t at = sample_from; at < to; at += 10)
    rows.push_back({at, api::encode(host_sample(c, at, static_cast<int>(at / 10))).dump()});
  TRY(store.metrics().insert_samples(id, rows));
  samples += static_cast<long>(rows.size());
  write_rollups(store, id, c, rollup_from, to);
  rollups += (to - rollup_from) / 60;
  for (std::int64_t h = rollup_from - rollup_from % 3600; h < to; h += 3600) TRY(store.metrics().mark_hour(id, h));
  for (std::int64_t d = rollup_from - rollup_from % 86400; d < to; d += 86400)
    TRY(store.metrics().count_minutes(id, d, (std::min(to, d + 86400) - std::max(rollup_from, d)) / 60, 0));
  return store.metrics().reported(id, to - 10);
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::string db, owner_name, out_file;
  int clusters = 1000, hours = 24, history_clusters = 20, history_days = 7;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) die(k + " needs a value");
      return argv[++i];
    };
    if (k == "--db")
      db = next();
    else if (k == "--owner")
      owner_name = next();
    else if (k == "--out")
      out_file = next();
    else if (k == "--clusters")
      clusters = std::stoi(next());
    else if (k == "--hours")
      hours = std::stoi(next());
    else if (k == "--history-clusters")
      history_clusters = std::stoi(next());
    else if (k == "--history-days")
      history_days = std::stoi(next());
    else
      die("unknown argument " + k);
  }
  if (db.empty() || owner_name.empty() || out_file.empty())
    die("usage: metrics_load --db FILE --owner NAME --out FILE");
  auto store = must(Store::open(db), "open");
  const auto owner = must(store->accounts().by_username(owner_name), "owner");
  if (!owner) die("no account " + owner_name);
  const std::int64_t now = unix_now();
  std::int64_t end = now - now % 60;
  const std::int64_t start = end - static_cast<std::int64_t>(hours) * 3600;
  std::ofstream out(out_file);
  const auto t0 = std::chrono::steady_clock::now();
  long samples = 0, rollups = 0;
  std::vector<std::int64_t> ids;
  for (int c = 0; c < clusters; ++c) {
    must(store->atomically([&]() -> Result<> {
      const std::int64_t id = add_cluster(*store, owner->id, c, now);
      ids.push_back(id);
      const std::int64_t from = c < history_clusters ? start - static_cast<std::int64_t>(history_days) * 86400 : start;
      TRY(load_range(*store, id, c, start, from, end, samples, rollups));
      TRY(store->metrics().first_report(id, from));
      out << fmt::format("cp-bench{:05d}", c) << "\n";
      return {};
    }),
         "cluster");
    if ((c + 1) % 50 == 0 || c + 1 == clusters) {
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      fmt::print("loaded {} clusters: {} samples, {} rollups in {:.0f} s\n", c + 1, samples, rollups, s);
    }
  }
  // A large load takes minutes: the time since its start is loaded too, again
  // until it is within a minute of now, so that "the last 10 minutes" are full.
  for (std::int64_t to = unix_now() - unix_now() % 60; to > end; to = unix_now() - unix_now() % 60) {
    for (int c = 0; c < clusters; ++c)
      must(store->atomically([&] { return load_range(*store, ids[c], c, end, end, to, samples, rollups); }), "top up");
    fmt::print("topped up {} s to now\n", to - end);
    end = to;
  }
  // The hour rollups, as the daemon's scheduler makes them.
  ManualClock clock(unix_now());
  const auto keys = crypto::KeyRing::from_master(crypto::Bytes(32, 1));  // unused: no agent token is checked
  MetricsService svc(*store, keys, clock);
  long rolled = 0;
  for (int n; (n = must(svc.roll_hours(1000), "roll hours")) > 0;) rolled += n;
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  fmt::print("rolled up {} hours; all loaded in {:.0f} s\n", rolled, s);
  return 0;
}
