// The rows that bind each endpoint of lib/api to the service method that
// answers it (issue 10), with no transport in sight: each service adds its
// own rows in its own .cpp (`void bind(EndpointTable&)`), next to the methods
// they call, and the daemon serves the table over HTTP (server/route_table.hpp:
// it authenticates, reads the body or the query, and writes the envelope).
// The compiler checks each handler against its endpoint type:
//
//   t.bind<api::endpoint::ShowCluster>(
//       [this](const Caller& c, const api::NoRequest&, const RequestContext&, const api::PathParams& p) {
//         return show(c, p["cpc_id"]);
//       });
//
// Handlers: auth None → fn(const E::Request&, const RequestContext&, const
// api::PathParams&); Session/Admin → fn(const Caller&, const E::Request&,
// const RequestContext&, const api::PathParams&), so an open endpoint cannot
// read a caller and an authenticated one cannot meet a missing one. Each
// returns Result<E::Response> (or something that converts). Path parameters
// are read by name: path["cpc_id"].
#pragma once

#include <functional>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "api/endpoint.hpp"
#include "util/error.hpp"

namespace cpshare {

struct Caller;          // service/caller.hpp: the authenticated account and session
struct RequestContext;  // service/audit.hpp: the client's address and user agent

// What an endpoint answers: JSON data (for the envelope) with the endpoint's
// success status, or a raw body (a file, a document, a page).
struct EndpointReply {
  int status = 200;
  api::json data;
  std::optional<api::RawBody> raw;
};

// Where an endpoint's request comes from (the type's: api/endpoint.hpp).
enum class RequestIn { None, Body, Query };

template <class Req>
constexpr RequestIn request_in() {
  if constexpr (api::BodyRequest<Req>) return RequestIn::Body;
  if constexpr (api::QueryRequest<Req>) return RequestIn::Query;
  return RequestIn::None;
}

// What the transport read for a row: the JSON body, parsed under
// api::parse_json_body's rules (for RequestIn::Body), or the query
// parameters (RequestIn::Query). The other is null.
struct EndpointInput {
  const api::json* body = nullptr;
  const api::Query* query = nullptr;
};

// A row's handler, its types erased: caller is non-null exactly when the
// endpoint's auth is Session or Admin (the transport authenticated it first).
using EndpointHandler = std::function<Result<EndpointReply>(const Caller* caller, const EndpointInput& input,
                                                            const RequestContext& ctx, const api::PathParams& path)>;

struct EndpointRow {
  api::Method method;
  std::string_view path;  // OpenAPI template
  api::Auth auth;
  std::string_view summary;
  RequestIn in;
  EndpointHandler handler;
  bool bulk = false;  // api::is_bulk<E>(): served on the daemon's bulk lane
};

// The row of endpoint E with handler fn (the checks described above).
template <api::Endpoint E, class F>
EndpointRow endpoint_row(F fn) {
  using Req = typename E::Request;
  using Resp = typename E::Response;
  // An agent's endpoint has no caller: its service checks the agent token (RequestContext::agent_token).
  constexpr bool open = E::auth == api::Auth::None || E::auth == api::Auth::Agent;
  if constexpr (open) {
    static_assert(
        std::is_invocable_r_v<Result<Resp>, const F&, const Req&, const RequestContext&, const api::PathParams&>,
        "an open endpoint's handler is fn(const E::Request&, const RequestContext&, const api::PathParams&) "
        "-> Result<E::Response>: no caller");
  } else {
    static_assert(std::is_invocable_r_v<Result<Resp>, const F&, const Caller&, const Req&, const RequestContext&,
                                        const api::PathParams&>,
                  "an authenticated endpoint's handler is fn(const Caller&, const E::Request&, const RequestContext&, "
                  "const api::PathParams&) -> Result<E::Response>");
  }
  EndpointHandler h = [fn = std::move(fn)](const Caller* caller, const EndpointInput& input, const RequestContext& ctx,
                                           const api::PathParams& path) -> Result<EndpointReply> {
    Req request{};
    if constexpr (api::BodyRequest<Req>) {
      if (input.body == nullptr) return fail(ErrorCode::Internal, "the endpoint's body was not read");
      TRY_ASSIGN(request, Req::from_body(*input.body));
    } else if constexpr (api::QueryRequest<Req>) {
      TRY_ASSIGN(request, Req::from_query(input.query != nullptr ? *input.query : api::Query{}));
    }
    Result<Resp> out = [&]() -> Result<Resp> {
      if constexpr (open) {
        return fn(std::as_const(request), ctx, path);
      } else {
        if (caller == nullptr)
          return fail(ErrorCode::Internal, "an authenticated endpoint was called without a caller");
        return fn(*caller, std::as_const(request), ctx, path);
      }
    }();
    if (!out) return std::unexpected(std::move(out.error()));
    if constexpr (std::is_same_v<Resp, api::RawBody>) {
      return EndpointReply{E::status, nullptr, std::move(*out)};
    } else {
      return EndpointReply{E::status, api::encode(*out), std::nullopt};
    }
  };
  return EndpointRow{E::method, E::path, E::auth, E::summary, request_in<Req>(), std::move(h), api::is_bulk<E>()};
}

// The rows of the services, in the order they were bound (the daemon serves
// them in api::route_specs() order whatever that is).
class EndpointTable {
 public:
  template <api::Endpoint E, class F>
  void bind(F fn) {
    rows_.push_back(endpoint_row<E>(std::move(fn)));
  }
  const std::vector<EndpointRow>& rows() const { return rows_; }

 private:
  std::vector<EndpointRow> rows_;
};

}  // namespace cpshare
