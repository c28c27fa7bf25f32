// The caller's own account (issue 2; R-USER-8, R-SUP-3; split out
// of the accounts service by issue 10): reading and updating the profile,
// changing the password, and deregistration (what is erased, what billing
// keeps).
#pragma once

#include <functional>

#include "api/accounts.hpp"
#include "service/account_core.hpp"
#include "service/endpoint_table.hpp"

namespace cpshare {

class ProfileService {
 public:
  explicit ProfileService(AccountCore& core);

  Result<api::AccountReply> profile(const Caller& caller);
  // VALIDATION_FAILED naming a member the caller's kind of account does not
  // have; EMAIL_TAKEN, PHONE_TAKEN (rationed per account, throttle_policy::kTaken).
  Result<api::AccountReply> update_profile(const Caller& caller, const api::ProfileUpdate& req,
                                           const RequestContext& ctx);
  // INVALID_CREDENTIALS for a wrong current password; ends every session.
  Result<api::PasswordChanged> change_password(const Caller& caller, const api::PasswordChange& req,
                                               const RequestContext& ctx);
  // close_also: more to close with the account (its leases), run inside the
  // same transaction; if it fails, the account stays as it was. Erases the
  // password hash and the personal data (contact, names of people, identity
  // numbers, bank data, licence, region, MFA), keeps what billing records
  // need (username, role and type, company or organisation and its credit
  // code, timestamps), then has the store flush the erased pages.
  Result<api::Deregistered> deregister(const Caller& caller, const api::Deregistration& req, const RequestContext& ctx,
                                       const std::function<Result<>(const Account&)>& close_also = {});

  // Binds its endpoints (api/accounts.hpp, api/admin.hpp) to the methods above (profile.cpp, at its end).
  void bind(EndpointTable& t);

 private:
  AccountCore& core_;
  Store& store_;
  const Clock& clock_;
  Logger& log_;
  Throttle& throttle_;  // the core's one throttle
};

}  // namespace cpshare
