#include "agent/gpu.hpp"

#include <dlfcn.h>

#include <array>
#include <charconv>

#include <fmt/format.h>

#include "util/subprocess.hpp"
#include "util/text.hpp"

namespace cpshare::agent {

// ------------------------------------------------------------------ NVML

// The few NVML types the agent uses, as nvml.h declares them (the header is
// not needed at build time: the library is loaded at run time). A named
// namespace: Nvml::Api's members use them, and an anonymous one trips
// -Wsubobject-linkage when a unity build includes this file.
namespace nvml_types {

using nvmlReturn_t = int;
using nvmlDevice_t = struct nvmlDevice_st*;
struct nvmlUtilization_t {
  unsigned int gpu, memory;  // percent
};
struct nvmlMemory_t {
  unsigned long long total, free, used;  // bytes
};
constexpr nvmlReturn_t kSuccess = 0, kNotFound = 6, kGpuIsLost = 15, kResetRequired = 16;
constexpr int kTemperatureGpu = 0;  // NVML_TEMPERATURE_GPU

inline bool lost_code(nvmlReturn_t r) { return r == kGpuIsLost || r == kResetRequired; }

}  // namespace nvml_types

using namespace nvml_types;

struct Nvml::Api {
  nvmlReturn_t (*init)();
  nvmlReturn_t (*shutdown)();
  nvmlReturn_t (*count)(unsigned int*);
  nvmlReturn_t (*by_index)(unsigned int, nvmlDevice_t*);
  nvmlReturn_t (*uuid)(nvmlDevice_t, char*, unsigned int);
  nvmlReturn_t (*name)(nvmlDevice_t, char*, unsigned int);
  nvmlReturn_t (*utilization)(nvmlDevice_t, nvmlUtilization_t*);
  nvmlReturn_t (*memory)(nvmlDevice_t, nvmlMemory_t*);
  nvmlReturn_t (*temperature)(nvmlDevice_t, int, unsigned int*);
  nvmlReturn_t (*power)(nvmlDevice_t, unsigned int*);
  nvmlReturn_t (*power_limit)(nvmlDevice_t, unsigned int*);
  const char* (*error_string)(nvmlReturn_t);
};

namespace {

template <class F>
bool resolve(void* handle, const char* symbol, F& out, std::string& missing) {
  out = reinterpret_cast<F>(dlsym(handle, symbol));
  if (out == nullptr) missing = symbol;
  return out != nullptr;
}

std::string nvml_message(const Nvml::Api& api, nvmlReturn_t r) {
  const char* s = api.error_string != nullptr ? api.error_string(r) : nullptr;
  return fmt::format("NVML: {} ({})", s != nullptr ? s : "error", r);
}

// One device's readings; each call that fails leaves its reading absent, and
// a lost code anywhere makes the GPU lost.
api::GpuReading read_device(const Nvml::Api& api, unsigned int index) {
  api::GpuReading g;
  g.index = index;
  nvmlDevice_t dev = nullptr;
  nvmlReturn_t r = api.by_index(index, &dev);
  if (r != kSuccess) {
    g.uuid = fmt::format("index:{}", index);
    g.lost = true;  // a handle that cannot be had: the GPU fell off (NVML_ERROR_GPU_IS_LOST or worse)
    return g;
  }
  std::array<char, 96> buf{};
  if (api.uuid(dev, buf.data(), buf.size()) == kSuccess) g.uuid = buf.data();
  if (g.uuid.empty()) g.uuid = fmt::format("index:{}", index);
  buf.fill(0);
  if (r = api.name(dev, buf.data(), buf.size()); r == kSuccess) g.name = std::string(buf.data());
  bool lost = lost_code(r);
  nvmlUtilization_t u{};
  if (r = api.utilization(dev, &u); r == kSuccess) {
    g.utilization_ratio = u.gpu / 100.0;
    g.memory_utilization_ratio = u.memory / 100.0;
  }
  lost = lost || lost_code(r);
  nvmlMemory_t m{};
  if (r = api.memory(dev, &m); r == kSuccess) {
    g.memory_used_bytes = static_cast<std::int64_t>(m.used);
    g.memory_total_bytes = static_cast<std::int64_t>(m.total);
  }
  lost = lost || lost_code(r);
  unsigned int v = 0;
  if (r = api.temperature(dev, kTemperatureGpu, &v); r == kSuccess) g.temperature_celsius = v;
  lost = lost || lost_code(r);
  if (r = api.power(dev, &v); r == kSuccess) g.power_watts = v / 1000.0;
  lost = lost || lost_code(r);
  if (r = api.power_limit(dev, &v); r == kSuccess) g.power_limit_watts = v / 1000.0;
  lost = lost || lost_code(r);
  if (lost) {
    api::GpuReading gone;
    gone.uuid = g.uuid;
    gone.index = g.index;
    gone.lost = true;
    return gone;
  }
  return g;
}

}  // namespace

std::string source_error_code(int code) {
  switch (code) {
    case 6: return "no_devices";
    case 9: return "driver_not_loaded";
    case 12: return "library_not_found";
    case 18: return "version_mismatch";
    default: return "failed";
  }
}

std::unique_ptr<Nvml> Nvml::load(const std::string& library, std::string& why) {
  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* e = dlerror();
    why = e != nullptr ? e : "dlopen failed";
    return nullptr;
  }
  auto api = std::make_unique<Api>();
  std::string missing;
  const bool ok = resolve(handle, "nvmlInit_v2", api->init, missing) &&
                  resolve(handle, "nvmlShutdown", api->shutdown, missing) &&
                  resolve(handle, "nvmlDeviceGetCount_v2", api->count, missing) &&
                  resolve(handle, "nvmlDeviceGetHandleByIndex_v2", api->by_index, missing) &&
                  resolve(handle, "nvmlDeviceGetUUID", api->uuid, missing) &&
                  resolve(handle, "nvmlDeviceGetName", api->name, missing) &&
                  resolve(handle, "nvmlDeviceGetUtilizationRates", api->utilization, missing) &&
                  resolve(handle, "nvmlDeviceGetMemoryInfo", api->memory, missing) &&
                  resolve(handle, "nvmlDeviceGetTemperature", api->temperature, missing) &&
                  resolve(handle, "nvmlDeviceGetPowerUsage", api->power, missing) &&
                  resolve(handle, "nvmlDeviceGetEnforcedPowerLimit", api->power_limit, missing) &&
                  resolve(handle, "nvmlErrorString", api->error_string, missing);
  if (!ok) {
    why = fmt::format("{} has no {}", library, missing);
    dlclose(handle);
    return nullptr;
  }
  std::unique_ptr<Nvml> nvml(new Nvml());
  nvml->handle_ = handle;
  nvml->api_ = std::move(api);
  return nvml;
}

