// The catalogue service called as the route table calls it (issue 10): a JSON body is parsed by
// its request type's from_body first (VALIDATION_FAILED there, as over HTTP), and the typed answer
// is encoded as the wire carries it, so the tests keep asserting the bodies and members they did.
#pragma once

#include <nlohmann/json.hpp>

#include "api/catalog.hpp"
#include "service/catalog.hpp"

namespace cpshare::testing {

inline Result<nlohmann::json> publish(CatalogService& svc, const Caller& c, const nlohmann::json& body,
                                      const RequestContext& ctx) {
  TRY_ASSIGN(auto req, api::PublishClusterRequest::from_body(body));
  TRY_ASSIGN(auto out, svc.publish(c, req, ctx));
  return api::encode(out);
}

inline Result<nlohmann::json> update(CatalogService& svc, const Caller& c, const std::string& cpc_id,
                                     const nlohmann::json& body, const RequestContext& ctx) {
  TRY_ASSIGN(auto req, api::PatchClusterRequest::from_body(body));
  TRY_ASSIGN(auto out, svc.update(c, cpc_id, req, ctx));
  return api::encode(out);
}

inline Result<nlohmann::json> set_unit(CatalogService& svc, const Caller& c, const std::string& cpc_id,
                                       const std::string& index, const nlohmann::json& body,
                                       const RequestContext& ctx) {
  TRY_ASSIGN(auto req, api::SetUnitRequest::from_body(body));
  TRY_ASSIGN(auto out, svc.set_unit(c, cpc_id, index, req, ctx));
  return api::encode(out);
}

inline Result<nlohmann::json> verify(CatalogService& svc, const Caller& c, const std::string& cpc_id,
                                     const nlohmann::json& body, const RequestContext& ctx) {
  TRY_ASSIGN(auto req, api::VerifyRequest::from_body(body));
  TRY_ASSIGN(auto out, svc.verify(c, cpc_id, req, ctx));
  return api::encode(out);
}

}  // namespace cpshare::testing
