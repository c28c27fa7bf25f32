// Leases (issue 4; R-LEASE-*, R-API-ITM): request units, the supplier's
// approval and authorization code (A-class), redeem (a dedicated SSH account
// on the supplier host), release / terminate / expiry, billing and the ledger.
// Rules: docs/design/leases.md.
#pragma once

#include <nlohmann/json.hpp>

#include "api/agent_work.hpp"
#include "api/leases.hpp"
#include "billing/billing.hpp"
#include "crypto/crypto.hpp"
#include "mail/mailer.hpp"
#include "service/endpoint_table.hpp"
#include "service/profile.hpp"
#include "service/throttle.hpp"
#include "ssh/ssh.hpp"
#include "ssh/supplier_host.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"

namespace cpshare {

struct LeaseConfig {
  std::int64_t decide_within = 72 * 3600;  // a request unapproved, or a code unredeemed, this long lapses
  std::int64_t revoke_retry = 30;          // first retry of a failed account removal; doubles each time
  std::int64_t revoke_backoff_max = 3600;  // ... up to this
  int ssh_timeout_seconds = 15;
  billing::Calendar calendar;  // periods, planned ends and bill months (cpshared --billing-timezone)
};

class LeaseService {
 public:
  // host: creates and removes the lease accounts on A-class hosts (ssh::LibsshSupplierHost in
  // cpshared). mailer: tells suppliers of lease accounts their hosts still have. log: the
  // daemon's; every error the scheduler meets, and each account removal that fails, goes there.
  LeaseService(Store& store, const crypto::KeyRing& keys, ssh::SupplierHost& host, Mailer& mailer, const Clock& clock,
               Logger& log, LeaseConfig config = {});

  // Requests and answers are the endpoints' (api/leases.hpp), validated by their parsing.
  Result<api::LeaseData> request(const Caller& caller, const api::LeaseRequest& req, const RequestContext& ctx);
  // incoming: the leases of the caller's clusters (suppliers); else the caller's own.
  Result<api::LeaseList> list(const Caller& caller, const api::LeaseListQuery& query);
  // access: the A-class account details, for the lease's user only.
  Result<api::LeaseDetail> show(const Caller& caller, const std::string& lease_id, const api::LeaseShowQuery& query);
  Result<api::LeaseApproval> approve(const Caller& caller, const std::string& lease_id, const RequestContext& ctx);
  Result<api::LeaseData> reject(const Caller& caller, const std::string& lease_id, const api::LeaseReasonRequest& req,
                                const RequestContext& ctx);
  Result<api::Redemption> redeem(const Caller& caller, const api::RedeemRequest& req, const RequestContext& ctx);
  // POST /api/v1/redeem/check: {"lease"} the code would redeem, changing
  // nothing (the CLI's cue to say it is creating the account). Refuses,
  // counts and throttles codes exactly as redeem does.
  Result<api::LeaseData> check_code(const Caller& caller, const api::RedeemRequest& req, const RequestContext& ctx);
  Result<api::LeaseData> release(const Caller& caller, const std::string& lease_id, const RequestContext& ctx);
  Result<api::LeaseData> terminate(const Caller& caller, const std::string& lease_id,
                                   const api::LeaseReasonRequest& req, const RequestContext& ctx);
  // month: "YYYY-MM" on the platform's calendar (config.calendar, Beijing time by default) or
  // absent/empty for the current one; anything else is VALIDATION_FAILED. earnings: the supplier's side.
  Result<api::Ledger> ledger(const Caller& caller, const api::MonthQuery& query, bool earnings);

  // Ends every lease of a deregistered account: its own, and those of its
  // clusters, all in one transaction (joining the caller's: see deregister).
  // Answers the SSH account removals it queued, for start_revocations once
  // that transaction has committed. Fails (ending none) if any lease fails.
  Result<std::vector<Revocation>> end_all(const Account& account, const RequestContext& ctx);
  // DELETE /api/v1/me: closes the caller's account (ProfileService::deregister)
  // and ends its leases in the same transaction: both happen or neither
  // (R-USER-8, R-LEASE-7); then tries the queued account removals.
  Result<api::Deregistered> deregister(ProfileService& profile, const Caller& caller, const api::Deregistration& req,
                                       const RequestContext& ctx);
  // One attempt now at each removal; a failure is logged (WARN "remove account
  // ... of lease #...": what failed and when it is tried again) and retried by tick.
  void start_revocations(std::vector<Revocation> queued);

  // The scheduler's work, called every few seconds: lapse undecided requests,
  // end leases past their planned end, retry pending account removals. Every
  // error it meets goes to the log (and the lease or removal is tried again on
  // a later tick, as its state is unchanged in the database).
  void tick();

  // The service report of a B-class lease (R-LEASE-8; lease_report.cpp): to its user, the
  // cluster's supplier and admins (anyone else NOT_FOUND, as show). "ready" with the stored
  // report; "pending" while the lease is active (or not yet) and while its report is being
  // made; "none" with the reason for an A-class lease and a B-class one never active.
  Result<api::LeaseReportView> report(const Caller& caller, const std::string& lease_id);
  // The scheduler's work: makes the reports of at most kReportsPerTick ended B-class leases
  // that were active and have none, each from the cluster's rollups and GPU events over
  // [started_at, ended_at) (evaluation::evaluate_lease) and stored once. A lease is due once
  // its agent confirmed the units freed, or kReportSettleSeconds after its end (an agent that
  // never reports again). An error is logged and the lease tried again on the next tick.
  void make_reports();
  static constexpr std::int64_t kReportSettleSeconds = 600;
  static constexpr int kReportsPerTick = 20;

