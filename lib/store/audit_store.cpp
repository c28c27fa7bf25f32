// The audit log's SQL (R-SEC-4): appended inside the transaction of the
// change it records, read newest first.
#include "store/audit_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "store/guarded.hpp"

namespace cpshare {

Result<std::int64_t> AuditStore::append(const AuditEvent& e) {
  return db_.write("audit", [&](Connection& db) -> Result<std::int64_t> {
    SQLite::Statement& st = db.prepare(
        "INSERT INTO audit_log (at, event, account_id, username, ip, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    st.bind(1, static_cast<int64_t>(e.at));
    bind_name(st, 2, enum_name(e.event));
    bind_opt(st, 3, e.account_id);
    st.bind(4, e.username);
    st.bind(5, e.ip);
    st.bind(6, e.detail_json);
    st.exec();
    return db.getLastInsertRowid();
  });
}

Result<std::vector<AuditEvent>> AuditStore::query(const AuditQuery& q) {
  return db_.read("read audit", [&](Connection& db) -> Result<std::vector<AuditEvent>> {
    std::string where = "1 = 1";
    if (q.before_id) where += " AND id < ?";
    if (q.event) where += " AND event = ?";
    if (q.username) where += " AND username = ?";
    SQLite::Statement& st =
        db.prepare(fmt::format("SELECT id, at, event, account_id, username, ip, detail "
                               "FROM audit_log WHERE {} ORDER BY id DESC LIMIT ?",
                               where));
    int i = 1;
    if (q.before_id) st.bind(i++, static_cast<int64_t>(*q.before_id));
    if (q.event) st.bind(i++, *q.event);
    if (q.username) st.bind(i++, *q.username);
    st.bind(i, q.limit);
    std::vector<AuditEvent> out;
    while (st.executeStep()) {
      AuditEvent e;
      e.id = st.getColumn(0).getInt64();
      e.at = st.getColumn(1).getInt64();
      e.event = stored<AuditEventName>("audit_log.event", st.getColumn(2));
      e.account_id = opt_int(st.getColumn(3));
      e.username = st.getColumn(4).getString();
      e.ip = st.getColumn(5).getString();
      e.detail_json = st.getColumn(6).getString();
      out.push_back(std::move(e));
    }
    return out;
  });
}

}  // namespace cpshare
