// POSIX TZ rules ("CST-8", "EST5EDT,M3.2.0,M11.1.0"; IEEE Std 1003.1, 8.3 "TZ"), as the C
// library reads the TZ variable when it names no zoneinfo file, through Howard Hinnant's
// date/ptz.h. That header does not compile as C++20 or later (its date::hh_mm_ss meets
// std::chrono::hh_mm_ss), so posix_tz.cpp alone is compiled as C++17 and this interface
// carries no date/ types.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace cpshare {

class PosixTimeZone {
 public:
  // The rule, or nullptr when `rule` is not a well-formed POSIX TZ rule.
  static std::shared_ptr<const PosixTimeZone> parse(const std::string& rule);
  virtual ~PosixTimeZone() = default;
  // Seconds east of UTC in force at `unix_seconds` ("CST-8" → 28800).
  virtual std::int64_t offset_at(std::int64_t unix_seconds) const = 0;
};

}  // namespace cpshare
