// Leases and billing (docs/design/leases.md, issue 4): lease, leases, leases show, approve,
// reject, terminate, release, redeem, bills and earnings. Money is integer fen on the wire and
// yuan with two decimals here; times are RFC 3339 UTC on the wire (and in --json and --csv) and the
// user's local time with its offset here, "YYYY-MM-DD HH:MM +08:00" (display.hpp local_time).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "api/catalog.hpp"
#include "api/leases.hpp"
#include "catalog/cluster.hpp"
#include "catalog/units.hpp"
#include "clicmd/context.hpp"
#include "clicmd/display.hpp"
#include "clicmd/input.hpp"
#include "billing/billing_mode.hpp"
#include "domain/lease.hpp"
#include "domain/normalize.hpp"
#include "util/clock.hpp"
#include "util/ip.hpp"
#include "util/text.hpp"

namespace cpshare::clicmd::cmd {

namespace {

const std::vector<std::string> kBillingModes = enum_names<BillingMode>();
const std::vector<std::string> kLeaseStates = enum_names<LeaseState>();
constexpr std::string_view kIdAlphabet = "0123456789abcdefghjkmnpqrstvwxyz";  // as the daemon's ids

std::string lowered(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "1234.56", or "-" for an amount that is not there.
std::string yuan(const std::optional<std::int64_t>& fen) { return fen ? catalog::format_yuan(*fen) : "-"; }

// Text that is not there (or empty) shows as "-", which print_fields leaves out.

// An enum by its wire name: "active", "hourly".
template <class E>
std::string name_of(E e) {
  return std::string(enum_name(e));
}

// "ls-7k2m9x4qvd"; upper case is accepted and lowered.
Result<std::string> lease_id_arg(Context& ctx) {
  const std::string given = ctx.args.get("LEASE").value_or("");
  const std::string id = lowered(given);
  if (id.empty()) return usage_error("pass the lease's id (e.g. ls-7k2m9x4qvd; cpshare leases lists yours)");
  const bool ok = id.size() == 13 && id.starts_with("ls-") && std::all_of(id.begin() + 3, id.end(), [](char c) {
                    return kIdAlphabet.find(c) != std::string_view::npos;
                  });
  if (!ok)
    return usage_error(
        fmt::format("'{}' is not a lease id: ls- and 10 letters or digits, e.g. ls-7k2m9x4qvd "
                    "(cpshare leases lists yours, cpshare leases --incoming those of your clusters)",
                    given));
  return id;
}

std::string period_word(std::string_view mode) {
  if (mode == "hourly") return "hour";
  if (mode == "daily") return "day";
  if (mode == "monthly") return "month";
  if (mode == "yearly") return "year";
  return "period";
}

// "0, 1": the unit indices a lease holds (or GPUs an account may use); "-" for none.
std::string index_list(const std::vector<int>& indices) {
  if (indices.empty()) return "-";
  std::string out;
  for (int i : indices) out += (out.empty() ? "" : ", ") + std::to_string(i);
  return out;
}

// "2 x GPU A100 80GB on cp-7k2m9x4qvd (深圳市)"
std::string what_line(const api::LeaseView& l) {
  const api::LeaseCluster& c = l.cluster;
  std::string s =
      fmt::format("{} x {} {} on {}", l.units.size(), or_dash(c.resource_type), or_dash(c.model), or_dash(l.cpc_id));
  if (!c.location.empty()) s += fmt::format(" ({})", c.location);
  return s;
}

// The amount for a table: charged once settled, else the running cost of an active
// pay-as-you-go lease ("so far"), else the estimate ("~").
std::string amount_cell(const api::LeaseView& l) {
  if (l.charged) return catalog::format_yuan(*l.charged);
  if (l.running_cost && l.billing == catalog::BillingMode::Hourly)
    return fmt::format("{} so far", catalog::format_yuan(*l.running_cost));
  return fmt::format("~{}", catalog::format_yuan(l.estimate));
}

// When the lease ends (or ended), or by when it must be decided / redeemed.
std::string end_cell(const api::LeaseView& l, const DisplayZone& zone) {
  if (l.ended_at) return local_time(l.ended_at, zone);
  return local_time(l.planned_end, zone);  // "-" when there is none
}

std::string state_text(const std::string& state, bool colour) {
  if (!colour) return state;
  const char* code = state == "active"                                                        ? "32"
                     : state == "requested" || state == "approved" || state == "provisioning" ? "33"
                     : state == "ended"                                                       ? "0"
                                                                                              : "31";
  return fmt::format("\033[{}m{}\033[0m", code, state);
}

// "¥1234.56", or "-" for an amount that is not there.
std::string money(const std::optional<std::int64_t>& fen) { return fen ? "¥" + yuan(fen) : "-"; }

// A B-class lease's progress through its cluster's agent, or an A-class lease's failed
// redeems (the supplier's view).
void print_agent(std::ostream& out, const api::LeaseView& l, const api::LeaseAgentStatus& a, const DisplayZone& zone) {
  if (l.cluster_class == "A") {  // failed redeems: the platform could not create the account
    out << "\nAccess set-up (redeem):\n";
    print_fields(out, {
                          {"Failed attempts", std::to_string(a.attempts)},
                          {"Last error", or_dash(a.last_error)},
                          {"Last error at", local_time(a.last_error_at, zone, true)},
                      });
    return;
  }
  const std::string step = a.step == "provision"     ? "provisioning: waiting for the agent's provision hook"
                           : a.step == "deprovision" ? "ended: waiting for the agent's deprovision hook (units busy)"
                           : a.step == "done"        ? "units freed by the agent"
                                                     : "active (access handed over)";
  out << "\nAgent:\n";
  print_fields(out, {
                        {"Step", step},
                        {"Failed attempts", std::to_string(a.attempts)},
                        {"Last error", or_dash(a.last_error)},
                        {"Last error at", local_time(a.last_error_at, zone, true)},
                        {"Units freed", local_time(a.units_freed_at, zone, true)},
                    });
}

void print_lease(std::ostream& out, const api::LeaseView& l, bool colour, const DisplayZone& zone) {
  const std::string per = period_word(name_of(l.billing));
  std::string periods = "-";
  if (l.periods > 0)
    periods = fmt::format("{} {}{}", l.periods, per, l.periods == 1 ? "" : "s");
  else if (l.billing == catalog::BillingMode::Hourly)
    periods = "open-ended (pay as you go)";
  print_fields(out,
               {
                   {"Lease", or_dash(l.lease_id)},
                   {"State", state_text(name_of(l.state), colour)},
                   {"Cluster", fmt::format("{}, class {}", what_line(l), or_dash(l.cluster_class))},
                   {"Units", fmt::format("{} (indices {})", l.units.size(), index_list(l.units))},
                   {"User", or_dash(l.user)},
                   {"Supplier", or_dash(l.supplier)},
                   {"Billing", fmt::format("{}, ¥{} per unit per {}", name_of(l.billing), yuan(l.unit_price), per)},
                   {"Periods", periods},
                   {"Estimate", money(l.estimate)},
                   {"Running cost", money(l.running_cost)},
                   {"Charged", l.bill_failed ? "not computed; flagged for the administrator" : money(l.charged)},
                   {"Refunded", money(l.refunded)},
                   {"Requested", local_time(l.created_at, zone, true)},
                   {"Decide by", local_time(l.decide_by, zone, true)},
                   {"Started", local_time(l.started_at, zone, true)},
                   {"Planned end", local_time(l.planned_end, zone, true)},
                   {"Ended", local_time(l.ended_at, zone, true)},
                   {"End reason", l.end_reason ? std::string(enum_name(*l.end_reason)) : "-"},
                   {"Note", or_dash(l.note)},
                   {"Environment", or_dash(l.environment)},
               });
  if (l.agent) print_agent(out, l, *l.agent, zone);
}

void print_access(std::ostream& out, const api::LeaseAccess& access, const std::string& lease_id) {
  const std::string port = std::to_string(access.port);
  print_fields(out, {
                        {"Host", or_dash(access.host)},
                        {"Port", port},
                        {"Username", or_dash(access.username)},
                        {"Password", or_dash(access.password)},
                        {"SSH key", or_dash(access.ssh_key)},
                        {"GPU indices", index_list(access.gpu_indices)},
                        {"CUDA_VISIBLE_DEVICES", or_dash(access.cuda_visible_devices)},
                    });
  const auto nodes = access.nodes.value_or(std::vector<api::LeaseNodeAccess>{});
  if (nodes.size() > 1) {
    out << "\nNodes (the same account on each):\n";
    for (const auto& n : nodes)
      out << "  node " << n.node << "  " << ip::endpoint_text(n.host, n.port) << "  units " << index_list(n.gpu_indices)
          << "  CUDA_VISIBLE_DEVICES=" << n.cuda_visible_devices << "\n";
  }
  out << "\nConnect with:\n";
  if (nodes.size() > 1)
    for (const auto& n : nodes)
      out << "  ssh -p " << n.port << " " << or_dash(access.username) << "@" << n.host << "\n";
  else
    out << "  ssh -p " << port << " " << or_dash(access.username) << "@" << or_dash(access.host) << "\n";
  print_block(out, "Usage (from the supplier)", access.usage);
  if (!lease_id.empty()) out << "\nShow these details again with: cpshare leases show " << lease_id << " --access\n";
}

// A B-class lease's access: the supplier's platform service (R-LEASE-6).
void print_platform_access(std::ostream& out, const api::LeasePlatformAccess& access) {
  print_fields(out, {
                        {"URL", or_dash(access.url)},
                        {"Username", or_dash(access.username)},
                        {"Password", or_dash(access.password)},
                        {"Token", or_dash(access.token)},
                        {"Environment", or_dash(access.environment)},
                        {"GPU indices", index_list(access.gpu_indices)},
                        {"Notes", or_dash(access.notes)},
                    });
}

// The server names request fields; say which flag set each.
// Not with --json: scripts match the field by its API path.
Error name_lease_flags(Error e, bool json) {
  if (json) return e;
  static const std::vector<std::pair<std::string, std::string>> flags = {{"cpc_id", "CPCID"},
                                                                         {"units", "--units"},
                                                                         {"nodes", "--nodes"},
                                                                         {"billing", "--billing"},
                                                                         {"periods", "--periods"},
                                                                         {"ssh_public_key", "--ssh-key"},
                                                                         {"environment", "--environment"}};
  for (auto& fe : e.fields)
    for (const auto& [field, flag] : flags)
      if (fe.field == field) fe.field = fmt::format("{} ({})", field, flag);
  return e;
}

Result<std::string> read_public_key(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return usage_error(fmt::format("--ssh-key {}: cannot read the file", file));
  std::stringstream s;
  s << in.rdbuf();
  std::string key = s.str();
  while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
  if (key.find("PRIVATE KEY") != std::string::npos)
    return usage_error(fmt::format("--ssh-key {}: this is a private key; pass the public one ({}.pub)", file, file));
  if (key.find('\n') != std::string::npos)
    return usage_error(
        fmt::format("--ssh-key {}: holds more than one line; pass a file with one OpenSSH public key, "
                    "e.g. ~/.ssh/id_ed25519.pub",
                    file));
  if (!(key.starts_with("ssh-") || key.starts_with("ecdsa-") || key.starts_with("sk-")))
    return usage_error(
        fmt::format("--ssh-key {}: not an OpenSSH public key (it should begin ssh-ed25519, ssh-rsa "
                    "or ecdsa-...), e.g. ~/.ssh/id_ed25519.pub",
                    file));
  return key;
}

// RFC 4180: quoted when it holds a comma, quote, CR or LF; quotes doubled.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// bills (the caller's ledger) or earnings (a supplier's): endpoint E, one month.
template <class E>
Result<> ledger(Context& ctx, bool bills) {
  const auto month = ctx.args.get("--month");
  if (month && !parse_month(*month))
    return usage_error(
        fmt::format("--month takes a month as YYYY-MM with a month from 01 to 12, e.g. 2026-11, not '{}'", *month));
  const bool csv = ctx.args.has("--csv");
  if (csv && ctx.want_json()) return usage_error("--csv and --json cannot be used together: choose one");
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::Ledger data, api->call<E>(api::MonthQuery{month}));
  if (csv) {
    std::ostream& out = ctx.io.out;
    out << "at,lease_id,kind,amount_fen,amount_yuan\r\n";
    for (const api::LedgerItem& e : data.items)
      out << csv_field(rfc3339(e.at.unix)) << ',' << csv_field(e.lease_id) << ','
          << csv_field(std::string(enum_name(e.kind))) << ',' << e.amount << ',' << catalog::format_yuan(e.amount)
          << "\r\n";
    return {};
  }
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    // "2027-03 (Asia/Shanghai)": whose calendar the month is.
    const std::string m =
        data.time_zone.empty() ? or_dash(data.month) : fmt::format("{} ({})", or_dash(data.month), data.time_zone);
    if (data.items.empty()) {
      out << fmt::format("No {} entries for {}.\n", bills ? "billing" : "earnings", m);
      return;
    }
    std::vector<std::vector<std::string>> rows = {{"AT", "LEASE", "KIND", "AMOUNT (¥)"}};
    for (const api::LedgerItem& e : data.items)
      rows.push_back(
          {local_time(e.at, ctx.zone()), or_dash(e.lease_id), std::string(enum_name(e.kind)), yuan(e.amount)});
    out << render_table(rows, ctx.colour());
    out << fmt::format("Total for {}: {} yuan ({} {})\n", m, yuan(data.total), data.items.size(),
                       data.items.size() == 1 ? "entry" : "entries");
    if (bills) out << "Charges are negative, refunds positive.\n";
  });
}

