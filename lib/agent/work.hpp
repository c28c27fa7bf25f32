// The agent's side of the B-class lease lifecycle (issue 11, Build point 2; R-LEASE-6;
// docs/design/leases.md "B-class"). With --provision-hook CMD the agent polls the platform
// for work every --interval (hosts behind NAT work: the agent only makes requests). For each
// lease to provision it runs `CMD provision` with the lease as JSON on stdin (the work item:
// api::AgentWorkItem) and reads the access from stdout, {"url", "username", "password" and/or
// "token", "notes"}; for each ended lease `CMD deprovision` with the same JSON on stdin, exit
// status 0 meaning done. CMD is run by /bin/sh, the step as its last argument, in its own
// process group, killed at --hook-timeout. A failure (exit status, time-out, output that is
// not the access) is reported with the tail of the hook's stderr, and the lease is tried again
// after a delay that doubles from the interval up to 5 minutes (kept in memory).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "api/agent_work.hpp"
#include "util/error.hpp"
#include "util/log.hpp"
#include "util/subprocess.hpp"

namespace cpshare::agent {

// The platform's three agent endpoints (cmd_agent's HTTP client; a fake in the unit tests).
struct WorkTransport {
  std::function<Result<api::AgentWork>()> fetch;
  std::function<Result<api::AgentReportAccepted>(const std::string& lease_id, const api::AccessReport&)> access;
  std::function<Result<api::AgentReportAccepted>(const std::string& lease_id, const api::ReleasedReport&)> released;
};

struct HookOptions {
  std::string command;                         // --provision-hook: run by /bin/sh, the step appended
  std::chrono::milliseconds timeout{120'000};  // --hook-timeout
  std::chrono::seconds first_retry{10};        // the first delay after a failure (the agent's interval)
  std::chrono::seconds max_retry{300};         // the delay doubles up to this
};

// The lease JSON the hook reads on stdin: the work item as the platform sent it.
std::string hook_input(const api::AgentWorkItem& item);
// The provision hook's stdout read as the access to report: one JSON object {url, username,
// password and/or token, notes} (surrounding white space allowed). Else the problem, in words.
Result<api::AccessReport> parse_hook_access(std::string_view stdout_text);
// What the platform is told of a failed hook: `what` and the tail of its stderr, one line
// of printable text (line breaks as " | ", control bytes escaped), at most max_bytes.
std::string failure_text(std::string_view what, std::string_view stderr_text, std::size_t max_bytes = 1500);
// Why a hook run failed, or "" when it exited 0: "exited with status 3", "timed out after 120 s", ...
std::string run_problem(const subprocess::Outcome& o, std::chrono::milliseconds timeout);

// Retry times per key (action and lease), in memory: after the n-th failure in a row the
// key is due again first_retry × 2^(n-1) later, at most max_retry.
class Backoff {
 public:
  Backoff(std::chrono::seconds first, std::chrono::seconds max) : first_(first.count()), max_(max.count()) {}
  bool due(const std::string& key, std::int64_t now) const;
  void failed(const std::string& key, std::int64_t now);
  void succeeded(const std::string& key) { entries_.erase(key); }
  int failures(const std::string& key) const;
  std::int64_t next_at(const std::string& key) const;  // 0 when due now
  // Forgets the keys not in `live` (leases no longer in the work list).
  void keep_only(const std::set<std::string>& live);

 private:
  struct Entry {
    int failures = 0;
    std::int64_t next_at = 0;
  };
  std::int64_t first_, max_;
  std::map<std::string, Entry> entries_;
};

struct WorkStats {
  int provisioned = 0, deprovisioned = 0, failed = 0, waiting = 0;  // waiting: not due yet (backoff)
};

class WorkRunner {
 public:
  WorkRunner(HookOptions hook, WorkTransport transport, Logger& log)
      : hook_(std::move(hook)),
        transport_(std::move(transport)),
        log_(log),
        backoff_(hook_.first_retry, hook_.max_retry) {}
  // One poll at `now` (unix s): fetch the work and run each due item's step, reporting each
  // outcome. Fails only when the work list cannot be fetched (each item's problems are logged).
  Result<WorkStats> poll(std::int64_t now);
  const Backoff& backoff() const { return backoff_; }

 private:
  // Runs the item's step and reports it; true when the step succeeded and was accepted.
  bool act(const api::AgentWorkItem& item, std::int64_t now);
  Result<> report_failure(const api::AgentWorkItem& item, const std::string& error);

  HookOptions hook_;
  WorkTransport transport_;
  Logger& log_;
  Backoff backoff_;
};

}  // namespace cpshare::agent
