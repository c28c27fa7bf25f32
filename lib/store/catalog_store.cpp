// The catalogue's SQL: clusters and their units (migration 2).
#include "store/catalog_store.hpp"

#include <map>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "catalog/units.hpp"
#include "store/filter_sql.hpp"
#include "store/guarded.hpp"
#include "util/clock.hpp"
#include "util/ip.hpp"

namespace cpshare {

namespace {

using catalog::Cluster;

constexpr const char* kClusterColumns =
    "c.id, c.cpc_id, c.owner_id, (SELECT username FROM accounts WHERE id = c.owner_id), c.class, c.resource_type, "
    "c.model, c.units, c.units_free, "
    "c.unit_memory, c.memory, c.vcpus, c.price_hourly, c.price_daily, c.price_monthly, c.price_yearly, "
    "c.vendor, c.location, c.region, c.storage, c.storage_desc, c.cuda, c.cudnn, c.python, c.frameworks, "
    "c.description, c.usage, c.platform_url, c.environments, c.status, "
    "c.created_at, c.updated_at, c.health, c.last_report_at, c.reliability_ppm, c.nodes_free";
// No join: the filter's bare column names must all be the catalogue's own.
constexpr const char* kFrom = "clusters c";

// The columns written by insert and update, in bind order.
constexpr const char* kClusterWritable[] = {
    "class",        "resource_type", "model",         "units",        "unit_memory",  "memory",   "vcpus",
    "price_hourly", "price_daily",   "price_monthly", "price_yearly", "vendor",       "location", "region",
    "storage",      "storage_desc",  "cuda",          "cuda_key",     "cudnn",        "python",   "frameworks",
    "description",  "usage",         "nodes",         "platform_url", "environments", "status",   "updated_at"};

void bind_text_or_null(SQLite::Statement& st, int i, const std::string& v) {
  if (v.empty())
    st.bind(i);
  else
    st.bind(i, v);
}

std::string join(const std::vector<std::string>& items, char sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}
std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  std::size_t start = 0;
  for (;;) {
    auto pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) return out;
    start = pos + 1;
  }
}

Cluster read_cluster(SQLite::Statement& st) {
  Cluster c;
  int i = 0;
  c.id = st.getColumn(i++).getInt64();
  c.cpc_id = st.getColumn(i++).getString();
  c.owner_id = st.getColumn(i++).getInt64();
  c.owner = st.getColumn(i++).getString();
  std::string cls = st.getColumn(i++).getString();
  c.cluster_class = cls.empty() ? 'A' : cls[0];
  c.resource_type = st.getColumn(i++).getString();
  c.model = st.getColumn(i++).getString();
  c.units = st.getColumn(i++).getInt64();
  c.units_free = st.getColumn(i++).getInt64();
  c.unit_memory = st.getColumn(i++).getInt64();
  c.memory = st.getColumn(i++).getInt64();
  c.vcpus = st.getColumn(i++).getInt64();
  c.prices.hourly = opt_int(st.getColumn(i++));
  c.prices.daily = opt_int(st.getColumn(i++));
  c.prices.monthly = opt_int(st.getColumn(i++));
  c.prices.yearly = opt_int(st.getColumn(i++));
  c.vendor = st.getColumn(i++).getString();
  c.location = st.getColumn(i++).getString();
  c.region = st.getColumn(i++).getString();
  c.storage_bytes = st.getColumn(i++).getInt64();
  c.storage_desc = st.getColumn(i++).getString();
  c.cuda = opt_text(st.getColumn(i++));
  c.cudnn = opt_text(st.getColumn(i++));
  c.python = opt_text(st.getColumn(i++));
  c.frameworks = split(st.getColumn(i++).getString(), ',');
  c.description = st.getColumn(i++).getString();
  c.usage = st.getColumn(i++).getString();
  c.platform_url = opt_text(st.getColumn(i++)).value_or("");
  c.environments = split(st.getColumn(i++).getString(), '\n');
  c.status = stored<ClusterStatus>("clusters.status", st.getColumn(i++));
  c.created_at = st.getColumn(i++).getInt64();
  c.updated_at = st.getColumn(i++).getInt64();
  c.health = stored_opt<ClusterHealth>("clusters.health", st.getColumn(i++));
  c.last_report_at = opt_int(st.getColumn(i++));
  c.reliability_ppm = opt_int(st.getColumn(i++));
  c.nodes_free = st.getColumn(i++).getInt64();
  return c;
}

