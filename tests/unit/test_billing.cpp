// Lease billing arithmetic, checked to the fen (R-LEASE-1, R-LEASE-7).
#include <catch2/catch.hpp>

#include "billing/billing.hpp"

using namespace cpshare;
using namespace cpshare::billing;

namespace {
constexpr std::int64_t kStart = 1'798'761'600;  // 2027-01-01T00:00:00Z
constexpr std::int64_t H = 3600, D = 86400;
const Calendar kUtc = Calendar::named("UTC").value();  // the arithmetic cases below read easiest in UTC
const Calendar kBeijing;                               // the platform's default calendar

// An instant written as RFC 3339 (offsets allowed), for readable cases.
std::int64_t at(std::string_view rfc3339) { return parse_rfc3339(rfc3339).value(); }

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
  CHECK(hourly_amount(2500, 2, 1).value() == 83);  // 1 started minute: 83.33 → 83
  CHECK(hourly_amount(2500, 2, 60).value() == 83);
  CHECK(hourly_amount(2500, 2, 61).value() == 167);  // 2 minutes: 166.67 → 167
  CHECK(hourly_amount(2500, 2, 3600).value() == 5000);
  CHECK(hourly_amount(2500, 2, 3601).value() == 5083);  // 61 minutes: 5083.33 → 5083
  // Exactly half a fen rounds up: 3 fen/hour = 0.05 fen/minute; 10 minutes = 0.5 fen → 1.
  CHECK(hourly_amount(3, 1, 10 * 60).value() == 1);
  CHECK(hourly_amount(3, 1, 9 * 60).value() == 0);   // 0.45 → 0
  CHECK(hourly_amount(1, 1, 30 * 60).value() == 1);  // 0.5 → 1
  CHECK(hourly_amount(1, 1, 29 * 60).value() == 0);  // 0.483 → 0
  CHECK(hourly_amount(0, 8, 10 * H).value() == 0);   // free is allowed
  CHECK_FALSE(hourly_amount(2500, 1, -1));
  CHECK_FALSE(hourly_amount(INT64_MAX / 2, 4096, 10 * H));  // overflow is an error, not a wrap
}

TEST_CASE("hourly settlement: running cost and final bill agree", "[R-LEASE-1][R-LEASE-7]") {
  auto t = terms(Mode::Hourly, 1999, 3, 4);  // 19.99 yuan, 3 units, 4 planned hours
  CHECK(estimate(t).value() == 1999 * 3 * 4);
  auto s = settle(t, kUtc, kStart, kStart + 90 * 60 + 5).value();  // 91 started minutes
  CHECK(s.used == 91);
  CHECK(s.charged == (1999 * 3 * 91 * 2 + 60) / 120);  // 9095.45 → 9095
  CHECK(s.charged == 9095);
  CHECK(s.refunded == 0);
  CHECK(settle(t, kUtc, kStart, kStart).value().charged == 0);
}

TEST_CASE("prepaid: fixed amount and end; early release refunds the periods not started", "[R-LEASE-1][R-LEASE-7]") {
  auto daily = terms(Mode::Daily, 50000, 2, 7);  // 500 yuan/day/unit, 2 units, 7 days
  CHECK(estimate(daily).value() == 700000);
  CHECK(period_end(Mode::Daily, kUtc, kStart, 7) == kStart + 7 * D);
  auto s = settle(daily, kUtc, kStart, kStart + 2 * D + 1).value();  // into day 3
  CHECK(s.used == 3);
  CHECK(s.charged == 300000);
  CHECK(s.refunded == 400000);
  CHECK(s.charged + s.refunded == estimate(daily).value());
  CHECK(settle(daily, kUtc, kStart, kStart + 2 * D).value().used == 2);  // exactly two days
  CHECK(settle(daily, kUtc, kStart, kStart + 60).value().used == 1);     // the first period is always charged
  CHECK(settle(daily, kUtc, kStart, kStart + 7 * D).value().refunded == 0);

  auto monthly = terms(Mode::Monthly, 1'500'000, 1, 3);
  auto m = settle(monthly, kUtc, kStart, kStart + 40 * D).value();  // Feb 10: into month 2
  CHECK(m.used == 2);
  CHECK(m.charged == 3'000'000);
  CHECK(m.refunded == 1'500'000);

  auto yearly = terms(Mode::Yearly, 80'000'000, 8, 1);
  CHECK(estimate(yearly).value() == 640'000'000);
  CHECK(settle(yearly, kUtc, kStart, kStart + 100 * D).value().refunded == 0);  // one period, started
}

