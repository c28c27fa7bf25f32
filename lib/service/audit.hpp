// The audit log's one writer (R-SEC-4), for every service. The event is an
// AuditEventName (domain/audit.hpp), so only listed, documented events can be
// written.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "domain/account.hpp"
#include "domain/audit.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"
#include "util/error.hpp"

namespace cpshare {

// Who sends a request (for throttling and the audit log).
struct RequestContext {
  std::string ip;
  std::string user_agent;
  std::string agent_token = {};  // api::Auth::Agent endpoints only: the bearer token, for their service to check
};

// Appends `event` at clock.now(): `who` (may be null: the scheduler; or an
// account not stored yet, id 0, such as an unknown login name) gives the
// account id (when non-zero) and the username; ctx.ip the client's address;
// detail a JSON object, stored as text. Joins the caller's transaction when
// there is one (AuditStore::append), so an event and the change it records
// commit together. Fails as the store does (Internal).
Result<> write_audit(Store& store, const Clock& clock, AuditEventName event, const Account* who,
                     const RequestContext& ctx, const nlohmann::json& detail = nlohmann::json::object());

}  // namespace cpshare
