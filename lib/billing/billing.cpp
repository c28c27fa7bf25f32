#include "billing/billing.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>

namespace cpshare::billing {

namespace {

constexpr std::int64_t kMaxUnits = 4096;

// Longest lease a mode may book: ten years, in its own periods.
std::int64_t max_periods(Mode m) {
  switch (m) {
    case Mode::Hourly: return 10 * 366 * 24;
    case Mode::Daily: return 10 * 366;
    case Mode::Monthly: return 120;
    case Mode::Yearly: return 10;
  }
  return 1;
}

Result<std::int64_t> mul(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out))
    return fail(ErrorCode::ValidationFailed, "the amount is too large to bill; lease fewer units or periods");
  return out;
}

// Calendar arithmetic in UTC: `months` months after t, the day clamped to the month's end.
std::int64_t add_months(std::int64_t t, std::int64_t count) {
  using namespace std::chrono;
  const sys_seconds at{seconds{t}};
  const sys_days day = floor<days>(at);
  const auto time_of_day = at - day;
  year_month_day ymd{day};
  year_month_day next = ymd + months{count};
  if (!next.ok()) next = year_month_day_last{next.year(), month_day_last{next.month()}};
  return duration_cast<seconds>((sys_days{next} + time_of_day).time_since_epoch()).count();
}

}  // namespace

std::optional<Mode> parse_mode(std::string_view name) {
  if (name == "hourly") return Mode::Hourly;
  if (name == "daily") return Mode::Daily;
  if (name == "monthly") return Mode::Monthly;
  if (name == "yearly") return Mode::Yearly;
  return std::nullopt;
}

std::string_view mode_name(Mode m) {
  switch (m) {
    case Mode::Hourly: return "hourly";
    case Mode::Daily: return "daily";
    case Mode::Monthly: return "monthly";
    case Mode::Yearly: return "yearly";
  }
  return "hourly";
}

Result<> check(const Terms& t) {
  std::vector<FieldError> errors;
  if (t.unit_price_fen < 0) errors.push_back({"unit_price", "must be 0 or more fen"});
  if (t.units < 1 || t.units > kMaxUnits)
    errors.push_back({"units", fmt::format("must be from 1 to {}", kMaxUnits)});
  // Hourly: periods are planned hours, and 0 means no plan (run until released).
  const std::int64_t least = t.mode == Mode::Hourly ? 0 : 1;
  if (t.periods < least || t.periods > max_periods(t.mode))
    errors.push_back({"periods", fmt::format("must be from {} to {} for {} billing", least, max_periods(t.mode),
                                             mode_name(t.mode))});
  if (!errors.empty()) return fail_fields(std::move(errors));
  return {};
}

std::int64_t period_end(Mode m, std::int64_t start, std::int64_t k) {
  switch (m) {
    case Mode::Hourly: return start + k * 3600;
    case Mode::Daily: return start + k * 86400;
    case Mode::Monthly: return add_months(start, k);
    case Mode::Yearly: return add_months(start, 12 * k);
  }
  return start;
}

Result<std::int64_t> hourly_amount(std::int64_t unit_price_fen, std::int64_t units, std::int64_t seconds) {
  if (seconds < 0) return fail(ErrorCode::Internal, "billing: a lease cannot end before it starts");
  const std::int64_t minutes = (seconds + 59) / 60;  // every started minute
  TRY_ASSIGN(std::int64_t per_minute_x60, mul(unit_price_fen, units));
  TRY_ASSIGN(std::int64_t total_x60, mul(per_minute_x60, minutes));
  // total_x60 / 60, rounded half up (all terms are non-negative).
  return (total_x60 + 30) / 60;
}

Result<std::int64_t> estimate(const Terms& t) {
  TRY(check(t));
  // Hourly without a plan: the estimate is for one hour.
  if (t.mode == Mode::Hourly) return hourly_amount(t.unit_price_fen, t.units, std::max<std::int64_t>(t.periods, 1) * 3600);
  TRY_ASSIGN(std::int64_t per_period, mul(t.unit_price_fen, t.units));
  return mul(per_period, t.periods);
}

Result<Settlement> settle(const Terms& t, std::int64_t start, std::int64_t end) {
  TRY(check(t));
  if (end < start) return fail(ErrorCode::Internal, "billing: a lease cannot end before it starts");
  Settlement s;
  if (t.mode == Mode::Hourly) {
    s.used = (end - start + 59) / 60;
    TRY_ASSIGN(s.charged, hourly_amount(t.unit_price_fen, t.units, end - start));
    return s;
  }
  // Prepaid: periods that have started by `end` are charged (at least the first).
  std::int64_t started = 1;
  while (started < t.periods && period_end(t.mode, start, started) < end) ++started;
  TRY_ASSIGN(std::int64_t per_period, mul(t.unit_price_fen, t.units));
  TRY_ASSIGN(std::int64_t prepaid, mul(per_period, t.periods));
  TRY_ASSIGN(s.charged, mul(per_period, started));
  s.refunded = prepaid - s.charged;
  s.used = started;
  return s;
}

}  // namespace cpshare::billing
