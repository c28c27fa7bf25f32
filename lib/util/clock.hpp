// Time: the domain asks a Clock, never the system directly, so tests can move time.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cpshare {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now() const = 0;  // unix seconds, UTC
};

class SystemClock final : public Clock {
 public:
  std::int64_t now() const override;
};

// A clock that only moves when told to (tests).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start) : t_(start) {}
  std::int64_t now() const override { return t_.load(); }
  void advance(std::int64_t seconds) { t_ += seconds; }

 private:
  std::atomic<std::int64_t> t_;
};

// 2026-11-27T12:00:00Z
std::string rfc3339(std::int64_t unix_seconds);
std::optional<std::int64_t> parse_rfc3339(std::string_view s);

}  // namespace cpshare
