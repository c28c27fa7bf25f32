// Irmds ingest and storage (issue 11): the batch's rules, the minute rollups,
// units bound to GPU UUIDs, pruning. Rules: service/metrics.hpp.
#include "service/metrics.hpp"
#include "service/rollup_series.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "service/audit.hpp"

namespace cpshare {

namespace metrics {

namespace {

constexpr std::int64_t kDay = 86400;

// Collects field errors with their paths.
struct Checker {
  std::vector<FieldError> errors;
  void finite(const std::string& path, const std::optional<double>& v) {
    if (v && !std::isfinite(*v)) errors.push_back({path, "must be a finite number or null"});
  }
  void ratio(const std::string& path, const std::optional<double>& v) {
    if (!v) return;
    if (!std::isfinite(*v) || *v < 0 || *v > 1) errors.push_back({path, "must be a ratio from 0 to 1 or null"});
  }
  void non_negative(const std::string& path, const std::optional<double>& v) {
    if (!v) return;
    if (!std::isfinite(*v) || *v < 0) errors.push_back({path, "must be a finite number ≥ 0 or null"});
  }
  void non_negative(const std::string& path, const std::optional<std::int64_t>& v) {
    if (v && *v < 0) errors.push_back({path, "must be ≥ 0 (bytes and counts are never negative)"});
  }
};

void check_cpu(Checker& c, const std::string& p, const api::CpuReading& cpu) {
  c.non_negative(p + ".cpus", std::optional<std::int64_t>(cpu.cpus));
  for (auto [name, v] : api::cpu_modes(cpu)) c.ratio(fmt::format("{}.{}", p, name), *v);
  for (auto [name, v] : api::cpu_loads(cpu)) c.non_negative(fmt::format("{}.{}", p, name), *v);
}

void check_gpu(Checker& c, const std::string& p, const api::GpuReading& g) {
  if (g.uuid.empty()) c.errors.push_back({p + ".uuid", "must name the GPU's UUID (\"GPU-…\"), not be empty"});
  c.non_negative(p + ".index", g.index);
  c.ratio(p + ".utilization_ratio", g.utilization_ratio);
  c.ratio(p + ".memory_utilization_ratio", g.memory_utilization_ratio);
  c.non_negative(p + ".memory_used_bytes", g.memory_used_bytes);
  c.non_negative(p + ".memory_total_bytes", g.memory_total_bytes);
  c.finite(p + ".temperature_celsius", g.temperature_celsius);
  c.non_negative(p + ".power_watts", g.power_watts);
  c.non_negative(p + ".power_limit_watts", g.power_limit_watts);
  c.finite(p + ".voltage_volts", g.voltage_volts);
}

void check_sample(Checker& c, const std::string& p, const api::HostSample& s, std::int64_t now, int raw_days) {
  if (s.at.unix > now + kMaxFutureSeconds)
    c.errors.push_back({p + ".at", "is more than 5 minutes ahead of the daemon's clock; check the host's clock (NTP)"});
  if (s.at.unix < now - static_cast<std::int64_t>(raw_days) * kDay)
    c.errors.push_back(
        {p + ".at", fmt::format("is older than the {} days raw samples are kept; drop it from the batch", raw_days)});
  if (s.cpu) check_cpu(c, p + ".cpu", *s.cpu);
  if (s.memory) {
    c.non_negative(p + ".memory.total_bytes", std::optional<std::int64_t>(s.memory->total_bytes));
    c.non_negative(p + ".memory.available_bytes", std::optional<std::int64_t>(s.memory->available_bytes));
  }
  for (std::size_t i = 0; i < s.mounts.size(); ++i) {
    const auto q = fmt::format("{}.mounts[{}]", p, i);
    c.non_negative(q + ".used_bytes", std::optional<std::int64_t>(s.mounts[i].used_bytes));
    c.non_negative(q + ".total_bytes", std::optional<std::int64_t>(s.mounts[i].total_bytes));
  }
  for (std::size_t i = 0; i < s.interfaces.size(); ++i) {
    const auto q = fmt::format("{}.interfaces[{}]", p, i);
    const auto& n = s.interfaces[i];
    if (n.name.empty()) c.errors.push_back({q + ".name", "must name the interface (\"eth0\")"});
    c.non_negative(q + ".receive_bytes_total", std::optional<std::int64_t>(n.receive_bytes_total));
    c.non_negative(q + ".transmit_bytes_total", std::optional<std::int64_t>(n.transmit_bytes_total));
    c.non_negative(q + ".receive_bytes_per_second", n.receive_bytes_per_second);
    c.non_negative(q + ".transmit_bytes_per_second", n.transmit_bytes_per_second);
  }
  for (std::size_t i = 0; i < s.sensors.size(); ++i) {
    const auto q = fmt::format("{}.sensors[{}]", p, i);
    c.finite(q + ".value", s.sensors[i].value);
    if (s.sensors[i].kind != "temperature" && s.sensors[i].kind != "voltage")
      c.errors.push_back({q + ".kind", "must be \"temperature\" or \"voltage\""});
  }
  if (s.gpu_source != "nvml" && s.gpu_source != "nvidia-smi" && s.gpu_source != "none")
    c.errors.push_back({p + ".gpu_source", "must be \"nvml\", \"nvidia-smi\" or \"none\""});
  for (std::size_t i = 0; i < s.gpus.size(); ++i) check_gpu(c, fmt::format("{}.gpus[{}]", p, i), s.gpus[i]);
  if (s.network) {
    c.non_negative(p + ".network.probes", std::optional<std::int64_t>(s.network->probes));
    c.non_negative(p + ".network.latency_seconds", s.network->latency_seconds);
    c.ratio(p + ".network.loss_ratio", s.network->loss_ratio);
  }
}

// Sums of one reading over a minute.
struct Acc {
  double min = 0, max = 0, sum = 0;
  std::int64_t n = 0;
  void add(double v) {
    if (n == 0 || v < min) min = v;
    if (n == 0 || v > max) max = v;
    sum += v;
    ++n;
  }
};

std::optional<double> number_at(const nlohmann::json& stat, const char* key) {
  const auto it = stat.find(key);
  if (it == stat.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

struct Accs {
  std::map<std::string, Acc> by_name;
  void add(const std::string& name, const std::optional<double>& v) {
    if (v) by_name[name].add(*v);
  }
  void add(const std::string& name, const std::optional<std::int64_t>& v) {
    if (v) by_name[name].add(static_cast<double>(*v));
  }
};

void add_sample(Accs& a, const api::HostSample& s) {
  if (s.cpu) {
    const auto& c = *s.cpu;
    for (auto [name, v] : api::cpu_modes(c)) a.add(fmt::format("cpu.{}", name), *v);
    for (auto [name, v] : api::cpu_loads(c)) a.add(fmt::format("cpu.{}", name), *v);
  }
  if (s.memory) {
    a.add("memory.total_bytes", std::optional<std::int64_t>(s.memory->total_bytes));
    a.add("memory.available_bytes", std::optional<std::int64_t>(s.memory->available_bytes));
  }
  for (const auto& m : s.mounts) {
    a.add(fmt::format("mounts.{}.used_bytes", m.path), std::optional<std::int64_t>(m.used_bytes));
    a.add(fmt::format("mounts.{}.total_bytes", m.path), std::optional<std::int64_t>(m.total_bytes));
  }
  for (const auto& n : s.interfaces) {
    a.add(fmt::format("interfaces.{}.receive_bytes_per_second", n.name), n.receive_bytes_per_second);
    a.add(fmt::format("interfaces.{}.transmit_bytes_per_second", n.name), n.transmit_bytes_per_second);
  }
  for (const auto& t : s.sensors) a.add(fmt::format("sensors.{}.{}", t.chip, t.label), std::optional<double>(t.value));
  for (const auto& g : s.gpus) {
    const auto p = fmt::format("gpus.{}.", g.uuid);
    a.add(p + "utilization_ratio", g.utilization_ratio);
    a.add(p + "memory_utilization_ratio", g.memory_utilization_ratio);
    a.add(p + "memory_used_bytes", g.memory_used_bytes);
    a.add(p + "memory_total_bytes", g.memory_total_bytes);
    a.add(p + "temperature_celsius", g.temperature_celsius);
    a.add(p + "power_watts", g.power_watts);
    a.add(p + "power_limit_watts", g.power_limit_watts);
    a.add(p + "voltage_volts", g.voltage_volts);
  }
  if (s.network) {
    a.add("network.latency_seconds", s.network->latency_seconds);
    a.add("network.loss_ratio", s.network->loss_ratio);
  }
}

}  // namespace

Result<> validate(const api::MetricsBatch& batch, std::int64_t now, int raw_days) {
  Checker c;
  if (batch.samples.empty() || batch.samples.size() > kMaxBatch)
    c.errors.push_back(
        {"samples", fmt::format("must hold 1 to {} samples (it has {})", kMaxBatch, batch.samples.size())});
  if (batch.dropped < 0) c.errors.push_back({"dropped", "must be ≥ 0 (samples dropped since the last batch)"});
  if (batch.samples.size() <= kMaxBatch)
    for (std::size_t i = 0; i < batch.samples.size(); ++i)
      check_sample(c, fmt::format("samples[{}]", i), batch.samples[i], now, raw_days);
  if (!c.errors.empty()) return fail_fields(cap_field_errors(std::move(c.errors)), "the metrics batch was not stored");
  return {};
}

Result<api::MetricsBatch> parse_batch(const nlohmann::json& body, std::int64_t now, int raw_days) {
  TRY_ASSIGN(auto batch, api::MetricsBatch::from_body(body));
  TRY(validate(batch, now, raw_days));
  return batch;
}

std::optional<health::GpuReport> gpu_report(const api::HostSample& s) {
  if (s.gpu_error || s.gpu_source == "none") return std::nullopt;
  health::GpuReport r;
  for (const auto& g : s.gpus) (g.lost ? r.lost : r.seen).insert(g.uuid);
  return r;
}

namespace {
Rollup rollup_of(const Accs& a) {
  Rollup out;
  for (const auto& [name, acc] : a.by_name)
    out[name] = Stat{acc.min, acc.sum / static_cast<double>(acc.n), acc.max, acc.n};
  return out;
}
}  // namespace

Rollup rollup(const std::vector<api::HostSample>& samples) {
  Accs a;
  for (const auto& s : samples) add_sample(a, s);
  return rollup_of(a);
}

namespace {
// Adds a stored rollup's readings (a reading without n counts `stored_samples`).
void add_stored(Accs& a, const nlohmann::json& stored, std::int64_t stored_samples) {
  if (stored.is_object())
    for (const auto& [name, stat] : stored.items()) {
      const auto min = number_at(stat, "min"), mean = number_at(stat, "mean"), max = number_at(stat, "max");
      if (!min || !mean || !max) continue;
      const auto n = number_at(stat, "n");
      Acc acc;
      acc.n = n ? static_cast<std::int64_t>(*n) : stored_samples;
      if (acc.n <= 0) continue;
      acc.min = *min;
      acc.max = *max;
      acc.sum = *mean * static_cast<double>(acc.n);
      Acc& into = a.by_name[name];
      if (into.n == 0 || acc.min < into.min) into.min = acc.min;
      if (into.n == 0 || acc.max > into.max) into.max = acc.max;
      into.sum += acc.sum;
      into.n += acc.n;
    }
}
}  // namespace

Rollup merge_rollup(const nlohmann::json& stored, std::int64_t stored_samples,
                    const std::vector<const api::HostSample*>& more) {
  Accs a;
  add_stored(a, stored, stored_samples);
  for (const auto* s : more) add_sample(a, *s);
  return rollup_of(a);
}

Rollup merge_rollups(const std::vector<std::pair<nlohmann::json, std::int64_t>>& stored) {
  Accs a;
  for (const auto& [readings, samples] : stored) add_stored(a, readings, samples);
  return rollup_of(a);
}

double significant(double v) {
  if (v == 0 || !std::isfinite(v)) return v;
  const int digits = kStoredDigits - 1 - static_cast<int>(std::floor(std::log10(std::fabs(v))));
  if (digits <= 0) return std::round(v);  // never coarser than whole units: bytes stay exact
  if (digits > 300) return v;             // beyond double's scale
  const double scale = std::pow(10.0, digits);
  const double r = std::round(v * scale) / scale;
  return std::isfinite(r) ? r : v;
}

nlohmann::json rollup_json(const Rollup& r) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, st] : r) {
    auto v = [](const std::optional<double>& d) {
      return d ? nlohmann::json(significant(*d)) : nlohmann::json(nullptr);
    };
    out[name] = {{"min", v(st.min)}, {"mean", v(st.mean)}, {"max", v(st.max)}, {"n", st.n}};
  }
  return out;
}

bool gpu_lost(const api::HostSample& s, const std::set<std::string>& bound) {
  if (s.gpu_error || s.gpu_source == "none") return false;
  std::set<std::string> seen;
  for (const auto& g : s.gpus) {
    if (g.lost) return true;
    seen.insert(g.uuid);
  }
  return std::ranges::any_of(bound, [&](const std::string& u) { return !seen.contains(u); });
}

}  // namespace metrics

