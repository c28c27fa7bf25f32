// Irmds storage's SQL (migration 8): samples, rollups, units' GPU UUIDs.
#include "store/metrics_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include "store/event_rows.hpp"
#include "store/guarded.hpp"
#include "store/json_codec.hpp"

namespace cpshare {

Result<std::vector<bool>> MetricsStore::insert_samples(std::int64_t cluster_id,
                                                       const std::vector<StoredSample>& samples) {
  return db_.write("insert metrics samples", [&](Connection& db) -> Result<std::vector<bool>> {
    SQLite::Statement& st =
        db.prepare("INSERT INTO metrics_samples (cluster_id, at, sample) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
    std::vector<bool> inserted;
    inserted.reserve(samples.size());
    for (const auto& s : samples) {
      st.reset();
      st.bind(1, static_cast<int64_t>(cluster_id));
      st.bind(2, static_cast<int64_t>(s.at));
      TRY_ASSIGN(const std::string packed, json_codec::pack(s.sample));
      st.bind(3, packed.data(), static_cast<int>(packed.size()));
      inserted.push_back(st.exec() > 0);
    }
    return inserted;
  });
}

Result<std::vector<StoredSample>> MetricsStore::samples(std::int64_t cluster_id, std::int64_t from, std::int64_t to,
                                                        int limit) {
  return db_.read("metrics samples", [&](Connection& db) -> Result<std::vector<StoredSample>> {
    SQLite::Statement& st = db.prepare(
        "SELECT at, sample FROM metrics_samples WHERE cluster_id = ? AND at >= ? AND at < ? ORDER BY at LIMIT ?");
    st.bind(1, static_cast<int64_t>(cluster_id));
    st.bind(2, static_cast<int64_t>(from));
    st.bind(3, static_cast<int64_t>(to));
    st.bind(4, limit);
    std::vector<StoredSample> out;
    while (st.executeStep()) {
      TRY_ASSIGN(auto text, json_codec::column_json(st.getColumn(1), "metrics sample"));
      out.push_back({st.getColumn(0).getInt64(), std::move(text)});
    }
    return out;
  });
}

Result<> MetricsStore::put_rollup(std::int64_t cluster_id, const StoredRollup& r) {
  return db_.write("put metrics rollup", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare(
        "INSERT INTO metrics_rollups (cluster_id, minute, samples, readings, gpu_lost) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (cluster_id, minute) DO UPDATE SET samples = excluded.samples, readings = excluded.readings, "
        "gpu_lost = excluded.gpu_lost");
    st.bind(1, static_cast<int64_t>(cluster_id));
    st.bind(2, static_cast<int64_t>(r.minute));
    st.bind(3, static_cast<int64_t>(r.samples));
    TRY_ASSIGN(const std::string packed, json_codec::pack(r.readings));
    st.bind(4, packed.data(), static_cast<int>(packed.size()));
    st.bind(5, r.gpu_lost ? 1 : 0);
    st.exec();
    return {};
  });
}

Result<std::optional<StoredRollup>> MetricsStore::rollup(std::int64_t cluster_id, std::int64_t minute) {
  return db_.read("metrics rollup", [&](Connection& db) -> Result<std::optional<StoredRollup>> {
    SQLite::Statement& st =
        db.prepare("SELECT samples, readings, gpu_lost FROM metrics_rollups WHERE cluster_id = ? AND minute = ?");
    st.bind(1, static_cast<int64_t>(cluster_id));
    st.bind(2, static_cast<int64_t>(minute));
    if (!st.executeStep()) return std::nullopt;
    TRY_ASSIGN(auto readings, json_codec::column_json(st.getColumn(1), "metrics rollup"));
    return StoredRollup{minute, st.getColumn(0).getInt64(), std::move(readings), st.getColumn(2).getInt() != 0};
  });
}

Result<> MetricsStore::count_minutes(std::int64_t cluster_id, std::int64_t day, std::int64_t reported,
                                     std::int64_t gpu_lost) {
  return db_.write("count metrics minutes", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare(
        "INSERT INTO metrics_days (cluster_id, day, minutes_reported, minutes_gpu_lost) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (cluster_id, day) DO UPDATE SET minutes_reported = minutes_reported + excluded.minutes_reported, "
        "minutes_gpu_lost = minutes_gpu_lost + excluded.minutes_gpu_lost");
    st.bind(1, static_cast<int64_t>(cluster_id));
    st.bind(2, static_cast<int64_t>(day));
    st.bind(3, static_cast<int64_t>(reported));
    st.bind(4, static_cast<int64_t>(gpu_lost));
    st.exec();
    return {};
  });
}

