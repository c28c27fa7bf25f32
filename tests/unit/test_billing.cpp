// Lease billing arithmetic, checked to the fen (R-LEASE-1, R-LEASE-7).
#include <catch2/catch.hpp>

#include "billing/billing.hpp"

using namespace cpshare;
using namespace cpshare::billing;

namespace {
constexpr std::int64_t kStart = 1'798'761'600;  // 2027-01-01T00:00:00Z
constexpr std::int64_t H = 3600, D = 86400;

Terms terms(Mode m, std::int64_t price, std::int64_t units, std::int64_t periods) {
  Terms t;
  t.mode = m;
  t.unit_price_fen = price;
  t.units = units;
  t.periods = periods;
  return t;
}
}  // namespace

TEST_CASE("hourly: per started minute, 1/60 of the hourly price x units, half up", "[R-LEASE-1]") {
  // 25.00 yuan/hour/unit, 2 units: 50.00 yuan/hour = 83.33... fen/minute.
  CHECK(hourly_amount(2500, 2, 0).value() == 0);
  CHECK(hourly_amount(2500, 2, 1).value() == 83);      // 1 started minute: 83.33 → 83
  CHECK(hourly_amount(2500, 2, 60).value() == 83);
  CHECK(hourly_amount(2500, 2, 61).value() == 167);    // 2 minutes: 166.67 → 167
  CHECK(hourly_amount(2500, 2, 3600).value() == 5000);
  CHECK(hourly_amount(2500, 2, 3601).value() == 5083);  // 61 minutes: 5083.33 → 5083
  // Exactly half a fen rounds up: 3 fen/hour = 0.05 fen/minute; 10 minutes = 0.5 fen → 1.
  CHECK(hourly_amount(3, 1, 10 * 60).value() == 1);
  CHECK(hourly_amount(3, 1, 9 * 60).value() == 0);      // 0.45 → 0
  CHECK(hourly_amount(1, 1, 30 * 60).value() == 1);     // 0.5 → 1
  CHECK(hourly_amount(1, 1, 29 * 60).value() == 0);     // 0.483 → 0
  CHECK(hourly_amount(0, 8, 10 * H).value() == 0);      // free is allowed
  CHECK_FALSE(hourly_amount(2500, 1, -1));
  CHECK_FALSE(hourly_amount(INT64_MAX / 2, 4096, 10 * H));  // overflow is an error, not a wrap
}

TEST_CASE("hourly settlement: running cost and final bill agree", "[R-LEASE-1][R-LEASE-7]") {
  auto t = terms(Mode::Hourly, 1999, 3, 4);  // 19.99 yuan, 3 units, 4 planned hours
  CHECK(estimate(t).value() == 1999 * 3 * 4);
  auto s = settle(t, kStart, kStart + 90 * 60 + 5).value();  // 91 started minutes
  CHECK(s.used == 91);
  CHECK(s.charged == (1999 * 3 * 91 * 2 + 60) / 120);  // 9095.45 → 9095
  CHECK(s.charged == 9095);
  CHECK(s.refunded == 0);
  CHECK(settle(t, kStart, kStart).value().charged == 0);
}

