// The service reports of B-class leases (migration 11, lease_reports; issue
// 11, R-LEASE-8; docs/design/monitoring.md "Evaluation"): which ended leases
// still need one, the GPU events of a lease's units that the report reads,
// and the report itself (the JSON of api::ServiceReport), made once. SQL over
// the shared Database (store/database.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "catalog/health.hpp"
#include "util/error.hpp"

namespace cpshare {

class Database;

struct StoredReport {
  std::int64_t made_at = 0;  // Unix seconds
  std::string report;        // compact JSON of api::ServiceReport
};

class ReportStore {
 public:
  explicit ReportStore(Database& db) : db_(db) {}

  // The ended B-class leases that were active (have a start) and have no
  // report yet, whose end is settled: the agent confirmed their units freed
  // (it reports again, so what it held back is in), or they ended at or
  // before `ended_by`. Internal ids, earliest end first, at most `limit`.
  Result<std::vector<std::int64_t>> due(std::int64_t ended_by, int limit);

  // The gpu_lost and gpu_returned events of the cluster's units `units`: for
  // each unit its last one before `from` (nothing when it has none), then
  // all with from <= at < to (at most `limit`), oldest first.
  Result<std::vector<health::Event>> gpu_events(std::int64_t cluster_id, const std::vector<int>& units,
                                                std::int64_t from, std::int64_t to, int limit);

  // Stores lease `lease_id`'s report unless it has one; whether it was stored.
  Result<bool> put(std::int64_t lease_id, const StoredReport& r);
  Result<std::optional<StoredReport>> get(std::int64_t lease_id);

 private:
  Database& db_;
};

}  // namespace cpshare