int bind_cluster(SQLite::Statement& st, const Cluster& c) {
  int i = 1;
  st.bind(i++, std::string(1, c.cluster_class));
  st.bind(i++, c.resource_type);
  st.bind(i++, c.model);
  st.bind(i++, static_cast<int64_t>(c.units));
  st.bind(i++, static_cast<int64_t>(c.unit_memory));
  st.bind(i++, static_cast<int64_t>(c.memory));
  st.bind(i++, static_cast<int64_t>(c.vcpus));
  bind_opt(st, i++, c.prices.hourly);
  bind_opt(st, i++, c.prices.daily);
  bind_opt(st, i++, c.prices.monthly);
  bind_opt(st, i++, c.prices.yearly);
  st.bind(i++, c.vendor);
  st.bind(i++, c.location);
  st.bind(i++, c.region);
  st.bind(i++, static_cast<int64_t>(c.storage_bytes));
  st.bind(i++, c.storage_desc);
  bind_opt(st, i++, c.cuda);
  std::optional<std::string> key;
  if (c.cuda)
    if (auto k = catalog::version_key(*c.cuda)) key = *k;
  bind_opt(st, i++, key);
  bind_opt(st, i++, c.cudnn);
  bind_opt(st, i++, c.python);
  st.bind(i++, join(c.frameworks, ','));
  st.bind(i++, c.description);
  st.bind(i++, c.usage);
  st.bind(i++, static_cast<int64_t>(c.nodes.size()));
  bind_text_or_null(st, i++, c.platform_url);
  st.bind(i++, join(c.environments, '\n'));
  bind_name(st, i++, enum_name(c.status));
  st.bind(i++, static_cast<int64_t>(c.updated_at));
  return i;
}

void bind_param(SQLite::Statement& st, int i, const SqlParam& p) {
  if (const auto* n = std::get_if<std::int64_t>(&p))
    st.bind(i, static_cast<int64_t>(*n));
  else
    st.bind(i, std::get<std::string>(p));
}

// An A-class cluster's nodes, and which node each unit is on (units are
// numbered across the nodes in order). Rewrites them whole.
void write_nodes(Connection& db, std::int64_t cluster_id, const std::vector<catalog::Node>& nodes) {
  SQLite::Statement& del = db.prepare("DELETE FROM cluster_nodes WHERE cluster_id = ?");
  del.bind(1, static_cast<int64_t>(cluster_id));
  del.exec();
  SQLite::Statement& ins = db.prepare(
      "INSERT INTO cluster_nodes (cluster_id, node, host, port, admin_user, units, device_ids, host_key) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  SQLite::Statement& unit =
      db.prepare("UPDATE cluster_units SET node = ? WHERE cluster_id = ? AND idx >= ? AND idx < ?");
  std::int64_t first = 0;
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const catalog::Node& n = nodes[k];
    ins.reset();
    ins.bind(1, static_cast<int64_t>(cluster_id));
    ins.bind(2, static_cast<int64_t>(k));
    ins.bind(3, n.host);
    ins.bind(4, n.port);
    ins.bind(5, n.user);
    ins.bind(6, static_cast<int64_t>(n.units));
    ins.bind(7, join(n.device_ids, ','));
    bind_text_or_null(ins, 8, n.host_key);
    ins.exec();
    unit.reset();
    unit.bind(1, static_cast<int64_t>(k));
    unit.bind(2, static_cast<int64_t>(cluster_id));
    unit.bind(3, static_cast<int64_t>(first));
    unit.bind(4, static_cast<int64_t>(first + n.units));
    unit.exec();
    first += n.units;
  }
}