Result<api::MetricsAccepted> MetricsService::ingest(std::int64_t agent_cluster_id, const std::string& cpc_id,
                                                    const api::MetricsBatch& batch) {
  TRY_ASSIGN(auto cluster, store_.catalog().by_cpc_id(cpc_id));
  if (!cluster || cluster->id != agent_cluster_id)
    return fail(ErrorCode::Forbidden, fmt::format("this agent token is not cluster {}'s; use the token `cpshare "
                                                  "publish` gave for that cluster",
                                                  cpc_id));
  if (cluster->cluster_class != 'B')
    return fail(ErrorCode::ValidationFailed,
                fmt::format("cluster {} is A-class; the specification monitors B-class clusters only", cpc_id));
  TRY(metrics::validate(batch, clock_.now(), config_.raw_days));
  std::vector<StoredSample> rows;
  rows.reserve(batch.samples.size());
  for (const auto& s : batch.samples) rows.push_back({s.at.unix, api::encode(s).dump()});
  TRY(store_.atomically([&]() -> Result<> {
    // Read on the writer, inside the transaction: a racing batch or the
    // scheduler's tick comes before or after this one, never in between.
    TRY_ASSIGN(auto current, store_.catalog().by_cpc_id(cpc_id));
    if (!current) return fail(ErrorCode::NotFound, fmt::format("no cluster {}", cpc_id));
    TRY_ASSIGN(auto newest_stored, store_.metrics().last_report(cluster->id));
    TRY_ASSIGN(const auto fresh, store_.metrics().insert_samples(cluster->id, rows));
    TRY(bind_gpus(cluster->id, batch.samples));
    TRY(write_rollups(cluster->id, batch.samples, fresh));
    return apply_report(*current, batch.samples, newest_stored);
  }));
  return api::MetricsAccepted{static_cast<std::int64_t>(batch.samples.size()), std::string(enum_name(cluster->status))};
}

