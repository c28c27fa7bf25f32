// The database under the area stores (store/store.hpp): SQLite (WAL,
// synchronous=FULL), its connections, the group commit and the statement
// cache; numbered migrations applied at open (store/migrations.hpp). The area
// stores (accounts, catalogue, leases, audit) each hold a Database& and run
// their SQL through read() and write(); only lib/store speaks SQL.
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
// write). One transaction spans every area store: writes through accounts()
// and audit() inside one atomically() commit or roll back together.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "util/error.hpp"

namespace cpshare {

class Connection;

class Database {
 public:
  // path ":memory:" gives a private in-memory database (tests). Runs the
  // pending migrations; INTERNAL when the file cannot be opened or its schema
  // is newer than this cpshared knows.
  static Result<std::unique_ptr<Database>> open(const std::filesystem::path& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // The highest migration applied (0 when it cannot be read).
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

  // For the area stores (lib/store only; defined in store/guarded.hpp).
  // read: f(db) on a pooled read connection (or the writer inside
  // atomically()). write: f(db) on the writer, inside atomically(). Both turn
  // SQLite's exceptions into error values (INTERNAL "store: <what>: ...";
  // UNIQUE violations on accounts as USERNAME_TAKEN / EMAIL_TAKEN /
  // PHONE_TAKEN).
  template <class F>
  auto read(const char* what, F&& f) -> decltype(f(std::declval<Connection&>()));
  template <class F>
  auto write(const char* what, F&& f) -> decltype(f(std::declval<Connection&>()));

  // ANALYZE bookkeeping: the catalogue store reports each cluster it inserts.
  // When the catalogue has doubled since the last ANALYZE, the next write
  // outside a transaction analyzes it again (so O(log n) times as it grows).
  void cluster_inserted(std::int64_t id) {
    if (id >= 2 * analyzed_clusters_.load() + 1000) analyze_wanted_.store(true);
  }

 private:
  struct Waiter;
  class ReaderLease;
  Database(std::unique_ptr<Connection> db, std::filesystem::path path);
  Result<> migrate();
  bool in_transaction() const { return tx_owner_.load() == std::this_thread::get_id(); }
  ReaderLease borrow_reader();
  void give_back_reader(std::unique_ptr<Connection> db);
  Result<> commit_batch(std::unique_lock<std::mutex>& lock);
  void commit_for_waiters(std::unique_lock<std::mutex>& lock);
  std::optional<Error> commit_open(std::unique_lock<std::mutex>& lock);
  void settle_waiters(const std::optional<Error>& err);
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