// The nodes of the given clusters, by cluster id, in node order: one query
// for a whole page of the catalogue (its ids are at most a page's limit), not
// one per cluster.
std::map<std::int64_t, std::vector<catalog::Node>> read_nodes(Connection& db, const std::vector<std::int64_t>& ids) {
  std::map<std::int64_t, std::vector<catalog::Node>> out;
  std::string marks;
  for (std::size_t k = 0; k < ids.size(); ++k) marks += k == 0 ? "?" : ", ?";
  // Not the statement cache: the text varies with the page's size.
  SQLite::Statement st(db, fmt::format("SELECT cluster_id, host, port, admin_user, units, device_ids, host_key "
                                       "FROM cluster_nodes WHERE cluster_id IN ({}) ORDER BY cluster_id, node",
                                       marks));
  for (std::size_t k = 0; k < ids.size(); ++k) {
    st.bind(static_cast<int>(k + 1), static_cast<int64_t>(ids[k]));
    out[ids[k]];  // a cluster without nodes still has its (empty) entry
  }
  while (st.executeStep())
    out[st.getColumn(0).getInt64()].push_back(
        {st.getColumn(1).getString(), st.getColumn(2).getInt(), st.getColumn(3).getString(), st.getColumn(4).getInt64(),
         split(st.getColumn(5).getString(), ','), opt_text(st.getColumn(6)).value_or("")});
  return out;
}

// What a unit's row says of its GPU, beyond its index and node.
struct UnitState {
  std::string status = "idle";
  std::optional<std::int64_t> lost_since;
  std::int64_t lost_offline = 0;
  std::optional<std::string> gpu_uuid;
};

// The cluster's units by index, as stored.
std::vector<UnitState> unit_states(Connection& db, std::int64_t cluster_id) {
  SQLite::Statement& st = db.prepare(
      "SELECT status, lost_since, lost_offline, gpu_uuid FROM cluster_units WHERE cluster_id = ? ORDER BY idx");
  st.bind(1, static_cast<int64_t>(cluster_id));
  std::vector<UnitState> out;
  while (st.executeStep())
    out.push_back(
        {st.getColumn(0).getString(), opt_int(st.getColumn(1)), st.getColumn(2).getInt64(), opt_text(st.getColumn(3))});
  st.reset();
  return out;
}

// After the node list changed: each unit of a node that was there before (same
// host and port) gets the state its GPU had, by its index on that node, so a
// GPU taken offline for maintenance stays offline however the nodes were
// reordered; the GPUs of new nodes are idle.
void remap_units(Connection& db, std::int64_t cluster_id, const std::vector<catalog::Node>& before,
                 const std::vector<UnitState>& states, const std::vector<catalog::Node>& after) {
  SQLite::Statement& st = db.prepare(
      "UPDATE cluster_units SET status = ?, lost_since = ?, lost_offline = ?, gpu_uuid = ? "
      "WHERE cluster_id = ? AND idx = ?");
  std::int64_t idx = 0;
  for (const catalog::Node& n : after) {
    const auto old =
        std::ranges::find_if(before, [&](const catalog::Node& o) { return o.host == n.host && o.port == n.port; });
    std::int64_t old_first = 0;
    for (auto it = before.begin(); it != old; ++it) old_first += it->units;
    for (std::int64_t local = 0; local < n.units; ++local, ++idx) {
      const std::int64_t from = old_first + local;
      const bool kept = old != before.end() && local < old->units && from < static_cast<std::int64_t>(states.size());
      const UnitState s = kept ? states[static_cast<std::size_t>(from)] : UnitState{};
      st.reset();
      bind_name(st, 1, s.status);
      bind_opt(st, 2, s.lost_since);
      st.bind(3, static_cast<int64_t>(s.lost_offline));
      bind_opt(st, 4, s.gpu_uuid);
      st.bind(5, static_cast<int64_t>(cluster_id));
      st.bind(6, static_cast<int64_t>(idx));
      st.exec();
    }
  }
}

