// The evaluation of a B-class lease and a cluster's reliability from the
// monitoring log (issue 11; R-LEASE-8). The samples are built in the test in
// the shapes the agent sends (api::HostSample); GPU UUIDs and the lost GPU
// follow ../shared/fixtures/nvidia-smi/gpu-lost.csv, which stands in for the
// hardware here.
#include <catch2/catch.hpp>

#include "service/evaluation.hpp"

using namespace cpshare;
using evaluation::LeasedGpu;

namespace {
constexpr std::int64_t T0 = 1'796'371'200;  // 2026-12-04T08:00:00Z
const std::string kGpu0 = "GPU-7a8b0000-0000-4000-8000-000000000000";
const std::string kGpu3 = "GPU-7a8b0003-0000-4000-8000-000000000003";

api::GpuReading gpu(const std::string& uuid, std::optional<double> util) {
  api::GpuReading g;
  g.uuid = uuid;
  g.utilization_ratio = util;
  return g;
}

api::HostSample sample(std::int64_t at, std::vector<api::GpuReading> gpus) {
  api::HostSample s;
  s.at.unix = at;
  s.gpu_source = "nvidia-smi";
  s.gpus = std::move(gpus);
  s.network = api::NetworkProbe{3, 0.002, 0.0};
  return s;
}
}  // namespace

TEST_CASE("a lease reported every 10 s throughout is fully available, its utilisation averaged", "[R-LEASE-8]") {
  std::vector<api::HostSample> samples;
  for (int i = 0; i < 60; ++i)  // 10 minutes; GPU 0 at 0.90 then 1.00 alternately
    samples.push_back(sample(T0 + 10 * i, {gpu(kGpu0, i % 2 ? 1.0 : 0.9), gpu(kGpu3, 0.5)}));
  samples.push_back(sample(T0 + 600, {gpu(kGpu0, 0.0)}));  // after the end: ignored
  auto r = evaluation::evaluate_lease(T0, T0 + 600, {{0, kGpu0}}, samples);
  CHECK(r.minutes == 10);
  CHECK(r.minutes_reported == 10);
  CHECK(r.availability == 1.0);
  CHECK(r.gpus_lost.empty());
  REQUIRE(r.gpu_utilization_mean);
  CHECK(*r.gpu_utilization_mean == Approx(0.95));
  CHECK(r.gpu_utilization_p95 == 1.0);  // GPU 3 is not the lease's: its 0.5 does not count
  CHECK(r.latency_mean_seconds == Approx(0.002));
  CHECK(r.loss_mean_ratio == 0.0);
}

TEST_CASE("minutes without a report lower availability; a started minute counts", "[R-LEASE-8]") {
  std::vector<api::HostSample> samples;
  for (int i = 0; i < 65; ++i)
    if (i < 18 || i >= 36) samples.push_back(sample(T0 + 10 * i, {gpu(kGpu0, 0.5)}));  // silent 3:00–5:59
  auto r = evaluation::evaluate_lease(T0, T0 + 630, {{0, kGpu0}}, samples);
  CHECK(r.minutes == 11);
  CHECK(r.minutes_reported == 8);
  CHECK(r.availability == Approx(8.0 / 11.0));
}

TEST_CASE("a GPU reported lost or missing from a working report is lost for those reports' spans", "[R-LEASE-8]") {
  std::vector<api::HostSample> samples;
  for (int i = 0; i < 30; ++i) {  // 5 minutes, every 10 s
    std::vector<api::GpuReading> gpus{gpu(kGpu0, 0.9)};
    if (i >= 6 && i < 12) {  // 1:00–1:59 "[GPU is lost]"
      api::GpuReading lost;
      lost.uuid = kGpu3;
      lost.lost = true;
      gpus.push_back(lost);
    } else if (i >= 12 && i < 15) {
      // 2:00–2:29 gone from the list (fallen off the bus): lost too
    } else {
      gpus.push_back(gpu(kGpu3, 0.8));
    }
    auto s = sample(T0 + 10 * i, gpus);
    if (i >= 20 && i < 24) {  // the whole source failed: says nothing about GPU 3
      s.gpus.clear();
      s.gpu_error = api::GpuSourceError{"timeout", "nvidia-smi did not answer within 5 s"};
    }
    samples.push_back(s);
  }
  auto r = evaluation::evaluate_lease(T0, T0 + 300, {{0, kGpu0}, {3, kGpu3}}, samples);
  REQUIRE(r.gpus_lost.size() == 1);
  CHECK(r.gpus_lost[0].unit == 3);
  CHECK(r.gpus_lost[0].uuid == kGpu3);
  CHECK(r.gpus_lost[0].first_lost.unix == T0 + 60);
  CHECK(r.gpus_lost[0].seconds == 90);
  // Utilisation: GPU 0's 30 readings of 0.9 and GPU 3's 30 - 9 lost - 4 failed = 17 of 0.8 (the
  // failed reports have no GPU 0 either: 26 of 0.9).
  REQUIRE(r.gpu_utilization_mean);
  CHECK(*r.gpu_utilization_mean == Approx((26 * 0.9 + 17 * 0.8) / 43));
}

TEST_CASE("utilisation absent under MIG is absent in the report, never 0", "[R-LEASE-8]") {
  std::vector<api::HostSample> samples{sample(T0, {gpu(kGpu0, std::nullopt)}),
                                       sample(T0 + 10, {gpu(kGpu0, std::nullopt)})};
  auto r = evaluation::evaluate_lease(T0, T0 + 60, {{0, kGpu0}}, samples);
  CHECK(!r.gpu_utilization_mean);
  CHECK(!r.gpu_utilization_p95);
  CHECK(r.gpus_lost.empty());
}

TEST_CASE("the last report stands for at most a minute; a window without reports has none", "[R-LEASE-8]") {
  api::HostSample lost = sample(T0, {});
  auto r = evaluation::evaluate_lease(T0, T0 + 3600, {{0, kGpu0}}, {lost});
  REQUIRE(r.gpus_lost.size() == 1);
  CHECK(r.gpus_lost[0].seconds == evaluation::kMaxReportSpanSeconds);
  auto empty = evaluation::evaluate_lease(T0, T0 + 3600, {{0, kGpu0}}, {});
  CHECK(empty.minutes == 60);
  CHECK(empty.availability == 0.0);
  CHECK(!empty.latency_mean_seconds);
}

TEST_CASE("reliability: up minutes over 30 days, or since the first report when younger", "[R-MON-1]") {
  const std::int64_t now = T0;
  std::vector<evaluation::MinuteState> minutes;
  const std::int64_t first = now - 2 * 86'400;  // two days old
  for (std::int64_t m = first / 60; m < now / 60; ++m) minutes.push_back({m, true, false});
  for (int i = 0; i < 60; ++i) minutes[static_cast<std::size_t>(100 + i)].reported = false;  // an hour silent
  for (int i = 0; i < 30; ++i) minutes[static_cast<std::size_t>(500 + i)].gpu_lost = true;   // 30 min GPU lost
  auto r = evaluation::reliability(now, 30, first, minutes);
  REQUIRE(r);
  CHECK(*r == Approx((2880.0 - 90.0) / 2880.0));
  // Thirty days old: the whole window counts; the two days of reports are 2790 of 43200 minutes.
  auto old = evaluation::reliability(now, 30, now - 40 * 86'400, minutes);
  CHECK(*old == Approx(2790.0 / 43200.0));
  CHECK(!evaluation::reliability(now, 30, 0, minutes));  // never reported
}
