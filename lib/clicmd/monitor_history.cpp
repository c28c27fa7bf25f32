#include "clicmd/monitor_history.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "catalog/units.hpp"
#include "clicmd/monitor_view.hpp"
#include "util/text.hpp"

namespace cpshare::cli {

namespace {

constexpr std::int64_t kMinute = 60;

// "interfaces.eth0.100.receive_bytes_per_second" with prefix "interfaces." and
// suffix ".receive_bytes_per_second" → "eth0.100" (names may hold dots).
std::optional<std::string> middle(const std::string& key, std::string_view prefix, std::string_view suffix) {
  if (key.size() <= prefix.size() + suffix.size() || !key.starts_with(prefix) || !key.ends_with(suffix))
    return std::nullopt;
  return key.substr(prefix.size(), key.size() - prefix.size() - suffix.size());
}

void set_gpu(api::GpuReading& g, std::string_view field, double v) {
  if (field == "utilization_ratio") g.utilization_ratio = v;
  if (field == "memory_utilization_ratio") g.memory_utilization_ratio = v;
  if (field == "memory_used_bytes") g.memory_used_bytes = std::llround(v);
  if (field == "memory_total_bytes") g.memory_total_bytes = std::llround(v);
  if (field == "temperature_celsius") g.temperature_celsius = v;
  if (field == "power_watts") g.power_watts = v;
  if (field == "power_limit_watts") g.power_limit_watts = v;
  if (field == "voltage_volts") g.voltage_volts = v;
}

void set_cpu(api::CpuReading& c, std::string_view field, double v) {
  for (auto [name, member] : api::cpu_modes(c))
    if (field == name) *member = v;
  for (auto [name, member] : api::cpu_loads(c))
    if (field == name) *member = v;
}

api::InterfaceReading& interface_named(api::HostSample& s, const std::string& name) {
  for (auto& i : s.interfaces)
    if (i.name == name) return i;
  s.interfaces.push_back({name, 0, 0, std::nullopt, std::nullopt});
  return s.interfaces.back();
}

// One reading of a rollup into the sample that stands for its minute.
void put_reading(api::HostSample& s, std::map<std::string, api::GpuReading>& gpus, const std::string& key, double v) {
  if (key.starts_with("gpus.")) {
    const auto dot = key.find('.', 5);
    if (dot == std::string::npos) return;
    const std::string uuid = key.substr(5, dot - 5);
    auto& g = gpus[uuid];
    g.uuid = uuid;
    set_gpu(g, std::string_view(key).substr(dot + 1), v);
  } else if (key.starts_with("cpu.")) {
    if (!s.cpu) s.cpu = api::CpuReading{};
    set_cpu(*s.cpu, std::string_view(key).substr(4), v);
  } else if (key == "memory.total_bytes" || key == "memory.available_bytes") {
    if (!s.memory) s.memory = api::MemoryReading{};
    (key == "memory.total_bytes" ? s.memory->total_bytes : s.memory->available_bytes) = std::llround(v);
  } else if (auto rx = middle(key, "interfaces.", ".receive_bytes_per_second")) {
    interface_named(s, *rx).receive_bytes_per_second = v;
  } else if (auto tx = middle(key, "interfaces.", ".transmit_bytes_per_second")) {
    interface_named(s, *tx).transmit_bytes_per_second = v;
  } else if (key == "network.latency_seconds" || key == "network.loss_ratio") {
    if (!s.network) s.network = api::NetworkProbe{};
    (key == "network.latency_seconds" ? s.network->latency_seconds : s.network->loss_ratio) = v;
  }
}

// ------------------------------------------------------------------ the table

enum class ReadingKind { Ratio, Bytes, Rate, Celsius, Watts, Volts, Seconds, Plain };

struct HistoryRow {
  std::string key;    // the rollup's reading name
  std::string label;  // what the table calls it
  ReadingKind kind = ReadingKind::Plain;
  bool busy = false;  // the reading is cpu.idle, shown as 1 − idle
};

std::string value_text(double v, ReadingKind kind) {
  switch (kind) {
    case ReadingKind::Ratio: return fmt::format("{:.0f}%", v * 100);
    case ReadingKind::Bytes: return catalog::format_size(std::llround(v));
    case ReadingKind::Rate: return catalog::format_size(std::llround(v)) + "/s";
    case ReadingKind::Celsius: return fmt::format("{:.0f} °C", v);
    case ReadingKind::Watts: return fmt::format("{:.0f} W", v);
    case ReadingKind::Volts: return fmt::format("{:.3f} V", v);
    case ReadingKind::Seconds: return fmt::format("{:.1f} ms", v * 1000);
    case ReadingKind::Plain: return fmt::format("{:.2f}", v);
  }
  return "-";
}

std::string short_uuid(const std::string& uuid) { return uuid.size() > 12 ? uuid.substr(0, 12) + "…" : uuid; }

// The rows shown, in the order of the live view: GPUs, CPU, memory, disks, network, sensors.
std::vector<HistoryRow> rows_of(const std::set<std::string>& keys) {
  std::vector<HistoryRow> rows;
  std::set<std::string> uuids;
  for (const auto& k : keys)
    if (k.starts_with("gpus.") && k.find('.', 5) != std::string::npos) uuids.insert(k.substr(5, k.find('.', 5) - 5));
  const std::pair<const char*, std::pair<const char*, ReadingKind>> gpu_fields[] = {
      {"utilization_ratio", {"utilisation", ReadingKind::Ratio}},
      {"memory_used_bytes", {"memory used", ReadingKind::Bytes}},
      {"temperature_celsius", {"temperature", ReadingKind::Celsius}},
      {"power_watts", {"power", ReadingKind::Watts}},
      {"voltage_volts", {"voltage", ReadingKind::Volts}}};
  for (const auto& u : uuids)
    for (const auto& [field, shown] : gpu_fields)
      if (keys.contains(fmt::format("gpus.{}.{}", u, field)))
        rows.push_back({fmt::format("gpus.{}.{}", u, field), short_uuid(u) + " " + shown.first, shown.second});
  auto add = [&](const std::string& key, std::string label, ReadingKind kind, bool busy = false) {
    if (keys.contains(key)) rows.push_back({key, std::move(label), kind, busy});
  };
  add("cpu.idle", "CPU busy", ReadingKind::Ratio, true);
  add("cpu.load1", "load (1 min)", ReadingKind::Plain);
  add("memory.available_bytes", "memory available", ReadingKind::Bytes);
  for (const auto& k : keys)
    if (auto p = middle(k, "mounts.", ".used_bytes")) rows.push_back({k, "disk " + *p + " used", ReadingKind::Bytes});
  for (const auto& k : keys) {
    if (auto n = middle(k, "interfaces.", ".receive_bytes_per_second"))
      rows.push_back({k, "net " + *n + " rx", ReadingKind::Rate});
    if (auto n = middle(k, "interfaces.", ".transmit_bytes_per_second"))
      rows.push_back({k, "net " + *n + " tx", ReadingKind::Rate});
  }
  add("network.latency_seconds", "latency", ReadingKind::Seconds);
  add("network.loss_ratio", "loss", ReadingKind::Ratio);
  for (const auto& k : keys)
    if (k.starts_with("sensors.")) rows.push_back({k, "sensor " + k.substr(8), ReadingKind::Plain});
  return rows;
}

std::string pad_left(const std::string& s, std::size_t width) {
  const std::size_t w = text::display_width(s);
  return w >= width ? s : std::string(width - w, ' ') + s;
}

constexpr std::size_t kLabel = 28, kValue = 10;

std::string row_line(const HistoryRow& row, const std::vector<api::RollupView>& rollups, std::int64_t from,
                     std::int64_t to, int columns) {
  std::optional<double> lo, hi;
  double sum = 0, weight = 0;
  std::vector<std::pair<std::int64_t, double>> means;
  for (const auto& r : rollups) {
    const auto it = r.readings.find(row.key);
    if (it == r.readings.end()) continue;
    const api::ReadingStat& stat = it->second;
    auto get = [&](const std::optional<double>& v) -> std::optional<double> {
      if (!v) return std::nullopt;
      return row.busy ? 1 - *v : *v;
    };
    // For CPU busy the idle's max is the busy's min.
    const auto mn = get(row.busy ? stat.max : stat.min), mx = get(row.busy ? stat.min : stat.max),
               mean = get(stat.mean);
    if (mn && (!lo || *mn < *lo)) lo = mn;
    if (mx && (!hi || *mx > *hi)) hi = mx;
    if (mean) {
      const double w = static_cast<double>(std::max<std::int64_t>(r.samples, 1));
      sum += *mean * w;
      weight += w;
      means.emplace_back(r.minute.unix, *mean);
    }
  }
  auto shown = [&](const std::optional<double>& v) { return pad_left(v ? value_text(*v, row.kind) : "-", kValue); };
  std::string line = text::pad_right(text::clip_width(row.label, kLabel), kLabel) + " " + shown(lo) + " " +
                     shown(weight > 0 ? std::optional<double>(sum / weight) : std::nullopt) + " " + shown(hi);
  const int room = columns - static_cast<int>(text::display_width(line)) - 2;
  if (room >= 8 && lo && hi) {
    const double bottom = row.kind == ReadingKind::Ratio ? 0 : *lo;
    const double top = row.kind == ReadingKind::Ratio ? 1 : (*hi > *lo ? *hi : *lo + 1);
    line += "  " + sparkline(bucket_by_time(means, from, to, static_cast<std::size_t>(room)), bottom, top);
  }
  return line;
}

}  // namespace

std::optional<std::int64_t> parse_duration(std::string_view text) {
  std::int64_t unit = 1;  // a bare number is seconds
  if (!text.empty() && (text.back() < '0' || text.back() > '9')) {
    switch (text.back()) {
      case 's': unit = 1; break;
      case 'm': unit = kMinute; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: return std::nullopt;
    }
    text.remove_suffix(1);
  }
  if (text.empty() || text.size() > 9 || !std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  const std::int64_t n = std::stoll(std::string(text));
  if (n <= 0) return std::nullopt;
  return n * unit;
}

std::string duration_text(std::int64_t seconds) {
  if (seconds % 86400 == 0) return fmt::format("{} d", seconds / 86400);
  if (seconds >= 3600 && seconds % 60 == 0)
    return seconds % 3600 == 0 ? fmt::format("{} h", seconds / 3600)
                               : fmt::format("{} h {} min", seconds / 3600, seconds % 3600 / 60);
  if (seconds % 60 == 0) return fmt::format("{} min", seconds / 60);
  return fmt::format("{} s", seconds);
}

std::vector<api::HostSample> samples_from_rollups(const std::vector<api::RollupView>& rollups) {
  std::vector<api::HostSample> out;
  out.reserve(rollups.size());
  for (const auto& r : rollups) {
    api::HostSample s;
    s.at = r.minute;
    std::map<std::string, api::GpuReading> gpus;
    for (const auto& [key, stat] : r.readings)
      if (stat.mean) put_reading(s, gpus, key, *stat.mean);
    for (auto& [uuid, g] : gpus) s.gpus.push_back(std::move(g));
    s.gpu_source = s.gpus.empty() ? "none" : "rollup";
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<api::RollupView> coarsen(const std::vector<api::RollupView>& rollups, std::size_t most) {
  if (most == 0 || rollups.size() <= most) return rollups;
  const std::size_t run = (rollups.size() + most - 1) / most;
  std::vector<api::RollupView> out;
  for (std::size_t first = 0; first < rollups.size(); first += run) {
    const std::size_t last = std::min(first + run, rollups.size());
    struct Sum {
      std::optional<double> min, max;
      double sum = 0, weight = 0;
      std::int64_t n = 0;
    };
    std::map<std::string, Sum> sums;
    api::RollupView merged{rollups[first].minute, 0, {}, 0, 0};
    merged.seconds = rollups[last - 1].minute.unix + rollups[last - 1].seconds - rollups[first].minute.unix;
    for (std::size_t i = first; i < last; ++i) {
      merged.samples += rollups[i].samples;
      merged.minutes += rollups[i].minutes;
      for (const auto& [key, stat] : rollups[i].readings) {
        Sum& s = sums[key];
        if (stat.min && (!s.min || *stat.min < *s.min)) s.min = stat.min;
        if (stat.max && (!s.max || *stat.max > *s.max)) s.max = stat.max;
        if (stat.mean) {
          const double w = static_cast<double>(std::max<std::int64_t>(rollups[i].samples, 1));
          s.sum += *stat.mean * w;
          s.weight += w;
        }
        s.n += stat.n;
      }
    }
    for (const auto& [key, s] : sums)
      merged.readings[key] = {s.min, s.weight > 0 ? std::optional<double>(s.sum / s.weight) : std::nullopt, s.max, s.n};
    out.push_back(std::move(merged));
  }
  return out;
}

std::vector<std::optional<double>> bucket_by_time(const std::vector<std::pair<std::int64_t, double>>& values,
                                                  std::int64_t from, std::int64_t to, std::size_t cells) {
  std::vector<double> sum(cells, 0);
  std::vector<int> n(cells, 0);
  if (cells > 0 && to > from)
    for (const auto& [t, v] : values) {
      if (t < from || t >= to || !std::isfinite(v)) continue;
      const auto i = static_cast<std::size_t>((t - from) * static_cast<std::int64_t>(cells) / (to - from));
      sum[i] += v;
      ++n[i];
    }
  std::vector<std::optional<double>> out(cells);
  for (std::size_t i = 0; i < cells; ++i)
    if (n[i] > 0) out[i] = sum[i] / n[i];
  return out;
}

std::vector<std::string> render_history(const std::vector<api::RollupView>& rollups, std::int64_t span_seconds,
                                        std::string_view resolution, int columns) {
  columns = std::max(columns, 60);
  std::vector<std::string> out;
  const std::int64_t minutes = std::max<std::int64_t>(span_seconds / kMinute, 1);
  if (rollups.empty()) {
    out.push_back(fmt::format("History  last {}: no minute with a report.", duration_text(span_seconds)));
    return out;
  }
  // The span ends with the newest minute shown; the sparklines run across all of it.
  const std::int64_t to = rollups.back().minute.unix + rollups.back().seconds;
  const std::int64_t from = to - minutes * kMinute;
  std::int64_t reported = 0;
  for (const auto& r : rollups) reported += r.minutes;
  out.push_back(fmt::format("History  last {}, {} rollups: {} of {} minutes with reports", duration_text(span_seconds),
                            resolution, std::min<std::int64_t>(reported, minutes), minutes));
  out.push_back(text::pad_right("", kLabel) + " " + pad_left("min", kValue) + " " + pad_left("mean", kValue) + " " +
                pad_left("max", kValue) + fmt::format("  per {}, oldest first", resolution));
  std::set<std::string> keys;
  for (const auto& r : rollups)
    for (const auto& reading : r.readings) keys.insert(reading.first);
  for (const auto& row : rows_of(keys)) out.push_back(row_line(row, rollups, from, to, columns));
  for (auto& line : out)
    if (static_cast<int>(text::display_width(line)) > columns)
      line = text::clip_width(line, static_cast<std::size_t>(columns));
  return out;
}

}  // namespace cpshare::cli