TEST_CASE("prepaid: fixed amount and end; early release refunds the periods not started", "[R-LEASE-1][R-LEASE-7]") {
  auto daily = terms(Mode::Daily, 50000, 2, 7);  // 500 yuan/day/unit, 2 units, 7 days
  CHECK(estimate(daily).value() == 700000);
  CHECK(period_end(Mode::Daily, kStart, 7) == kStart + 7 * D);
  auto s = settle(daily, kStart, kStart + 2 * D + 1).value();  // into day 3
  CHECK(s.used == 3);
  CHECK(s.charged == 300000);
  CHECK(s.refunded == 400000);
  CHECK(s.charged + s.refunded == estimate(daily).value());
  CHECK(settle(daily, kStart, kStart + 2 * D).value().used == 2);  // exactly two days
  CHECK(settle(daily, kStart, kStart + 60).value().used == 1);     // the first period is always charged
  CHECK(settle(daily, kStart, kStart + 7 * D).value().refunded == 0);

  auto monthly = terms(Mode::Monthly, 1'500'000, 1, 3);
  auto m = settle(monthly, kStart, kStart + 40 * D).value();  // Feb 10: into month 2
  CHECK(m.used == 2);
  CHECK(m.charged == 3'000'000);
  CHECK(m.refunded == 1'500'000);

  auto yearly = terms(Mode::Yearly, 80'000'000, 8, 1);
  CHECK(estimate(yearly).value() == 640'000'000);
  CHECK(settle(yearly, kStart, kStart + 100 * D).value().refunded == 0);  // one period, started
}