// Another cluster that offers the machine with this host key: listed, or
// delisted with a unit of that node still leased. "node 2 of cp-…", or
// nullopt. One machine in two clusters would be leased twice (issue 12).
std::optional<std::string> pinned_elsewhere(Connection& db, std::int64_t cluster_id, const std::string& fingerprint) {
  SQLite::Statement& st = db.prepare(
      "SELECT n.node, c.cpc_id, c.status FROM cluster_nodes n JOIN clusters c ON c.id = n.cluster_id "
      "WHERE n.host_key = ? AND n.cluster_id <> ? AND (c.status = 'listed' OR EXISTS (SELECT 1 FROM lease_units h "
      "JOIN cluster_units u ON u.cluster_id = h.cluster_id AND u.idx = h.idx "
      "WHERE h.cluster_id = n.cluster_id AND h.held = 1 AND u.node = n.node)) LIMIT 1");
  st.bind(1, fingerprint);
  st.bind(2, static_cast<int64_t>(cluster_id));
  std::optional<std::string> out;
  if (st.executeStep())
    out = st.getColumn(2).getString() == "listed"
              ? fmt::format(
                    "node {} of {}, which is listed: it can join this cluster once that cluster's supplier "
                    "takes it out (cpshare update --node) or delists that cluster",
                    st.getColumn(0).getInt64(), st.getColumn(1).getString())
              : fmt::format("node {} of {}, delisted but still leased: it can join this cluster once those leases end",
                            st.getColumn(0).getInt64(), st.getColumn(1).getString());
  st.reset();
  return out;
}

std::unexpected<Error> offered_twice(const std::string& fingerprint, const std::string& where) {
  return fail(ErrorCode::Conflict,
              fmt::format("the machine with host key {} is already {} (one machine is offered in one cluster "
                          "only, or it would be leased twice)",
                          fingerprint, where));
}

// A changed node list (host, port, user, units, device ids) is written only
// while no lease holds a unit of the cluster and no lease account removal is
// pending on it: both go by the nodes as they were (CONFLICT otherwise).
// `states` are the units as they were before the cluster's units were resized.
Result<> update_nodes(Connection& db, const Cluster& c, const std::vector<UnitState>& states) {
  auto stored = read_nodes(db, {c.id})[c.id];
  auto same = [](const catalog::Node& a, const catalog::Node& b) {
    return a.same_endpoint(b) && a.units == b.units && a.device_ids == b.device_ids;
  };
  if (std::ranges::equal(stored, c.nodes, same)) return {};
  SQLite::Statement& held = db.prepare(
      "SELECT (SELECT COUNT(*) FROM lease_units WHERE cluster_id = ?1 AND held = 1), "
      "(SELECT COUNT(*) FROM revocations r JOIN leases l ON l.id = r.lease_id "
      " WHERE l.cluster_id = ?1 AND r.done_at IS NULL)");
  held.bind(1, static_cast<int64_t>(c.id));
  held.executeStep();
  const std::int64_t units_held = held.getColumn(0).getInt64(), removals = held.getColumn(1).getInt64();
  held.reset();
  if (units_held > 0)
    return fail(ErrorCode::Conflict, fmt::format("leases hold {} unit{} of {}: change its nodes after they end",
                                                 units_held, units_held == 1 ? "" : "s", c.cpc_id));
  if (removals > 0)
    return fail(ErrorCode::Conflict,
                fmt::format("{} lease account removal{} on {}'s nodes {} still pending: change its nodes once the "
                            "platform has reached them (cpshare leases --incoming shows which)",
                            removals, removals == 1 ? "" : "s", c.cpc_id, removals == 1 ? "is" : "are"));
  write_nodes(db, c.id, c.nodes);
  remap_units(db, c.id, stored, states, c.nodes);
  return {};
}

