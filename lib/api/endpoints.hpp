// Every typed endpoint of the API, in route order (specific paths before the
// templates that would also match them): each area header lists its own
// (api/<area>.hpp, `<Area>Endpoints`), and this file joins the areas in the
// order the daemon serves them. The contract test dumps their types
// (tests/contract/) and compares them with docs/openapi.yaml.
#pragma once

#include <tuple>
#include <utility>

#include "api/accounts.hpp"
#include "api/admin.hpp"
#include "api/agent_work.hpp"
#include "api/catalog.hpp"
#include "api/leases.hpp"
#include "api/meta.hpp"
#include "api/metrics.hpp"

namespace cpshare::api {

// meta, accounts, admin (review and audit), the catalogue, leases and billing, Irmds metrics,
// the B-class agent's work (api/agent_work.hpp).
// No area's template matches another area's path, so this order only keeps
// each area's own.
using AllEndpoints = decltype(std::tuple_cat(std::declval<MetaEndpoints>(), std::declval<AccountEndpoints>(),
                                             std::declval<AdminEndpoints>(), std::declval<CatalogEndpoints>(),
                                             std::declval<LeaseEndpoints>(), std::declval<MetricsEndpoints>(),
                                             std::declval<AgentWorkEndpoints>()));

// Calls fn(E{}) for each endpoint type E, in order.
template <class F>
void for_each_endpoint(F&& fn) {
  std::apply([&](auto... e) { (fn(e), ...); }, AllEndpoints{});
}

}  // namespace cpshare::api
