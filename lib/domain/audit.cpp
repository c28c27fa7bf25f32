#include "domain/audit.hpp"

namespace cpshare {

const std::vector<std::string>& audit_event_names() {
  static const std::vector<std::string> names = {
      // accounts
      "registered", "activation_sent", "activation_mail_failed", "activated", "activation_failed", "login_succeeded",
      "login_failed", "login_throttled", "mfa_enabled", "mfa_disabled", "mfa_failed", "recovery_code_used",
      "session_revoked", "logout", "password_changed", "password_change_failed", "profile_updated", "deregistered",
      "review_approved", "review_rejected", "admin_created", "username_collision",
      // catalogue
      "cluster_published", "cluster_updated", "cluster_delisted", "cluster_relisted", "unit_status_changed",
      "host_key_pinned", "host_key_repinned", "host_key_changed",
      // leases
      "lease_requested", "lease_approved", "lease_redeemed", "lease_redeem_failed", "lease_ended",
      "lease_revocation_pending", "lease_bill_failed"};
  return names;
}

}  // namespace cpshare