// The newest sample of the batch decides the GPUs' state, unless a newer one
// was stored before (a batch re-sent or arriving late changes nothing of it).
Result<> MetricsService::apply_report(const catalog::Cluster& cluster, const std::vector<api::HostSample>& samples,
                                      std::optional<std::int64_t> newest_stored) {
  const api::HostSample* newest = nullptr;
  for (const auto& s : samples)
    if (!newest || newest->at < s.at) newest = &s;
  std::optional<health::GpuReport> gpus;
  if (newest && (!newest_stored || newest->at.unix >= *newest_stored)) gpus = metrics::gpu_report(*newest);
  TRY_ASSIGN(auto units, store_.metrics().unit_states(cluster.id));
  const std::int64_t now = clock_.now();
  const health::Change change =
      health::on_report(cluster.health.value_or(ClusterHealth::Offline), cluster.last_report_at, units, gpus, now);
  TRY(store_.metrics().reported(cluster.id, now));
  for (const auto& u : change.units) TRY(store_.metrics().put_unit_state(cluster.id, u));
  for (const auto& e : change.events) TRY(store_.metrics().add_event(cluster.id, e));
  return {};
}

Result<std::int64_t> MetricsService::score_reliability() {
  const std::int64_t now = clock_.now();
  const std::int64_t today = now - ((now % metrics::kDay) + metrics::kDay) % metrics::kDay;
  return store_.metrics().score_reliability(today - (kReliabilityDays - 1) * metrics::kDay, now);
}

