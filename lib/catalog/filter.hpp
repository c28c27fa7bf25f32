// The catalogue filter language (R-CL-6), compiled to a parameterised SQL
// condition on table `clusters` (docs/design/catalogue.md, "Filter fields").
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
// column is NULL: a cluster without an hourly price has price_hourly != 30.
// Case-insensitive matching uses LOWER(), which SQLite folds for ASCII only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/error.hpp"

namespace cpshare::catalog {

using SqlParam = std::variant<std::int64_t, std::string>;

// `where` is a boolean SQL expression ("1=1" when the filter is empty) whose
// `?` placeholders take `params` in order. Values never appear in `where`;
// column names come only from the fixed field table.
struct CompiledFilter {
  std::string where;
  std::vector<SqlParam> params;
};

// Limits, so that a filter cannot make a query arbitrarily large. Lengths are
// counted in characters (code points), as people count them (issue 8).
inline constexpr std::size_t kMaxFilterChars = 2000;
inline constexpr std::size_t kMaxFilterTerms = 32;
inline constexpr std::size_t kMaxFilterListItems = 64;
inline constexpr std::size_t kMaxFilterValueChars = 200;

// Compile a filter expression; VALIDATION_FAILED on field "filter" with a
// message naming the term ("term 2 'modle~A100': unknown field 'modle' (did you mean model?)").
Result<CompiledFilter> compile_filter(std::string_view expr);

struct SortSpec {
  std::string column;  // a column of `clusters`, from the fixed field table
  bool descending = false;
  bool nullable = false;  // a price: NULL when the mode is not offered (sorted last)
};

// "price_hourly" ascending, "price_hourly-" descending ("+" suffix: ascending).
// Sortable: the integer, size and money fields, model, vendor, location, region.
// VALIDATION_FAILED on field "sort" otherwise.
Result<SortSpec> parse_sort(std::string_view spec);

// Every filter field name, in the order of the design table (help, completions).
const std::vector<std::string_view>& filter_fields();
// The sortable subset, same order.
const std::vector<std::string_view>& sort_fields();

}  // namespace cpshare::catalog
