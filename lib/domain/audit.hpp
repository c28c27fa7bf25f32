// enum class AuditEventName: every event the audit log holds (R-SEC-4), its
// string in audit.event and on the wire. The one list for the services that
// write them (service/audit.hpp takes this enum, so no other event can be
// written), the CLI's `admin audit --event` choices and completions, and the
// OpenAPI AuditEventName enum (tests/unit/test_audit_events.cpp compares them).
#pragma once

#include "util/enum_table.hpp"

namespace cpshare {

// clang-format off
#define CPSHARE_AUDIT_EVENTS(X)                                                     \
  /* accounts */                                                                    \
  X(Registered,             "registered")                                           \
  X(ActivationSent,         "activation_sent")                                      \
  X(ActivationMailFailed,   "activation_mail_failed")                               \
  X(Activated,              "activated")                                            \
  X(ActivationFailed,       "activation_failed")                                    \
  X(LoginSucceeded,         "login_succeeded")                                      \
  X(LoginFailed,            "login_failed")                                         \
  X(LoginThrottled,         "login_throttled")                                      \
  X(MfaEnabled,             "mfa_enabled")                                          \
  X(MfaDisabled,            "mfa_disabled")                                         \
  X(MfaFailed,              "mfa_failed")                                           \
  X(RecoveryCodeUsed,       "recovery_code_used")                                   \
  X(SessionRevoked,         "session_revoked")                                      \
  X(Logout,                 "logout")                                               \
  X(PasswordChanged,        "password_changed")                                     \
  X(PasswordChangeFailed,   "password_change_failed")                               \
  X(ProfileUpdated,         "profile_updated")                                      \
  X(Deregistered,           "deregistered")                                         \
  X(ReviewApproved,         "review_approved")                                      \
  X(ReviewRejected,         "review_rejected")                                      \
  X(AdminCreated,           "admin_created")                                        \
  /* written by migration 5 (store/migrations.cpp): legacy names that became one */ \
  X(UsernameCollision,      "username_collision")                                   \
  /* catalogue */                                                                   \
  X(ClusterPublished,       "cluster_published")                                    \
  X(ClusterUpdated,         "cluster_updated")                                      \
  X(ClusterDelisted,        "cluster_delisted")                                     \
  X(ClusterRelisted,        "cluster_relisted")                                     \
  X(UnitStatusChanged,      "unit_status_changed")                                  \
  X(HostKeyPinned,          "host_key_pinned")                                      \
  X(HostKeyRepinned,        "host_key_repinned")                                    \
  X(HostKeyChanged,         "host_key_changed")                                     \
  /* leases */                                                                      \
  X(LeaseRequested,         "lease_requested")                                      \
  X(LeaseApproved,          "lease_approved")                                       \
  X(LeaseRedeemed,          "lease_redeemed")                                       \
  X(LeaseRedeemFailed,      "lease_redeem_failed")                                  \
  X(LeaseEnded,             "lease_ended")                                          \
  X(LeaseRevocationPending, "lease_revocation_pending")                             \
  X(LeaseBillFailed,        "lease_bill_failed")                                    \
  /* B-class leases through the cluster's agent (issue 11) */                       \
  X(LeaseActivated,         "lease_activated")                                      \
  X(LeaseUnitsFreed,        "lease_units_freed")
// clang-format on
CPSHARE_ENUM(AuditEventName, CPSHARE_AUDIT_EVENTS);

}  // namespace cpshare