Result<int> MetricsService::tick() {
  const std::int64_t now = clock_.now();
  if (now - scored_at_ >= config_.reliability_every) {
    scored_at_ = now;
    TRY(score_reliability());
  }
  TRY(roll_hours(kHoursPerTick));
  const std::int64_t before = now - config_.agent_timeout;
  TRY_ASSIGN(auto silent, store_.metrics().silent_since(before));
  int offline = 0;
  for (const auto& [id, last] : silent) {
    auto event = health::on_silence(ClusterHealth::Online, last, now, config_.agent_timeout);
    if (!event) continue;
    TRY(store_.atomically([&]() -> Result<> {
      TRY_ASSIGN(const bool went, store_.metrics().go_offline(id, before));
      if (!went) return {};  // a report came in between
      ++offline;
      return store_.metrics().add_event(id, *event);
    }));
  }
  return offline;
}

// Units not bound yet take the GPUs not bound yet of the first sample (by
// time) whose GPU source worked and that names GPUs, units in index order to
// GPUs in the driver's index order; a bound unit keeps its UUID whatever
// index the driver gives it later.
Result<> MetricsService::bind_gpus(std::int64_t cluster_id, const std::vector<api::HostSample>& samples) {
  const api::HostSample* first = nullptr;
  for (const auto& s : samples)
    if (!s.gpu_error && !s.gpus.empty() && (!first || s.at < first->at)) first = &s;
  if (!first) return {};
  TRY_ASSIGN(auto units, store_.metrics().unit_gpus(cluster_id));
  std::set<std::string> bound;
  for (const auto& u : units)
    if (u.gpu_uuid) bound.insert(*u.gpu_uuid);
  std::vector<const api::GpuReading*> gpus;
  for (const auto& g : first->gpus)
    if (!bound.contains(g.uuid)) gpus.push_back(&g);
  std::stable_sort(gpus.begin(), gpus.end(), [](const api::GpuReading* a, const api::GpuReading* b) {
    return a->index.value_or(INT64_MAX) < b->index.value_or(INT64_MAX);
  });
  auto next = gpus.begin();
  for (const auto& u : units) {
    if (u.gpu_uuid) continue;
    if (next == gpus.end()) break;
    TRY(store_.metrics().bind_unit_gpu(cluster_id, u.index, (*next)->uuid));
    ++next;
  }
  return {};
}

