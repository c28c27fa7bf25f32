// The database: opening and migrating it, the writer and the reader pool, the
// group commit, the erasure flush and the catalogue's statistics.
#include "store/database.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>
#include <fmt/format.h>

#include "domain/normalize.hpp"
#include "store/guarded.hpp"
#include "store/migrations.hpp"

namespace cpshare {

// One writer waiting for the group commit that makes its write durable.
struct Database::Waiter {
  bool done = false;
  std::optional<Error> error;
};

namespace {
// Writers that join one open transaction before it commits. Bounds how long
// the first of them waits for its acknowledgement.
constexpr int kMaxGroup = 64;

// Reads map the file rather than copy pages through each connection's cache:
// the pool's connections then share the OS page cache (the catalogue's list
// and filter scans live there).
constexpr const char* kMmap = "PRAGMA mmap_size=1073741824";

// Deleted and overwritten content is zeroed in its page (and freed pages
// are zeroed whole), so erased personal data is not left in free space
// (issue 9). Per connection: every connection the store opens runs it.
void secure_delete(Connection& db) { db.exec("PRAGMA secure_delete=ON"); }

// The file grows in 16 MiB steps, so those maps are redone once a step
// rather than at every page a write adds.
constexpr int kChunk = 16 << 20;
void set_chunk(Connection& db, int bytes) {
  sqlite3_file_control(db.getHandle(), "main", SQLITE_FCNTL_CHUNK_SIZE, &bytes);
}

void configure(Connection& db) {
  set_chunk(db, kChunk);
  // FULL: an acknowledged write survives power loss and kill -9 (leases rely on it).
  db.exec("PRAGMA synchronous=FULL");
  db.exec("PRAGMA foreign_keys=ON");
  secure_delete(db);
}

// cpshare_username_key(username): normalize::username_key in SQL, for
// migration 5, which fills accounts.username_key for the rows it finds.
void sql_username_key(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const unsigned char* text = sqlite3_value_text(argv[0]);
  if (!text) {
    sqlite3_result_null(ctx);
    return;
  }
  const std::string key = normalize::username_key(
      std::string_view(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_value_bytes(argv[0]))));
  sqlite3_result_text(ctx, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
}
}  // namespace

Database::Database(std::unique_ptr<Connection> db, std::filesystem::path path)
    : path_(std::move(path)), db_(std::move(db)), pooled_(path_ != ":memory:") {}
Database::~Database() = default;

Result<std::unique_ptr<Database>> Database::open(const std::filesystem::path& path) {
  std::unique_ptr<Connection> db;
  try {
    db = std::make_unique<Connection>(path.string(),
                                      SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX, 5000);
    if (path != ":memory:") db->exec("PRAGMA journal_mode=WAL");
    configure(*db);
  } catch (const SQLite::Exception& e) {
    return fail(ErrorCode::Internal, fmt::format("open database {}: {}", path.string(), e.what()));
  }
  std::unique_ptr<Database> database(new Database(std::move(db), path));
  TRY_CTX(database->migrate(), "migrate database " + path.string());
  return database;
}

Result<> Database::migrate() {
  std::lock_guard lock(write_mu_);
  return with_errors("migrate", [&]() -> Result<> {
    db_->exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER "
        "PRIMARY KEY, "
        "name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT "
        "CURRENT_TIMESTAMP)");
    if (sqlite3_create_function_v2(db_->getHandle(), "cpshare_username_key", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                   nullptr, sql_username_key, nullptr, nullptr, nullptr) != SQLITE_OK)
      return fail(ErrorCode::Internal,
                  "register cpshare_username_key: " + std::string(sqlite3_errmsg(db_->getHandle())));
    int current = db_->execAndGet("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").getInt();
    int latest = migrations().empty() ? 0 : migrations().back().version;
    if (current > latest)
      return fail(ErrorCode::Internal, fmt::format("database schema version {} is newer than this "
                                                   "cpshared knows ({}); "
                                                   "run a newer cpshared",
                                                   current, latest));
    bool vacuum = false;
    for (const auto& m : migrations()) {
      if (m.version <= current) continue;
      vacuum = vacuum || m.vacuum_after;
      if (m.rebuilds_tables) db_->exec("PRAGMA foreign_keys=OFF");  // a no-op inside a transaction
      SQLite::Transaction tx(*db_);
      db_->exec(std::string(m.sql));
      if (m.rebuilds_tables && SQLite::Statement(*db_, "PRAGMA foreign_key_check").executeStep())
        return fail(ErrorCode::Internal, fmt::format("migration {} would break a foreign key; rolled back", m.version));
      SQLite::Statement st(*db_, "INSERT INTO schema_migrations(version, name) VALUES (?, ?)");
      st.bind(1, m.version);
      st.bind(2, std::string(m.name));
      st.exec();
      tx.commit();
      if (m.rebuilds_tables) db_->exec("PRAGMA foreign_keys=ON");
    }
    if (vacuum) {
      // Rewrites the file (no free page, no free space left holding what the
      // migration erased), then empties the WAL that carried it. Without the
      // chunk size, so the shrunk file is cut at its last page, not at the
      // next 16 MiB with the old pages left behind it.
      set_chunk(*db_, 0);
      db_->exec("VACUUM");
      db_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
      set_chunk(*db_, kChunk);
    }
    analyze_locked();
    return {};
  });
}

