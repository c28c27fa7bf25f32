// The store: the only place that speaks SQL. SQLite (WAL, synchronous=FULL)
// behind a narrow interface; numbered migrations applied at open.
//
// Erased means erased (issue 9): every connection runs with secure_delete on,
// so a value overwritten or deleted is zeroed in its page, not left in free
// space; flush_erased() then empties the WAL, where the old pages would
// otherwise stay readable.
//
// Thread-safe. One writer connection and a pool of read-only connections:
// reads run in parallel on the pool (WAL lets them proceed during writes) and
// see only committed data. Every write runs in a transaction through
// atomically(), which group-commits: writers that arrive while another holds
// the writer join its open transaction, each in its own SAVEPOINT (so one
// failing leaves the others intact), and the last of them commits for all.
// No call returns before its write is durable (one fsync per group, not per
// write).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "catalog/cluster.hpp"
#include "catalog/filter.hpp"
#include "domain/account.hpp"
#include "domain/lease.hpp"
#include "util/error.hpp"

namespace cpshare {

class Connection;

struct AuditQuery {
  int limit = 100;
  std::optional<std::int64_t> before_id;
  std::optional<std::string> event;
  std::optional<std::string> username;
};

struct LicenceFile {
  std::string filename;
  std::string content_type;
  Blob cipher;
};

// One unit (accelerator) of a cluster and its status (R-CL-3).
struct UnitRow {
  int index = 0;
  UnitStatus status = UnitStatus::Idle;
};

struct ClusterSecrets {
  Blob ssh_key_cipher;         // KeyRing-sealed OpenSSH private key (A-class)
  std::string ssh_public_key;  // its authorized_keys line, for the supplier to install
  std::string ssh_host_key;    // pinned "SHA256:..." fingerprint; empty until the first verify
  Blob agent_token_hash;       // B-class monitoring agent's token, keyed hash
};

// A catalogue query: a compiled filter, an order, and who asks.
struct ClusterQuery {
  catalog::Filter filter;                   // rendered by filter_sql (store/filter_sql.hpp)
  std::optional<catalog::SortSpec> sort;    // else newest first
  std::optional<std::int64_t> owner_id;     // only this owner's clusters (any status)
  bool available_only = true;               // listed, with at least one idle unit
  std::optional<std::string> region_first;  // this region's clusters first (when not sorted)
  int limit = 50;
  int offset = 0;
};

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

// Accounts registered before usernames were one name whatever their case
// (migration 5) that are one name under that rule. All are kept.
struct UsernameCollision {
  std::string key;                     // their shared username_key
  std::vector<std::string> usernames;  // oldest first; it answers to any spelling, the others only to their own
};

class Store {
 public:
  // path ":memory:" gives a private in-memory database (tests).
  static Result<std::unique_ptr<Store>> open(const std::filesystem::path& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  int schema_version();

  // Runs fn inside one transaction: committed (durably) when fn returns a
  // value, rolled back when it returns an error. Calls from inside fn (the
  // same thread) join the transaction and read its uncommitted state.
  Result<> atomically(const std::function<Result<>()>& fn);

  // After a transaction that erased personal data has committed (not inside
  // atomically()): copies the committed pages into the database file and
  // truncates the WAL (checkpoint TRUNCATE), so no old page holding the
  // erased values stays readable in either file. Waits up to the busy timeout
  // (5 s) for readers on older snapshots; INTERNAL if they still hold it (the
  // next checkpoint, at the latest the last connection's close, does it).
  Result<> flush_erased();

  // Accounts. insert fails with USERNAME_TAKEN (also when only the case or
  // width differs from an account's) / EMAIL_TAKEN / PHONE_TAKEN.
  Result<std::int64_t> insert_account(const Account& a);
  // Writes every mutable column of `a` (by id). Uniqueness as for insert.
  Result<> update_account(const Account& a);
  Result<std::optional<Account>> account_by_id(std::int64_t id);
  // By username: the account spelt exactly so, else the one whose
  // username_key (normalize::username_key) matches. Names that collide under
  // the key were refused since migration 5; older ones are both kept, and
  // then exact spelling wins, any other spelling reaches the oldest.
  Result<std::optional<Account>> account_by_username(const std::string& username);
  Result<std::vector<UsernameCollision>> username_collisions();
  Result<std::optional<Account>> account_by_email(const std::string& email);
  Result<std::optional<Account>> account_by_phone_index(const Blob& index);
  Result<std::vector<Account>> accounts_with_status(AccountStatus status);
  Result<std::optional<LicenceFile>> licence(std::int64_t account_id);

  // Activation codes: at most one live code+link per account.
  Result<> put_activation(const ActivationCode& c);
  Result<std::optional<ActivationCode>> activation_for(std::int64_t account_id);
  Result<std::optional<ActivationCode>> activation_by_link(const Blob& link_hash);
  Result<> set_activation_attempts(std::int64_t account_id, int attempts);
  Result<> delete_activation(std::int64_t account_id);

  // Sessions.
  Result<> insert_session(const Session& s);
  Result<std::optional<Session>> session_by_token(const Blob& token_hash);
  Result<std::vector<Session>> sessions_for(std::int64_t account_id);
  Result<> touch_session(const std::string& id, std::int64_t at);
  Result<bool> delete_session(std::int64_t account_id, const std::string& id);
  Result<int> delete_sessions_for(std::int64_t account_id);
  Result<int> delete_expired_sessions(std::int64_t now, std::int64_t idle_timeout);

  // MFA recovery codes (hashes). use_recovery_code marks one used; false if none matched.
  Result<> replace_recovery_codes(std::int64_t account_id, const std::vector<Blob>& hashes);
  Result<bool> use_recovery_code(std::int64_t account_id, const Blob& hash, std::int64_t at);
  Result<> delete_recovery_codes(std::int64_t account_id);

  // Clusters (catalog::Cluster; owner is filled from accounts.username).
  // insert makes units 0..N-1 idle.
  Result<std::int64_t> insert_cluster(const catalog::Cluster& c);
  Result<std::optional<catalog::Cluster>> cluster_by_cpc_id(const std::string& cpc_id);
  // Writes the publishable fields and status. A changed unit count adds idle
  // units or removes the highest ones, which must not be busy (CONFLICT).
  // It writes every column of c: read c inside the same atomically() (see
  // CatalogService::modify), or a change committed in between is lost.
  Result<> update_cluster(const catalog::Cluster& c);
  Result<std::vector<catalog::Cluster>> clusters(const ClusterQuery& q);
  // How the platform reaches a cluster: the sealed provisioning key (A), its
  // public line, the pinned host-key fingerprint, the agent token's hash (B).
  Result<ClusterSecrets> cluster_secrets(std::int64_t cluster_id);
  Result<> set_cluster_secrets(std::int64_t cluster_id, const ClusterSecrets& s);
  Result<std::vector<UnitRow>> cluster_units(std::int64_t cluster_id);
  // Sets one unit idle or offline; a busy unit cannot be changed by hand (CONFLICT).
  Result<> set_unit_status(std::int64_t cluster_id, int index, UnitStatus status, std::int64_t now);

  // Leases. create_lease takes `units` idle units of l.cluster_id (lowest
  // indices first), marks them reserved and records the lease, in one
  // transaction; fewer idle units than asked: UNITS_UNAVAILABLE; the cluster
  // not listed (any more): NOT_FOUND. Call it inside the atomically() that
  // read the cluster for l's price and snapshot, so they are current.
  Result<Lease> create_lease(Lease l, int units);
  Result<std::optional<Lease>> lease_by_lease_id(const std::string& lease_id);
  Result<std::optional<Lease>> lease_by_id(std::int64_t id);
  Result<std::vector<Lease>> leases(const LeaseQuery& q);
  // Writes state, times, amounts, note and sealed access, if the lease is
  // still in state `from` (else CONFLICT): a transition checked on a lease
  // read earlier happens once, however many requests race for it.
  Result<> update_lease(const Lease& l, LeaseState from);
  // Sets the lease's units to `status` (reserved, busy).
  Result<> set_lease_units(const Lease& l, UnitStatus status);
  // The lease lets go of its units: they are idle again.
  Result<> release_lease_units(const Lease& l);
  Result<> append_ledger(const LedgerEntry& e);
  // An account's entries with from <= at < to, oldest first.
  Result<std::vector<LedgerEntry>> ledger(std::int64_t account_id, std::int64_t from, std::int64_t to);
  // One live authorization code per lease (a new one replaces the old).
  Result<> put_auth_code(std::int64_t lease_id, const Blob& code_hash, std::int64_t expires_at);
  Result<std::optional<AuthCode>> auth_code(const Blob& code_hash);
  // Marks it used; false if it already was (a second redeem lost the race).
  Result<bool> use_auth_code(std::int64_t lease_id, std::int64_t at);
  Result<> put_revocation(const Revocation& r);
  Result<std::vector<Revocation>> revocations_due(std::int64_t now);

  // Audit log.
  Result<std::int64_t> append_audit(const AuditEvent& e);
  Result<std::vector<AuditEvent>> audit(const AuditQuery& q);

 private:
  struct Waiter;
  class ReaderLease;
  Store(std::unique_ptr<Connection> db, std::filesystem::path path);
  Result<> migrate();
  // read: f(db) on a pooled read connection (or the writer inside atomically).
  // write: f(db) on the writer, inside atomically(). Both turn SQLite's
  // exceptions into error values. Defined in store/guarded.hpp.
  template <class F>
  auto read(const char* what, F&& f) -> decltype(f(std::declval<Connection&>()));
  template <class F>
  auto write(const char* what, F&& f) -> decltype(f(std::declval<Connection&>()));
  bool in_transaction() const { return tx_owner_.load() == std::this_thread::get_id(); }
  ReaderLease borrow_reader();
  void give_back_reader(std::unique_ptr<Connection> db);
  Result<> commit_batch(std::unique_lock<std::mutex>& lock);
  void analyze_locked();
  void analyze_if_grown();

  std::filesystem::path path_;
  std::unique_ptr<Connection> db_;       // the writer
  std::mutex write_mu_;                  // held while a writer runs on db_
  std::condition_variable committed_;    // a group commit finished
  std::atomic<int> writers_waiting_{0};  // writers queued for write_mu_
  std::atomic<std::thread::id> tx_owner_{};
  bool batch_open_ = false;  // BEGIN issued, COMMIT not yet
  int batch_size_ = 0;
  std::vector<Waiter*> batch_waiters_;  // writers waiting for this batch's COMMIT

  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;
  std::atomic<std::int64_t> analyzed_clusters_{0};  // MAX(id) at the last ANALYZE
  std::atomic<bool> analyze_wanted_{false};
  bool pooled_ = false;  // false for ":memory:" (reads use the writer)
};

}  // namespace cpshare