Result<> MetricsStore::first_report(std::int64_t cluster_id, std::int64_t at) {
  return db_.write("first report", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare(
        "UPDATE clusters SET first_report_at = ? WHERE id = ? AND (first_report_at IS NULL OR first_report_at > ?)");
    st.bind(1, static_cast<int64_t>(at));
    st.bind(2, static_cast<int64_t>(cluster_id));
    st.bind(3, static_cast<int64_t>(at));
    st.exec();
    return {};
  });
}

Result<std::int64_t> MetricsStore::score_reliability(std::int64_t since_day, std::int64_t now) {
  return db_.write("score reliability", [&](Connection& db) -> Result<std::int64_t> {
    // minutes of the window: from the later of since_day and the first
    // report's minute to now (at least one, so a cluster whose first report
    // is this minute is not divided by zero); up minutes capped at them.
    SQLite::Statement& st = db.prepare(
        "UPDATE clusters SET reliability_ppm = ("
        " SELECT MIN(1000000, COALESCE(SUM(d.minutes_reported - d.minutes_gpu_lost), 0) * 1000000 / "
        "  MAX(1, (?2 - MAX(?1, clusters.first_report_at - clusters.first_report_at % 60) + 59) / 60))"
        " FROM metrics_days d WHERE d.cluster_id = clusters.id AND d.day >= ?1) "
        "WHERE class = 'B' AND first_report_at IS NOT NULL");
    st.bind(1, static_cast<int64_t>(since_day));
    st.bind(2, static_cast<int64_t>(now));
    return static_cast<std::int64_t>(st.exec());
  });
}

Result<std::vector<StoredRollup>> MetricsStore::rollups(std::int64_t cluster_id, std::int64_t from, std::int64_t to,
                                                        int limit) {
  return db_.read("metrics rollups", [&](Connection& db) -> Result<std::vector<StoredRollup>> {
    SQLite::Statement& st = db.prepare(
        "SELECT minute, samples, readings, gpu_lost FROM metrics_rollups WHERE cluster_id = ? AND minute >= ? AND "
        "minute < ? "
        "ORDER BY minute LIMIT ?");
    st.bind(1, static_cast<int64_t>(cluster_id));
    st.bind(2, static_cast<int64_t>(from));
    st.bind(3, static_cast<int64_t>(to));
    st.bind(4, limit);
    std::vector<StoredRollup> out;
    while (st.executeStep()) {
      TRY_ASSIGN(auto readings, json_codec::column_json(st.getColumn(2), "metrics rollup"));
      out.push_back(
          {st.getColumn(0).getInt64(), st.getColumn(1).getInt64(), std::move(readings), st.getColumn(3).getInt() != 0});
    }
    return out;
  });
}

Result<std::optional<std::int64_t>> MetricsStore::last_report(std::int64_t cluster_id) {
  return db_.read("metrics last report", [&](Connection& db) -> Result<std::optional<std::int64_t>> {
    SQLite::Statement& st = db.prepare("SELECT MAX(at) FROM metrics_samples WHERE cluster_id = ?");
    st.bind(1, static_cast<int64_t>(cluster_id));
    if (!st.executeStep()) return std::nullopt;
    return opt_int(st.getColumn(0));
  });
}

