// Lease billing (R-LEASE-1, R-LEASE-7): the pure arithmetic, in integer fen.
// Rules, with examples, in docs/design/leases.md.
//
// - hourly: pay as you go, charged per started minute at 1/60 of the hourly
//   unit price × units, rounded half up to the fen, settled at the end.
// - daily, monthly, yearly: prepaid periods, amount fixed at the start, a
//   fixed end. Released early, the periods already started are charged and
//   the ones not yet started are refunded.
//
// Periods follow the platform's calendar (issue 8: "the platform's calendar is
// Beijing time"): the wall clock of one IANA zone, Asia/Shanghai unless the
// daemon is started with --billing-timezone. A day ends at the same wall time
// on the next day (23 or 25 hours across a DST change); a month on the same day
// of a later month at the same wall time, clamped to that month's last day
// (31 Jan + 1 month = 28/29 Feb); a year likewise (29 Feb + 1 year = 28 Feb).
// A wall time that a clock change skips or repeats is read with the offset in
// force before the change (so the period keeps its length: 02:30 skipped → 03:30;
// 02:30 repeated → the first one). Bill months are the zone's calendar months.
// Zone arithmetic through Howard Hinnant's date/tz on the system tzdata.
//
// Bounds, so that a lease the platform accepts can always be billed (issue 8):
// amounts are computed exactly in 128 bits and must fit kMaxAmount (int64,
// what a SQLite INTEGER and the ledger hold, with its negation). A request
// is refused (estimate fails, VALIDATION_FAILED) unless its largest charge
// fits: prepaid, price × units × periods; hourly with a plan, the planned
// hours (it ends there); hourly without one, kOpenHourlyHorizonHours (ten
// years, the longest lease any mode books). That horizon is an open hourly
// lease's guaranteed life: the scheduler ends it there, and it is billed to
// that instant at the latest (billed_until). A bill that still cannot be
// computed (terms outside the bounds in an old row) fails here, never wraps,
// and the lease ends with its bill flagged for the admin (LeaseService::end).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "billing/billing_mode.hpp"
#include "util/clock.hpp"
#include "util/error.hpp"

namespace date {
class time_zone;
}

namespace cpshare::billing {

// The platform's calendar: one IANA zone's wall clock. Cheap to copy (a pointer into
// the tz database, which lives as long as the process).
class Calendar {
 public:
  static constexpr std::string_view kDefaultZone = "Asia/Shanghai";  // China Standard Time

  // Asia/Shanghai. The system tzdata is a dependency (scripts/deps.sh); without it
  // date/tz throws std::runtime_error (cpshared checks the zone with named() first).
  Calendar();
  // The calendar of an IANA zone ("Asia/Shanghai", "Europe/Berlin", "UTC");
  // an unknown name is VALIDATION_FAILED on the field "--billing-timezone".
  static Result<Calendar> named(std::string_view zone);

  std::string_view zone_name() const;
  // `count` days / months after the instant `t` (unix seconds) on this calendar's wall clock,
  // by the rules above. count may be negative.
  std::int64_t add_days(std::int64_t t, std::int64_t count) const;
  std::int64_t add_months(std::int64_t t, std::int64_t count) const;
  // The month that the instant `t` falls in, on this calendar.
  YearMonth month_of(std::int64_t t) const;
  // A month as [its first instant, the next month's first instant), unix seconds.
  std::pair<std::int64_t, std::int64_t> month_range(YearMonth m) const;

 private:
  explicit Calendar(const date::time_zone* zone) : zone_(zone) {}
  const date::time_zone* zone_;
};

// The lease's billing mode: billing/billing_mode.hpp's one enum (its strings and
// parsing are enum_name / enum_parse<BillingMode> there), under the short name
// this arithmetic has always used.
using Mode = BillingMode;

inline constexpr std::int64_t kMaxUnitPrice = 100'000'000'000'000;      // fen per unit per period (catalog::kMaxFen)
inline constexpr std::int64_t kMaxUnits = 4096;                         // units in one lease
inline constexpr std::int64_t kMaxAmount = INT64_MAX;                   // fen in one charge, refund or earning
inline constexpr std::int64_t kOpenHourlyHorizonHours = 10 * 366 * 24;  // an open hourly lease's guaranteed life

// The most periods a lease may book in mode m: ten years (87,840 hours, 3,660 days, 120 months, 10 years).
std::int64_t max_periods(Mode m);

// What a lease was taken at: a snapshot, so later price changes do not touch it.
struct Terms {
  Mode mode = Mode::Hourly;
  std::int64_t unit_price_fen = 0;  // per unit and per period (per hour for hourly)
  std::int64_t units = 1;
  std::int64_t periods = 1;  // prepaid periods; for hourly, the planned hours (0: none)
};

// Checks the terms: a price of 0..kMaxUnitPrice, 1..kMaxUnits units, 1..max_periods for the mode (hourly: 0..max).
Result<> check(const Terms& t);

// The instant `k` periods after `start` (unix seconds, UTC) on the calendar `cal`.
// For hourly, k hours (3600 s each, whatever the zone).
std::int64_t period_end(Mode m, const Calendar& cal, std::int64_t start, std::int64_t k);

// Hourly charge for `seconds` of use: started minutes × price × units / 60, half up.
// VALIDATION_FAILED for a price or units out of bounds, or an amount over kMaxAmount.
Result<std::int64_t> hourly_amount(std::int64_t unit_price_fen, std::int64_t units, std::int64_t seconds);

// The most a lease on these terms can be charged within its guaranteed life
// (see Bounds above); VALIDATION_FAILED when the terms are out of bounds or it
// would not fit kMaxAmount.
Result<std::int64_t> largest_charge(const Terms& t);

// The amount shown when the lease is taken: prepaid, the fixed amount
// (price × units × periods); hourly, the estimate for the planned hours (one
// hour without a plan). Fails as largest_charge does: the request is refused.
Result<std::int64_t> estimate(const Terms& t);

struct Settlement {
  std::int64_t charged = 0;   // fen the user pays (and the supplier earns)
  std::int64_t refunded = 0;  // prepaid fen returned (prepaid amount − charged); 0 for hourly
  std::int64_t used = 0;      // started minutes (hourly) or started periods (prepaid)
};

// The instant a lease's bill runs to when it is settled at `now`: now, but
// never past its planned end (`planned_end`, unix seconds, when it has one)
// nor, for an hourly lease without one, past its guaranteed life of
// kOpenHourlyHorizonHours, where the scheduler ends it (issue 8: "a lease can
// always end"; the bound makes every bill of an accepted lease fit). Never
// before `start`.
std::int64_t billed_until(const Terms& t, std::int64_t start, std::optional<std::int64_t> planned_end,
                          std::int64_t now);

// Settles a lease that ran from `start` to `end` (end >= start; a prepaid
// lease never runs past its planned end). Also gives the running cost of an
// active lease, with end = now. VALIDATION_FAILED when the terms are out of
// bounds (an old row) or the amount does not fit kMaxAmount; never wraps.
// Prepaid periods are counted on `cal`.
Result<Settlement> settle(const Terms& t, const Calendar& cal, std::int64_t start, std::int64_t end);

}  // namespace cpshare::billing