TEST_CASE("calendar periods on a UTC calendar, clamped to the month's end", "[R-LEASE-1]") {
  constexpr std::int64_t jan31 = 1'801'353'600 + 10 * H;                       // 2027-01-31T10:00:00Z
  CHECK(period_end(Mode::Monthly, kUtc, jan31, 1) == 1'803'772'800 + 10 * H);  // 2027-02-28T10:00:00Z
  CHECK(period_end(Mode::Monthly, kUtc, jan31, 2) == 1'806'451'200 + 10 * H);  // 2027-03-31T10:00:00Z
  constexpr std::int64_t leap = 1'709'164'800;                                 // 2024-02-29T00:00:00Z
  CHECK(period_end(Mode::Yearly, kUtc, leap, 1) == 1'740'700'800);             // 2025-02-28T00:00:00Z
  CHECK(period_end(Mode::Yearly, kUtc, leap, 4) == 1'835'395'200);             // 2028-02-29T00:00:00Z
  CHECK(period_end(Mode::Daily, kUtc, kStart, 1) == kStart + D);
  CHECK(period_end(Mode::Hourly, kUtc, kStart, 5) == kStart + 5 * H);
}

TEST_CASE("issue 8: a monthly lease from 04:58 on 1 March in Shenzhen ends 04:58 on 1 April Beijing time",
          "[R-LEASE-1][R-LEASE-7]") {
  const std::int64_t start = at("2027-02-28T20:58:00Z");  // 2027-03-01 04:58 +08:00
  CHECK(start == at("2027-03-01T04:58:00+08:00"));
  CHECK(period_end(Mode::Monthly, kBeijing, start, 1) == at("2027-03-31T20:58:00Z"));  // 1 April 04:58 Beijing
  CHECK(period_end(Mode::Monthly, kUtc, start, 1) == at("2027-03-28T20:58:00Z"));      // what UTC gave: 28 March
  CHECK(kBeijing.month_of(start) == YearMonth{2027, 3});                               // on March's bill
  CHECK(kUtc.month_of(start) == YearMonth{2027, 2});
  // Released on 31 March 23:00 Beijing (still in the first month): one month charged, the second refunded.
  auto s = settle(terms(Mode::Monthly, 1'500'000, 1, 2), kBeijing, start, at("2027-03-31T15:00:00Z")).value();
  CHECK(s.used == 1);
  CHECK(s.refunded == 1'500'000);
  CHECK(kBeijing.zone_name() == "Asia/Shanghai");
}

TEST_CASE("Beijing calendar: day boundaries, month-end clamps and 29 February fall on Beijing dates", "[R-LEASE-1]") {
  // 31 January 04:00 in Beijing is still 30 January in UTC: the clamp is to Beijing's 28 February.
  const std::int64_t jan31 = at("2027-01-30T20:00:00Z");
  CHECK(period_end(Mode::Monthly, kBeijing, jan31, 1) == at("2027-02-28T04:00:00+08:00"));
  CHECK(period_end(Mode::Monthly, kBeijing, jan31, 2) == at("2027-03-31T04:00:00+08:00"));
  CHECK(period_end(Mode::Monthly, kUtc, jan31, 1) == at("2027-02-28T20:00:00Z"));  // a day later in UTC terms
  // A daily lease taken at 23:30 Beijing ends at 23:30 Beijing the next day (no DST: 24 h).
  const std::int64_t late = at("2027-05-31T23:30:00+08:00");
  CHECK(period_end(Mode::Daily, kBeijing, late, 1) == at("2027-06-01T23:30:00+08:00"));
  CHECK(kBeijing.month_of(late) == YearMonth{2027, 5});
  CHECK(kUtc.month_of(late) == YearMonth{2027, 5});
  CHECK(kBeijing.month_of(at("2027-05-31T16:00:00Z")) == YearMonth{2027, 6});  // midnight 1 June in Beijing
  // A yearly lease from 29 February 01:00 Beijing (28 February in UTC) ends on Beijing's 28 February.
  const std::int64_t leap = at("2028-02-29T01:00:00+08:00");
  CHECK(period_end(Mode::Yearly, kBeijing, leap, 1) == at("2029-02-28T01:00:00+08:00"));
  CHECK(period_end(Mode::Yearly, kBeijing, leap, 4) == at("2032-02-29T01:00:00+08:00"));
  CHECK(period_end(Mode::Yearly, kUtc, leap, 1) == at("2029-02-28T17:00:00Z"));  // UTC: its 28 Feb was not clamped
  // Months are Beijing months: [1st 00:00 +08:00, next 1st 00:00 +08:00).
  CHECK(kBeijing.month_range({2027, 3}) == std::pair{at("2027-02-28T16:00:00Z"), at("2027-03-31T16:00:00Z")});
  CHECK(kBeijing.month_range({2027, 12}) == std::pair{at("2027-11-30T16:00:00Z"), at("2027-12-31T16:00:00Z")});
}

TEST_CASE("--billing-timezone Europe/Berlin: periods keep the wall clock across DST", "[R-LEASE-1]") {
  const Calendar berlin = Calendar::named("Europe/Berlin").value();
  CHECK(berlin.zone_name() == "Europe/Berlin");
  // Clocks go forward on 28 March 2027: that day has 23 hours, so a daily period has 23.
  const std::int64_t sat = at("2027-03-27T12:00:00+01:00");
  CHECK(period_end(Mode::Daily, berlin, sat, 1) == at("2027-03-28T12:00:00+02:00"));
  CHECK(period_end(Mode::Daily, berlin, sat, 1) - sat == 23 * H);
  // ... so 23 h and a second in, the second day has started (on a UTC calendar it has not).
  auto s = settle(terms(Mode::Daily, 1000, 1, 3), berlin, sat, sat + 23 * H + 1).value();
  CHECK(s.used == 2);
  CHECK(settle(terms(Mode::Daily, 1000, 1, 3), kUtc, sat, sat + 23 * H + 1).value().used == 1);
  // Clocks go back on 31 October 2027: 25 hours.
  const std::int64_t oct = at("2027-10-30T12:00:00+02:00");
  CHECK(period_end(Mode::Daily, berlin, oct, 1) == at("2027-10-31T12:00:00+01:00"));
  CHECK(period_end(Mode::Daily, berlin, oct, 1) - oct == 25 * H);
  // A monthly lease from 1 March 09:00 CET ends 1 April 09:00 CEST.
  CHECK(period_end(Mode::Monthly, berlin, at("2027-03-01T09:00:00+01:00"), 1) == at("2027-04-01T09:00:00+02:00"));
  // An end in the skipped hour (02:30 on 28 March) reads with the offset before it: 03:30 CEST, 24 h on.
  const std::int64_t gap = at("2027-03-27T02:30:00+01:00");
  CHECK(period_end(Mode::Daily, berlin, gap, 1) == at("2027-03-28T03:30:00+02:00"));
  CHECK(period_end(Mode::Daily, berlin, gap, 1) - gap == 24 * H);
  // An end in the repeated hour (02:30 on 31 October) is the first of the two: 24 h on.
  const std::int64_t fold = at("2027-10-30T02:30:00+02:00");
  CHECK(period_end(Mode::Daily, berlin, fold, 1) == at("2027-10-31T02:30:00+02:00"));
  CHECK(period_end(Mode::Daily, berlin, fold, 1) - fold == 24 * H);
  // Berlin's March is [1 March 00:00 CET, 1 April 00:00 CEST).
  CHECK(berlin.month_range({2027, 3}) == std::pair{at("2027-02-28T23:00:00Z"), at("2027-03-31T22:00:00Z")});
  CHECK(berlin.month_of(at("2027-03-31T22:30:00Z")) == YearMonth{2027, 4});
}

TEST_CASE("an unknown billing zone is refused with what to give instead", "[R-LEASE-1]") {
  auto bad = Calendar::named("Asia/Beijing");  // not an IANA name: China's zone is Asia/Shanghai
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == ErrorCode::ValidationFailed);
  REQUIRE(bad.error().fields.size() == 1);
  CHECK(bad.error().fields[0].field == "--billing-timezone");
  CHECK_THAT(bad.error().fields[0].message,
             Catch::Contains("'Asia/Beijing' is not a time zone") && Catch::Contains("Asia/Shanghai"));
  CHECK_FALSE(Calendar::named(""));
  CHECK(Calendar::named("UTC").value().zone_name() == "UTC");
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
  CHECK(enum_parse<Mode>("monthly") == Mode::Monthly);
  CHECK_FALSE(enum_parse<Mode>("weekly"));
  CHECK(enum_name(Mode::Yearly) == "yearly");
}

// Issue 8, kind 3: a lease the platform accepted can always be billed. Before,
// price × units × started minutes was multiplied in 64 bits, so an hourly lease
// at the highest catalogue price (10^14 fen) on one unit failed to settle after
// 92,234 minutes (64 days), though its bill was only 1.54 × 10^17 fen.
TEST_CASE("hourly at the highest price settles after 65 days and for its whole ten years", "[R-LEASE-1][R-LEASE-7]") {
  CHECK(kMaxUnitPrice == 100'000'000'000'000);
  auto open = terms(Mode::Hourly, kMaxUnitPrice, 1, 0);  // no planned end
  REQUIRE(estimate(open));                               // accepted
  auto s = settle(open, kUtc, kStart, kStart + 65 * D);
  REQUIRE(s);
  CHECK(s->charged == 156'000'000'000'000'000);  // 1,560 h × 10^14 fen
  CHECK(s->used == 65 * 24 * 60);
  // Its guaranteed life, ten years (87,840 h), fits: 8.784 × 10^18 fen.
  CHECK(largest_charge(open).value() == 8'784'000'000'000'000'000);
  CHECK(settle(open, kUtc, kStart, kStart + kOpenHourlyHorizonHours * H).value().charged == 8'784'000'000'000'000'000);
  // Past it the bill stays exact while it fits int64 (92,233 h), then settle
  // fails instead of wrapping (the lease service ends the lease and flags it).
  CHECK(settle(open, kUtc, kStart, kStart + 92'233 * H).value().charged == 9'223'300'000'000'000'000);
  auto too_long = settle(open, kUtc, kStart, kStart + 92'234 * H);
  REQUIRE_FALSE(too_long);
  CHECK(too_long.error().code == ErrorCode::ValidationFailed);
  CHECK_FALSE(settle(open, kUtc, 0, INT64_MAX));  // the extreme: an error, not undefined behaviour
}

TEST_CASE("every mode at its corners: what is accepted settles exactly, the rest is refused up front",
          "[R-LEASE-1][R-LEASE-7]") {
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
    INFO(enum_name(c.mode));
    CHECK(max_periods(c.mode) == c.periods);
    auto t = terms(c.mode, c.price, kMaxUnits, c.periods);
    CHECK(largest_charge(t).value() == c.total);
    REQUIRE(estimate(t));
    const std::int64_t last = period_end(c.mode, kUtc, kStart, c.periods);
    auto s = settle(t, kUtc, kStart, last);
    REQUIRE(s);
    CHECK(s->charged == c.total);
    CHECK(s->refunded == 0);
    // Released at once: the first period is charged, the rest refunded, to the fen.
    if (c.mode != Mode::Hourly) {
      auto early = settle(t, kUtc, kStart, kStart + 1).value();
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
    CHECK_FALSE(settle(terms(c.mode, kMaxUnitPrice + 1, 1, 1), kUtc, kStart, kStart + 1));
    CHECK_FALSE(settle(terms(c.mode, 1, kMaxUnits + 1, 1), kUtc, kStart, kStart + 1));
  }
  // An open hourly lease is judged by its ten-year horizon: one unit at the
  // highest price is accepted, two are refused.
  CHECK(estimate(terms(Mode::Hourly, kMaxUnitPrice, 1, 0)).value() == kMaxUnitPrice);  // one hour shown
  CHECK_FALSE(estimate(terms(Mode::Hourly, kMaxUnitPrice, 2, 0)));
  CHECK(estimate(terms(Mode::Hourly, 25'635'243'780, kMaxUnits, 0)));
  CHECK_FALSE(estimate(terms(Mode::Hourly, 25'635'243'781, kMaxUnits, 0)));
}

TEST_CASE("a bill runs to now, its planned end, or an open hourly lease's guaranteed life", "[R-LEASE-7]") {
  const auto open = terms(Mode::Hourly, 100, 1, 0);
  const std::int64_t life = kOpenHourlyHorizonHours * H;
  CHECK(billed_until(open, kStart, std::nullopt, kStart + 5 * H) == kStart + 5 * H);
  CHECK(billed_until(open, kStart, std::nullopt, kStart + life + 11 * D) == kStart + life);
  CHECK(billed_until(open, kStart, std::nullopt, kStart - 50) == kStart);  // never before the start
  const auto daily = terms(Mode::Daily, 100, 1, 3);
  CHECK(billed_until(daily, kStart, kStart + 3 * D, kStart + 10 * D) == kStart + 3 * D);
  CHECK(billed_until(daily, kStart, kStart + 3 * D, kStart + D) == kStart + D);
}
