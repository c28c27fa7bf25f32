// Leases' SQL (migration 4): taking and returning units, the task record, the
// ledger, authorization codes and pending SSH account removals.
#include "store/lease_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "store/guarded.hpp"
#include "util/text.hpp"

namespace cpshare {

namespace {

constexpr const char* kLeaseColumns =
    "l.id, l.lease_id, l.user_id, (SELECT username FROM accounts WHERE id = l.user_id), l.cluster_id, "
    "(SELECT cpc_id FROM clusters WHERE id = l.cluster_id), l.supplier_id, "
    "(SELECT username FROM accounts WHERE id = l.supplier_id), l.class, l.cluster_snapshot, l.mode, l.unit_price, "
    "l.units, l.periods, l.estimate, l.state, l.unit_list, l.ssh_public_key, l.created_at, l.decide_by, "
    "l.started_at, l.planned_end, l.ended_at, l.end_reason, l.note, l.charged, l.refunded, l.access_enc, "
    "l.bill_failed, "
    "l.environment, l.agent_attempts, l.agent_error, l.agent_error_at, l.units_freed_at";

std::vector<int> split_units(const std::string& s) {
  std::vector<int> out;
  std::size_t start = 0;
  while (start < s.size()) {
    auto comma = s.find(',', start);
    const std::string_view item = std::string_view(s).substr(start, comma - start);
    const auto unit = text::parse_int<int>(item);
    // The store writes the list; anything else is a damaged row, reported as one.
    if (!unit) throw SQLite::Exception(fmt::format("lease unit list '{}' has '{}', not a unit number", s, item));
    out.push_back(*unit);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// leases.end_reason: '' while the lease runs, else an EndReason's string.
std::optional<EndReason> end_reason(const SQLite::Column& c) {
  if (c.isNull() || c.getString().empty()) return std::nullopt;
  return stored<EndReason>("leases.end_reason", c);
}

Lease read_lease(SQLite::Statement& st) {
  Lease l;
  int i = 0;
  l.id = st.getColumn(i++).getInt64();
  l.lease_id = st.getColumn(i++).getString();
  l.user_id = st.getColumn(i++).getInt64();
  l.user = st.getColumn(i++).getString();
  l.cluster_id = st.getColumn(i++).getInt64();
  l.cpc_id = st.getColumn(i++).getString();
  l.supplier_id = st.getColumn(i++).getInt64();
  l.supplier = st.getColumn(i++).getString();
  const std::string cls = st.getColumn(i++).getString();
  l.cluster_class = cls.empty() ? 'A' : cls[0];
  l.cluster_snapshot = st.getColumn(i++).getString();
  l.terms.mode = stored<BillingMode>("leases.mode", st.getColumn(i++));
  l.terms.unit_price_fen = st.getColumn(i++).getInt64();
  l.terms.units = st.getColumn(i++).getInt64();
  l.terms.periods = st.getColumn(i++).getInt64();
  l.estimate = st.getColumn(i++).getInt64();
  l.state = stored<LeaseState>("leases.state", st.getColumn(i++));
  l.units = split_units(st.getColumn(i++).getString());
  l.ssh_public_key = opt_text(st.getColumn(i++)).value_or("");
  l.created_at = st.getColumn(i++).getInt64();
  l.decide_by = opt_int(st.getColumn(i++));
  l.started_at = opt_int(st.getColumn(i++));
  l.planned_end = opt_int(st.getColumn(i++));
  l.ended_at = opt_int(st.getColumn(i++));
  l.end_reason = end_reason(st.getColumn(i++));
  l.note = st.getColumn(i++).getString();
  l.charged = opt_int(st.getColumn(i++));
  l.refunded = opt_int(st.getColumn(i++));
  l.access_cipher = blob(st.getColumn(i++));
  l.bill_failed = st.getColumn(i++).getInt() != 0;
  l.environment = opt_text(st.getColumn(i++));
  l.agent_attempts = st.getColumn(i++).getInt();
  l.agent_error = opt_text(st.getColumn(i++));
  l.agent_error_at = opt_int(st.getColumn(i++));
  l.units_freed_at = opt_int(st.getColumn(i++));
  return l;
}

void mark_units(Connection& db, std::int64_t cluster_id, const std::vector<int>& units, UnitStatus status) {
  SQLite::Statement& st = db.prepare("UPDATE cluster_units SET status = ? WHERE cluster_id = ? AND idx = ?");
  for (int u : units) {
    st.reset();
    bind_name(st, 1, enum_name(status));
    st.bind(2, static_cast<int64_t>(cluster_id));
    st.bind(3, u);
    st.exec();
  }
  // A unit freed while its GPU is lost is not offered: offline until the GPU
  // returns (service/metrics.hpp, migration 9).
  if (status == UnitStatus::Idle) {
    SQLite::Statement& lost = db.prepare(
        "UPDATE cluster_units SET status = 'offline', lost_offline = 1 "
        "WHERE cluster_id = ? AND idx = ? AND status = 'idle' AND lost_since IS NOT NULL");
    for (int u : units) {
      lost.reset();
      lost.bind(1, static_cast<int64_t>(cluster_id));
      lost.bind(2, u);
      lost.exec();
    }
  }
  refresh_units_free(db, cluster_id);
}

// A lease's removal changed: its cluster's free nodes follow (a pending
// removal keeps the lease's nodes from the next lease; guarded.hpp).
void refresh_lease_cluster(Connection& db, std::int64_t lease_id) {
  SQLite::Statement& cluster = db.prepare("SELECT cluster_id FROM leases WHERE id = ?");
  cluster.bind(1, static_cast<int64_t>(lease_id));
  const bool found = cluster.executeStep();
  const std::int64_t cluster_id = found ? cluster.getColumn(0).getInt64() : 0;
  cluster.reset();
  if (found) refresh_units_free(db, cluster_id);
}

// The lease's one removal row, written whole.
void write_revocation(Connection& db, const Revocation& r) {
  SQLite::Statement& st = db.prepare(
      "INSERT INTO revocations (lease_id, username, attempts, next_at, last_error, done_at) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (lease_id) DO UPDATE SET username = excluded.username, "
      "attempts = excluded.attempts, next_at = excluded.next_at, "
      "last_error = excluded.last_error, done_at = excluded.done_at");
  st.bind(1, static_cast<int64_t>(r.lease_id));
  st.bind(2, r.username);
  st.bind(3, r.attempts);
  st.bind(4, static_cast<int64_t>(r.next_at));
  st.bind(5, r.last_error);
  bind_opt(st, 6, r.done_at);
  st.exec();
  refresh_lease_cluster(db, r.lease_id);
}

}  // namespace

Result<std::vector<int>> LeaseStore::pick_nodes(std::int64_t cluster_id, int nodes) {
  return db_.read("free nodes", [&](Connection& db) -> Result<std::vector<int>> {
    SQLite::Statement& free =
        db.prepare("SELECT n.node FROM cluster_nodes n WHERE n.cluster_id = ?1 AND " CPSHARE_FREE_NODE_SQL
                   " ORDER BY n.node LIMIT ?2");
    free.bind(1, static_cast<int64_t>(cluster_id));
    free.bind(2, nodes);
    std::vector<std::int64_t> picked;
    while (free.executeStep()) picked.push_back(free.getColumn(0).getInt64());
    free.reset();
    if (picked.empty())
      return fail(ErrorCode::UnitsUnavailable,
                  fmt::format("the cluster has no free node now (an A-class lease takes whole nodes): try again "
                              "when a lease on it ends, or choose another cluster (cpshare filter 'nodes_free>={}')",
                              nodes));
    if (static_cast<int>(picked.size()) < nodes)
      return fail(ErrorCode::UnitsUnavailable,
                  fmt::format("the cluster has {} free node{} now (an A-class lease takes whole nodes); ask for at "
                              "most that many or choose another cluster (cpshare filter 'nodes_free>={}')",
                              picked.size(), picked.size() == 1 ? "" : "s", nodes));
    SQLite::Statement& units =
        db.prepare("SELECT idx FROM cluster_units WHERE cluster_id = ? AND node = ? AND status = 'idle' ORDER BY idx");
    std::vector<int> out;
    for (std::int64_t node : picked) {
      units.reset();
      units.bind(1, static_cast<int64_t>(cluster_id));
      units.bind(2, static_cast<int64_t>(node));
      while (units.executeStep()) out.push_back(units.getColumn(0).getInt());
    }
    units.reset();
    return out;
  });
}

Result<Lease> LeaseStore::create(Lease l, int units) {
  return db_.write("create lease", [&](Connection& db) -> Result<Lease> {
    // Checked here too, in the transaction that takes the units: whatever the
    // caller read, a cluster that is not listed now takes no new lease.
    SQLite::Statement& listed = db.prepare("SELECT status FROM clusters WHERE id = ?");
    listed.bind(1, static_cast<int64_t>(l.cluster_id));
    if (!listed.executeStep() || listed.getColumn(0).getString() != "listed")
      return fail(ErrorCode::NotFound, fmt::format("cluster {} is not listed; cpshare list shows what is", l.cpc_id));
    SQLite::Statement& pick = db.prepare(
        "SELECT idx FROM cluster_units WHERE cluster_id = ? AND status = 'idle' "
        "ORDER BY idx LIMIT ?");
    pick.bind(1, static_cast<int64_t>(l.cluster_id));
    pick.bind(2, units);
    if (units > 0) l.units.clear();
    while (units > 0 && pick.executeStep()) l.units.push_back(pick.getColumn(0).getInt());
    pick.reset();
    if (units > 0 && static_cast<int>(l.units.size()) < units)
      return fail(ErrorCode::UnitsUnavailable,
                  fmt::format("the cluster has {} idle unit{} now; ask for at most that many or choose another "
                              "cluster (cpshare filter 'units_free>={}')",
                              l.units.size(), l.units.size() == 1 ? "" : "s", units));
    SQLite::Statement& st = db.prepare(
        "INSERT INTO leases (lease_id, user_id, cluster_id, supplier_id, class, cluster_snapshot, "
        "mode, unit_price, units, periods, estimate, state, unit_list, ssh_public_key, created_at, "
        "decide_by, environment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    int i = 1;
    st.bind(i++, l.lease_id);
    st.bind(i++, static_cast<int64_t>(l.user_id));
    st.bind(i++, static_cast<int64_t>(l.cluster_id));
    st.bind(i++, static_cast<int64_t>(l.supplier_id));
    st.bind(i++, std::string(1, l.cluster_class));
    st.bind(i++, l.cluster_snapshot);
    bind_name(st, i++, enum_name(l.terms.mode));
    st.bind(i++, static_cast<int64_t>(l.terms.unit_price_fen));
    st.bind(i++, static_cast<int64_t>(l.terms.units));
    st.bind(i++, static_cast<int64_t>(l.terms.periods));
    st.bind(i++, static_cast<int64_t>(l.estimate));
    st.bind(i++, std::string(lease_state_name(l.state)));
    st.bind(i++, text::comma_list(l.units));
    if (l.ssh_public_key.empty())
      st.bind(i++);
    else
      st.bind(i++, l.ssh_public_key);
    st.bind(i++, static_cast<int64_t>(l.created_at));
    bind_opt(st, i++, l.decide_by);
    if (l.environment)
      st.bind(i++, *l.environment);
    else
      st.bind(i++);
    st.exec();
    l.id = db.getLastInsertRowid();
    SQLite::Statement& hold = db.prepare("INSERT INTO lease_units (lease_id, cluster_id, idx) VALUES (?, ?, ?)");
    for (int u : l.units) {
      hold.reset();
      hold.bind(1, static_cast<int64_t>(l.id));
      hold.bind(2, static_cast<int64_t>(l.cluster_id));
      hold.bind(3, u);
      hold.exec();
    }
    mark_units(db, l.cluster_id, l.units, UnitStatus::Reserved);
    return l;
  });
}

Result<std::optional<Lease>> LeaseStore::by_lease_id(const std::string& lease_id) {
  return db_.read("lease", [&](Connection& db) -> Result<std::optional<Lease>> {
    SQLite::Statement& st = db.prepare(fmt::format("SELECT {} FROM leases l WHERE l.lease_id = ?", kLeaseColumns));
    st.bind(1, lease_id);
    if (!st.executeStep()) return std::optional<Lease>{};
    return std::optional<Lease>(read_lease(st));
  });
}

Result<std::optional<Lease>> LeaseStore::by_id(std::int64_t id) {
  return db_.read("lease by id", [&](Connection& db) -> Result<std::optional<Lease>> {
    SQLite::Statement& st = db.prepare(fmt::format("SELECT {} FROM leases l WHERE l.id = ?", kLeaseColumns));
    st.bind(1, static_cast<int64_t>(id));
    if (!st.executeStep()) return std::optional<Lease>{};
    return std::optional<Lease>(read_lease(st));
  });
}

Result<std::vector<Lease>> LeaseStore::query(const LeaseQuery& q) {
  return db_.read("leases", [&](Connection& db) -> Result<std::vector<Lease>> {
    std::string where = "1 = 1";
    if (q.user_id) where += " AND l.user_id = ?";
    if (q.supplier_id) where += " AND l.supplier_id = ?";
    if (!q.states.empty()) {
      where += " AND l.state IN (";
      for (std::size_t k = 0; k < q.states.size(); ++k) where += k ? ", ?" : "?";
      where += ")";
    }
    if (q.due_before)
      where += fmt::format(
          " AND ((l.state IN ('requested', 'approved') AND l.decide_by <= ?) OR "
          "(l.state = 'active' AND l.planned_end <= ?){})",
          q.open_hourly_started_before ? " OR (l.state = 'active' AND l.planned_end IS NULL AND l.mode = 'hourly' "
                                         "AND l.started_at <= ?)"
                                       : "");
    SQLite::Statement& st =
        db.prepare(fmt::format("SELECT {} FROM leases l WHERE {} ORDER BY l.id DESC LIMIT ?", kLeaseColumns, where));
    int i = 1;
    if (q.user_id) st.bind(i++, static_cast<int64_t>(*q.user_id));
    if (q.supplier_id) st.bind(i++, static_cast<int64_t>(*q.supplier_id));
    for (auto s : q.states) st.bind(i++, std::string(lease_state_name(s)));
    if (q.due_before) {
      st.bind(i++, static_cast<int64_t>(*q.due_before));
      st.bind(i++, static_cast<int64_t>(*q.due_before));
      if (q.open_hourly_started_before) st.bind(i++, static_cast<int64_t>(*q.open_hourly_started_before));
    }
    st.bind(i, q.limit);
    std::vector<Lease> out;
    while (st.executeStep()) out.push_back(read_lease(st));
    return out;
  });
}

Result<> LeaseStore::update(const Lease& l, LeaseState from) {
  return db_.write("update lease", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare(
        "UPDATE leases SET state = ?, decide_by = ?, started_at = ?, planned_end = ?, ended_at = ?, "
        "end_reason = ?, note = ?, charged = ?, refunded = ?, access_enc = ?, bill_failed = ?, "
        "agent_attempts = ?, agent_error = ?, agent_error_at = ?, units_freed_at = ? "
        "WHERE id = ? AND state = ?");
    int i = 1;
    st.bind(i++, std::string(lease_state_name(l.state)));
    bind_opt(st, i++, l.decide_by);
    bind_opt(st, i++, l.started_at);
    bind_opt(st, i++, l.planned_end);
    bind_opt(st, i++, l.ended_at);
    bind_name(st, i++, l.end_reason ? enum_name(*l.end_reason) : "");
    st.bind(i++, l.note);
    bind_opt(st, i++, l.charged);
    bind_opt(st, i++, l.refunded);
    bind_blob(st, i++, l.access_cipher);
    st.bind(i++, l.bill_failed ? 1 : 0);
    st.bind(i++, l.agent_attempts);
    if (l.agent_error)
      st.bind(i++, *l.agent_error);
    else
      st.bind(i++);
    bind_opt(st, i++, l.agent_error_at);
    bind_opt(st, i++, l.units_freed_at);
    st.bind(i++, static_cast<int64_t>(l.id));
    st.bind(i, std::string(lease_state_name(from)));
    if (st.exec() != 1)
      return fail(ErrorCode::Conflict, fmt::format("lease {} is no longer {}: it changed while this request ran; "
                                                   "cpshare leases show {} says what it is now",
                                                   l.lease_id, lease_state_name(from), l.lease_id));
    return {};
  });
}

Result<> LeaseStore::set_units(const Lease& l, UnitStatus status) {
  return db_.write("lease units", [&](Connection& db) -> Result<> {
    mark_units(db, l.cluster_id, l.units, status);
    return {};
  });
}

Result<> LeaseStore::release_units(const Lease& l) {
  return db_.write("release units", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare("UPDATE lease_units SET held = 0 WHERE lease_id = ?");
    st.bind(1, static_cast<int64_t>(l.id));
    st.exec();
    mark_units(db, l.cluster_id, l.units, UnitStatus::Idle);
    return {};
  });
}

Result<std::vector<Lease>> LeaseStore::agent_work(std::int64_t cluster_id, int limit) {
  return db_.read("agent work", [&](Connection& db) -> Result<std::vector<Lease>> {
    SQLite::Statement& st = db.prepare(
        fmt::format("SELECT {} FROM leases l WHERE l.cluster_id = ? AND l.class = 'B' AND l.units_freed_at IS NULL "
                    "AND (l.state = 'provisioning' OR l.ended_at IS NOT NULL) ORDER BY l.id LIMIT ?",
                    kLeaseColumns));
    st.bind(1, static_cast<int64_t>(cluster_id));
    st.bind(2, limit);
    std::vector<Lease> out;
    while (st.executeStep()) out.push_back(read_lease(st));
    return out;
  });
}

Result<> LeaseStore::agent_failed(std::int64_t id, const std::string& error, std::int64_t at) {
  return db_.write("agent report", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare(
        "UPDATE leases SET agent_attempts = agent_attempts + 1, agent_error = ?, agent_error_at = ? WHERE id = ?");
    st.bind(1, error);
    st.bind(2, static_cast<int64_t>(at));
    st.bind(3, static_cast<int64_t>(id));
    st.exec();
    return {};
  });
}

Result<bool> LeaseStore::free_units(const Lease& l, std::int64_t at) {
  return db_.write("free units", [&](Connection& db) -> Result<bool> {
    SQLite::Statement& st = db.prepare(
        "UPDATE leases SET units_freed_at = ?, agent_error = NULL, agent_error_at = NULL "
        "WHERE id = ? AND ended_at IS NOT NULL AND units_freed_at IS NULL");
    st.bind(1, static_cast<int64_t>(at));
    st.bind(2, static_cast<int64_t>(l.id));
    if (st.exec() != 1) return false;
    SQLite::Statement& held = db.prepare("UPDATE lease_units SET held = 0 WHERE lease_id = ?");
    held.bind(1, static_cast<int64_t>(l.id));
    held.exec();
    mark_units(db, l.cluster_id, l.units, UnitStatus::Idle);
    return true;
  });
}

Result<> LeaseStore::append_ledger(const LedgerEntry& e) {
  return db_.write("ledger", [&](Connection& db) -> Result<> {
    SQLite::Statement& st =
        db.prepare("INSERT INTO ledger (at, lease_id, account_id, kind, amount) VALUES (?, ?, ?, ?, ?)");
    st.bind(1, static_cast<int64_t>(e.at));
    st.bind(2, static_cast<int64_t>(e.lease_id));
    st.bind(3, static_cast<int64_t>(e.account_id));
    bind_name(st, 4, enum_name(e.kind));
    st.bind(5, static_cast<int64_t>(e.amount));
    st.exec();
    return {};
  });
}

Result<std::vector<LedgerEntry>> LeaseStore::ledger(std::int64_t account_id, std::int64_t from, std::int64_t to) {
  return db_.read("read ledger", [&](Connection& db) -> Result<std::vector<LedgerEntry>> {
    SQLite::Statement& st = db.prepare(
        "SELECT g.id, g.at, g.lease_id, l.lease_id, g.account_id, g.kind, g.amount "
        "FROM ledger g JOIN leases l ON l.id = g.lease_id "
        "WHERE g.account_id = ? AND g.at >= ? AND g.at < ? ORDER BY g.at, g.id");
    st.bind(1, static_cast<int64_t>(account_id));
    st.bind(2, static_cast<int64_t>(from));
    st.bind(3, static_cast<int64_t>(to));
    std::vector<LedgerEntry> out;
    while (st.executeStep()) {
      LedgerEntry e;
      e.id = st.getColumn(0).getInt64();
      e.at = st.getColumn(1).getInt64();
      e.lease_id = st.getColumn(2).getInt64();
      e.lease = st.getColumn(3).getString();
      e.account_id = st.getColumn(4).getInt64();
      e.kind = stored<LedgerKind>("ledger.kind", st.getColumn(5));
      e.amount = st.getColumn(6).getInt64();
      out.push_back(std::move(e));
    }
    return out;
  });
}

Result<> LeaseStore::put_auth_code(std::int64_t lease_id, const Blob& code_hash, std::int64_t expires_at) {
  return db_.write("auth code", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare(
        "INSERT INTO auth_codes (lease_id, code_hash, expires_at) VALUES (?, ?, ?) "
        "ON CONFLICT (lease_id) DO UPDATE SET code_hash = excluded.code_hash, "
        "expires_at = excluded.expires_at, used_at = NULL");
    st.bind(1, static_cast<int64_t>(lease_id));
    bind_blob(st, 2, code_hash);
    st.bind(3, static_cast<int64_t>(expires_at));
    st.exec();
    return {};
  });
}

