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

// GET /api/v1/activate: a person clicking the mailed link gets a page; scripts get the envelope.
Result<Reply> activation_link(RegistrationService& acc, const httplib::Request& req, const RequestContext& ctx,
                              const api::Query& query) {
  auto r = [&]() -> Result<api::AccountReply> {
    TRY_ASSIGN(auto token, api::ActivationToken::from_query(query));
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

}  // namespace

void bind_account_routes(RouteTable& t, const Services& s) {
  using namespace api::endpoint;
  RegistrationService& registration = s.accounts.registration;
  t.bind_http<ActivateWithLink>(
      [&registration](const httplib::Request& req, const RequestContext& ctx, const Caller*, const api::PathParams&,
                      const api::Query& query) { return activation_link(registration, req, ctx, query); });
  // Deregistration ends the account's leases (and, for a supplier, those of
  // its clusters) in the transaction that closes the account (R-LEASE-7): it
  // needs both the profile and the lease service, so it is bound here.
  ProfileService& profile = s.accounts.profile;
  LeaseService& leases = s.leases;
  t.bind<Deregister>([&profile, &leases](const Caller& c, const api::Deregistration& r, const RequestContext& ctx,
                                         const api::PathParams&) { return leases.deregister(profile, c, r, ctx); });
}

}  // namespace cpshare