// Fills the nodes of the A-class clusters among `clusters`.
void fill_nodes(Connection& db, std::vector<Cluster>& clusters) {
  std::vector<std::int64_t> ids;
  for (const auto& c : clusters)
    if (c.cluster_class == 'A') ids.push_back(c.id);
  if (ids.empty()) return;
  auto nodes = read_nodes(db, ids);
  for (auto& c : clusters)
    if (c.cluster_class == 'A') c.nodes = std::move(nodes[c.id]);
}

}  // namespace

Result<std::int64_t> CatalogStore::insert(const Cluster& c) {
  auto inserted = db_.write("insert cluster", [&](Connection& db) -> Result<std::int64_t> {
    std::string cols, marks;
    for (const char* col : kClusterWritable) {
      cols += std::string(col) + ", ";
      marks += "?, ";
    }
    SQLite::Statement& st =
        db.prepare(fmt::format("INSERT INTO clusters ({}cpc_id, owner_id, units_free, created_at, health) "
                               "VALUES ({}?, ?, ?, ?, ?)",
                               cols, marks));
    int i = bind_cluster(st, c);
    st.bind(i++, c.cpc_id);
    st.bind(i++, static_cast<int64_t>(c.owner_id));
    st.bind(i++, static_cast<int64_t>(c.units));
    st.bind(i++, static_cast<int64_t>(c.created_at));
    // A B-class cluster is offline until its agent's first report (R-LEASE-6).
    bind_opt_enum(st, i++, c.cluster_class == 'B' ? std::optional(ClusterHealth::Offline) : std::nullopt);
    st.exec();
    const std::int64_t id = db.getLastInsertRowid();
    SQLite::Statement& unit = db.prepare("INSERT INTO cluster_units (cluster_id, idx, status) VALUES (?, ?, 'idle')");
    for (std::int64_t k = 0; k < c.units; ++k) {
      unit.reset();
      unit.bind(1, static_cast<int64_t>(id));
      unit.bind(2, static_cast<int64_t>(k));
      unit.exec();
    }
    if (c.cluster_class == 'A') {
      write_nodes(db, id, c.nodes);
      refresh_units_free(db, id);
    }
    return id;
  });
  if (inserted) db_.cluster_inserted(*inserted);
  return inserted;
}

Result<std::optional<Cluster>> CatalogStore::by_cpc_id(const std::string& cpc_id) {
  return db_.read("cluster", [&](Connection& db) -> Result<std::optional<Cluster>> {
    SQLite::Statement& st = db.prepare(fmt::format("SELECT {} FROM {} WHERE c.cpc_id = ?", kClusterColumns, kFrom));
    st.bind(1, cpc_id);
    if (!st.executeStep()) return std::optional<Cluster>{};
    std::vector<Cluster> one{read_cluster(st)};
    fill_nodes(db, one);
    return std::optional<Cluster>(std::move(one.front()));
  });
}

