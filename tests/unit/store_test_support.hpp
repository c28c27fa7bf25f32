// Helpers for the unit tests that run services over a real Store: a temporary
// directory, an account made straight in the store (no registration flow),
// and a file's text.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include "service/accounts.hpp"
#include "store/migrations.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"

namespace cpshare::testing {

// A fresh directory under the system's temp dir, removed with everything in it.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cpshare-store-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// An account as it stands after registration and review, not yet inserted.
inline Account reviewed_account(const std::string& name, Role role, AccountStatus status, std::int64_t created_at) {
  Account a;
  a.username = name;
  a.role = role;
  a.status = status;
  // A temporary, and fmt rather than operator+: GCC 12 at -O2 misfires
  // -Wrestrict on a 1-char literal assignment and on the concatenation.
  a.password_hash = std::string("x");
  a.email = fmt::format("{}@example.org", name);
  a.created_at = created_at;
  return a;
}

// That account inserted, and the Caller a session of it would give.
inline Caller insert_caller(Store& store, const Clock& clock, const std::string& name, Role role,
                            AccountStatus status = AccountStatus::Active, const std::string& region = "深圳") {
  Account a = reviewed_account(name, role, status, clock.now());
  a.region = region;
  a.id = store.accounts().insert(a).value();
  return Caller{a, Session{}};
}

// A database file as cpshared left it at schema `version`: the migrations up
// to it, recorded as applied, for the tests of a later migration to fill and
// reopen with Store::open. Migration 5 calls the store's username function;
// the tests insert no account before it runs, so a stand-in does.
inline void database_at_schema(const std::filesystem::path& path, int version) {
  SQLite::Database db(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  REQUIRE(sqlite3_create_function_v2(
              db.getHandle(), "cpshare_username_key", 1, SQLITE_UTF8, nullptr,
              [](sqlite3_context* ctx, int, sqlite3_value** v) { sqlite3_result_value(ctx, v[0]); }, nullptr, nullptr,
              nullptr) == SQLITE_OK);
  db.exec(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
      "applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)");
  for (const auto& m : migrations()) {
    if (m.version > version) break;
    db.exec(std::string(m.sql));
    db.exec(fmt::format("INSERT INTO schema_migrations(version, name) VALUES ({}, 'm')", m.version));
  }
}

// The whole text of a file ("" when it cannot be read).
inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace cpshare::testing
