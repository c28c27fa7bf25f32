#include "server/route_table.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include "api/request_rules.hpp"
#include "util/memory.hpp"

namespace cpshare {

namespace {
// A body at least this large gets its freed memory returned (malloc_trim walks the heap; small bodies skip it).
constexpr std::size_t kTrimAfterBody = 256 * 1024;
}  // namespace

Result<api::json> request_body(const httplib::Request& req) {
  return api::parse_json_body(req.body, req.get_header_value("Content-Type"));
}

Result<api::Query> request_query(const httplib::Request& req) {
  const std::size_t mark = req.target.find('?');
  if (mark == std::string::npos) return api::Query{};
  return api::parse_query(std::string_view(req.target).substr(mark + 1));
}

void release_request_memory(const httplib::Request& req) {
  // The tree of a large body is freed now; give its pages back (issue 9:
  // glibc kept them, and the daemon's RSS grew by each attack).
  if (req.body.size() >= kTrimAfterBody) memory::release_freed();
}

RouteHandler http_handler(EndpointRow row) {
  return [in = row.in, handler = std::move(row.handler)](const httplib::Request& http, const RequestContext& ctx,
                                                         const Caller* caller, const api::PathParams& path,
                                                         const api::Query& query) -> Result<Reply> {
    Result<Reply> reply = [&]() -> Result<Reply> {
      EndpointInput input;
      api::json body;
      if (in == RequestIn::Body) {
        TRY_ASSIGN(body, request_body(http));
        input.body = &body;
      } else if (in == RequestIn::Query) {
        input.query = &query;
      }
      return handler(caller, input, ctx, path);
    }();
    // The body's tree (and the request parsed from it) are freed by now.
    if (in == RequestIn::Body) release_request_memory(http);
    return reply;
  };
}

}  // namespace cpshare