Result<> MetricsStore::mark_hour(std::int64_t cluster_id, std::int64_t hour) {
  return db_.write("mark metrics hour", [&](Connection& db) -> Result<> {
    SQLite::Statement& st =
        db.prepare("INSERT INTO metrics_hours_dirty (cluster_id, hour) VALUES (?, ?) ON CONFLICT DO NOTHING");
    st.bind(1, static_cast<int64_t>(cluster_id));
    st.bind(2, static_cast<int64_t>(hour));
    st.exec();
    return {};
  });
}

Result<std::vector<std::pair<std::int64_t, std::int64_t>>> MetricsStore::marked_hours(std::int64_t before, int limit) {
  using Marks = std::vector<std::pair<std::int64_t, std::int64_t>>;
  return db_.read("marked metrics hours", [&](Connection& db) -> Result<Marks> {
    SQLite::Statement& st = db.prepare(
        "SELECT cluster_id, hour FROM metrics_hours_dirty WHERE hour + 3600 <= ? ORDER BY hour, cluster_id LIMIT ?");
    st.bind(1, static_cast<int64_t>(before));
    st.bind(2, limit);
    Marks out;
    while (st.executeStep()) out.emplace_back(st.getColumn(0).getInt64(), st.getColumn(1).getInt64());
    return out;
  });
}

Result<> MetricsStore::put_hour(std::int64_t cluster_id, const StoredHour& h) {
  return db_.write("put metrics hour", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare(
        "INSERT INTO metrics_hours (cluster_id, hour, samples, minutes, readings) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (cluster_id, hour) DO UPDATE SET samples = excluded.samples, minutes = excluded.minutes, "
        "readings = excluded.readings");
    st.bind(1, static_cast<int64_t>(cluster_id));
    st.bind(2, static_cast<int64_t>(h.hour));
    st.bind(3, static_cast<int64_t>(h.samples));
    st.bind(4, static_cast<int64_t>(h.minutes));
    TRY_ASSIGN(const std::string packed, json_codec::pack(h.readings));
    st.bind(5, packed.data(), static_cast<int>(packed.size()));
    st.exec();
    SQLite::Statement& clear = db.prepare("DELETE FROM metrics_hours_dirty WHERE cluster_id = ? AND hour = ?");
    clear.bind(1, static_cast<int64_t>(cluster_id));
    clear.bind(2, static_cast<int64_t>(h.hour));
    clear.exec();
    return {};
  });
}

Result<std::vector<StoredHour>> MetricsStore::hours(std::int64_t cluster_id, std::int64_t from, std::int64_t to,
                                                    int limit) {
  return db_.read("metrics hours", [&](Connection& db) -> Result<std::vector<StoredHour>> {
    SQLite::Statement& st = db.prepare(
        "SELECT hour, samples, minutes, readings FROM metrics_hours WHERE cluster_id = ? AND hour >= ? AND hour < ? "
        "ORDER BY hour LIMIT ?");
    st.bind(1, static_cast<int64_t>(cluster_id));
    st.bind(2, static_cast<int64_t>(from));
    st.bind(3, static_cast<int64_t>(to));
    st.bind(4, limit);
    std::vector<StoredHour> out;
    while (st.executeStep()) {
      TRY_ASSIGN(auto readings, json_codec::column_json(st.getColumn(3), "metrics hour"));
      out.push_back(
          {st.getColumn(0).getInt64(), st.getColumn(1).getInt64(), st.getColumn(2).getInt64(), std::move(readings)});
    }
    return out;
  });
}