// Ends a lease through endpoint E (reject, terminate, release) and prints what was charged and refunded.
template <class E>
Result<> end_lease(Context& ctx, const typename E::Request& request, std::string_view verb) {
  TRY_ASSIGN(std::string id, lease_id_arg(ctx));
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::LeaseData data, api->call<E>(request, {{"lease_id", id}}));
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    const api::LeaseView& l = data.lease;
    out << fmt::format("{} {}: {}; state {}.\n", verb, id, what_line(l), name_of(l.state));
    if (l.started_at || l.charged.value_or(0) != 0 || l.refunded.value_or(0) != 0)
      out << fmt::format("  Charged ¥{}, refunded ¥{}.\n", l.charged ? yuan(l.charged) : "0.00",
                         l.refunded ? yuan(l.refunded) : "0.00");
  });
}

// ---------------------------------------------------------------- lease

void declare_lease(CLI::App* app, Args& a) {
  a.positional(app, "CPCID", "The cluster's id (cp-…; see cpshare list)", true);
  a.option(app, "--nodes", "N", "Class A: how many whole nodes to lease, with all their units (1 or more)");
  a.option(app, "--units", "N", "Class B: how many units (accelerators) to lease, 1 or more");
  a.option(app, "--billing", "MODE",
           "How to pay: hourly (pay as you go) or prepaid daily, monthly or yearly (required)", kBillingModes);
  a.option(app, "--periods", "K",
           "How many days, months or years to prepay (default 1); for hourly, the hours planned (the estimate)");
  a.file_option(app, "--ssh-key", "FILE",
                "Your OpenSSH public key (e.g. ~/.ssh/id_ed25519.pub), installed in the account (class A)");
  a.option(app, "--environment", "E",
           "One of the cluster's environments (class B; may be left out when it offers one or none)");
}

