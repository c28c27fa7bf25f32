#include "server/bind_routes.hpp"
#include "server/legacy_routes.hpp"

namespace cpshare {

void bind_lease_routes(RouteTable& t, const Services& s) {
  using legacy::with_body;
  using legacy::without_body;
  LeaseService& ls = s.leases;
  t.bind_legacy("POST /api/v1/leases",
                with_body(201, [&ls](auto& b, auto& ctx, const Caller* c, auto&) { return ls.request(*c, b, ctx); }));
  t.bind_legacy("GET /api/v1/leases",
                without_body([&ls](const api::Query& q, auto&, const Caller* c, auto&) -> Result<legacy::json> {
                  TRY_ASSIGN(bool incoming, legacy::query_bool(q, "incoming"));
                  return ls.list(*c, incoming, legacy::param(q, "state"));
                }));
  t.bind_legacy("GET /api/v1/leases/{lease_id}",
                without_body([&ls](const api::Query& q, auto&, const Caller* c, auto& p) -> Result<legacy::json> {
                  TRY_ASSIGN(bool access, legacy::query_bool(q, "access"));
                  return ls.show(*c, p["lease_id"], access);
                }));
  t.bind_legacy(
      "POST /api/v1/leases/{lease_id}/approve",
      with_body(200, [&ls](auto&, auto& ctx, const Caller* c, auto& p) { return ls.approve(*c, p["lease_id"], ctx); }));
  t.bind_legacy("POST /api/v1/leases/{lease_id}/reject",
                with_body(200, [&ls](auto& b, auto& ctx, const Caller* c, auto& p) {
                  return ls.reject(*c, p["lease_id"], b, ctx);
                }));
  t.bind_legacy(
      "POST /api/v1/leases/{lease_id}/release",
      with_body(200, [&ls](auto&, auto& ctx, const Caller* c, auto& p) { return ls.release(*c, p["lease_id"], ctx); }));
  t.bind_legacy("POST /api/v1/leases/{lease_id}/terminate",
                with_body(200, [&ls](auto& b, auto& ctx, const Caller* c, auto& p) {
                  return ls.terminate(*c, p["lease_id"], b, ctx);
                }));
  t.bind_legacy("POST /api/v1/redeem",
                with_body(200, [&ls](auto& b, auto& ctx, const Caller* c, auto&) { return ls.redeem(*c, b, ctx); }));
  t.bind_legacy("POST /api/v1/redeem/check", with_body(200, [&ls](auto& b, auto& ctx, const Caller* c, auto&) {
                  return ls.check_code(*c, b, ctx);
                }));
  t.bind_legacy("GET /api/v1/bills", without_body([&ls](const api::Query& q, auto&, const Caller* c, auto&) {
                  return ls.ledger(*c, legacy::param(q, "month"), false);
                }));
  t.bind_legacy("GET /api/v1/earnings", without_body([&ls](const api::Query& q, auto&, const Caller* c, auto&) {
                  return ls.ledger(*c, legacy::param(q, "month"), true);
                }));
}

}  // namespace cpshare
