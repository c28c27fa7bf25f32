// The B-class lease lifecycle between the platform and a cluster's agent
// (issue 11, Build point 2; R-LEASE-6; docs/design/leases.md "B-class"). The
// agent polls for work (hosts behind NAT work), runs the supplier's provision
// hook for each lease to provision and reports the access it printed, and runs
// the hook's deprovision step for each ended lease and reports that it ran.
// All three endpoints take the cluster's agent token (Auth::Agent), and only
// for that token's own cluster: another cluster's token is FORBIDDEN.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "api/endpoint.hpp"
#include "api/enums.hpp"
#include "api/wire.hpp"

namespace cpshare::api {

// A leased unit as the hook sees it: its index in the cluster and the GPU it
// is bound to (null until the agent's first report naming GPUs bound it).
struct AgentUnit {
  std::int64_t index = 0;
  std::optional<std::string> gpu_uuid;  // "GPU-1a2b…"
};
template <>
struct Wire<AgentUnit> {
  static constexpr auto fields =
      std::tuple{member("index", &AgentUnit::index), member("gpu_uuid", &AgentUnit::gpu_uuid)};
};

// One lease the agent must act on, exactly as the hook gets it on stdin.
// action "provision": the lease waits for its access (state provisioning);
// "deprovision": the lease has ended and its units stay busy until the agent
// reports the step ran. planned_end: when the lease will end (a provisioning
// lease: as if activated now; null for pay-as-you-go). attempts and
// last_error: this step's failed reports so far (0 and null at first).
struct AgentWorkItem {
  std::string action;  // "provision" | "deprovision"
  std::string lease_id;
  std::string user;  // the leasing user's username
  std::vector<AgentUnit> units;
  std::optional<std::string> environment;  // one of the cluster's environments; null when it offers none
  std::optional<Time> planned_end;
  std::int64_t attempts = 0;
  std::optional<std::string> last_error;
};
template <>
struct Wire<AgentWorkItem> {
  static constexpr auto fields = std::tuple{member("action", &AgentWorkItem::action),
                                            member("lease_id", &AgentWorkItem::lease_id),
                                            member("user", &AgentWorkItem::user),
                                            member("units", &AgentWorkItem::units),
                                            member("environment", &AgentWorkItem::environment),
                                            member("planned_end", &AgentWorkItem::planned_end),
                                            member("attempts", &AgentWorkItem::attempts),
                                            member("last_error", &AgentWorkItem::last_error)};
};

// GET /api/v1/clusters/{cpc_id}/agent/work: oldest lease first, at most kMaxWork.
struct AgentWork {
  std::string cpc_id;
  std::vector<AgentWorkItem> items;
  static constexpr int kMaxWork = 100;
};
template <>
struct Wire<AgentWork> {
  static constexpr auto fields = std::tuple{member("cpc_id", &AgentWork::cpc_id), member("items", &AgentWork::items)};
};

// POST …/agent/leases/{lease_id}/access: either the access the provision hook
// printed (url, username, and a password or a token or both; notes optional),
// or {"error"}: the hook failed (its message or stderr's tail).
struct AccessReport {
  std::optional<std::string> url;       // http:// or https://, ≤ 2048 characters
  std::optional<std::string> username;  // ≤ 256
  std::optional<std::string> password;  // ≤ 4096
  std::optional<std::string> token;     // ≤ 4096
  std::optional<std::string> notes;     // ≤ 4000
  std::optional<std::string> error;     // ≤ 4000

  // VALIDATION_FAILED naming each offending field: error together with any
  // access member; no error and no url, username or neither password nor token.
  static Result<AccessReport> from_body(const json& body);
};
template <>
struct Wire<AccessReport> {
  static constexpr auto fields = std::tuple{member("url", &AccessReport::url, Presence::Omittable),
                                            member("username", &AccessReport::username, Presence::Omittable),
                                            member("password", &AccessReport::password, Presence::Omittable),
                                            member("token", &AccessReport::token, Presence::Omittable),
                                            member("notes", &AccessReport::notes, Presence::Omittable),
                                            member("error", &AccessReport::error, Presence::Omittable)};
};

// POST …/agent/leases/{lease_id}/released: {} the deprovision step ran, or
// {"error"} it failed (kept, retried).
struct ReleasedReport {
  std::optional<std::string> error;  // ≤ 4000
  static Result<ReleasedReport> from_body(const json& body);
};
template <>
struct Wire<ReleasedReport> {
  static constexpr auto fields = std::tuple{member("error", &ReleasedReport::error, Presence::Omittable)};
};

// The answer to either report: the lease's state after it and the step's
// failed attempts so far. A success: "active" (access) or "ended" with
// units_freed true (released); an error report: the state unchanged.
struct AgentReportAccepted {
  std::string lease_id;
  LeaseState state = LeaseState::Provisioning;
  bool units_freed = false;
  std::int64_t attempts = 0;
};
template <>
struct Wire<AgentReportAccepted> {
  static constexpr auto fields = std::tuple{
      member("lease_id", &AgentReportAccepted::lease_id), member("state", &AgentReportAccepted::state),
      member("units_freed", &AgentReportAccepted::units_freed), member("attempts", &AgentReportAccepted::attempts)};
};

namespace endpoint {

struct AgentWorkList {
  static constexpr Method method = Method::Get;
  static constexpr std::string_view path = "/api/v1/clusters/{cpc_id}/agent/work";
  static constexpr Auth auth = Auth::Agent;
  static constexpr int status = 200;
  static constexpr std::string_view summary =
      "A B-class cluster's agent fetches the leases to provision and deprovision";
  using Request = NoRequest;
  using Response = AgentWork;
};

// A lease that is no longer provisioning (already active, or ended): 409 CONFLICT.
struct AgentReportAccess {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/clusters/{cpc_id}/agent/leases/{lease_id}/access";
  static constexpr Auth auth = Auth::Agent;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "A B-class cluster's agent reports a lease's access, or the hook's error";
  using Request = AccessReport;
  using Response = AgentReportAccepted;
};

// A lease that has not ended, or whose units were already confirmed freed: 409 CONFLICT.
struct AgentReportReleased {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/clusters/{cpc_id}/agent/leases/{lease_id}/released";
  static constexpr Auth auth = Auth::Agent;
  static constexpr int status = 200;
  static constexpr std::string_view summary =
      "A B-class cluster's agent reports a lease's deprovision step ran, or its error";
  using Request = ReleasedReport;
  using Response = AgentReportAccepted;
};

}  // namespace endpoint

using AgentWorkEndpoints =
    std::tuple<endpoint::AgentWorkList, endpoint::AgentReportAccess, endpoint::AgentReportReleased>;

}  // namespace cpshare::api
