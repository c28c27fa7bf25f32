// The daemon's one route table (issue 10): each row is an endpoint type of
// lib/api (method, path template, auth level, request and response types)
// bound to its handler. The services bind their own endpoints
// (service/endpoint_table.hpp: `void bind(EndpointTable&)` in each service's
// .cpp, where the compiler checks each handler against its endpoint); this
// table serves their rows over HTTP: it reads the body (api::parse_json_body's
// rules) or the query the row's request needs, hands the row what it read,
// and gives a large body's memory back afterwards. HttpServer authenticates
// before it calls a row, so no handler can meet a missing caller.
//
// bind<E>(fn) takes a row here, with the same checks, for an area whose rows
// are bound in lib/server (deregistration, which needs two services: routes_accounts.cpp);
// bind_http<E> is for a route whose answer depends on more of the HTTP request
// than the contract carries (the activation link's HTML page).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "api/endpoint.hpp"
#include "service/audit.hpp"
#include "service/caller.hpp"
#include "service/endpoint_table.hpp"
#include "util/error.hpp"

namespace httplib {
struct Request;
}

namespace cpshare {

// What a route answers: JSON data in the envelope, or a raw body.
using Reply = EndpointReply;

// The query is the request's, read once by request_query.
using RouteHandler = std::function<Result<Reply>(const httplib::Request&, const RequestContext&, const Caller*,
                                                 const api::PathParams&, const api::Query&)>;

struct Route {
  api::Method method;
  std::string_view path;  // OpenAPI template
  api::Auth auth;
  std::string_view summary;
  RouteHandler handler;  // receives a non-null Caller exactly when auth != None
  bool bulk = false;     // run on the bulk lane (util/bulk_lane.hpp)
};

// The request's JSON body under api::parse_json_body's rules.
Result<api::json> request_body(const httplib::Request& req);
// The request's query parameters, read from its target as the URL Standard
// reads a form (api::parse_query: split at each pair's first "=", a name
// given twice refused). Not httplib's req.params, which splits at every "=".
Result<api::Query> request_query(const httplib::Request& req);
// After a large body's tree is freed, hand its pages back (util/memory).
void release_request_memory(const httplib::Request& req);

// The handler that serves `row` over HTTP.
RouteHandler http_handler(EndpointRow row);

class RouteTable {
 public:
  // Serves every row of the services' table.
  void add(const EndpointTable& endpoints) {
    for (const auto& row : endpoints.rows()) add_row(row);
  }

  template <api::Endpoint E, class F>
  void bind(F fn) {
    add_row(endpoint_row<E>(std::move(fn)));
  }

  template <api::Endpoint E>
  void bind_http(RouteHandler handler) {
    add_route(Route{E::method, E::path, E::auth, E::summary, std::move(handler)});
  }

  const std::vector<Route>& routes() const { return routes_; }

 private:
  void add_row(const EndpointRow& row) {
    add_route(Route{row.method, row.path, row.auth, row.summary, http_handler(row), row.bulk});
  }
  void add_route(Route route) { routes_.push_back(std::move(route)); }
  std::vector<Route> routes_;
};

}  // namespace cpshare
