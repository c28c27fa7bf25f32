// Accounts: registration, activation, sessions, MFA, profile, review, audit
// (issue 2; R-USER-*, R-SUP-*, R-SEC-*). Pure domain logic over the Store,
// KeyRing, Mailer and Clock interfaces. Each method takes its endpoint's
// request type (api/accounts.hpp, api/admin.hpp: already validated field by
// field) and answers its response type; the rules that need the store or the
// caller are here.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "api/accounts.hpp"
#include "api/admin.hpp"
#include "crypto/crypto.hpp"
#include "domain/account.hpp"
#include "mail/mailer.hpp"
#include "service/audit.hpp"
#include "service/throttle.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"

namespace cpshare {

using json = nlohmann::json;

struct AccountConfig {
  std::string public_url = "http://127.0.0.1:7878";  // base of activation links
  std::int64_t session_idle_timeout = 7 * 86400;
  std::int64_t session_lifetime = 30 * 86400;
  std::int64_t code_ttl = 15 * 60;
  std::int64_t link_ttl = 48 * 3600;
  int max_code_attempts = 5;
  // Throttles: the named policies of service/throttle.hpp.
};

// An authenticated caller.
struct Caller {
  Account account;
  Session session;
  bool is_admin() const { return account.role == Role::Admin; }
};

// An optional time in JSON output: RFC 3339 text, or null.
json rfc3339_or_null(const std::optional<std::int64_t>& t);

struct LicenceDownload {
  std::string filename;
  std::string content_type;
  std::string bytes;
};

class AccountService {
 public:
  AccountService(Store& store, const crypto::KeyRing& keys, Mailer& mailer, const Clock& clock, Logger& log,
                 AccountConfig config);

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

  // Unknown login, wrong password and a deregistered account (its hash is
  // erased) are one INVALID_CREDENTIALS, each costing one argon2id verify
  // (against a dummy hash when there is no account), throttled per login
  // name as typed and per address (throttle_policy::kLogin, kAddress).
  Result<api::LoginReply> login(const api::LoginRequest& req, const RequestContext& ctx);
  // Resolves a bearer token to its caller; UNAUTHENTICATED when missing/expired/revoked.
  Result<Caller> authenticate(const std::string& token, const RequestContext& ctx);
  Result<api::SessionList> list_sessions(const Caller& caller);
  Result<api::SessionRevoked> logout(const Caller& caller, const RequestContext& ctx);
  Result<api::SessionRevoked> revoke_session(const Caller& caller, const std::string& id, const RequestContext& ctx);

  Result<api::AccountReply> profile(const Caller& caller);
  // VALIDATION_FAILED naming a member the caller's kind of account does not have.
  Result<api::AccountReply> update_profile(const Caller& caller, const api::ProfileUpdate& req,
                                           const RequestContext& ctx);
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

  Result<api::MfaSecret> mfa_begin(const Caller& caller);
  Result<api::MfaEnabled> mfa_confirm(const Caller& caller, const api::MfaConfirm& req, const RequestContext& ctx);
  Result<api::MfaDisabled> mfa_disable(const Caller& caller, const api::MfaDisable& req, const RequestContext& ctx);

  Result<api::ReviewList> review_list(const api::ReviewQuery& q);
  Result<LicenceDownload> review_licence(const std::string& username);
  // CONFLICT unless the account is pending_review; mails the decision.
  Result<api::AccountReply> review_approve(const Caller& admin, const std::string& username, const api::Approval& req,
                                           const RequestContext& ctx);
  Result<api::AccountReply> review_reject(const Caller& admin, const std::string& username, const api::Rejection& req,
                                          const RequestContext& ctx);
  Result<api::AuditList> audit(const api::AuditFilter& q);

  // `cpshared admin create` (no session: run by whoever owns the data dir).
  Result<api::AccountReply> create_admin(const std::string& username, const std::string& password,
                                         const std::string& email);

  // Logs a warning naming the accounts kept from before usernames were one
  // name whatever their case (AccountStore::username_collisions; migration 5 also
  // wrote each as a username_collision audit event). The daemon calls it at
  // start. Returns how many groups of colliding names there are.
  Result<std::size_t> report_username_collisions();

  // Base of activation links (set once, before serving).
  void set_public_url(std::string url);

  // The public view of an account (sensitive values masked).
  api::AccountView account_view(const Account& a) const;

 private:
  // Re-reads the account inside one transaction, applies `change`, writes it
  // back, then runs `after` (audit, related rows) in the same transaction, so
  // concurrent requests on one account never overwrite each other's changes.
  Result<Account> modify(std::int64_t id, const std::function<Result<>(Account&)>& change,
                         const std::function<Result<>(const Account&)>& after = {});
  // Registration after its request's own checks: what is sealed, and the rules of the store.
  struct NewAccount;
  Result<api::Registered> register_account(NewAccount n, const RequestContext& ctx);
  // USERNAME_TAKEN / EMAIL_TAKEN / PHONE_TAKEN for a new account (counted under `taken_key`).
  Result<> check_not_taken(const Account& a, const RequestContext& ctx, const std::string& taken_key);
  // Seals the new account's sensitive values into it and hashes its password.
  Result<> seal_new(NewAccount& n);
  Result<api::AccountReply> review_decide(const Caller& admin, const std::string& username, bool approve,
                                          const std::optional<std::string>& reason, const RequestContext& ctx);
  Result<api::AccountReply> finish_activation(Account a, const RequestContext& ctx, const std::string& how);
  // Makes a new code + link, stores their hashes, mails them.
  Result<api::ActivationSent> issue_activation(const Account& a);
  Result<std::optional<Account>> find_login(const std::string& login);
  // Checks a TOTP or recovery code for an MFA-enabled account; updates last
  // step. A wrong one counts under `key` (policy `p`) and the address.
  Result<> check_second_factor(Account& a, const std::string& totp, const std::string& recovery,
                               const RequestContext& ctx, const std::string& key, const ThrottlePolicy& p);
  // RATE_LIMITED (with retry_after) while `key` waits under `p`; audited as
  // login_throttled with {"flow": flow}.
  Result<> throttled(const std::string& key, const ThrottlePolicy& p, const Account* a, const RequestContext& ctx,
                     std::string_view flow = "login");
  // A USERNAME_TAKEN / EMAIL_TAKEN / PHONE_TAKEN answer, counted under `key`
  // (throttle_policy::kTaken); any other error passes unchanged.
  Error counted_if_taken(Error e, const std::string& key);
  // Writes an audit event on its own (write_audit) and logs a failure: for
  // events outside any transaction, whose failure must not fail the request.
  void audit_event(AuditEventName event, const Account* a, const RequestContext& ctx, json detail = json::object());
  api::SessionView session_view(const Session& s, const std::string& current_id) const;
  Sealed seal(std::string_view domain, const std::string& value) const;
  std::string unseal(const Sealed& s) const;
  void notify(const Account& a, const std::string& subject, const std::string& body);
  Blob code_hash(std::int64_t account_id, const std::string& code) const;

  Store& store_;
  const crypto::KeyRing& keys_;
  Mailer& mailer_;
  const Clock& clock_;
  Logger& log_;
  AccountConfig config_;
  Throttle throttle_;
  std::string dummy_hash_;  // verified against when a login names no account (equal timing)
};

}  // namespace cpshare
