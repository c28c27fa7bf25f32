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

#include "service/accounts.hpp"
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

// The whole text of a file ("" when it cannot be read).
inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace cpshare::testing