Result<std::optional<AuthCode>> LeaseStore::auth_code(const Blob& code_hash) {
  return db_.read("find auth code", [&](Connection& db) -> Result<std::optional<AuthCode>> {
    SQLite::Statement& st = db.prepare("SELECT lease_id, expires_at, used_at FROM auth_codes WHERE code_hash = ?");
    bind_blob(st, 1, code_hash);
    if (!st.executeStep()) return std::optional<AuthCode>{};
    return std::optional<AuthCode>(
        AuthCode{st.getColumn(0).getInt64(), st.getColumn(1).getInt64(), opt_int(st.getColumn(2))});
  });
}

Result<bool> LeaseStore::use_auth_code(std::int64_t lease_id, std::int64_t at) {
  return db_.write("use auth code", [&](Connection& db) -> Result<bool> {
    SQLite::Statement& st = db.prepare("UPDATE auth_codes SET used_at = ? WHERE lease_id = ? AND used_at IS NULL");
    st.bind(1, static_cast<int64_t>(at));
    st.bind(2, static_cast<int64_t>(lease_id));
    return st.exec() == 1;
  });
}

Result<> LeaseStore::put_revocation(const Revocation& r) {
  return db_.write("revocation", [&](Connection& db) -> Result<> {
    write_revocation(db, r);
    return {};
  });
}

