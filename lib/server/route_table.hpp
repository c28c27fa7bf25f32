// The daemon's one route table (issue 10): each row is an endpoint type of
// lib/api (method, path template, auth level, request and response types)
// bound to its handler. The compiler checks the handler against the
// endpoint: it receives the parsed request type, answers the response type,
// and, for an authenticated endpoint, receives `const Caller&` — the table
// authenticates before it calls, so no handler can meet a missing caller.
//
//   table.bind<api::endpoint::Logout>(
//       [&](const Caller& c, const api::NoRequest&, const RequestContext& ctx, const api::PathParams&) {
//         return sessions.logout(c, ctx);
//       });
//
// Handlers: auth None → fn(request, ctx, path); Session/Admin → fn(caller,
// request, ctx, path); each returns Result<E::Response> (or something that
// converts). Path parameters are read by name: path["cpc_id"].
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
#include "util/error.hpp"

namespace httplib {
struct Request;
}

namespace cpshare {

// What a route answers: JSON data in the envelope, or a raw body.
struct Reply {
  int status = 200;
  api::json data;
  std::optional<api::RawBody> raw;
};

using RouteHandler =
    std::function<Result<Reply>(const httplib::Request&, const RequestContext&, const Caller*, const api::PathParams&)>;

struct Route {
  api::Method method;
  std::string_view path;  // OpenAPI template
  api::Auth auth;
  std::string_view summary;
  RouteHandler handler;  // receives a non-null Caller exactly when auth != None
};

// The request's JSON body under api::parse_json_body's rules.
Result<api::json> request_body(const httplib::Request& req);
// The request's query parameters.
api::Query request_query(const httplib::Request& req);
// After a large body's tree is freed, hand its pages back (util/memory).
void release_request_memory(const httplib::Request& req);

class RouteTable {
 public:
  template <api::Endpoint E, class F>
  void bind(F fn) {
    using Req = typename E::Request;
    using Resp = typename E::Response;
    RouteHandler h = [fn = std::move(fn)](const httplib::Request& http, const RequestContext& ctx, const Caller* caller,
                                          const api::PathParams& path) -> Result<Reply> {
      Result<Resp> out = [&]() -> Result<Resp> {
        Req request{};
        if constexpr (api::BodyRequest<Req>) {
          TRY_ASSIGN(api::json body, request_body(http));
          TRY_ASSIGN(request, Req::from_body(body));
        } else if constexpr (api::QueryRequest<Req>) {
          TRY_ASSIGN(request, Req::from_query(request_query(http)));
        }
        if constexpr (E::auth == api::Auth::None) {
          return fn(std::as_const(request), ctx, path);
        } else {
          return fn(*caller, std::as_const(request), ctx, path);
        }
      }();
      if constexpr (api::BodyRequest<Req>) release_request_memory(http);
      if (!out) return std::unexpected(std::move(out.error()));
      if constexpr (std::is_same_v<Resp, api::RawBody>) {
        return Reply{E::status, nullptr, std::move(*out)};
      } else {
        return Reply{E::status, api::encode(*out), std::nullopt};
      }
    };
    add(Route{E::method, E::path, E::auth, E::summary, std::move(h)});
  }

  // A route whose answer depends on more of the HTTP request than the
  // contract carries (the activation link: an HTML page for a browser).
  template <api::Endpoint E>
  void bind_http(RouteHandler handler) {
    add(Route{E::method, E::path, E::auth, E::summary, std::move(handler)});
  }

  const std::vector<Route>& routes() const { return routes_; }

 private:
  void add(Route route) { routes_.push_back(std::move(route)); }
  std::vector<Route> routes_;
};

}  // namespace cpshare