Result<> CatalogStore::update(const Cluster& c) {
  return db_.write("update cluster", [&](Connection& db) -> Result<> {
    SQLite::Statement& units = db.prepare("SELECT units, status FROM clusters WHERE id = ?");
    units.bind(1, static_cast<int64_t>(c.id));
    if (!units.executeStep()) return fail(ErrorCode::NotFound, fmt::format("cluster {} not found", c.cpc_id));
    const std::int64_t current = units.getColumn(0).getInt64();
    const bool relisted = units.getColumn(1).getString() != "listed" && c.status == catalog::ClusterStatus::Listed;
    units.reset();
    if (relisted)  // its machines may have been offered in another cluster while it was delisted
      for (const catalog::Node& n : c.nodes)
        if (!n.host_key.empty())
          if (auto other = pinned_elsewhere(db, c.id, n.host_key)) return offered_twice(n.host_key, *other);
    const std::vector<UnitState> states = c.cluster_class == 'A' ? unit_states(db, c.id) : std::vector<UnitState>{};
    if (c.units < current) {
      SQLite::Statement& busy = db.prepare(
          "SELECT COUNT(*) FROM cluster_units WHERE cluster_id = ? AND idx >= ? "
          "AND status IN ('busy', 'reserved')");
      busy.bind(1, static_cast<int64_t>(c.id));
      busy.bind(2, static_cast<int64_t>(c.units));
      busy.executeStep();
      if (busy.getColumn(0).getInt64() > 0)
        return fail(ErrorCode::Conflict, fmt::format("units {}..{} include leased ones; shrink the cluster after "
                                                     "their leases end",
                                                     c.units, current - 1));
      SQLite::Statement& del = db.prepare("DELETE FROM cluster_units WHERE cluster_id = ? AND idx >= ?");
      del.bind(1, static_cast<int64_t>(c.id));
      del.bind(2, static_cast<int64_t>(c.units));
      del.exec();
    } else if (c.units > current) {
      SQLite::Statement& unit = db.prepare("INSERT INTO cluster_units (cluster_id, idx, status) VALUES (?, ?, 'idle')");
      for (std::int64_t k = current; k < c.units; ++k) {
        unit.reset();
        unit.bind(1, static_cast<int64_t>(c.id));
        unit.bind(2, static_cast<int64_t>(k));
        unit.exec();
      }
    }
    std::string sets;
    for (const char* col : kClusterWritable) {
      if (!sets.empty()) sets += ", ";
      sets += std::string(col) + " = ?";
    }
    SQLite::Statement& st = db.prepare(fmt::format("UPDATE clusters SET {} WHERE id = ?", sets));
    int i = bind_cluster(st, c);
    st.bind(i, static_cast<int64_t>(c.id));
    if (st.exec() != 1) return fail(ErrorCode::NotFound, fmt::format("cluster {} not found", c.cpc_id));
    if (c.cluster_class == 'A') TRY(update_nodes(db, c, states));
    refresh_units_free(db, c.id);
    return {};
  });
}

