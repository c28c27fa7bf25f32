#include "api/catalog.hpp"
#include "server/bind_routes.hpp"

namespace cpshare {

namespace {

// Publish, list and filter, show, update.
void bind_clusters(RouteTable& t, CatalogService& cat) {
  using namespace api::endpoint;
  t.bind<PublishCluster>([&cat](const Caller& c, const api::PublishClusterRequest& req, const RequestContext& ctx,
                                const api::PathParams&) { return cat.publish(c, req, ctx); });
  t.bind<ListClusters>([&cat](const Caller& c, const api::ListClustersQuery& q, const RequestContext&,
                              const api::PathParams&) { return cat.list(c, q); });
  t.bind<ShowCluster>([&cat](const Caller& c, const api::NoRequest&, const RequestContext&, const api::PathParams& p) {
    return cat.show(c, p["cpc_id"]);
  });
  t.bind<UpdateCluster>([&cat](const Caller& c, const api::PatchClusterRequest& req, const RequestContext& ctx,
                               const api::PathParams& p) { return cat.update(c, p["cpc_id"], req, ctx); });
}

// Delist and relist, units, verify.
void bind_cluster_state(RouteTable& t, CatalogService& cat) {
  using namespace api::endpoint;
  t.bind<DelistCluster>([&cat](const Caller& c, const api::AnyBody&, const RequestContext& ctx,
                               const api::PathParams& p) { return cat.set_listed(c, p["cpc_id"], false, ctx); });
  t.bind<RelistCluster>([&cat](const Caller& c, const api::AnyBody&, const RequestContext& ctx,
                               const api::PathParams& p) { return cat.set_listed(c, p["cpc_id"], true, ctx); });
  t.bind<ClusterUnits>([&cat](const Caller& c, const api::NoRequest&, const RequestContext&, const api::PathParams& p) {
    return cat.units(c, p["cpc_id"]);
  });
  t.bind<SetUnit>([&cat](const Caller& c, const api::SetUnitRequest& req, const RequestContext& ctx,
                         const api::PathParams& p) { return cat.set_unit(c, p["cpc_id"], p["index"], req, ctx); });
  t.bind<VerifyCluster>([&cat](const Caller& c, const api::VerifyRequest& req, const RequestContext& ctx,
                               const api::PathParams& p) { return cat.verify(c, p["cpc_id"], req, ctx); });
}

}  // namespace

void bind_catalog_routes(RouteTable& t, const Services& s) {
  bind_clusters(t, s.catalog);
  bind_cluster_state(t, s.catalog);
}

}  // namespace cpshare
