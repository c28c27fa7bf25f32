#include "util/clock.hpp"

#include <chrono>

#include <date/date.h>
#include <fmt/format.h>

namespace cpshare {

namespace {

// The value of the `len` ASCII digits at `pos`, or nothing when any is not a digit.
std::optional<int> digits(std::string_view s, std::size_t pos, std::size_t len) {
  if (pos + len > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

std::int64_t SystemClock::now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string rfc3339(std::int64_t unix_seconds) {
  const date::sys_seconds at{std::chrono::seconds{unix_seconds}};
  const date::sys_days day = date::floor<date::days>(at);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<std::chrono::seconds> tod{at - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), tod.hours().count(),
                     tod.minutes().count(), tod.seconds().count());
}

std::optional<std::int64_t> parse_rfc3339(std::string_view s) {
  // date-time = full-date "T" full-time; fixed positions up to the seconds.
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  const auto year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
  const auto hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  const date::year_month_day ymd{date::year{*year}, date::month{static_cast<unsigned>(*month)},
                                 date::day{static_cast<unsigned>(*day)}};
  if (!ymd.ok() || *hour > 23 || *minute > 59 || *second > 59) return std::nullopt;

  std::size_t pos = 19;
  if (s[pos] == '.') {  // time-secfrac: at least one digit, below the second we keep
    const std::size_t first = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == first) return std::nullopt;
  }
  // time-offset = "Z" / ("+" / "-") HH ":" MM
  std::int64_t offset = 0;
  if (pos + 1 == s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    offset = 0;
  } else if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && s[pos + 3] == ':') {
    const auto oh = digits(s, pos + 1, 2), om = digits(s, pos + 4, 2);
    if (!oh || !om || *oh > 23 || *om > 59) return std::nullopt;
    offset = (s[pos] == '-' ? -1 : 1) * (*oh * 3600 + *om * 60);
  } else {
    return std::nullopt;
  }
  const date::sys_days days{ymd};
  const std::int64_t local = std::chrono::duration_cast<std::chrono::seconds>(days.time_since_epoch()).count() +
                             *hour * 3600 + *minute * 60 + *second;
  return local - offset;  // the wall time at that offset, back to UTC
}

std::optional<YearMonth> parse_month(std::string_view s) {
  if (s.size() != 7 || s[4] != '-') return std::nullopt;
  const auto year = digits(s, 0, 4), month = digits(s, 5, 2);
  if (!year || !month) return std::nullopt;
  const date::year_month ym{date::year{*year}, date::month{static_cast<unsigned>(*month)}};
  if (!ym.ok()) return std::nullopt;
  return YearMonth{*year, static_cast<unsigned>(*month)};
}

std::string month_text(YearMonth m) { return fmt::format("{:04}-{:02}", m.year, m.month); }

}  // namespace cpshare