// Each new sample is added to its minute's stored rollup (a re-sent sample,
// not new, is not counted twice), so a minute split across batches comes out
// as one rolled up whole. A minute's first sample counts the minute as
// reported in its day; its first sample with a GPU lost counts it as lost
// (reliability, migration 11).
Result<> MetricsService::write_rollups(std::int64_t cluster_id, const std::vector<api::HostSample>& samples,
                                       const std::vector<bool>& fresh) {
  std::map<std::int64_t, std::vector<const api::HostSample*>> by_minute;
  for (std::size_t i = 0; i < samples.size(); ++i)
    if (fresh[i]) by_minute[samples[i].at.unix - ((samples[i].at.unix % 60) + 60) % 60].push_back(&samples[i]);
  if (by_minute.empty()) return {};
  TRY_ASSIGN(const auto units, store_.metrics().unit_gpus(cluster_id));
  std::set<std::string> bound;
  for (const auto& u : units)
    if (u.gpu_uuid) bound.insert(*u.gpu_uuid);
  for (const auto& [minute, more] : by_minute) {
    TRY_ASSIGN(const auto stored, store_.metrics().rollup(cluster_id, minute));
    const nlohmann::json readings =
        stored ? nlohmann::json::parse(stored->readings, nullptr, false) : nlohmann::json::object();
    const std::int64_t before = stored ? stored->samples : 0;
    const bool lost_before = stored && stored->gpu_lost;
    const bool lost = lost_before ||
                      std::ranges::any_of(more, [&](const api::HostSample* s) { return metrics::gpu_lost(*s, bound); });
    TRY(store_.metrics().put_rollup(
        cluster_id, {minute, before + static_cast<std::int64_t>(more.size()),
                     metrics::rollup_json(metrics::merge_rollup(readings, before, more)).dump(), lost}));
    const std::int64_t day = minute - ((minute % metrics::kDay) + metrics::kDay) % metrics::kDay;
    if (!stored || lost != lost_before)
      TRY(store_.metrics().count_minutes(cluster_id, day, stored ? 0 : 1, lost && !lost_before ? 1 : 0));
  }
  std::set<std::int64_t> hours;
  for (const auto& [minute, more] : by_minute) hours.insert(minute - ((minute % 3600) + 3600) % 3600);
  for (std::int64_t h : hours) TRY(store_.metrics().mark_hour(cluster_id, h));
  return store_.metrics().first_report(cluster_id, by_minute.begin()->first);
}

