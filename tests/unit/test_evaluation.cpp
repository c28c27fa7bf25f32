// The evaluation of a B-class lease from the cluster's minute rollups and
// events (issue 11; R-LEASE-8); reliability is tested in test_metrics.cpp. The rollups are
// built in the shape MetricsService writes ({"<reading>": {"min", "mean",
// "max", "n"}}); GPU UUIDs and the lost GPU follow
// ../shared/fixtures/nvidia-smi/gpu-lost.csv, which stands in for the hardware.
#include <catch2/catch.hpp>

#include "service/evaluation.hpp"

using namespace cpshare;
using evaluation::LeasedGpu;
using evaluation::MinuteRollup;
using nlohmann::json;

namespace {
constexpr std::int64_t T0 = 1'796'371'200;  // 2026-12-04T08:00:00Z, a minute's start
const std::string kGpu0 = "GPU-7a8b0000-0000-4000-8000-000000000000";
const std::string kGpu3 = "GPU-7a8b0003-0000-4000-8000-000000000003";

json stat(double mean, std::optional<int> n) {
  json s = {{"min", mean}, {"mean", mean}, {"max", mean}};
  if (n) s["n"] = *n;
  return s;
}

std::string util(const std::string& uuid) { return "gpus." + uuid + ".utilization_ratio"; }

// Minute `k` of the window from T0: `samples` samples, GPU 0 at util0 and GPU 3 at util3
// (each in every sample), probe latency 2 ms and loss 0 in every sample.
MinuteRollup minute(std::int64_t k, int samples, std::optional<double> util0, std::optional<double> util3 = 0.5) {
  MinuteRollup r{T0 + 60 * k, samples, json::object()};
  if (util0) r.readings[util(kGpu0)] = stat(*util0, samples);
  if (util3) r.readings[util(kGpu3)] = stat(*util3, samples);
  r.readings["network.latency_seconds"] = stat(0.002, samples);
  r.readings["network.loss_ratio"] = stat(0.0, samples);
  r.readings["cpu.user_ratio"] = stat(0.1, samples);
  return r;
}

health::Event event(int unit, ClusterEventKind kind, std::int64_t at) {
  return {unit, kind, unit == 0 ? kGpu0 : kGpu3, at, "detail"};
}
}  // namespace

TEST_CASE("a lease reported every minute is fully available, utilisation weighted by readings", "[R-LEASE-8]") {
  std::vector<MinuteRollup> rows;
  for (int k = 0; k < 10; ++k) rows.push_back(minute(k, 6, k < 5 ? 0.5 : 1.0));
  rows[0].readings[util(kGpu0)]["n"] = 2;  // GPU 0 read in 2 of minute 0's 6 samples
  rows.push_back(minute(10, 6, 0.0));      // after the end: ignored
  rows.push_back(minute(-1, 6, 0.0));      // before the start: ignored
  rows.push_back(minute(3, 6, 0.0));       // minute 3 again: the first row counts
  auto r = evaluation::evaluate_lease(T0, T0 + 600, {{0, kGpu0}}, rows, {});
  CHECK(r.from.unix == T0);
  CHECK(r.to.unix == T0 + 600);
  CHECK(r.minutes == 10);
  CHECK(r.minutes_reported == 10);
  CHECK(r.availability == 1.0);
  CHECK(r.gpus_lost.empty());
  REQUIRE(r.gpu_utilization_mean);
  // GPU 3 is not the lease's: its 0.5 does not count. 2 + 4 * 6 readings of 0.5, 5 * 6 of 1.0.
  CHECK(*r.gpu_utilization_mean == Approx((26 * 0.5 + 30 * 1.0) / 56));
  // p95 of the ten 1-minute means (five 0.5, five 1.0): rank ceil(9.5) = 10.
  CHECK(r.gpu_utilization_p95 == 1.0);
  CHECK(r.latency_mean_seconds == Approx(0.002));
  CHECK(r.loss_mean_ratio == 0.0);
}

