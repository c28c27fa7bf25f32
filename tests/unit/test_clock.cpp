// RFC 3339 times and YYYY-MM months as the platform reads and writes them (issue 8:
// "RFC 3339 input is parsed strictly": an impossible date is refused, not normalised).
#include <catch2/catch.hpp>

#include "util/clock.hpp"

using namespace cpshare;

TEST_CASE("rfc3339 writes UTC with Z, and reads back what it wrote", "[clock]") {
  CHECK(rfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(rfc3339(1'803'848'280) == "2027-02-28T20:58:00Z");
  CHECK(rfc3339(-1) == "1969-12-31T23:59:59Z");
  for (std::int64_t t : {0LL, 1'803'848'280LL, 951'782'400LL /* 2000-02-29 */, 4'133'980'799LL})
    CHECK(parse_rfc3339(rfc3339(t)) == t);
}

TEST_CASE("RFC 3339 input: offsets and fractions are read, the instant is the same", "[clock]") {
  const std::int64_t t = 1'803'848'280;  // 2027-02-28T20:58:00Z = 04:58 on 1 March in Beijing
  CHECK(parse_rfc3339("2027-02-28T20:58:00Z") == t);
  CHECK(parse_rfc3339("2027-03-01T04:58:00+08:00") == t);
  CHECK(parse_rfc3339("2027-02-28T15:58:00-05:00") == t);
  CHECK(parse_rfc3339("2027-02-28T20:58:00+00:00") == t);
  CHECK(parse_rfc3339("2027-02-28T20:58:00-00:00") == t);
  CHECK(parse_rfc3339("2027-02-28t20:58:00z") == t);      // T and Z in either case
  CHECK(parse_rfc3339("2027-02-28T20:58:00.999Z") == t);  // a fraction is below the second kept
  CHECK(parse_rfc3339("2027-03-01T04:58:00.123456789+08:00") == t);
  CHECK(parse_rfc3339("2024-02-29T00:00:00Z") == 1'709'164'800);  // a real 29 February
}

TEST_CASE("RFC 3339 input: impossible dates and times are refused, not normalised", "[clock]") {
  for (const char* bad : {"2026-02-31T00:00:00Z",  // was read as 3 March
                          "2026-02-29T00:00:00Z",  // 2026 is not a leap year
                          "2100-02-29T00:00:00Z",  // nor is 2100
                          "2026-04-31T00:00:00Z",
                          "2026-13-01T00:00:00Z",
                          "2026-00-10T00:00:00Z",
                          "2026-01-00T00:00:00Z",
                          "2026-01-01T24:00:00Z",
                          "2026-01-01T23:60:00Z",
                          "2026-01-01T23:59:60Z",  // no leap seconds in unix time
                          "2026-01-01T00:00:00+24:00",
                          "2026-01-01T00:00:00+08:60",
                          "2026-01-01T00:00:00",    // no offset: a local time of no known zone
                          "2026-01-01T00:00:00.Z",  // a fraction needs a digit
                          "2026-01-01T00:00:00+0800",
                          "2026-01-01T00:00:00+8:00",
                          "2026-01-01 00:00:00Z",
                          "2026-1-01T00:00:00Z",
                          "+2026-01-01T00:00:00Z",
                          "2026-01-01T00:00:00Zjunk",
                          "2026-01-01T00:00:00Z ",
                          "",
                          "2026-01-01"})
    CHECK_FALSE(parse_rfc3339(bad));
}

TEST_CASE("months are read strictly as YYYY-MM", "[clock]") {
  CHECK(parse_month("2027-03") == YearMonth{2027, 3});
  CHECK(parse_month("2026-12") == YearMonth{2026, 12});
  CHECK(month_text({2027, 3}) == "2027-03");
  for (const char* bad :
       {"2026-13", "2026-00", "2026-1", "26-01", "2026/01", "2026-01-01", "2026-0a", "", "２０２６-01"})
    CHECK_FALSE(parse_month(bad));
}
