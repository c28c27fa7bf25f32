// libFuzzer target for the catalogue filter language (R-CL-6): compile_filter
// and parse_sort must never crash, and what they return, rendered as SQL by
// the store (filter_sql), must keep the guarantees the query code relies on.
// Build and run: fuzz/README.md.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "catalog/filter.hpp"
#include "store/filter_sql.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();  // libFuzzer reports the input that got here
}

// The SQL holds no user text: only ASCII from the field table and the fixed
// literals ',' and '!' (the frameworks separator and the LIKE escape).
bool only_fixed_text(std::string where) {
  for (const std::string_view literal : {"','", "'!'"})
    for (auto at = where.find(literal); at != std::string::npos; at = where.find(literal))
      where.erase(at, literal.size());
  return std::ranges::none_of(where,
                              [](char c) { return c == '\'' || c == '"' || static_cast<unsigned char>(c) >= 0x80; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  if (const auto compiled = cpshare::catalog::compile_filter(input)) {
    const auto filter = cpshare::filter_sql(*compiled);
    check(static_cast<std::size_t>(std::ranges::count(filter.where, '?')) == filter.params.size());
    check(only_fixed_text(filter.where));
    check(!filter.where.empty());
  } else {
    check(compiled.error().code == cpshare::ErrorCode::ValidationFailed);
    check(compiled.error().fields.size() == 1 && compiled.error().fields[0].field == "filter");
    check(!compiled.error().fields[0].message.empty());
  }

  if (const auto sort = cpshare::catalog::parse_sort(input)) {
    const auto& fields = cpshare::catalog::sort_fields();
    check(std::ranges::find(fields, cpshare::catalog::field_name(sort->column)) != fields.end());
  }
  return 0;
}
