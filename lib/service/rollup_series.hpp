// Rollups by column for GET /api/v1/clusters/{cpc_id}/metrics?resolution=
// minute|hour (issue 11, Performance: "--since 7d from rollups p99 ≤ 50 ms").
// Reads each stored rollup's JSON text ({name: {min, mean, max, n}}, as
// metrics::rollup_json writes it) with a SAX parser straight into the
// columns of api::RollupSeries: no JSON tree per bucket, no tree of the
// answer. A week of hour rollups of an 8-GPU host is ~170 buckets × ~80
// readings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/metrics.hpp"

namespace cpshare::metrics {

class RollupSeriesBuilder {
 public:
  // Appends a bucket from `start` lasting `seconds`, of `samples` host samples
  // from `minutes` minutes with a report. A reading without n counts
  // `samples` (rows stored before n was kept); one whose min, mean or max is
  // not a number is left out of the bucket; text that is not a JSON object
  // adds the bucket with no readings.
  void add(std::int64_t start, std::int64_t seconds, std::int64_t samples, std::int64_t minutes,
           std::string_view readings);
  std::size_t size() const { return out_.size(); }
  // The series, readings sorted by key.
  api::RollupSeries finish() &&;

 private:
  friend struct SeriesSax;
  api::ReadingSeries& slot(const std::string& key);
  api::RollupSeries out_;
  std::unordered_map<std::string, std::size_t> index_;
};

}  // namespace cpshare::metrics
