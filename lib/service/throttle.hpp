// Slows repeated failures (wrong password, TOTP or activation code) per key,
// with exponential backoff that is capped and forgotten after a quiet window,
// so an attacker can slow guessing but never lock an owner out for good.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "util/clock.hpp"

namespace cpshare {

struct ThrottlePolicy {
  int free_failures = 5;          // failures allowed before any delay
  std::int64_t window = 15 * 60;  // failures older than this are forgotten
  std::int64_t max_delay = 15 * 60;
};

class Throttle {
 public:
  explicit Throttle(const Clock& clock) : clock_(clock) {}
  // Seconds until the next attempt under `key` is allowed (0: allowed now).
  std::int64_t wait(const std::string& key, const ThrottlePolicy& p);
  void failure(const std::string& key, const ThrottlePolicy& p);
  void success(const std::string& key);

 private:
  struct Entry {
    int failures = 0;
    std::int64_t last = 0;
  };
  void prune(std::int64_t now, std::int64_t window);
  const Clock& clock_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace cpshare
