// The cluster catalogue (issue 3; R-CL-*, R-API-IVCPC): publish, show, list
// and filter, update, delist/relist, unit status. Rules of the record itself
// live in catalog/cluster.hpp; this service adds who may do what, the store,
// and the audit log. update, set_listed and set_unit read the cluster in the
// transaction that writes it (issue 8): racing changes all land, none is lost.
#pragma once

#include <functional>

#include <nlohmann/json.hpp>

#include "crypto/crypto.hpp"
#include "service/accounts.hpp"
#include "ssh/supplier_host.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"

namespace cpshare {

struct ListRequest {
  std::string filter;  // the filter language; empty = everything available
  std::string sort;    // "price_hourly", "price_hourly-"; empty = region first, newest
  int limit = 50;
  int offset = 0;
  bool mine = false;
  std::string region;  // "any", a region, or empty = the caller's region first
};

class CatalogService {
 public:
  // host: verify's probe of A-class hosts (ssh::LibsshSupplierHost in cpshared).
  CatalogService(Store& store, const crypto::KeyRing& keys, ssh::SupplierHost& host, const Clock& clock);

  Result<json> publish(const Caller& caller, const json& body, const RequestContext& ctx);
  Result<json> list(const Caller& caller, const ListRequest& req);
  Result<json> show(const Caller& caller, const std::string& cpc_id);
  Result<json> update(const Caller& caller, const std::string& cpc_id, const json& body, const RequestContext& ctx);
  Result<json> set_listed(const Caller& caller, const std::string& cpc_id, bool listed, const RequestContext& ctx);
  Result<json> units(const Caller& caller, const std::string& cpc_id);
  // A-class: connect with the provisioning key, pin (or check) the host key,
  // run a command as the admin user. {"repin": true} accepts a changed host key.
  Result<json> verify(const Caller& caller, const std::string& cpc_id, const json& body, const RequestContext& ctx);
  Result<json> set_unit(const Caller& caller, const std::string& cpc_id, const std::string& index, const json& body,
                        const RequestContext& ctx);

 private:
  // The cluster, if the caller may see it (delisted: owner and admins only).
  Result<catalog::Cluster> visible(const Caller& caller, const std::string& cpc_id);
  // The cluster, if the caller may change it (owner or admin).
  Result<catalog::Cluster> owned(const Caller& caller, const std::string& cpc_id);
  Result<> audit(const std::string& event, const Caller& caller, const RequestContext& ctx, json detail);
  // Reads the cluster (owner or admin only), applies change, stamps
  // updated_at, writes it and runs after, all in one transaction; returns the
  // cluster as stored. Errors: those of owned(), change, the store and after.
  Result<catalog::Cluster> modify(const Caller& caller, const std::string& cpc_id,
                                  const std::function<Result<>(catalog::Cluster&)>& change,
                                  const std::function<Result<>(const catalog::Cluster&)>& after);

  // The owner's view of how the platform reaches the cluster (null for others).
  Result<json> provisioning_json(const Caller& caller, const catalog::Cluster& c);

  Store& store_;
  const crypto::KeyRing& keys_;
  ssh::SupplierHost& host_;
  const Clock& clock_;
};

}  // namespace cpshare
