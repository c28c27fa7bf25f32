#include "service/audit.hpp"

namespace cpshare {

Result<> write_audit(Store& store, const Clock& clock, AuditEventName event, const Account* who,
                     const RequestContext& ctx, const nlohmann::json& detail) {
  AuditEvent e;
  e.at = clock.now();
  e.event = event;
  if (who) {
    if (who->id) e.account_id = who->id;
    e.username = who->username;
  }
  e.ip = ctx.ip;
  e.detail_json = detail.dump();
  TRY(store.audit().append(e));
  return {};
}

}  // namespace cpshare