Result<> run_lease(Context& ctx) {
  const std::string given = ctx.args.get("CPCID").value_or("");
  const std::string cpc_id = lowered(given);
  if (!catalog::is_cpc_id(cpc_id))
    return usage_error(
        fmt::format("'{}' is not a cluster id: cp- and 10 letters or digits, e.g. cp-7k2m9x4qvd "
                    "(cpshare list shows the clusters)",
                    given));
  const auto units_text = ctx.args.get("--units"), nodes_text = ctx.args.get("--nodes");
  if (units_text.has_value() == nodes_text.has_value())
    return usage_error(units_text ? "pass --nodes N (class A) or --units N (class B), not both"
                                  : "pass --nodes N, how many whole nodes to lease (class A), or --units N, how many "
                                    "units (class B)");
  const std::string flag = units_text ? "--units" : "--nodes";
  const auto count = whole_number(units_text ? *units_text : *nodes_text);
  if (!count || *count < 1)
    return usage_error(
        fmt::format("{} takes a whole number, 1 or more, not '{}'", flag, units_text ? *units_text : *nodes_text));
  const auto billing = ctx.args.get("--billing");
  if (!billing) return usage_error("pass --billing hourly, daily, monthly or yearly");
  const auto mode = enum_parse<BillingMode>(*billing);
  if (!mode) return usage_error(fmt::format("--billing takes hourly, daily, monthly or yearly, not '{}'", *billing));
  api::LeaseRequest request{cpc_id, std::nullopt, std::nullopt, *mode, std::nullopt, std::nullopt, std::nullopt};
  (units_text ? request.units : request.nodes) = *count;
  if (auto p = ctx.args.get("--periods")) {
    const auto k = whole_number(*p);
    if (!k || *k < 1)
      return usage_error(
          fmt::format("--periods takes a whole number, 1 or more ({}s), not '{}'", period_word(*billing), *p));
    request.periods = *k;
  }
  if (auto file = ctx.args.get("--ssh-key")) {
    TRY_ASSIGN(request.ssh_public_key, read_public_key(*file));
  }
  if (auto env = ctx.args.get("--environment")) request.environment = *env;
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  auto data = api->call<api::endpoint::RequestLease>(request);
  if (!data) return std::unexpected(name_lease_flags(data.error(), ctx.want_json()));
  return ctx.emit(api::encode(*data), [&](std::ostream& out) {
    const api::LeaseView& l = data->lease;
    const std::string id = or_dash(l.lease_id);
    out << fmt::format("Requested {}: {}\n  {}, ¥{} per unit per {}; estimate ¥{}\n", id, what_line(l),
                       name_of(l.billing), yuan(l.unit_price), period_word(name_of(l.billing)), yuan(l.estimate));
    if (l.state == LeaseState::Requested)
      out << fmt::format(
          "The supplier {} decides by {}. Once approved, they pass you an authorization "
          "code: run cpshare redeem CODE to get your account.\n",
          or_dash(l.supplier), local_time(l.decide_by, ctx.zone()));
    else if (l.state == LeaseState::Provisioning)
      out << fmt::format(
          "State: provisioning. The cluster's agent sets up your access{}; once the lease is active (billing "
          "starts then), cpshare leases show {} --access shows it.\n",
          l.environment ? fmt::format(" ({})", *l.environment) : "", id);
    else
      out << "State: " << name_of(l.state) << ".\n";
    out << "Follow it with: cpshare leases show " << id << "\n";
  });
}