TEST_CASE("p95 is the nearest rank of the per-minute per-GPU means", "[R-LEASE-8]") {
  std::vector<MinuteRollup> rows;
  // 20 minutes x 2 GPUs = 40 means: GPU 3 at 0.5 throughout, GPU 0 at 0.01 * k.
  for (int k = 0; k < 20; ++k) rows.push_back(minute(k, 1, 0.01 * k, 0.5));
  auto r = evaluation::evaluate_lease(T0, T0 + 1200, {{0, kGpu0}, {3, kGpu3}}, rows, {});
  // Sorted: 0.00 .. 0.19, then 0.5 x 20; rank ceil(0.95 * 40) = 38: 0.5. Over GPU 0 alone
  // (20 means), rank 19: 0.18.
  CHECK(r.gpu_utilization_p95 == 0.5);
  auto one = evaluation::evaluate_lease(T0, T0 + 1200, {{0, kGpu0}}, rows, {});
  CHECK(*one.gpu_utilization_p95 == Approx(0.18));
}

TEST_CASE("edge minutes: a started minute counts at either end; silent minutes lower availability", "[R-LEASE-8]") {
  std::vector<MinuteRollup> rows;
  for (int k = 0; k < 12; ++k)
    if (k < 3 || k >= 6) rows.push_back(minute(k, 6, 0.5));  // silent 3:00–5:59
  // [0:30, 10:30): minutes 0..10, 11; the row of minute 11 lies outside.
  auto r = evaluation::evaluate_lease(T0 + 30, T0 + 630, {{0, kGpu0}}, rows, {});
  CHECK(r.minutes == 11);
  CHECK(r.minutes_reported == 8);
  CHECK(r.availability == Approx(8.0 / 11.0));
  // [0:59, 1:01): two minutes, both reported.
  auto edge = evaluation::evaluate_lease(T0 + 59, T0 + 61, {{0, kGpu0}}, rows, {});
  CHECK(edge.minutes == 2);
  CHECK(edge.minutes_reported == 2);
  // [1:00, 2:00): exactly one minute.
  CHECK(evaluation::evaluate_lease(T0 + 60, T0 + 120, {{0, kGpu0}}, rows, {}).minutes == 1);
}

TEST_CASE("a reading without n counts every sample of its row", "[R-LEASE-8]") {
  MinuteRollup old{T0, 4, json::object()};  // written before migration 11: no n
  old.readings[util(kGpu0)] = stat(0.2, std::nullopt);
  old.readings["network.latency_seconds"] = stat(0.004, std::nullopt);
  MinuteRollup now = minute(1, 6, 0.8);
  now.readings["network.latency_seconds"] = stat(0.002, 2);  // the probe ran in 2 of 6 samples
  auto r = evaluation::evaluate_lease(T0, T0 + 120, {{0, kGpu0}}, {old, now}, {});
  CHECK(*r.gpu_utilization_mean == Approx((4 * 0.2 + 6 * 0.8) / 10));
  CHECK(*r.latency_mean_seconds == Approx((4 * 0.004 + 2 * 0.002) / 6));
  CHECK(*r.loss_mean_ratio == 0.0);  // only the new row has loss
}

TEST_CASE("a GPU lost and back is lost between its events, clipped to the window", "[R-LEASE-8]") {
  std::vector<MinuteRollup> rows;
  for (int k = 0; k < 10; ++k) rows.push_back(minute(k, 6, 0.9, k >= 2 && k < 4 ? std::nullopt : std::optional(0.8)));
  std::vector<health::Event> events{
      event(3, ClusterEventKind::GpuLost, T0 + 125),
      {std::nullopt, ClusterEventKind::ClusterOffline, std::nullopt, T0 + 130, "not a GPU's"},
      event(3, ClusterEventKind::GpuLost, T0 + 140),  // still lost: changes nothing
      event(3, ClusterEventKind::GpuReturned, T0 + 245),
      event(3, ClusterEventKind::GpuLost, T0 + 590),  // lost again until past the end
      event(3, ClusterEventKind::GpuReturned, T0 + 700),
      event(5, ClusterEventKind::GpuLost, T0 + 10),  // not a leased unit
  };
  auto r = evaluation::evaluate_lease(T0, T0 + 600, {{0, kGpu0}, {3, kGpu3}}, rows, events);
  REQUIRE(r.gpus_lost.size() == 1);
  CHECK(r.gpus_lost[0].unit == 3);
  CHECK(r.gpus_lost[0].uuid == kGpu3);
  CHECK(r.gpus_lost[0].first_lost.unix == T0 + 125);
  CHECK(r.gpus_lost[0].seconds == 120 + 10);
  // Utilisation: GPU 0's 60 readings of 0.9 and GPU 3's 48 of 0.8 (none while lost).
  CHECK(*r.gpu_utilization_mean == Approx((60 * 0.9 + 48 * 0.8) / 108));
  CHECK(r.availability == 1.0);  // a lost GPU is in the report, not in availability
}

