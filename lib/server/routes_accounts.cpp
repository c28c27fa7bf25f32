#include <httplib.h>

#include <fmt/format.h>

#include "api/accounts.hpp"
#include "api/request_rules.hpp"
#include "server/bind_routes.hpp"
#include "server/legacy_routes.hpp"

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

void bind_sessions(RouteTable& t, AccountService& acc) {
  using namespace api::endpoint;
  t.bind<ListSessions>([&acc](const Caller& c, const api::NoRequest&, const RequestContext&, const api::PathParams&) {
    return acc.list_sessions(c);
  });
  t.bind<Logout>([&acc](const Caller& c, const api::NoRequest&, const RequestContext& ctx, const api::PathParams&) {
    return acc.logout(c, ctx);
  });
  t.bind<RevokeSession>([&acc](const Caller& c, const api::NoRequest&, const RequestContext& ctx,
                               const api::PathParams& p) { return acc.revoke_session(c, p["id"], ctx); });
}

}  // namespace

void bind_account_routes(RouteTable& t, const Services& s) {
  using legacy::with_body;
  using legacy::without_body;
  AccountService& acc = s.accounts;
  LeaseService& leases = s.leases;
  bind_sessions(t, acc);
  t.bind_legacy("POST /api/v1/users",
                with_body(201, [&acc](auto& b, auto& ctx, auto, auto&) { return acc.register_user(b, ctx); }));
  t.bind_legacy("POST /api/v1/suppliers",
                with_body(201, [&acc](auto& b, auto& ctx, auto, auto&) { return acc.register_supplier(b, ctx); }));
  t.bind_legacy("POST /api/v1/activate",
                with_body(200, [&acc](auto& b, auto& ctx, auto, auto&) { return acc.activate_with_code(b, ctx); }));
  t.bind_legacy("GET /api/v1/activate",
                [&acc](const httplib::Request& req, const RequestContext& ctx, const Caller*,
                       const api::PathParams&) -> Result<Reply> {
                  auto r = acc.activate_with_link(req.get_param_value("token"), ctx);
                  // A person clicking the mailed link gets a page; scripts get the envelope.
                  if (req.get_header_value("Accept").find("text/html") != std::string::npos) {
                    const int status = r ? 200 : error_http_status(r.error().code);
                    std::string page =
                        r ? activation_page(true, fmt::format("Account {} is {}. Log in with: cpshare login",
                                                              (*r)["account"]["username"].get<std::string>(),
                                                              (*r)["account"]["status"].get<std::string>()))
                          : activation_page(false, r.error().message);
                    return Reply{status, nullptr, api::RawBody{std::move(page), "text/html; charset=utf-8", ""}};
                  }
                  if (!r) return std::unexpected(r.error());
                  return Reply{200, std::move(*r), std::nullopt};
                });
  t.bind_legacy("POST /api/v1/activate/resend",
                with_body(200, [&acc](auto& b, auto& ctx, auto, auto&) { return acc.resend_activation(b, ctx); }));
  t.bind_legacy("POST /api/v1/sessions",
                with_body(201, [&acc](auto& b, auto& ctx, auto, auto&) { return acc.login(b, ctx); }));
  t.bind_legacy("GET /api/v1/me",
                without_body([&acc](auto&, auto&, const Caller* c, auto&) { return acc.profile(*c); }));
  t.bind_legacy("PATCH /api/v1/me", with_body(200, [&acc](auto& b, auto& ctx, const Caller* c, auto&) {
                  return acc.update_profile(*c, b, ctx);
                }));
  // Deregistration ends the account's leases (and, for a supplier, those of
  // its clusters) in the transaction that closes the account (R-LEASE-7).
  t.bind_legacy("DELETE /api/v1/me", with_body(200, [&acc, &leases](auto& b, auto& ctx, const Caller* c, auto&) {
                  return leases.deregister(acc, *c, b, ctx);
                }));
  t.bind_legacy("POST /api/v1/me/password", with_body(200, [&acc](auto& b, auto& ctx, const Caller* c, auto&) {
                  return acc.change_password(*c, b, ctx);
                }));
  t.bind_legacy("POST /api/v1/me/mfa",
                with_body(200, [&acc](auto& b, auto&, const Caller* c, auto&) { return acc.mfa_begin(*c, b); }));
  t.bind_legacy("POST /api/v1/me/mfa/confirm", with_body(200, [&acc](auto& b, auto& ctx, const Caller* c, auto&) {
                  return acc.mfa_confirm(*c, b, ctx);
                }));
  t.bind_legacy("DELETE /api/v1/me/mfa", with_body(200, [&acc](auto& b, auto& ctx, const Caller* c, auto&) {
                  return acc.mfa_disable(*c, b, ctx);
                }));
  t.bind_legacy("GET /api/v1/admin/reviews", without_body([&acc](const api::Query& q, auto&, auto, auto&) {
                  return acc.review_list(legacy::param(q, "status"));
                }));
  t.bind_legacy("GET /api/v1/admin/reviews/{username}/licence",
                [&acc](auto&, auto&, auto, const api::PathParams& p) -> Result<Reply> {
                  TRY_ASSIGN(auto lic, acc.review_licence(p["username"]));
                  return Reply{
                      200, nullptr,
                      api::RawBody{std::move(lic.bytes), lic.content_type, api::attachment_disposition(lic.filename)}};
                });
  t.bind_legacy("POST /api/v1/admin/reviews/{username}/approve",
                with_body(200, [&acc](auto& b, auto& ctx, const Caller* c, auto& p) {
                  return acc.review_decide(*c, p["username"], true, b, ctx);
                }));
  t.bind_legacy("POST /api/v1/admin/reviews/{username}/reject",
                with_body(200, [&acc](auto& b, auto& ctx, const Caller* c, auto& p) {
                  return acc.review_decide(*c, p["username"], false, b, ctx);
                }));
  t.bind_legacy("GET /api/v1/admin/audit",
                without_body([&acc](const api::Query& q, auto&, auto, auto&) -> Result<legacy::json> {
                  AuditQuery aq;
                  TRY_ASSIGN(aq.limit, legacy::query_int(q, "limit", 100, 1, 1000));
                  if (q.contains("before")) {
                    TRY_ASSIGN(int before, legacy::query_int(q, "before", 0, 1, std::numeric_limits<int>::max()));
                    aq.before_id = before;
                  }
                  if (q.contains("event")) aq.event = legacy::param(q, "event");
                  if (q.contains("username")) aq.username = legacy::param(q, "username");
                  return acc.audit(aq);
                }));
}

}  // namespace cpshare
