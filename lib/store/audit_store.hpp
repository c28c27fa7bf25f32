// The audit log (R-SEC-4): security events, appended in the transaction of
// the change they record (service/audit.hpp), read by admins newest first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/account.hpp"
#include "util/error.hpp"

namespace cpshare {

class Database;

struct AuditQuery {
  int limit = 100;
  std::optional<std::int64_t> before_id;  // only events older than this one (paging)
  std::optional<std::string> event;       // an AuditEventName's string
  std::optional<std::string> username;
};

class AuditStore {
 public:
  explicit AuditStore(Database& db) : db_(db) {}

  // Appends e (its id ignored); gives the new event's id.
  Result<std::int64_t> append(const AuditEvent& e);
  // Matching events, newest (highest id) first, at most q.limit.
  Result<std::vector<AuditEvent>> query(const AuditQuery& q);

 private:
  Database& db_;
};

}  // namespace cpshare