// Fresh statistics for the catalogue's query planning, which picks among its
// indexes by them (docs/PERFORMANCE.md). Full, not sampled: sampled counts
// misled the planner; 100,000 clusters take about 0.2 s.
void Database::analyze_locked() {
  db_->exec("ANALYZE clusters");
  analyzed_clusters_.store(db_->execAndGet("SELECT COALESCE(MAX(id), 0) FROM clusters").getInt64());
}

// After a write, outside any transaction: analyze again when the catalogue has
// doubled since the last time (so O(log n) times as it grows).
void Database::analyze_if_grown() {
  if (!analyze_wanted_.exchange(false)) return;
  std::unique_lock lock(write_mu_);
  commit_for_waiters(lock);
  try {
    analyze_locked();
  } catch (const SQLite::Exception&) {
    // Statistics are an optimisation: the next growth step tries again.
  }
}

Result<> Database::flush_erased() {
  if (in_transaction())
    return fail(ErrorCode::Internal, "store: flush_erased inside a transaction; call it after the commit");
  std::unique_lock lock(write_mu_);
  if (batch_open_) TRY(commit_batch(lock));
  return with_errors("flush erased", [&]() -> Result<> {
    // (busy, WAL frames, frames checkpointed); busy 1: readers held an older snapshot past the timeout.
    SQLite::Statement st(*db_, "PRAGMA wal_checkpoint(TRUNCATE)");
    if (st.executeStep() && st.getColumn(0).getInt() != 0)
      return fail(ErrorCode::Internal, "store: the WAL checkpoint after an erasure was blocked by readers");
    return {};
  });
}

int Database::schema_version() {
  auto v = read("schema version", [](Connection& db) -> Result<int> {
    return db.execAndGet("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").getInt();
  });
  return v ? *v : 0;
}

Database::ReaderLease Database::borrow_reader() {
  if (!pooled_) return ReaderLease(*this, nullptr, std::unique_lock(write_mu_));
  {
    std::lock_guard lock(pool_mu_);
    if (!idle_readers_.empty()) {
      auto db = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return ReaderLease(*this, std::move(db), {});
    }
  }
  // The pool grows to the number of threads that read at once (the HTTP
  // server's pool bounds it); connections are kept for reuse.
  auto db = std::make_unique<Connection>(path_.string(), SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX, 5000);
  db->exec(kMmap);
  secure_delete(*db);
  return ReaderLease(*this, std::move(db), {});
}

void Database::give_back_reader(std::unique_ptr<Connection> db) {
  std::lock_guard lock(pool_mu_);
  idle_readers_.push_back(std::move(db));
}

