#include "service/evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace cpshare::evaluation {

namespace {

const api::GpuReading* find_gpu(const api::HostSample& s, const std::string& uuid) {
  for (const auto& g : s.gpus)
    if (g.uuid == uuid) return &g;
  return nullptr;
}

// Whether the sample had this GPU lost: reported lost, or missing from a
// reading whose GPU source worked.
bool lost_in(const api::HostSample& s, const std::string& uuid) {
  const api::GpuReading* g = find_gpu(s, uuid);
  if (g != nullptr) return g->lost;
  return !s.gpu_error && s.gpu_source != "none";
}

std::optional<double> mean(const std::vector<double>& v) {
  if (v.empty()) return std::nullopt;
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

// Nearest-rank percentile p (0–1] of a non-empty vector.
double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

// Each sample's span within [.., to): until the next sample, at most kMaxReportSpanSeconds.
std::vector<std::int64_t> spans(const std::vector<api::HostSample>& samples, std::int64_t to) {
  std::vector<std::int64_t> out(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const std::int64_t at = samples[i].at.unix;
    std::int64_t end = std::min(at + kMaxReportSpanSeconds, to);
    if (i + 1 < samples.size()) end = std::min(end, samples[i + 1].at.unix);
    out[i] = std::max<std::int64_t>(0, end - at);
  }
  return out;
}

void add_lost_gpus(api::ServiceReport& r, const std::vector<LeasedGpu>& gpus,
                   const std::vector<api::HostSample>& samples, const std::vector<std::int64_t>& span) {
  for (const auto& gpu : gpus) {
    api::LostGpu lost{gpu.unit, gpu.uuid, {}, 0};
    bool any = false;
    for (std::size_t i = 0; i < samples.size(); ++i) {
      if (!lost_in(samples[i], gpu.uuid)) continue;
      if (!any) lost.first_lost = samples[i].at;
      any = true;
      lost.seconds += span[i];
    }
    if (any) r.gpus_lost.push_back(std::move(lost));
  }
}

}  // namespace

api::ServiceReport evaluate_lease(std::int64_t from, std::int64_t to, const std::vector<LeasedGpu>& gpus,
                                  std::vector<api::HostSample> samples) {
  api::ServiceReport r;
  r.from.unix = from;
  r.to.unix = to;
  if (to <= from) return r;
  std::erase_if(samples, [&](const api::HostSample& s) { return s.at.unix < from || s.at.unix >= to; });
  std::stable_sort(samples.begin(), samples.end(),
                   [](const api::HostSample& a, const api::HostSample& b) { return a.at.unix < b.at.unix; });
  r.minutes = (to - from + 59) / 60;
  std::set<std::int64_t> minutes;
  for (const auto& s : samples) minutes.insert((s.at.unix - from) / 60);
  r.minutes_reported = static_cast<std::int64_t>(minutes.size());
  r.availability = static_cast<double>(r.minutes_reported) / static_cast<double>(r.minutes);

  add_lost_gpus(r, gpus, samples, spans(samples, to));

  std::vector<double> utilization, latency, loss;
  for (const auto& s : samples) {
    for (const auto& gpu : gpus) {
      const api::GpuReading* g = find_gpu(s, gpu.uuid);
      if (g != nullptr && !g->lost && g->utilization_ratio) utilization.push_back(*g->utilization_ratio);
    }
    if (s.network && s.network->latency_seconds) latency.push_back(*s.network->latency_seconds);
    if (s.network && s.network->loss_ratio) loss.push_back(*s.network->loss_ratio);
  }
  r.gpu_utilization_mean = mean(utilization);
  if (!utilization.empty()) r.gpu_utilization_p95 = percentile(utilization, 0.95);
  r.latency_mean_seconds = mean(latency);
  r.loss_mean_ratio = mean(loss);
  return r;
}

std::optional<double> reliability(std::int64_t now, int days, std::int64_t first_report,
                                  const std::vector<MinuteState>& minutes) {
  if (first_report <= 0 || days <= 0) return std::nullopt;
  const std::int64_t start = std::max(now - static_cast<std::int64_t>(days) * 86'400, first_report) / 60;
  const std::int64_t end = (now + 59) / 60;  // minutes [start, end)
  if (end <= start) return std::nullopt;
  std::int64_t up = 0;
  std::set<std::int64_t> seen;
  for (const auto& m : minutes)
    if (m.minute >= start && m.minute < end && m.reported && !m.gpu_lost && seen.insert(m.minute).second) ++up;
  return static_cast<double>(up) / static_cast<double>(end - start);
}

}  // namespace cpshare::evaluation
