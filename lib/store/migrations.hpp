// Numbered schema migrations. Each runs once, in order, inside a transaction;
// never edit a released one: add the next number. Portable SQL where possible
// (INTEGER/TEXT/BLOB, no SQLite-only syntax) so a PostgreSQL store can follow.
#pragma once

#include <string_view>
#include <vector>

namespace cpshare {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
  // Rebuilds a referenced table: runs with foreign keys off, and checks them
  // (PRAGMA foreign_key_check) before it commits.
  bool rebuilds_tables = false;
  // Erases data: once the pending migrations have run, the file is rewritten
  // (VACUUM) and the WAL emptied, so no free page or free space keeps it.
  bool vacuum_after = false;
};

const std::vector<Migration>& migrations();

}  // namespace cpshare
