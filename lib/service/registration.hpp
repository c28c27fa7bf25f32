// Registration and activation (issue 2; R-USER-1..5, R-SUP-1..3; split out of the
// accounts service by issue 10): new users and suppliers, activation by the
// mailed code or link, a new code, the first admin, and the start-up report
// of usernames that collide. Each method takes its endpoint's request type
// (api/accounts.hpp: already validated field by field) and answers its
// response type; the rules that need the store are here.
#pragma once

#include <cstddef>
#include <string>

#include "api/accounts.hpp"
#include "service/account_core.hpp"
#include "service/endpoint_table.hpp"

namespace cpshare {

class RegistrationService {
 public:
  explicit RegistrationService(AccountCore& core);

  // VALIDATION_FAILED (terms_version) unless the current terms were accepted;
  // USERNAME_TAKEN, EMAIL_TAKEN, PHONE_TAKEN (rationed per address,
  // throttle_policy::kTaken). Mails the activation code and link.
  Result<api::Registered> register_user(const api::UserRegistration& req, const RequestContext& ctx);
  Result<api::Registered> register_supplier(const api::SupplierRegistration& req, const RequestContext& ctx);
  // No account oracle (issue 9): an unknown username and a wrong code get the
  // same INVALID_CODE (one message, one status, the same throttle and the same
  // store write); only a caller who typed the account's right code learns its
  // state (ALREADY_ACTIVE, CODE_EXPIRED).
  Result<api::AccountReply> activate_with_code(const api::ActivationRequest& req, const RequestContext& ctx);
  Result<api::AccountReply> activate_with_link(const api::ActivationToken& req, const RequestContext& ctx);
  // {"sent": true} for every username (unknown, active or awaiting activation),
  // throttled alike (throttle_policy::kResend, kResendAddress); mails a new
  // code only to an account awaiting activation, at most once a minute.
  Result<api::ResendReply> resend_activation(const api::ResendRequest& req, const RequestContext& ctx);

  // `cpshared admin create` (no session: run by whoever owns the data dir).
  // VALIDATION_FAILED naming the bad fields; USERNAME_TAKEN.
  Result<api::AccountReply> create_admin(const std::string& username, const std::string& password,
                                         const std::string& email);

  // Logs a warning naming the accounts kept from before usernames were one
  // name whatever their case (AccountStore::username_collisions; migration 5 also
  // wrote each as a username_collision audit event). The daemon calls it at
  // start. Returns how many groups of colliding names there are.
  Result<std::size_t> report_username_collisions();

  // Binds its endpoints (api/accounts.hpp, api/admin.hpp) to the methods above (registration.cpp, at its end).
  void bind(EndpointTable& t);

 private:
  // Registration after its request's own checks: what is sealed, and the rules of the store.
  struct NewAccount;
  Result<api::Registered> register_account(NewAccount n, const RequestContext& ctx);
  // USERNAME_TAKEN / EMAIL_TAKEN / PHONE_TAKEN for a new account (counted under `taken_key`).
  Result<> check_not_taken(const Account& a, const RequestContext& ctx, const std::string& taken_key);
  // Seals the new account's sensitive values into it and hashes its password.
  Result<> seal_new(NewAccount& n);
  // Makes a new code + link, stores their hashes, mails them.
  Result<api::ActivationSent> issue_activation(const Account& a);
  Result<api::AccountReply> finish_activation(Account a, const RequestContext& ctx, const std::string& how);

  AccountCore& core_;
  Store& store_;
  const crypto::KeyRing& keys_;
  const Clock& clock_;
  Logger& log_;
  const AccountConfig& config_;  // the core's: set_public_url changes it before serving
  Throttle& throttle_;           // the core's one throttle
};

}  // namespace cpshare
