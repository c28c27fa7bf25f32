// Leases (migration 4): taking and returning units, the lease record, the
// ledger, authorization codes and pending SSH account removals (R-LEASE-*,
// R-BILL-*). SQL over the shared Database (store/database.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "catalog/cluster.hpp"
#include "domain/account.hpp"
#include "domain/lease.hpp"
#include "util/error.hpp"

namespace cpshare {

class Database;

struct LeaseQuery {
  std::optional<std::int64_t> user_id;      // the user's leases
  std::optional<std::int64_t> supplier_id;  // leases of the supplier's clusters
  std::vector<LeaseState> states;           // any of these (empty: all)
  std::optional<std::int64_t> due_before;   // undecided past decide_by, or active past planned_end
  // With due_before: also active hourly leases without a planned end started before this
  // (their guaranteed life, billing::kOpenHourlyHorizonHours, is over).
  std::optional<std::int64_t> open_hourly_started_before;
  int limit = 100;
};

struct AuthCode {
  std::int64_t lease_id = 0;
  std::int64_t expires_at = 0;
  std::optional<std::int64_t> used_at;
};

// An SSH account removal still to do on a supplier host (survives restarts).
struct Revocation {
  std::int64_t lease_id = 0;
  std::string username;
  int attempts = 0;
  std::int64_t next_at = 0;
  std::string last_error;
  std::optional<std::int64_t> done_at;
};

class LeaseStore {
 public:
  explicit LeaseStore(Database& db) : db_(db) {}

  // create takes `units` idle units of l.cluster_id (lowest indices first),
  // marks them reserved and records the lease, in one transaction; fewer
  // idle units than asked: UNITS_UNAVAILABLE; the cluster not listed (any
  // more): NOT_FOUND. Call it inside the atomically() that read the cluster
  // for l's price and snapshot, so they are current. Gives l with its id and units.
  // units 0: l.units were picked already (pick_nodes, in the same transaction).
  Result<Lease> create(Lease l, int units);
  // A removal queued by a redeem is void once a redeem of the same lease made
  // its account, or failed having removed what it made: marked done (`why`
  // its last_error), so it removes nothing.
  Result<> cancel_revocation(std::int64_t lease_id, std::int64_t now, std::string_view why);
  // A redeem of approved lease `id` begins (issue 12): held until `until`
  // unless another redeem holds it now (false). In the same transaction, a
  // removal of `username` is queued for `until`: if the daemon dies before the
  // redeem ends, what it made on the nodes is removed then. The redeem's end
  // cancels or replaces that removal (cancel_revocation, put_revocation) and
  // lets go (end_redeem).
  Result<bool> begin_redeem(std::int64_t id, const std::string& username, std::int64_t now, std::int64_t until);
  Result<> end_redeem(std::int64_t id);
  // Makes the pending removals of the cluster's leases due at `now` (its
  // supplier re-pinned a node whose changed key held them up), but for those
  // of leases a redeem holds (begin_redeem: its account is being made).
  Result<> hasten_revocations(std::int64_t cluster_id, std::int64_t now);
  // A-class (issue 12): the idle units of `nodes` free nodes of the cluster
  // (an idle unit and none held by a lease), lowest node numbers first, in
  // unit order. An offline unit of a picked node is not taken (the lease
  // neither gets nor pays for it), and no other lease gets it while the node
  // is leased. Fewer free nodes than asked: UNITS_UNAVAILABLE.
  Result<std::vector<int>> pick_nodes(std::int64_t cluster_id, int nodes);
  Result<std::optional<Lease>> by_lease_id(const std::string& lease_id);
  Result<std::optional<Lease>> by_id(std::int64_t id);
  // Newest first, at most q.limit.
  Result<std::vector<Lease>> query(const LeaseQuery& q);
  // Writes state, times, amounts, note and sealed access, if the lease is
  // still in state `from` (else CONFLICT): a transition checked on a lease
  // read earlier happens once, however many requests race for it.
  Result<> update(const Lease& l, LeaseState from);
  // Sets the lease's units to `status` (reserved, busy).
  Result<> set_units(const Lease& l, UnitStatus status);
  // The lease lets go of its units: they are idle again.
  Result<> release_units(const Lease& l);

  // B-class (migration 10): the leases of a cluster its agent must act on, oldest first, at
  // most `limit`: provisioning ones (to provision) and ended ones whose units the agent has not
  // confirmed freed (to deprovision).
  Result<std::vector<Lease>> agent_work(std::int64_t cluster_id, int limit);
  // The agent reports that its step for lease `id` failed: attempts + 1, the error and when.
  Result<> agent_failed(std::int64_t id, const std::string& error, std::int64_t at);
  // The agent confirmed an ended B-class lease's units freed: they are idle again, and
  // units_freed_at is set. false (nothing changed) when the lease has not ended or they already were.
  Result<bool> free_units(const Lease& l, std::int64_t at);

  // The ledger (amounts in fen). ledger: an account's entries with
  // from <= at < to (Unix seconds), oldest first.
  Result<> append_ledger(const LedgerEntry& e);
  Result<std::vector<LedgerEntry>> ledger(std::int64_t account_id, std::int64_t from, std::int64_t to);

  // One live authorization code per lease (a new one replaces the old).
  Result<> put_auth_code(std::int64_t lease_id, const Blob& code_hash, std::int64_t expires_at);
  Result<std::optional<AuthCode>> auth_code(const Blob& code_hash);
  // Marks it used; false if it already was (a second redeem lost the race).
  Result<bool> use_auth_code(std::int64_t lease_id, std::int64_t at);

  // SSH account removals: put inserts or updates (by lease); due: not done,
  // next_at <= now, not of a lease a redeem holds now, soonest first, at most 100.
  Result<> put_revocation(const Revocation& r);
  Result<std::vector<Revocation>> revocations_due(std::int64_t now);

 private:
  Database& db_;
};

}  // namespace cpshare