Result<> LeaseStore::cancel_revocation(std::int64_t lease_id, std::int64_t now, std::string_view why) {
  return db_.write("cancel revocation", [&](Connection& db) -> Result<> {
    SQLite::Statement& st =
        db.prepare("UPDATE revocations SET done_at = ?, last_error = ? WHERE lease_id = ? AND done_at IS NULL");
    st.bind(1, static_cast<int64_t>(now));
    bind_name(st, 2, fmt::format("void: {}", why));
    st.bind(3, static_cast<int64_t>(lease_id));
    if (st.exec() > 0) refresh_lease_cluster(db, lease_id);  // its nodes may be free now
    return {};
  });
}

Result<bool> LeaseStore::begin_redeem(std::int64_t id, const std::string& username, std::int64_t now,
                                      std::int64_t until) {
  return db_.write("begin redeem", [&](Connection& db) -> Result<bool> {
    SQLite::Statement& hold = db.prepare(
        "UPDATE leases SET redeem_until = ? WHERE id = ? AND state = 'approved' "
        "AND (redeem_until IS NULL OR redeem_until <= ?)");
    hold.bind(1, static_cast<int64_t>(until));
    hold.bind(2, static_cast<int64_t>(id));
    hold.bind(3, static_cast<int64_t>(now));
    if (hold.exec() != 1) return false;
    write_revocation(db, {id, username, 0, until, "a redeem in progress: what it made is removed unless it completes",
                          std::nullopt});
    return true;
  });
}