Result<int> MetricsService::roll_hours(int most) {
  // An hour is rolled up a minute after it ends, so that its last samples are in.
  TRY_ASSIGN(const auto marks, store_.metrics().marked_hours(clock_.now() - 60, most));
  for (const auto& [cluster_id, hour] : marks) {
    TRY(store_.atomically([&]() -> Result<> {
      TRY_ASSIGN(const auto minutes, store_.metrics().rollups(cluster_id, hour, hour + 3600, 60));
      std::vector<std::pair<nlohmann::json, std::int64_t>> stored;
      StoredHour h{hour, 0, static_cast<std::int64_t>(minutes.size()), ""};
      for (const auto& m : minutes) {
        stored.emplace_back(nlohmann::json::parse(m.readings, nullptr, false), m.samples);
        h.samples += m.samples;
      }
      h.readings = metrics::rollup_json(metrics::merge_rollups(stored)).dump();
      return store_.metrics().put_hour(cluster_id, h);
    }));
  }
  return static_cast<int>(marks.size());
}

void MetricsService::bind(EndpointTable& t) {
  t.bind<api::endpoint::PostMetrics>([this](const api::MetricsBatch& batch, const RequestContext& ctx,
                                            const api::PathParams& p) -> Result<api::MetricsAccepted> {
    TRY_ASSIGN(const std::int64_t cluster_id, agent_cluster(ctx.agent_token));
    return ingest(cluster_id, p["cpc_id"], batch);
  });
  t.bind<api::endpoint::GetMetrics>([this](const Caller& c, const api::MetricsQuery& q, const RequestContext&,
                                           const api::PathParams& p) { return read(c, p["cpc_id"], q); });
  t.bind<api::endpoint::GetClusterEvents>([this](const Caller& c, const api::ClusterEventsQuery& q,
                                                 const RequestContext&,
                                                 const api::PathParams& p) { return events(c, p["cpc_id"], q); });
}

Result<std::int64_t> MetricsService::agent_cluster(const std::string& token) {
  return agent_token_cluster(store_, keys_, token);
}

Result<std::int64_t> agent_token_cluster(Store& store, const crypto::KeyRing& keys, const std::string& token) {
  if (!token.starts_with("cpa_"))
    return fail(ErrorCode::Unauthenticated,
                "this endpoint takes the cluster's agent token (cpa_…, given by cpshare publish), not a session");
  TRY_ASSIGN(auto id, store.metrics().cluster_by_agent_token(keys.token_hash(token)));
  if (!id) return fail(ErrorCode::Unauthenticated, "this agent token is not any cluster's; check the agent's config");
  return *id;
}

namespace {

using Window = MetricsService::Window;

// An instant t is the caller's when a window holds it: from <= t < to.
bool holds(const std::vector<Window>& ws, std::int64_t t) {
  for (const auto& w : ws)
    if (w.from <= t && t < w.to) return true;
  return false;
}

// A bucket [from, to) of rollups is the caller's only when one window holds
// all of it: a minute that straddles a lease's start or end mixes in samples
// from outside the lease (R-SEC-1), so it is left out (the raw samples of
// those edges are still the caller's).
bool covers(const std::vector<Window>& ws, std::int64_t from, std::int64_t to) {
  for (const auto& w : ws)
    if (w.from <= from && to <= w.to) return true;
  return false;
}

// A read's since: not after the window's end (now plus the minutes a sample
// may run ahead) and, for metrics, not before the 30 days a read may span (as
// minutes ≤ 43200); events go back as far as they are kept.
Result<> check_since(const std::optional<api::Time>& since, std::int64_t now, std::optional<std::int64_t> max_age) {
  if (!since) return {};
  if (since->unix > now + metrics::kMaxFutureSeconds)
    return fail_fields(
        {{"since", fmt::format("is in the future (the daemon's time is {}); give a time in the past", rfc3339(now))}});
  if (max_age && since->unix < now - *max_age)
    return fail_fields({{"since", "must be within the last 30 days (the span a read may cover)"}});
  return {};
}

}  // namespace

