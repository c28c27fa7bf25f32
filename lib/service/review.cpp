#include "service/review.hpp"

#include <fmt/format.h>

#include "api/request_rules.hpp"
#include "domain/normalize.hpp"

namespace cpshare {

ReviewService::ReviewService(AccountCore& core)
    : core_(core), store_(core.store()), keys_(core.keys()), clock_(core.clock()) {}

// --------------------------------------------------------------------- admin

Result<api::ReviewList> ReviewService::review_list(const api::ReviewQuery& q) {
  TRY_ASSIGN(auto accounts, store_.accounts().with_status(q.status.value_or(AccountStatus::PendingReview)));
  api::ReviewList out;
  for (const auto& a : accounts)
    if (a.role != Role::Admin) out.items.push_back(core_.account_view(a));
  return out;
}

Result<LicenceDownload> ReviewService::review_licence(const std::string& typed) {
  const std::string username = normalize::field(typed);
  TRY_ASSIGN(auto a, store_.accounts().by_username(username));
  if (!a) return fail(ErrorCode::NotFound, fmt::format("no account '{}'", username));
  TRY_ASSIGN(auto lic, store_.accounts().licence(a->id));
  if (!lic) return fail(ErrorCode::NotFound, fmt::format("account '{}' has no licence file", username));
  TRY_ASSIGN(std::string bytes, keys_.open_string(lic->cipher));
  return LicenceDownload{lic->filename, lic->content_type, std::move(bytes)};
}

Result<api::AccountReply> ReviewService::review_approve(const Caller& admin, const std::string& username,
                                                        const api::Approval& req, const RequestContext& ctx) {
  return review_decide(admin, username, true, req.reason, ctx);
}

Result<api::AccountReply> ReviewService::review_reject(const Caller& admin, const std::string& username,
                                                       const api::Rejection& req, const RequestContext& ctx) {
  return review_decide(admin, username, false, req.reason, ctx);
}

Result<api::AccountReply> ReviewService::review_decide(const Caller& admin, const std::string& typed, bool approve,
                                                       const std::optional<std::string>& reason,
                                                       const RequestContext& ctx) {
  const std::string username = normalize::field(typed);
  TRY_ASSIGN(auto found, store_.accounts().by_username(username));
  if (!found) return fail(ErrorCode::NotFound, fmt::format("no account '{}'", username));
  TRY_ASSIGN(Account a, core_.modify(
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
  core_.notify(
      a, approve ? "cpshare: account approved / 账户审核通过" : "cpshare: account not approved / 账户审核未通过",
      approve
          ? fmt::format("Your cpshare account {} was approved. You can now use every feature of your role.\n",
                        a.username)
          : fmt::format("Your cpshare account {} was not approved.\nReason: {}\n", a.username, reason.value_or("")));
  return api::AccountReply{core_.account_view(a)};
}

Result<api::AuditList> ReviewService::audit(const api::AuditFilter& filter) {
  // Events carry the account's own spelling: a name typed in another case
  // finds the account's events (an unknown name is matched as typed: failed
  // logins record what was tried).
  AuditQuery q;
  q.limit = filter.limit.value_or(100);
  q.before_id = filter.before;
  if (filter.event) q.event = std::string(enum_name(*filter.event));
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

void ReviewService::bind(EndpointTable& t) {
  using namespace api::endpoint;
  t.bind<ListReviews>([this](const Caller&, const api::ReviewQuery& q, const RequestContext&, const api::PathParams&) {
    return review_list(q);
  });
  t.bind<ReviewLicence>([this](const Caller&, const api::NoRequest&, const RequestContext&,
                               const api::PathParams& p) -> Result<api::RawBody> {
    TRY_ASSIGN(auto lic, review_licence(p["username"]));
    return api::RawBody{std::move(lic.bytes), lic.content_type, api::attachment_disposition(lic.filename)};
  });
  t.bind<ApproveReview>([this](const Caller& c, const api::Approval& r, const RequestContext& ctx,
                               const api::PathParams& p) { return review_approve(c, p["username"], r, ctx); });
  t.bind<RejectReview>([this](const Caller& c, const api::Rejection& r, const RequestContext& ctx,
                              const api::PathParams& p) { return review_reject(c, p["username"], r, ctx); });
  t.bind<AuditLog>([this](const Caller&, const api::AuditFilter& q, const RequestContext&, const api::PathParams&) {
    return audit(q);
  });
}

}  // namespace cpshare
