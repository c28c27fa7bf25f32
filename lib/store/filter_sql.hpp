// The catalogue filter and sort (catalog/filter.hpp) as SQL on table
// `clusters` (migration 2): the store's half of R-CL-6. Column names come
// only from the fixed table here; values are never written into the text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "catalog/filter.hpp"

namespace cpshare {

using SqlParam = std::variant<std::int64_t, std::string>;

// `where` is a boolean SQL expression ("1=1" for a filter without terms)
// whose `?` placeholders take `params` in order. Text compared without regard
// to case uses COLLATE NOCASE (so the catalogue's NOCASE indexes serve
// location= and region=, docs/PERFORMANCE.md) or LIKE, which SQLite folds for
// ASCII only; a contained part is matched literally (LIKE's % and _ escaped
// with '!'); a Version compares the cuda_key column (text order = version order).
struct SqlCondition {
  std::string where;
  std::vector<SqlParam> params;
};
SqlCondition filter_sql(const catalog::Filter& filter);

// The column of `clusters` that holds a catalogue field ("price_hourly").
std::string_view column_sql(catalog::Column column);

}  // namespace cpshare
