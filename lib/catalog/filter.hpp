// The catalogue filter language (R-CL-6), compiled to a typed predicate tree
// over the catalogue's fields (docs/design/catalogue.md, "Filter fields").
// The store renders the tree as SQL (store/filter_sql.hpp); nothing here
// knows SQL.
//
//   class=A units_free>=4 model~A100 price_hourly<=30 location=深圳市
//   class in [A,B]  model="A100 80GB"  unit_memory>=80GB  cuda>=12.1  billing=monthly
//
// An expression is whitespace-separated terms that must all hold. A term is
// `field op value`; spaces around the operator are optional. Operators:
// = != < <= > >= ~ (contains, case-insensitive), `in [a,b]`, `notin [a,b]`.
// Values are bare words (letters incl. UTF-8, digits, . _ - /) or quoted
// with "…" or '…' (no escapes; one kind of quote may hold the other).
// Sizes take decimal (KB..PB, 10^3 steps) or binary (KiB..PiB, 2^10 steps)
// units, case-insensitive, exact to the byte; money is yuan with at most two
// decimals, compiled to fen. A negated term (!=, notin) also holds where the
// field has no value: a cluster without an hourly price has price_hourly != 30.
// Case-insensitive matching folds ASCII only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/error.hpp"

namespace cpshare::catalog {

// The catalogue fields a filter tests or a sort orders by: one per column of
// the cluster record that the language can see.
enum class Column {
  Class,
  ResourceType,
  Model,
  Units,
  UnitsFree,
  Nodes,      // A-class: its nodes (0 for B)
  NodesFree,  // A-class: nodes free to lease, whole (0 for B)
  UnitMemory,
  Memory,
  Vcpus,
  PriceHourly,
  PriceDaily,
  PriceMonthly,
  PriceYearly,
  Vendor,
  Location,
  Region,
  Storage,
  Cuda,
  Frameworks,
  Reliability,  // B-class, in millionths (clusters.reliability_ppm)
};

// Typed values. Text is the value as typed (enumerations in their canonical
// case, "A", "GPU"); a Version is catalog::version_key's form ("12.4" →
// "0012.0004"), whose text order is the version order.
struct Count {
  std::int64_t n = 0;
  bool operator==(const Count&) const = default;
};
struct Bytes {
  std::int64_t n = 0;
  bool operator==(const Bytes&) const = default;
};
struct Fen {
  std::int64_t n = 0;
  bool operator==(const Fen&) const = default;
};
struct Version {
  std::string key;
  bool operator==(const Version&) const = default;
};
// A ratio in millionths: "0.95" and "95%" are 950000 (exact: no floating point).
struct Ppm {
  std::int64_t n = 0;
  bool operator==(const Ppm&) const = default;
};
using Value = std::variant<Count, Bytes, Fen, std::string, Version, Ppm>;

enum class Cmp { Eq, Ne, Lt, Le, Gt, Ge };

// How text is compared: exactly, or without regard to ASCII case.
enum class Case { Exact, Fold };

struct Predicate;

// column op value. A Version orders the versions of `column` (Cuda).
struct Compare {
  Column column;
  Cmp op = Cmp::Eq;
  Value value;
  Case text_case = Case::Exact;
  bool operator==(const Compare&) const = default;
};
// column is (not) one of values.
struct In {
  Column column;
  std::vector<Value> values;
  bool negated = false;
  Case text_case = Case::Exact;
  bool operator==(const In&) const = default;
};
// The text of column contains `part` (ASCII case folded), taken literally.
struct Contains {
  Column column;
  std::string part;
  bool operator==(const Contains&) const = default;
};
// The comma-separated list in column has (not) an element equal to `element`
// (ASCII case folded).
struct HasElement {
  Column column;
  std::string element;
  bool negated = false;
  bool operator==(const HasElement&) const = default;
};
// The column has a value (present) or is empty (NULL, !present).
struct Present {
  Column column;
  bool present = true;
  bool operator==(const Present&) const = default;
};
// Every / any of the predicates holds (never empty).
struct All {
  std::vector<Predicate> of;
  friend bool operator==(const All&, const All&);
};
struct Any {
  std::vector<Predicate> of;
  friend bool operator==(const Any&, const Any&);
};

struct Predicate {
  std::variant<Compare, In, Contains, HasElement, Present, All, Any> node;
  friend bool operator==(const Predicate&, const Predicate&);
};

// A compiled filter: one predicate per term, all of which must hold (none:
// every cluster).
struct Filter {
  std::vector<Predicate> terms;
  bool operator==(const Filter&) const = default;
};

// Limits, so that a filter cannot make a query arbitrarily large. Lengths are
// counted in characters (code points), as people count them (issue 8).
inline constexpr std::size_t kMaxFilterChars = 2000;
inline constexpr std::size_t kMaxFilterTerms = 32;
inline constexpr std::size_t kMaxFilterListItems = 64;
inline constexpr std::size_t kMaxFilterValueChars = 200;

// Compile a filter expression; VALIDATION_FAILED on field "filter" with a
// message naming the term ("term 2 'modle~A100': unknown field 'modle' (did you mean model?)").
Result<Filter> compile_filter(std::string_view expr);

struct SortSpec {
  Column column = Column::Model;  // from the fixed field table
  bool descending = false;
  bool nullable = false;  // NULL for some clusters (sorted last): a price whose mode is not offered,
                          // reliability before a score, nodes and nodes_free of a B-class cluster
};

// "price_hourly" ascending, "price_hourly-" descending ("+" suffix: ascending).
// Sortable: the integer, size, money and ratio fields, model, vendor, location, region.
// VALIDATION_FAILED on field "sort" otherwise.
Result<SortSpec> parse_sort(std::string_view spec);

// Every filter field name, in the order of the design table (help, completions).
const std::vector<std::string_view>& filter_fields();
// The sortable subset, same order.
const std::vector<std::string_view>& sort_fields();
// The filter field name of a column ("framework" for Frameworks).
std::string_view field_name(Column column);

}  // namespace cpshare::catalog
