// The lease, i.e. the task record Itm (R-API-ITM, R-LEASE-*): who leased which
// units of which cluster, on what terms (a snapshot), and where it stands.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "billing/billing.hpp"
#include "domain/account.hpp"
#include "util/enum_table.hpp"

namespace cpshare {

// enum class LeaseState (leases.state, the wire's "state"):
// requested → (A) approved → active → ended
//           → (B) provisioning (until the cluster's agent reports the access; R-LEASE-6) → active → ended
//           → rejected (by the supplier) | lapsed (not approved or redeemed in time)
// clang-format off
#define CPSHARE_LEASE_STATES(X)   \
  X(Requested,    "requested")    \
  X(Approved,     "approved")     \
  X(Provisioning, "provisioning") \
  X(Active,       "active")       \
  X(Ended,        "ended")        \
  X(Rejected,     "rejected")     \
  X(Lapsed,       "lapsed")
// clang-format on
CPSHARE_ENUM(LeaseState, CPSHARE_LEASE_STATES);

inline std::string_view lease_state_name(LeaseState s) { return enum_name(s); }
inline std::optional<LeaseState> parse_lease_state(std::string_view s) { return enum_parse<LeaseState>(s); }
// Holds its units (they are reserved or busy).
bool holds_units(LeaseState s);

// enum class EndReason (leases.end_reason, the wire's "end_reason", lease_ended's "reason"):
// why a lease ended. released by its user, expired (its planned end or an open
// hourly lease's horizon passed), terminated by the supplier, deregistered (an
// account of the lease closed), rejected by the supplier, lapsed (not approved
// or redeemed in time).
// clang-format off
#define CPSHARE_END_REASONS(X)    \
  X(Released,     "released")     \
  X(Expired,      "expired")      \
  X(Terminated,   "terminated")   \
  X(Deregistered, "deregistered") \
  X(Rejected,     "rejected")     \
  X(Lapsed,       "lapsed")
// clang-format on
CPSHARE_ENUM(EndReason, CPSHARE_END_REASONS);

// The state a lease ends in: rejected and lapsed are states of their own, the rest are ended.
LeaseState state_after(EndReason r);

// enum class LedgerKind (ledger.kind, the wire's "kind"): a charge (the user pays:
// negative), a refund (to the user: positive), an earning (the supplier's: positive).
// clang-format off
#define CPSHARE_LEDGER_KINDS(X) \
  X(Charge,  "charge")          \
  X(Refund,  "refund")          \
  X(Earning, "earning")
// clang-format on
CPSHARE_ENUM(LedgerKind, CPSHARE_LEDGER_KINDS);

struct Lease {
  std::int64_t id = 0;
  std::string lease_id;  // "ls-" + 10 lowercase base32 characters
  std::int64_t user_id = 0;
  std::string user;  // username (read side)
  std::int64_t cluster_id = 0;
  std::string cpc_id;  // read side
  std::int64_t supplier_id = 0;
  std::string supplier;  // read side
  char cluster_class = 'A';
  std::string cluster_snapshot = "{}";  // the cluster's public view (JSON) when leased
  billing::Terms terms;
  std::int64_t estimate = 0;  // fen: prepaid amount, or hourly estimate for the planned hours
  LeaseState state = LeaseState::Requested;
  std::vector<int> units;      // unit indices
  std::string ssh_public_key;  // the user's key for the A-class account, optional
  std::int64_t created_at = 0;
  std::optional<std::int64_t> decide_by;    // requested/approved: lapses after this
  std::optional<std::int64_t> started_at;   // active since (billing runs)
  std::optional<std::int64_t> planned_end;  // prepaid: fixed end
  std::optional<std::int64_t> ended_at;
  std::optional<EndReason> end_reason;  // set when it ends ('' in the database until then)
  std::string note;                     // supplier's reason (reject, terminate)
  std::optional<std::int64_t> charged;
  std::optional<std::int64_t> refunded;
  // The lease ended but its bill could not be computed (terms out of
  // billing's bounds, or an amount over int64): charged and refunded stay
  // empty, no ledger entry is written, and the admin settles it by hand
  // (audit event lease_bill_failed). Migration 6.
  bool bill_failed = false;
  Blob access_cipher;  // sealed access details (A-class SSH, B-class platform), for the owner only
  // B-class (migration 10; docs/design/leases.md "B-class"): the environment the user chose
  // (one of the cluster's); the agent's failed reports of the current step (provision while
  // provisioning, deprovision once ended: reset when the lease ends), the last error and when;
  // and when the agent confirmed the units freed (until then an ended B-class lease holds them, busy).
  std::optional<std::string> environment;
  int agent_attempts = 0;
  std::optional<std::string> agent_error;
  std::optional<std::int64_t> agent_error_at;
  std::optional<std::int64_t> units_freed_at;
};

// One ledger entry: money moves only here (docs/design/leases.md).
struct LedgerEntry {
  std::int64_t id = 0;
  std::int64_t at = 0;
  std::int64_t lease_id = 0;
  std::string lease;  // public lease id (read side)
  std::int64_t account_id = 0;
  LedgerKind kind = LedgerKind::Charge;
  std::int64_t amount = 0;
};

}  // namespace cpshare