Nvml::~Nvml() {
  if (init_code_ == kSuccess) api_->shutdown();
  if (handle_ != nullptr) dlclose(handle_);
}

GpuRead Nvml::read() {
  GpuRead out{"nvml", std::nullopt, {}};
  if (init_code_ != kSuccess) init_code_ = api_->init();  // retried each time: the driver may come back
  if (init_code_ != kSuccess) {
    out.error = api::GpuSourceError{source_error_code(init_code_), nvml_message(*api_, init_code_)};
    return out;
  }
  unsigned int count = 0;
  const nvmlReturn_t r = api_->count(&count);
  if (r != kSuccess || count == 0) {
    const int code = r == kSuccess ? kNotFound : r;
    out.error = api::GpuSourceError{source_error_code(code),
                                    r == kSuccess ? "NVML: no devices were found" : nvml_message(*api_, r)};
    return out;
  }
  for (unsigned int i = 0; i < count; ++i) out.gpus.push_back(read_device(*api_, i));
  return out;
}

// ------------------------------------------------------------------ nvidia-smi

namespace {

enum class Cell { Value, Absent, Lost };

Cell classify(std::string_view cell) {
  if (cell == "[GPU is lost]" || cell == "[GPU requires reset]") return Cell::Lost;
  if (cell.empty() || cell == "[N/A]" || cell == "N/A" || cell == "[Not Supported]" || cell == "[Unknown Error]" ||
      cell == "[Insufficient Permissions]" || cell == "[Requested functionality has been deprecated]")
    return Cell::Absent;
  return Cell::Value;
}

std::optional<double> number(std::string_view cell) {
  if (classify(cell) != Cell::Value) return std::nullopt;
  double v = 0;
  const auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
  if (ec != std::errc() || ptr != cell.data() + cell.size()) return std::nullopt;
  return v;
}

std::vector<std::string_view> split_cells(std::string_view line) {
  std::vector<std::string_view> cells;
  std::size_t at = 0;
  while (true) {
    const std::size_t comma = line.find(',', at);
    std::string_view cell = line.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at);
    while (!cell.empty() && cell.front() == ' ') cell.remove_prefix(1);
    while (!cell.empty() && (cell.back() == ' ' || cell.back() == '\r')) cell.remove_suffix(1);
    cells.push_back(cell);
    if (comma == std::string_view::npos) return cells;
    at = comma + 1;
  }
}

api::GpuReading parse_row(const std::vector<std::string_view>& c, std::size_t row) {
  api::GpuReading g;
  bool lost = false;
  for (auto cell : c) lost = lost || classify(cell) == Cell::Lost;
  if (auto index = number(c[0])) g.index = static_cast<std::int64_t>(*index);
  g.uuid = classify(c[1]) == Cell::Value ? std::string(c[1]) : fmt::format("row:{}", row);
  if (lost) {
    g.lost = true;
    return g;
  }
  if (classify(c[2]) == Cell::Value) g.name = std::string(c[2]);
  constexpr double kMiB = 1024.0 * 1024.0;
  if (auto v = number(c[3])) g.utilization_ratio = *v / 100;
  if (auto v = number(c[4])) g.memory_utilization_ratio = *v / 100;
  if (auto v = number(c[5])) g.memory_used_bytes = static_cast<std::int64_t>(*v * kMiB);
  if (auto v = number(c[6])) g.memory_total_bytes = static_cast<std::int64_t>(*v * kMiB);
  g.temperature_celsius = number(c[7]);
  g.power_watts = number(c[8]);
  g.power_limit_watts = number(c[9]);
  return g;
}

}  // namespace