// ---------------------------------------------------------------- leases, leases show

void declare_leases(CLI::App* app, Args& a) {
  a.flag(app, "--incoming", "The leases of your clusters (suppliers) instead of your own");
  a.option(app, "--state", "S", "Only leases in this state", kLeaseStates);
}

Result<> run_leases(Context& ctx) {
  api::LeaseListQuery query;
  const bool incoming = ctx.args.has("--incoming");
  query.incoming = incoming;
  if (auto s = ctx.args.get("--state")) {
    query.state = enum_parse<LeaseState>(*s);
    if (!query.state)
      return usage_error(fmt::format(
          "--state takes requested, approved, provisioning, active, ended, rejected or lapsed, not '{}'", *s));
  }
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::LeaseList data, api->call<api::endpoint::ListLeases>(query));
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    if (data.items.empty()) {
      if (auto s = ctx.args.get("--state"))
        out << "No " << *s << " leases.\n";
      else if (incoming)
        out << "No leases of your clusters.\n";
      else
        out << "You have no leases (lease with: cpshare lease CPCID --nodes N --billing MODE, or --units N for class "
               "B).\n";
      return;
    }
    std::vector<std::string> header = {"LEASE", "CLUSTER"};
    if (incoming) header.push_back("USER");
    header.insert(header.end(), {"STATE", "UNITS", "BILLING", "AMOUNT (¥)", "STARTED", "ENDS"});
    std::vector<std::vector<std::string>> rows = {header};
    bool estimates = false;
    for (const api::LeaseView& l : data.items) {
      std::vector<std::string> row = {or_dash(l.lease_id), or_dash(l.cpc_id)};
      if (incoming) row.push_back(or_dash(l.user));
      const std::string amount = amount_cell(l);
      estimates = estimates || amount.starts_with("~");
      row.insert(row.end(), {name_of(l.state), std::to_string(l.units.size()), name_of(l.billing), amount,
                             local_time(l.started_at, ctx.zone()), end_cell(l, ctx.zone())});
      rows.push_back(std::move(row));
    }
    out << render_table(rows, ctx.colour());
    if (estimates) out << "~ an estimate: the amount is charged when the lease starts (prepaid) or ends (hourly).\n";
  });
}

