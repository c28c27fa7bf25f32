// The domain's fixed sets (lease state, end reason, billing mode, audit event, ...)
// as enums, each declared once together with its wire and database string
// (issue 10: "each with its string form in one place"):
//
//   #define CPSHARE_LEASE_STATES(X) X(Requested, "requested") X(Approved, "approved") ...
//   CPSHARE_ENUM(LeaseState, CPSHARE_LEASE_STATES);
//
// declares `enum class LeaseState { Requested, Approved, ... }` and its table,
// so adding a value is one edit (one X(...) row) and no enumerator can lack its
// string. From the table, for every such enum E:
//   enum_name(E)          -> std::string_view, the row's string (total: every E has one)
//   enum_parse<E>(text)   -> std::optional<E>; nullopt for a string not in the table
//   enum_values<E>()      -> every value, in declaration order
//   enum_names<E>()       -> every string, in declaration order (CLI choices, completions)
//   enum_list<E>(", ", " or ") -> "a, b or c" for messages that name the choices
// The strings are what the wire and the database hold; they never change once
// released (a renamed value needs a migration). A string read back from the
// database that the table lacks is the store's Internal error (store/guarded.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpshare {

template <class E>
struct EnumRow {
  E value;
  std::string_view name;
};

// Specialised by CPSHARE_ENUM only; an enum without a table has no enum_name.
template <class E>
struct EnumTable;

#define CPSHARE_ENUM_ENUMERATOR(value, text) value,
#define CPSHARE_ENUM_ROW(value, text) Row{E::value, text},
#define CPSHARE_ENUM(Enum, LIST)                              \
  enum class Enum { LIST(CPSHARE_ENUM_ENUMERATOR) };          \
  template <>                                                 \
  struct EnumTable<Enum> {                                    \
    using E = Enum;                                           \
    using Row = EnumRow<Enum>;                                \
    static constexpr std::array rows{LIST(CPSHARE_ENUM_ROW)}; \
  }

namespace detail {
// Rows in declaration order (so a value is its row's index) and no string twice.
template <class E>
constexpr bool table_ok() {
  const auto& rows = EnumTable<E>::rows;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (static_cast<std::size_t>(rows[i].value) != i || rows[i].name.empty()) return false;
    for (std::size_t j = 0; j < i; ++j)
      if (rows[j].name == rows[i].name) return false;
  }
  return true;
}
}  // namespace detail

template <class E>
constexpr std::string_view enum_name(E e) {
  static_assert(detail::table_ok<E>(), "an enum's table has one distinct string per value, in order");
  return EnumTable<E>::rows[static_cast<std::size_t>(e)].name;
}

template <class E>
constexpr std::optional<E> enum_parse(std::string_view text) {
  for (const auto& row : EnumTable<E>::rows)
    if (row.name == text) return row.value;
  return std::nullopt;
}

template <class E>
constexpr auto enum_values() {
  std::array<E, EnumTable<E>::rows.size()> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = EnumTable<E>::rows[i].value;
  return out;
}

template <class E>
std::vector<std::string> enum_names() {
  std::vector<std::string> out;
  for (const auto& row : EnumTable<E>::rows) out.emplace_back(row.name);
  return out;
}

// The strings joined for a message: enum_list<E>(", ", " or ") = "idle, offline or busy".
template <class E>
std::string enum_list(std::string_view sep, std::string_view last_sep) {
  std::string out;
  const auto& rows = EnumTable<E>::rows;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) out += i + 1 == rows.size() ? last_sep : sep;
    out += rows[i].name;
  }
  return out;
}

}  // namespace cpshare
