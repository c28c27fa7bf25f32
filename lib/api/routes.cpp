#include "api/routes.hpp"

#include "api/endpoints.hpp"

namespace cpshare::api {

// Read from the endpoint types (api/endpoints.hpp), in their order: the one
// list the daemon serves, the CLI calls and the contract test checks.
const std::vector<RouteSpec>& route_specs() {
  static const std::vector<RouteSpec> routes = [] {
    std::vector<RouteSpec> out;
    for_each_endpoint([&](auto e) {
      using E = decltype(e);
      out.push_back(RouteSpec{method_name(E::method), E::path, E::auth, E::summary});
    });
    return out;
  }();
  return routes;
}

}  // namespace cpshare::api
