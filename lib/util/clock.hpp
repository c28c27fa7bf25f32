// Time: the domain asks a Clock, never the system directly, so tests can move time.
// On the wire every time is RFC 3339 UTC ("2026-11-27T12:00:00Z"); the platform's
// calendar (periods, bill months) is billing::Calendar, the CLI's display clicmd::local_time.
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

// Unix seconds → "2026-11-27T12:00:00Z" (what the wire carries, always UTC with Z).
std::string rfc3339(std::int64_t unix_seconds);

// RFC 3339 date-time (section 5.6) → unix seconds, strictly: YYYY-MM-DDTHH:MM:SS, an optional
// fraction (.d+, truncated to the second), then Z or ±HH:MM; T and Z in either case. A date or
// time that does not exist is refused, not normalised: 2026-02-31, 24:00:00, a 60th second (unix
// time has no leap seconds), an offset past ±23:59. Years 0000-9999. Calendar checks by date/tz.
std::optional<std::int64_t> parse_rfc3339(std::string_view s);

// A calendar month, as `bills --month` and GET /bills?month= take it.
struct YearMonth {
  int year = 1970;     // 0..9999
  unsigned month = 1;  // 1..12
  bool operator==(const YearMonth&) const = default;
};

// "YYYY-MM" → the month, strictly (four digits, a dash, 01..12): "2026-13", "2026-1", "26-01" are refused.
std::optional<YearMonth> parse_month(std::string_view s);
// The month as "YYYY-MM".
std::string month_text(YearMonth m);

}  // namespace cpshare
