// The catalogue's SQL: clusters and their units (migration 2).
#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "catalog/units.hpp"
#include "store/guarded.hpp"

namespace cpshare {

namespace {

using catalog::Cluster;

constexpr const char* kClusterColumns =
    "c.id, c.cpc_id, c.owner_id, a.username, c.class, c.resource_type, c.model, c.units, c.units_free, "
    "c.unit_memory, c.memory, c.vcpus, c.price_hourly, c.price_daily, c.price_monthly, c.price_yearly, "
    "c.vendor, c.location, c.region, c.storage, c.storage_desc, c.cuda, c.cudnn, c.python, c.frameworks, "
    "c.description, c.usage, c.ssh_host, c.ssh_port, c.ssh_user, c.platform_url, c.environments, c.status, "
    "c.created_at, c.updated_at";
constexpr const char* kFrom = "clusters c JOIN accounts a ON a.id = c.owner_id";

// The columns written by insert and update, in bind order.
constexpr const char* kWritable[] = {
    "class", "resource_type", "model", "units", "unit_memory", "memory", "vcpus", "price_hourly",
    "price_daily", "price_monthly", "price_yearly", "vendor", "location", "region", "storage",
    "storage_desc", "cuda", "cuda_key", "cudnn", "python", "frameworks", "description", "usage",
    "ssh_host", "ssh_port", "ssh_user", "platform_url", "environments", "status", "updated_at"};

void bind_text_or_null(SQLite::Statement& st, int i, const std::string& v) {
  if (v.empty()) st.bind(i); else st.bind(i, v);
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
  c.ssh_host = opt_text(st.getColumn(i++)).value_or("");
  c.ssh_port = static_cast<int>(opt_int(st.getColumn(i++)).value_or(22));
  c.ssh_user = opt_text(st.getColumn(i++)).value_or("");
  c.platform_url = opt_text(st.getColumn(i++)).value_or("");
  c.environments = split(st.getColumn(i++).getString(), '\n');
  c.status = catalog::cluster_status_from_name(st.getColumn(i++).getString()).value_or(catalog::ClusterStatus::Listed);
  c.created_at = st.getColumn(i++).getInt64();
  c.updated_at = st.getColumn(i++).getInt64();
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
  bind_text_or_null(st, i++, c.ssh_host);
  if (c.cluster_class == 'A') st.bind(i++, c.ssh_port); else st.bind(i++);
  bind_text_or_null(st, i++, c.ssh_user);
  bind_text_or_null(st, i++, c.platform_url);
  st.bind(i++, join(c.environments, '\n'));
  st.bind(i++, std::string(catalog::cluster_status_name(c.status)));
  st.bind(i++, static_cast<int64_t>(c.updated_at));
  return i;
}

void bind_param(SQLite::Statement& st, int i, const catalog::SqlParam& p) {
  if (const auto* n = std::get_if<std::int64_t>(&p)) st.bind(i, static_cast<int64_t>(*n));
  else st.bind(i, std::get<std::string>(p));
}

// Keeps units_free equal to the number of idle units (the filter and list read it).
void refresh_units_free(SQLite::Database& db, std::int64_t cluster_id) {
  SQLite::Statement st(db,
                       "UPDATE clusters SET units_free = (SELECT COUNT(*) FROM cluster_units "
                       "WHERE cluster_id = ? AND status = 'idle') WHERE id = ?");
  st.bind(1, static_cast<int64_t>(cluster_id));
  st.bind(2, static_cast<int64_t>(cluster_id));
  st.exec();
}

}  // namespace

Result<std::int64_t> Store::insert_cluster(const Cluster& c) {
  std::int64_t id = 0;
  TRY(atomically([&]() -> Result<> {
    return guarded("insert cluster", [&]() -> Result<> {
      std::string cols, marks;
      for (const char* col : kWritable) {
        cols += std::string(col) + ", ";
        marks += "?, ";
      }
      SQLite::Statement st(*db_, fmt::format("INSERT INTO clusters ({}cpc_id, owner_id, units_free, created_at) "
                                             "VALUES ({}?, ?, ?, ?)",
                                             cols, marks));
      int i = bind_cluster(st, c);
      st.bind(i++, c.cpc_id);
      st.bind(i++, static_cast<int64_t>(c.owner_id));
      st.bind(i++, static_cast<int64_t>(c.units));
      st.bind(i++, static_cast<int64_t>(c.created_at));
      st.exec();
      id = db_->getLastInsertRowid();
      SQLite::Statement unit(*db_, "INSERT INTO cluster_units (cluster_id, idx, status) VALUES (?, ?, 'idle')");
      for (std::int64_t k = 0; k < c.units; ++k) {
        unit.reset();
        unit.bind(1, static_cast<int64_t>(id));
        unit.bind(2, static_cast<int64_t>(k));
        unit.exec();
      }
      return {};
    });
  }));
  return id;
}

Result<std::optional<Cluster>> Store::cluster_by_cpc_id(const std::string& cpc_id) {
  return guarded("cluster", [&]() -> Result<std::optional<Cluster>> {
    SQLite::Statement st(*db_, fmt::format("SELECT {} FROM {} WHERE c.cpc_id = ?", kClusterColumns, kFrom));
    st.bind(1, cpc_id);
    if (!st.executeStep()) return std::optional<Cluster>{};
    return std::optional<Cluster>(read_cluster(st));
  });
}

Result<> Store::update_cluster(const Cluster& c) {
  return atomically([&]() -> Result<> {
    return guarded("update cluster", [&]() -> Result<> {
      SQLite::Statement units(*db_, "SELECT units FROM clusters WHERE id = ?");
      units.bind(1, static_cast<int64_t>(c.id));
      if (!units.executeStep()) return fail(ErrorCode::NotFound, fmt::format("cluster {} not found", c.cpc_id));
      const std::int64_t current = units.getColumn(0).getInt64();
      if (c.units < current) {
        SQLite::Statement busy(*db_, "SELECT COUNT(*) FROM cluster_units WHERE cluster_id = ? AND idx >= ? "
                                     "AND status = 'busy'");
        busy.bind(1, static_cast<int64_t>(c.id));
        busy.bind(2, static_cast<int64_t>(c.units));
        busy.executeStep();
        if (busy.getColumn(0).getInt64() > 0)
          return fail(ErrorCode::Conflict, fmt::format("units {}..{} include busy ones; shrink the cluster after "
                                                       "their leases end",
                                                       c.units, current - 1));
        SQLite::Statement del(*db_, "DELETE FROM cluster_units WHERE cluster_id = ? AND idx >= ?");
        del.bind(1, static_cast<int64_t>(c.id));
        del.bind(2, static_cast<int64_t>(c.units));
        del.exec();
      } else if (c.units > current) {
        SQLite::Statement unit(*db_, "INSERT INTO cluster_units (cluster_id, idx, status) VALUES (?, ?, 'idle')");
        for (std::int64_t k = current; k < c.units; ++k) {
          unit.reset();
          unit.bind(1, static_cast<int64_t>(c.id));
          unit.bind(2, static_cast<int64_t>(k));
          unit.exec();
        }
      }
      std::string sets;
      for (const char* col : kWritable) {
        if (!sets.empty()) sets += ", ";
        sets += std::string(col) + " = ?";
      }
      SQLite::Statement st(*db_, fmt::format("UPDATE clusters SET {} WHERE id = ?", sets));
      int i = bind_cluster(st, c);
      st.bind(i, static_cast<int64_t>(c.id));
      if (st.exec() != 1) return fail(ErrorCode::NotFound, fmt::format("cluster {} not found", c.cpc_id));
      refresh_units_free(*db_, c.id);
      return {};
    });
  });
}

Result<std::vector<Cluster>> Store::clusters(const ClusterQuery& q) {
  return guarded("list clusters", [&]() -> Result<std::vector<Cluster>> {
    std::string where = "(" + q.filter.where + ")";
    if (q.owner_id) where += " AND c.owner_id = ?";
    if (q.available_only) where += " AND c.status = 'listed' AND c.units_free > 0";
    std::string order;
    if (!q.order_by.empty()) order = q.order_by + ", ";
    else if (q.region_first) order = "CASE WHEN c.region = ? THEN 0 ELSE 1 END, ";
    order += "c.created_at DESC, c.id DESC";
    SQLite::Statement st(*db_, fmt::format("SELECT {} FROM {} WHERE {} ORDER BY {} LIMIT ? OFFSET ?", kClusterColumns,
                                           kFrom, where, order));
    int i = 1;
    for (const auto& p : q.filter.params) bind_param(st, i++, p);
    if (q.owner_id) st.bind(i++, static_cast<int64_t>(*q.owner_id));
    if (q.order_by.empty() && q.region_first) st.bind(i++, *q.region_first);
    st.bind(i++, q.limit);
    st.bind(i++, q.offset);
    std::vector<Cluster> out;
    while (st.executeStep()) out.push_back(read_cluster(st));
    return out;
  });
}

Result<std::vector<UnitRow>> Store::cluster_units(std::int64_t cluster_id) {
  return guarded("units", [&]() -> Result<std::vector<UnitRow>> {
    SQLite::Statement st(*db_, "SELECT idx, status FROM cluster_units WHERE cluster_id = ? ORDER BY idx");
    st.bind(1, static_cast<int64_t>(cluster_id));
    std::vector<UnitRow> out;
    while (st.executeStep()) out.push_back({st.getColumn(0).getInt(), st.getColumn(1).getString()});
    return out;
  });
}

Result<> Store::set_unit_status(std::int64_t cluster_id, int index, const std::string& status, std::int64_t now) {
  return atomically([&]() -> Result<> {
    return guarded("set unit", [&]() -> Result<> {
      SQLite::Statement cur(*db_, "SELECT status FROM cluster_units WHERE cluster_id = ? AND idx = ?");
      cur.bind(1, static_cast<int64_t>(cluster_id));
      cur.bind(2, index);
      if (!cur.executeStep()) return fail(ErrorCode::NotFound, fmt::format("the cluster has no unit {}", index));
      if (cur.getColumn(0).getString() == "busy")
        return fail(ErrorCode::Conflict, fmt::format("unit {} is busy: a lease holds it; it returns to idle when "
                                                     "the lease ends",
                                                     index));
      SQLite::Statement st(*db_, "UPDATE cluster_units SET status = ? WHERE cluster_id = ? AND idx = ?");
      st.bind(1, status);
      st.bind(2, static_cast<int64_t>(cluster_id));
      st.bind(3, index);
      st.exec();
      SQLite::Statement touch(*db_, "UPDATE clusters SET updated_at = ? WHERE id = ?");
      touch.bind(1, static_cast<int64_t>(now));
      touch.bind(2, static_cast<int64_t>(cluster_id));
      touch.exec();
      refresh_units_free(*db_, cluster_id);
      return {};
    });
  });
}

Result<ClusterSecrets> Store::cluster_secrets(std::int64_t cluster_id) {
  return guarded("cluster secrets", [&]() -> Result<ClusterSecrets> {
    SQLite::Statement st(*db_, "SELECT ssh_key_enc, ssh_public_key, ssh_host_key, agent_token_hash FROM clusters "
                               "WHERE id = ?");
    st.bind(1, static_cast<int64_t>(cluster_id));
    if (!st.executeStep()) return fail(ErrorCode::NotFound, "cluster not found");
    return ClusterSecrets{blob(st.getColumn(0)), opt_text(st.getColumn(1)).value_or(""),
                          opt_text(st.getColumn(2)).value_or(""), blob(st.getColumn(3))};
  });
}

Result<> Store::set_cluster_secrets(std::int64_t cluster_id, const ClusterSecrets& s) {
  return guarded("set cluster secrets", [&]() -> Result<> {
    SQLite::Statement st(*db_, "UPDATE clusters SET ssh_key_enc = ?, ssh_public_key = ?, ssh_host_key = ?, "
                               "agent_token_hash = ? WHERE id = ?");
    bind_blob(st, 1, s.ssh_key_cipher);
    bind_text_or_null(st, 2, s.ssh_public_key);
    bind_text_or_null(st, 3, s.ssh_host_key);
    bind_blob(st, 4, s.agent_token_hash);
    st.bind(5, static_cast<int64_t>(cluster_id));
    st.exec();
    return {};
  });
}

}  // namespace cpshare
