// The agent's host readings (issue 11, Build point 1; R-MON-1): over a fixture
// /proc and /sys tree (it stands in for a host's kernel files, so the values
// are exact), over this machine's real /proc, and the TCP probe against a real
// loopback listener.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "agent/host.hpp"
#include "store_test_support.hpp"

using namespace cpshare;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {
void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

const char* kNetDev =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier "
    "compressed\n"
    "    lo: 5000 10 0 0 0 0 0 0 5000 10 0 0 0 0 0 0\n"
    "  eth0: %RX% 100 0 0 0 0 0 0 %TX% 80 0 0 0 0 0 0\n";

std::string net_dev(std::int64_t rx, std::int64_t tx) {
  std::string s = kNetDev;
  s.replace(s.find("%RX%"), 4, std::to_string(rx));
  s.replace(s.find("%TX%"), 4, std::to_string(tx));
  return s;
}
}  // namespace

TEST_CASE("host readings from kernel files: CPU ratios by mode, load, memory, rates, sensors", "[R-MON-1]") {
  testing::TempDir dir;
  const fs::path proc = dir.path / "proc", sys = dir.path / "sys";
  write(proc / "stat",
        "cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\ncpu1 50 0 25 400 25 0 0 0 0 0\n");
  write(proc / "loadavg", "12.50 11.00 10.25 3/1024 4242\n");
  write(proc / "meminfo", "MemTotal:       2097152 kB\nMemFree:         100000 kB\nMemAvailable:   1048576 kB\n");
  write(proc / "net" / "dev", net_dev(1'000'000, 500'000));
  const fs::path chip = sys / "class" / "hwmon" / "hwmon0";
  write(chip / "name", "coretemp\n");
  write(chip / "temp1_input", "61000\n");
  write(chip / "temp1_label", "Package id 0\n");
  write(chip / "temp2_input", "garbage\n");  // unreadable: absent, never 0
  write(sys / "class" / "hwmon" / "hwmon1" / "name", "nct6775\n");
  write(sys / "class" / "hwmon" / "hwmon1" / "in0_input", "1056\n");

  agent::GpuSource gpus(agent::GpuChoice::None, 1s);
  agent::Collector c({{proc.string(), sys.string()}, {dir.path.string()}, "", 0, 3, 1000ms}, gpus);
  const auto first = c.sample(1'796'371'200);
  REQUIRE(first.cpu);
  CHECK(first.cpu->cpus == 2);
  CHECK(!first.cpu->user);  // nothing to compare with yet
  CHECK(first.cpu->load1 == 12.5);
  CHECK(first.cpu->load15 == 10.25);
  REQUIRE(first.memory);
  CHECK(first.memory->total_bytes == 2097152LL * 1024);
  CHECK(first.memory->available_bytes == 1048576LL * 1024);
  REQUIRE(first.interfaces.size() == 1);  // lo is left out
  CHECK(first.interfaces[0].name == "eth0");
  CHECK(first.interfaces[0].receive_bytes_total == 1'000'000);
  CHECK(!first.interfaces[0].receive_bytes_per_second);
  REQUIRE(first.mounts.size() == 1);
  CHECK(first.mounts[0].total_bytes > 0);
  REQUIRE(first.sensors.size() == 2);
  CHECK(first.sensors[0].chip == "coretemp");
  CHECK(first.sensors[0].label == "Package id 0");
  CHECK(first.sensors[0].kind == "temperature");
  CHECK(first.sensors[0].value == 61.0);
  CHECK(first.sensors[1].chip == "nct6775");
  CHECK(first.sensors[1].label == "in0");
  CHECK(first.sensors[1].kind == "voltage");
  CHECK(first.sensors[1].value == Approx(1.056));
  CHECK(first.gpu_source == "none");

  // 1000 jiffies later: 300 user, 100 system, 500 idle, 100 iowait.
  write(proc / "stat", "cpu  400 0 150 1300 150 0 0 0 0 0\ncpu0 1 0 0 0 0 0 0 0 0 0\ncpu1 1 0 0 0 0 0 0 0 0 0\n");
  write(proc / "net" / "dev", net_dev(2'000'000, 100));  // transmit counter reset: no rate
  std::this_thread::sleep_for(100ms);
  const auto second = c.sample(1'796'371'210);
  CHECK(second.cpu->user == Approx(0.3));
  CHECK(second.cpu->system == Approx(0.1));
  CHECK(second.cpu->idle == Approx(0.5));
  CHECK(second.cpu->iowait == Approx(0.1));
  CHECK(second.cpu->steal == 0.0);
  REQUIRE(second.interfaces[0].receive_bytes_per_second);
  CHECK(*second.interfaces[0].receive_bytes_per_second > 1'000'000);  // 1 MB in about 0.1 s
  CHECK(*second.interfaces[0].receive_bytes_per_second < 11'000'000);
  CHECK(!second.interfaces[0].transmit_bytes_per_second);
}

TEST_CASE("files that are missing or garbage leave readings absent", "[R-MON-1]") {
  testing::TempDir dir;
  write(dir.path / "proc" / "stat", "nonsense\n");
  write(dir.path / "proc" / "meminfo", "MemTotal: 1024 kB\n");  // no MemAvailable
  agent::GpuSource gpus(agent::GpuChoice::None, 1s);
  agent::Collector c({{(dir.path / "proc").string(), (dir.path / "sys").string()}, {"/nonexistent"}, "", 0, 3, 1000ms},
                     gpus);
  const auto s = c.sample(1);
  CHECK(!s.cpu);
  CHECK(!s.memory);
  CHECK(s.mounts.empty());
  CHECK(s.interfaces.empty());
  CHECK(s.sensors.empty());
}

TEST_CASE("this machine's real /proc reads sanely", "[R-MON-1]") {
  agent::GpuSource gpus(agent::GpuChoice::None, 1s);
  agent::Collector c({{}, {"/"}, "", 0, 3, 1000ms}, gpus);
  (void)c.sample(0);
  std::this_thread::sleep_for(200ms);
  const auto s = c.sample(1);
  REQUIRE(s.cpu);
  CHECK(s.cpu->cpus >= 1);
  REQUIRE(s.cpu->idle);
  const double sum = s.cpu->user.value_or(0) + s.cpu->nice.value_or(0) + s.cpu->system.value_or(0) + *s.cpu->idle +
                     s.cpu->iowait.value_or(0) + s.cpu->irq.value_or(0) + s.cpu->softirq.value_or(0) +
                     s.cpu->steal.value_or(0);
  CHECK(sum == Approx(1.0));
  REQUIRE(s.memory);
  CHECK(s.memory->total_bytes > s.memory->available_bytes);
  REQUIRE(s.mounts.size() == 1);
  CHECK(s.mounts[0].used_bytes <= s.mounts[0].total_bytes);
}

TEST_CASE("the TCP probe times connects; refused ones are loss", "[R-MON-2]") {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(listen(listener, 16) == 0);
  socklen_t len = sizeof addr;
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  const auto up = agent::probe_tcp("127.0.0.1", port, 3, 1000ms);
  CHECK(up.probes == 3);
  CHECK(up.loss_ratio == 0.0);
  REQUIRE(up.latency_seconds);
  CHECK(*up.latency_seconds < 0.5);
  close(listener);
  const auto down = agent::probe_tcp("127.0.0.1", port, 2, 200ms);  // nothing listens now
  CHECK(down.loss_ratio == 1.0);
  CHECK(!down.latency_seconds);
}
