// Irmds endpoints' request parsing (issue 11): the batch's shape and the read's query.
#include "api/metrics.hpp"

#include <fmt/format.h>

#include "util/clock.hpp"
#include "util/text.hpp"

namespace cpshare::api {

Result<MetricsBatch> MetricsBatch::from_body(const json& body) {
  MetricsBatch batch;
  detail::DecodeError err;
  if (!detail::decode_into(body, batch, "", err))
    return fail_fields({{err.path == "(answer)" ? "(body)" : err.path, fmt::format("must be {}", err.expected)}},
                       "the metrics batch was not stored");
  return batch;
}

Result<MetricsQuery> MetricsQuery::from_query(const Query& q) {
  MetricsQuery out;
  std::vector<FieldError> errors;
  for (const auto& [name, value] : q) {
    if (name == "since") {
      auto t = parse_rfc3339(value);
      if (t)
        out.since = Time{*t};
      else
        errors.push_back({"since", "must be an RFC 3339 time (2026-12-04T08:00:00Z)"});
    } else if (name == "minutes") {
      auto n = text::parse_int<std::int64_t>(value);
      if (n && *n >= 1 && *n <= 43200)
        out.minutes = *n;
      else
        errors.push_back({"minutes", "must be a whole number of minutes from 1 to 43200 (30 days)"});
    } else if (name == "resolution") {
      if (value == "raw" || value == "minute" || value == "hour")
        out.resolution = value;
      else
        errors.push_back({"resolution", "must be raw, minute or hour"});
    } else {
      errors.push_back({name, "is not a parameter here (since, minutes, resolution)"});
    }
  }
  if (out.since && out.minutes) errors.push_back({"minutes", "give since or minutes, not both"});
  if (!errors.empty()) return fail_fields(cap_field_errors(std::move(errors)));
  return out;
}

Result<ClusterEventsQuery> ClusterEventsQuery::from_query(const Query& q) {
  ClusterEventsQuery out;
  std::vector<FieldError> errors;
  for (const auto& [name, value] : q) {
    if (name == "since") {
      if (auto t = parse_rfc3339(value))
        out.since = Time{*t};
      else
        errors.push_back({"since", "must be an RFC 3339 time (2026-12-04T08:00:00Z)"});
    } else if (name == "limit") {
      auto n = text::parse_int<std::int64_t>(value);
      if (n && *n >= 1 && *n <= kMaxLimit)
        out.limit = *n;
      else
        errors.push_back({"limit", fmt::format("must be a whole number from 1 to {}", kMaxLimit)});
    } else {
      errors.push_back({name, "is not a parameter here (since, limit)"});
    }
  }
  if (!errors.empty()) return fail_fields(cap_field_errors(std::move(errors)));
  return out;
}

}  // namespace cpshare::api
