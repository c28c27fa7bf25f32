#include "service/accounts.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "crypto/totp.hpp"
#include "domain/normalize.hpp"
#include "domain/validate.hpp"
#include "service/terms.hpp"
#include "util/text.hpp"

namespace cpshare {

namespace {

// USERNAME_TAKEN's message; names the existing spelling when only the case differs.
std::string taken_message(const std::string& wanted, const std::string& existing) {
  if (wanted == existing) return fmt::format("username '{}' is taken; choose another", wanted);
  return fmt::format(
      "username '{}' is taken (as '{}': names that differ only in case or width are one name); "
      "choose another",
      wanted, existing);
}

std::string login_kind(const std::string& login) {
  if (login.find('@') != std::string::npos) return "email";
  std::string ph = validate::normalize_phone(login);
  if (validate::phone(ph).empty()) return "phone";
  return "username";
}

// The throttle key of a login name as typed: the same for every spelling of
// one name, whether or not an account has it (no account id in it, so the
// throttle cannot tell known names from unknown ones).
std::string login_name_key(const std::string& login) {
  std::string kind = login_kind(login);
  if (kind == "email") return "email:" + text::to_lower_ascii(login);
  if (kind == "phone") return "phone:" + validate::normalize_phone(login);
  return "name:" + normalize::username_key(login);
}

// Per client address, for one flow.
std::string address_key(std::string_view flow, const RequestContext& ctx) {
  return fmt::format("{}|ip:{}", flow, ctx.ip);
}

// Who a failed login or activation names in the audit log when no account
// has that name: a username as typed; an email or phone masked (the log
// keeps no contact data in clear, R-USER-3).
Account named_only(const std::string& login) {
  Account a;
  std::string kind = login_kind(login);
  a.username = kind == "email"   ? mask::email(text::to_lower_ascii(login))
               : kind == "phone" ? mask::phone(validate::normalize_phone(login))
                                 : login;
  return a;
}

}  // namespace

json rfc3339_or_null(const std::optional<std::int64_t>& t) { return t ? json(rfc3339(*t)) : json(nullptr); }

AccountService::AccountService(Store& store, const crypto::KeyRing& keys, Mailer& mailer, const Clock& clock,
                               Logger& log, AccountConfig config)
    : store_(store),
      keys_(keys),
      mailer_(mailer),
      clock_(clock),
      log_(log),
      config_(std::move(config)),
      throttle_(clock) {
  dummy_hash_ = crypto::hash_password(crypto::random_token(16)).value_or("");
}

Result<Account> AccountService::modify(std::int64_t id, const std::function<Result<>(Account&)>& change,
                                       const std::function<Result<>(const Account&)>& after) {
  Account out;
  TRY(store_.atomically([&]() -> Result<> {
    TRY_ASSIGN(auto fresh, store_.accounts().by_id(id));
    if (!fresh) return fail(ErrorCode::NotFound, "the account no longer exists");
    TRY(change(*fresh));
    TRY(store_.accounts().update(*fresh));
    if (after) TRY(after(*fresh));
    out = std::move(*fresh);
    return {};
  }));
  return out;
}

Result<std::size_t> AccountService::report_username_collisions() {
  TRY_ASSIGN(auto groups, store_.accounts().username_collisions());
  if (groups.empty()) return std::size_t{0};
  std::string list;
  for (const auto& g : groups) {
    std::string names;
    for (const auto& n : g.usernames) names += (names.empty() ? "" : ", ") + n;
    list += fmt::format("{}[{}]", list.empty() ? "" : "; ", names);
  }
  log_.warn(
      "{} group{} of usernames registered before names became case-insensitive are one name now, "
      "and were all kept: {}. The first of each group answers to any spelling, the others only to "
      "their exact spelling (cpshare admin audit --event username_collision)",
      groups.size(), groups.size() == 1 ? "" : "s", list);
  return groups.size();
}

void AccountService::set_public_url(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  config_.public_url = std::move(url);
}

Sealed AccountService::seal(std::string_view domain, const std::string& value) const {
  return Sealed{keys_.blind_index(domain, value), keys_.seal(value)};
}

std::string AccountService::unseal(const Sealed& s) const {
  if (s.cipher.empty()) return {};
  return keys_.open_string(s.cipher).value_or("");
}

Blob AccountService::code_hash(std::int64_t account_id, const std::string& code) const {
  return keys_.token_hash(fmt::format("activation:{}:{}", account_id, code));
}

api::AccountView AccountService::account_view(const Account& a) const {
  auto masked = [&](const Sealed& s, std::string (*m)(std::string_view)) -> std::optional<std::string> {
    if (s.empty()) return std::nullopt;
    return m(unseal(s));
  };
  auto time = [](const std::optional<std::int64_t>& t) -> std::optional<api::Time> {
    if (!t) return std::nullopt;
    return api::Time{*t};
  };
  api::AccountView v;
  v.username = a.username;
  v.role = a.role;
  v.user_type = a.user_type;
  v.supplier_kind = a.supplier_kind;
  v.status = a.status;
  v.email = a.email;
  v.phone_masked = masked(a.phone, mask::phone);
  v.real_name = a.real_name;
  v.id_number_masked = masked(a.id_number, mask::id_number);
  v.region = a.region;
  v.organization = a.organization;
  v.credit_code_masked = masked(a.credit_code, mask::credit_code);
  v.company_name = a.company_name;
  v.legal_rep_name = a.legal_rep_name;
  v.legal_rep_id_number_masked = masked(a.legal_rep_id_number, mask::id_number);
  v.registered_capital_fen = a.registered_capital_fen;
  v.contact_name = a.contact_name;
  v.address = a.address;
  v.affiliation = a.affiliation;
  if (a.bank_name)
    v.settlement = api::SettlementView{*a.bank_name, a.bank_account_name.value_or(""),
                                       masked(a.bank_account, mask::bank_account).value_or("")};
  if (a.licence_filename)
    v.licence = api::LicenceView{*a.licence_filename, a.licence_type.value_or(""), a.licence_size.value_or(0)};
  v.mfa_enabled = a.mfa_enabled;
  v.review_note = a.review_note;
  v.created_at = api::Time{a.created_at};
  v.activated_at = time(a.activated_at);
  v.reviewed_at = time(a.reviewed_at);
  return v;
}

api::SessionView AccountService::session_view(const Session& s, const std::string& current_id) const {
  const std::int64_t idle_end = s.last_seen_at + config_.session_idle_timeout;
  return {s.id,
          api::Time{s.created_at},
          api::Time{s.last_seen_at},
          api::Time{s.expires_at},
          api::Time{std::min(idle_end, s.expires_at)},
          s.client,
          s.ip,
          s.id == current_id};
}

void AccountService::audit_event(AuditEventName event, const Account* a, const RequestContext& ctx, json detail) {
  if (auto r = write_audit(store_, clock_, event, a, ctx, detail); !r)
    log_.error("audit {}: {}", enum_name(event), r.error().message);
}

void AccountService::notify(const Account& a, const std::string& subject, const std::string& body) {
  if (!a.email) return;
  if (auto r = mailer_.send(Mail{*a.email, subject, body}); !r)
    log_.warn("mail to account {} not sent: {}", a.username, r.error().message);
}

Result<> AccountService::throttled(const std::string& key, const ThrottlePolicy& p, const Account* a,
                                   const RequestContext& ctx, std::string_view flow) {
  std::int64_t wait = throttle_.wait(key, p);
  if (wait <= 0) return {};
  audit_event(AuditEventName::LoginThrottled, a, ctx, {{"retry_after", wait}, {"flow", flow}});
  std::string why = flow == "resend"         ? "too many requests for a new activation code"
                    : flow == "registration" ? "too many attempts named a username, email or phone that is taken"
                                             : "too many failed attempts";
  Error e{ErrorCode::RateLimited, fmt::format("{}; wait {} s and try again", why, wait), {}, static_cast<int>(wait)};
  return std::unexpected(e);
}

Error AccountService::counted_if_taken(Error e, const std::string& key) {
  if (e.code == ErrorCode::UsernameTaken || e.code == ErrorCode::EmailTaken || e.code == ErrorCode::PhoneTaken)
    throttle_.failure(key, throttle_policy::kTaken);
  return e;
}

// ---------------------------------------------------------------- registration

// What registration stores beyond the Account's plain members: the values
// sealed before insert (the password hashed) and the licence file.
struct AccountService::NewAccount {
  Account account;
  std::string password, phone;
  std::optional<std::string> id_number, legal_rep_id_number, credit_code;
  std::optional<api::SettlementInput> settlement;
  std::optional<api::LicenceUpload> licence;
  std::string terms_version;
};

namespace {

// The current terms must have been accepted: the version is the daemon's.
Result<> check_terms(const std::string& accepted) {
  if (accepted != terms::kVersion)
    return fail_fields(
        {{"terms_version", fmt::format("the current terms are version {}; read and accept them", terms::kVersion)}});
  return {};
}

}  // namespace

Result<api::Registered> AccountService::register_user(const api::UserRegistration& req, const RequestContext& ctx) {
  TRY(check_terms(req.terms_version));
  NewAccount n{.account = {},
               .password = req.password,
               .phone = req.phone,
               .id_number = req.id_number,
               .legal_rep_id_number = {},
               .credit_code = req.credit_code,
               .settlement = {},
               .licence = req.licence,
               .terms_version = req.terms_version};
  Account& a = n.account;
  a.role = Role::User;
  a.username = req.username;
  a.email = req.email;
  a.region = req.region;
  a.user_type = enum_parse<UserType>(req.user_type);  // as UserRegistration::from_body checked
  a.real_name = req.real_name;
  a.organization = req.organization;
  return register_account(std::move(n), ctx);
}

Result<api::Registered> AccountService::register_supplier(const api::SupplierRegistration& req,
                                                          const RequestContext& ctx) {
  TRY(check_terms(req.terms_version));
  NewAccount n{.account = {},
               .password = req.password,
               .phone = req.phone,
               .id_number = req.id_number,
               .legal_rep_id_number = req.legal_rep_id_number,
               .credit_code = req.credit_code,
               .settlement = req.settlement,
               .licence = req.licence,
               .terms_version = req.terms_version};
  Account& a = n.account;
  a.role = Role::Supplier;
  a.username = req.username;
  a.email = req.email;
  a.region = req.region;
  a.supplier_kind = enum_parse<SupplierKind>(req.kind);  // as SupplierRegistration::from_body checked
  a.company_name = req.company_name;
  a.legal_rep_name = req.legal_rep_name;
  a.registered_capital_fen = req.registered_capital_fen;
  a.contact_name = req.contact_name;
  a.real_name = req.real_name;
  a.address = req.address;
  a.affiliation = req.affiliation;
  return register_account(std::move(n), ctx);
}

// Uniqueness checks before the (slow) password hash; the UNIQUE constraints
// catch the remaining race at insert. Saying "taken" tells whether a name,
// email or phone is registered, so those answers are rationed per client
// address (throttle_policy::kTaken): a few, then RATE_LIMITED.
Result<> AccountService::check_not_taken(const Account& a, const RequestContext& ctx, const std::string& taken_key) {
  TRY(throttled(taken_key, throttle_policy::kTaken, nullptr, ctx, "registration"));
  auto taken = [&](ErrorCode code, std::string message) -> Result<> {
    return std::unexpected(counted_if_taken(Error{code, std::move(message), {}, 0}, taken_key));
  };
  TRY_ASSIGN(auto by_name, store_.accounts().by_username(a.username));
  if (by_name) return taken(ErrorCode::UsernameTaken, taken_message(a.username, by_name->username));
  TRY_ASSIGN(auto by_email, store_.accounts().by_email(*a.email));
  if (by_email) return taken(ErrorCode::EmailTaken, "that email address is already registered; log in or use another");
  TRY_ASSIGN(auto by_phone, store_.accounts().by_phone_index(a.phone.index));
  if (by_phone) return taken(ErrorCode::PhoneTaken, "that phone number is already registered; log in or use another");
  return {};
}

Result<> AccountService::seal_new(NewAccount& n) {
  Account& a = n.account;
  TRY_ASSIGN(a.password_hash, crypto::hash_password(n.password));
  if (n.id_number) a.id_number = seal("id_number", *n.id_number);
  if (n.legal_rep_id_number) a.legal_rep_id_number = seal("id_number", *n.legal_rep_id_number);
  if (n.credit_code) a.credit_code = seal("credit_code", *n.credit_code);
  if (n.settlement) {
    a.bank_name = n.settlement->bank_name;
    a.bank_account_name = n.settlement->account_name;
    a.bank_account = seal("bank_account", n.settlement->account_number);
  }
  if (n.licence) {
    TRY_ASSIGN(api::LicenceFile file, api::decode_licence(*n.licence));
    a.licence_filename = file.filename;
    a.licence_type = file.content_type;
    a.licence_size = static_cast<std::int64_t>(file.bytes.size());
    a.licence_cipher = keys_.seal(file.bytes);
  }
  return {};
}

Result<api::Registered> AccountService::register_account(NewAccount n, const RequestContext& ctx) {
  Account& a = n.account;
  a.created_at = clock_.now();
  a.phone = seal("phone", n.phone);
  const std::string taken_key = address_key("register", ctx);
  TRY(check_not_taken(a, ctx, taken_key));
  TRY(seal_new(n));
  a.terms_version = n.terms_version;
  a.status = AccountStatus::Inactive;
  auto inserted = store_.atomically([&]() -> Result<> {
    TRY_ASSIGN(a.id, store_.accounts().insert(a));
    TRY(write_audit(store_, clock_, AuditEventName::Registered, &a, ctx,
                    {{"role", role_name(a.role)},
                     {"type", a.user_type       ? enum_name(*a.user_type)
                              : a.supplier_kind ? enum_name(*a.supplier_kind)
                                                : std::string_view()}}));
    return {};
  });
  if (!inserted) return std::unexpected(counted_if_taken(inserted.error(), taken_key));
  a.licence_cipher.clear();
  TRY_ASSIGN(api::ActivationSent activation, issue_activation(a));
  return api::Registered{account_view(a), activation};
}

Result<api::ActivationSent> AccountService::issue_activation(const Account& a) {
  std::int64_t now = clock_.now();
  std::string code = crypto::random_digits(6);
  // The link's token is also typed as an argument: cpshare activate TOKEN.
  std::string token = crypto::random_argument_token(32);
  ActivationCode c;
  c.account_id = a.id;
  c.code_hash = code_hash(a.id, code);
  c.code_expires_at = now + config_.code_ttl;
  c.link_hash = keys_.token_hash(token);
  c.link_expires_at = now + config_.link_ttl;
  c.sent_at = now;
  TRY(store_.accounts().put_activation(c));
  std::string link = fmt::format("{}/api/v1/activate?token={}", config_.public_url, token);
  std::string body = fmt::format(
      "Welcome to cpshare, {0}.\n"
      "欢迎注册 cpshare 科研算力共享平台。\n\n"
      "Your verification code / 验证码: {1}\n"
      "It expires at {2} (in {3} minutes).\n\n"
      "Or open this link before {4} to activate your account / 或在有效期内打开以下链接激活账户:\n"
      "{5}\n\n"
      "With the code: cpshare activate --username {0} {1}\n\n"
      "If you did not register, ignore this message. 如非本人操作，请忽略本邮件。\n",
      a.username, code, rfc3339(c.code_expires_at), config_.code_ttl / 60, rfc3339(c.link_expires_at), link);
  bool sent = true;
  if (auto r = mailer_.send(Mail{*a.email, "cpshare: activate your account / 激活您的账户", body}); !r) {
    sent = false;
    log_.warn("activation mail for {} not sent: {}", a.username, r.error().message);
  }
  audit_event(sent ? AuditEventName::ActivationSent : AuditEventName::ActivationMailFailed, &a, {}, json::object());
  return api::ActivationSent{mask::email(*a.email), sent, api::Time{c.code_expires_at}, api::Time{c.link_expires_at}};
}

// ------------------------------------------------------------------ activation

Result<api::AccountReply> AccountService::finish_activation(Account a, const RequestContext& ctx,
                                                            const std::string& how) {
  TRY_ASSIGN(a, modify(
                    a.id,
                    [&](Account& cur) -> Result<> {
                      if (cur.status != AccountStatus::Inactive)
                        return fail(ErrorCode::AlreadyActive,
                                    "this account is already activated; log in with cpshare login");
                      cur.status = cur.needs_review() ? AccountStatus::PendingReview : AccountStatus::Active;
                      cur.activated_at = clock_.now();
                      return {};
                    },
                    [&](const Account& cur) -> Result<> {
                      // The used code's hash is kept (deregistration deletes it): typed
                      // again, it tells its owner the account is already active, where any
                      // other code gets the answer an unknown username gets. The link is
                      // void: activate_with_link refuses it for an account not inactive.
                      return write_audit(store_, clock_, AuditEventName::Activated, &cur, ctx,
                                         {{"via", how}, {"status", status_name(cur.status)}});
                    }));
  return api::AccountReply{account_view(a)};
}

// No account oracle (issue 9). Every answer that does not rest on the right
// code is one INVALID_CODE with one message, whether the username is unknown,
// the account active or deregistered, or the code wrong, expired or spent:
// each costs the same lookups, one store write (the attempt count with its
// audit event, or the audit event alone) and counts in the same throttles,
// keyed by the username as typed. The right code proves the caller holds the
// activation mail, so only then does the answer tell the account's state.
Result<api::AccountReply> AccountService::activate_with_code(const api::ActivationRequest& req,
                                                             const RequestContext& ctx) {
  const std::string ip_key = "ip:" + ctx.ip;
  const std::string key = fmt::format("activate:{}|ip:{}", normalize::username_key(req.username), ctx.ip);
  TRY(throttled(ip_key, throttle_policy::kAddress, nullptr, ctx, "activation"));
  TRY(throttled(key, throttle_policy::kActivation, nullptr, ctx, "activation"));

  TRY_ASSIGN(auto found, store_.accounts().by_username(req.username));
  std::optional<ActivationCode> act;
  if (found) {
    TRY_ASSIGN(act, store_.accounts().activation_for(found->id));
  }
  const Blob typed = code_hash(found ? found->id : 0, req.code);
  if (!act || !crypto::equal(act->code_hash, typed)) {
    const int attempt = act ? std::min(act->attempts + 1, config_.max_code_attempts) : 0;
    throttle_.failure(key, throttle_policy::kActivation);
    throttle_.failure(ip_key, throttle_policy::kAddress);
    const Account someone = found ? *found : named_only(req.username);
    TRY(store_.atomically([&]() -> Result<> {
      if (act) TRY(store_.accounts().set_activation_attempts(found->id, attempt));
      return write_audit(store_, clock_, AuditEventName::ActivationFailed, &someone, ctx, {{"attempt", attempt}});
    }));
    return fail(ErrorCode::InvalidCode,
                fmt::format("wrong username or code; check the activation mail. A code works for {} minutes "
                            "and {} tries; then get a new one with cpshare activate --resend --username {}",
                            config_.code_ttl / 60, config_.max_code_attempts, req.username));
  }
  Account a = std::move(*found);
  if (a.status != AccountStatus::Inactive)
    return fail(ErrorCode::AlreadyActive, "this account is already activated; log in with cpshare login");
  if (act->attempts >= config_.max_code_attempts || act->code_expires_at <= clock_.now())
    return fail(ErrorCode::CodeExpired,
                "this code has expired or was tried too often; get a new one with "
                "cpshare activate --resend --username " +
                    a.username);
  throttle_.success(key);
  return finish_activation(std::move(a), ctx, "code");
}

Result<api::AccountReply> AccountService::activate_with_link(const api::ActivationToken& req,
                                                             const RequestContext& ctx) {
  const std::string& token = req.token;
  if (token.empty()) return fail_fields({{"token", "is required: open the link from the activation mail"}});
  TRY(throttled("ip:" + ctx.ip, throttle_policy::kAddress, nullptr, ctx, "activation"));
  TRY_ASSIGN(auto act, store_.accounts().activation_by_link(keys_.token_hash(token)));
  if (!act) {
    throttle_.failure("ip:" + ctx.ip, throttle_policy::kAddress);
    return fail(ErrorCode::InvalidCode, "this activation link is not valid or was already used");
  }
  // The link proves the caller holds the mail; a used one is void.
  TRY_ASSIGN(auto found, store_.accounts().by_id(act->account_id));
  if (!found || found->status != AccountStatus::Inactive)
    return fail(ErrorCode::InvalidCode, "this activation link is not valid or was already used");
  if (act->link_expires_at <= clock_.now())
    return fail(ErrorCode::CodeExpired,
                "this activation link has expired; get a new one with "
                "cpshare activate --resend --username USERNAME");
  return finish_activation(std::move(*found), ctx, "link");
}

// One answer and one throttle for every username (issue 9): nothing here
// tells whether an account exists or awaits activation. The mail goes only to
// an account awaiting activation, and not within a minute of the last one
// (the store's sent_at: also after a restart or right after registration).
Result<api::ResendReply> AccountService::resend_activation(const api::ResendRequest& req, const RequestContext& ctx) {
  const std::string ip_key = address_key("resend", ctx);
  const std::string key = "resend:" + normalize::username_key(req.username);
  TRY(throttled(ip_key, throttle_policy::kResendAddress, nullptr, ctx, "resend"));
  TRY(throttled(key, throttle_policy::kResend, nullptr, ctx, "resend"));
  throttle_.failure(ip_key, throttle_policy::kResendAddress);
  throttle_.failure(key, throttle_policy::kResend);
  TRY_ASSIGN(auto found, store_.accounts().by_username(req.username));
  if (found && found->status == AccountStatus::Inactive && found->email) {
    TRY_ASSIGN(auto act, store_.accounts().activation_for(found->id));
    if (!act || act->sent_at + throttle_policy::kResend.first_delay <= clock_.now()) TRY(issue_activation(*found));
  }
  return api::ResendReply{true};
}

// ---------------------------------------------------------------------- login

Result<std::optional<Account>> AccountService::find_login(const std::string& login) {
  std::string kind = login_kind(login);
  if (kind == "email") return store_.accounts().by_email(text::to_lower_ascii(login));
  if (kind == "phone") {
    TRY_ASSIGN(auto by_name, store_.accounts().by_username(login));
    if (by_name) return by_name;
    return store_.accounts().by_phone_index(keys_.blind_index("phone", validate::normalize_phone(login)));
  }
  return store_.accounts().by_username(login);
}

Result<> AccountService::check_second_factor(Account& a, const std::string& code, const std::string& recovery,
                                             const RequestContext& ctx, const std::string& key,
                                             const ThrottlePolicy& p) {
  if (!recovery.empty()) {
    std::string norm = text::to_lower_ascii(text::trim(recovery));
    TRY_ASSIGN(bool used,
               store_.accounts().use_recovery_code(a.id, keys_.token_hash("recovery:" + norm), clock_.now()));
    if (used) {
      audit_event(AuditEventName::RecoveryCodeUsed, &a, ctx);
      return {};
    }
  } else {
    TRY_ASSIGN(std::string secret, keys_.open_string(a.mfa_secret_cipher));
    auto step = totp::match(secret, text::trim(code), clock_.now());
    // The step check and its update happen in one transaction: a code
    // presented twice at once is still accepted only once.
    bool accepted = false;
    if (step) {
      TRY_ASSIGN(a, modify(a.id, [&](Account& cur) -> Result<> {
                   if (static_cast<std::int64_t>(*step) > cur.mfa_last_step) {
                     cur.mfa_last_step = static_cast<std::int64_t>(*step);
                     accepted = true;
                   }
                   return {};
                 }));
    }
    if (accepted) return {};
  }
  throttle_.failure(key, p);
  throttle_.failure("ip:" + ctx.ip, throttle_policy::kAddress);
  audit_event(AuditEventName::MfaFailed, &a, ctx);
  return fail(ErrorCode::InvalidMfaCode,
              "the authentication code is wrong or was already used; wait for the next code");
}

Result<api::LoginReply> AccountService::login(const api::LoginRequest& req, const RequestContext& ctx) {
  const std::string& password = req.password;
  const std::optional<std::string>& totp_code = req.totp;
  const std::optional<std::string>& recovery = req.recovery_code;
  const std::optional<std::string>& client = req.client;

  // The same steps whether or not the login names an account (issue 9): both
  // throttles are checked and counted under what was typed, and one argon2id
  // verify runs, against a dummy hash (same parameters) when there is no
  // account or its hash was erased at deregistration.
  const std::string ip_key = "ip:" + ctx.ip;
  const std::string key = fmt::format("login:{}|ip:{}", login_name_key(req.login), ctx.ip);
  TRY(throttled(ip_key, throttle_policy::kAddress, nullptr, ctx));
  TRY_ASSIGN(auto found, find_login(req.login));
  const Account someone = found ? *found : named_only(req.login);
  TRY(throttled(key, throttle_policy::kLogin, &someone, ctx));

  const bool has_hash = found && !found->password_hash.empty();
  const bool verified = crypto::verify_password(has_hash ? found->password_hash : dummy_hash_, password);
  if (!has_hash || !verified) {
    throttle_.failure(key, throttle_policy::kLogin);
    throttle_.failure(ip_key, throttle_policy::kAddress);
    audit_event(AuditEventName::LoginFailed, &someone, ctx, {{"reason", found ? "password" : "unknown_login"}});
    return fail(ErrorCode::InvalidCredentials, "wrong username or password");
  }
  Account a = std::move(*found);
  // From here the caller has proved the password: the answers may tell the
  // account's state.
  if (!a.can_log_in()) {
    audit_event(AuditEventName::LoginFailed, &a, ctx, {{"reason", status_name(a.status)}});
    if (a.status == AccountStatus::Inactive)
      return fail(ErrorCode::AccountNotActive,
                  "this account is not activated yet; enter the code from the activation mail with "
                  "cpshare activate --username " +
                      a.username + " CODE");
    return fail(ErrorCode::AccountNotActive, "this account was deregistered and cannot log in");
  }
  if (a.mfa_enabled) {
    if (!totp_code && !recovery)
      return fail(ErrorCode::MfaRequired,
                  "this account uses two-factor authentication; give the 6-digit code from your "
                  "authenticator (--totp) or a recovery code (--recovery-code)");
    TRY(check_second_factor(a, totp_code.value_or(""), recovery.value_or(""), ctx, key, throttle_policy::kLogin));
  }
  throttle_.success(key);

  std::int64_t now = clock_.now();
  std::string token = crypto::random_token(32);
  Session s;
  s.id = crypto::random_id("s_", 16, crypto::kHexAlphabet);
  s.token_hash = keys_.token_hash(token);
  s.account_id = a.id;
  s.created_at = now;
  s.last_seen_at = now;
  s.expires_at = now + config_.session_lifetime;
  s.client = client.value_or(ctx.user_agent.substr(0, 128));
  s.ip = ctx.ip;
  TRY(store_.atomically([&]() -> Result<> {
    TRY(store_.accounts().insert_session(s));
    TRY(write_audit(store_, clock_, AuditEventName::LoginSucceeded, &a, ctx,
                    {{"session", s.id}, {"mfa", a.mfa_enabled}}));
    return {};
  }));
  return api::LoginReply{token, session_view(s, s.id), account_view(a)};
}

Result<Caller> AccountService::authenticate(const std::string& token, const RequestContext& ctx) {
  (void)ctx;
  if (token.empty()) return fail(ErrorCode::Unauthenticated, "not logged in; run cpshare login");
  TRY_ASSIGN(auto s, store_.accounts().session_by_token(keys_.token_hash(token)));
  if (!s) return fail(ErrorCode::Unauthenticated, "this session has ended; run cpshare login");
  std::int64_t now = clock_.now();
  if (s->expires_at <= now || s->last_seen_at + config_.session_idle_timeout <= now) {
    TRY(store_.accounts().delete_session(s->account_id, s->id));
    return fail(ErrorCode::Unauthenticated, "this session has expired; run cpshare login");
  }
  TRY_ASSIGN(auto a, store_.accounts().by_id(s->account_id));
  if (!a || !a->can_log_in()) {
    TRY(store_.accounts().delete_sessions_for(s->account_id));
    return fail(ErrorCode::Unauthenticated, "this session has ended; run cpshare login");
  }
  // Record activity coarsely (not every request is a write), but often enough
  // that a short idle timeout stays exact to within a quarter of itself.
  std::int64_t granularity = std::clamp<std::int64_t>(config_.session_idle_timeout / 4, 0, 60);
  if (now - s->last_seen_at >= granularity) {
    TRY(store_.accounts().touch_session(s->id, now));
    s->last_seen_at = now;
  }
  return Caller{std::move(*a), std::move(*s)};
}

Result<api::SessionList> AccountService::list_sessions(const Caller& caller) {
  TRY_ASSIGN(auto sessions, store_.accounts().sessions_for(caller.account.id));
  api::SessionList out;
  std::int64_t now = clock_.now();
  for (const auto& s : sessions) {
    if (s.expires_at <= now || s.last_seen_at + config_.session_idle_timeout <= now) continue;
    out.items.push_back(session_view(s, caller.session.id));
  }
  return out;
}

Result<api::SessionRevoked> AccountService::logout(const Caller& caller, const RequestContext& ctx) {
  TRY(store_.accounts().delete_session(caller.account.id, caller.session.id));
  audit_event(AuditEventName::Logout, &caller.account, ctx, {{"session", caller.session.id}});
  return api::SessionRevoked{caller.session.id, true};
}

Result<api::SessionRevoked> AccountService::revoke_session(const Caller& caller, const std::string& id,
                                                           const RequestContext& ctx) {
  TRY_ASSIGN(bool deleted, store_.accounts().delete_session(caller.account.id, id));
  if (!deleted)
    return fail(ErrorCode::NotFound, fmt::format("no session '{}' of yours; see cpshare sessions list", id));
  audit_event(AuditEventName::SessionRevoked, &caller.account, ctx, {{"session", id}});
  return api::SessionRevoked{id, true};
}

// -------------------------------------------------------------------- profile

Result<api::AccountReply> AccountService::profile(const Caller& caller) {
  return api::AccountReply{account_view(caller.account)};
}

namespace {

// The members of a profile update that the caller's kind of account does not have.
std::vector<FieldError> not_applicable(const Account& a, const api::ProfileUpdate& req) {
  const bool supplier = a.role == Role::Supplier;
  const bool enterprise = supplier && a.supplier_kind == SupplierKind::Enterprise;
  const bool institution = a.role == Role::User && a.user_type && *a.user_type != UserType::Individual;
  std::vector<FieldError> out;
  if (req.organization && !institution)
    out.push_back({"organization", "only university, research_institute and enterprise users have an organisation"});
  if (req.contact_name && !enterprise) out.push_back({"contact_name", "only enterprise suppliers have a contact name"});
  if (req.address && (!supplier || enterprise)) out.push_back({"address", "only individual suppliers have an address"});
  if (req.affiliation && (!supplier || enterprise))
    out.push_back({"affiliation", "only individual suppliers have an affiliation"});
  if (req.settlement && !supplier) out.push_back({"settlement", "only suppliers have a settlement account"});
  return out;
}

std::vector<std::string> changed_fields(const api::ProfileUpdate& req) {
  std::vector<std::string> out;
  std::apply(
      [&](const auto&... m) {
        (
            [&] {
              if (req.*(m.ptr)) out.emplace_back(m.name);
            }(),
            ...);
      },
      api::Wire<api::ProfileUpdate>::fields);
  return out;
}

}  // namespace

Result<api::AccountReply> AccountService::update_profile(const Caller& caller, const api::ProfileUpdate& req,
                                                         const RequestContext& ctx) {
  Account a = caller.account;
  if (auto bad = not_applicable(a, req); !bad.empty()) return fail_fields(std::move(bad));
  const std::vector<std::string> changed = changed_fields(req);
  if (changed.empty()) return fail_fields({{"(body)", "nothing to change: give at least one field to update"}});
  if (req.email) a.email = req.email;
  const std::optional<std::string>& phone = req.phone;
  if (req.region) a.region = req.region;
  if (req.organization) a.organization = req.organization;
  if (req.contact_name) a.contact_name = req.contact_name;
  if (req.address) a.address = req.address;
  if (req.affiliation) a.affiliation = req.affiliation;
  if (req.settlement) {
    a.bank_name = req.settlement->bank_name;
    a.bank_account_name = req.settlement->account_name;
    a.bank_account = seal("bank_account", req.settlement->account_number);
  }
  // "Taken" tells whether an email or phone is registered: rationed per
  // account as registration's answers are per address.
  const std::string taken_key = fmt::format("taken:acct:{}", a.id);
  if ((a.email && a.email != caller.account.email) || phone)
    TRY(throttled(taken_key, throttle_policy::kTaken, &a, ctx, "registration"));
  if (a.email && a.email != caller.account.email) {
    TRY_ASSIGN(auto other, store_.accounts().by_email(*a.email));
    if (other && other->id != a.id)
      return std::unexpected(counted_if_taken(
          Error{ErrorCode::EmailTaken, "that email address is already registered to another account", {}, 0},
          taken_key));
  }
  if (phone) {
    a.phone = seal("phone", *phone);
    TRY_ASSIGN(auto other, store_.accounts().by_phone_index(a.phone.index));
    if (other && other->id != a.id)
      return std::unexpected(counted_if_taken(
          Error{ErrorCode::PhoneTaken, "that phone number is already registered to another account", {}, 0},
          taken_key));
  }
  const Account wanted = a;
  auto updated = modify(
      a.id,
      [&](Account& cur) -> Result<> {
        cur.email = wanted.email;
        cur.phone = wanted.phone;
        cur.region = wanted.region;
        cur.organization = wanted.organization;
        cur.contact_name = wanted.contact_name;
        cur.address = wanted.address;
        cur.affiliation = wanted.affiliation;
        cur.bank_name = wanted.bank_name;
        cur.bank_account_name = wanted.bank_account_name;
        cur.bank_account = wanted.bank_account;
        return {};
      },
      [&](const Account& cur) {
        return write_audit(store_, clock_, AuditEventName::ProfileUpdated, &cur, ctx, {{"fields", changed}});
      });
  if (!updated) return std::unexpected(counted_if_taken(updated.error(), taken_key));
  a = std::move(*updated);
  return api::AccountReply{account_view(a)};
}

Result<api::PasswordChanged> AccountService::change_password(const Caller& caller, const api::PasswordChange& req,
                                                             const RequestContext& ctx) {
  // The request checked every rule but this one, which needs the caller's username.
  if (auto p = validate::password(req.new_password, caller.account.username); !p.empty())
    return fail_fields({{"new_password", p}});
  Account a = caller.account;
  std::string key = fmt::format("acct:{}|ip:{}", a.id, ctx.ip);
  TRY(throttled(key, throttle_policy::kAccount, &a, ctx));
  if (!crypto::verify_password(a.password_hash, req.current_password)) {
    throttle_.failure(key, throttle_policy::kAccount);
    audit_event(AuditEventName::PasswordChangeFailed, &a, ctx);
    return fail(ErrorCode::InvalidCredentials, "the current password is wrong");
  }
  TRY_ASSIGN(std::string new_hash, crypto::hash_password(req.new_password));
  int ended = 0;
  TRY_ASSIGN(
      a,
      modify(
          a.id,
          [&](Account& cur) -> Result<> {
            cur.password_hash = new_hash;
            return {};
          },
          [&](const Account& cur) -> Result<> {
            TRY_ASSIGN(ended, store_.accounts().delete_sessions_for(cur.id));
            return write_audit(store_, clock_, AuditEventName::PasswordChanged, &cur, ctx, {{"sessions_ended", ended}});
          }));
  notify(a, "cpshare: your password was changed / 密码已修改",
         fmt::format("The password of cpshare account {} was changed at {} from {}.\n"
                     "Every session was ended. If this was not you, contact the platform administrator.\n",
                     a.username, rfc3339(clock_.now()), ctx.ip));
  return api::PasswordChanged{ended};
}

Result<api::Deregistered> AccountService::deregister(const Caller& caller, const api::Deregistration& req,
                                                     const RequestContext& ctx,
                                                     const std::function<Result<>(const Account&)>& close_also) {
  // One name in any case (issue 8): the confirmation is compared as usernames are.
  if (normalize::username_key(req.confirm_username) != normalize::username_key(caller.account.username))
    return fail_fields({{"confirm_username", "must be your username, to confirm"}});
  Account a = caller.account;
  std::string key = fmt::format("acct:{}|ip:{}", a.id, ctx.ip);
  TRY(throttled(key, throttle_policy::kAccount, &a, ctx));
  if (!crypto::verify_password(a.password_hash, req.password)) {
    throttle_.failure(key, throttle_policy::kAccount);
    return fail(ErrorCode::InvalidCredentials, "the password is wrong");
  }
  std::optional<std::string> email = a.email;
  int ended = 0;
  TRY_ASSIGN(
      a, modify(
             a.id,
             [&](Account& cur) -> Result<> {
               // Keep what billing records need: the username (leases and ledger
               // name it), role and type, the company or organisation and its
               // credit code (a legal entity's, not a person's), timestamps. Erase
               // the rest: the password hash (the account can never log in again;
               // logins naming it verify against the dummy hash), contact data,
               // names of people, identity numbers, region, bank data, licence,
               // MFA secrets and the review note. Migration 7 does the same for
               // accounts deregistered before; the store zeroes what it frees.
               cur.status = AccountStatus::Deregistered;
               cur.deregistered_at = clock_.now();
               cur.password_hash.clear();
               cur.email.reset();
               cur.phone = {};
               cur.real_name.reset();
               cur.id_number = {};
               cur.legal_rep_name.reset();
               cur.legal_rep_id_number = {};
               cur.region.reset();
               cur.address.reset();
               cur.contact_name.reset();
               cur.affiliation.reset();
               cur.bank_name.reset();
               cur.bank_account_name.reset();
               cur.bank_account = {};
               cur.licence_filename.reset();
               cur.licence_type.reset();
               cur.licence_size.reset();
               cur.mfa_enabled = false;
               cur.mfa_secret_cipher.clear();
               cur.mfa_pending_cipher.clear();
               cur.mfa_last_step = 0;
               cur.review_note.reset();
               return {};
             },
             [&](const Account& cur) -> Result<> {
               TRY_ASSIGN(ended, store_.accounts().delete_sessions_for(cur.id));
               TRY(store_.accounts().delete_recovery_codes(cur.id));
               TRY(store_.accounts().delete_activation(cur.id));
               if (close_also) TRY(close_also(cur));
               return write_audit(store_, clock_, AuditEventName::Deregistered, &cur, ctx, {{"sessions_ended", ended}});
             }));
  // The erased values' old pages must not stay readable in the WAL.
  if (auto flushed = store_.flush_erased(); !flushed)
    log_.warn(
        "deregistration of {}: the erased data may stay in the database's WAL until its next "
        "checkpoint: {}",
        a.username, flushed.error().message);
  if (email) {
    Account to = a;
    to.email = email;
    notify(to, "cpshare: account deregistered / 账户已注销",
           fmt::format("The cpshare account {} was deregistered at {}. It can no longer log in.\n"
                       "Billing records are kept as the law requires.\n",
                       a.username, rfc3339(*a.deregistered_at)));
  }
  return api::Deregistered{AccountStatus::Deregistered, ended};
}

// ------------------------------------------------------------------------ MFA

Result<api::MfaSecret> AccountService::mfa_begin(const Caller& caller) {
  crypto::Bytes secret = crypto::random_bytes(20);
  std::string raw(secret.begin(), secret.end());
  TRY_ASSIGN(Account a, modify(caller.account.id, [&](Account& cur) -> Result<> {
               if (cur.mfa_enabled)
                 return fail(ErrorCode::MfaAlreadyEnabled,
                             "two-factor authentication is already on; disable it first to re-enrol");
               cur.mfa_pending_cipher = keys_.seal(raw);
               return {};
             }));
  return api::MfaSecret{crypto::base32_encode(secret), totp::otpauth_uri("cpshare", a.username, raw)};
}

Result<api::MfaEnabled> AccountService::mfa_confirm(const Caller& caller, const api::MfaConfirm& req,
                                                    const RequestContext& ctx) {
  const std::string& code = req.code;
  Account a = caller.account;
  if (a.mfa_enabled) return fail(ErrorCode::MfaAlreadyEnabled, "two-factor authentication is already on");
  if (a.mfa_pending_cipher.empty())
    return fail(ErrorCode::Conflict, "no enrolment in progress; run cpshare mfa enable first");
  std::string key = fmt::format("acct:{}|ip:{}", a.id, ctx.ip);
  TRY(throttled(key, throttle_policy::kAccount, &a, ctx));
  TRY_ASSIGN(std::string secret, keys_.open_string(a.mfa_pending_cipher));
  auto step = totp::match(secret, code, clock_.now());
  if (!step) {
    throttle_.failure(key, throttle_policy::kAccount);
    audit_event(AuditEventName::MfaFailed, &a, ctx, {{"during", "enrolment"}});
    return fail(ErrorCode::InvalidMfaCode,
                "the code does not match; check the authenticator's clock and enter the current code");
  }
  std::vector<std::string> codes;
  std::vector<Blob> hashes;
  for (int i = 0; i < 10; ++i) {
    codes.push_back(crypto::random_recovery_code());
    hashes.push_back(keys_.token_hash("recovery:" + codes.back()));
  }
  const Blob verified = a.mfa_pending_cipher;
  TRY(modify(
      a.id,
      [&](Account& cur) -> Result<> {
        if (cur.mfa_enabled || cur.mfa_pending_cipher != verified)
          return fail(ErrorCode::Conflict, "the enrolment changed meanwhile; run cpshare mfa enable again");
        cur.mfa_enabled = true;
        cur.mfa_secret_cipher = verified;
        cur.mfa_pending_cipher.clear();
        cur.mfa_last_step = static_cast<std::int64_t>(*step);
        return {};
      },
      [&](const Account& cur) -> Result<> {
        TRY(store_.accounts().replace_recovery_codes(cur.id, hashes));
        return write_audit(store_, clock_, AuditEventName::MfaEnabled, &cur, ctx);
      }));
  return api::MfaEnabled{true, std::move(codes)};
}

Result<api::MfaDisabled> AccountService::mfa_disable(const Caller& caller, const api::MfaDisable& req,
                                                     const RequestContext& ctx) {
  const std::string& code = req.code;
  Account a = caller.account;
  if (!a.mfa_enabled) return fail(ErrorCode::MfaNotEnabled, "two-factor authentication is not on");
  std::string key = fmt::format("acct:{}|ip:{}", a.id, ctx.ip);
  TRY(throttled(key, throttle_policy::kAccount, &a, ctx));
  // A 6-digit code is a TOTP code; anything else is tried as a recovery code.
  bool is_totp = code.size() == 6 && std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
  TRY(check_second_factor(a, is_totp ? code : "", is_totp ? "" : code, ctx, key, throttle_policy::kAccount));
  TRY(modify(
      a.id,
      [&](Account& cur) -> Result<> {
        cur.mfa_enabled = false;
        cur.mfa_secret_cipher.clear();
        cur.mfa_pending_cipher.clear();
        cur.mfa_last_step = 0;
        return {};
      },
      [&](const Account& cur) -> Result<> {
        TRY(store_.accounts().delete_recovery_codes(cur.id));
        return write_audit(store_, clock_, AuditEventName::MfaDisabled, &cur, ctx);
      }));
  return api::MfaDisabled{false};
}

// --------------------------------------------------------------------- admin

Result<api::ReviewList> AccountService::review_list(const api::ReviewQuery& q) {
  TRY_ASSIGN(auto accounts, store_.accounts().with_status(q.status.value_or(AccountStatus::PendingReview)));
  api::ReviewList out;
  for (const auto& a : accounts)
    if (a.role != Role::Admin) out.items.push_back(account_view(a));
  return out;
}

Result<LicenceDownload> AccountService::review_licence(const std::string& typed) {
  const std::string username = normalize::field(typed);
  TRY_ASSIGN(auto a, store_.accounts().by_username(username));
  if (!a) return fail(ErrorCode::NotFound, fmt::format("no account '{}'", username));
  TRY_ASSIGN(auto lic, store_.accounts().licence(a->id));
  if (!lic) return fail(ErrorCode::NotFound, fmt::format("account '{}' has no licence file", username));
  TRY_ASSIGN(std::string bytes, keys_.open_string(lic->cipher));
  return LicenceDownload{lic->filename, lic->content_type, std::move(bytes)};
}

Result<api::AccountReply> AccountService::review_approve(const Caller& admin, const std::string& username,
                                                         const api::Approval& req, const RequestContext& ctx) {
  return review_decide(admin, username, true, req.reason, ctx);
}

Result<api::AccountReply> AccountService::review_reject(const Caller& admin, const std::string& username,
                                                        const api::Rejection& req, const RequestContext& ctx) {
  return review_decide(admin, username, false, req.reason, ctx);
}

Result<api::AccountReply> AccountService::review_decide(const Caller& admin, const std::string& typed, bool approve,
                                                        const std::optional<std::string>& reason,
                                                        const RequestContext& ctx) {
  const std::string username = normalize::field(typed);
  TRY_ASSIGN(auto found, store_.accounts().by_username(username));
  if (!found) return fail(ErrorCode::NotFound, fmt::format("no account '{}'", username));
  TRY_ASSIGN(Account a, modify(
                            found->id,
                            [&](Account& cur) -> Result<> {
                              if (cur.status != AccountStatus::PendingReview)
                                return fail(ErrorCode::Conflict, fmt::format("account '{}' is {}, not pending_review",
                                                                             username, status_name(cur.status)));
                              cur.status = approve ? AccountStatus::Active : AccountStatus::Rejected;
                              cur.reviewed_at = clock_.now();
                              cur.review_note = reason;
                              return {};
                            },
                            [&](const Account& cur) {
                              return write_audit(
                                  store_, clock_,
                                  approve ? AuditEventName::ReviewApproved : AuditEventName::ReviewRejected, &cur, ctx,
                                  {{"admin", admin.account.username}, {"reason", reason.value_or("")}});
                            }));
  notify(a, approve ? "cpshare: account approved / 账户审核通过" : "cpshare: account not approved / 账户审核未通过",
         approve
             ? fmt::format("Your cpshare account {} was approved. You can now use every feature of your role.\n",
                           a.username)
             : fmt::format("Your cpshare account {} was not approved.\nReason: {}\n", a.username, reason.value_or("")));
  return api::AccountReply{account_view(a)};
}

Result<api::AuditList> AccountService::audit(const api::AuditFilter& filter) {
  // Events carry the account's own spelling: a name typed in another case
  // finds the account's events (an unknown name is matched as typed: failed
  // logins record what was tried).
  AuditQuery q;
  q.limit = filter.limit.value_or(100);
  q.before_id = filter.before;
  q.event = filter.event;
  q.username = filter.username;
  if (q.username) {
    q.username = normalize::field(*q.username);
    TRY_ASSIGN(auto named, store_.accounts().by_username(*q.username));
    if (named) q.username = named->username;
  }
  TRY_ASSIGN(auto events, store_.audit().query(q));
  api::AuditList out;
  for (const auto& e : events) {
    json detail = json::parse(e.detail_json, nullptr, false);
    if (detail.is_discarded()) detail = json::object();
    out.items.push_back({e.id, api::Time{e.at}, e.event, e.username, e.ip, std::move(detail)});
  }
  return out;
}

Result<api::AccountReply> AccountService::create_admin(const std::string& typed_username, const std::string& password,
                                                       const std::string& email) {
  const std::string username = normalize::field(typed_username);
  std::vector<FieldError> errors;
  if (auto p = validate::username(username); !p.empty()) errors.push_back({"username", p});
  if (auto p = validate::password(password, username); !p.empty()) errors.push_back({"password", p});
  std::string mail = text::to_lower_ascii(normalize::field(email));
  if (!mail.empty())
    if (auto p = validate::email(mail); !p.empty()) errors.push_back({"email", p});
  if (!errors.empty()) return fail_fields(std::move(errors));
  TRY_ASSIGN(auto by_name, store_.accounts().by_username(username));
  if (by_name) return fail(ErrorCode::UsernameTaken, taken_message(username, by_name->username));
  Account a;
  a.username = username;
  a.role = Role::Admin;
  a.status = AccountStatus::Active;
  if (!mail.empty()) a.email = mail;
  a.created_at = clock_.now();
  a.activated_at = a.created_at;
  TRY_ASSIGN(a.password_hash, crypto::hash_password(password));
  TRY(store_.atomically([&]() -> Result<> {
    TRY_ASSIGN(a.id, store_.accounts().insert(a));
    TRY(write_audit(store_, clock_, AuditEventName::AdminCreated, &a,
                    RequestContext{"local", "cpshared admin create"}));
    return {};
  }));
  return api::AccountReply{account_view(a)};
}

}  // namespace cpshare
