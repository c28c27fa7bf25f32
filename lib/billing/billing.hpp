// Lease billing (R-LEASE-1, R-LEASE-7): the pure arithmetic, in integer fen.
// Rules, with examples, in docs/design/leases.md.
//
// - hourly: pay as you go, charged per started minute at 1/60 of the hourly
//   unit price × units, rounded half up to the fen, settled at the end.
// - daily, monthly, yearly: prepaid periods, amount fixed at the start, a
//   fixed end. Released early, the periods already started are charged and
//   the ones not yet started are refunded.
//
// Periods are UTC calendar periods: a day is 86,400 s; a month ends on the
// same day of a later month at the same time (clamped to that month's last
// day: 31 Jan + 1 month = 28/29 Feb); a year likewise (29 Feb + 1 year = 28 Feb).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "util/error.hpp"

namespace cpshare::billing {

enum class Mode { Hourly, Daily, Monthly, Yearly };

std::optional<Mode> parse_mode(std::string_view name);  // "hourly", "daily", "monthly", "yearly"
std::string_view mode_name(Mode m);

// What a lease was taken at: a snapshot, so later price changes do not touch it.
struct Terms {
  Mode mode = Mode::Hourly;
  std::int64_t unit_price_fen = 0;  // per unit and per period (per hour for hourly)
  std::int64_t units = 1;
  std::int64_t periods = 1;         // prepaid periods; for hourly, the planned hours (0: none)
};

// Checks the terms: a price of at least 0, 1..4096 units, 1..max periods for the mode (hourly: 0..max).
Result<> check(const Terms& t);

// The instant `k` periods after `start` (unix seconds, UTC). For hourly, k hours.
std::int64_t period_end(Mode m, std::int64_t start, std::int64_t k);

// Hourly charge for `seconds` of use: started minutes × price × units / 60, half up.
Result<std::int64_t> hourly_amount(std::int64_t unit_price_fen, std::int64_t units, std::int64_t seconds);

// The amount shown when the lease is taken: prepaid, the fixed amount
// (price × units × periods); hourly, the estimate for the planned hours.
Result<std::int64_t> estimate(const Terms& t);

struct Settlement {
  std::int64_t charged = 0;   // fen the user pays (and the supplier earns)
  std::int64_t refunded = 0;  // prepaid fen returned (prepaid amount − charged); 0 for hourly
  std::int64_t used = 0;      // started minutes (hourly) or started periods (prepaid)
};

// Settles a lease that ran from `start` to `end` (end >= start; a prepaid
// lease never runs past its planned end). Also gives the running cost of an
// active lease, with end = now.
Result<Settlement> settle(const Terms& t, std::int64_t start, std::int64_t end);

}  // namespace cpshare::billing