Result<std::pair<std::int64_t, std::int64_t>> MetricsStore::prune(std::int64_t raw_before, std::int64_t rollup_before) {
  return db_.write("prune metrics", [&](Connection& db) -> Result<std::pair<std::int64_t, std::int64_t>> {
    SQLite::Statement& raw = db.prepare("DELETE FROM metrics_samples WHERE at < ?");
    raw.bind(1, static_cast<int64_t>(raw_before));
    const std::int64_t samples = raw.exec();
    SQLite::Statement& roll = db.prepare("DELETE FROM metrics_rollups WHERE minute < ?");
    roll.bind(1, static_cast<int64_t>(rollup_before));
    const std::int64_t rollups = roll.exec();
    for (const char* sql : {"DELETE FROM metrics_hours WHERE hour + 3600 <= ?",
                            "DELETE FROM metrics_hours_dirty WHERE hour + 3600 <= ?"}) {
      SQLite::Statement& st = db.prepare(sql);
      st.bind(1, static_cast<int64_t>(rollup_before));
      st.exec();
    }
    SQLite::Statement& days = db.prepare("DELETE FROM metrics_days WHERE day + 86400 <= ?");
    days.bind(1, static_cast<int64_t>(rollup_before));
    days.exec();
    return std::pair<std::int64_t, std::int64_t>{samples, rollups};
  });
}

Result<std::optional<std::int64_t>> MetricsStore::cluster_by_agent_token(const Blob& token_hash) {
  return db_.read("cluster by agent token", [&](Connection& db) -> Result<std::optional<std::int64_t>> {
    SQLite::Statement& st = db.prepare("SELECT cluster_id FROM cluster_secrets WHERE agent_token_hash = ?");
    bind_blob(st, 1, token_hash);
    if (!st.executeStep()) return std::nullopt;
    return st.getColumn(0).getInt64();
  });
}

Result<std::vector<UnitGpu>> MetricsStore::unit_gpus(std::int64_t cluster_id) {
  return db_.read("unit gpus", [&](Connection& db) -> Result<std::vector<UnitGpu>> {
    SQLite::Statement& st = db.prepare("SELECT idx, gpu_uuid FROM cluster_units WHERE cluster_id = ? ORDER BY idx");
    st.bind(1, static_cast<int64_t>(cluster_id));
    std::vector<UnitGpu> out;
    while (st.executeStep()) out.push_back({st.getColumn(0).getInt(), opt_text(st.getColumn(1))});
    return out;
  });
}

Result<> MetricsStore::bind_unit_gpu(std::int64_t cluster_id, int index, const std::string& uuid) {
  return db_.write("bind unit gpu", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare("UPDATE cluster_units SET gpu_uuid = ? WHERE cluster_id = ? AND idx = ?");
    st.bind(1, uuid);
    st.bind(2, static_cast<int64_t>(cluster_id));
    st.bind(3, index);
    st.exec();
    return {};
  });
}

Result<std::vector<health::UnitState>> MetricsStore::unit_states(std::int64_t cluster_id) {
  return db_.read("unit states", [&](Connection& db) -> Result<std::vector<health::UnitState>> {
    SQLite::Statement& st = db.prepare(
        "SELECT idx, status, gpu_uuid, lost_since, lost_offline FROM cluster_units WHERE cluster_id = ? ORDER BY idx");
    st.bind(1, static_cast<int64_t>(cluster_id));
    std::vector<health::UnitState> out;
    while (st.executeStep())
      out.push_back({st.getColumn(0).getInt(), stored<UnitStatus>("cluster_units.status", st.getColumn(1)),
                     opt_text(st.getColumn(2)), opt_int(st.getColumn(3)), st.getColumn(4).getInt() != 0});
    return out;
  });
}

Result<> MetricsStore::put_unit_state(std::int64_t cluster_id, const health::UnitState& u) {
  return db_.write("put unit state", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare(
        "UPDATE cluster_units SET status = ?, lost_since = ?, lost_offline = ? WHERE cluster_id = ? AND idx = ?");
    bind_name(st, 1, enum_name(u.status));
    bind_opt(st, 2, u.lost_since);
    st.bind(3, u.lost_offline ? 1 : 0);
    st.bind(4, static_cast<int64_t>(cluster_id));
    st.bind(5, u.index);
    st.exec();
    refresh_units_free(db, cluster_id);
    return {};
  });
}

