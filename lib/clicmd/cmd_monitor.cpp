// cpshare monitor CPCID|LEASE (issue 11, Build point 5; R-MON-2): a B-class
// cluster's readings from Irmds (GET /api/v1/clusters/{cpc_id}/metrics, whose
// rights are the daemon's: the owner and admins all of it, a user only within
// their leases' windows). A lease is watched as its cluster cut to the lease:
// its window and its units' GPUs. Live on a terminal (clicmd/monitor_screen),
// one plain snapshot with --once or off a terminal (clicmd/monitor_view), the
// typed MetricsView with --json, the minute rollups of --since
// (clicmd/monitor_history).
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <set>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "api/catalog.hpp"
#include "api/leases.hpp"
#include "api/metrics.hpp"
#include "catalog/cluster.hpp"
#include "clicmd/context.hpp"
#include "clicmd/monitor_history.hpp"
#include "clicmd/monitor_screen.hpp"
#include "clicmd/monitor_view.hpp"
#include "crypto/crypto.hpp"
#include "util/text.hpp"

namespace cpshare::clicmd::cmd {

// A named namespace: lib/ is also built as one unity source per directory.
namespace monitor_cmd {

constexpr std::int64_t kRecent = 600;  // raw samples read at the start: the last 10 minutes
constexpr std::int64_t kMaxSince = api::MetricsQuery::kMaxMinutes * 60;  // the read endpoint's longest window
constexpr std::size_t kMaxHistory = 5000;       // samples the live view keeps for its sparklines
constexpr int kRollupPages = 8;                 // pages of rollups read for one --since
constexpr std::int64_t kHourlyFrom = 6 * 3600;  // a longer --since reads hour rollups

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::int64_t minute_of(std::int64_t t) { return t - (((t % 60) + 60) % 60); }

// What is watched: a cluster, or a lease's part of one.
struct Target {
  std::string cpc_id;
  std::optional<std::string> lease_id;
  std::vector<int> units;                  // the lease's units
  std::optional<std::int64_t> start, end;  // the lease's window [start, end); end absent while it runs
};

struct Options {
  bool once = false;
  std::optional<std::int64_t> since;  // seconds of history from minute rollups
  std::int64_t interval = 2;          // seconds between refreshes of the live view
};

// What the view holds between refreshes.
struct State {
  Target target;
  std::int64_t span = kRecent;  // seconds the sparklines cover
  std::vector<api::HostSample> history;
  std::optional<std::int64_t> last_raw;  // the newest raw sample's time
  std::optional<api::Time> last_report;
  ClusterHealth health = ClusterHealth::Offline;
  std::vector<api::UnitGpuView> units;
};

std::unexpected<Error> a_class(const std::string& what) {
  return fail(ErrorCode::ValidationFailed,
              fmt::format("{} is A-class (bare metal reached over SSH): the specification monitors B-class "
                          "clusters only, so cpshare monitor has nothing to show for it",
                          what));
}

bool is_lease_id(std::string_view id) {
  return id.size() == 13 && id.starts_with("ls-") && std::all_of(id.begin() + 3, id.end(), [](char c) {
           return crypto::kIdAlphabet.find(c) != std::string_view::npos;
         });
}

Result<Target> resolve(client::ApiClient& api, const std::string& given) {
  std::string id = given;
  for (char& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (catalog::is_cpc_id(id)) {
    auto detail = api.call<api::endpoint::ShowCluster>({}, {{"cpc_id", id}});
    if (detail && detail->cluster.cls != "B") return a_class("cluster " + id);
    // NOT_FOUND: a delisted cluster is not shown to everyone who may read its metrics; the read says.
    if (!detail && detail.error().code != ErrorCode::NotFound) return std::unexpected(detail.error());
    return Target{id, std::nullopt, {}, std::nullopt, std::nullopt};
  }
  if (!is_lease_id(id))
    return usage_error(
        fmt::format("'{}' is neither a cluster id (cp- and 10 letters or digits, e.g. cp-7k2m9x4qvd) "
                    "nor a lease id (ls-…, e.g. ls-3q9x2m7k4d)",
                    given));
  TRY_ASSIGN(api::LeaseDetail d, api.call<api::endpoint::ShowLease>(api::LeaseShowQuery{}, {{"lease_id", id}}));
  const api::LeaseView& l = d.lease;
  if (l.cluster_class != "B") return a_class(fmt::format("lease {}'s cluster {}", id, l.cpc_id));
  if (!l.started_at)
    return fail(ErrorCode::Conflict, fmt::format("lease {} is {}: it has no readings before it is active (see "
                                                 "cpshare leases show {})",
                                                 id, enum_name(l.state), id));
  return Target{l.cpc_id, id, l.units, l.started_at->unix,
                l.ended_at ? std::optional<std::int64_t>(l.ended_at->unix) : std::nullopt};
}

// An answer as the CLI works with it: its rollups (by column on the wire) as rows.
struct Fetched {
  api::MetricsView v;  // v.rollups moved into `rollups`
  std::vector<api::RollupView> rollups;
};

// The view cut to a lease: its units, their GPUs, its window.
void cut_to_lease(Fetched& f, const Target& t) {
  api::MetricsView& v = f.v;
  std::set<std::string> gpus;
  std::erase_if(v.units, [&](const api::UnitGpuView& u) {
    return std::ranges::find(t.units, static_cast<int>(u.index)) == t.units.end();
  });
  for (const auto& u : v.units)
    if (u.gpu_uuid) gpus.insert(*u.gpu_uuid);
  auto outside = [&](std::int64_t from, std::int64_t to) { return to <= *t.start || (t.end && from >= *t.end); };
  std::erase_if(v.samples, [&](const api::HostSample& s) { return outside(s.at.unix, s.at.unix + 1); });
  for (auto& s : v.samples) std::erase_if(s.gpus, [&](const api::GpuReading& g) { return !gpus.contains(g.uuid); });
  std::erase_if(f.rollups, [&](const api::RollupView& r) { return outside(r.minute.unix, r.minute.unix + r.seconds); });
  for (auto& r : f.rollups)
    std::erase_if(r.readings, [&](const auto& reading) {
      const std::string& key = reading.first;
      return key.starts_with("gpus.") && !gpus.contains(key.substr(5, key.find('.', 5) - 5));
    });
}

// The readings from `since` (at `resolution`, "raw" or "minute"), cut to the target.
Result<Fetched> fetch(client::ApiClient& api, const Target& t, std::int64_t since, const char* resolution) {
  api::MetricsQuery q;
  q.since = api::Time{t.start ? std::max(since, *t.start) : since};
  q.resolution = resolution;
  Fetched f;
  TRY_ASSIGN(f.v, api.call<api::endpoint::GetMetrics>(q, {{"cpc_id", t.cpc_id}}));
  f.rollups = api::to_rows(f.v.rollups);
  f.v.rollups = {};
  if (t.lease_id) cut_to_lease(f, t);
  return f;
}

// The rollups from `since`, page after page (the endpoint answers a bounded
// number at a time): spans over kHourlyFrom in hour rollups where the daemon
// has them (a week is 168 rows, not 10,080), minute rollups otherwise.
Result<Fetched> fetch_rollups(client::ApiClient& api, const Target& t, std::int64_t since, std::int64_t now) {
  const char* resolution = now - since > kHourlyFrom ? "hour" : "minute";
  TRY_ASSIGN(Fetched f, fetch(api, t, since, resolution));
  f.v.from = api::Time{since};
  for (int page = 1; page < kRollupPages && !f.rollups.empty(); ++page) {
    const std::int64_t next = f.rollups.back().minute.unix + f.rollups.back().seconds;
    if (next > now) break;  // the last bucket was the current one
    TRY_ASSIGN(Fetched more, fetch(api, t, next, resolution));
    if (more.rollups.empty()) break;
    std::ranges::move(more.rollups, std::back_inserter(f.rollups));
    f.v.last_report = more.v.last_report;
    f.v.health = more.v.health;
    f.v.to = more.v.to;
  }
  return f;
}

// Raw samples newer than the history's, its report time and units taken in;
// the history kept to the span and to kMaxHistory samples.
void absorb(State& st, api::MetricsView& v, std::int64_t now) {
  st.last_report = v.last_report;
  st.health = v.health;
  st.units = std::move(v.units);
  for (auto& s : v.samples) {
    if (st.last_raw && s.at.unix <= *st.last_raw) continue;
    st.last_raw = s.at.unix;
    st.history.push_back(std::move(s));
  }
  std::erase_if(st.history, [&](const api::HostSample& s) { return s.at.unix < now - st.span; });
  if (st.history.size() > kMaxHistory)
    st.history.erase(st.history.begin(), st.history.end() - static_cast<std::ptrdiff_t>(kMaxHistory));
}

// The first read: the last minutes' raw samples and, with --since, the span's
// rollups before them (each minute one sample of its means). Returns the
// rollups' answer (its resolution, the rows).
Result<Fetched> load(client::ApiClient& api, State& st, bool with_rollups, std::int64_t now) {
  TRY_ASSIGN(Fetched raw, fetch(api, st.target, now - kRecent, "raw"));
  absorb(st, raw.v, now);
  if (!with_rollups) return Fetched{};
  TRY_ASSIGN(Fetched v, fetch_rollups(api, st.target, now - st.span, now));
  const std::int64_t first_raw = st.history.empty() ? INT64_MAX : minute_of(st.history.front().at.unix);
  std::vector<api::RollupView> older;
  for (const auto& r : v.rollups)
    if (r.minute.unix < first_raw) older.push_back(r);
  // A long span's minutes merged so that it stays whole within kMaxHistory.
  auto before = cli::samples_from_rollups(cli::coarsen(older, kMaxHistory / 2));
  st.history.insert(st.history.begin(), std::make_move_iterator(before.begin()), std::make_move_iterator(before.end()));
  return v;
}

Result<> refresh(client::ApiClient& api, State& st, std::int64_t now) {
  TRY_ASSIGN(Fetched f, fetch(api, st.target, st.last_raw ? *st.last_raw + 1 : now - kRecent, "raw"));
  absorb(st, f.v, now);
  return {};
}

cli::MonitorFrame frame_of(const State& st, std::int64_t now) {
  cli::MonitorFrame f;
  f.cpc_id =
      st.target.lease_id ? fmt::format("{} · lease {}", st.target.cpc_id, *st.target.lease_id) : st.target.cpc_id;
  f.status = std::string(enum_name(st.health));
  if (st.last_report) f.report_age = std::max<std::int64_t>(0, now - st.last_report->unix);
  f.history = st.history;
  // The units' GPUs, so that one gone from a working report shows as lost; for a
  // cluster also the GPUs of the report that are no unit's.
  std::set<std::string> shown;
  for (const auto& u : st.units)
    if (u.gpu_uuid) shown.insert(*u.gpu_uuid);
  if (!st.target.lease_id && !st.history.empty())
    for (const auto& g : st.history.back().gpus) shown.insert(g.uuid);
  f.gpus_shown.assign(shown.begin(), shown.end());
  return f;
}

int columns(const Context& ctx) {
  winsize w{};
  if (ctx.io.out_is_tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 0) return w.ws_col;
  if (auto c = ctx.io.env("COLUMNS"))
    if (auto n = text::parse_int<int>(*c); n && *n > 0) return *n;
  return 100;
}

Result<Options> options(const Context& ctx) {
  Options o;
  o.once = ctx.args.has("--once");
  if (auto s = ctx.args.get("--since")) {
    o.since = cli::parse_duration(*s);
    if (!o.since || *o.since < 60 || *o.since > kMaxSince)
      return usage_error(fmt::format("--since {}: give a span from 1m to 30d, e.g. 90m, 1h, 7d", *s));
  }
  if (auto s = ctx.args.get("--interval")) {
    auto n = cli::parse_duration(*s);
    if (!n || *n > 600) return usage_error(fmt::format("--interval {}: give 1s to 10m, e.g. 2s, 5s, 1m", *s));
    o.interval = *n;
  }
  return o;
}

Result<> print_json(Context& ctx, client::ApiClient& api, const Target& t, const Options& o) {
  const std::int64_t now = unix_now();
  Fetched f;
  if (o.since) {
    TRY_ASSIGN(f, fetch_rollups(api, t, now - *o.since, now));
  } else {
    TRY_ASSIGN(f, fetch(api, t, now - kRecent, "raw"));
  }
  f.v.rollups = api::to_series(f.rollups);
  ctx.print_json(api::encode(f.v));
  return {};
}

Result<> print_once(Context& ctx, client::ApiClient& api, State& st, const Options& o) {
  const std::int64_t now = unix_now();
  TRY_ASSIGN(const Fetched history, load(api, st, o.since.has_value(), now));
  const int cols = columns(ctx);
  for (const auto& line : cli::render_monitor(frame_of(st, now), cols)) ctx.io.out << line << "\n";
  if (o.since) {
    ctx.io.out << "\n";
    for (const auto& line : cli::render_history(history.rollups, *o.since, history.v.resolution, cols))
      ctx.io.out << line << "\n";
  }
  return {};
}

// The live view: the first read before the screen (its errors end the
// command); later ones' errors stay on the screen, retried each refresh.
Result<> run_live(client::ApiClient& api, State& st, const Options& o) {
  TRY(load(api, st, o.since.has_value(), unix_now()));
  const cli::FrameSource source = [&]() -> Result<cli::MonitorFrame> {
    const std::int64_t now = unix_now();
    TRY(refresh(api, st, now));
    return frame_of(st, now);
  };
  return cli::run_monitor_screen(source, std::chrono::seconds(o.interval));
}

void declare(CLI::App* app, Args& a) {
  a.positional(app, "TARGET", "A B-class cluster (cp-…) or a lease on one (ls-…)", true);
  a.flag(app, "--once", "Print one plain snapshot and exit (also when stdout is not a terminal)");
  a.option(app, "--since", "DURATION",
           "History of the last DURATION from minute rollups, hour rollups past 6h (1m to 30d: 90m, 1h, 7d): a table "
           "with --once, the "
           "rollups with --json, the span of the live view's sparklines");
  a.option(app, "--interval", "DURATION", "Time between refreshes of the live view (default 2s; 1s to 10m)");
}

Result<> run(Context& ctx) {
  TRY_ASSIGN(const Options o, options(ctx));
  // A refresh that hangs must not hold the live view (q, Ctrl-C) for long.
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api(std::chrono::seconds(10)));
  TRY_ASSIGN(Target target, resolve(*api, ctx.args.get("TARGET").value_or("")));
  if (ctx.want_json()) return print_json(ctx, *api, target, o);
  State st;
  st.target = std::move(target);
  if (o.since) st.span = *o.since;
  if (o.once || !ctx.io.out_is_tty || !ctx.interactive()) return print_once(ctx, *api, st, o);
  return run_live(*api, st, o);
}

}  // namespace monitor_cmd

std::vector<Command> monitor_commands() {
  return {{{"monitor"},
           "Watch a B-class cluster's or lease's readings live (GPUs, CPU, memory, network)",
           {"cpshare monitor cp-7k2m9x4qvd", "cpshare monitor ls-3q9x2m7k4d --once",
            "cpshare monitor cp-7k2m9x4qvd --since 1h --once", "cpshare monitor cp-7k2m9x4qvd --since 7d --json"},
           monitor_cmd::declare,
           monitor_cmd::run,
           false,
           "On a terminal: a full-screen view refreshed every --interval, each refresh reading only the samples "
           "newer than the last it has: per GPU utilisation as a bar with its sparkline, memory, temperature, "
           "power and voltage; CPU and load, memory, disks, network rx/tx, latency and loss to the platform, "
           "board sensors; the age of the last report. A lost GPU (掉卡) is marked LOST; a reading the hardware "
           "does not give shows as -, never 0. q quits; the view follows resizes and Ctrl-C restores the "
           "terminal; while the platform cannot be reached the error stays on the bottom line and the view "
           "retries. --once (or stdout not a terminal): one plain snapshot of the last 10 minutes. --json: the "
           "read endpoint's MetricsView (docs/openapi.yaml): the last 10 minutes' raw samples, or with --since "
           "the span's rollups by column (minute rollups; hour rollups past 6h); an absent reading is null, a cluster "
           "that has never reported has "
           "last_report null and no samples. A lease (ls-…) shows its cluster cut to the lease: its window and "
           "its units' GPUs. A supplier sees their own clusters, a user the clusters they lease within their "
           "leases' windows (else FORBIDDEN, exit 4), an admin all. An A-class cluster or lease: "
           "VALIDATION_FAILED (exit 2), the specification monitors B-class clusters only. A lease not yet "
           "active: CONFLICT (exit 1)."}};
}

}  // namespace cpshare::clicmd::cmd
