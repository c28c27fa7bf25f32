// The cluster catalogue (issue 3; R-CL-*, R-API-IVCPC): publish, show, list
// and filter, update, delist/relist, unit status. Rules of the record itself
// live in catalog/cluster.hpp; this service adds who may do what, the store,
// and the audit log. update, set_listed and set_unit read the cluster in the
// transaction that writes it (issue 8): racing changes all land, none is lost.
#pragma once

#include <functional>

#include "api/catalog.hpp"
#include "crypto/crypto.hpp"
#include "service/audit.hpp"
#include "service/caller.hpp"
#include "service/endpoint_table.hpp"
#include "ssh/supplier_host.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"

namespace cpshare {

// Requests and answers are the endpoints' types (api/catalog.hpp); the request types have
// validated their fields already (from_body, from_query).
class CatalogService {
 public:
  // host: verify's probe of A-class hosts (ssh::LibsshSupplierHost in cpshared).
  CatalogService(Store& store, const crypto::KeyRing& keys, ssh::SupplierHost& host, const Clock& clock);

  // Forbidden unless an active supplier.
  Result<api::PublishedCluster> publish(const Caller& caller, const api::PublishClusterRequest& req,
                                        const RequestContext& ctx);
  // VALIDATION_FAILED: limit outside 1..500, offset negative, a bad filter or sort.
  Result<api::ClusterPage> list(const Caller& caller, const api::ListClustersQuery& req);
  Result<api::ClusterDetail> show(const Caller& caller, const std::string& cpc_id);
  Result<api::ClusterChanged> update(const Caller& caller, const std::string& cpc_id,
                                     const api::PatchClusterRequest& req, const RequestContext& ctx);
  Result<api::ClusterChanged> set_listed(const Caller& caller, const std::string& cpc_id, bool listed,
                                         const RequestContext& ctx);
  Result<api::UnitList> units(const Caller& caller, const std::string& cpc_id);
  // A-class: connect with the provisioning key, pin (or check) the host key,
  // run a command as the admin user. repin accepts a changed host key.
  Result<api::VerifyResult> verify(const Caller& caller, const std::string& cpc_id, const api::VerifyRequest& req,
                                   const RequestContext& ctx);
  // index: the path's text; NotFound unless a unit of the cluster.
  Result<api::UnitChanged> set_unit(const Caller& caller, const std::string& cpc_id, const std::string& index,
                                    const api::SetUnitRequest& req, const RequestContext& ctx);

  // Binds the endpoints of api/catalog.hpp to the methods above (catalog.cpp, at its end).
  void bind(EndpointTable& t);

 private:
  // The cluster, if the caller may see it (delisted: owner and admins only).
  Result<catalog::Cluster> visible(const Caller& caller, const std::string& cpc_id);
  // The cluster, if the caller may change it (owner or admin).
  Result<catalog::Cluster> owned(const Caller& caller, const std::string& cpc_id);
  // Reads the cluster (owner or admin only), applies change, stamps
  // updated_at, writes it and runs after, all in one transaction; returns the
  // cluster as stored. Errors: those of owned(), change, the store and after.
  Result<catalog::Cluster> modify(const Caller& caller, const std::string& cpc_id,
                                  const std::function<Result<>(catalog::Cluster&)>& change,
                                  const std::function<Result<>(const catalog::Cluster&)>& after);

  // The owner's view of how the platform reaches the cluster (nullopt for others).
  Result<std::optional<api::ProvisioningView>> provisioning_view(const Caller& caller, const catalog::Cluster& c);
  // Probes node k (against its pin unless repin); `earlier`: the nodes probed before it.
  Result<api::NodeVerified> verify_node(const Caller& caller, const catalog::Cluster& c, std::size_t k,
                                        const std::string& key, bool repin,
                                        const std::vector<api::NodeVerified>& earlier, const RequestContext& ctx);
  Result<> pin(const Caller& caller, const catalog::Cluster& c, std::size_t k, const std::string& fingerprint,
               const RequestContext& ctx);

  Store& store_;
  const crypto::KeyRing& keys_;
  ssh::SupplierHost& host_;
  const Clock& clock_;
};

}  // namespace cpshare
