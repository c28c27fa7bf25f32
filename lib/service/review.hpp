// The administrators' side of accounts (issue 2; R-USER-4, R-SUP-3, R-SEC-4; split out
// of the accounts service by issue 10): the review queue of institutions and
// suppliers, their licence files, approval and rejection, and the audit log.
#pragma once

#include <optional>
#include <string>

#include "api/accounts.hpp"
#include "api/admin.hpp"
#include "service/account_core.hpp"
#include "service/endpoint_table.hpp"

namespace cpshare {

class ReviewService {
 public:
  explicit ReviewService(AccountCore& core);

  // Accounts in q.status (default pending_review), admins left out.
  Result<api::ReviewList> review_list(const api::ReviewQuery& q);
  // NOT_FOUND: no such account, or it has no licence file.
  Result<LicenceDownload> review_licence(const std::string& username);
  // CONFLICT unless the account is pending_review; mails the decision.
  Result<api::AccountReply> review_approve(const Caller& admin, const std::string& username, const api::Approval& req,
                                           const RequestContext& ctx);
  Result<api::AccountReply> review_reject(const Caller& admin, const std::string& username, const api::Rejection& req,
                                          const RequestContext& ctx);
  // Newest first; a username typed in another case finds the account's events.
  Result<api::AuditList> audit(const api::AuditFilter& q);

  // Binds its endpoints (api/accounts.hpp, api/admin.hpp) to the methods above (review.cpp, at its end).
  void bind(EndpointTable& t);

 private:
  Result<api::AccountReply> review_decide(const Caller& admin, const std::string& username, bool approve,
                                          const std::optional<std::string>& reason, const RequestContext& ctx);

  AccountCore& core_;
  Store& store_;
  const crypto::KeyRing& keys_;
  const Clock& clock_;
};

}  // namespace cpshare
