// TRANSITIONAL (issue 10, being removed as each area moves to typed
// endpoints): routes whose handlers still take and answer untyped JSON.
// A row names its route as in api::route_specs() ("POST /api/v1/users").
#pragma once

#include <limits>
#include <string>

#include <fmt/format.h>

#include "server/route_table.hpp"

namespace cpshare::legacy {

using json = api::json;

// fn(body, ctx, caller, path) -> Result<json>, answered with `status`.
template <class F>
RouteHandler with_body(int status, F fn) {
  return [status, fn](const httplib::Request& req, const RequestContext& ctx, const Caller* caller,
                      const api::PathParams& path) -> Result<Reply> {
    Result<json> out = [&]() -> Result<json> {
      TRY_ASSIGN(json body, request_body(req));
      return fn(body, ctx, caller, path);
    }();
    release_request_memory(req);
    if (!out) return std::unexpected(std::move(out.error()));
    return Reply{status, std::move(*out), std::nullopt};
  };
}

// fn(query, ctx, caller, path) -> Result<json>.
template <class F>
RouteHandler without_body(F fn) {
  return [fn](const httplib::Request& req, const RequestContext& ctx, const Caller* caller,
              const api::PathParams& path) -> Result<Reply> {
    const api::Query query = request_query(req);
    TRY_ASSIGN(json out, fn(query, ctx, caller, path));
    return Reply{200, std::move(out), std::nullopt};
  };
}

inline std::string param(const api::Query& q, const char* name) {
  auto it = q.lower_bound(name);  // the first value, as httplib's get_param_value
  return it == q.end() || it->first != name ? std::string() : it->second;
}

inline Result<bool> query_bool(const api::Query& q, const char* name) {
  if (!q.contains(name)) return false;
  const std::string v = param(q, name);
  if (v != "true" && v != "false") return fail_fields({{name, "must be true or false"}});
  return v == "true";
}

inline Result<int> query_int(const api::Query& q, const char* name, int def, int min, int max) {
  if (!q.contains(name)) return def;
  std::string v = param(q, name);
  try {
    std::size_t used = 0;
    long long n = std::stoll(v, &used);
    if (used == v.size() && n >= min && n <= max) return static_cast<int>(n);
  } catch (...) {}
  return fail_fields({{name, fmt::format("must be an integer from {} to {}", min, max)}});
}

}  // namespace cpshare::legacy
