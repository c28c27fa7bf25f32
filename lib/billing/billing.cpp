#include "billing/billing.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <limits>

#include "catalog/units.hpp"

namespace cpshare::billing {

namespace {

// Amounts are computed in 128 bits: the largest product of the bounds
// (10^14 fen × 4096 units × 2^63 s / 60) is below 2^116, so nothing
// wraps; the result is then checked against kMaxAmount.
__extension__ typedef __int128 Wide;

static_assert(kMaxUnitPrice == catalog::kMaxFen, "a lease's price is a catalogue price");

// An amount in fen that the ledger can hold, or the error that says it cannot.
Result<std::int64_t> amount(Wide fen) {
  if (fen < 0 || fen > kMaxAmount)
    return fail(ErrorCode::ValidationFailed,
                fmt::format("the amount is too large to bill (over {} fen); lease fewer units or periods",
                            kMaxAmount));
  return static_cast<std::int64_t>(fen);
}

Result<> check_rate(std::int64_t unit_price_fen, std::int64_t units) {
  if (unit_price_fen < 0 || unit_price_fen > kMaxUnitPrice || units < 1 || units > kMaxUnits)
    return fail(ErrorCode::ValidationFailed,
                fmt::format("billing: a price of 0 to {} fen and 1 to {} units are billed; got {} fen × {}",
                            kMaxUnitPrice, kMaxUnits, unit_price_fen, units));
  return {};
}

// Price × units × periods, exact.
Wide prepaid_wide(const Terms& t) { return Wide{t.unit_price_fen} * t.units * t.periods; }

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

std::int64_t max_periods(Mode m) {
  switch (m) {
    case Mode::Hourly: return 10 * 366 * 24;
    case Mode::Daily: return 10 * 366;
    case Mode::Monthly: return 120;
    case Mode::Yearly: return 10;
  }
  return 1;
}

Result<> check(const Terms& t) {
  std::vector<FieldError> errors;
  if (t.unit_price_fen < 0 || t.unit_price_fen > kMaxUnitPrice)
    errors.push_back({"unit_price", fmt::format("must be from 0 to {} fen", kMaxUnitPrice)});
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
  TRY(check_rate(unit_price_fen, units));
  const Wide minutes = (Wide{seconds} + 59) / 60;  // every started minute
  const Wide total_x60 = Wide{unit_price_fen} * units * minutes;
  // total_x60 / 60, rounded half up (all terms are non-negative).
  return amount((total_x60 + 30) / 60);
}

Result<std::int64_t> largest_charge(const Terms& t) {
  TRY(check(t));
  if (t.mode == Mode::Hourly) {
    const std::int64_t hours = t.periods > 0 ? t.periods : kOpenHourlyHorizonHours;
    return hourly_amount(t.unit_price_fen, t.units, hours * 3600);
  }
  return amount(prepaid_wide(t));
}

Result<std::int64_t> estimate(const Terms& t) {
  TRY(largest_charge(t));  // refuses terms that could not be billed to the end
  // Hourly without a plan: the estimate is for one hour.
  if (t.mode == Mode::Hourly) return hourly_amount(t.unit_price_fen, t.units, std::max<std::int64_t>(t.periods, 1) * 3600);
  return amount(prepaid_wide(t));
}

Result<Settlement> settle(const Terms& t, std::int64_t start, std::int64_t end) {
  TRY(check(t));
  if (end < start) return fail(ErrorCode::Internal, "billing: a lease cannot end before it starts");
  Settlement s;
  if (t.mode == Mode::Hourly) {
    TRY_ASSIGN(s.charged, hourly_amount(t.unit_price_fen, t.units, end - start));
    s.used = static_cast<std::int64_t>((Wide{end} - start + 59) / 60);
    return s;
  }
  // Prepaid: periods that have started by `end` are charged (at least the first).
  std::int64_t started = 1;
  while (started < t.periods && period_end(t.mode, start, started) < end) ++started;
  TRY_ASSIGN(std::int64_t prepaid, amount(prepaid_wide(t)));
  TRY_ASSIGN(s.charged, amount(Wide{t.unit_price_fen} * t.units * started));
  s.refunded = prepaid - s.charged;
  s.used = started;
  return s;
}

}  // namespace cpshare::billing
