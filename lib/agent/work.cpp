#include "agent/work.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace cpshare::agent {

std::string hook_input(const api::AgentWorkItem& item) { return api::encode(item).dump(); }

Result<api::AccessReport> parse_hook_access(std::string_view stdout_text) {
  const nlohmann::json j = nlohmann::json::parse(stdout_text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(ErrorCode::ValidationFailed,
                "the provision hook's stdout is not one JSON object {\"url\", \"username\", \"password\" or "
                "\"token\", \"notes\"}");
  if (j.contains("error"))
    return fail(ErrorCode::ValidationFailed,
                "the provision hook printed \"error\": to fail, exit with a non-zero status and say why on stderr");
  auto report = api::AccessReport::from_body(j);
  if (!report) {
    std::string why;
    for (const auto& f : report.error().fields)
      why += fmt::format("{}{}: {}", why.empty() ? "" : "; ", f.field, f.message);
    return fail(ErrorCode::ValidationFailed, fmt::format("the provision hook's access does not fit: {}",
                                                         why.empty() ? report.error().message : why));
  }
  return report;
}

std::string failure_text(std::string_view what, std::string_view stderr_text, std::size_t max_bytes) {
  std::string tail(stderr_text.substr(stderr_text.size() > max_bytes ? stderr_text.size() - max_bytes : 0));
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r' || tail.back() == ' ')) tail.pop_back();
  std::string flat;
  for (char c : tail) {
    if (c == '\n')
      flat += " | ";
    else if (c == '\r' || c == '\t')
      flat += ' ';
    else
      flat += c;
  }
  std::string out(what);
  if (!flat.empty()) out += ": " + flat;
  // One line of printable text (what the platform accepts), cut to max_bytes.
  return log_escape(out, max_bytes);
}

std::string run_problem(const subprocess::Outcome& o, std::chrono::milliseconds timeout) {
  if (!o.started) return fmt::format("could not be run: {}", o.start_error);
  if (o.timed_out) return fmt::format("timed out after {} s and was killed", timeout.count() / 1000.0);
  if (o.signal) return fmt::format("was killed by signal {}", *o.signal);
  if (o.exit_status && *o.exit_status != 0) return fmt::format("exited with status {}", *o.exit_status);
  return "";
}

bool Backoff::due(const std::string& key, std::int64_t now) const { return next_at(key) <= now; }

void Backoff::failed(const std::string& key, std::int64_t now) {
  Entry& e = entries_[key];
  ++e.failures;
  const std::int64_t delay = std::min<std::int64_t>(max_, first_ << std::min(e.failures - 1, 20));
  e.next_at = now + delay;
}

int Backoff::failures(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? 0 : it->second.failures;
}

std::int64_t Backoff::next_at(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? 0 : it->second.next_at;
}

void Backoff::keep_only(const std::set<std::string>& live) {
  std::erase_if(entries_, [&](const auto& kv) { return !live.contains(kv.first); });
}

namespace {

std::string work_key(const api::AgentWorkItem& item) { return item.action + " " + item.lease_id; }

}  // namespace

Result<WorkStats> WorkRunner::poll(std::int64_t now) {
  TRY_ASSIGN(api::AgentWork work, transport_.fetch());
  std::set<std::string> live;
  for (const auto& item : work.items) live.insert(work_key(item));
  backoff_.keep_only(live);
  WorkStats stats;
  for (const auto& item : work.items) {
    const std::string key = work_key(item);
    if (!backoff_.due(key, now)) {
      ++stats.waiting;
      continue;
    }
    if (act(item, now)) {
      backoff_.succeeded(key);
      ++(item.action == "provision" ? stats.provisioned : stats.deprovisioned);
    } else {
      backoff_.failed(key, now);
      ++stats.failed;
    }
  }
  return stats;
}

Result<> WorkRunner::report_failure(const api::AgentWorkItem& item, const std::string& error) {
  log_.warn("lease {}: {}", item.lease_id, error);
  api::AccessReport failed;
  failed.error = error;
  auto sent = item.action == "provision" ? transport_.access(item.lease_id, failed)
                                         : transport_.released(item.lease_id, api::ReleasedReport{error});
  if (!sent) return std::unexpected(sent.error());
  return {};
}

bool WorkRunner::act(const api::AgentWorkItem& item, std::int64_t now) {
  const bool provision = item.action == "provision";
  if (!provision && item.action != "deprovision") {
    log_.warn("lease {}: unknown action '{}' (a newer platform?); skipped", item.lease_id, item.action);
    return false;
  }
  const std::vector<std::string> argv = {"/bin/sh", "-c", hook_.command + " \"$1\"", "cpshare-hook", item.action};
  subprocess::Options o;
  o.input = hook_input(item);
  o.split_stderr = true;
  o.max_output = 256 * 1024;
  const subprocess::Outcome outcome = subprocess::run(argv, hook_.timeout, o);
  std::string error;
  std::optional<api::AccessReport> access;
  if (std::string problem = run_problem(outcome, hook_.timeout); !problem.empty()) {
    error = failure_text(fmt::format("{} hook {}", item.action, problem), outcome.error_output);
  } else if (provision) {
    auto parsed = parse_hook_access(outcome.output);
    if (parsed)
      access = std::move(*parsed);
    else
      error = failure_text(parsed.error().message, outcome.error_output);
  }
  if (!error.empty()) {
    if (auto told = report_failure(item, error); !told)
      log_.warn("lease {}: the failure could not be reported: {}", item.lease_id, told.error().message);
    return false;
  }
  auto sent = provision ? transport_.access(item.lease_id, *access) : transport_.released(item.lease_id, {});
  if (!sent) {
    // CONFLICT: the lease moved on (already reported, or ended meanwhile); the next work list says what is left.
    if (sent.error().code == ErrorCode::Conflict) {
      log_.info("lease {}: {}", item.lease_id, sent.error().message);
      return true;
    }
    log_.warn("lease {}: the {} step ran but could not be reported (tried again later): {}", item.lease_id, item.action,
              sent.error().message);
    return false;
  }
  log_.info("lease {}: {} done ({} at {})", item.lease_id, item.action, enum_name(sent->state), now);
  return true;
}

}  // namespace cpshare::agent
