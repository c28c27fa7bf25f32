// The lease, i.e. the task record Itm (R-API-ITM, R-LEASE-*): who leased which
// units of which cluster, on what terms (a snapshot), and where it stands.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "billing/billing.hpp"
#include "domain/account.hpp"

namespace cpshare {

// requested → (A) approved → active → ended
//           → (B) provisioning (until the cluster's agent reports it; a later issue) → ended
//           → rejected (by the supplier) | lapsed (not approved or redeemed in time)
enum class LeaseState { Requested, Approved, Provisioning, Active, Ended, Rejected, Lapsed };

std::string_view lease_state_name(LeaseState s);
std::optional<LeaseState> parse_lease_state(std::string_view s);
// Holds its units (they are reserved or busy).
bool holds_units(LeaseState s);

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
  std::string end_reason;  // released, expired, terminated, deregistered, rejected, lapsed
  std::string note;        // supplier's reason (reject, terminate)
  std::optional<std::int64_t> charged;
  std::optional<std::int64_t> refunded;
  // The lease ended but its bill could not be computed (terms out of
  // billing's bounds, or an amount over int64): charged and refunded stay
  // empty, no ledger entry is written, and the admin settles it by hand
  // (audit event lease_bill_failed). Migration 6.
  bool bill_failed = false;
  Blob access_cipher;  // sealed access details (A-class), for the owner only
};

// One ledger entry: money moves only here (docs/design/leases.md).
struct LedgerEntry {
  std::int64_t id = 0;
  std::int64_t at = 0;
  std::int64_t lease_id = 0;
  std::string lease;  // public lease id (read side)
  std::int64_t account_id = 0;
  std::string kind;  // charge (user pays: negative), refund (user: positive), earning (supplier: positive)
  std::int64_t amount = 0;
};

}  // namespace cpshare
