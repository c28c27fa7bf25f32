#include "clicmd/display.hpp"

#include <sstream>

#include <date/tz.h>
#include <fmt/format.h>

#include "domain/money.hpp"
#include "util/clock.hpp"
#include "util/text.hpp"

namespace cpshare::clicmd {

namespace {

const date::time_zone* find_zone(std::string_view name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {  // date/tz reports an unknown name by throwing
    return nullptr;
  }
}

}  // namespace

DisplayZone DisplayZone::from_tz(const std::optional<std::string>& tz) {
  if (tz) {
    std::string_view name = *tz;
    if (name.starts_with(':')) name.remove_prefix(1);
    if (name.empty()) return utc();
    for (std::string_view dir : {"/usr/share/zoneinfo/", "/usr/lib/zoneinfo/", "/usr/share/lib/zoneinfo/"})
      if (name.starts_with(dir)) {
        name.remove_prefix(dir.size());
        break;
      }
    if (const date::time_zone* z = find_zone(name)) return DisplayZone(z);
    // Not an IANA name: a POSIX rule ("CST-8", "EST5EDT,M3.2.0,M11.1.0"), as the C library reads it.
    if (auto posix = PosixTimeZone::parse(std::string(name))) {
      DisplayZone rule(nullptr);
      rule.posix_ = std::move(posix);
      return rule;
    }
  }
  try {
    return DisplayZone(date::current_zone());
  } catch (const std::exception&) {  // no /etc/localtime, or one date/tz cannot name
    return utc();
  }
}

DisplayZone DisplayZone::utc() { return DisplayZone(find_zone("UTC")); }

std::chrono::seconds DisplayZone::offset_at(std::int64_t unix_seconds) const {
  const date::sys_seconds at{std::chrono::seconds{unix_seconds}};
  if (zone_) return zone_->get_info(at).offset;
  if (posix_) return std::chrono::seconds{posix_->offset_at(unix_seconds)};
  return std::chrono::seconds{0};
}

std::string format_local_time(std::string_view rfc3339, const DisplayZone& zone, bool with_seconds) {
  const auto t = parse_rfc3339(rfc3339);
  if (!t) return std::string(rfc3339);
  const date::sys_seconds at{std::chrono::seconds{*t}};
  const std::chrono::seconds offset = zone.offset_at(*t);
  const date::local_seconds wall{at.time_since_epoch() + offset};
  const date::local_days day = date::floor<date::days>(wall);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<std::chrono::seconds> tod{wall - day};
  const long off_minutes = static_cast<long>(offset.count() / 60);
  const long off_abs = off_minutes < 0 ? -off_minutes : off_minutes;
  std::string out =
      fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), tod.hours().count(), tod.minutes().count());
  if (with_seconds) out += fmt::format(":{:02}", tod.seconds().count());
  return out + fmt::format(" {}{:02}:{:02}", off_minutes < 0 ? '-' : '+', off_abs / 60, off_abs % 60);
}

std::string local_time(api::Time t, const DisplayZone& zone, bool with_seconds) {
  return format_local_time(rfc3339(t.unix), zone, with_seconds);
}

std::string local_time(const std::optional<api::Time>& t, const DisplayZone& zone, bool with_seconds) {
  return t ? local_time(*t, zone, with_seconds) : "-";
}

void print_block(std::ostream& out, std::string_view label, const std::string& text) {
  if (text.empty()) return;
  out << "\n" << label << ":\n";
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) out << "  " << line << "\n";
}

std::string bold(std::string_view s, bool colour) {
  return colour ? "\033[1m" + std::string(s) + "\033[0m" : std::string(s);
}

std::string status_text(std::string_view status, bool colour) {
  if (!colour) return std::string(status);
  const char* code = status == "active" ? "32" : status == "pending_review" ? "33" : status == "inactive" ? "33" : "31";
  return std::string("\033[") + code + "m" + std::string(status) + "\033[0m";
}

std::string render_table(const std::vector<std::vector<std::string>>& rows, bool colour) {
  std::string t = text::table(rows);
  if (!colour || t.empty()) return t;
  const auto eol = t.find('\n');
  return bold(t.substr(0, eol), true) + (eol == std::string::npos ? "" : t.substr(eol));
}

void print_fields(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& fields) {
  std::size_t width = 0;
  for (const auto& [label, value] : fields)
    if (value != "-") width = std::max(width, text::display_width(label) + 1);
  for (const auto& [label, value] : fields)
    if (value != "-") out << text::pad_right(label + ":", width) << "  " << value << "\n";
}

std::string or_dash(const std::optional<std::string>& v) { return v && !v->empty() ? *v : "-"; }

std::string role_text(const api::AccountView& a) {
  std::string role(role_name(a.role));
  if (a.user_type) role += " (" + std::string(enum_name(*a.user_type)) + ")";
  if (a.supplier_kind) role += " (" + std::string(enum_name(*a.supplier_kind)) + ")";
  return role;
}

void print_account(std::ostream& out, const api::AccountView& a, bool colour, const DisplayZone& zone) {
  const std::string capital = a.registered_capital_fen ? money::format_yuan(*a.registered_capital_fen) + " yuan" : "-";
  std::string settlement = "-";
  if (const auto& s = a.settlement)
    settlement = or_dash(s->bank_name) + ", " + or_dash(s->account_name) + ", " + or_dash(s->account_number_masked);
  std::string licence = "-";
  if (const auto& l = a.licence)
    licence = or_dash(l->filename) + " (" + or_dash(l->content_type) + ", " + std::to_string(l->size) + " bytes)";
  print_fields(out, {
                        {"Username", or_dash(a.username)},
                        {"Role", role_text(a)},
                        {"Status", status_text(status_name(a.status), colour)},
                        {"Email", or_dash(a.email)},
                        {"Phone", or_dash(a.phone_masked)},
                        {"Real name", or_dash(a.real_name)},
                        {"ID number", or_dash(a.id_number_masked)},
                        {"Company", or_dash(a.company_name)},
                        {"Legal representative", or_dash(a.legal_rep_name)},
                        {"Legal rep. ID number", or_dash(a.legal_rep_id_number_masked)},
                        {"Registered capital", capital},
                        {"Credit code", or_dash(a.credit_code_masked)},
                        {"Organization", or_dash(a.organization)},
                        {"Contact", or_dash(a.contact_name)},
                        {"Address", or_dash(a.address)},
                        {"Affiliation", or_dash(a.affiliation)},
                        {"Region", or_dash(a.region)},
                        {"Settlement account", settlement},
                        {"Licence", licence},
                        {"MFA", a.mfa_enabled ? "yes" : "no"},
                        {"Review note", or_dash(a.review_note)},
                        {"Created", local_time(a.created_at, zone, true)},
                        {"Activated", local_time(a.activated_at, zone, true)},
                        {"Reviewed", local_time(a.reviewed_at, zone, true)},
                    });
}

}  // namespace cpshare::clicmd