Result<> LeaseStore::end_redeem(std::int64_t id) {
  return db_.write("end redeem", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare("UPDATE leases SET redeem_until = NULL WHERE id = ?");
    st.bind(1, static_cast<int64_t>(id));
    st.exec();
    return {};
  });
}

Result<> LeaseStore::hasten_revocations(std::int64_t cluster_id, std::int64_t now) {
  return db_.write("hasten revocations", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare(
        "UPDATE revocations SET next_at = ?1 WHERE done_at IS NULL AND next_at > ?2 "
        "AND lease_id IN (SELECT id FROM leases WHERE cluster_id = ?3 "
        "AND (redeem_until IS NULL OR redeem_until <= ?2))");  // not a redeem's own, while it runs
    st.bind(1, static_cast<int64_t>(now));
    st.bind(2, static_cast<int64_t>(now));
    st.bind(3, static_cast<int64_t>(cluster_id));
    st.exec();
    return {};
  });
}

Result<std::vector<Revocation>> LeaseStore::revocations_due(std::int64_t now) {
  return db_.read("revocations due", [&](Connection& db) -> Result<std::vector<Revocation>> {
    SQLite::Statement& st = db.prepare(
        "SELECT lease_id, username, attempts, next_at, last_error, done_at FROM revocations r "
        "WHERE done_at IS NULL AND next_at <= ?1 "
        // not while a redeem holds the lease: its account is being made
        "AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.id = r.lease_id AND l.redeem_until > ?1) "
        "ORDER BY next_at LIMIT 100");
    st.bind(1, static_cast<int64_t>(now));
    std::vector<Revocation> out;
    while (st.executeStep())
      out.push_back(Revocation{st.getColumn(0).getInt64(), st.getColumn(1).getString(), st.getColumn(2).getInt(),
                               st.getColumn(3).getInt64(), st.getColumn(4).getString(), opt_int(st.getColumn(5))});
    return out;
  });
}

}  // namespace cpshare
