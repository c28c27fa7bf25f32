#include "service/profile.hpp"

#include <fmt/format.h>

#include "domain/normalize.hpp"
#include "domain/validate.hpp"

namespace cpshare {

ProfileService::ProfileService(AccountCore& core)
    : core_(core), store_(core.store()), clock_(core.clock()), log_(core.log()), throttle_(core.throttle()) {}

// -------------------------------------------------------------------- profile

Result<api::AccountReply> ProfileService::profile(const Caller& caller) {
  return api::AccountReply{core_.account_view(caller.account)};
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

Result<api::AccountReply> ProfileService::update_profile(const Caller& caller, const api::ProfileUpdate& req,
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
    a.bank_account = core_.seal("bank_account", req.settlement->account_number);
  }
  // "Taken" tells whether an email or phone is registered: rationed per
  // account as registration's answers are per address.
  const std::string taken_key = fmt::format("taken:acct:{}", a.id);
  if ((a.email && a.email != caller.account.email) || phone)
    TRY(core_.throttled(taken_key, throttle_policy::kTaken, &a, ctx, "registration"));
  if (a.email && a.email != caller.account.email) {
    TRY_ASSIGN(auto other, store_.accounts().by_email(*a.email));
    if (other && other->id != a.id)
      return std::unexpected(core_.counted_if_taken(
          Error{ErrorCode::EmailTaken, "that email address is already registered to another account", {}, 0},
          taken_key));
  }
  if (phone) {
    a.phone = core_.seal("phone", *phone);
    TRY_ASSIGN(auto other, store_.accounts().by_phone_index(a.phone.index));
    if (other && other->id != a.id)
      return std::unexpected(core_.counted_if_taken(
          Error{ErrorCode::PhoneTaken, "that phone number is already registered to another account", {}, 0},
          taken_key));
  }
  const Account wanted = a;
  auto updated = core_.modify(
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
  if (!updated) return std::unexpected(core_.counted_if_taken(updated.error(), taken_key));
  a = std::move(*updated);
  return api::AccountReply{core_.account_view(a)};
}

Result<api::PasswordChanged> ProfileService::change_password(const Caller& caller, const api::PasswordChange& req,
                                                             const RequestContext& ctx) {
  // The request checked every rule but this one, which needs the caller's username.
  if (auto p = validate::password(req.new_password, caller.account.username); !p.empty())
    return fail_fields({{"new_password", p}});
  Account a = caller.account;
  std::string key = fmt::format("acct:{}|ip:{}", a.id, ctx.ip);
  TRY(core_.throttled(key, throttle_policy::kAccount, &a, ctx));
  if (!crypto::verify_password(a.password_hash, req.current_password)) {
    throttle_.failure(key, throttle_policy::kAccount);
    core_.audit_event(AuditEventName::PasswordChangeFailed, &a, ctx);
    return fail(ErrorCode::InvalidCredentials, "the current password is wrong");
  }
  TRY_ASSIGN(std::string new_hash, crypto::hash_password(req.new_password));
  int ended = 0;
  TRY_ASSIGN(
      a,
      core_.modify(
          a.id,
          [&](Account& cur) -> Result<> {
            cur.password_hash = new_hash;
            return {};
          },
          [&](const Account& cur) -> Result<> {
            TRY_ASSIGN(ended, store_.accounts().delete_sessions_for(cur.id));
            return write_audit(store_, clock_, AuditEventName::PasswordChanged, &cur, ctx, {{"sessions_ended", ended}});
          }));
  core_.notify(a, "cpshare: your password was changed / 密码已修改",
               fmt::format("The password of cpshare account {} was changed at {} from {}.\n"
                           "Every session was ended. If this was not you, contact the platform administrator.\n",
                           a.username, rfc3339(clock_.now()), ctx.ip));
  return api::PasswordChanged{ended};
}

namespace {

// Deregistration keeps what billing records need: the username (leases and
// ledger name it), role and type, the company or organisation and its credit
// code (a legal entity's, not a person's), timestamps. It erases the rest: the password hash (the account can never log
// in again; logins naming it verify against the dummy hash), contact data, names of people, identity numbers, region,
// bank data, licence, MFA secrets and the review note. Migration 7 does the same for accounts deregistered before; the
// store zeroes what it frees.
void erase_personal_data(Account& cur, std::int64_t now) {
  cur.status = AccountStatus::Deregistered;
  cur.deregistered_at = now;
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
}

}  // namespace

Result<api::Deregistered> ProfileService::deregister(const Caller& caller, const api::Deregistration& req,
                                                     const RequestContext& ctx,
                                                     const std::function<Result<>(const Account&)>& close_also) {
  // One name in any case (issue 8): the confirmation is compared as usernames are.
  if (normalize::username_key(req.confirm_username) != normalize::username_key(caller.account.username))
    return fail_fields({{"confirm_username", "must be your username, to confirm"}});
  Account a = caller.account;
  std::string key = fmt::format("acct:{}|ip:{}", a.id, ctx.ip);
  TRY(core_.throttled(key, throttle_policy::kAccount, &a, ctx));
  if (!crypto::verify_password(a.password_hash, req.password)) {
    throttle_.failure(key, throttle_policy::kAccount);
    return fail(ErrorCode::InvalidCredentials, "the password is wrong");
  }
  std::optional<std::string> email = a.email;
  int ended = 0;
  TRY_ASSIGN(
      a, core_.modify(
             a.id,
             [&](Account& cur) -> Result<> {
               erase_personal_data(cur, clock_.now());
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
    core_.notify(to, "cpshare: account deregistered / 账户已注销",
                 fmt::format("The cpshare account {} was deregistered at {}. It can no longer log in.\n"
                             "Billing records are kept as the law requires.\n",
                             a.username, rfc3339(*a.deregistered_at)));
  }
  return api::Deregistered{AccountStatus::Deregistered, ended};
}

void ProfileService::bind(EndpointTable& t) {
  using namespace api::endpoint;
  t.bind<Profile>([this](const Caller& c, const api::NoRequest&, const RequestContext&, const api::PathParams&) {
    return profile(c);
  });
  t.bind<UpdateProfile>([this](const Caller& c, const api::ProfileUpdate& r, const RequestContext& ctx,
                               const api::PathParams&) { return update_profile(c, r, ctx); });
  t.bind<ChangePassword>([this](const Caller& c, const api::PasswordChange& r, const RequestContext& ctx,
                                const api::PathParams&) { return change_password(c, r, ctx); });
}

}  // namespace cpshare
