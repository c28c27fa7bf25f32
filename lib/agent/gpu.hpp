// The agent's GPU readings (issue 11, Build point 1; R-API-IRMDS, R-MON-1):
// NVML loaded at run time, else nvidia-smi with a deadline. Units as
// api::GpuReading: ratios 0–1, bytes, °C, W, V.
//
// Absent, never 0: NVML_ERROR_NOT_SUPPORTED / NO_PERMISSION / UNKNOWN, and
// nvidia-smi's "[N/A]", "N/A", "[Not Supported]", "[Unknown Error]",
// "[Insufficient Permissions]", "[Requested functionality has been
// deprecated]" leave that reading out. Lost (掉卡): NVML_ERROR_GPU_IS_LOST
// (15), NVML_ERROR_RESET_REQUIRED (16), "[GPU is lost]", "[GPU requires
// reset]". A failure of the whole source (library or driver missing, version
// mismatch, no devices, nvidia-smi failed or hung) is GpuRead::error, never
// an empty list. Codes and outputs: ../shared/fixtures/nvidia-smi/README.md
// (copied to tests/fixtures/nvidia-smi/).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/metrics.hpp"

namespace cpshare::agent {

// One reading of every GPU of the host.
struct GpuRead {
  std::string source;                        // "nvml" | "nvidia-smi" | "none"
  std::optional<api::GpuSourceError> error;  // the whole source failed: gpus is empty
  std::vector<api::GpuReading> gpus;
};

// The source error code for an NVML return code or nvidia-smi exit status
// (they mirror each other): 6 no_devices, 9 driver_not_loaded, 12
// library_not_found, 18 version_mismatch, anything else "failed".
std::string source_error_code(int nvml_code);

// NVML through dlopen (no link-time dependency: the agent runs on hosts
// without a driver too). load() returns nullptr with `why` when the library
// cannot be opened or lacks a function; a library that opens but whose
// nvmlInit_v2 fails is loaded, and each read() reports that as its error.
class Nvml {
 public:
  static std::unique_ptr<Nvml> load(const std::string& library, std::string& why);
  ~Nvml();
  Nvml(const Nvml&) = delete;
  Nvml& operator=(const Nvml&) = delete;
  GpuRead read();

  struct Api;  // the resolved functions (gpu.cpp)

 private:
  Nvml() = default;
  void* handle_ = nullptr;
  std::unique_ptr<Api> api_;
  int init_code_ = -1;  // nvmlInit_v2's result; -1 before the first try
};

// nvidia-smi's query, as it prints with --format=csv,noheader,nounits for
// kSmiQueryFields, parsed: one GpuReading per line (MiB → bytes, % → ratio).
inline constexpr std::string_view kSmiQueryFields =
    "index,uuid,name,utilization.gpu,utilization.memory,memory.used,memory.total,temperature.gpu,power.draw,"
    "power.limit";
std::vector<api::GpuReading> parse_smi_query(std::string_view csv);
// `nvidia-smi -q -d VOLTAGE` parsed: the graphics voltage of each GPU in the
// order listed, in volts ("881.250 mV" → 0.88125; "N/A" → absent).
std::vector<std::optional<double>> parse_smi_voltage(std::string_view text);

// Runs `program` (nvidia-smi, looked up in PATH) for the query and, when that
// worked, for the voltages; each run killed at `timeout` (error "timeout").
GpuRead read_nvidia_smi(const std::string& program, std::chrono::milliseconds timeout);

// Sets each GPU's voltage_volts from `program -q -d VOLTAGE` (killed at
// `timeout`), matched by index; leaves them absent when it fails.
void add_smi_voltages(GpuRead& read, const std::string& program, std::chrono::milliseconds timeout);

// Which source to read.
enum class GpuChoice { Auto, Nvml, NvidiaSmi, None };

// Holds the chosen source across readings (NVML stays loaded).
// Auto: NVML when libnvidia-ml.so.1 loads, else nvidia-smi when it is on
// PATH, else none (a host without NVIDIA GPUs).
class GpuSource {
 public:
  GpuSource(GpuChoice choice, std::chrono::milliseconds smi_timeout, std::string nvml_library = "libnvidia-ml.so.1",
            std::string smi_program = "nvidia-smi");
  GpuRead read();
  std::string describe() const;  // which source and why (for the agent's start-up log)

 private:
  GpuChoice choice_;
  std::chrono::milliseconds smi_timeout_;
  std::string smi_program_;
  std::unique_ptr<Nvml> nvml_;
  std::string nvml_why_;
};

}  // namespace cpshare::agent
