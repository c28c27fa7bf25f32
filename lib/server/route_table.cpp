#include "server/route_table.hpp"

#include <stdexcept>

#include <fmt/format.h>
#include <httplib.h>

#include "api/request_rules.hpp"
#include "api/routes.hpp"
#include "util/memory.hpp"

namespace cpshare {

namespace {
// A body at least this large gets its freed memory returned (malloc_trim walks the heap; small bodies skip it).
constexpr std::size_t kTrimAfterBody = 256 * 1024;
}  // namespace

Result<api::json> request_body(const httplib::Request& req) {
  return api::parse_json_body(req.body, req.get_header_value("Content-Type"));
}

api::Query request_query(const httplib::Request& req) { return api::Query(req.params.begin(), req.params.end()); }

void release_request_memory(const httplib::Request& req) {
  // The tree of a large body is freed now; give its pages back (issue 9:
  // glibc kept them, and the daemon's RSS grew by each attack).
  if (req.body.size() >= kTrimAfterBody) memory::release_freed();
}

void RouteTable::bind_legacy(std::string_view key, RouteHandler handler) {
  for (const auto& spec : api::route_specs()) {
    if (fmt::format("{} {}", spec.method, spec.path) != key) continue;
    api::Method m = api::Method::Get;
    for (auto candidate :
         {api::Method::Get, api::Method::Post, api::Method::Put, api::Method::Patch, api::Method::Delete})
      if (api::method_name(candidate) == spec.method) m = candidate;
    add(Route{m, spec.path, spec.auth, spec.summary, std::move(handler)});
    return;
  }
  throw std::logic_error(fmt::format("no route {} in api::route_specs()", key));
}

}  // namespace cpshare
