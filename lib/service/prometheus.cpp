#include "service/prometheus.hpp"

#include <cmath>
#include <optional>

#include <fmt/format.h>

namespace cpshare::prometheus {

namespace {

// HELP text escapes \ and newline; a label value also ".
std::string escape(std::string_view v, bool quote) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && quote)
      out += "\\\"";
    else
      out += c;
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);  // shortest round-trip form
}

// Adds name{labels} value when v is present.
void put(Exposition& out, std::string_view name, const Labels& labels, std::optional<double> v) {
  if (v) out.sample(name, labels, *v);
}

Labels with(Labels base, std::string k, std::string v) {
  base.emplace_back(std::move(k), std::move(v));
  return base;
}

void add_cpu(Exposition& out, const Labels& c, const api::CpuReading& cpu) {
  for (const auto& [mode, value] : api::cpu_modes(cpu))
    put(out, "cpshare_node_cpu_ratio", with(c, "mode", mode), *value);
  put(out, "cpshare_node_load1", c, cpu.load1);
  put(out, "cpshare_node_load5", c, cpu.load5);
  put(out, "cpshare_node_load15", c, cpu.load15);
}

void add_gpu(Exposition& out, const Labels& c, const api::GpuReading& g) {
  Labels l = with(c, "gpu", g.uuid);
  if (g.name) l.emplace_back("name", *g.name);
  out.sample("cpshare_gpu_lost", l, g.lost ? 1 : 0);
  if (g.lost) return;
  put(out, "cpshare_gpu_utilization_ratio", l, g.utilization_ratio);
  put(out, "cpshare_gpu_memory_utilization_ratio", l, g.memory_utilization_ratio);
  if (g.memory_used_bytes) out.sample("cpshare_gpu_memory_used_bytes", l, static_cast<double>(*g.memory_used_bytes));
  if (g.memory_total_bytes) out.sample("cpshare_gpu_memory_total_bytes", l, static_cast<double>(*g.memory_total_bytes));
  put(out, "cpshare_gpu_temperature_celsius", l, g.temperature_celsius);
  put(out, "cpshare_gpu_power_watts", l, g.power_watts);
  put(out, "cpshare_gpu_power_limit_watts", l, g.power_limit_watts);
  put(out, "cpshare_gpu_voltage_volts", l, g.voltage_volts);
}

void add_host_parts(Exposition& out, const Labels& c, const api::HostSample& s) {
  if (s.memory) {
    out.sample("cpshare_node_memory_total_bytes", c, static_cast<double>(s.memory->total_bytes));
    out.sample("cpshare_node_memory_available_bytes", c, static_cast<double>(s.memory->available_bytes));
  }
  for (const auto& m : s.mounts) {
    const Labels l = with(c, "mountpoint", m.path);
    out.sample("cpshare_node_filesystem_used_bytes", l, static_cast<double>(m.used_bytes));
    out.sample("cpshare_node_filesystem_size_bytes", l, static_cast<double>(m.total_bytes));
  }
  for (const auto& i : s.interfaces) {
    const Labels l = with(c, "device", i.name);
    out.sample("cpshare_node_network_receive_bytes_total", l, static_cast<double>(i.receive_bytes_total));
    out.sample("cpshare_node_network_transmit_bytes_total", l, static_cast<double>(i.transmit_bytes_total));
  }
  for (const auto& sensor : s.sensors) {
    const Labels l = with(with(c, "chip", sensor.chip), "sensor", sensor.label);
    out.sample(sensor.kind == "voltage" ? "cpshare_node_hwmon_voltage_volts" : "cpshare_node_hwmon_temperature_celsius",
               l, sensor.value);
  }
  if (s.network) {
    put(out, "cpshare_node_network_latency_seconds", c, s.network->latency_seconds);
    put(out, "cpshare_node_network_loss_ratio", c, s.network->loss_ratio);
  }
}

}  // namespace

std::string escape_label_value(std::string_view v) { return escape(v, true); }

Exposition::Family& Exposition::find_or_add(std::string_view name) {
  for (auto& f : families_)
    if (f.name == name) return f;
  families_.push_back(Family{std::string(name), {}, Type::Gauge, {}});
  return families_.back();
}

void Exposition::family(std::string_view name, Type type, std::string_view help) {
  Family& f = find_or_add(name);
  f.type = type;
  f.help = std::string(help);
}

