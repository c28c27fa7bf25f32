// An endpoint of the API as one type (issue 10): its method, path template,
// auth level, success status, summary, and its request and response types.
// Its service binds a handler to each (service/endpoint_table.hpp: the
// compiler checks the handler's types and hands an authenticated one `const
// Caller&`; the daemon serves the rows), the CLI calls it
// (client::ApiClient::call<E>), and route_specs() and the contract test
// (tests/contract/) read the same lists (api/endpoints.hpp), so the daemon,
// the CLI and docs/openapi.yaml cannot drift.
//
//   struct Logout {
//     static constexpr Method method = Method::Delete;
//     static constexpr std::string_view path = "/api/v1/sessions/current";
//     static constexpr Auth auth = Auth::Session;
//     static constexpr int status = 200;
//     static constexpr std::string_view summary = "Log out";
//     using Request = NoRequest;
//     using Response = SessionRevoked;
//   };
//
// Where the request comes from is its type's: a type with
// `static Result<T> from_body(const json&)` is a JSON body (validated there:
// VALIDATION_FAILED with fields); one with `static Result<T> from_query(const
// Query&)` is the query string; NoRequest is nothing; AnyBody is a body that
// is read as JSON and otherwise ignored (kept for routes that always did).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/routes.hpp"
#include "api/wire.hpp"
#include "util/error.hpp"

namespace cpshare::api {

enum class Method { Get, Post, Put, Patch, Delete };
std::string_view method_name(Method m);  // "GET"

// Query parameters as the server read them (request_rules.hpp parse_query:
// URL Standard form parsing, each name at most once).
using Query = std::multimap<std::string, std::string>;

// No request data at all.
struct NoRequest {};
// A JSON body that must parse (Content-Type, depth, duplicates: request_rules)
// and is otherwise not read.
struct AnyBody {
  static Result<AnyBody> from_body(const json&) { return AnyBody{}; }
};
template <>
struct Wire<AnyBody> {
  static constexpr auto fields = std::tuple{};
};

// A response that is not JSON in the envelope: a file or a document.
struct RawBody {
  std::string bytes;
  std::string content_type;  // "application/yaml", a licence's type
  std::string disposition;   // Content-Disposition, "" for none
};

template <class R>
concept BodyRequest = requires(const json& j) {
  { R::from_body(j) } -> std::same_as<Result<R>>;
};
template <class R>
concept QueryRequest = requires(const Query& q) {
  { R::from_query(q) } -> std::same_as<Result<R>>;
};

template <class E>
concept Endpoint = requires {
  { E::method } -> std::convertible_to<Method>;
  { E::path } -> std::convertible_to<std::string_view>;
  { E::auth } -> std::convertible_to<Auth>;
  { E::status } -> std::convertible_to<int>;
  { E::summary } -> std::convertible_to<std::string_view>;
  typename E::Request;
  typename E::Response;
}
&&(BodyRequest<typename E::Request> || QueryRequest<typename E::Request> ||
   std::is_same_v<typename E::Request, NoRequest>);

// Bulk work (an endpoint with `static constexpr bool bulk = true`): the daemon
// answers it on its lower-priority lane (util/bulk_lane.hpp), so that it does
// not take the CPU from interactive requests.
template <Endpoint E>
constexpr bool is_bulk() {
  if constexpr (requires { E::bulk; })
    return E::bulk;
  else
    return false;
}

// Path parameters by name ({"cpc_id": "cp-7k2m9x4qvd"}).
class PathParams {
 public:
  PathParams() = default;
  explicit PathParams(std::vector<std::pair<std::string, std::string>> values) : values_(std::move(values)) {}
  // The value of {name}; the route table fills every name of the route's
  // template. Another name is a programming error: std::out_of_range.
  const std::string& operator[](std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

// The names of a path template's parameters: "/a/{cpc_id}/units/{index}" → {"cpc_id", "index"}.
std::vector<std::string> path_parameter_names(std::string_view path_template);

// The template with each {name} replaced by its value, percent-encoded.
// INTERNAL when a name has no value (a programming error in the caller).
Result<std::string> render_path(std::string_view path_template,
                                const std::vector<std::pair<std::string, std::string>>& values);

// A query request type's members as query parameters, in declaration order:
// absent optionals left out, booleans "true"/"false", integers in decimal.
template <class R>
std::vector<std::pair<std::string, std::string>> to_query(const R& request) {
  std::vector<std::pair<std::string, std::string>> out;
  const json j = encode(request);
  std::apply(
      [&](const auto&... m) {
        (
            [&] {
              auto it = j.find(m.name);
              if (it == j.end() || it->is_null()) return;
              out.emplace_back(std::string(m.name), it->is_string() ? it->template get<std::string>() : it->dump());
            }(),
            ...);
      },
      Wire<R>::fields);
  return out;
}

}  // namespace cpshare::api
