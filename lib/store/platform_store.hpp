// The platform's gauges for `GET /metrics` (issue 11, Build point 7): counts
// across the areas' tables, read in one snapshot each, and each B-class
// cluster's newest host sample. Read-only SQL over the shared Database
// (store/database.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/error.hpp"

namespace cpshare {

class Database;

struct StateCount {
  std::string state;  // leases.state ("active", ...)
  std::int64_t count = 0;
};

struct UnitCount {
  char cluster_class = 'A';  // 'A' | 'B'
  std::string status;        // cluster_units.status ("idle", ...)
  std::int64_t count = 0;
};

struct LatestSample {
  std::string cpc_id;
  std::int64_t at = 0;  // Unix seconds
  std::string sample;   // compact JSON of api::HostSample
};

class PlatformStore {
 public:
  explicit PlatformStore(Database& db) : db_(db) {}

  // Leases by state (states with none are not listed).
  Result<std::vector<StateCount>> leases_by_state();
  // Units of listed clusters by class and status (combinations with none are not listed).
  Result<std::vector<UnitCount>> units_by_status();
  // Each cluster's newest sample (clusters that never reported are not
  // listed), by CPcId. One index seek per cluster (PRIMARY KEY (cluster_id, at)).
  Result<std::vector<LatestSample>> latest_samples();

 private:
  Database& db_;
};

}  // namespace cpshare
