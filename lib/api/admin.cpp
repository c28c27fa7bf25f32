#include "api/admin.hpp"

#include <charconv>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "domain/fields.hpp"
#include "util/text.hpp"

namespace cpshare::api {

namespace {

// The first value of a query parameter, as httplib's get_param_value; nullopt when absent.
std::optional<std::string> first(const Query& q, const char* name) {
  auto it = q.find(name);
  if (it == q.end()) return std::nullopt;
  return it->second;
}

// An integer parameter from min to max; absent: nullopt.
Result<std::optional<std::int64_t>> integer_param(const Query& q, const char* name, std::int64_t min,
                                                  std::int64_t max) {
  auto v = first(q, name);
  if (!v) return std::optional<std::int64_t>{};
  std::int64_t n = 0;
  const char* end = v->data() + v->size();
  auto [ptr, ec] = std::from_chars(v->data(), end, n);
  if (ec != std::errc() || ptr != end || v->empty() || n < min || n > max)
    return fail_fields({{name, fmt::format("must be an integer from {} to {}", min, max)}});
  return std::optional<std::int64_t>{n};
}

}  // namespace

Result<ReviewQuery> ReviewQuery::from_query(const Query& q) {
  const std::string status = first(q, "status").value_or("");
  if (status.empty()) return ReviewQuery{};
  auto st = parse_status(status);
  if (!st) return fail_fields({{"status", "must be one of inactive, pending_review, active, rejected, deregistered"}});
  return ReviewQuery{*st};
}

Result<Approval> Approval::from_body(const json& body) {
  Fields f(body, {"reason"});
  auto reason = f.prose("reason", false, 500);
  if (!f.ok()) return std::unexpected(f.failure());
  return Approval{reason};
}

Result<Rejection> Rejection::from_body(const json& body) {
  Fields f(body, {"reason"});
  auto reason = f.prose("reason", true, 500);
  if (!f.ok()) return std::unexpected(f.failure());
  return Rejection{*reason};
}

Result<AuditFilter> AuditFilter::from_query(const Query& q) {
  AuditFilter out;
  TRY_ASSIGN(auto limit, integer_param(q, "limit", 1, 1000));
  if (limit) out.limit = static_cast<int>(*limit);
  TRY_ASSIGN(out.before, integer_param(q, "before", 1, std::numeric_limits<int>::max()));
  if (auto event = first(q, "event")) {
    out.event = enum_parse<AuditEventName>(*event);
    if (!out.event)
      return fail_fields({{"event", fmt::format("'{}' is not an audit event; one of {}", text::clip(*event, 64),
                                                fmt::join(enum_names<AuditEventName>(), ", "))}});
  }
  out.username = first(q, "username");
  return out;
}

}  // namespace cpshare::api
