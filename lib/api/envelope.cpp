#include "api/envelope.hpp"

#include "util/text.hpp"

namespace cpshare::api {

nlohmann::json error_envelope(const Error& e) {
  nlohmann::json err = {{"code", error_code_name(e.code)}, {"message", text::clip(e.message, kMaxErrorMessage)}};
  if (!e.fields.empty()) {
    // Fields::failure already capped its list (its last entry counts the
    // rest); a longer list, built elsewhere, is capped here without a copy.
    const std::size_t n = e.fields.size();
    const std::size_t shown = n <= kMaxFieldErrors + 1 ? n : kMaxFieldErrors;
    auto entry = [](const FieldError& f) {
      return nlohmann::json{{"field", text::clip(f.field, kMaxFieldName)},
                            {"message", text::clip(f.message, kMaxFieldMessage)}};
    };
    err["fields"] = nlohmann::json::array();
    for (std::size_t i = 0; i < shown; ++i) err["fields"].push_back(entry(e.fields[i]));
    if (shown < n) err["fields"].push_back(entry(cap_field_errors({}, n - shown).front()));
  }
  if (e.retry_after > 0) err["retry_after"] = e.retry_after;
  return {{"error", err}};
}

}  // namespace cpshare::api
