// The service reports' SQL (migration 11: lease_reports; cluster_events of migration 9).
#include "store/report_store.hpp"

#include <algorithm>

#include <SQLiteCpp/SQLiteCpp.h>

#include "store/event_rows.hpp"
#include "store/guarded.hpp"

namespace cpshare {

namespace {

constexpr const char* kGpuKinds = "kind IN ('gpu_lost', 'gpu_returned')";

}  // namespace

Result<std::vector<std::int64_t>> ReportStore::due(std::int64_t ended_by, int limit) {
  return db_.read("lease reports due", [&](Connection& db) -> Result<std::vector<std::int64_t>> {
    SQLite::Statement& st = db.prepare(
        "SELECT l.id FROM leases l WHERE l.state = 'ended' AND l.class = 'B' AND l.started_at IS NOT NULL "
        "AND l.ended_at IS NOT NULL AND (l.units_freed_at IS NOT NULL OR l.ended_at <= ?) "
        "AND NOT EXISTS (SELECT 1 FROM lease_reports r WHERE r.lease_id = l.id) ORDER BY l.ended_at, l.id LIMIT ?");
    st.bind(1, static_cast<int64_t>(ended_by));
    st.bind(2, limit);
    std::vector<std::int64_t> out;
    while (st.executeStep()) out.push_back(st.getColumn(0).getInt64());
    return out;
  });
}

Result<std::vector<health::Event>> ReportStore::gpu_events(std::int64_t cluster_id, const std::vector<int>& units,
                                                           std::int64_t from, std::int64_t to, int limit) {
  return db_.read("lease report events", [&](Connection& db) -> Result<std::vector<health::Event>> {
    std::vector<health::Event> out;
    SQLite::Statement& before =
        db.prepare(fmt::format("SELECT {} FROM cluster_events WHERE cluster_id = ? AND unit = ? "
                               "AND {} AND at < ? ORDER BY at DESC, id DESC LIMIT 1",
                               kEventColumns, kGpuKinds));
    for (int unit : units) {
      before.reset();
      before.bind(1, static_cast<int64_t>(cluster_id));
      before.bind(2, unit);
      before.bind(3, static_cast<int64_t>(from));
      if (before.executeStep()) out.push_back(event_row(before));
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const health::Event& a, const health::Event& b) { return a.at < b.at; });
    SQLite::Statement& within =
        db.prepare(fmt::format("SELECT {} FROM cluster_events WHERE cluster_id = ? AND {} "
                               "AND unit IS NOT NULL AND at >= ? AND at < ? ORDER BY at, id LIMIT ?",
                               kEventColumns, kGpuKinds));
    within.bind(1, static_cast<int64_t>(cluster_id));
    within.bind(2, static_cast<int64_t>(from));
    within.bind(3, static_cast<int64_t>(to));
    within.bind(4, limit);
    while (within.executeStep()) {
      health::Event e = event_row(within);
      if (e.unit && std::find(units.begin(), units.end(), *e.unit) != units.end()) out.push_back(std::move(e));
    }
    return out;
  });
}

Result<bool> ReportStore::put(std::int64_t lease_id, const StoredReport& r) {
  return db_.write("store lease report", [&](Connection& db) -> Result<bool> {
    SQLite::Statement& st =
        db.prepare("INSERT INTO lease_reports (lease_id, made_at, report) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
    st.bind(1, static_cast<int64_t>(lease_id));
    st.bind(2, static_cast<int64_t>(r.made_at));
    st.bind(3, r.report);
    return st.exec() == 1;
  });
}

Result<std::optional<StoredReport>> ReportStore::get(std::int64_t lease_id) {
  return db_.read("lease report", [&](Connection& db) -> Result<std::optional<StoredReport>> {
    SQLite::Statement& st = db.prepare("SELECT made_at, report FROM lease_reports WHERE lease_id = ?");
    st.bind(1, static_cast<int64_t>(lease_id));
    if (!st.executeStep()) return std::optional<StoredReport>{};
    return std::optional<StoredReport>(StoredReport{st.getColumn(0).getInt64(), st.getColumn(1).getString()});
  });
}

}  // namespace cpshare
