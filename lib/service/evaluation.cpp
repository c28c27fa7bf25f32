#include "service/evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

namespace cpshare::evaluation {

namespace {

// A reading of one row: its mean and how many samples it stands for.
struct Weighted {
  double mean = 0;
  double n = 0;
};

std::optional<Weighted> reading(const MinuteRollup& r, const std::string& name) {
  if (!r.readings.is_object()) return std::nullopt;
  auto it = r.readings.find(name);
  if (it == r.readings.end() || !it->is_object()) return std::nullopt;
  auto mean = it->find("mean");
  if (mean == it->end() || !mean->is_number()) return std::nullopt;
  auto n = it->find("n");
  const double count = n != it->end() && n->is_number() ? n->get<double>() : static_cast<double>(r.samples);
  if (count <= 0) return std::nullopt;
  return Weighted{mean->get<double>(), count};
}

// Sum(mean * n) / sum(n), null when nothing was added.
struct WeightedMean {
  double sum = 0, n = 0;
  void add(const std::optional<Weighted>& w) {
    if (!w) return;
    sum += w->mean * w->n;
    n += w->n;
  }
  std::optional<double> value() const { return n > 0 ? std::optional<double>(sum / n) : std::nullopt; }
};

// Nearest-rank percentile p (0–1] of a non-empty vector.
double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

// The lost intervals of one leased GPU, clipped to [from, to).
std::optional<api::LostGpu> lost_gpu(std::int64_t from, std::int64_t to, const LeasedGpu& gpu,
                                     const std::vector<health::Event>& events) {
  api::LostGpu out{gpu.unit, gpu.uuid, {}, 0};
  bool any = false, lost = false;
  std::int64_t since = 0;  // lost since (unclipped), while lost
  auto close = [&](std::int64_t until) {
    const std::int64_t a = std::max(since, from), b = std::min(until, to);
    lost = false;
    // Nothing of it in the window: it ended before `from`, or returned at `from` exactly.
    if (b < a || (b == a && since < from)) return;
    if (!any) out.first_lost.unix = a;
    any = true;
    out.seconds += b - a;
  };
  for (const auto& e : events) {
    if (e.unit != gpu.unit || e.at >= to) continue;
    if (e.kind == ClusterEventKind::GpuLost && !lost) {
      lost = true;
      since = e.at;
    }
    if (e.kind == ClusterEventKind::GpuReturned && lost) close(e.at);
  }
  if (lost) close(to);
  if (!any) return std::nullopt;
  return out;
}

}  // namespace

api::ServiceReport evaluate_lease(std::int64_t from, std::int64_t to, const std::vector<LeasedGpu>& gpus,
                                  const std::vector<MinuteRollup>& rollups, const std::vector<health::Event>& events) {
  api::ServiceReport r;
  r.from.unix = from;
  r.to.unix = to;
  if (to <= from) return r;
  auto floor_minute = [](std::int64_t t) { return t >= 0 ? t / 60 : -((-t + 59) / 60); };
  const std::int64_t first = floor_minute(from), last = floor_minute(to - 1);  // minutes [first, last]
  r.minutes = last - first + 1;

  std::set<std::int64_t> seen;
  std::vector<double> minute_means;
  WeightedMean utilization, latency, loss;
  for (const auto& row : rollups) {
    const std::int64_t m = floor_minute(row.minute);
    if (m < first || m > last || !seen.insert(m).second) continue;
    for (const auto& gpu : gpus) {
      auto u = reading(row, fmt::format("gpus.{}.utilization_ratio", gpu.uuid));
      utilization.add(u);
      if (u) minute_means.push_back(u->mean);
    }
    latency.add(reading(row, "network.latency_seconds"));
    loss.add(reading(row, "network.loss_ratio"));
  }
  r.minutes_reported = static_cast<std::int64_t>(seen.size());
  r.availability = static_cast<double>(r.minutes_reported) / static_cast<double>(r.minutes);
  for (const auto& gpu : gpus)
    if (auto lost = lost_gpu(from, to, gpu, events)) r.gpus_lost.push_back(std::move(*lost));
  r.gpu_utilization_mean = utilization.value();
  if (!minute_means.empty()) r.gpu_utilization_p95 = percentile(minute_means, 0.95);
  r.latency_mean_seconds = latency.value();
  r.loss_mean_ratio = loss.value();
  return r;
}

}  // namespace cpshare::evaluation
