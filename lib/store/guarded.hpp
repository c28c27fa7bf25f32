// Internal to lib/store: Store::guarded and the row helpers, shared by the store's source files.
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

// Reading and binding nullable columns.
inline std::optional<std::string> opt_text(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getString();
}
inline std::optional<std::int64_t> opt_int(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}
inline Blob blob(const SQLite::Column& c) {
  if (c.isNull()) return {};
  const auto* p = static_cast<const std::uint8_t*>(c.getBlob());
  return Blob(p, p + c.getBytes());
}
inline void bind_opt(SQLite::Statement& st, int i, const std::optional<std::string>& v) {
  if (v) st.bind(i, *v); else st.bind(i);
}
inline void bind_opt(SQLite::Statement& st, int i, const std::optional<std::int64_t>& v) {
  if (v) st.bind(i, static_cast<int64_t>(*v)); else st.bind(i);
}
inline void bind_blob(SQLite::Statement& st, int i, const Blob& b) {
  if (b.empty()) st.bind(i); else st.bind(i, b.data(), static_cast<int>(b.size()));
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