namespace {
// Minute rollups (oldest first) merged per clock hour: one row from the
// hour's first minute present to its last (resolution=hour's edges).
std::vector<StoredRollup> merge_by_hour(const std::vector<StoredRollup>& minutes) {
  std::vector<StoredRollup> out;
  for (std::size_t i = 0; i < minutes.size();) {
    const std::int64_t hour = minutes[i].minute - ((minutes[i].minute % 3600) + 3600) % 3600;
    std::vector<std::pair<nlohmann::json, std::int64_t>> stored;
    StoredRollup row{minutes[i].minute, 0, "", false, 0, 0};
    std::size_t j = i;
    for (; j < minutes.size() && minutes[j].minute < hour + 3600; ++j) {
      stored.emplace_back(nlohmann::json::parse(minutes[j].readings, nullptr, false), minutes[j].samples);
      row.samples += minutes[j].samples;
      row.minutes += 1;
    }
    row.seconds = minutes[j - 1].minute + 60 - row.minute;
    row.readings = metrics::rollup_json(metrics::merge_rollups(stored)).dump();
    out.push_back(std::move(row));
    i = j;
  }
  return out;
}
}  // namespace

// The window's rollups: with resolution=hour, each complete hour that lies
// wholly within a window the caller may see and has been rolled up, as one
// row; minute rollups for the rest (the hours at the edges, the current one,
// those not rolled up yet), merged per clock hour.
Result<> MetricsService::read_rollups(std::int64_t cluster_id, const std::vector<Window>& windows,
                                      api::MetricsView& out) {
  const std::int64_t from = out.from.unix - ((out.from.unix % 60) + 60) % 60;
  std::vector<StoredHour> hours;
  if (out.resolution == "hour") {
    TRY_ASSIGN(hours, store_.metrics().hours(cluster_id, from, out.to.unix, kMaxRead));
    std::erase_if(hours, [&](const StoredHour& h) { return !covers(windows, h.hour, h.hour + 3600); });
  }
  auto in_hour = [&](std::int64_t minute) {
    const auto it = std::ranges::upper_bound(hours, minute, {}, &StoredHour::hour);
    return it != hours.begin() && minute < std::prev(it)->hour + 3600;
  };
  // Minutes outside the hours read: one range per gap between them.
  std::vector<std::pair<std::int64_t, std::int64_t>> gaps;
  std::int64_t at = from;
  for (const auto& h : hours) {
    if (at < h.hour) gaps.emplace_back(at, h.hour);
    at = h.hour + 3600;
  }
  if (at < out.to.unix) gaps.emplace_back(at, out.to.unix);
  std::vector<StoredRollup> minutes;
  for (const auto& [a, b] : gaps) {
    TRY_ASSIGN(auto rows, store_.metrics().rollups(cluster_id, a, b, kMaxRead));
    for (auto& r : rows)
      if (!in_hour(r.minute) && covers(windows, r.minute, r.minute + 60)) minutes.push_back(std::move(r));
  }
  if (out.resolution == "hour") minutes = merge_by_hour(minutes);
  metrics::RollupSeriesBuilder series;
  auto h = hours.begin();
  auto m = minutes.begin();
  while ((h != hours.end() || m != minutes.end()) && series.size() < static_cast<std::size_t>(kMaxRead)) {
    if (m == minutes.end() || (h != hours.end() && h->hour < m->minute)) {
      series.add(h->hour, 3600, h->samples, h->minutes, h->readings);
      ++h;
    } else {
      series.add(m->minute, m->seconds, m->samples, m->minutes, m->readings);
      ++m;
    }
  }
  out.rollups = std::move(series).finish();
  return {};
}