void declare_leases_show(CLI::App* app, Args& a) {
  a.positional(app, "LEASE", "The lease's id (ls-…)", true);
  a.flag(app, "--access",
         "Also show the access details (class A: host, username, password; class B: URL, username, password or "
         "token; the lease's user only)");
  a.flag(app, "--report",
         "Show the service report of a B-class lease instead (availability, lost GPUs, utilisation, latency, "
         "loss; made when it ends)");
}

// "62.5%", "-" when absent.
std::string percent(const std::optional<double>& ratio) {
  return ratio ? fmt::format("{:.1f}%", *ratio * 100) : std::string("-");
}

// "2 h 3 min 4 s", "0 s".
std::string duration_text(std::int64_t seconds) {
  std::string out;
  if (seconds >= 3600) out += fmt::format("{} h ", seconds / 3600);
  if (seconds >= 60) out += fmt::format("{} min ", seconds % 3600 / 60);
  return out + fmt::format("{} s", seconds % 60);
}

void print_report(std::ostream& out, const api::LeaseReportView& v, const DisplayZone& zone) {
  if (!v.report) {
    out << fmt::format("No service report {}for lease {}: {}.\n", v.status == "pending" ? "yet " : "", v.lease_id,
                       or_dash(v.reason));
    return;
  }
  const api::ServiceReport& r = *v.report;
  auto line = [&](std::string_view label, const std::string& value) { out << fmt::format("{:<14}{}\n", label, value); };
  out << fmt::format("Service report of lease {} (R-LEASE-8), made {}\n", v.lease_id, local_time(v.made_at, zone));
  line("Window:", fmt::format("{} to {}", local_time(r.from, zone, true), local_time(r.to, zone, true)));
  // A share of no minutes (a lease ended the instant it began) is no share: "-".
  line("Availability:", r.minutes == 0 ? std::string("- (the window has no minutes)")
                                       : fmt::format("{} ({} of {} minutes reported)", percent(r.availability),
                                                     r.minutes_reported, r.minutes));
  if (r.gpus_lost.empty()) line("GPUs lost:", "none");
  for (std::size_t i = 0; i < r.gpus_lost.size(); ++i) {
    const api::LostGpu& g = r.gpus_lost[i];
    line(i == 0 ? "GPUs lost:" : "", fmt::format("unit {} {} since {}, for {}", g.unit, or_dash(g.uuid),
                                                 local_time(g.first_lost, zone, true), duration_text(g.seconds)));
  }
  line("Utilisation:", fmt::format("mean {}, p95 of 1-minute means {}", percent(r.gpu_utilization_mean),
                                   percent(r.gpu_utilization_p95)));
  line("Latency:", r.latency_mean_seconds ? fmt::format("{:.1f} ms", *r.latency_mean_seconds * 1000) : "-");
  line("Loss:", percent(r.loss_mean_ratio));
}

