// The platform's gauges' SQL: counts by state and status, newest samples.
#include "store/platform_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include "store/guarded.hpp"
#include "store/json_codec.hpp"

namespace cpshare {

Result<std::vector<StateCount>> PlatformStore::leases_by_state() {
  return db_.read("leases by state", [&](Connection& db) -> Result<std::vector<StateCount>> {
    SQLite::Statement& st = db.prepare("SELECT state, COUNT(*) FROM leases GROUP BY state ORDER BY state");
    std::vector<StateCount> out;
    while (st.executeStep()) out.push_back({st.getColumn(0).getString(), st.getColumn(1).getInt64()});
    return out;
  });
}

Result<std::vector<UnitCount>> PlatformStore::units_by_status() {
  return db_.read("units by status", [&](Connection& db) -> Result<std::vector<UnitCount>> {
    SQLite::Statement& st = db.prepare(
        "SELECT c.class, u.status, COUNT(*) FROM cluster_units u JOIN clusters c ON c.id = u.cluster_id "
        "WHERE c.status = 'listed' GROUP BY c.class, u.status ORDER BY c.class, u.status");
    std::vector<UnitCount> out;
    while (st.executeStep()) {
      const std::string cls = st.getColumn(0).getString();
      out.push_back({cls.empty() ? 'A' : cls[0], st.getColumn(1).getString(), st.getColumn(2).getInt64()});
    }
    return out;
  });
}

Result<std::vector<LatestSample>> PlatformStore::latest_samples() {
  return db_.read("latest metrics samples", [&](Connection& db) -> Result<std::vector<LatestSample>> {
    SQLite::Statement& st = db.prepare(
        "SELECT c.cpc_id, s.at, s.sample FROM clusters c JOIN metrics_samples s ON s.cluster_id = c.id "
        "AND s.at = (SELECT MAX(m.at) FROM metrics_samples m WHERE m.cluster_id = c.id) ORDER BY c.cpc_id");
    std::vector<LatestSample> out;
    while (st.executeStep()) {
      TRY_ASSIGN(auto sample, json_codec::column_json(st.getColumn(2), "newest metrics sample"));
      out.push_back({st.getColumn(0).getString(), st.getColumn(1).getInt64(), std::move(sample)});
    }
    return out;
  });
}

}  // namespace cpshare
