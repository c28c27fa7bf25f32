// The agent's GPU readings (issue 11, Build point 1; R-MON-1) through both of
// its real code paths, with stand-ins for the hardware:
// - NVML: tests/fake_nvml builds a libnvidia-ml.so.1 scripted by a file; the
//   agent's own dlopen("libnvidia-ml.so.1") finds it through LD_LIBRARY_PATH
//   (set by CTest for this test).
// - nvidia-smi: tests/fixtures/fake-nvidia-smi replays what real GPUs and
//   real failures printed (tests/fixtures/nvidia-smi/, copied from
//   ../shared/fixtures/nvidia-smi/; its README names the sources).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "agent/gpu.hpp"

using namespace cpshare;
using namespace std::chrono_literals;

namespace {
std::string fixtures() {
  const char* d = std::getenv("CPSHARE_TEST_FIXTURES");
  return d != nullptr ? d : CPSHARE_SOURCE_DIR "/tests/fixtures";
}
std::string fake_smi() { return fixtures() + "/fake-nvidia-smi"; }

agent::GpuRead smi(const std::string& file, const char* voltage = nullptr) {
  setenv("FAKE_SMI_CASE", file.c_str(), 1);
  if (voltage != nullptr)
    setenv("FAKE_SMI_VOLTAGE", voltage, 1);
  else
    unsetenv("FAKE_SMI_VOLTAGE");
  return agent::read_nvidia_smi(fake_smi(), 5s);
}

// Writes the fake NVML's script and loads the library by its real name.
std::unique_ptr<agent::Nvml> nvml_with(const std::string& script) {
  const auto path = std::filesystem::temp_directory_path() / "cpshare-fake-nvml.txt";
  std::ofstream(path) << script;
  setenv("FAKE_NVML_SCRIPT", path.c_str(), 1);
  std::string why;
  auto nvml = agent::Nvml::load("libnvidia-ml.so.1", why);
  INFO(why);
  REQUIRE(nvml);
  return nvml;
}
}  // namespace

TEST_CASE("NVML: readings in base units; NOT_SUPPORTED is absent; GPU_IS_LOST is lost", "[R-MON-1]") {
  auto nvml = nvml_with(
      "count 3\n"
      "gpu 0 uuid=GPU-1a2b0000-0000-4000-8000-000000000000 name=NVIDIA_H200 util=61 memutil=7 used=116178911232 "
      "total=150754820096 temp=52 power=627400 limit=700000\n"
      "gpu 1 uuid=GPU-1a2b0001-0000-4000-8000-000000000001 name=NVIDIA_H200 util=NS memutil=NS used=1 total=2 temp=41 "
      "power=NS limit=700000\n"
      "gpu 2 lost\n");
  const auto r = nvml->read();
  CHECK(r.source == "nvml");
  REQUIRE(!r.error);
  REQUIRE(r.gpus.size() == 3);
  const auto& g = r.gpus[0];
  CHECK(g.uuid == "GPU-1a2b0000-0000-4000-8000-000000000000");
  CHECK(g.name == "NVIDIA H200");
  CHECK(g.utilization_ratio == Approx(0.61));
  CHECK(g.memory_utilization_ratio == Approx(0.07));
  CHECK(g.memory_used_bytes == 116178911232);
  CHECK(g.memory_total_bytes == 150754820096);
  CHECK(g.temperature_celsius == 52);
  CHECK(g.power_watts == Approx(627.4));
  CHECK(g.power_limit_watts == 700);
  CHECK(!g.lost);
  CHECK(!r.gpus[1].utilization_ratio);  // MIG: NOT_SUPPORTED, absent rather than 0
  CHECK(!r.gpus[1].power_watts);
  CHECK(r.gpus[1].temperature_celsius == 41);
  CHECK(r.gpus[2].lost);
  CHECK(r.gpus[2].index == 2);
  CHECK(!r.gpus[2].temperature_celsius);
}

TEST_CASE("NVML: a failure of the whole source is an error, never zero GPUs", "[R-MON-1]") {
  CHECK(nvml_with("init 9\n")->read().error->code == "driver_not_loaded");
  CHECK(nvml_with("init 18\n")->read().error->message == "NVML: Driver/library version mismatch (18)");
  auto none = nvml_with("count 0\n")->read();
  REQUIRE(none.error);
  CHECK(none.error->code == "no_devices");
  CHECK(none.gpus.empty());
  std::string why;
  CHECK(!agent::Nvml::load("libnvidia-ml-not-here.so.1", why));
  CHECK_THAT(why, Catch::Contains("libnvidia-ml-not-here.so.1"));
}

TEST_CASE("nvidia-smi: eight H200 under load, read in base units", "[R-MON-1]") {
  const auto r = smi("h200-8gpu-load.csv");
  CHECK(r.source == "nvidia-smi");
  REQUIRE(!r.error);
  REQUIRE(r.gpus.size() == 8);
  const auto& g = r.gpus[0];
  CHECK(g.index == 0);
  CHECK(g.uuid == "GPU-1a2b0000-0000-4000-8000-000000000000");
  CHECK(g.name == "NVIDIA H200");
  CHECK(g.utilization_ratio == Approx(1.0));
  CHECK(g.memory_utilization_ratio == Approx(0.07));
  CHECK(g.memory_used_bytes == 110796LL * 1024 * 1024);
  CHECK(g.memory_total_bytes == 143771LL * 1024 * 1024);
  CHECK(g.temperature_celsius == 52);
  CHECK(g.power_watts == Approx(627.40));
  CHECK(g.power_limit_watts == 700);
  CHECK(!g.voltage_volts);  // -q -d VOLTAGE failed here: absent
}