// The page is read as a sequence of parts, each in an order an index gives,
// so that a first page stops after `limit` rows instead of sorting the whole
// catalogue: the caller's region, then the rest; or, for a sort by a price,
// the clusters offering that mode, then those that do not (docs/PERFORMANCE.md).
Result<std::vector<Cluster>> CatalogStore::query(const ClusterQuery& q) {
  struct Part {
    std::string where;
    std::optional<std::string> param;
    std::string order;
    std::string from = kFrom;
  };
  std::vector<Part> parts;
  if (q.sort) {
    const std::string column(column_sql(q.sort->column));
    const std::string dir = q.sort->descending ? " DESC" : "";
    const std::string order = column + dir + ", id" + dir;
    if (q.sort->nullable) {
      // A price: walk its index (migration 3) in order. It holds the columns
      // most filters test, so terms are checked without reading the row, and
      // the page ends after `limit` matches. Left to itself, the planner
      // sometimes sorted a range of another index instead (docs/PERFORMANCE.md).
      const bool price = column.starts_with("price_");
      parts.push_back({column + " IS NOT NULL",
                       {},
                       order,
                       price ? fmt::format("clusters c INDEXED BY clusters_{}", column) : kFrom});
      parts.push_back({column + " IS NULL", {}, "id DESC"});
    } else {
      parts.push_back({"1=1", {}, order});
    }
  } else if (q.region_first) {
    parts.push_back({"region = ? COLLATE NOCASE", q.region_first, "id DESC"});
    parts.push_back({"region <> ? COLLATE NOCASE", q.region_first, "id DESC"});
  } else {
    parts.push_back({"1=1", {}, "id DESC"});
  }
  const SqlCondition filter = filter_sql(q.filter);
  std::string where = "(" + filter.where + ")";
  if (q.owner_id) where += " AND owner_id = ?";
  // Offered: listed, a unit idle, and not a B-class cluster whose agent is silent (R-LEASE-6).
  // An A-class lease takes whole nodes: a free node, too.
  if (q.available_only)
    where +=
        " AND status = 'listed' AND units_free > 0 AND (class = 'B' OR nodes_free > 0) "
        "AND (health IS NULL OR health = 'online')";

  return db_.read("list clusters", [&](Connection& db) -> Result<std::vector<Cluster>> {
    auto bind = [&](SQLite::Statement& st, const Part& part) {
      int i = 1;
      for (const auto& p : filter.params) bind_param(st, i++, p);
      if (q.owner_id) st.bind(i++, static_cast<int64_t>(*q.owner_id));
      if (part.param) st.bind(i++, *part.param);
      return i;
    };
    std::vector<Cluster> out;
    std::int64_t offset = q.offset;
    for (const auto& part : parts) {
      const auto want = static_cast<std::int64_t>(q.limit) - static_cast<std::int64_t>(out.size());
      if (want <= 0) break;
      SQLite::Statement st(db, fmt::format("SELECT {} FROM {} WHERE {} AND {} ORDER BY {} LIMIT ? OFFSET ?",
                                           kClusterColumns, part.from, where, part.where, part.order));
      int i = bind(st, part);
      st.bind(i++, static_cast<int64_t>(want));
      st.bind(i, static_cast<int64_t>(offset));
      const std::size_t before = out.size();
      while (st.executeStep()) out.push_back(read_cluster(st));
      if (out.size() > before || offset == 0) {
        offset = 0;  // the offset ended inside this part (or there was none)
        continue;
      }
      // The whole part lies before the offset: skip it.
      SQLite::Statement count(db, fmt::format("SELECT COUNT(*) FROM {} WHERE {} AND {}", kFrom, where, part.where));
      bind(count, part);
      count.executeStep();
      offset -= std::min<std::int64_t>(offset, count.getColumn(0).getInt64());
    }
    fill_nodes(db, out);
    return out;
  });
}

Result<std::vector<UnitRow>> CatalogStore::units(std::int64_t cluster_id) {
  return db_.read("units", [&](Connection& db) -> Result<std::vector<UnitRow>> {
    SQLite::Statement& st =
        db.prepare("SELECT idx, status, lost_since, node FROM cluster_units WHERE cluster_id = ? ORDER BY idx");
    st.bind(1, static_cast<int64_t>(cluster_id));
    std::vector<UnitRow> out;
    while (st.executeStep())
      out.push_back({st.getColumn(0).getInt(), stored<UnitStatus>("cluster_units.status", st.getColumn(1)),
                     opt_int(st.getColumn(2)), st.getColumn(3).getInt()});
    return out;
  });
}

