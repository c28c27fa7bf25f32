#include "agent/host.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "util/text.hpp"

namespace cpshare::agent {

namespace fs = std::filesystem;

namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<std::int64_t> read_integer(const fs::path& p) {
  auto t = read_file(p.string());
  return t ? text::parse_int<std::int64_t>(text::trim(*t)) : std::nullopt;
}

}  // namespace

std::optional<CpuTimes> parse_proc_stat(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  CpuTimes t;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string name;
    words >> name;
    if (name == "cpu") {
      std::uint64_t v = 0;
      while (t.modes.size() < 8 && words >> v) t.modes.push_back(v);
    } else if (name.starts_with("cpu") && name.size() > 3) {
      ++t.cpus;
    }
  }
  if (t.modes.size() < 4) return std::nullopt;  // user nice system idle at least (kernels before 2.6 had no more)
  t.modes.resize(8, 0);
  return t;
}

api::CpuReading cpu_between(const CpuTimes& before, const CpuTimes& after) {
  api::CpuReading r;
  r.cpus = after.cpus;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    if (after.modes[i] < before.modes[i]) return r;  // a counter went back (hotplug): no ratios this time
    total += after.modes[i] - before.modes[i];
  }
  if (total == 0) return r;
  const auto fields = api::cpu_modes(r);  // /proc/stat's order
  for (std::size_t i = 0; i < fields.size(); ++i)
    *fields[i].second = static_cast<double>(after.modes[i] - before.modes[i]) / static_cast<double>(total);
  return r;
}

void parse_loadavg(const std::string& text, api::CpuReading& cpu) {
  std::istringstream in(text);
  double a = 0, b = 0, c = 0;
  if (in >> a >> b >> c) {
    cpu.load1 = a;
    cpu.load5 = b;
    cpu.load15 = c;
  }
}

std::optional<api::MemoryReading> parse_meminfo(const std::string& text) {
  std::istringstream in(text);
  std::string key;
  std::int64_t kb = 0;
  std::optional<std::int64_t> total, available;
  std::string unit;
  while (in >> key >> kb) {
    std::getline(in, unit);
    if (key == "MemTotal:") total = kb * 1024;
    if (key == "MemAvailable:") available = kb * 1024;
  }
  if (!total || !available) return std::nullopt;
  return api::MemoryReading{*total, *available};
}

std::map<std::string, std::pair<std::int64_t, std::int64_t>> parse_net_dev(const std::string& text) {
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;  // the two header lines
    const std::string name = text::trim(line.substr(0, colon));
    std::istringstream fields(line.substr(colon + 1));
    std::int64_t v[9] = {};
    int n = 0;
    while (n < 9 && fields >> v[n]) ++n;
    if (n < 9 || name == "lo") continue;
    out[name] = {v[0], v[8]};  // receive bytes, transmit bytes
  }
  return out;
}

std::vector<api::SensorReading> read_hwmon(const std::string& sys) {
  std::vector<api::SensorReading> out;
  std::error_code ec;
  const fs::path root = fs::path(sys) / "class" / "hwmon";
  std::vector<fs::path> chips;
  for (const auto& e : fs::directory_iterator(root, ec)) chips.push_back(e.path());
  std::sort(chips.begin(), chips.end());
  for (const auto& chip : chips) {
    const std::string chip_name = text::trim(read_file((chip / "name").string()).value_or(chip.filename().string()));
    std::vector<fs::path> inputs;
    for (const auto& e : fs::directory_iterator(chip, ec)) {
      const std::string f = e.path().filename().string();
      if ((f.starts_with("temp") || f.starts_with("in")) && f.ends_with("_input")) inputs.push_back(e.path());
    }
    std::sort(inputs.begin(), inputs.end());
    for (const auto& input : inputs) {
      const std::string stem = input.filename().string().substr(0, input.filename().string().size() - 6);
      const auto raw = read_integer(input);
      if (!raw) continue;  // unreadable (some sensors answer EIO): absent
      const bool temp = stem.starts_with("temp");
      const std::string label = text::trim(read_file((chip / (stem + "_label")).string()).value_or(stem));
      out.push_back({chip_name, label.empty() ? stem : label, temp ? "temperature" : "voltage",
                     static_cast<double>(*raw) / 1000.0});
    }
  }
  return out;
}

