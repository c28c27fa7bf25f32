// The one table of HTTP routes. The daemon binds handlers to it, and a test
// checks it against docs/openapi.yaml, so the document and the server cannot drift.
#pragma once

#include <string_view>
#include <vector>

namespace cpshare::api {

enum class Auth { None, Session, Admin };

struct RouteSpec {
  std::string_view method;  // "GET", "POST", "PATCH", "DELETE"
  std::string_view path;    // OpenAPI template, e.g. "/api/v1/sessions/{id}"
  Auth auth;
  std::string_view summary;  // one line, as in the OpenAPI document
};

const std::vector<RouteSpec>& route_specs();

}  // namespace cpshare::api
