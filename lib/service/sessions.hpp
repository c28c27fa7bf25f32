// Sessions and two-factor authentication (issue 2; R-USER-6, R-USER-7, R-SEC-4;
// split out of the accounts service by issue 10): login, the bearer token's
// caller, listing and ending sessions, MFA enrolment and removal, and the
// second-factor check that login and MFA removal share. Its failures count in
// the one throttle of AccountCore, with registration's and profile's.
#pragma once

#include <string>

#include "api/accounts.hpp"
#include "service/account_core.hpp"
#include "service/endpoint_table.hpp"

namespace cpshare {

class SessionService {
 public:
  explicit SessionService(AccountCore& core);

  // Unknown login, wrong password and a deregistered account (its hash is
  // erased) are one INVALID_CREDENTIALS, each costing one argon2id verify
  // (against a dummy hash when there is no account), throttled per login
  // name as typed and per address (throttle_policy::kLogin, kAddress).
  Result<api::LoginReply> login(const api::LoginRequest& req, const RequestContext& ctx);
  // Resolves a bearer token to its caller; UNAUTHENTICATED when missing/expired/revoked.
  Result<Caller> authenticate(const std::string& token, const RequestContext& ctx);
  Result<api::SessionList> list_sessions(const Caller& caller);
  Result<api::SessionRevoked> logout(const Caller& caller, const RequestContext& ctx);
  // NOT_FOUND unless `id` is one of the caller's sessions.
  Result<api::SessionRevoked> revoke_session(const Caller& caller, const std::string& id, const RequestContext& ctx);

  // MFA_ALREADY_ENABLED; the secret is kept pending until mfa_confirm.
  Result<api::MfaSecret> mfa_begin(const Caller& caller);
  // INVALID_MFA_CODE (throttled per account and address); CONFLICT without an enrolment.
  Result<api::MfaEnabled> mfa_confirm(const Caller& caller, const api::MfaConfirm& req, const RequestContext& ctx);
  // MFA_NOT_ENABLED; INVALID_MFA_CODE unless a current TOTP or an unused recovery code.
  Result<api::MfaDisabled> mfa_disable(const Caller& caller, const api::MfaDisable& req, const RequestContext& ctx);

  // Binds its endpoints (api/accounts.hpp, api/admin.hpp) to the methods above (sessions.cpp, at its end).
  void bind(EndpointTable& t);

 private:
  Result<std::optional<Account>> find_login(const std::string& login);
  // Checks a TOTP or recovery code for an MFA-enabled account; updates last
  // step. A wrong one counts under `key` (policy `p`) and the address.
  Result<> check_second_factor(Account& a, const std::string& totp, const std::string& recovery,
                               const RequestContext& ctx, const std::string& key, const ThrottlePolicy& p);
  api::SessionView session_view(const Session& s, const std::string& current_id) const;

  AccountCore& core_;
  Store& store_;
  const crypto::KeyRing& keys_;
  const Clock& clock_;
  const AccountConfig& config_;
  Throttle& throttle_;  // the core's one throttle
};

}  // namespace cpshare
