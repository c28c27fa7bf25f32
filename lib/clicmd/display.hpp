// Human-readable output: accounts, tables, colour. Machine output is --json.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/accounts.hpp"
#include "api/wire.hpp"
#include "util/posix_tz.hpp"

namespace date {
class time_zone;
}

namespace cpshare::clicmd {

using nlohmann::json;

// The zone the CLI shows times in (issue 8: "the CLI shows times in the user's local zone, with
// its offset"): TZ as the C library reads it (an IANA name, ":name", a zoneinfo path, or a POSIX
// rule such as "CST-8" or "EST5EDT,M3.2.0,M11.1.0", through date/ptz.h), else the system's
// (/etc/localtime), else UTC. The printed offset keeps every instant exact.
class DisplayZone {
 public:
  // `tz`: the TZ variable from the CLI's environment (io.env), nothing when unset.
  static DisplayZone from_tz(const std::optional<std::string>& tz);
  static DisplayZone utc();
  // The zone's offset from UTC at the instant `unix_seconds`.
  std::chrono::seconds offset_at(std::int64_t unix_seconds) const;

 private:
  explicit DisplayZone(const date::time_zone* zone) : zone_(zone) {}
  const date::time_zone* zone_ = nullptr;       // an IANA zone; nullptr: UTC or posix_
  std::shared_ptr<const PosixTimeZone> posix_;  // a POSIX TZ rule
};

// A time from the server (RFC 3339, UTC on the wire) in `zone` with its offset:
// "2027-02-28T20:58:00Z" → "2027-03-01 04:58 +08:00" in Asia/Shanghai; with_seconds adds ":SS".
// Text that is not RFC 3339 as it is. --json output is the wire's, untouched.
std::string format_local_time(std::string_view rfc3339, const DisplayZone& zone, bool with_seconds = false);
// The same for a typed time; an empty optional "-".
std::string local_time(api::Time t, const DisplayZone& zone, bool with_seconds = false);
std::string local_time(const std::optional<api::Time>& t, const DisplayZone& zone, bool with_seconds = false);

std::string bold(std::string_view s, bool colour);
// Account status in a colour that says how it stands (green active, yellow pending, red other).
std::string status_text(std::string_view status, bool colour);

// text::table with the header row in bold when colour is on.
std::string render_table(const std::vector<std::vector<std::string>>& rows, bool colour);

// "Label:  value" lines aligned by display width; pairs whose value is "-" are left out.
void print_fields(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& fields);

// "\nLabel:" and then each line of text indented; nothing when text is empty.
void print_block(std::ostream& out, std::string_view label, const std::string& text);

// A text member as shown: empty or absent "-".
std::string or_dash(const std::optional<std::string>& v);
inline std::string or_dash(const std::string& v) { return v.empty() ? "-" : v; }

// "user (individual)", "supplier (enterprise)", "admin".
std::string role_text(const api::AccountView& a);

// Every field of an account that applies to it, its times in `zone`.
void print_account(std::ostream& out, const api::AccountView& account, bool colour, const DisplayZone& zone);

}  // namespace cpshare::clicmd
