#include "service/request_counters.hpp"

namespace cpshare {

void RequestCounters::count(std::string_view method, std::string_view route, int status) {
  std::lock_guard lock(mu_);
  ++counts_[std::tuple<std::string, std::string, int>(method, route, status)];
}

std::vector<RequestCounters::Row> RequestCounters::snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<Row> out;
  out.reserve(counts_.size());
  for (const auto& [key, n] : counts_) out.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), n});
  return out;
}

std::uint64_t RequestCounters::succeeded(std::string_view method, std::string_view route) const {
  std::lock_guard lock(mu_);
  std::uint64_t sum = 0;
  for (const auto& [key, n] : counts_)
    if (std::get<0>(key) == method && std::get<1>(key) == route && std::get<2>(key) / 100 == 2) sum += n;
  return sum;
}

}  // namespace cpshare