  // Binds the endpoints of api/leases.hpp to the methods above (leases.cpp, at its end).
  void bind(EndpointTable& t);

  // The B-class lifecycle through the cluster's agent (api/agent_work.hpp; R-LEASE-6;
  // docs/design/leases.md "B-class"; lease_agent.cpp). `token` is the bearer the agent sent:
  // a cluster's agent token (else UNAUTHENTICATED), and that cluster's own (an unknown
  // cpc_id or another cluster's: FORBIDDEN). A lease not of that cluster: NOT_FOUND.
  //
  // work: the provisioning leases (action provision) and the ended ones whose units the
  // agent has not confirmed freed (deprovision), oldest first, at most AgentWork::kMaxWork.
  Result<api::AgentWork> agent_work(const std::string& token, const std::string& cpc_id);
  // access: the hook's access is sealed in the lease (as A-class access is), its units
  // become busy and the lease active: billing starts now (prepaid: the charge now, the
  // planned end from now). An error report counts an attempt and keeps the error for the
  // supplier; the lease stays provisioning. A lease no longer provisioning: CONFLICT (a
  // repeated report is accepted once).
  Result<api::AgentReportAccepted> agent_access(const std::string& token, const std::string& cpc_id,
                                                const std::string& lease_id, const api::AccessReport& report,
                                                const RequestContext& ctx);
  // released: the ended lease's units are idle again. An error report counts an attempt.
  // A lease that has not ended, or whose units were already confirmed freed: CONFLICT.
  Result<api::AgentReportAccepted> agent_released(const std::string& token, const std::string& cpc_id,
                                                  const std::string& lease_id, const api::ReleasedReport& report,
                                                  const RequestContext& ctx);
  // Binds the endpoints of api/agent_work.hpp (lease_agent.cpp).
  void bind_agent(EndpointTable& t);

 private:
  Result<Lease> find(const std::string& lease_id);
  Result<> supplier_side(const Caller& caller, const Lease& l);
  // The caller's approved lease whose live code `body` holds, else INVALID_CODE (throttled).
  Result<Lease> redeemable(const Caller& caller, const api::RedeemRequest& req, const RequestContext& ctx);
  // The lease's units on one node of its cluster.
  struct LeasedNode {
    std::size_t node = 0;
    std::vector<int> units;  // cluster-wide indices
    std::vector<int> local;  // the same, as the node's CUDA numbers them
  };
  Result<ssh::Target> admin_target(const catalog::Cluster& cluster, std::size_t node, const ClusterSecrets& secrets);
  static std::string node_name(const catalog::Cluster& c, std::size_t k);
  static Result<std::vector<LeasedNode>> leased_nodes(const catalog::Cluster& c, const std::vector<int>& units);
  Result<> create_on_nodes(const Lease& l, const catalog::Cluster& c, const ClusterSecrets& secrets,
                           const std::vector<LeasedNode>& nodes, ssh::LeaseAccount account);
  Result<std::vector<int>> units_for(const catalog::Cluster& cluster, const api::LeaseRequest& req);
  // Ends a lease: bills it, frees its units, queues the SSH account removal
  // (and tries it once, after the commit).
  Result<Lease> end(Lease l, EndReason reason, const std::string& note, const Account* by, const RequestContext& ctx);
  // The same inside the caller's transaction; the removal to try after the
  // commit is appended to `queued`. A bill that cannot be computed does not
  // stop the end: the lease is flagged bill_failed, no ledger entry is
  // written, and the audit event lease_bill_failed tells the admin.
  Result<Lease> end_in_tx(Lease l, EndReason reason, const std::string& note, const Account* by,
                          const RequestContext& ctx, std::vector<Revocation>& queued);
  // One attempt at removing a lease's account; on failure, the next try is
  // scheduled and the error (with the account's name) is answered.
  Result<> revoke(Revocation r);
  // The supplier hears (audit log and mail) that an account could not be removed;
  // what could not be done (reading the supplier, the mail, the audit event) is
  // answered, for revoke's error and so the scheduler's log.
  Result<> tell_supplier(const Lease& l, const Revocation& r, bool final);
  Result<> mail_supplier(const Account& who, const Lease& l, const Revocation& r, bool final);
  // The API view of a lease (its running cost as of now); INTERNAL when its stored snapshot does not fit.
  // supplier_view: the viewer is the cluster's supplier or an admin (a B-class lease's agent status is theirs).
  Result<api::LeaseView> lease_view(const Lease& l, bool supplier_view = false) const;
  // The cluster of the agent token `token`, if it is cpc_id's (see agent_work).
  Result<catalog::Cluster> agent_cluster(const std::string& token, const std::string& cpc_id);
  // Lease `lease_id` of that cluster (else NOT_FOUND).
  Result<Lease> agent_lease(const catalog::Cluster& cluster, const std::string& lease_id);
  // Makes and stores the report of the lease with internal id `id` (see make_reports); false
  // when it needs none (any more) or another made it first.
  Result<bool> make_report(std::int64_t id);
  // The planned end of a lease that starts at `start` (null for pay-as-you-go without a plan).
  std::optional<std::int64_t> planned_end_from(const Lease& l, std::int64_t start) const;

  Store& store_;
  const crypto::KeyRing& keys_;
  ssh::SupplierHost& host_;
  Mailer& mailer_;
  const Clock& clock_;
  Logger& log_;
  LeaseConfig config_;
  Throttle redeem_throttle_;
};

}  // namespace cpshare
