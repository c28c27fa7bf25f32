#include "service/account_core.hpp"

#include <fmt/format.h>

#include "domain/validate.hpp"
#include "util/text.hpp"

namespace cpshare {

json rfc3339_or_null(const std::optional<std::int64_t>& t) { return t ? json(rfc3339(*t)) : json(nullptr); }

std::string login_kind(const std::string& login) {
  if (login.find('@') != std::string::npos) return "email";
  std::string ph = validate::normalize_phone(login);
  if (validate::phone(ph).empty()) return "phone";
  return "username";
}

std::string address_key(std::string_view flow, const RequestContext& ctx) {
  return fmt::format("{}|ip:{}", flow, ctx.ip);
}

Account named_only(const std::string& login) {
  Account a;
  std::string kind = login_kind(login);
  a.username = kind == "email"   ? mask::email(text::to_lower_ascii(login))
               : kind == "phone" ? mask::phone(validate::normalize_phone(login))
                                 : login;
  return a;
}

AccountCore::AccountCore(Store& store, const crypto::KeyRing& keys, Mailer& mailer, const Clock& clock, Logger& log,
                         AccountConfig config)
    : store_(store),
      keys_(keys),
      mailer_(mailer),
      clock_(clock),
      log_(log),
      config_(std::move(config)),
      throttle_(clock) {
  dummy_hash_ = crypto::hash_password(crypto::random_token(16)).value_or("");
}

Result<Account> AccountCore::modify(std::int64_t id, const std::function<Result<>(Account&)>& change,
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

void AccountCore::set_public_url(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  config_.public_url = std::move(url);
}

Sealed AccountCore::seal(std::string_view domain, const std::string& value) const {
  return Sealed{keys_.blind_index(domain, value), keys_.seal(value)};
}

std::string AccountCore::unseal(const Sealed& s) const {
  if (s.cipher.empty()) return {};
  return keys_.open_string(s.cipher).value_or("");
}

Blob AccountCore::code_hash(std::int64_t account_id, const std::string& code) const {
  return keys_.token_hash(fmt::format("activation:{}:{}", account_id, code));
}

api::AccountView AccountCore::account_view(const Account& a) const {
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

void AccountCore::audit_event(AuditEventName event, const Account* a, const RequestContext& ctx, json detail) {
  if (auto r = write_audit(store_, clock_, event, a, ctx, detail); !r)
    log_.error("audit {}: {}", enum_name(event), r.error().message);
}

void AccountCore::notify(const Account& a, const std::string& subject, const std::string& body) {
  if (!a.email) return;
  if (auto r = mailer_.send(Mail{*a.email, subject, body}); !r)
    log_.warn("mail to account {} not sent: {}", a.username, r.error().message);
}

Result<> AccountCore::throttled(const std::string& key, const ThrottlePolicy& p, const Account* a,
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

Error AccountCore::counted_if_taken(Error e, const std::string& key) {
  if (e.code == ErrorCode::UsernameTaken || e.code == ErrorCode::EmailTaken || e.code == ErrorCode::PhoneTaken)
    throttle_.failure(key, throttle_policy::kTaken);
  return e;
}

}  // namespace cpshare
