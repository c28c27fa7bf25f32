#include "clicmd/monitor_view.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "catalog/units.hpp"
#include "clicmd/monitor_history.hpp"
#include "util/text.hpp"

namespace cpshare::cli {

namespace {

std::string reading_or_dash(const std::optional<double>& v, const char* format) {
  return v ? fmt::format(fmt::runtime(format), *v) : "-";
}

std::string percent(const std::optional<double>& r) { return r ? fmt::format("{:.0f}%", *r * 100) : "-"; }

std::string rate(const std::optional<double>& bytes_per_second) {
  if (!bytes_per_second) return "-";
  return catalog::format_size(static_cast<std::int64_t>(std::llround(*bytes_per_second))) + "/s";
}

std::string age_text(const std::optional<std::int64_t>& age) {
  if (!age) return "no report yet";
  if (*age < 120) return fmt::format("last report {} s ago", *age);
  if (*age < 7200) return fmt::format("last report {} min ago", *age / 60);
  return fmt::format("last report {} h ago", *age / 3600);
}

// One GPU's utilisation over the history in `cells` cells (absent where it
// gave none): one cell a sample while they fit, else the history's time span
// cut into `cells` equal parts, each the mean of its samples (so a --since
// span of minute rollups is drawn whole).
std::vector<std::optional<double>> gpu_history(const std::vector<api::HostSample>& h, const std::string& uuid,
                                               std::size_t cells) {
  auto util = [&](const api::HostSample& s) {
    std::optional<double> v;
    for (const auto& g : s.gpus)
      if (g.uuid == uuid && !g.lost) v = g.utilization_ratio;
    return v;
  };
  std::vector<std::optional<double>> out;
  if (h.size() <= cells) {
    for (const auto& s : h) out.push_back(util(s));
    return out;
  }
  std::vector<std::pair<std::int64_t, double>> values;
  for (const auto& s : h)
    if (auto v = util(s)) values.emplace_back(s.at.unix, *v);
  return bucket_by_time(values, h.front().at.unix, h.back().at.unix + 1, cells);
}

std::string memory_text(const api::GpuReading& g) {
  if (!g.memory_used_bytes || !g.memory_total_bytes) return "-";
  return fmt::format("{} / {}", catalog::format_size(*g.memory_used_bytes),
                     catalog::format_size(*g.memory_total_bytes));
}

std::string gpu_line(const api::GpuReading& g, const std::vector<api::HostSample>& h, int columns) {
  const std::string index = g.index ? std::to_string(*g.index) : "-";  // a rollup's GPUs have none
  if (g.lost) return fmt::format("GPU {:>2}  {}  掉卡 LOST", index, text::clip(g.uuid, 40));
  const int bar_width = std::clamp(columns / 6, 8, 20);
  const std::string util = g.utilization_ratio ? bar(*g.utilization_ratio, bar_width)
                                               : std::string(static_cast<std::size_t>(bar_width), ' ');
  std::string line =
      fmt::format("GPU {:>2}  [{}] {:>4}  mem {:<19} {:>6} {:>7} {:>7}", index, util, percent(g.utilization_ratio),
                  memory_text(g), reading_or_dash(g.temperature_celsius, "{:.0f} °C"),
                  reading_or_dash(g.power_watts, "{:.0f} W"), reading_or_dash(g.voltage_volts, "{:.3f} V"));
  const int room = columns - static_cast<int>(text::display_width(line)) - 2;
  if (room >= 8) line += "  " + sparkline(gpu_history(h, g.uuid, static_cast<std::size_t>(room)), 0, 1);
  return line;
}

void host_lines(std::vector<std::string>& out, const api::HostSample& s, int columns) {
  const int bar_width = std::clamp(columns / 6, 8, 20);
  if (s.cpu) {
    const std::optional<double> busy = s.cpu->idle ? std::optional<double>(1 - *s.cpu->idle) : std::nullopt;
    out.push_back(fmt::format("CPU     [{}] {:>4}  load {} {} {}  ({} CPUs)",
                              busy ? bar(*busy, bar_width) : std::string(static_cast<std::size_t>(bar_width), ' '),
                              percent(busy), reading_or_dash(s.cpu->load1, "{:.2f}"),
                              reading_or_dash(s.cpu->load5, "{:.2f}"), reading_or_dash(s.cpu->load15, "{:.2f}"),
                              s.cpu->cpus));
  } else {
    out.push_back("CPU     -");
  }
  if (s.memory && s.memory->total_bytes > 0) {
    const double used = 1 - static_cast<double>(s.memory->available_bytes) / static_cast<double>(s.memory->total_bytes);
    out.push_back(fmt::format("Memory  [{}] {:>4}  {} of {}", bar(used, bar_width), percent(used),
                              catalog::format_size(s.memory->total_bytes - s.memory->available_bytes),
                              catalog::format_size(s.memory->total_bytes)));
  }
  for (const auto& m : s.mounts)
    out.push_back(fmt::format("Disk    {}  {} of {}", m.path, catalog::format_size(m.used_bytes),
                              catalog::format_size(m.total_bytes)));
  for (const auto& i : s.interfaces)
    out.push_back(fmt::format("Net     {:<10} rx {:>12}  tx {:>12}", i.name, rate(i.receive_bytes_per_second),
                              rate(i.transmit_bytes_per_second)));
  // Latency and loss are means over the probes: over none (or a minute's
  // means, whose probes are not counted) there is nothing to show.
  if (s.network && s.network->probes > 0)
    out.push_back(fmt::format(
        "Path    latency {}  loss {}  ({} probes)",
        reading_or_dash(
            s.network->latency_seconds ? std::optional<double>(*s.network->latency_seconds * 1000) : std::nullopt,
            "{:.1f} ms"),
        percent(s.network->loss_ratio), s.network->probes));
  else if (s.network)
    out.push_back("Path    latency -  loss -  (no probes)");
  for (const auto& sensor : s.sensors)
    out.push_back(fmt::format(
        "Sensor  {} {}: {}", sensor.chip, sensor.label,
        sensor.kind == "voltage" ? fmt::format("{:.3f} V", sensor.value) : fmt::format("{:.0f} °C", sensor.value)));
}

}  // namespace

std::string bar(double ratio, int width) {
  static const char* const eighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
  if (width <= 0) return "";
  if (!std::isfinite(ratio)) ratio = 0;
  const int total = static_cast<int>(std::lround(std::clamp(ratio, 0.0, 1.0) * width * 8));
  std::string out;
  for (int i = 0; i < total / 8; ++i) out += "█";
  int cells = total / 8;
  if (total % 8 != 0) {
    out += eighths[total % 8];
    ++cells;
  }
  out.append(static_cast<std::size_t>(width - cells), ' ');
  return out;
}

std::string sparkline(const std::vector<std::optional<double>>& values, double lo, double hi) {
  static const char* const levels[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  std::string out;
  for (const auto& v : values) {
    if (!v || !std::isfinite(*v) || hi <= lo) {
      out += ' ';
      continue;
    }
    const double t = std::clamp((*v - lo) / (hi - lo), 0.0, 1.0);
    out += levels[std::min(7, static_cast<int>(t * 8))];
  }
  return out;
}

std::vector<std::string> render_monitor(const MonitorFrame& frame, int columns) {
  columns = std::max(columns, 60);
  std::vector<std::string> out;
  out.push_back(frame.status.empty()
                    ? fmt::format("{}  {}", frame.cpc_id, age_text(frame.report_age))
                    : fmt::format("{}  {}  {}", frame.cpc_id, frame.status, age_text(frame.report_age)));
  if (frame.history.empty()) {
    out.push_back("No readings in this window.");
    return out;
  }
  const api::HostSample& now = frame.history.back();
  if (now.gpu_error)
    out.push_back(fmt::format("GPUs    not read: {} ({})", now.gpu_error->message, now.gpu_error->code));
  for (const auto& g : now.gpus)
    if (frame.gpus_shown.empty() || std::ranges::find(frame.gpus_shown, g.uuid) != frame.gpus_shown.end())
      out.push_back(gpu_line(g, frame.history, columns));
  // A leased GPU missing from a reading whose source worked has fallen off the bus.
  if (!now.gpu_error && now.gpu_source != "none")
    for (const auto& uuid : frame.gpus_shown)
      if (std::ranges::none_of(now.gpus, [&](const api::GpuReading& g) { return g.uuid == uuid; }))
        out.push_back(fmt::format("GPU  -  {}  掉卡 LOST (missing from the report)", text::clip(uuid, 40)));
  host_lines(out, now, columns);
  for (auto& line : out)
    if (static_cast<int>(text::display_width(line)) > columns)
      line = text::clip_width(line, static_cast<std::size_t>(columns));
  return out;
}

}  // namespace cpshare::cli