Result<> CatalogStore::set_unit_status(std::int64_t cluster_id, int index, UnitStatus status, std::int64_t now) {
  return db_.write("set unit", [&](Connection& db) -> Result<> {
    SQLite::Statement& cur =
        db.prepare("SELECT status, lost_since FROM cluster_units WHERE cluster_id = ? AND idx = ?");
    cur.bind(1, static_cast<int64_t>(cluster_id));
    cur.bind(2, index);
    if (!cur.executeStep()) return fail(ErrorCode::NotFound, fmt::format("the cluster has no unit {}", index));
    if (const UnitStatus now_status = stored<UnitStatus>("cluster_units.status", cur.getColumn(0));
        now_status == UnitStatus::Busy || now_status == UnitStatus::Reserved)
      return fail(ErrorCode::Conflict, fmt::format("unit {} is {}: a lease holds it; it returns to idle when "
                                                   "the lease ends",
                                                   index, enum_name(now_status)));
    if (status == UnitStatus::Idle && !cur.getColumn(1).isNull())
      return fail(ErrorCode::Conflict, fmt::format("unit {}'s GPU is lost (since {}); it returns to idle when the "
                                                   "agent reports the GPU again",
                                                   index, rfc3339(cur.getColumn(1).getInt64())));
    // The owner's choice from now on: the GPU's return no longer makes it idle.
    SQLite::Statement& st =
        db.prepare("UPDATE cluster_units SET status = ?, lost_offline = 0 WHERE cluster_id = ? AND idx = ?");
    bind_name(st, 1, enum_name(status));
    st.bind(2, static_cast<int64_t>(cluster_id));
    st.bind(3, index);
    st.exec();
    SQLite::Statement& touch = db.prepare("UPDATE clusters SET updated_at = ? WHERE id = ?");
    touch.bind(1, static_cast<int64_t>(now));
    touch.bind(2, static_cast<int64_t>(cluster_id));
    touch.exec();
    refresh_units_free(db, cluster_id);
    return {};
  });
}

Result<ClusterSecrets> CatalogStore::secrets(std::int64_t cluster_id) {
  return db_.read("cluster secrets", [&](Connection& db) -> Result<ClusterSecrets> {
    SQLite::Statement& st =
        db.prepare("SELECT ssh_key_enc, ssh_public_key, agent_token_hash FROM cluster_secrets WHERE cluster_id = ?");
    st.bind(1, static_cast<int64_t>(cluster_id));
    if (!st.executeStep()) return ClusterSecrets{};
    return ClusterSecrets{blob(st.getColumn(0)), opt_text(st.getColumn(1)).value_or(""), blob(st.getColumn(2))};
  });
}

Result<> CatalogStore::set_secrets(std::int64_t cluster_id, const ClusterSecrets& s) {
  return db_.write("set cluster secrets", [&](Connection& db) -> Result<> {
    SQLite::Statement& st = db.prepare(
        "INSERT INTO cluster_secrets (cluster_id, ssh_key_enc, ssh_public_key, agent_token_hash) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (cluster_id) DO UPDATE SET "
        "ssh_key_enc = excluded.ssh_key_enc, ssh_public_key = excluded.ssh_public_key, "
        "agent_token_hash = excluded.agent_token_hash");
    st.bind(1, static_cast<int64_t>(cluster_id));
    bind_blob(st, 2, s.ssh_key_cipher);
    bind_text_or_null(st, 3, s.ssh_public_key);
    bind_blob(st, 4, s.agent_token_hash);
    st.exec();
    return {};
  });
}

Result<> CatalogStore::pin_node(std::int64_t cluster_id, std::size_t node, const catalog::Node& as_verified,
                                const std::string& fingerprint) {
  return db_.write("pin node", [&](Connection& db) -> Result<> {
    if (auto other = pinned_elsewhere(db, cluster_id, fingerprint)) return offered_twice(fingerprint, *other);
    SQLite::Statement& st = db.prepare(
        "UPDATE cluster_nodes SET host_key = ? WHERE cluster_id = ? AND node = ? AND host = ? AND port = ? "
        "AND admin_user = ?");
    st.bind(1, fingerprint);
    st.bind(2, static_cast<int64_t>(cluster_id));
    st.bind(3, static_cast<int64_t>(node));
    st.bind(4, as_verified.host);
    st.bind(5, as_verified.port);
    st.bind(6, as_verified.user);
    if (st.exec() != 1)
      return fail(ErrorCode::Conflict, fmt::format("node {} ({}) changed while it was verified; verify again", node,
                                                   ip::endpoint_text(as_verified.host, as_verified.port)));
    return {};
  });
}

}  // namespace cpshare