std::vector<api::GpuReading> parse_smi_query(std::string_view csv) {
  std::vector<api::GpuReading> out;
  std::size_t row = 0;
  while (!csv.empty()) {
    const std::size_t nl = csv.find('\n');
    std::string_view line = csv.substr(0, nl);
    csv = nl == std::string_view::npos ? std::string_view{} : csv.substr(nl + 1);
    auto cells = split_cells(line);
    if (cells.size() < 10) continue;  // a blank or foreign line
    out.push_back(parse_row(cells, row++));
  }
  return out;
}

std::vector<std::optional<double>> parse_smi_voltage(std::string_view text) {
  std::vector<std::optional<double>> out;
  bool in_voltage = false;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string line = text::trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line == "Voltage") {
      in_voltage = true;
    } else if (in_voltage && line.starts_with("Graphics")) {
      const std::string value = text::trim(line.substr(line.find(':') + 1));
      std::optional<double> v;
      if (value.ends_with(" mV")) v = number(std::string_view(value).substr(0, value.size() - 3));
      out.push_back(v ? std::optional<double>(*v / 1000) : std::nullopt);
      in_voltage = false;
    }
  }
  return out;
}

GpuRead read_nvidia_smi(const std::string& program, std::chrono::milliseconds timeout) {
  GpuRead out{"nvidia-smi", std::nullopt, {}};
  const auto query = subprocess::run(
      {program, fmt::format("--query-gpu={}", kSmiQueryFields), "--format=csv,noheader,nounits"}, timeout);
  if (!query.started) {
    out.error = api::GpuSourceError{"failed", fmt::format("{}: {}", program, query.start_error)};
  } else if (query.timed_out) {
    out.error = api::GpuSourceError{
        "timeout", fmt::format("{} did not answer within {} ms (a hung driver?)", program, timeout.count())};
  } else if (query.exit_status != 0) {
    const std::string first = text::trim(std::string_view(query.output).substr(0, query.output.find('\n')));
    out.error = api::GpuSourceError{query.exit_status ? source_error_code(*query.exit_status) : "failed",
                                    first.empty() ? fmt::format("{} failed", program) : text::clip(first, 300)};
  } else {
    out.gpus = parse_smi_query(query.output);
    if (out.gpus.empty()) out.error = api::GpuSourceError{"no_devices", fmt::format("{} listed no GPU", program)};
  }
  if (!out.error) add_smi_voltages(out, program, timeout);
  return out;
}

void add_smi_voltages(GpuRead& read, const std::string& program, std::chrono::milliseconds timeout) {
  const auto volts = subprocess::run({program, "-q", "-d", "VOLTAGE"}, timeout);
  if (!volts.started || volts.timed_out || volts.exit_status != 0) return;
  const auto v = parse_smi_voltage(volts.output);  // in the driver's order: by index
  for (auto& g : read.gpus)
    if (!g.lost && g.index && *g.index >= 0 && static_cast<std::size_t>(*g.index) < v.size())
      g.voltage_volts = v[static_cast<std::size_t>(*g.index)];
}

// ------------------------------------------------------------------ the choice

GpuSource::GpuSource(GpuChoice choice, std::chrono::milliseconds smi_timeout, std::string nvml_library,
                     std::string smi_program)
    : choice_(choice), smi_timeout_(smi_timeout), smi_program_(std::move(smi_program)) {
  if (choice_ == GpuChoice::Auto || choice_ == GpuChoice::Nvml) nvml_ = Nvml::load(nvml_library, nvml_why_);
}

GpuRead GpuSource::read() {
  if (choice_ == GpuChoice::None) return {"none", std::nullopt, {}};
  if (nvml_) {
    GpuRead r = nvml_->read();  // NVML has no voltage call: nvidia-smi gives it where the driver does
    if (!r.error) add_smi_voltages(r, smi_program_, smi_timeout_);
    return r;
  }
  if (choice_ == GpuChoice::Nvml)
    return {"nvml", api::GpuSourceError{"library_not_found", text::clip(nvml_why_, 300)}, {}};
  GpuRead smi = read_nvidia_smi(smi_program_, smi_timeout_);
  // Auto on a host with neither NVML nor nvidia-smi: no NVIDIA GPU source at all.
  if (choice_ == GpuChoice::Auto && smi.error && smi.error->code == "failed" &&
      smi.error->message.find("No such file") != std::string::npos)
    return {"none", std::nullopt, {}};
  return smi;
}

std::string GpuSource::describe() const {
  if (choice_ == GpuChoice::None) return "GPUs: not read (--gpu none)";
  if (nvml_) return "GPUs: NVML (libnvidia-ml.so.1)";
  return fmt::format("GPUs: {} (NVML not loaded: {})", smi_program_, nvml_why_.empty() ? "not asked" : nvml_why_);
}

}  // namespace cpshare::agent
