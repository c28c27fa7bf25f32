// Prints every typed endpoint of lib/api (api/endpoints.hpp) with the JSON
// Schemas of its request and response types (api::schema_of), for
// check_types.mjs to compare with docs/openapi.yaml.
#include <iostream>

#include "api/endpoints.hpp"

int main() {
  using namespace cpshare::api;
  json out = json::array();
  for_each_endpoint([&](auto e) {
    using E = decltype(e);
    using Req = typename E::Request;
    using Resp = typename E::Response;
    json row = {{"method", method_name(E::method)},
                {"path", E::path},
                {"auth", E::auth == Auth::None    ? "none"
                         : E::auth == Auth::Admin ? "admin"
                         : E::auth == Auth::Agent ? "agent"
                                                  : "session"},
                {"status", E::status}};
    if constexpr (BodyRequest<Req>) {
      row["request_in"] = "body";
      row["request"] = schema_of<Req>();
    } else if constexpr (QueryRequest<Req>) {
      row["request_in"] = "query";
      row["request"] = schema_of<Req>();
    } else {
      row["request_in"] = "none";
    }
    if constexpr (std::is_same_v<Resp, RawBody>)
      row["response"] = "raw";
    else
      row["response"] = schema_of<Resp>();
    out.push_back(std::move(row));
  });
  std::cout << out.dump(2) << "\n";
}
