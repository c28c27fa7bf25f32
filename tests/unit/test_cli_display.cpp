// The CLI shows the wire's UTC times in the user's zone with its offset (issue 8).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <optional>
#include <string>

#include "clicmd/display.hpp"

using namespace cpshare::clicmd;

namespace {
// Sets TZ for one test and puts back what was there.
class ScopedTz {
 public:
  explicit ScopedTz(const char* value) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    if (value)
      setenv("TZ", value, 1);
    else
      unsetenv("TZ");
  }
  ~ScopedTz() {
    if (old_)
      setenv("TZ", old_->c_str(), 1);
    else
      unsetenv("TZ");
  }

 private:
  std::optional<std::string> old_;
};
}  // namespace

TEST_CASE("times show in TZ's zone with the offset: 04:58 on 1 March in Shenzhen", "[cli][time]") {
  ScopedTz tz("Asia/Shanghai");
  CHECK(format_local_time("2027-02-28T20:58:00Z") == "2027-03-01 04:58 +08:00");
  CHECK(format_local_time("2027-02-28T20:58:07Z", true) == "2027-03-01 04:58:07 +08:00");
  CHECK(local_time(json{{"planned_end", "2027-03-31T20:58:00Z"}}, "planned_end") == "2027-04-01 04:58 +08:00");
  CHECK(local_time(json{{"planned_end", nullptr}}, "planned_end") == "-");
  CHECK(local_time(json::object(), "ended_at") == "-");
  CHECK(format_local_time("not a time") == "not a time");  // shown as it came, never hidden
}

TEST_CASE("TZ forms: names, ':name', zoneinfo paths, empty is UTC, DST offsets, negative offsets", "[cli][time]") {
  {
    ScopedTz tz(":Europe/Berlin");
    CHECK(format_local_time("2027-03-28T00:30:00Z") == "2027-03-28 01:30 +01:00");  // before the change
    CHECK(format_local_time("2027-03-28T01:30:00Z") == "2027-03-28 03:30 +02:00");  // after it
  }
  {
    ScopedTz tz("/usr/share/zoneinfo/America/St_Johns");
    CHECK(format_local_time("2027-01-15T12:00:00Z") == "2027-01-15 08:30 -03:30");
  }
  {
    ScopedTz tz("");
    CHECK(format_local_time("2027-02-28T20:58:00Z") == "2027-02-28 20:58 +00:00");
  }
  {
    ScopedTz tz("UTC");
    CHECK(format_local_time("2027-02-28T20:58:00Z") == "2027-02-28 20:58 +00:00");
  }
}