api::NetworkProbe probe_tcp(const std::string& host, int port, int probes, std::chrono::milliseconds timeout) {
  api::NetworkProbe r;
  r.probes = probes;
  int ok = 0;
  double seconds = 0;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addrs = nullptr;
  const bool resolved = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &addrs) == 0;
  for (int i = 0; i < probes && resolved; ++i) {
    const int fd = socket(addrs->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    const auto started = std::chrono::steady_clock::now();
    bool connected = ::connect(fd, addrs->ai_addr, addrs->ai_addrlen) == 0;
    if (!connected && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int err = 0;
      socklen_t len = sizeof err;
      connected = poll(&p, 1, static_cast<int>(timeout.count())) == 1 &&
                  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
    }
    if (connected) {
      ++ok;
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    }
    ::close(fd);
  }
  if (addrs != nullptr) freeaddrinfo(addrs);
  if (ok > 0) r.latency_seconds = seconds / ok;
  if (probes > 0) r.loss_ratio = static_cast<double>(probes - ok) / probes;
  return r;
}

api::HostSample Collector::sample(std::int64_t now) {
  api::HostSample s;
  s.at.unix = now;
  const auto& p = options_.paths;
  if (auto stat = read_file(p.proc + "/stat"); stat) {
    if (auto times = parse_proc_stat(*stat)) {
      api::CpuReading cpu;  // the first reading has nothing to compare with: no ratios
      cpu.cpus = times->cpus;
      if (last_cpu_) cpu = cpu_between(*last_cpu_, *times);
      if (auto load = read_file(p.proc + "/loadavg")) parse_loadavg(*load, cpu);
      s.cpu = cpu;
      last_cpu_ = times;
    }
  }
  if (auto mem = read_file(p.proc + "/meminfo")) s.memory = parse_meminfo(*mem);
  for (const auto& m : options_.mounts) {
    struct statvfs v {};
    if (statvfs(m.c_str(), &v) != 0) continue;
    const auto frsize = static_cast<std::int64_t>(v.f_frsize);
    s.mounts.push_back({m, static_cast<std::int64_t>(v.f_blocks - v.f_bfree) * frsize,
                        static_cast<std::int64_t>(v.f_blocks) * frsize});
  }
  const auto net_at = std::chrono::steady_clock::now();
  if (auto dev = read_file(p.proc + "/net/dev")) {
    const auto counters = parse_net_dev(*dev);
    const double dt = last_net_at_ ? std::chrono::duration<double>(net_at - *last_net_at_).count() : 0;
    for (const auto& [name, c] : counters) {
      api::InterfaceReading i{name, c.first, c.second, std::nullopt, std::nullopt};
      auto before = last_net_.find(name);
      if (dt > 0 && before != last_net_.end()) {  // a counter that went back (reset, wrap): no rate
        if (c.first >= before->second.first) i.receive_bytes_per_second = (c.first - before->second.first) / dt;
        if (c.second >= before->second.second) i.transmit_bytes_per_second = (c.second - before->second.second) / dt;
      }
      s.interfaces.push_back(std::move(i));
    }
    last_net_ = counters;
    last_net_at_ = net_at;
  }
  s.sensors = read_hwmon(p.sys);
  GpuRead g = gpus_.read();
  s.gpu_source = g.source;
  s.gpu_error = std::move(g.error);
  s.gpus = std::move(g.gpus);
  if (!options_.probe_host.empty())
    s.network = probe_tcp(options_.probe_host, options_.probe_port, options_.probes, options_.probe_timeout);
  return s;
}

}  // namespace cpshare::agent
