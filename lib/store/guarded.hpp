// Internal to lib/store, shared by its source files: Database::read and
// Database::write (which connection an operation runs on, and SQLite's
// exceptions turned into error values) and the row helpers.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include <optional>
#include <stdexcept>
#include <utility>

#include "domain/account.hpp"
#include "util/enum_table.hpp"

#include "store/connection.hpp"
#include "store/database.hpp"

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

// A free node n of cluster ?1 (issue 12): an idle unit, no unit held by a
// lease (an A-class lease takes whole nodes), and no lease account on it
// still to be removed (the last tenant's account goes before the next one
// comes). Shared by nodes_free, units_free and LeaseStore::pick_nodes, so the
// catalogue counts what a lease can take.
#define CPSHARE_FREE_NODE_SQL                                                                                 \
  "EXISTS (SELECT 1 FROM cluster_units u WHERE u.cluster_id = ?1 AND u.node = n.node AND u.status = 'idle') " \
  "AND NOT EXISTS (SELECT 1 FROM cluster_units u JOIN lease_units h ON h.cluster_id = u.cluster_id "          \
  "AND h.idx = u.idx AND h.held = 1 WHERE u.cluster_id = ?1 AND u.node = n.node) "                            \
  "AND NOT EXISTS (SELECT 1 FROM revocations r JOIN lease_units h ON h.lease_id = r.lease_id "                \
  "JOIN cluster_units u ON u.cluster_id = h.cluster_id AND u.idx = h.idx "                                    \
  "WHERE r.done_at IS NULL AND h.cluster_id = ?1 AND u.node = n.node)"

// Keeps clusters.units_free (list and filter read it) equal to the number of
// the cluster's idle units, and for an A-class cluster to the idle units of
// its free nodes (what a lease can get), and nodes_free to its free nodes (0
// for B); run after any change of a unit's status or a lease account
// removal, in the same transaction.
inline void refresh_units_free(Connection& db, std::int64_t cluster_id) {
  SQLite::Statement& st = db.prepare(
      "UPDATE clusters SET units_free = CASE WHEN class = 'A' THEN (SELECT COUNT(*) FROM cluster_units v "
      "JOIN cluster_nodes n ON n.cluster_id = v.cluster_id AND n.node = v.node "
      "WHERE v.cluster_id = ?1 AND v.status = 'idle' AND " CPSHARE_FREE_NODE_SQL
      ") ELSE (SELECT COUNT(*) FROM cluster_units WHERE cluster_id = ?1 AND status = 'idle') END, "
      "nodes_free = (SELECT COUNT(*) FROM cluster_nodes n WHERE n.cluster_id = ?1 AND " CPSHARE_FREE_NODE_SQL
      ") WHERE id = ?1");
  st.bind(1, static_cast<int64_t>(cluster_id));
  st.exec();
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
  if (v)
    st.bind(i, *v);
  else
    st.bind(i);
}
inline void bind_opt(SQLite::Statement& st, int i, const std::optional<std::int64_t>& v) {
  if (v)
    st.bind(i, static_cast<int64_t>(*v));
  else
    st.bind(i);
}
inline void bind_blob(SQLite::Statement& st, int i, const Blob& b) {
  if (b.empty())
    st.bind(i);
  else
    st.bind(i, b.data(), static_cast<int>(b.size()));
}

// A column holding one of an enum's strings (util/enum_table.hpp) that does
// not (a row written by a newer cpshared, or edited by hand). The value is not
// guessed: the read fails as Internal, naming the column and the value
// ("store: read lease: leases.state holds 'paused', which this version of
// cpshared does not know"), caught by with_errors.
class UnknownStoredValue : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The enum value a text column holds; UnknownStoredValue when it is not one of E's strings.
template <class E>
E stored(const char* column, const SQLite::Column& c) {
  const std::string text = c.getString();
  if (auto v = enum_parse<E>(text)) return *v;
  throw UnknownStoredValue(fmt::format("{} holds '{}', which this version of cpshared does not know", column, text));
}
// The same for a nullable column (NULL: nullopt).
template <class E>
std::optional<E> stored_opt(const char* column, const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return stored<E>(column, c);
}
inline void bind_name(SQLite::Statement& st, int i, std::string_view name) { st.bind(i, std::string(name)); }
template <class E>
void bind_opt_enum(SQLite::Statement& st, int i, const std::optional<E>& v) {
  if (v)
    bind_name(st, i, enum_name(*v));
  else
    st.bind(i);
}

// Turns SQLiteCpp's exceptions (and UNIQUE violations on accounts), and a stored
// value no enum knows, into error values.
template <class F>
auto with_errors(const char* what, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const SQLite::Exception& e) {
    if (auto u = uniqueness_error(e)) return std::unexpected(*u);
    return fail(ErrorCode::Internal, fmt::format("store: {}: {}", what, e.what()));
  } catch (const UnknownStoredValue& e) {
    return fail(ErrorCode::Internal, fmt::format("store: {}: {}", what, e.what()));
  }
}

// A read connection on loan from the pool (or the writer, when there is no
// pool or the caller is inside a transaction); returned on destruction.
class Database::ReaderLease {
 public:
  ReaderLease(Database& d, std::unique_ptr<Connection> own, std::unique_lock<std::mutex> writer_lock)
      : database_(d), own_(std::move(own)), writer_lock_(std::move(writer_lock)) {}
  ReaderLease(ReaderLease&&) = default;
  ~ReaderLease() {
    if (own_) database_.give_back_reader(std::move(own_));
  }
  Connection& db() { return own_ ? *own_ : *database_.db_; }

 private:
  Database& database_;
  std::unique_ptr<Connection> own_;
  std::unique_lock<std::mutex> writer_lock_;  // held when reading on the writer outside a transaction
};

template <class F>
auto Database::read(const char* what, F&& f) -> decltype(f(std::declval<Connection&>())) {
  if (in_transaction())
    return with_errors(what, [&] {
      StatementScope scope(*db_);
      return f(*db_);
    });
  try {
    ReaderLease lease = borrow_reader();
    return with_errors(what, [&] {
      StatementScope scope(lease.db());
      return f(lease.db());
    });
  } catch (const SQLite::Exception& e) {
    return fail(ErrorCode::Internal, fmt::format("store: {}: open read connection: {}", what, e.what()));
  }
}

template <class F>
auto Database::write(const char* what, F&& f) -> decltype(f(std::declval<Connection&>())) {
  using R = decltype(f(std::declval<Connection&>()));
  std::optional<R> out;
  Result<> done = atomically([&]() -> Result<> {
    out.emplace(with_errors(what, [&] {
      StatementScope scope(*db_);
      return f(*db_);
    }));
    if (!*out) return std::unexpected(out->error());
    return {};
  });
  if (!done) return std::unexpected(done.error());
  return std::move(*out);
}

}  // namespace cpshare
