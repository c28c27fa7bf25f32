#include "service/throttle.hpp"

#include <algorithm>

namespace cpshare {

namespace {
std::int64_t delay_for(int failures, const ThrottlePolicy& p) {
  if (failures < p.free_failures) return 0;
  int exp = std::min(failures - p.free_failures, 30);
  std::int64_t first = std::max<std::int64_t>(p.first_delay, 1);
  if (first > (p.max_delay >> exp)) return p.max_delay;
  return std::min<std::int64_t>(first << exp, p.max_delay);
}
}  // namespace

std::int64_t Throttle::wait(const std::string& key, const ThrottlePolicy& p) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return 0;
  std::int64_t now = clock_.now();
  if (now - it->second.last > p.window) {
    entries_.erase(it);
    return 0;
  }
  std::int64_t ready = it->second.last + delay_for(it->second.failures, p);
  return std::max<std::int64_t>(0, ready - now);
}

void Throttle::failure(const std::string& key, const ThrottlePolicy& p) {
  std::lock_guard lock(mu_);
  std::int64_t now = clock_.now();
  if (entries_.size() > 100000) prune(now);
  auto& e = entries_[key];
  if (e.failures > 0 && now - e.last > p.window) e.failures = 0;
  ++e.failures;
  e.last = now;
  e.window = p.window;
}

void Throttle::success(const std::string& key) {
  std::lock_guard lock(mu_);
  entries_.erase(key);
}

// Each entry is forgotten after its own policy's window: policies of
// different windows share one map.
void Throttle::prune(std::int64_t now) {
  std::erase_if(entries_, [&](const auto& kv) { return now - kv.second.last > kv.second.window; });
}

}  // namespace cpshare
