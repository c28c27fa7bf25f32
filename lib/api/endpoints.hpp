// Every typed endpoint of the API, in route order (specific paths before the
// templates that would also match them). The contract test dumps their types
// (tests/contract/) and compares them with docs/openapi.yaml.
#pragma once

#include <tuple>

#include "api/accounts.hpp"
#include "api/catalog.hpp"
#include "api/leases.hpp"
#include "api/admin.hpp"
#include "api/meta.hpp"

namespace cpshare::api {

using AllEndpoints =
    std::tuple<endpoint::Health, endpoint::OpenApiDocument, endpoint::Terms, endpoint::RegisterUser,
               endpoint::RegisterSupplier, endpoint::Activate, endpoint::ActivateWithLink, endpoint::ResendActivation,
               endpoint::Login, endpoint::ListSessions, endpoint::Logout, endpoint::RevokeSession, endpoint::Profile,
               endpoint::UpdateProfile, endpoint::Deregister, endpoint::ChangePassword, endpoint::MfaBegin,
               endpoint::MfaConfirmCode, endpoint::MfaTurnOff, endpoint::ListReviews, endpoint::ReviewLicence,
               endpoint::ApproveReview, endpoint::RejectReview, endpoint::AuditLog,
               // the catalogue (api/catalog.hpp)
               endpoint::PublishCluster, endpoint::ListClusters, endpoint::ShowCluster, endpoint::UpdateCluster,
               endpoint::DelistCluster, endpoint::RelistCluster, endpoint::ClusterUnits, endpoint::SetUnit,
               endpoint::VerifyCluster,
               // leases and billing (api/leases.hpp)
               endpoint::RequestLease, endpoint::ListLeases, endpoint::ShowLease, endpoint::ApproveLease,
               endpoint::RejectLease, endpoint::ReleaseLease, endpoint::TerminateLease, endpoint::Redeem,
               endpoint::CheckCode, endpoint::Bills, endpoint::Earnings>;

// Calls fn(E{}) for each endpoint type E, in order.
template <class F>
void for_each_endpoint(F&& fn) {
  std::apply([&](auto... e) { (fn(e), ...); }, AllEndpoints{});
}

}  // namespace cpshare::api
