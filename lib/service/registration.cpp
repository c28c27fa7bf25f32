#include "service/registration.hpp"

#include <fmt/format.h>

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

}  // namespace

RegistrationService::RegistrationService(AccountCore& core)
    : core_(core),
      store_(core.store()),
      keys_(core.keys()),
      clock_(core.clock()),
      log_(core.log()),
      config_(core.config()),
      throttle_(core.throttle()) {}

Result<std::size_t> RegistrationService::report_username_collisions() {
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

// ---------------------------------------------------------------- registration

// What registration stores beyond the Account's plain members: the values
// sealed before insert (the password hashed) and the licence file.
struct RegistrationService::NewAccount {
  Account account;
  std::string password, phone;
  std::optional<std::string> id_number, legal_rep_id_number, credit_code;
  std::optional<api::SettlementInput> settlement;
  std::optional<api::LicenceUpload> licence;
  std::string terms_version;

  // The fields a user's and a supplier's registration share; the caller
  // adds its role's own.
  template <class Registration>
  static NewAccount common(const Registration& req, Role role) {
    NewAccount n{.account = {},
                 .password = req.password,
                 .phone = req.phone,
                 .id_number = req.id_number,
                 .legal_rep_id_number = {},
                 .credit_code = req.credit_code,
                 .settlement = {},
                 .licence = req.licence,
                 .terms_version = req.terms_version};
    n.account.role = role;
    n.account.username = req.username;
    n.account.email = req.email;
    n.account.region = req.region;
    n.account.real_name = req.real_name;
    return n;
  }
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

Result<api::Registered> RegistrationService::register_user(const api::UserRegistration& req,
                                                           const RequestContext& ctx) {
  TRY(check_terms(req.terms_version));
  NewAccount n = NewAccount::common(req, Role::User);
  n.account.user_type = req.user_type;
  n.account.organization = req.organization;
  return register_account(std::move(n), ctx);
}

Result<api::Registered> RegistrationService::register_supplier(const api::SupplierRegistration& req,
                                                               const RequestContext& ctx) {
  TRY(check_terms(req.terms_version));
  NewAccount n = NewAccount::common(req, Role::Supplier);
  n.legal_rep_id_number = req.legal_rep_id_number;
  n.settlement = req.settlement;
  Account& a = n.account;
  a.supplier_kind = req.kind;
  a.company_name = req.company_name;
  a.legal_rep_name = req.legal_rep_name;
  a.registered_capital_fen = req.registered_capital_fen;
  a.contact_name = req.contact_name;
  a.address = req.address;
  a.affiliation = req.affiliation;
  return register_account(std::move(n), ctx);
}

// Uniqueness checks before the (slow) password hash; the UNIQUE constraints
// catch the remaining race at insert. Saying "taken" tells whether a name,
// email or phone is registered, so those answers are rationed per client
// address (throttle_policy::kTaken): a few, then RATE_LIMITED.
Result<> RegistrationService::check_not_taken(const Account& a, const RequestContext& ctx,
                                              const std::string& taken_key) {
  TRY(core_.throttled(taken_key, throttle_policy::kTaken, nullptr, ctx, "registration"));
  auto taken = [&](ErrorCode code, std::string message) -> Result<> {
    return std::unexpected(core_.counted_if_taken(Error{code, std::move(message), {}, 0}, taken_key));
  };
  TRY_ASSIGN(auto by_name, store_.accounts().by_username(a.username));
  if (by_name) return taken(ErrorCode::UsernameTaken, taken_message(a.username, by_name->username));
  TRY_ASSIGN(auto by_email, store_.accounts().by_email(*a.email));
  if (by_email) return taken(ErrorCode::EmailTaken, "that email address is already registered; log in or use another");
  TRY_ASSIGN(auto by_phone, store_.accounts().by_phone_index(a.phone.index));
  if (by_phone) return taken(ErrorCode::PhoneTaken, "that phone number is already registered; log in or use another");
  return {};
}

Result<> RegistrationService::seal_new(NewAccount& n) {
  Account& a = n.account;
  TRY_ASSIGN(a.password_hash, crypto::hash_password(n.password));
  if (n.id_number) a.id_number = core_.seal("id_number", *n.id_number);
  if (n.legal_rep_id_number) a.legal_rep_id_number = core_.seal("id_number", *n.legal_rep_id_number);
  if (n.credit_code) a.credit_code = core_.seal("credit_code", *n.credit_code);
  if (n.settlement) {
    a.bank_name = n.settlement->bank_name;
    a.bank_account_name = n.settlement->account_name;
    a.bank_account = core_.seal("bank_account", n.settlement->account_number);
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

Result<api::Registered> RegistrationService::register_account(NewAccount n, const RequestContext& ctx) {
  Account& a = n.account;
  a.created_at = clock_.now();
  a.phone = core_.seal("phone", n.phone);
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
  if (!inserted) return std::unexpected(core_.counted_if_taken(inserted.error(), taken_key));
  a.licence_cipher.clear();
  TRY_ASSIGN(api::ActivationSent activation, issue_activation(a));
  return api::Registered{core_.account_view(a), activation};
}

Result<api::ActivationSent> RegistrationService::issue_activation(const Account& a) {
  std::int64_t now = clock_.now();
  std::string code = crypto::random_digits(6);
  // The link's token is also typed as an argument: cpshare activate TOKEN.
  std::string token = crypto::random_argument_token(32);
  ActivationCode c;
  c.account_id = a.id;
  c.code_hash = core_.code_hash(a.id, code);
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
  if (auto r = core_.mailer().send(Mail{*a.email, "cpshare: activate your account / 激活您的账户", body}); !r) {
    sent = false;
    log_.warn("activation mail for {} not sent: {}", a.username, r.error().message);
  }
  core_.audit_event(sent ? AuditEventName::ActivationSent : AuditEventName::ActivationMailFailed, &a, {},
                    json::object());
  return api::ActivationSent{mask::email(*a.email), sent, api::Time{c.code_expires_at}, api::Time{c.link_expires_at}};
}

// ------------------------------------------------------------------ activation

Result<api::AccountReply> RegistrationService::finish_activation(Account a, const RequestContext& ctx,
                                                                 const std::string& how) {
  TRY_ASSIGN(a, core_.modify(
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
  return api::AccountReply{core_.account_view(a)};
}

// No account oracle (issue 9). Every answer that does not rest on the right
// code is one INVALID_CODE with one message, whether the username is unknown,
// the account active or deregistered, or the code wrong, expired or spent:
// each costs the same lookups, one store write (the attempt count with its
// audit event, or the audit event alone) and counts in the same throttles,
// keyed by the username as typed. The right code proves the caller holds the
// activation mail, so only then does the answer tell the account's state.
Result<api::AccountReply> RegistrationService::activate_with_code(const api::ActivationRequest& req,
                                                                  const RequestContext& ctx) {
  const std::string ip_key = "ip:" + ctx.ip;
  const std::string key = fmt::format("activate:{}|ip:{}", normalize::username_key(req.username), ctx.ip);
  TRY(core_.throttled(ip_key, throttle_policy::kAddress, nullptr, ctx, "activation"));
  TRY(core_.throttled(key, throttle_policy::kActivation, nullptr, ctx, "activation"));

  TRY_ASSIGN(auto found, store_.accounts().by_username(req.username));
  std::optional<ActivationCode> act;
  if (found) {
    TRY_ASSIGN(act, store_.accounts().activation_for(found->id));
  }
  const Blob typed = core_.code_hash(found ? found->id : 0, req.code);
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

Result<api::AccountReply> RegistrationService::activate_with_link(const api::ActivationToken& req,
                                                                  const RequestContext& ctx) {
  const std::string& token = req.token;
  if (token.empty()) return fail_fields({{"token", "is required: open the link from the activation mail"}});
  TRY(core_.throttled("ip:" + ctx.ip, throttle_policy::kAddress, nullptr, ctx, "activation"));
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
Result<api::ResendReply> RegistrationService::resend_activation(const api::ResendRequest& req,
                                                                const RequestContext& ctx) {
  const std::string ip_key = address_key("resend", ctx);
  const std::string key = "resend:" + normalize::username_key(req.username);
  TRY(core_.throttled(ip_key, throttle_policy::kResendAddress, nullptr, ctx, "resend"));
  TRY(core_.throttled(key, throttle_policy::kResend, nullptr, ctx, "resend"));
  throttle_.failure(ip_key, throttle_policy::kResendAddress);
  throttle_.failure(key, throttle_policy::kResend);
  TRY_ASSIGN(auto found, store_.accounts().by_username(req.username));
  if (found && found->status == AccountStatus::Inactive && found->email) {
    TRY_ASSIGN(auto act, store_.accounts().activation_for(found->id));
    if (!act || act->sent_at + throttle_policy::kResend.first_delay <= clock_.now()) TRY(issue_activation(*found));
  }
  return api::ResendReply{true};
}

Result<api::AccountReply> RegistrationService::create_admin(const std::string& typed_username,
                                                            const std::string& password, const std::string& email) {
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
  return api::AccountReply{core_.account_view(a)};
}

void RegistrationService::bind(EndpointTable& t) {
  using namespace api::endpoint;
  t.bind<RegisterUser>([this](const api::UserRegistration& r, const RequestContext& ctx, const api::PathParams&) {
    return register_user(r, ctx);
  });
  t.bind<RegisterSupplier>([this](const api::SupplierRegistration& r, const RequestContext& ctx,
                                  const api::PathParams&) { return register_supplier(r, ctx); });
  t.bind<Activate>([this](const api::ActivationRequest& r, const RequestContext& ctx, const api::PathParams&) {
    return activate_with_code(r, ctx);
  });
  t.bind<ResendActivation>([this](const api::ResendRequest& r, const RequestContext& ctx, const api::PathParams&) {
    return resend_activation(r, ctx);
  });
}

}  // namespace cpshare
