// cpshare agent: the B-class host's reporter (issue 11, Build point 1).
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "agent/agent.hpp"
#include "agent/work.hpp"
#include "api/agent_work.hpp"
#include "api/metrics.hpp"
#include "catalog/cluster.hpp"
#include "clicmd/context.hpp"
#include "client/config.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace cpshare::clicmd::cmd {

namespace {

std::atomic<bool> stop_agent{false};
extern "C" void on_stop_signal(int) { stop_agent = true; }

void declare_agent(CLI::App* app, Args& a) {
  a.option(app, "--cluster", "CPCID", "The B-class cluster this host is (its CPcId)");
  a.file_option(app, "--token-file", "FILE", "The cluster's agent token (cpa_…), as publish printed it once");
  a.option(app, "--interval", "SECONDS", "Seconds between readings, 1 to 3600 (default 10)");
  a.file_option(app, "--state-dir", "DIR",
                "Where samples wait while the daemon is unreachable (default $STATE_DIRECTORY, else "
                "~/.local/state/cpshare/agent)");
  a.multi_option(app, "--mount", "PATH", "A filesystem whose use to report (repeatable)");
  a.option(app, "--gpu", "SOURCE", "Where GPU readings come from (default auto: NVML, else nvidia-smi)",
           {"auto", "nvml", "nvidia-smi", "none"});
  a.option(app, "--spool-limit", "N", "Samples kept while the daemon is away; the oldest go first (default 60480)");
  a.file_option(app, "--sysfs-root", "DIR", "Read /sys from DIR (tests, containers; default /sys)");
  a.file_option(app, "--proc-root", "DIR", "Read /proc from DIR (tests, containers; default /proc)");
  a.option(app, "--provision-hook", "CMD",
           "The B-class lease hook: `CMD provision` / `CMD deprovision`, the lease as JSON on stdin, the access "
           "as JSON on stdout (README, B-class supplier); without it the agent does not poll for leases");
  a.option(app, "--hook-timeout", "SECONDS", "How long a hook may run before it is killed, 1 to 3600 (default 120)");
  a.flag(app, "--once", "Read, keep and send one sample, print it, and exit (to check a host; no lease work)");
}

// Every interval, until `stop`: the leases the platform has for this cluster, each step run
// through the hook (agent/work.hpp). Its own client: the readings' loop keeps the other.
void run_work(client::ApiClient& client, const std::string& cluster, agent::HookOptions hook,
              std::chrono::seconds interval, Logger& log) {
  agent::WorkTransport t;
  t.fetch = [&] { return client.call<api::endpoint::AgentWorkList>({}, {{"cpc_id", cluster}}); };
  t.access = [&](const std::string& lease, const api::AccessReport& r) {
    return client.call<api::endpoint::AgentReportAccess>(r, {{"cpc_id", cluster}, {"lease_id", lease}});
  };
  t.released = [&](const std::string& lease, const api::ReleasedReport& r) {
    return client.call<api::endpoint::AgentReportReleased>(r, {{"cpc_id", cluster}, {"lease_id", lease}});
  };
  agent::WorkRunner runner(std::move(hook), std::move(t), log);
  while (!stop_agent.load()) {
    const auto started = std::chrono::steady_clock::now();
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (auto done = runner.poll(now); !done) log.warn("fetching the lease work failed: {}", done.error().message);
    while (!stop_agent.load() && std::chrono::steady_clock::now() < started + interval)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Result<std::int64_t> int_flag(Context& ctx, const char* flag, std::int64_t def, std::int64_t lo, std::int64_t hi) {
  const auto v = ctx.args.get(flag);
  if (!v) return def;
  auto n = text::parse_int<std::int64_t>(*v);
  if (!n || *n < lo || *n > hi)
    return usage_error(fmt::format("{} must be a whole number from {} to {}", flag, lo, hi));
  return *n;
}

// The token from its file: cpa_ and 43 characters; the file should be private.
Result<std::string> read_token(Context& ctx, const std::string& path) {
  std::ifstream in(path);
  if (!in) return usage_error(fmt::format("cannot read --token-file {}", path));
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string token = text::trim(ss.str());
  if (!token.starts_with(catalog::kAgentTokenPrefix) || token.size() < 20)
    return usage_error(
        fmt::format("{} does not hold an agent token (cpa_…, printed once by `cpshare publish` for "
                    "a B-class cluster)",
                    path));
  std::error_code ec;
  const auto perms = std::filesystem::status(path, ec).permissions();
  if (!ec && (perms & (std::filesystem::perms::group_read | std::filesystem::perms::others_read)) !=
                 std::filesystem::perms::none)
    ctx.io.err << fmt::format("cpshare agent: warning: {} is readable by others; chmod 600 it\n", path);
  return token;
}

std::filesystem::path state_dir(Context& ctx) {
  if (auto d = ctx.args.get("--state-dir")) return *d;
  if (auto d = ctx.io.env("STATE_DIRECTORY")) return *d;  // systemd's StateDirectory=
  const auto home = ctx.io.env("HOME").value_or(".");
  return std::filesystem::path(ctx.io.env("XDG_STATE_HOME").value_or(home + "/.local/state")) / "cpshare" / "agent";
}

Result<> run_agent(Context& ctx) {
  const auto cluster = ctx.args.get("--cluster");
  if (!cluster) return usage_error("agent: --cluster CPCID is required");
  const auto token_file = ctx.args.get("--token-file");
  if (!token_file) return usage_error("agent: --token-file FILE is required");
  TRY_ASSIGN(const std::string token, read_token(ctx, *token_file));
  TRY_ASSIGN(const std::int64_t interval, int_flag(ctx, "--interval", 10, 1, 3600));
  TRY_ASSIGN(const std::int64_t limit, int_flag(ctx, "--spool-limit", 60480, 1, 10'000'000));
  TRY_ASSIGN(const std::int64_t hook_timeout, int_flag(ctx, "--hook-timeout", 120, 1, 3600));
  const auto hook_command = ctx.args.get("--provision-hook");
  if (hook_command && text::trim(*hook_command).empty())
    return usage_error("--provision-hook must name a command, e.g. /usr/local/bin/cpshare-hook");
  TRY_ASSIGN(const std::string server, ctx.server());
  TRY_ASSIGN(const client::ServerUrl url, client::parse_server_url(server));
  const std::string gpu = ctx.args.get("--gpu").value_or("auto");
  const auto choice = gpu == "nvml"         ? agent::GpuChoice::Nvml
                      : gpu == "nvidia-smi" ? agent::GpuChoice::NvidiaSmi
                      : gpu == "none"       ? agent::GpuChoice::None
                                            : agent::GpuChoice::Auto;
  TRY_ASSIGN(auto client, client::ApiClient::open({server, {}, token}));
  TRY_ASSIGN(auto spool, agent::Spool::open(state_dir(ctx) / *cluster, static_cast<std::size_t>(limit)));
  agent::GpuSource gpus(choice, std::chrono::seconds(5));
  agent::CollectorOptions options;
  options.paths.proc = ctx.args.get("--proc-root").value_or("/proc");
  options.paths.sys = ctx.args.get("--sysfs-root").value_or("/sys");
  options.mounts = ctx.args.get_all("--mount");
  options.probe_host = url.host;
  options.probe_port = url.port;
  agent::Collector collector(options, gpus);
  Logger log;
  log.info("cpshare agent {} for {} at {}; {}; every {} s; {} samples waiting", CPSHARE_VERSION, *cluster, server,
           gpus.describe(), interval, spool.size());
  const agent::SendBatch send = [&](const std::vector<api::HostSample>& samples, std::uint64_t dropped) -> Result<> {
    api::MetricsBatch batch{samples, static_cast<std::int64_t>(dropped)};
    TRY(client.call<api::endpoint::PostMetrics>(batch, {{"cpc_id", *cluster}}));
    return {};
  };
  const agent::LoopOptions loop{std::chrono::seconds(interval), 60, 10};
  agent::LoopStats stats;
  if (ctx.args.has("--once")) {
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    const api::HostSample s = agent::tick(collector, spool, send, loop, now, log, stats);
    if (stats.sent == 0)
      return fail(ErrorCode::Unavailable, fmt::format("the sample was read but not accepted; it "
                                                      "waits in the spool ({} waiting)",
                                                      spool.size()));
    ctx.print_json(api::encode(s));
    return {};
  }
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  std::optional<client::ApiClient> work_client;
  std::thread work;
  if (hook_command) {
    TRY_ASSIGN(auto c, client::ApiClient::open({server, {}, token}));
    work_client.emplace(std::move(c));
    agent::HookOptions hook{*hook_command, std::chrono::seconds(hook_timeout), std::chrono::seconds(interval),
                            std::chrono::seconds(300)};
    log.info("lease work: polled every {} s, hook {} (timeout {} s)", interval, *hook_command, hook_timeout);
    work = std::thread(run_work, std::ref(*work_client), *cluster, std::move(hook), std::chrono::seconds(interval),
                       std::ref(log));
  }
  agent::run(collector, spool, send, loop, stop_agent, log, stats);
  if (work.joinable()) work.join();
  log.info("stopped: {} samples read, {} sent, {} waiting", stats.samples, stats.sent, spool.size());
  return {};
}

}  // namespace

std::vector<Command> agent_commands() {
  return {
      {{"agent"},
       "Report this B-class host's readings to the platform (Irmds), in the foreground",
       {"cpshare --server https://cp.example.org agent --cluster cp-7k2m9x4qvd --token-file /etc/cpshare/agent.token",
        "cpshare agent --cluster cp-7k2m9x4qvd --token-file agent.token --once --json"},
       declare_agent,
       run_agent,
       false,
       "Every --interval it reads the host (CPU, load, memory, filesystems, network, board sensors) and its "
       "GPUs (NVML, else nvidia-smi), measures latency and loss to the platform, and sends the readings with "
       "the cluster's agent token. While the platform is unreachable the readings wait in --state-dir and are "
       "sent, oldest first, when it is back. A reading the hardware does not give is sent as absent, never 0. "
       "With --provision-hook CMD it also asks the platform every --interval for the leases to act on: for a new "
       "lease it runs `CMD provision` with the lease as JSON on stdin ({action, lease_id, user, units [{index, "
       "gpu_uuid}], environment, planned_end, attempts, last_error}) and reports the access it prints on stdout "
       "({url, username, password and/or token, notes}): the lease becomes active and its user sees the access; "
       "for an ended lease it runs `CMD deprovision` (exit status 0: done) and the units return to idle. A "
       "failing hook (non-zero exit, --hook-timeout, output that is not the access) is reported with its "
       "stderr's tail, shown to the supplier, and retried after a delay doubling from --interval up to 5 "
       "minutes. CMD is run by /bin/sh with the step as its last argument; it should be idempotent (a step whose "
       "report was lost runs again). Without --provision-hook the agent does not poll for leases. Run it under "
       "systemd: docs/deploy/cpshare-agent.service."}};
}

}  // namespace cpshare::clicmd::cmd
