#include "billing/billing.hpp"

#include <algorithm>
#include <chrono>
#include <date/tz.h>
#include <fmt/format.h>
#include <limits>

namespace cpshare::billing {

namespace {

// Amounts are computed in 128 bits: the largest product of the bounds
// (10^14 fen × 4096 units × 2^63 s / 60) is below 2^116, so nothing
// wraps; the result is then checked against kMaxAmount.
__extension__ typedef __int128 Wide;

// An amount in fen that the ledger can hold, or the error that says it cannot.
Result<std::int64_t> amount(Wide fen) {
  if (fen < 0 || fen > kMaxAmount)
    return fail(ErrorCode::ValidationFailed,
                fmt::format("the amount is too large to bill (over {} fen); lease fewer units or periods", kMaxAmount));
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

// The instant of a wall time on `zone`. One that a clock change skips (DST gap) or
// repeats (DST fold) is read with the offset in force before the change: date/tz's
// local_info.first is the period before a gap, and the earlier of two in a fold.
std::int64_t to_unix(const date::time_zone& zone, date::local_seconds wall) {
  const date::local_info info = zone.get_info(wall);
  return (wall.time_since_epoch() - info.first.offset).count();
}

date::local_seconds to_wall(const date::time_zone& zone, std::int64_t t) {
  return zone.to_local(date::sys_seconds{std::chrono::seconds{t}});
}

}  // namespace

Calendar::Calendar() : zone_(date::locate_zone(kDefaultZone)) {}

Result<Calendar> Calendar::named(std::string_view zone) {
  try {
    return Calendar(date::locate_zone(zone));
  } catch (const std::exception&) {  // date/tz reports an unknown name by throwing
    return fail_fields(
        {{"--billing-timezone", fmt::format("'{}' is not a time zone of the system's tz database; give an IANA name "
                                            "such as Asia/Shanghai, Europe/Berlin or UTC",
                                            zone)}});
  }
}

std::string_view Calendar::zone_name() const { return zone_->name(); }

std::int64_t Calendar::add_days(std::int64_t t, std::int64_t count) const {
  return to_unix(*zone_, to_wall(*zone_, t) + date::days{count});
}

std::int64_t Calendar::add_months(std::int64_t t, std::int64_t count) const {
  const date::local_seconds wall = to_wall(*zone_, t);
  const date::local_days day = date::floor<date::days>(wall);
  const auto time_of_day = wall - day;
  date::year_month_day next = date::year_month_day{day} + date::months{count};
  if (!next.ok()) next = date::year_month_day_last{next.year(), date::month_day_last{next.month()}};
  return to_unix(*zone_, date::local_days{next} + time_of_day);
}

YearMonth Calendar::month_of(std::int64_t t) const {
  const date::year_month_day ymd{date::floor<date::days>(to_wall(*zone_, t))};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month())};
}

std::pair<std::int64_t, std::int64_t> Calendar::month_range(YearMonth m) const {
  const date::year_month first{date::year{m.year}, date::month{m.month}};
  const date::year_month next = first + date::months{1};
  return {to_unix(*zone_, date::local_days{first / 1}), to_unix(*zone_, date::local_days{next / 1})};
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
  if (t.units < 1 || t.units > kMaxUnits) errors.push_back({"units", fmt::format("must be from 1 to {}", kMaxUnits)});
  // Hourly: periods are planned hours, and 0 means no plan (run until released).
  const std::int64_t least = t.mode == Mode::Hourly ? 0 : 1;
  if (t.periods < least || t.periods > max_periods(t.mode))
    errors.push_back({"periods", fmt::format("must be from {} to {} for {} billing", least, max_periods(t.mode),
                                             enum_name(t.mode))});
  if (!errors.empty()) return fail_fields(std::move(errors));
  return {};
}

std::int64_t period_end(Mode m, const Calendar& cal, std::int64_t start, std::int64_t k) {
  switch (m) {
    case Mode::Hourly: return start + k * 3600;
    case Mode::Daily: return cal.add_days(start, k);
    case Mode::Monthly: return cal.add_months(start, k);
    case Mode::Yearly: return cal.add_months(start, 12 * k);
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
  if (t.mode == Mode::Hourly)
    return hourly_amount(t.unit_price_fen, t.units, std::max<std::int64_t>(t.periods, 1) * 3600);
  return amount(prepaid_wide(t));
}

std::int64_t billed_until(const Terms& t, std::int64_t start, std::optional<std::int64_t> planned_end,
                          std::int64_t now) {
  std::int64_t until = now;
  if (planned_end)
    until = std::min(until, *planned_end);
  else if (t.mode == Mode::Hourly)
    until = std::min(until, start + kOpenHourlyHorizonHours * 3600);
  return std::max(until, start);
}

Result<Settlement> settle(const Terms& t, const Calendar& cal, std::int64_t start, std::int64_t end) {
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
  while (started < t.periods && period_end(t.mode, cal, start, started) < end) ++started;
  TRY_ASSIGN(std::int64_t prepaid, amount(prepaid_wide(t)));
  TRY_ASSIGN(s.charged, amount(Wide{t.unit_price_fen} * t.units * started));
  s.refunded = prepaid - s.charged;
  s.used = started;
  return s;
}

}  // namespace cpshare::billing