Result<> run_leases_show(Context& ctx) {
  TRY_ASSIGN(std::string id, lease_id_arg(ctx));
  if (ctx.args.has("--report")) {
    if (ctx.args.has("--access")) return usage_error("--report and --access are apart: ask for one at a time");
    TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
    TRY_ASSIGN(api::LeaseReportView view, api->call<api::endpoint::LeaseReport>({}, {{"lease_id", id}}));
    return ctx.emit(api::encode(view), [&](std::ostream& out) { print_report(out, view, ctx.zone()); });
  }
  const api::LeaseShowQuery query{ctx.args.has("--access")};
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::LeaseDetail data, api->call<api::endpoint::ShowLease>(query, {{"lease_id", id}}));
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    print_lease(out, data.lease, ctx.colour(), ctx.zone());
    if (data.access) {
      out << "\nAccess:\n";
      print_access(out, *data.access, "");
    }
    if (data.platform_access) {
      out << "\nAccess (the supplier's platform):\n";
      print_platform_access(out, *data.platform_access);
    }
  });
}

// ---------------------------------------------------------------- approve, reject, terminate, release

void declare_lease_id(CLI::App* app, Args& a) { a.positional(app, "LEASE", "The lease's id (ls-…)", true); }

Result<> run_approve(Context& ctx) {
  TRY_ASSIGN(std::string id, lease_id_arg(ctx));
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::LeaseApproval data, api->call<api::endpoint::ApproveLease>({}, {{"lease_id", id}}));
  // A-class: a leased node not verified yet makes the user's redeem fail; say so now (a hint: a failed read says
  // nothing).
  std::string unverified;
  if (!ctx.want_json() && data.lease.cluster_class == "A")
    if (auto shown = api->call<api::endpoint::ShowCluster>({}, {{"cpc_id", data.lease.cpc_id}})) {
      const auto nodes = shown->cluster.access.nodes.value_or(std::vector<api::NodeView>{});
      std::set<std::int64_t> leased;
      for (int u : data.lease.units)
        if (u >= 0 && static_cast<std::size_t>(u) < shown->units.size())
          leased.insert(shown->units[static_cast<std::size_t>(u)].node.value_or(-1));
      for (std::int64_t k : leased)
        if (k >= 0 && static_cast<std::size_t>(k) < nodes.size() &&
            !nodes[static_cast<std::size_t>(k)].host_key_fingerprint)
          unverified += fmt::format(
              "{}node {} ({})", unverified.empty() ? "" : ", ", k,
              ip::endpoint_text(nodes[static_cast<std::size_t>(k)].host, nodes[static_cast<std::size_t>(k)].port));
    }
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    const api::LeaseView& l = data.lease;
    const std::string code = or_dash(data.auth_code);
    const std::string user = or_dash(l.user);
    out << fmt::format("Approved {}: {} for {}.\n\n", id, what_line(l), user);
    out << "Authorization code:\n\n    " << bold(code, ctx.colour()) << "\n\n";
    out << fmt::format("It is shown only this once: pass it to {} now (they run cpshare redeem {}).\n", user, code);
    out << fmt::format("It expires at {}; if it is not redeemed by then the lease lapses.\n",
                       local_time(data.expires_at, ctx.zone()));
    if (!unverified.empty())
      out << fmt::format(
          "\nNote: the lease's {} not verified yet, so the redeem would fail: run cpshare cluster "
          "verify {} first.\n",
          unverified + (unverified.find(',') == std::string::npos ? " is" : " are"), l.cpc_id);
  });
}

void declare_lease_reason(CLI::App* app, Args& a) {
  a.positional(app, "LEASE", "The lease's id (ls-…)", true);
  a.option(app, "--reason", "TEXT", "Why, in words the user can act on (required; shown to them)");
}

Result<> run_reject(Context& ctx) {
  TRY_ASSIGN(std::string id, lease_id_arg(ctx));
  TRY_ASSIGN(std::string reason, flag_or_ask(ctx, "--reason", "Reason (shown to the user)"));
  if (reason.empty()) return usage_error("--reason must not be empty: say why, in words the user can act on");
  return end_lease<api::endpoint::RejectLease>(ctx, api::LeaseReasonRequest{reason}, "Rejected");
}

Result<> run_terminate(Context& ctx) {
  TRY_ASSIGN(std::string id, lease_id_arg(ctx));
  TRY_ASSIGN(std::string reason, flag_or_ask(ctx, "--reason", "Reason (shown to the user)"));
  if (reason.empty()) return usage_error("--reason must not be empty: say why, in words the user can act on");
  return end_lease<api::endpoint::TerminateLease>(ctx, api::LeaseReasonRequest{reason}, "Terminated");
}

Result<> run_release(Context& ctx) { return end_lease<api::endpoint::ReleaseLease>(ctx, {}, "Released"); }

// ---------------------------------------------------------------- redeem

void declare_redeem(CLI::App* app, Args& a) {
  a.positional(app, "CODE", "The authorization code from the supplier, e.g. 7K2M-9X4Q-VD3H-RT8N", true);
}

