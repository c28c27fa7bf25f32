// Irmds endpoints' request parsing (issue 11): the batch's shape and the read's query.
#include "api/metrics.hpp"

#include <map>

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
      if (n && *n >= 1 && *n <= kMaxMinutes)
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

RollupSeries to_series(const std::vector<RollupView>& rows) {
  RollupSeries out;
  std::map<std::string, ReadingSeries> by_key;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const RollupView& r = rows[i];
    out.start.push_back(r.minute);
    out.seconds.push_back(r.seconds);
    out.samples.push_back(r.samples);
    out.minutes.push_back(r.minutes);
    for (const auto& [key, stat] : r.readings) {
      ReadingSeries& s = by_key[key];
      s.min.resize(rows.size());
      s.mean.resize(rows.size());
      s.max.resize(rows.size());
      s.n.resize(rows.size());
      s.min[i] = stat.min;
      s.mean[i] = stat.mean;
      s.max[i] = stat.max;
      s.n[i] = stat.n;
    }
  }
  for (auto& [key, s] : by_key) {
    s.key = key;
    out.readings.push_back(std::move(s));
  }
  return out;
}

std::vector<RollupView> to_rows(const RollupSeries& series) {
  std::vector<RollupView> rows(series.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto at = [&](const std::vector<std::int64_t>& v, std::int64_t dflt) { return i < v.size() ? v[i] : dflt; };
    rows[i] = {series.start[i], at(series.samples, 0), {}, at(series.seconds, 60), at(series.minutes, 1)};
  }
  for (const ReadingSeries& s : series.readings)
    for (std::size_t i = 0; i < rows.size() && i < s.n.size(); ++i) {
      if (s.n[i] <= 0) continue;
      auto v = [&](const std::vector<std::optional<double>>& col) { return i < col.size() ? col[i] : std::nullopt; };
      rows[i].readings[s.key] = {v(s.min), v(s.mean), v(s.max), s.n[i]};
    }
  return rows;
}

}  // namespace cpshare::api
