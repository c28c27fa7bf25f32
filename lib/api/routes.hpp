// The API's routes as plain rows, read from the endpoint types of
// api/endpoints.hpp (their one source): the daemon serves them in this order,
// and tests check them against docs/openapi.yaml and the daemon's handlers.
#pragma once

#include <string_view>
#include <vector>

namespace cpshare::api {

// Agent: a B-class cluster's agent token (cpa_…, given at publish), checked
// by the endpoint's service against the cluster it names; no session token.
enum class Auth { None, Session, Admin, Agent };

struct RouteSpec {
  std::string_view method;  // "GET", "POST", "PATCH", "DELETE"
  std::string_view path;    // OpenAPI template, e.g. "/api/v1/sessions/{id}"
  Auth auth;
  std::string_view summary;  // one line, as in the OpenAPI document
};

const std::vector<RouteSpec>& route_specs();

}  // namespace cpshare::api