Result<> run_redeem(Context& ctx) {
  // Typed with a Chinese input method, "７Ｋ２Ｍ－…" is the code it means (issue 8, NFKC).
  const std::string code = normalize::field(ctx.args.get("CODE").value_or(""));
  std::size_t symbols = 0;
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    if (kIdAlphabet.find(static_cast<char>(std::tolower(static_cast<unsigned char>(c)))) == std::string_view::npos) {
      symbols = 0;
      break;
    }
    ++symbols;
  }
  if (symbols != 16) {
    // Repeated only while short enough to be a mistyped code, never a pasted screenful.
    const std::string shown = normalize::characters(code) <= 32
                                  ? fmt::format("'{}'", code)
                                  : fmt::format("the argument ({} characters)", normalize::characters(code));
    return usage_error(
        fmt::format("{} is not an authorization code: 16 letters and digits, e.g. "
                    "7K2M-9X4Q-VD3H-RT8N (ask the supplier for it)",
                    shown));
  }
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  // Making the account takes a while (SSH to the supplier's host): say so, on a terminal, but
  // only once the server has accepted the code (a wrong code gets the error alone); the check
  // also names the lease the code is for.
  const api::RedeemRequest request{code};
  TRY_ASSIGN(api::LeaseData checked, api->call<api::endpoint::CheckCode>(request));
  if (ctx.io.err_is_tty) {
    ctx.io.err << "creating your account on " << what_line(checked.lease) << "…\n";
    ctx.io.err.flush();
  }
  TRY_ASSIGN(api::Redemption data, api->call<api::endpoint::Redeem>(request));
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    const api::LeaseView& l = data.lease;
    const std::string id = or_dash(l.lease_id);
    out << fmt::format("Your account for lease {} ({}) is ready.\n\n", id, what_line(l));
    print_access(out, data.access, l.lease_id);
    if (l.billing == catalog::BillingMode::Hourly)
      out << "Billing runs from now until you end it with: cpshare release " << id << "\n";
    else
      out << fmt::format("Prepaid until {}; end it early with: cpshare release {}\n",
                         local_time(l.planned_end, ctx.zone()), id);
  });
}

// ---------------------------------------------------------------- bills, earnings

void declare_ledger(CLI::App* app, Args& a) {
  a.option(app, "--month", "YYYY-MM",
           "The month (platform calendar, Beijing time by default) to show, e.g. 2026-11 (default: this month)");
  a.flag(app, "--csv", "Print RFC 4180 CSV (at,lease_id,kind,amount_fen,amount_yuan) instead of a table");
}

Result<> run_bills(Context& ctx) { return ledger<api::endpoint::Bills>(ctx, true); }
Result<> run_earnings(Context& ctx) { return ledger<api::endpoint::Earnings>(ctx, false); }

}  // namespace

