#include <httplib.h>

#include <fmt/format.h>

#include "api/accounts.hpp"
#include "api/admin.hpp"
#include "api/request_rules.hpp"
#include "server/bind_routes.hpp"

namespace cpshare {

namespace {

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string activation_page(bool success, const std::string& message) {
  return fmt::format(
      "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>cpshare</title></head>"
      "<body><h1>{}</h1><p>{}</p></body></html>\n",
      success ? "Account activated / 账户已激活" : "Activation failed / 激活失败", html_escape(message));
}

void bind_sessions(RouteTable& t, SessionService& acc) {
  using namespace api::endpoint;
  t.bind<Login>([&acc](const api::LoginRequest& r, const RequestContext& ctx, const api::PathParams&) {
    return acc.login(r, ctx);
  });
  t.bind<ListSessions>([&acc](const Caller& c, const api::NoRequest&, const RequestContext&, const api::PathParams&) {
    return acc.list_sessions(c);
  });
  t.bind<Logout>([&acc](const Caller& c, const api::NoRequest&, const RequestContext& ctx, const api::PathParams&) {
    return acc.logout(c, ctx);
  });
  t.bind<RevokeSession>([&acc](const Caller& c, const api::NoRequest&, const RequestContext& ctx,
                               const api::PathParams& p) { return acc.revoke_session(c, p["id"], ctx); });
  t.bind<MfaBegin>([&acc](const Caller& c, const api::EmptyObject&, const RequestContext&, const api::PathParams&) {
    return acc.mfa_begin(c);
  });
  t.bind<MfaConfirmCode>([&acc](const Caller& c, const api::MfaConfirm& r, const RequestContext& ctx,
                                const api::PathParams&) { return acc.mfa_confirm(c, r, ctx); });
  t.bind<MfaTurnOff>([&acc](const Caller& c, const api::MfaDisable& r, const RequestContext& ctx,
                            const api::PathParams&) { return acc.mfa_disable(c, r, ctx); });
}

// GET /api/v1/activate: a person clicking the mailed link gets a page; scripts get the envelope.
Result<Reply> activation_link(RegistrationService& acc, const httplib::Request& req, const RequestContext& ctx) {
  auto r = [&]() -> Result<api::AccountReply> {
    TRY_ASSIGN(auto token, api::ActivationToken::from_query(request_query(req)));
    return acc.activate_with_link(token, ctx);
  }();
  if (req.get_header_value("Accept").find("text/html") != std::string::npos) {
    const int status = r ? 200 : error_http_status(r.error().code);
    std::string page = r ? activation_page(true, fmt::format("Account {} is {}. Log in with: cpshare login",
                                                             r->account.username, status_name(r->account.status)))
                         : activation_page(false, r.error().message);
    return Reply{status, nullptr, api::RawBody{std::move(page), "text/html; charset=utf-8", ""}};
  }
  if (!r) return std::unexpected(r.error());
  return Reply{api::endpoint::ActivateWithLink::status, api::encode(*r), std::nullopt};
}

void bind_registration(RouteTable& t, RegistrationService& acc) {
  using namespace api::endpoint;
  t.bind<RegisterUser>([&acc](const api::UserRegistration& r, const RequestContext& ctx, const api::PathParams&) {
    return acc.register_user(r, ctx);
  });
  t.bind<RegisterSupplier>([&acc](const api::SupplierRegistration& r, const RequestContext& ctx,
                                  const api::PathParams&) { return acc.register_supplier(r, ctx); });
  t.bind<Activate>([&acc](const api::ActivationRequest& r, const RequestContext& ctx, const api::PathParams&) {
    return acc.activate_with_code(r, ctx);
  });
  t.bind_http<ActivateWithLink>([&acc](const httplib::Request& req, const RequestContext& ctx, const Caller*,
                                       const api::PathParams&) { return activation_link(acc, req, ctx); });
  t.bind<ResendActivation>([&acc](const api::ResendRequest& r, const RequestContext& ctx, const api::PathParams&) {
    return acc.resend_activation(r, ctx);
  });
}

void bind_profile(RouteTable& t, ProfileService& acc, LeaseService& leases) {
  using namespace api::endpoint;
  t.bind<Profile>([&acc](const Caller& c, const api::NoRequest&, const RequestContext&, const api::PathParams&) {
    return acc.profile(c);
  });
  t.bind<UpdateProfile>([&acc](const Caller& c, const api::ProfileUpdate& r, const RequestContext& ctx,
                               const api::PathParams&) { return acc.update_profile(c, r, ctx); });
  // Deregistration ends the account's leases (and, for a supplier, those of
  // its clusters) in the transaction that closes the account (R-LEASE-7).
  t.bind<Deregister>([&acc, &leases](const Caller& c, const api::Deregistration& r, const RequestContext& ctx,
                                     const api::PathParams&) { return leases.deregister(acc, c, r, ctx); });
  t.bind<ChangePassword>([&acc](const Caller& c, const api::PasswordChange& r, const RequestContext& ctx,
                                const api::PathParams&) { return acc.change_password(c, r, ctx); });
}

void bind_admin(RouteTable& t, ReviewService& acc) {
  using namespace api::endpoint;
  t.bind<ListReviews>([&acc](const Caller&, const api::ReviewQuery& q, const RequestContext&, const api::PathParams&) {
    return acc.review_list(q);
  });
  t.bind<ReviewLicence>([&acc](const Caller&, const api::NoRequest&, const RequestContext&,
                               const api::PathParams& p) -> Result<api::RawBody> {
    TRY_ASSIGN(auto lic, acc.review_licence(p["username"]));
    return api::RawBody{std::move(lic.bytes), lic.content_type, api::attachment_disposition(lic.filename)};
  });
  t.bind<ApproveReview>([&acc](const Caller& c, const api::Approval& r, const RequestContext& ctx,
                               const api::PathParams& p) { return acc.review_approve(c, p["username"], r, ctx); });
  t.bind<RejectReview>([&acc](const Caller& c, const api::Rejection& r, const RequestContext& ctx,
                              const api::PathParams& p) { return acc.review_reject(c, p["username"], r, ctx); });
  t.bind<AuditLog>([&acc](const Caller&, const api::AuditFilter& q, const RequestContext&, const api::PathParams&) {
    return acc.audit(q);
  });
}

}  // namespace

void bind_account_routes(RouteTable& t, const Services& s) {
  bind_registration(t, s.accounts.registration);
  bind_sessions(t, s.accounts.sessions);
  bind_profile(t, s.accounts.profile, s.leases);
  bind_admin(t, s.accounts.review);
}

}  // namespace cpshare
