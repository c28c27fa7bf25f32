#include "server/bind_routes.hpp"
#include "server/legacy_routes.hpp"

namespace cpshare {

void bind_catalog_routes(RouteTable& t, const Services& s) {
  using legacy::with_body;
  using legacy::without_body;
  CatalogService& cat = s.catalog;
  t.bind_legacy("POST /api/v1/clusters",
                with_body(201, [&cat](auto& b, auto& ctx, const Caller* c, auto&) { return cat.publish(*c, b, ctx); }));
  t.bind_legacy("GET /api/v1/clusters",
                without_body([&cat](const api::Query& q, auto&, const Caller* c, auto&) -> Result<legacy::json> {
                  ListRequest lr;
                  lr.filter = legacy::param(q, "filter");
                  lr.sort = legacy::param(q, "sort");
                  TRY_ASSIGN(lr.limit, legacy::query_int(q, "limit", 50, 1, 500));
                  TRY_ASSIGN(lr.offset, legacy::query_int(q, "offset", 0, 0, std::numeric_limits<int>::max()));
                  if (q.contains("mine")) {
                    std::string mine = legacy::param(q, "mine");
                    if (mine != "true" && mine != "false") return fail_fields({{"mine", "must be true or false"}});
                    lr.mine = mine == "true";
                  }
                  lr.region = legacy::param(q, "region");
                  return cat.list(*c, lr);
                }));
  t.bind_legacy("GET /api/v1/clusters/{cpc_id}",
                without_body([&cat](auto&, auto&, const Caller* c, auto& p) { return cat.show(*c, p["cpc_id"]); }));
  t.bind_legacy("PATCH /api/v1/clusters/{cpc_id}", with_body(200, [&cat](auto& b, auto& ctx, const Caller* c, auto& p) {
                  return cat.update(*c, p["cpc_id"], b, ctx);
                }));
  t.bind_legacy("POST /api/v1/clusters/{cpc_id}/delist",
                with_body(200, [&cat](auto&, auto& ctx, const Caller* c, auto& p) {
                  return cat.set_listed(*c, p["cpc_id"], false, ctx);
                }));
  t.bind_legacy("POST /api/v1/clusters/{cpc_id}/relist",
                with_body(200, [&cat](auto&, auto& ctx, const Caller* c, auto& p) {
                  return cat.set_listed(*c, p["cpc_id"], true, ctx);
                }));
  t.bind_legacy("GET /api/v1/clusters/{cpc_id}/units",
                without_body([&cat](auto&, auto&, const Caller* c, auto& p) { return cat.units(*c, p["cpc_id"]); }));
  t.bind_legacy("PUT /api/v1/clusters/{cpc_id}/units/{index}",
                with_body(200, [&cat](auto& b, auto& ctx, const Caller* c, auto& p) {
                  return cat.set_unit(*c, p["cpc_id"], p["index"], b, ctx);
                }));
  t.bind_legacy("POST /api/v1/clusters/{cpc_id}/verify",
                with_body(200, [&cat](auto& b, auto& ctx, const Caller* c, auto& p) {
                  return cat.verify(*c, p["cpc_id"], b, ctx);
                }));
}

}  // namespace cpshare
