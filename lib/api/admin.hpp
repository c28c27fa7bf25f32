// Administration: the review of accounts that need one and the security
// audit log (R-USER-4, R-SUP-3, R-SEC-4): the request and response types of
// each endpoint, shared by the daemon and the CLI (api/endpoint.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "api/accounts.hpp"
#include "api/endpoint.hpp"
#include "api/enums.hpp"

namespace cpshare::api {

// GET /api/v1/admin/reviews?status=…: accounts with that status (default pending_review).
struct ReviewQuery {
  std::optional<AccountStatus> status;  // absent or empty: pending_review
  static Result<ReviewQuery> from_query(const Query& q);
};
template <>
struct Wire<ReviewQuery> {
  static constexpr auto fields = std::tuple{member("status", &ReviewQuery::status, Presence::Omittable)};
};

struct ReviewList {
  std::vector<AccountView> items;  // administrators left out
};
template <>
struct Wire<ReviewList> {
  static constexpr auto fields = std::tuple{member("items", &ReviewList::items)};
};

// POST .../approve: an optional note (≤ 500 characters, kept as written).
struct Approval {
  std::optional<std::string> reason;
  static Result<Approval> from_body(const json& body);
};
template <>
struct Wire<Approval> {
  static constexpr auto fields = std::tuple{member("reason", &Approval::reason, Presence::Omittable)};
};

// POST .../reject: why, in words the account holder can act on (mailed to them).
struct Rejection {
  std::string reason;  // required, ≤ 500 characters, kept as written
  static Result<Rejection> from_body(const json& body);
};
template <>
struct Wire<Rejection> {
  static constexpr auto fields = std::tuple{member("reason", &Rejection::reason)};
};

// GET /api/v1/admin/audit: newest first.
struct AuditFilter {
  std::optional<int> limit;             // 1 to 1000; absent: 100
  std::optional<std::int64_t> before;   // only events with a smaller id (paging back)
  std::optional<AuditEventName> event;  // one kind of event (an unknown name: VALIDATION_FAILED)
  std::optional<std::string> username;  // events about this account (any case)
  static Result<AuditFilter> from_query(const Query& q);
};
template <>
struct Wire<AuditFilter> {
  static constexpr auto fields = std::tuple{
      member("limit", &AuditFilter::limit, Presence::Omittable),
      member("before", &AuditFilter::before, Presence::Omittable),
      member("event", &AuditFilter::event, Presence::Omittable),
      member("username", &AuditFilter::username, Presence::Omittable),
  };
};

struct AuditEntry {
  std::int64_t id = 0;
  Time at;
  AuditEventName event = AuditEventName::LoginFailed;  // domain/audit.hpp
  std::string username;  // the account's, or what a failed attempt named (contact data masked)
  std::string ip;
  json detail;  // free-form, per event
};
template <>
struct Wire<AuditEntry> {
  static constexpr auto fields =
      std::tuple{member("id", &AuditEntry::id),       member("at", &AuditEntry::at),
                 member("event", &AuditEntry::event), member("username", &AuditEntry::username),
                 member("ip", &AuditEntry::ip),       member("detail", &AuditEntry::detail)};
};

struct AuditList {
  std::vector<AuditEntry> items;
};
template <>
struct Wire<AuditList> {
  static constexpr auto fields = std::tuple{member("items", &AuditList::items)};
};

namespace endpoint {

struct ListReviews {
  static constexpr Method method = Method::Get;
  static constexpr std::string_view path = "/api/v1/admin/reviews";
  static constexpr Auth auth = Auth::Admin;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Accounts awaiting review";
  using Request = ReviewQuery;
  using Response = ReviewList;
};

struct ReviewLicence {
  static constexpr Method method = Method::Get;
  static constexpr std::string_view path = "/api/v1/admin/reviews/{username}/licence";
  static constexpr Auth auth = Auth::Admin;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Download an account's licence file";
  using Request = NoRequest;
  using Response = RawBody;
};

struct ApproveReview {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/admin/reviews/{username}/approve";
  static constexpr Auth auth = Auth::Admin;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Approve an account";
  using Request = Approval;
  using Response = AccountReply;
};

struct RejectReview {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/admin/reviews/{username}/reject";
  static constexpr Auth auth = Auth::Admin;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Reject an account";
  using Request = Rejection;
  using Response = AccountReply;
};

struct AuditLog {
  static constexpr Method method = Method::Get;
  static constexpr std::string_view path = "/api/v1/admin/audit";
  static constexpr Auth auth = Auth::Admin;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Security audit log";
  using Request = AuditFilter;
  using Response = AuditList;
};

}  // namespace endpoint

// This area's endpoints in route order: a path before a template that would
// also match it. api/endpoints.hpp joins the areas; a new endpoint of this
// area is listed here and nowhere else.
using AdminEndpoints = std::tuple<endpoint::ListReviews, endpoint::ReviewLicence, endpoint::ApproveReview,
                                  endpoint::RejectReview, endpoint::AuditLog>;

}  // namespace cpshare::api