TEST_CASE("calendar periods in UTC, clamped to the month's end", "[R-LEASE-1]") {
  constexpr std::int64_t jan31 = 1'801'353'600 + 10 * H;  // 2027-01-31T10:00:00Z
  CHECK(period_end(Mode::Monthly, jan31, 1) == 1'803'772'800 + 10 * H);  // 2027-02-28T10:00:00Z
  CHECK(period_end(Mode::Monthly, jan31, 2) == 1'806'451'200 + 10 * H);  // 2027-03-31T10:00:00Z
  constexpr std::int64_t leap = 1'709'164'800;  // 2024-02-29T00:00:00Z
  CHECK(period_end(Mode::Yearly, leap, 1) == 1'740'700'800);  // 2025-02-28T00:00:00Z
  CHECK(period_end(Mode::Yearly, leap, 4) == 1'835'395'200);  // 2028-02-29T00:00:00Z
  CHECK(period_end(Mode::Daily, kStart, 1) == kStart + D);
  CHECK(period_end(Mode::Hourly, kStart, 5) == kStart + 5 * H);
}

TEST_CASE("terms are checked before anything is billed", "[R-LEASE-1]") {
  CHECK_FALSE(check(terms(Mode::Hourly, -1, 1, 1)));
  CHECK_FALSE(check(terms(Mode::Daily, 100, 0, 1)));
  CHECK_FALSE(check(terms(Mode::Daily, 100, 5000, 1)));
  CHECK_FALSE(check(terms(Mode::Monthly, 100, 1, 0)));
  CHECK_FALSE(check(terms(Mode::Yearly, 100, 1, 11)));
  auto bad = check(terms(Mode::Yearly, -5, 0, 11));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == ErrorCode::ValidationFailed);
  CHECK(bad.error().fields.size() == 3);
  CHECK(parse_mode("monthly") == Mode::Monthly);
  CHECK_FALSE(parse_mode("weekly"));
  CHECK(mode_name(Mode::Yearly) == "yearly");
}

// Issue 8, kind 3: a lease the platform accepted can always be billed. Before,
// price × units × started minutes was multiplied in 64 bits, so an hourly lease
// at the highest catalogue price (10^14 fen) on one unit failed to settle after
// 92,234 minutes (64 days), though its bill was only 1.54 × 10^17 fen.
TEST_CASE("hourly at the highest price settles after 65 days and for its whole ten years", "[R-LEASE-1][R-LEASE-7]") {
  CHECK(kMaxUnitPrice == 100'000'000'000'000);
  auto open = terms(Mode::Hourly, kMaxUnitPrice, 1, 0);  // no planned end
  REQUIRE(estimate(open));  // accepted
  auto s = settle(open, kStart, kStart + 65 * D);
  REQUIRE(s);
  CHECK(s->charged == 156'000'000'000'000'000);  // 1,560 h × 10^14 fen
  CHECK(s->used == 65 * 24 * 60);
  // Its guaranteed life, ten years (87,840 h), fits: 8.784 × 10^18 fen.
  CHECK(largest_charge(open).value() == 8'784'000'000'000'000'000);
  CHECK(settle(open, kStart, kStart + kOpenHourlyHorizonHours * H).value().charged == 8'784'000'000'000'000'000);
  // Past it the bill stays exact while it fits int64 (92,233 h), then settle
  // fails instead of wrapping (the lease service ends the lease and flags it).
  CHECK(settle(open, kStart, kStart + 92'233 * H).value().charged == 9'223'300'000'000'000'000);
  auto too_long = settle(open, kStart, kStart + 92'234 * H);
  REQUIRE_FALSE(too_long);
  CHECK(too_long.error().code == ErrorCode::ValidationFailed);
  CHECK_FALSE(settle(open, 0, INT64_MAX));  // the extreme: an error, not undefined behaviour
}

TEST_CASE("every mode at its corners: what is accepted settles exactly, the rest is refused up front", "[R-LEASE-1][R-LEASE-7]") {
  // For each mode, with the most units and the longest booking: the highest
  // price whose whole bill fits int64 is accepted and settles to the fen at
  // its last instant; one fen more per unit is refused when requested.
  struct Corner {
    Mode mode;
    std::int64_t periods;
    std::int64_t price;  // the highest accepted, kMaxAmount / (kMaxUnits × periods), at most kMaxUnitPrice
    std::int64_t total;
  };
  const Corner corners[] = {
      {Mode::Hourly, 87'840, 25'635'243'780, 9'223'372'036'649'779'200},
      {Mode::Daily, 3'660, 615'245'850'733, 9'223'372'036'844'666'880},
      {Mode::Monthly, 120, 18'764'998'447'377, 9'223'372'036'854'743'040},
      {Mode::Yearly, 10, kMaxUnitPrice, 4'096'000'000'000'000'000},  // the highest price fits
  };
  for (const auto& c : corners) {
    INFO(mode_name(c.mode));
    CHECK(max_periods(c.mode) == c.periods);
    auto t = terms(c.mode, c.price, kMaxUnits, c.periods);
    CHECK(largest_charge(t).value() == c.total);
    REQUIRE(estimate(t));
    const std::int64_t last = period_end(c.mode, kStart, c.periods);
    auto s = settle(t, kStart, last);
    REQUIRE(s);
    CHECK(s->charged == c.total);
    CHECK(s->refunded == 0);
    // Released at once: the first period is charged, the rest refunded, to the fen.
    if (c.mode != Mode::Hourly) {
      auto early = settle(t, kStart, kStart + 1).value();
      CHECK(early.charged == c.price * kMaxUnits);
      CHECK(early.charged + early.refunded == c.total);
    }
    if (c.price < kMaxUnitPrice) {
      auto refused = estimate(terms(c.mode, c.price + 1, kMaxUnits, c.periods));
      REQUIRE_FALSE(refused);
      CHECK(refused.error().code == ErrorCode::ValidationFailed);
      CHECK(refused.error().message.find("too large to bill") != std::string::npos);
    }
    // Out of bounds (as an old row might hold): refused, never wrapped.
    CHECK_FALSE(settle(terms(c.mode, kMaxUnitPrice + 1, 1, 1), kStart, kStart + 1));
    CHECK_FALSE(settle(terms(c.mode, 1, kMaxUnits + 1, 1), kStart, kStart + 1));
  }
  // An open hourly lease is judged by its ten-year horizon: one unit at the
  // highest price is accepted, two are refused.
  CHECK(estimate(terms(Mode::Hourly, kMaxUnitPrice, 1, 0)).value() == kMaxUnitPrice);  // one hour shown
  CHECK_FALSE(estimate(terms(Mode::Hourly, kMaxUnitPrice, 2, 0)));
  CHECK(estimate(terms(Mode::Hourly, 25'635'243'780, kMaxUnits, 0)));
  CHECK_FALSE(estimate(terms(Mode::Hourly, 25'635'243'781, kMaxUnits, 0)));
}