// Group commit. The writer connection runs one transaction at a time, but a
// transaction may hold several writers' work: each runs in a SAVEPOINT under
// write_mu_, and when others are already queued for write_mu_ it leaves the
// transaction open, releases the lock and waits; the last writer of the group
// (no one queued, or kMaxGroup reached) commits for all and wakes them. One
// fsync then acknowledges the whole group. A writer whose fn fails rolls back
// to its savepoint and returns at once.
Result<> Database::atomically(const std::function<Result<>()>& fn) {
  if (in_transaction()) return fn();  // already inside: join the outer transaction
  writers_waiting_.fetch_add(1);
  std::unique_lock lock(write_mu_);
  writers_waiting_.fetch_sub(1);
  try {
    if (!batch_open_) {
      db_->exec("BEGIN IMMEDIATE");
      batch_open_ = true;
      batch_size_ = 0;
    }
    db_->exec("SAVEPOINT w");
  } catch (const SQLite::Exception& e) {
    auto r = fail(ErrorCode::Internal, fmt::format("store: begin: {}", e.what()));
    commit_for_waiters(lock);
    return r;
  }
  tx_owner_.store(std::this_thread::get_id());
  Result<> r;
  try {
    r = fn();
  } catch (const std::exception& e) {
    r = fail(ErrorCode::Internal, fmt::format("store: {}", e.what()));
  }
  tx_owner_.store(std::thread::id{});
  try {
    if (!r) db_->exec("ROLLBACK TO w");
    db_->exec("RELEASE w");
  } catch (const SQLite::Exception& e) {
    // The transaction is in an unknown state: abandon the whole group.
    try {
      db_->exec("ROLLBACK");
    } catch (...) {}
    batch_open_ = false;
    Error err{ErrorCode::Internal, fmt::format("store: savepoint: {}", e.what()), {}, 0};
    settle_waiters(err);
    return std::unexpected(err);
  }
  ++batch_size_;
  if (writers_waiting_.load() > 0 && batch_size_ < kMaxGroup) {
    if (!r) return r;  // nothing of ours to make durable; the next writer commits
    Waiter me;
    batch_waiters_.push_back(&me);
    committed_.wait(lock, [&] { return me.done; });
    if (me.error) return std::unexpected(*me.error);
    lock.unlock();
    analyze_if_grown();
    return r;
  }
  TRY(commit_batch(lock));
  lock.unlock();
  analyze_if_grown();
  return r;
}

// Commits the open transaction (write_mu_ held), or rolls it back when the
// commit fails; the batch is closed either way. Returns the failure.
std::optional<Error> Database::commit_open(std::unique_lock<std::mutex>&) {
  std::optional<Error> err;
  try {
    db_->exec("COMMIT");
  } catch (const SQLite::Exception& e) {
    try {
      db_->exec("ROLLBACK");
    } catch (...) {}
    err = Error{ErrorCode::Internal, fmt::format("store: commit: {}", e.what()), {}, 0};
  }
  batch_open_ = false;
  return err;
}

// Wakes the writers waiting on the batch, each with its outcome.
void Database::settle_waiters(const std::optional<Error>& err) {
  for (Waiter* w : batch_waiters_) {
    w->done = true;
    w->error = err;
  }
  batch_waiters_.clear();
  committed_.notify_all();
}

// Commits the open transaction for its waiters and for the caller, whose work
// is in it: the caller gets the outcome too.
Result<> Database::commit_batch(std::unique_lock<std::mutex>& lock) {
  const auto err = commit_open(lock);
  settle_waiters(err);
  if (err) return std::unexpected(*err);
  return {};
}

// Commits the open transaction, if any, for the writers waiting on it alone:
// each learns the outcome through its Waiter. For a caller with no work in the
// batch (it failed before its savepoint, or only wants the lock), so there is
// nothing left to report to it.
void Database::commit_for_waiters(std::unique_lock<std::mutex>& lock) {
  if (batch_open_) settle_waiters(commit_open(lock));
}

}  // namespace cpshare