// This file's rows of the command table (commands.cpp joins the areas).
std::vector<Command> lease_commands() {
  return {
      {{"lease"},
       "Lease whole nodes (class A) or units (class B) of a cluster (active users)",
       {"cpshare lease cp-7k2m9x4qvd --nodes 2 --billing hourly --ssh-key ~/.ssh/id_ed25519.pub",
        "cpshare lease cp-b8x2m9x4qv --units 1 --billing daily --periods 7",
        "LEASE=$(cpshare --json lease cp-7k2m9x4qvd --nodes 1 --billing monthly | jq -r .lease.lease_id)"},
       declare_lease,
       run_lease,
       false,
       "A class A cluster is bare metal: a lease takes --nodes N whole nodes, with every unit on them that is not "
       "offline, and no one else gets a unit of those nodes while it lasts (you see and pay for the units you "
       "get). A class B lease takes --units N idle units. Both are reserved at the cluster's current price for "
       "the billing mode (later price changes do not touch the lease). hourly is paid at the end for every started "
       "minute; --periods K then only plans K "
       "hours for the estimate. daily, monthly and yearly are prepaid for K periods (default 1) when the lease "
       "starts; releasing early refunds the periods not yet begun. For a class A cluster the supplier approves "
       "the request and passes you an authorization code: cpshare redeem CODE creates your account, the same on every "
       "leased node. --ssh-key "
       "installs your public key in that account. For a class B cluster choose one of its environments with "
       "--environment (cpshare show CPCID lists them); the cluster's agent then provisions the lease on the "
       "supplier's platform, and once it is active (billing starts then) cpshare leases show LEASE --access shows "
       "the URL, username and password or token. With --json, prints {\"lease\": {...}}: take the id from "
       ".lease.lease_id."},
      {{"leases"},
       "List your leases, or (--incoming) those of your clusters",
       {"cpshare leases", "cpshare leases --state active", "cpshare leases --incoming --state requested",
        "cpshare leases show ls-7k2m9x4qvd --access"},
       declare_leases,
       run_leases,
       false,
       "AMOUNT is in yuan: what was charged once settled, the running cost of an active hourly lease (so far), "
       "else the estimate (~). Times are your local time (TZ) with its offset. ENDS is when the lease ended, or its "
       "planned end. Show one lease "
       "with cpshare leases show."},
      {{"leases", "show"},
       "Show a lease: terms, amounts, times, (--access) your account on the cluster, (--report) its service report",
       {"cpshare leases show ls-7k2m9x4qvd", "cpshare leases show ls-7k2m9x4qvd --access",
        "cpshare leases show ls-7k2m9x4qvd --report"},
       declare_leases_show,
       run_leases_show,
       false,
       "Amounts are in yuan and times your local time (TZ) with its offset. --access shows the access details (host, "
       "port, "
       "username, password, GPU indices) again; only the lease's user sees them, once the code is redeemed. "
       "--report shows a B-class lease's service report (R-LEASE-8), which the platform makes once the lease has "
       "ended, for its user and its supplier alike: the window (activation to end), availability (the share of its "
       "minutes with a report from the cluster's agent), each GPU lost (unit, UUID, since when, for how long), GPU "
       "utilisation (the mean and the p95 of 1-minute means), probe latency and loss; \"-\" where there is "
       "nothing to average (the hardware gave no reading, a window with no minutes). With --json, --report prints "
       "{\"lease_id\", \"status\" (ready, pending or none), \"reason\", "
       "\"made_at\", \"report\"}."},
      {{"approve"},
       "Approve a lease request of your cluster and get its authorization code",
       {"cpshare approve ls-7k2m9x4qvd", "cpshare --json approve ls-7k2m9x4qvd | jq -r .auth_code"},
       declare_lease_id,
       run_approve,
       false,
       "Prints the one-time authorization code: it is shown only once, so pass it to the user now (they run "
       "cpshare redeem CODE). If it is not redeemed before it expires the lease lapses and its units return to "
       "idle. With --json, prints {\"lease\", \"auth_code\", \"expires_at\"}."},
      {{"reject"},
       "Reject a lease request of your cluster, with a reason for the user",
       {"cpshare reject ls-7k2m9x4qvd --reason 'Units 0-3 are reserved for maintenance this week.'"},
       declare_lease_reason,
       run_reject,
       false,
       "The units return to idle. On a terminal cpshare asks for the reason when --reason is not given."},
      {{"terminate"},
       "End a running lease of your cluster, with a reason for the user",
       {"cpshare terminate ls-7k2m9x4qvd --reason 'Hardware fault on the host.'"},
       declare_lease_reason,
       run_terminate,
       false,
       "The user's account is locked, its processes killed and the account removed; the lease is settled as if "
       "released now (prepaid periods not yet begun are refunded)."},
      {{"release"},
       "End your own lease now (its account is removed)",
       {"cpshare release ls-7k2m9x4qvd"},
       declare_lease_id,
       run_release,
       false,
       "Settles the lease: hourly leases are charged every started minute; prepaid leases are charged the periods "
       "begun and refunded the rest. Your account on the cluster is locked, its processes killed and it is "
       "removed: copy your results off first."},
      {{"redeem"},
       "Redeem an authorization code: create your account and show its access",
       {"cpshare redeem 7K2M-9X4Q-VD3H-RT8N", "cpshare --json redeem 7K2M-9X4Q-VD3H-RT8N | jq -r .access.password"},
       declare_redeem,
       run_redeem,
       false,
       "The daemon creates a dedicated account, the same on every leased node (this can take some seconds), "
       "with CUDA_VISIBLE_DEVICES set to your units on each, and billing starts; if one node fails, no account "
       "is left and the error names the node. Prints the host, port, username, password, "
       "GPU indices, the supplier's usage notes and an ssh command line. Case, dashes and spaces in the code do "
       "not matter. See the details again with cpshare leases show LEASE --access. With --json, prints "
       "{\"lease\", \"access\"}."},
      {{"bills"},
       "Show your charges and refunds for a month",
       {"cpshare bills", "cpshare bills --month 2026-11 --csv > bills-2026-11.csv"},
       declare_ledger,
       run_bills,
       false,
       "One row per ledger entry (charges negative, refunds positive), amounts in yuan, and the month's total. "
       "Months are the platform's calendar months (Beijing time, Asia/Shanghai, unless cpshared runs with "
       "--billing-timezone); times are "
       "your local time (TZ). --csv prints RFC 4180 CSV with the header at,lease_id,kind,amount_fen,amount_yuan "
       "(at in RFC 3339 UTC)."},
      {{"earnings"},
       "Show your earnings from leases of your clusters for a month (suppliers)",
       {"cpshare earnings", "cpshare earnings --month 2026-11 --csv > earnings-2026-11.csv"},
       declare_ledger,
       run_earnings,
       false,
       "One row per settled lease, amounts in yuan, and the month's total. Months are the platform's calendar "
       "months (Beijing time, Asia/Shanghai, unless cpshared runs with --billing-timezone); times are your local time "
       "(TZ). --csv prints "
       "RFC 4180 CSV with the header at,lease_id,kind,amount_fen,amount_yuan (at in RFC 3339 UTC)."},
  };
}

}  // namespace cpshare::clicmd::cmd