Result<> MetricsStore::reported(std::int64_t cluster_id, std::int64_t at) {
  return db_.write("cluster reported", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare(
        "UPDATE clusters SET health = 'online', last_report_at = MAX(COALESCE(last_report_at, 0), ?) "
        "WHERE id = ?");
    st.bind(1, static_cast<int64_t>(at));
    st.bind(2, static_cast<int64_t>(cluster_id));
    st.exec();
    return {};
  });
}

Result<std::vector<std::pair<std::int64_t, std::optional<std::int64_t>>>> MetricsStore::silent_since(
    std::int64_t before) {
  using Rows = std::vector<std::pair<std::int64_t, std::optional<std::int64_t>>>;
  return db_.read("silent clusters", [&](Connection& db) -> Result<Rows> {
    SQLite::Statement& st = db.prepare(
        "SELECT id, last_report_at FROM clusters WHERE health = 'online' "
        "AND (last_report_at IS NULL OR last_report_at < ?)");
    st.bind(1, static_cast<int64_t>(before));
    Rows out;
    while (st.executeStep()) out.emplace_back(st.getColumn(0).getInt64(), opt_int(st.getColumn(1)));
    return out;
  });
}

Result<bool> MetricsStore::go_offline(std::int64_t cluster_id, std::int64_t before) {
  return db_.write("cluster offline", [&](Connection& db) -> Result<bool> {
    SQLite::Statement& st = db.prepare(
        "UPDATE clusters SET health = 'offline' WHERE id = ? AND health = 'online' "
        "AND (last_report_at IS NULL OR last_report_at < ?)");
    st.bind(1, static_cast<int64_t>(cluster_id));
    st.bind(2, static_cast<int64_t>(before));
    return st.exec() == 1;
  });
}

Result<> MetricsStore::add_event(std::int64_t cluster_id, const health::Event& e) {
  return db_.write("add cluster event", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare(
        "INSERT INTO cluster_events (cluster_id, unit, kind, gpu_uuid, at, detail) VALUES (?, ?, ?, ?, ?, ?)");
    st.bind(1, static_cast<int64_t>(cluster_id));
    if (e.unit)
      st.bind(2, *e.unit);
    else
      st.bind(2);
    bind_name(st, 3, enum_name(e.kind));
    bind_opt(st, 4, e.gpu_uuid);
    st.bind(5, static_cast<int64_t>(e.at));
    st.bind(6, e.detail);
    st.exec();
    return {};
  });
}

Result<std::vector<health::Event>> MetricsStore::events(std::int64_t cluster_id, std::int64_t from, std::int64_t to,
                                                        int limit) {
  return db_.read("cluster events", [&](Connection& db) -> Result<std::vector<health::Event>> {
    SQLite::Statement& st = db.prepare(
        fmt::format("SELECT {} FROM cluster_events WHERE cluster_id = ? AND at >= ? AND at < ? ORDER BY at, id LIMIT ?",
                    kEventColumns));
    st.bind(1, static_cast<int64_t>(cluster_id));
    st.bind(2, static_cast<int64_t>(from));
    st.bind(3, static_cast<int64_t>(to));
    st.bind(4, limit);
    std::vector<health::Event> out;
    while (st.executeStep()) out.push_back(event_row(st));
    return out;
  });
}

health::Event event_row(SQLite::Statement& st) {
  health::Event e;
  if (auto u = opt_int(st.getColumn(0))) e.unit = static_cast<int>(*u);
  e.kind = stored<ClusterEventKind>("cluster_events.kind", st.getColumn(1));
  e.gpu_uuid = opt_text(st.getColumn(2));
  e.at = st.getColumn(3).getInt64();
  e.detail = st.getColumn(4).getString();
  return e;
}

}  // namespace cpshare