TEST_CASE("a GPU lost before the window is lost from its start; one that returned before is not", "[R-LEASE-8]") {
  std::vector<health::Event> events{
      event(0, ClusterEventKind::GpuLost, T0 - 900),
      event(0, ClusterEventKind::GpuReturned, T0 - 600),  // back before the lease
      event(3, ClusterEventKind::GpuLost, T0 - 300),      // the last before: still lost at the start
      event(3, ClusterEventKind::GpuReturned, T0 + 200),
  };
  auto r = evaluation::evaluate_lease(T0, T0 + 600, {{0, kGpu0}, {3, kGpu3}}, {}, events);
  REQUIRE(r.gpus_lost.size() == 1);
  CHECK(r.gpus_lost[0].unit == 3);
  CHECK(r.gpus_lost[0].first_lost.unix == T0);
  CHECK(r.gpus_lost[0].seconds == 200);
  // Returned at the window's first second exactly: never lost within it.
  auto back = evaluation::evaluate_lease(T0 + 200, T0 + 600, {{3, kGpu3}}, {}, events);
  CHECK(back.gpus_lost.empty());
}

TEST_CASE("a GPU lost and never back is lost until the end", "[R-LEASE-8]") {
  std::vector<health::Event> events{event(0, ClusterEventKind::GpuLost, T0 + 1000)};
  auto r = evaluation::evaluate_lease(T0, T0 + 3600, {{0, kGpu0}}, {}, events);
  REQUIRE(r.gpus_lost.size() == 1);
  CHECK(r.gpus_lost[0].first_lost.unix == T0 + 1000);
  CHECK(r.gpus_lost[0].seconds == 2600);
  // Lost at the end's second: outside [from, to).
  CHECK(evaluation::evaluate_lease(T0, T0 + 1000, {{0, kGpu0}}, {}, events).gpus_lost.empty());
}

TEST_CASE("no rollups: availability 0 and every reading null", "[R-LEASE-8]") {
  auto r = evaluation::evaluate_lease(T0, T0 + 3600, {{0, kGpu0}}, {}, {});
  CHECK(r.minutes == 60);
  CHECK(r.minutes_reported == 0);
  CHECK(r.availability == 0.0);
  CHECK(r.gpus_lost.empty());
  CHECK(!r.gpu_utilization_mean);
  CHECK(!r.gpu_utilization_p95);
  CHECK(!r.latency_mean_seconds);
  CHECK(!r.loss_mean_ratio);
  auto empty = evaluation::evaluate_lease(T0, T0, {{0, kGpu0}}, {minute(0, 6, 0.5)}, {});
  CHECK(empty.minutes == 0);
  CHECK(empty.availability == 0.0);
}

TEST_CASE("utilisation absent under MIG is absent in the report, never 0", "[R-LEASE-8]") {
  std::vector<MinuteRollup> rows{minute(0, 6, std::nullopt, std::nullopt), minute(1, 6, std::nullopt, std::nullopt)};
  rows[1].readings.erase("network.loss_ratio");
  rows[0].readings.erase("network.loss_ratio");
  auto r = evaluation::evaluate_lease(T0, T0 + 120, {{0, kGpu0}}, rows, {});
  CHECK(r.availability == 1.0);
  CHECK(!r.gpu_utilization_mean);
  CHECK(!r.gpu_utilization_p95);
  CHECK(r.latency_mean_seconds == Approx(0.002));
  CHECK(!r.loss_mean_ratio);
  CHECK(r.gpus_lost.empty());
  // A row whose readings are not an object (unreadable) still counts as reported.
  MinuteRollup bad{T0, 3, json("garbage")};
  auto b = evaluation::evaluate_lease(T0, T0 + 60, {{0, kGpu0}}, {bad}, {});
  CHECK(b.minutes_reported == 1);
  CHECK(!b.gpu_utilization_mean);
}
