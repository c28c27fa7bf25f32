// Every typed endpoint of the API, in route order (specific paths before the
// templates that would also match them). The contract test dumps their types
// (tests/contract/) and compares them with docs/openapi.yaml.
#pragma once

#include <tuple>

#include "api/accounts.hpp"
#include "api/meta.hpp"

namespace cpshare::api {

using AllEndpoints = std::tuple<endpoint::Health, endpoint::OpenApiDocument, endpoint::Terms, endpoint::ListSessions,
                                endpoint::Logout, endpoint::RevokeSession>;

// Calls fn(E{}) for each endpoint type E, in order.
template <class F>
void for_each_endpoint(F&& fn) {
  std::apply([&](auto... e) { (fn(e), ...); }, AllEndpoints{});
}

}  // namespace cpshare::api