void Exposition::sample(std::string_view name, const Labels& labels, double value) {
  std::string line(name);
  if (!labels.empty()) {
    line += '{';
    for (std::size_t i = 0; i < labels.size(); ++i)
      line += fmt::format("{}{}=\"{}\"", i ? "," : "", labels[i].first, escape_label_value(labels[i].second));
    line += '}';
  }
  line += ' ';
  line += format_value(value);
  find_or_add(name).lines.push_back(std::move(line));
}

std::string Exposition::text() const {
  std::string out;
  for (const auto& f : families_) {
    if (f.lines.empty()) continue;  // a declared family without samples says nothing
    if (!f.help.empty()) out += fmt::format("# HELP {} {}\n", f.name, escape(f.help, false));
    out += fmt::format("# TYPE {} {}\n", f.name, f.type == Type::Counter ? "counter" : "gauge");
    for (const auto& l : f.lines) out += l + '\n';
  }
  return out;
}

void declare_host_families(Exposition& out) {
  struct Row {
    const char* name;
    Type type;
    const char* help;
  };
  static constexpr Row rows[] = {
      {"cpshare_cluster_last_report_timestamp_seconds", Type::Gauge,
       "When the cluster's agent last reported (Unix time)."},
      {"cpshare_node_cpu_ratio", Type::Gauge, "Share of all CPUs' time in each mode over the agent's interval."},
      {"cpshare_node_load1", Type::Gauge, "1-minute load average."},
      {"cpshare_node_load5", Type::Gauge, "5-minute load average."},
      {"cpshare_node_load15", Type::Gauge, "15-minute load average."},
      {"cpshare_node_memory_total_bytes", Type::Gauge, "Host memory (MemTotal)."},
      {"cpshare_node_memory_available_bytes", Type::Gauge, "Host memory available (MemAvailable)."},
      {"cpshare_node_filesystem_used_bytes", Type::Gauge, "Bytes used on a watched filesystem."},
      {"cpshare_node_filesystem_size_bytes", Type::Gauge, "Size of a watched filesystem."},
      {"cpshare_node_network_receive_bytes_total", Type::Counter, "Bytes received by an interface since boot."},
      {"cpshare_node_network_transmit_bytes_total", Type::Counter, "Bytes sent by an interface since boot."},
      {"cpshare_node_hwmon_temperature_celsius", Type::Gauge, "A board temperature sensor."},
      {"cpshare_node_hwmon_voltage_volts", Type::Gauge, "A board voltage sensor."},
      {"cpshare_node_network_latency_seconds", Type::Gauge, "Mean round trip from the host to the platform."},
      {"cpshare_node_network_loss_ratio", Type::Gauge, "Share of probes to the platform that failed."},
      {"cpshare_gpu_source_error", Type::Gauge, "1 when the GPU source (NVML, nvidia-smi) failed as a whole."},
      {"cpshare_gpu_lost", Type::Gauge, "1 when the GPU is lost (fallen off the bus, needs a reset)."},
      {"cpshare_gpu_utilization_ratio", Type::Gauge, "GPU utilisation."},
      {"cpshare_gpu_memory_utilization_ratio", Type::Gauge, "GPU memory controller utilisation."},
      {"cpshare_gpu_memory_used_bytes", Type::Gauge, "GPU memory used."},
      {"cpshare_gpu_memory_total_bytes", Type::Gauge, "GPU memory."},
      {"cpshare_gpu_temperature_celsius", Type::Gauge, "GPU temperature."},
      {"cpshare_gpu_power_watts", Type::Gauge, "GPU power draw."},
      {"cpshare_gpu_power_limit_watts", Type::Gauge, "GPU power limit."},
      {"cpshare_gpu_voltage_volts", Type::Gauge, "GPU graphics voltage."},
  };
  for (const auto& r : rows) out.family(r.name, r.type, r.help);
}

void add_host_sample(Exposition& out, std::string_view cpc_id, const api::HostSample& s) {
  const Labels c{{"cluster", std::string(cpc_id)}};
  out.sample("cpshare_cluster_last_report_timestamp_seconds", c, static_cast<double>(s.at.unix));
  if (s.cpu) add_cpu(out, c, *s.cpu);
  add_host_parts(out, c, s);
  if (s.gpu_error) {
    out.sample("cpshare_gpu_source_error", with(c, "code", s.gpu_error->code), 1);
    return;
  }
  for (const auto& g : s.gpus) add_gpu(out, c, g);
}

}  // namespace cpshare::prometheus
