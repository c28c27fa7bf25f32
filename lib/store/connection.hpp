// Internal to lib/store: one SQLite connection with its prepared statements.
// Preparing is a large part of a short query's cost (a lease row's SELECT has
// four subqueries), so a connection keeps each fixed SQL text it has run
// prepared and hands it out again, reset and unbound.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace cpshare {

class Connection : public SQLite::Database {
 public:
  using SQLite::Database::Database;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // The statement for `sql`, ready to bind. It stays valid until the
  // StatementScope it was handed out in ends, which resets it (a statement
  // not reset would keep a read transaction, and so an old snapshot, open).
  // For fixed SQL texts only; a text built from user input (a catalogue
  // filter) is prepared as a plain SQLite::Statement.
  SQLite::Statement& prepare(const std::string& sql);

 private:
  friend class StatementScope;

  struct Entry {
    std::unique_ptr<SQLite::Statement> statement;
    bool in_use = false;
  };
  static constexpr std::size_t kMaxCached = 96;
  std::unordered_map<std::string, Entry> cache_;
  std::vector<Entry*> in_use_;
  // Statements prepared while their cached twin was in use, or past the cap;
  // finalized on release.
  std::vector<std::unique_ptr<SQLite::Statement>> extra_;
};

// One store operation's use of a connection: the statements it was handed
// are reset, unbound and given back when it ends, those of an enclosing
// operation on the same connection are left alone.
class StatementScope {
 public:
  explicit StatementScope(Connection& c) : c_(c), in_use_(c.in_use_.size()), extra_(c.extra_.size()) {}
  StatementScope(const StatementScope&) = delete;
  StatementScope& operator=(const StatementScope&) = delete;
  ~StatementScope();

 private:
  Connection& c_;
  std::size_t in_use_;
  std::size_t extra_;
};

}  // namespace cpshare