Result<api::MetricsView> MetricsService::read(const Caller& caller, const std::string& cpc_id,
                                              const api::MetricsQuery& q) {
  const std::int64_t now = clock_.now();
  TRY(check_since(q.since, now, api::MetricsQuery::kMaxMinutes * 60));
  TRY_ASSIGN(auto cluster, store_.catalog().by_cpc_id(cpc_id));
  if (!cluster) return fail(ErrorCode::NotFound, fmt::format("no cluster {}; cpshare list shows them", cpc_id));
  api::MetricsView out;
  out.cpc_id = cpc_id;
  out.resolution = q.resolution.value_or("raw");
  out.to = {now + metrics::kMaxFutureSeconds + 1};
  out.from = q.since ? *q.since : api::Time{now - q.minutes.value_or(60) * 60};
  // Whose windows the caller may see: all of it, or their leases' (R-SEC-1).
  TRY_ASSIGN(auto windows, windows_for(caller, *cluster, "metrics"));
  if (cluster->cluster_class != 'B')
    return fail(ErrorCode::ValidationFailed,
                fmt::format("cluster {} is A-class; the specification monitors B-class clusters only", cpc_id));
  TRY_ASSIGN(auto last, store_.metrics().last_report(cluster->id));
  if (last) out.last_report = api::Time{*last};
  out.health = cluster->health.value_or(ClusterHealth::Offline);
  TRY_ASSIGN(auto units, store_.metrics().unit_gpus(cluster->id));
  for (const auto& u : units) out.units.push_back({u.index, u.gpu_uuid});
  if (out.resolution == "minute" || out.resolution == "hour") {
    TRY(read_rollups(cluster->id, windows, out));
  } else {
    TRY_ASSIGN(auto rows, store_.metrics().samples(cluster->id, out.from.unix, out.to.unix, kMaxRead));
    for (auto& r : rows) {
      if (!holds(windows, r.at)) continue;
      auto s = api::decode<api::HostSample>(nlohmann::json::parse(r.sample, nullptr, false));
      if (!s)
        return fail(ErrorCode::Internal, fmt::format("stored sample at {} of cluster {} does not read back: {}", r.at,
                                                     cpc_id, s.error().message));
      out.samples.push_back(std::move(*s));
    }
  }
  return out;
}

Result<std::vector<Window>> MetricsService::windows_for(const Caller& caller, const catalog::Cluster& cluster,
                                                        const std::string& what) {
  constexpr auto kOpen = std::numeric_limits<std::int64_t>::max();
  std::vector<Window> windows;
  if (caller.is_admin() || caller.account.id == cluster.owner_id) {
    windows.push_back({std::numeric_limits<std::int64_t>::min(), kOpen});
    return windows;
  }
  LeaseQuery lq;
  lq.user_id = caller.account.id;
  lq.states = {LeaseState::Active, LeaseState::Ended};
  lq.limit = 1000;
  TRY_ASSIGN(auto leases, store_.leases().query(lq));
  for (const auto& l : leases)
    if (l.cluster_id == cluster.id && l.started_at) windows.push_back({*l.started_at, l.ended_at.value_or(kOpen)});
  if (windows.empty())
    return fail(ErrorCode::Forbidden,
                fmt::format("cluster {}'s {} are its owner's and its leasers' only", cluster.cpc_id, what));
  return windows;
}

Result<api::ClusterEvents> MetricsService::events(const Caller& caller, const std::string& cpc_id,
                                                  const api::ClusterEventsQuery& q) {
  const std::int64_t now = clock_.now();
  TRY(check_since(q.since, now, std::nullopt));
  TRY_ASSIGN(auto cluster, store_.catalog().by_cpc_id(cpc_id));
  if (!cluster) return fail(ErrorCode::NotFound, fmt::format("no cluster {}; cpshare list shows them", cpc_id));
  api::ClusterEvents out;
  out.cpc_id = cpc_id;
  out.since = q.since.value_or(api::Time{now - metrics::kDay});
  const std::int64_t to = now + 1;
  TRY_ASSIGN(auto windows, windows_for(caller, *cluster, "events"));
  if (cluster->cluster_class != 'B')
    return fail(ErrorCode::ValidationFailed,
                fmt::format("cluster {} is A-class; the specification monitors B-class clusters only", cpc_id));
  const auto limit = static_cast<int>(q.limit.value_or(api::ClusterEventsQuery::kDefaultLimit));
  TRY_ASSIGN(auto rows, store_.metrics().events(cluster->id, out.since.unix, to, limit));
  for (auto& e : rows) {
    if (!holds(windows, e.at)) continue;
    out.items.push_back({api::Time{e.at}, e.kind, e.unit ? std::optional<std::int64_t>(*e.unit) : std::nullopt,
                         std::move(e.gpu_uuid), std::move(e.detail)});
  }
  return out;
}

Result<std::pair<std::int64_t, std::int64_t>> MetricsService::prune() {
  const std::int64_t now = clock_.now();
  return store_.metrics().prune(now - static_cast<std::int64_t>(config_.raw_days) * metrics::kDay,
                                now - static_cast<std::int64_t>(config_.rollup_days) * metrics::kDay);
}

}  // namespace cpshare
