#include "api/envelope.hpp"

namespace cpshare::api {

nlohmann::json error_envelope(const Error& e) {
  nlohmann::json err = {{"code", error_code_name(e.code)}, {"message", e.message}};
  if (!e.fields.empty()) {
    err["fields"] = nlohmann::json::array();
    for (const auto& f : e.fields) err["fields"].push_back({{"field", f.field}, {"message", f.message}});
  }
  if (e.retry_after > 0) err["retry_after"] = e.retry_after;
  return {{"error", err}};
}

}  // namespace cpshare::api
