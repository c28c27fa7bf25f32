// Reads the host's GPUs as `cpshare agent` will (lib/agent/gpu.hpp), the way a
// supplier checks a B-class host before starting the agent, and prints the
// readings as the wire's JSON with how long each read took. Run on a real
// NVIDIA machine to see both paths against real hardware:
//   gpu_probe [--reads N] [--smi-timeout-ms MS]
// prints, for NVML (--gpu nvml), nvidia-smi (--gpu nvidia-smi) and the
// automatic choice, N reads 1 s apart.
#include <chrono>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "agent/gpu.hpp"

using namespace cpshare;

namespace {
void probe(const char* label, agent::GpuChoice choice, int reads, std::chrono::milliseconds timeout) {
  agent::GpuSource source(choice, timeout);
  fmt::print("== {}: {}\n", label, source.describe());
  for (int i = 0; i < reads; ++i) {
    const auto started = std::chrono::steady_clock::now();
    const agent::GpuRead r = source.read();
    const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    api::HostSample s;
    s.gpu_source = r.source;
    s.gpu_error = r.error;
    s.gpus = r.gpus;
    fmt::print("read {} in {:.1f} ms: {}\n", i + 1, ms,
               api::encode(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    if (i + 1 < reads) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}
}  // namespace

int main(int argc, char** argv) {
  int reads = 2;
  std::chrono::milliseconds timeout(5000);
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--reads") == 0) reads = std::stoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--smi-timeout-ms") == 0) timeout = std::chrono::milliseconds(std::stoi(argv[i + 1]));
  }
  probe("NVML", agent::GpuChoice::Nvml, reads, timeout);
  probe("nvidia-smi", agent::GpuChoice::NvidiaSmi, reads, timeout);
  probe("auto", agent::GpuChoice::Auto, 1, timeout);
  return 0;
}
