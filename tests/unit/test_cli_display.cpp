// The CLI shows the wire's UTC times in the user's zone with its offset (issue 8: "the CLI
// shows times in the user's local zone, with its offset"); --json and --csv keep the wire's.
#include <catch2/catch.hpp>

#include "cli_test_support.hpp"
#include "clicmd/display.hpp"

using namespace cpshare::clicmd;
using cpshare::testing::Cli;
using cpshare::testing::FakeServer;

namespace {
DisplayZone tz(const char* value) { return DisplayZone::from_tz(std::string(value)); }
}  // namespace

TEST_CASE("times show in TZ's zone with the offset: 04:58 on 1 March in Shenzhen", "[cli][time]") {
  const DisplayZone beijing = tz("Asia/Shanghai");
  CHECK(format_local_time("2027-02-28T20:58:00Z", beijing) == "2027-03-01 04:58 +08:00");
  CHECK(format_local_time("2027-02-28T20:58:07Z", beijing, true) == "2027-03-01 04:58:07 +08:00");
  CHECK(local_time(cpshare::api::Time{*cpshare::parse_rfc3339("2027-03-31T20:58:00Z")}, beijing) ==
        "2027-04-01 04:58 +08:00");
  CHECK(local_time(std::optional<cpshare::api::Time>{}, beijing) == "-");
  CHECK(format_local_time("not a time", beijing) == "not a time");  // shown as it came, never hidden
}

TEST_CASE("TZ forms: names, ':name', zoneinfo paths, POSIX rules, empty is UTC; DST and negative offsets",
          "[cli][time]") {
  const DisplayZone berlin = tz(":Europe/Berlin");
  CHECK(format_local_time("2027-03-28T00:30:00Z", berlin) == "2027-03-28 01:30 +01:00");  // before the change
  CHECK(format_local_time("2027-03-28T01:30:00Z", berlin) == "2027-03-28 03:30 +02:00");  // after it
  CHECK(format_local_time("2027-01-15T12:00:00Z", tz("/usr/share/zoneinfo/America/St_Johns")) ==
        "2027-01-15 08:30 -03:30");
  CHECK(format_local_time("2027-02-28T20:58:00Z", tz("")) == "2027-02-28 20:58 +00:00");
  CHECK(format_local_time("2027-02-28T20:58:00Z", tz("UTC")) == "2027-02-28 20:58 +00:00");
  CHECK(format_local_time("2027-02-28T20:58:00Z", DisplayZone::utc()) == "2027-02-28 20:58 +00:00");
  // A POSIX rule, as the C library reads TZ: "CST-8" is UTC+8 all year; a rule with DST changes.
  CHECK(format_local_time("2027-02-28T20:58:00Z", tz("CST-8")) == "2027-03-01 04:58 +08:00");
  const DisplayZone eastern = tz("EST5EDT,M3.2.0,M11.1.0");
  CHECK(format_local_time("2027-01-15T12:00:00Z", eastern) == "2027-01-15 07:00 -05:00");
  CHECK(format_local_time("2027-07-15T12:00:00Z", eastern) == "2027-07-15 08:00 -04:00");
  // Neither a zone nor a rule: the system's zone (whatever it is here, the same as with no TZ at all).
  CHECK(format_local_time("2027-02-28T20:58:00Z", tz("Not/A_Zone")) ==
        format_local_time("2027-02-28T20:58:00Z", DisplayZone::from_tz(std::nullopt)));
}

TEST_CASE("bills: the table in TZ's local time, --json and --csv the wire's UTC", "[cli][time][R-LEASE-1]") {
  FakeServer server;
  Cli cli;
  cli.env["TZ"] = "Asia/Shanghai";
  server.on("POST /api/v1/sessions",
            cpshare::testing::login_answer({{"token", "T0KEN-alice"},
                                            {"session", {{"id", "s_0123456789abcdef"}, {"current", true}}},
                                            {"account", {{"username", "alice"}, {"role", "user"}}}}),
            201);
  cli.stdin_text = "correct horse\n";
  REQUIRE(cli({"login", "--server", server.url(), "--username", "alice", "--password-stdin"}) == 0);
  cli.stdin_text.clear();
  const json month = {
      {"month", "2027-03"},
      {"time_zone", "Asia/Shanghai"},
      {"items",
       {{{"at", "2027-02-28T20:58:00Z"}, {"lease_id", "ls-7k2m9x4qvd"}, {"kind", "charge"}, {"amount", -1'500'000}}}},
      {"total", -1'500'000}};
  server.on("GET /api/v1/bills", month);

  REQUIRE(cli({"bills", "--month", "2027-03"}) == 0);
  CHECK(server.last("GET /api/v1/bills").path == "/api/v1/bills?month=2027-03");
  CHECK_THAT(cli.out, Catch::Contains("2027-03-01 04:58 +08:00") && Catch::Contains("ls-7k2m9x4qvd") &&
                          Catch::Contains("Total for 2027-03 (Asia/Shanghai): -15000.00 yuan"));
  CHECK_THAT(cli.out, !Catch::Contains("20:58"));

  REQUIRE(cli({"--json", "bills", "--month", "2027-03"}) == 0);
  CHECK(cli.out_json() == month);
  REQUIRE(cli({"bills", "--month", "2027-03", "--csv"}) == 0);
  CHECK_THAT(cli.out, Catch::Contains("2027-02-28T20:58:00Z,ls-7k2m9x4qvd,charge,-1500000,-15000.00"));

  cli.env["TZ"] = "Europe/Berlin";
  REQUIRE(cli({"bills", "--month", "2027-03"}) == 0);
  CHECK_THAT(cli.out, Catch::Contains("2027-02-28 21:58 +01:00"));

  // A month that does not exist never reaches the server.
  const auto sent = server.requests().size();
  CHECK(cli({"bills", "--month", "2027-13"}) == 2);
  CHECK_THAT(cli.err, Catch::Contains("01 to 12"));
  CHECK(server.requests().size() == sent);
}
