#include "service/sessions.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "catalog/cluster.hpp"
#include "crypto/totp.hpp"
#include "domain/normalize.hpp"
#include "domain/validate.hpp"
#include "util/text.hpp"

namespace cpshare {

namespace {

// The throttle key of a login name as typed: the same for every spelling of
// one name, whether or not an account has it (no account id in it, so the
// throttle cannot tell known names from unknown ones).
std::string login_name_key(const std::string& login) {
  std::string kind = login_kind(login);
  if (kind == "email") return "email:" + text::to_lower_ascii(login);
  if (kind == "phone") return "phone:" + validate::normalize_phone(login);
  return "name:" + normalize::username_key(login);
}

}  // namespace

SessionService::SessionService(AccountCore& core)
    : core_(core),
      store_(core.store()),
      keys_(core.keys()),
      clock_(core.clock()),
      config_(core.config()),
      throttle_(core.throttle()) {}

api::SessionView SessionService::session_view(const Session& s, const std::string& current_id) const {
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

// ---------------------------------------------------------------------- login

Result<std::optional<Account>> SessionService::find_login(const std::string& login) {
  std::string kind = login_kind(login);
  if (kind == "email") return store_.accounts().by_email(text::to_lower_ascii(login));
  if (kind == "phone") {
    TRY_ASSIGN(auto by_name, store_.accounts().by_username(login));
    if (by_name) return by_name;
    return store_.accounts().by_phone_index(keys_.blind_index("phone", validate::normalize_phone(login)));
  }
  return store_.accounts().by_username(login);
}

Result<> SessionService::check_second_factor(Account& a, const std::string& code, const std::string& recovery,
                                             const RequestContext& ctx, const std::string& key,
                                             const ThrottlePolicy& p) {
  if (!recovery.empty()) {
    std::string norm = text::to_lower_ascii(text::trim(recovery));
    TRY_ASSIGN(bool used,
               store_.accounts().use_recovery_code(a.id, keys_.token_hash("recovery:" + norm), clock_.now()));
    if (used) {
      core_.audit_event(AuditEventName::RecoveryCodeUsed, &a, ctx);
      return {};
    }
  } else {
    TRY_ASSIGN(std::string secret, keys_.open_string(a.mfa_secret_cipher));
    auto step = totp::match(secret, text::trim(code), clock_.now());
    // The step check and its update happen in one transaction: a code
    // presented twice at once is still accepted only once.
    bool accepted = false;
    if (step) {
      TRY_ASSIGN(a, core_.modify(a.id, [&](Account& cur) -> Result<> {
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
  core_.audit_event(AuditEventName::MfaFailed, &a, ctx);
  return fail(ErrorCode::InvalidMfaCode,
              "the authentication code is wrong or was already used; wait for the next code");
}

Result<api::LoginReply> SessionService::login(const api::LoginRequest& req, const RequestContext& ctx) {
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
  TRY(core_.throttled(ip_key, throttle_policy::kAddress, nullptr, ctx));
  TRY_ASSIGN(auto found, find_login(req.login));
  const Account someone = found ? *found : named_only(req.login);
  TRY(core_.throttled(key, throttle_policy::kLogin, &someone, ctx));

  const bool has_hash = found && !found->password_hash.empty();
  const bool verified = crypto::verify_password(has_hash ? found->password_hash : core_.dummy_hash(), password);
  if (!has_hash || !verified) {
    throttle_.failure(key, throttle_policy::kLogin);
    throttle_.failure(ip_key, throttle_policy::kAddress);
    core_.audit_event(AuditEventName::LoginFailed, &someone, ctx, {{"reason", found ? "password" : "unknown_login"}});
    return fail(ErrorCode::InvalidCredentials, "wrong username or password");
  }
  Account a = std::move(*found);
  // From here the caller has proved the password: the answers may tell the
  // account's state.
  if (!a.can_log_in()) {
    core_.audit_event(AuditEventName::LoginFailed, &a, ctx, {{"reason", status_name(a.status)}});
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
  return api::LoginReply{token, session_view(s, s.id), core_.account_view(a)};
}

Result<Caller> SessionService::authenticate(const std::string& token, const RequestContext& ctx) {
  (void)ctx;
  if (token.empty()) return fail(ErrorCode::Unauthenticated, "not logged in; run cpshare login");
  // A cluster's agent token is no session that has ended: say what it is (the
  // agent's endpoints answer a session token in kind, service/metrics.cpp).
  if (token.starts_with(catalog::kAgentTokenPrefix))
    return fail(ErrorCode::Unauthenticated,
                "this is a cluster's agent token (cpa_…), which only the agent's endpoints take; this endpoint needs "
                "a session token: run cpshare login");
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

Result<api::SessionList> SessionService::list_sessions(const Caller& caller) {
  TRY_ASSIGN(auto sessions, store_.accounts().sessions_for(caller.account.id));
  api::SessionList out;
  std::int64_t now = clock_.now();
  for (const auto& s : sessions) {
    if (s.expires_at <= now || s.last_seen_at + config_.session_idle_timeout <= now) continue;
    out.items.push_back(session_view(s, caller.session.id));
  }
  return out;
}

Result<api::SessionRevoked> SessionService::logout(const Caller& caller, const RequestContext& ctx) {
  TRY(store_.accounts().delete_session(caller.account.id, caller.session.id));
  core_.audit_event(AuditEventName::Logout, &caller.account, ctx, {{"session", caller.session.id}});
  return api::SessionRevoked{caller.session.id, true};
}

Result<api::SessionRevoked> SessionService::revoke_session(const Caller& caller, const std::string& id,
                                                           const RequestContext& ctx) {
  TRY_ASSIGN(bool deleted, store_.accounts().delete_session(caller.account.id, id));
  if (!deleted)
    return fail(ErrorCode::NotFound, fmt::format("no session '{}' of yours; see cpshare sessions list", id));
  core_.audit_event(AuditEventName::SessionRevoked, &caller.account, ctx, {{"session", id}});
  return api::SessionRevoked{id, true};
}

// ------------------------------------------------------------------------ MFA

Result<api::MfaSecret> SessionService::mfa_begin(const Caller& caller) {
  crypto::Bytes secret = crypto::random_bytes(20);
  std::string raw(secret.begin(), secret.end());
  TRY_ASSIGN(Account a, core_.modify(caller.account.id, [&](Account& cur) -> Result<> {
    if (cur.mfa_enabled)
      return fail(ErrorCode::MfaAlreadyEnabled,
                  "two-factor authentication is already on; disable it first to re-enrol");
    cur.mfa_pending_cipher = keys_.seal(raw);
    return {};
  }));
  return api::MfaSecret{crypto::base32_encode(secret), totp::otpauth_uri("cpshare", a.username, raw)};
}

Result<api::MfaEnabled> SessionService::mfa_confirm(const Caller& caller, const api::MfaConfirm& req,
                                                    const RequestContext& ctx) {
  const std::string& code = req.code;
  Account a = caller.account;
  if (a.mfa_enabled) return fail(ErrorCode::MfaAlreadyEnabled, "two-factor authentication is already on");
  if (a.mfa_pending_cipher.empty())
    return fail(ErrorCode::Conflict, "no enrolment in progress; run cpshare mfa enable first");
  std::string key = fmt::format("acct:{}|ip:{}", a.id, ctx.ip);
  TRY(core_.throttled(key, throttle_policy::kAccount, &a, ctx));
  TRY_ASSIGN(std::string secret, keys_.open_string(a.mfa_pending_cipher));
  auto step = totp::match(secret, code, clock_.now());
  if (!step) {
    throttle_.failure(key, throttle_policy::kAccount);
    core_.audit_event(AuditEventName::MfaFailed, &a, ctx, {{"during", "enrolment"}});
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
  TRY(core_.modify(
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

Result<api::MfaDisabled> SessionService::mfa_disable(const Caller& caller, const api::MfaDisable& req,
                                                     const RequestContext& ctx) {
  const std::string& code = req.code;
  Account a = caller.account;
  if (!a.mfa_enabled) return fail(ErrorCode::MfaNotEnabled, "two-factor authentication is not on");
  std::string key = fmt::format("acct:{}|ip:{}", a.id, ctx.ip);
  TRY(core_.throttled(key, throttle_policy::kAccount, &a, ctx));
  // A 6-digit code is a TOTP code; anything else is tried as a recovery code.
  bool is_totp = code.size() == 6 && std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
  TRY(check_second_factor(a, is_totp ? code : "", is_totp ? "" : code, ctx, key, throttle_policy::kAccount));
  TRY(core_.modify(
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

void SessionService::bind(EndpointTable& t) {
  using namespace api::endpoint;
  t.bind<Login>(
      [this](const api::LoginRequest& r, const RequestContext& ctx, const api::PathParams&) { return login(r, ctx); });
  t.bind<ListSessions>([this](const Caller& c, const api::NoRequest&, const RequestContext&, const api::PathParams&) {
    return list_sessions(c);
  });
  t.bind<Logout>([this](const Caller& c, const api::NoRequest&, const RequestContext& ctx, const api::PathParams&) {
    return logout(c, ctx);
  });
  t.bind<RevokeSession>([this](const Caller& c, const api::NoRequest&, const RequestContext& ctx,
                               const api::PathParams& p) { return revoke_session(c, p["id"], ctx); });
  t.bind<MfaBegin>([this](const Caller& c, const api::EmptyObject&, const RequestContext&, const api::PathParams&) {
    return mfa_begin(c);
  });
  t.bind<MfaConfirmCode>([this](const Caller& c, const api::MfaConfirm& r, const RequestContext& ctx,
                                const api::PathParams&) { return mfa_confirm(c, r, ctx); });
  t.bind<MfaTurnOff>([this](const Caller& c, const api::MfaDisable& r, const RequestContext& ctx,
                            const api::PathParams&) { return mfa_disable(c, r, ctx); });
}

}  // namespace cpshare