TEST_CASE("nvidia-smi: unavailable cells are absent, never 0", "[R-MON-1]") {
  const auto mig = smi("h200-mig.csv");
  REQUIRE(mig.gpus.size() >= 2);
  CHECK(!mig.gpus[0].utilization_ratio);
  CHECK(!mig.gpus[0].memory_utilization_ratio);
  CHECK(mig.gpus[0].power_watts == Approx(295.01));
  const auto old = smi("old-driver-not-supported.csv");  // no uuid field: the row stands in
  REQUIRE(old.gpus.size() == 1);
  CHECK(old.gpus[0].uuid == "row:0");
  CHECK(!old.gpus[0].utilization_ratio);
  CHECK(!old.gpus[0].power_watts);
  CHECK(old.gpus[0].temperature_celsius == 52);
  const auto unknown = smi("unknown-error.csv");
  REQUIRE(unknown.gpus.size() == 1);
  CHECK(!unknown.gpus[0].power_limit_watts);  // [Unknown Error]
  CHECK(unknown.gpus[0].power_watts == Approx(228.82));
  const auto consumer = smi("rtx4080-super.csv");
  CHECK(consumer.gpus.at(0).name == "NVIDIA GeForce RTX 4080 SUPER");
}

TEST_CASE("nvidia-smi: a GPU that is lost or needs a reset is lost; GPUs are known by UUID", "[R-MON-1]") {
  const auto reset = smi("gpu-requires-reset.csv");
  REQUIRE(reset.gpus.size() == 2);
  CHECK(!reset.gpus[0].lost);
  CHECK(reset.gpus[1].lost);
  CHECK(reset.gpus[1].uuid == "GPU-5e6f0001-0000-4000-8000-000000000001");
  CHECK(!reset.gpus[1].temperature_celsius);
  const auto lost = smi("gpu-lost.csv");
  REQUIRE(lost.gpus.size() == 4);
  CHECK(lost.gpus[3].lost);
  CHECK(lost.gpus[3].index == 3);
  CHECK(lost.gpus[3].uuid == "row:3");  // every cell "[GPU is lost]": the row stands in for the UUID
  // Fallen off the bus: 8 GPUs, then 7, renumbered; the UUIDs say which is gone.
  const auto before = smi("gpu-vanished-before.csv"), after = smi("gpu-vanished-after.csv");
  REQUIRE(before.gpus.size() == 8);
  REQUIRE(after.gpus.size() == 7);
  CHECK(before.gpus[6].uuid == "GPU-9c0d0006-0000-4000-8000-000000000006");
  CHECK(before.gpus[6].index == 6);
  CHECK(after.gpus[5].uuid == "GPU-9c0d0006-0000-4000-8000-000000000006");
  CHECK(after.gpus[5].index == 5);
  for (const auto& g : after.gpus) CHECK(g.uuid != "GPU-9c0d0005-0000-4000-8000-000000000005");
}

TEST_CASE("nvidia-smi: each failure of the whole command is its source error", "[R-MON-1]") {
  const std::pair<const char*, const char*> cases[] = {{"fail-no-devices.txt", "no_devices"},
                                                       {"fail-driver-not-loaded.txt", "driver_not_loaded"},
                                                       {"fail-library-not-found.txt", "library_not_found"},
                                                       {"fail-version-mismatch.txt", "version_mismatch"},
                                                       {"fail-device-handle.txt", "failed"}};
  for (const auto& [file, code] : cases) {
    INFO(file);
    const auto r = smi(file);
    REQUIRE(r.error);
    CHECK(r.error->code == code);
    CHECK(!r.error->message.empty());
    CHECK(r.gpus.empty());
  }
  CHECK_THAT(smi("fail-driver-not-loaded.txt").error->message,
             Catch::StartsWith("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver"));
  const auto missing = agent::read_nvidia_smi("/nonexistent/nvidia-smi", 1s);
  REQUIRE(missing.error);
  CHECK(missing.error->code == "failed");
}

TEST_CASE("nvidia-smi: a hung driver is a timeout within the deadline, the child reaped", "[R-MON-1]") {
  setenv("FAKE_SMI_CASE", "hang", 1);
  const auto started = std::chrono::steady_clock::now();
  const auto r = agent::read_nvidia_smi(fake_smi(), 500ms);
  const auto took = std::chrono::steady_clock::now() - started;
  REQUIRE(r.error);
  CHECK(r.error->code == "timeout");
  CHECK(took < 2s);
}

TEST_CASE("nvidia-smi: the graphics voltage where the driver reports it", "[R-MON-1]") {
  const auto r = smi("h200-8gpu-load.csv", "voltage-reported.txt");
  REQUIRE(r.gpus.size() == 8);
  CHECK(r.gpus[0].voltage_volts == Approx(0.88125));
  CHECK(r.gpus[1].voltage_volts == Approx(0.875));
  CHECK(!r.gpus[2].voltage_volts);                                                     // the capture lists two GPUs
  CHECK(!smi("h200-8gpu-load.csv", "voltage-open-module.txt").gpus[0].voltage_volts);  // N/A
}

TEST_CASE("the source of choice: none on a host without NVML or nvidia-smi", "[R-MON-1]") {
  agent::GpuSource none(agent::GpuChoice::Auto, 1s, "libnvidia-ml-not-here.so.1", "/nonexistent/nvidia-smi");
  const auto r = none.read();
  CHECK(r.source == "none");
  CHECK(!r.error);
  agent::GpuSource forced(agent::GpuChoice::Nvml, 1s, "libnvidia-ml-not-here.so.1");
  CHECK(forced.read().error->code == "library_not_found");
  agent::GpuSource off(agent::GpuChoice::None, 1s);
  CHECK(off.read().source == "none");
}
