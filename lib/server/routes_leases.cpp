#include "api/leases.hpp"
#include "server/bind_routes.hpp"

namespace cpshare {

namespace {

using api::PathParams;

// Requesting, listing and showing leases.
void bind_lease_reads(RouteTable& t, LeaseService& ls) {
  using namespace api::endpoint;
  t.bind<RequestLease>([&ls](const Caller& c, const api::LeaseRequest& r, const RequestContext& ctx,
                             const PathParams&) { return ls.request(c, r, ctx); });
  t.bind<ListLeases>([&ls](const Caller& c, const api::LeaseListQuery& q, const RequestContext&, const PathParams&) {
    return ls.list(c, q);
  });
  t.bind<ShowLease>([&ls](const Caller& c, const api::LeaseShowQuery& q, const RequestContext&, const PathParams& p) {
    return ls.show(c, p["lease_id"], q);
  });
}

// The supplier's decisions and the ends of a lease.
void bind_lease_decisions(RouteTable& t, LeaseService& ls) {
  using namespace api::endpoint;
  t.bind<ApproveLease>([&ls](const Caller& c, const api::AnyBody&, const RequestContext& ctx, const PathParams& p) {
    return ls.approve(c, p["lease_id"], ctx);
  });
  t.bind<RejectLease>([&ls](const Caller& c, const api::LeaseReasonRequest& r, const RequestContext& ctx,
                            const PathParams& p) { return ls.reject(c, p["lease_id"], r, ctx); });
  t.bind<ReleaseLease>([&ls](const Caller& c, const api::AnyBody&, const RequestContext& ctx, const PathParams& p) {
    return ls.release(c, p["lease_id"], ctx);
  });
  t.bind<TerminateLease>([&ls](const Caller& c, const api::LeaseReasonRequest& r, const RequestContext& ctx,
                               const PathParams& p) { return ls.terminate(c, p["lease_id"], r, ctx); });
}

// Redeeming a code, and the ledger.
void bind_redeem_and_ledger(RouteTable& t, LeaseService& ls) {
  using namespace api::endpoint;
  t.bind<Redeem>([&ls](const Caller& c, const api::RedeemRequest& r, const RequestContext& ctx, const PathParams&) {
    return ls.redeem(c, r, ctx);
  });
  t.bind<CheckCode>([&ls](const Caller& c, const api::RedeemRequest& r, const RequestContext& ctx, const PathParams&) {
    return ls.check_code(c, r, ctx);
  });
  t.bind<Bills>([&ls](const Caller& c, const api::MonthQuery& q, const RequestContext&, const PathParams&) {
    return ls.ledger(c, q, false);
  });
  t.bind<Earnings>([&ls](const Caller& c, const api::MonthQuery& q, const RequestContext&, const PathParams&) {
    return ls.ledger(c, q, true);
  });
}

}  // namespace

void bind_lease_routes(RouteTable& t, const Services& s) {
  bind_lease_reads(t, s.leases);
  bind_lease_decisions(t, s.leases);
  bind_redeem_and_ledger(t, s.leases);
}

}  // namespace cpshare
