#include "api/routes.hpp"

namespace cpshare::api {

const std::vector<RouteSpec>& route_specs() {
  static const std::vector<RouteSpec> routes = {
      {"GET", "/api/v1/health", Auth::None, "Daemon health and version"},
      {"GET", "/api/v1/openapi.yaml", Auth::None, "This API's OpenAPI document"},
      {"GET", "/api/v1/terms", Auth::None, "Current registration agreement and privacy policy"},
      {"POST", "/api/v1/users", Auth::None, "Register a user"},
      {"POST", "/api/v1/suppliers", Auth::None, "Register a supplier"},
      {"POST", "/api/v1/activate", Auth::None, "Activate an account with the mailed code"},
      {"GET", "/api/v1/activate", Auth::None, "Activate an account with the mailed link"},
      {"POST", "/api/v1/activate/resend", Auth::None, "Send a new activation code and link"},
      {"POST", "/api/v1/sessions", Auth::None, "Log in"},
      {"GET", "/api/v1/sessions", Auth::Session, "List the caller's sessions"},
      {"DELETE", "/api/v1/sessions/current", Auth::Session, "Log out"},
      {"DELETE", "/api/v1/sessions/{id}", Auth::Session, "Revoke one of the caller's sessions"},
      {"GET", "/api/v1/me", Auth::Session, "The caller's profile"},
      {"PATCH", "/api/v1/me", Auth::Session, "Update the caller's profile"},
      {"DELETE", "/api/v1/me", Auth::Session, "Deregister the caller's account"},
      {"POST", "/api/v1/me/password", Auth::Session, "Change password; ends every session"},
      {"POST", "/api/v1/me/mfa", Auth::Session, "Begin enabling TOTP"},
      {"POST", "/api/v1/me/mfa/confirm", Auth::Session, "Confirm TOTP with a first code"},
      {"DELETE", "/api/v1/me/mfa", Auth::Session, "Disable TOTP"},
      {"GET", "/api/v1/admin/reviews", Auth::Admin, "Accounts awaiting review"},
      {"GET", "/api/v1/admin/reviews/{username}/licence", Auth::Admin, "Download an account's licence file"},
      {"POST", "/api/v1/admin/reviews/{username}/approve", Auth::Admin, "Approve an account"},
      {"POST", "/api/v1/admin/reviews/{username}/reject", Auth::Admin, "Reject an account"},
      {"GET", "/api/v1/admin/audit", Auth::Admin, "Security audit log"},
      {"POST", "/api/v1/clusters", Auth::Session, "Publish a cluster"},
      {"GET", "/api/v1/clusters", Auth::Session, "List or filter clusters"},
      {"GET", "/api/v1/clusters/{cpc_id}", Auth::Session, "Show a cluster and its units"},
      {"PATCH", "/api/v1/clusters/{cpc_id}", Auth::Session, "Update a cluster"},
      {"POST", "/api/v1/clusters/{cpc_id}/delist", Auth::Session, "Delist a cluster"},
      {"POST", "/api/v1/clusters/{cpc_id}/relist", Auth::Session, "List a delisted cluster again"},
      {"GET", "/api/v1/clusters/{cpc_id}/units", Auth::Session, "A cluster's units and their status"},
      {"PUT", "/api/v1/clusters/{cpc_id}/units/{index}", Auth::Session, "Set a unit idle or offline"},
      {"POST", "/api/v1/clusters/{cpc_id}/verify", Auth::Session, "Check SSH access to an A-class cluster"},
      {"POST", "/api/v1/leases", Auth::Session, "Lease units of a cluster"},
      {"GET", "/api/v1/leases", Auth::Session, "The caller's leases, or those of the caller's clusters"},
      {"GET", "/api/v1/leases/{lease_id}", Auth::Session, "Show a lease (and its access, to its user)"},
      {"POST", "/api/v1/leases/{lease_id}/approve", Auth::Session, "Approve a lease; mint its authorization code"},
      {"POST", "/api/v1/leases/{lease_id}/reject", Auth::Session, "Reject a lease request"},
      {"POST", "/api/v1/leases/{lease_id}/release", Auth::Session, "End one's own lease"},
      {"POST", "/api/v1/leases/{lease_id}/terminate", Auth::Session, "End a lease of one's cluster"},
      {"POST", "/api/v1/redeem", Auth::Session, "Redeem an authorization code: get the lease's access"},
      {"POST", "/api/v1/redeem/check", Auth::Session, "Check an authorization code: the lease it redeems"},
      {"GET", "/api/v1/bills", Auth::Session, "The caller's ledger entries for a month"},
      {"GET", "/api/v1/earnings", Auth::Session, "A supplier's earnings for a month"},
  };
  return routes;
}

}  // namespace cpshare::api
