// The part the accounts services share (issue 10): the store, KeyRing, Mailer,
// Clock, Logger and AccountConfig they work over, the one Throttle they all
// count in (login, activation, MFA and "taken" answers share its keys, so a
// login failure and an MFA failure from one address count together), and the
// helpers each of them uses: the read-change-write of an account in one
// transaction, sealing, mail, audit events, the public view of an account.
// Each service (registration.hpp, sessions.hpp, profile.hpp, review.hpp)
// holds one AccountCore by reference; AccountServices (accounts.hpp) builds
// them together.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "api/accounts.hpp"
#include "crypto/crypto.hpp"
#include "domain/account.hpp"
#include "mail/mailer.hpp"
#include "service/audit.hpp"
#include "service/caller.hpp"
#include "service/throttle.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"

namespace cpshare {

// An optional time in JSON output: RFC 3339 text, or null.
json rfc3339_or_null(const std::optional<std::int64_t>& t);

class AccountCore {
 public:
  AccountCore(Store& store, const crypto::KeyRing& keys, Mailer& mailer, const Clock& clock, Logger& log,
              AccountConfig config);
  AccountCore(const AccountCore&) = delete;
  AccountCore& operator=(const AccountCore&) = delete;

  Store& store() const { return store_; }
  const crypto::KeyRing& keys() const { return keys_; }
  Mailer& mailer() const { return mailer_; }
  const Clock& clock() const { return clock_; }
  Logger& log() const { return log_; }
  const AccountConfig& config() const { return config_; }
  // The one throttle of every accounts flow.
  Throttle& throttle() { return throttle_; }
  // Verified against when a login names no account or one whose hash was
  // erased: the same argon2id parameters, so both take as long (issue 9).
  const std::string& dummy_hash() const { return dummy_hash_; }

  // Base of activation links (set once, before serving); trailing '/' dropped.
  void set_public_url(std::string url);

  // Re-reads the account inside one transaction, applies `change`, writes it
  // back, then runs `after` (audit, related rows) in the same transaction, so
  // concurrent requests on one account never overwrite each other's changes.
  // NOT_FOUND when the account is gone.
  Result<Account> modify(std::int64_t id, const std::function<Result<>(Account&)>& change,
                         const std::function<Result<>(const Account&)>& after = {});
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
  // Mails the account if it has an email; a failure is logged, not returned.
  void notify(const Account& a, const std::string& subject, const std::string& body);
  // Blind index (under `domain`) and ciphertext of a sensitive value.
  Sealed seal(std::string_view domain, const std::string& value) const;
  // The clear text of a sealed value; empty when there is none or it does not open.
  std::string unseal(const Sealed& s) const;
  // The stored hash of an activation code, bound to its account.
  Blob code_hash(std::int64_t account_id, const std::string& code) const;
  // The public view of an account (sensitive values masked).
  api::AccountView account_view(const Account& a) const;

 private:
  Store& store_;
  const crypto::KeyRing& keys_;
  Mailer& mailer_;
  const Clock& clock_;
  Logger& log_;
  AccountConfig config_;
  Throttle throttle_;
  std::string dummy_hash_;
};

// How a login name is read: "email" (has '@'), "phone" (a valid mobile
// number once normalised) or "username".
std::string login_kind(const std::string& login);

// Per client address, for one flow: "<flow>|ip:<address>".
std::string address_key(std::string_view flow, const RequestContext& ctx);

// Who a failed login or activation names in the audit log when no account
// has that name: a username as typed; an email or phone masked (the log
// keeps no contact data in clear, R-USER-3).
Account named_only(const std::string& login);

}  // namespace cpshare
