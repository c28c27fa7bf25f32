// Internal to lib/store: Store::guarded, shared by the store's source files.
// Runs one store operation under the store's lock and turns SQLiteCpp's
// exceptions into error values (UNIQUE violations on accounts into their codes).
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "store/store.hpp"

namespace cpshare {

inline std::optional<Error> uniqueness_error(const SQLite::Exception& e) {
  std::string what = e.what();
  if (what.find("UNIQUE") == std::string::npos) return std::nullopt;
  if (what.find("accounts.username") != std::string::npos)
    return Error{ErrorCode::UsernameTaken, "that username is taken; choose another", {}, 0};
  if (what.find("accounts.email") != std::string::npos)
    return Error{ErrorCode::EmailTaken, "that email address is already registered; log in or use another", {}, 0};
  if (what.find("accounts.phone_idx") != std::string::npos)
    return Error{ErrorCode::PhoneTaken, "that phone number is already registered; log in or use another", {}, 0};
  return std::nullopt;
}

template <class F>
auto Store::guarded(const char* what, F&& f) -> decltype(f()) {
  std::lock_guard lock(mu_);
  try {
    return f();
  } catch (const SQLite::Exception& e) {
    if (auto u = uniqueness_error(e)) return std::unexpected(*u);
    return fail(ErrorCode::Internal, fmt::format("store: {}: {}", what, e.what()));
  }
}

}  // namespace cpshare
