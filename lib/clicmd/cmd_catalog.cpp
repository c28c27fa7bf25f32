// The catalogue (docs/design/catalogue.md, issue 3): publish, show, list, filter, update,
// delist, relist and units. Human units on the command line ("80GB", "12.50") become the
// wire's integers (bytes, fen) here, checked with catalog/units.hpp before anything is sent.
#include <cmath>
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "api/catalog.hpp"
#include "api/metrics.hpp"
#include "catalog/cluster.hpp"
#include "catalog/filter.hpp"
#include "catalog/units.hpp"
#include "domain/normalize.hpp"
#include "clicmd/context.hpp"
#include "clicmd/display.hpp"
#include "clicmd/input.hpp"
#include "util/ip.hpp"
#include "util/text.hpp"

namespace cpshare::clicmd::cmd {

namespace {

// How a flag's value becomes JSON.
enum class Kind {
  Text,     // a string as given
  Count,    // a whole number ≥ 0
  Port,     // 1..65535
  Size,     // "80GB" → bytes (parse_size)
  Yuan,     // "12.50" → fen (parse_yuan)
  Storage,  // "2x3.84TB nvme data" → {"description": …} (checked with parse_storage)
  List,     // repeatable → an array of strings
  Nodes,    // repeatable HOST[:PORT] → access.nodes (add_nodes)
  File,     // the text of a file
};

struct FieldFlag {
  const char* flag;
  const char* value_name;
  const char* path;  // JSON path in the publish request: "prices.hourly"
  Kind kind;
  const char* help;
  std::vector<std::string> choices = {};
};

const std::vector<FieldFlag>& field_flags() {
  static const std::vector<FieldFlag> flags = {
      {"--class",
       "C",
       "class",
       Kind::Text,
       "A (bare metal, reached by SSH) or B (virtualised, on your platform)",
       {"A", "B"}},
      {"--resource-type", "T", "resource_type", Kind::Text, "The accelerator kind", {"GPU", "NPU", "CPU"}},
      {"--model", "M", "model", Kind::Text, "The accelerator (or CPU) model, e.g. 'A100 80GB'"},
      {"--units", "N", "units", Kind::Count, "Number of accelerators (a CPU-only cluster is 1 unit)"},
      {"--unit-memory", "SIZE", "unit_memory", Kind::Size, "Memory per accelerator, e.g. 80GB (0 for CPU)"},
      {"--memory", "SIZE", "memory", Kind::Size, "Host memory, e.g. 1TB or 512GiB"},
      {"--vcpus", "N", "vcpus", Kind::Count, "Number of vCPUs"},
      {"--price-hourly", "YUAN", "prices.hourly", Kind::Yuan, "Price per unit per hour in yuan, e.g. 12.50"},
      {"--price-daily", "YUAN", "prices.daily", Kind::Yuan, "Price per unit per day in yuan"},
      {"--price-monthly", "YUAN", "prices.monthly", Kind::Yuan, "Price per unit per month in yuan"},
      {"--price-yearly", "YUAN", "prices.yearly", Kind::Yuan, "Price per unit per year in yuan"},
      {"--vendor", "V", "vendor", Kind::Text, "The hardware vendor"},
      {"--location", "L", "location", Kind::Text, "Where the cluster is, e.g. 深圳市"},
      {"--region", "R", "region", Kind::Text, "The region, e.g. Guangdong"},
      {"--storage", "DESC", "storage", Kind::Storage, "Local storage, e.g. '2x3.84TB nvme data, 480GB ssd system'"},
      {"--cuda", "VERSION", "software.cuda", Kind::Text, "CUDA version, e.g. 12.4"},
      {"--cudnn", "VERSION", "software.cudnn", Kind::Text, "cuDNN version"},
      {"--python", "VERSION", "software.python", Kind::Text, "Python version"},
      {"--framework", "X", "software.frameworks", Kind::List, "A framework installed, e.g. 'pytorch 2.3' (repeatable)"},
      {"--description", "TEXT", "description", Kind::Text, "A description for leasers"},
      {"--usage", "TEXT", "usage", Kind::Text, "Usage instructions for leasers (class A)"},
      {"--usage-file", "FILE", "usage", Kind::File, "Read the usage instructions from FILE (class A)"},
      {"--node", "HOST[:PORT]", "access.nodes", Kind::Nodes,
       "A node of the cluster (class A; repeatable; IPv6 as [ADDRESS]:PORT): the platform reaches it by SSH as "
       "--ssh-user to create leasers' accounts; --units is split evenly over the nodes (update: the nodes replace "
       "the cluster's, keeping its units and admin user unless given)"},
      {"--ssh-host", "HOST", "access.ssh_host", Kind::Text,
       "For a cluster of one node: the host the platform reaches by SSH (class A; or use --node)"},
      {"--ssh-port", "PORT", "access.ssh_port", Kind::Port, "Its SSH port (class A; default 22)"},
      {"--ssh-user", "USER", "access.ssh_user", Kind::Text, "The nodes' administrative SSH user (class A)"},
      {"--platform-url", "URL", "access.platform_url", Kind::Text, "Your platform's URL (class B)"},
      {"--environment", "X", "access.environments", Kind::List,
       "An environment your platform offers, e.g. jupyterlab (class B; repeatable)"},
  };
  return flags;
}

// "cp-7k2m9x4qvd"; upper case is accepted and lowered.
Result<std::string> cpc_id_arg(Context& ctx, std::string_view name = "CPCID") {
  std::string id = ctx.args.get(name).value_or("");
  for (char& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (id.empty()) return usage_error("pass the cluster's id (e.g. cp-7k2m9x4qvd)");
  if (!catalog::is_cpc_id(id))
    return usage_error("'" + ctx.args.get(name).value_or("") +
                       "' is not a cluster id: cp- and 10 letters or digits, e.g. cp-7k2m9x4qvd");
  return id;
}

Result<std::string> read_text_file(const std::string& flag, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return usage_error(flag + " " + file + ": cannot read the file");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Sets body[a][b] for the path "a.b".
void set_path(json& body, std::string_view path, json value) {
  const auto dot = path.find('.');
  if (dot == std::string_view::npos)
    body[std::string(path)] = std::move(value);
  else
    body[std::string(path.substr(0, dot))][std::string(path.substr(dot + 1))] = std::move(value);
}

// --file: a JSON object sent as is. Nothing else of the field flags may be given with it.
Result<std::optional<json>> file_body(Context& ctx) {
  auto file = ctx.args.get("--file");
  if (!file) return std::optional<json>{};
  for (const auto& f : field_flags())
    if (ctx.args.has(f.flag))
      return usage_error(std::string("--file and ") + f.flag +
                         " cannot be used together: put every field in the file, or pass them all as flags");
  TRY_ASSIGN(std::string text, read_text_file("--file", *file));
  json body = json::parse(text, nullptr, false);
  if (!body.is_object()) return usage_error("--file " + *file + ": not a JSON object");
  return std::optional<json>(std::move(body));
}

// "gpu01", "gpu01:2222", "10.0.0.5:22", "[2001:db8::1]" or "[2001:db8::1]:22" → host and port.
// An IPv6 address must be in brackets: "2001:db8::1:22" could be an address or one with a port.
Result<std::pair<std::string, std::optional<std::int64_t>>> host_port(const std::string& v) {
  std::string host = v;
  std::optional<std::string> port;
  if (v.starts_with('[')) {
    const auto close = v.find(']');
    if (close == std::string::npos || (close + 1 < v.size() && v[close + 1] != ':'))
      return usage_error(fmt::format("--node '{}': write an IPv6 node as [ADDRESS]:PORT", v));
    host = v.substr(1, close - 1);
    if (close + 1 < v.size()) port = v.substr(close + 2);
  } else if (std::ranges::count(v, ':') == 1) {
    host = v.substr(0, v.find(':'));
    port = v.substr(v.find(':') + 1);
  } else if (std::ranges::count(v, ':') > 1) {
    return usage_error(
        fmt::format("--node '{}': write an IPv6 node in brackets, [ADDRESS] or [ADDRESS]:PORT "
                    "(e.g. [2001:db8::1]:22), so that its port cannot be read as part of it",
                    v));
  }
  if (host.empty()) return usage_error(fmt::format("--node '{}': give a host, e.g. gpu01.example.edu.cn:22", v));
  if (!port) return std::pair{host, std::optional<std::int64_t>{}};
  const auto n = whole_number(*port);
  if (!n || *n < 1 || *n > 65535) return usage_error(fmt::format("--node '{}': the port must be 1 to 65535", v));
  return std::pair{host, std::optional<std::int64_t>(*n)};
}

// What `update --node` keeps of the cluster when --units or --ssh-user is not
// given: its units in all, and its nodes' admin user when they share one.
struct NodeDefaults {
  std::optional<std::int64_t> units;
  std::optional<std::string> user;
  bool cpu = false;
};

// --node HOST[:PORT], repeatable → access.nodes: each node's admin user is
// --ssh-user and its units an equal share of --units (one each for a CPU-only
// cluster). Uneven nodes, or device ids, go in a --file.
Result<> add_nodes(Context& ctx, json& body, const NodeDefaults& keep) {
  const auto given = ctx.args.get_all("--node");
  if (given.empty()) return {};
  for (const char* flag : {"--ssh-host", "--ssh-port"})
    if (ctx.args.has(flag))
      return usage_error(fmt::format("--node and {} cannot be used together: give every node with --node", flag));
  const auto user = ctx.args.has("--ssh-user") ? ctx.args.get("--ssh-user") : keep.user;
  if (!user) return usage_error("pass --ssh-user USER: the admin user the platform logs in as on every --node");
  const bool cpu = keep.cpu || normalize::field(ctx.args.get("--resource-type").value_or("")) == "CPU";
  const auto count = static_cast<std::int64_t>(given.size());
  std::int64_t per_node = 1;
  if (body.contains("units") || (keep.units && !cpu)) {
    const std::int64_t units = body.contains("units") ? body.at("units").get<std::int64_t>() : *keep.units;
    if (units < count)
      return usage_error(
          fmt::format("--units {} is fewer than the {} nodes: each node has at least one unit", units, count));
    if (units % count != 0)
      return usage_error(
          fmt::format("{} {} does not split evenly over {} nodes: give --units, or each node's units in a "
                      "--file (access.nodes[].units)",
                      body.contains("units") ? "--units" : "the cluster's units,", units, count));
    per_node = units / count;
  } else if (!cpu) {
    return usage_error("pass --units N, the cluster's units in all: they are split evenly over the --node hosts");
  }
  json nodes = json::array();
  for (const auto& v : given) {
    TRY_ASSIGN(auto hp, host_port(normalize::field(v)));
    json node{{"host", hp.first}, {"user", *user}, {"units", per_node}};
    if (hp.second) node["port"] = *hp.second;
    nodes.push_back(std::move(node));
  }
  if (body.contains("access")) body["access"].erase("ssh_user");
  body["access"]["nodes"] = std::move(nodes);
  return {};
}

// The request from the field flags: only the flags given. Bad values are all reported at once
// (VALIDATION_FAILED, fields named by flag); nothing is sent.
Result<json> flags_body(Context& ctx, const NodeDefaults& keep = {}) {
  if (ctx.args.has("--usage") && ctx.args.has("--usage-file"))
    return usage_error("--usage and --usage-file cannot be used together");
  json body = json::object();
  std::vector<FieldError> bad;
  for (const auto& f : field_flags()) {
    if (f.kind == Kind::Nodes) continue;  // add_nodes
    if (f.kind == Kind::List) {
      auto values = ctx.args.get_all(f.flag);
      if (!values.empty()) set_path(body, f.path, values);
      continue;
    }
    auto v = ctx.args.get(f.flag);
    if (!v) continue;
    // Numbers, sizes and prices typed with a Chinese input method ("２０", "８０ＧＢ") are the
    // ASCII they mean (issue 8, NFKC); a file's path is used as given.
    if (f.kind != Kind::File) v = normalize::field(*v);
    switch (f.kind) {
      case Kind::Text: set_path(body, f.path, *v); break;
      case Kind::File: {
        TRY_ASSIGN(std::string text, read_text_file(f.flag, *v));
        set_path(body, f.path, text);
        break;
      }
      case Kind::Count:
        if (auto n = whole_number(*v))
          set_path(body, f.path, *n);
        else
          bad.push_back({f.flag, "'" + *v + "' is not a whole number"});
        break;
      case Kind::Port:
        if (auto n = whole_number(*v); n && *n >= 1 && *n <= 65535)
          set_path(body, f.path, *n);
        else
          bad.push_back({f.flag, "'" + *v + "' is not a port (1 to 65535)"});
        break;
      case Kind::Size:
        if (auto n = catalog::parse_size(*v))
          set_path(body, f.path, *n);
        else
          bad.push_back({f.flag, n.error().message});
        break;
      case Kind::Yuan:
        if (auto n = catalog::parse_yuan(*v))
          set_path(body, f.path, *n);
        else
          bad.push_back({f.flag, n.error().message});
        break;
      case Kind::Storage:
        if (auto s = catalog::parse_storage(*v))
          set_path(body, f.path, json{{"description", *v}});
        else
          bad.push_back({f.flag, s.error().message});
        break;
      case Kind::List:
      case Kind::Nodes: break;
    }
  }
  if (!bad.empty()) return fail_fields(std::move(bad));
  // --ssh-host [2001:db8::5], written as --node takes it: the address inside.
  if (auto* host = body.contains("access") ? &body["access"] : nullptr; host && host->contains("ssh_host")) {
    const std::string h = host->at("ssh_host").get<std::string>();
    if (h.size() > 2 && h.front() == '[' && h.back() == ']') (*host)["ssh_host"] = h.substr(1, h.size() - 2);
  }
  TRY(add_nodes(ctx, body, keep));
  // A top-level units on a cluster of nodes is refused: the nodes carry them.
  if (body.contains("access") && body["access"].contains("nodes")) body.erase("units");
  return body;
}

// The server names fields by JSON path; when the request came from flags, say which flag too.
// Not with --json: scripts match the field by its API path.
Error name_flags(Error e, bool json) {
  if (json) return e;
  for (auto& fe : e.fields)
    for (const auto& f : field_flags())
      if (fe.field == f.path || fe.field.starts_with(std::string(f.path) + "[")) {
        fe.field += " (" + std::string(f.flag) + ")";
        break;
      }
  return e;
}

void declare_field_flags(CLI::App* app, Args& a) {
  for (const auto& f : field_flags()) {
    if (f.kind == Kind::List || f.kind == Kind::Nodes)
      a.multi_option(app, f.flag, f.value_name, f.help);
    else if (f.kind == Kind::File)
      a.file_option(app, f.flag, f.value_name, f.help);
    else
      a.option(app, f.flag, f.value_name, f.help, f.choices);
  }
}

// ---------------------------------------------------------------- display

std::string size_text(std::int64_t bytes) { return catalog::format_size(bytes); }

constexpr std::array<std::pair<const char*, const char*>, 4> kModes = {
    {{"hourly", "h"}, {"daily", "day"}, {"monthly", "month"}, {"yearly", "year"}}};

const std::optional<std::int64_t>& price_of(const api::PricesView& p, std::size_t mode) {
  const std::optional<std::int64_t>* all[] = {&p.hourly, &p.daily, &p.monthly, &p.yearly};
  return *all[mode];
}

// The price for a table: hourly when offered, else the first mode offered ("280.00/day").
std::string table_price(const api::ClusterView& c) {
  for (std::size_t i = 0; i < kModes.size(); ++i)
    if (auto fen = price_of(c.prices, i)) return catalog::format_yuan(*fen) + "/" + kModes[i].second;
  return "-";
}

// "99.9%" (rounded down, so that a cluster short of 100 % never shows 100.0%);
// "-" for an A-class cluster or a B-class one before its first report.
std::string reliability_text(const api::ClusterView& c) {
  if (!c.reliability) return "-";
  const auto tenths = static_cast<std::int64_t>(std::llround(*c.reliability * 1e6)) / 1000;
  return fmt::format("{}.{}%", tenths / 10, tenths % 10);
}

std::string free_of_units(const api::ClusterView& c) {
  return std::to_string(c.units_free) + "/" + std::to_string(c.units);
}

std::string joined(const std::vector<std::string>& list) {
  if (list.empty()) return "-";
  std::string out;
  for (const auto& x : list) out += (out.empty() ? "" : ", ") + x;
  return out;
}

std::string status_name(const api::ClusterView& c) { return std::string(enum_name(c.status)); }

std::string cluster_status(const api::ClusterView& c, bool colour) {
  const std::string s = status_name(c);
  if (!colour) return s;
  return std::string("\033[") + (s == "listed" ? "32" : "33") + "m" + s + "\033[0m";
}

std::string unit_memory_text(const api::ClusterView& c) { return c.unit_memory > 0 ? size_text(c.unit_memory) : "-"; }

// One line: "cp-7k2m9x4qvd: class A, 8 x GPU A100 80GB (80 GB each), 12.50/h, 深圳市, listed".
std::string summary_line(const api::ClusterView& c) {
  std::string s =
      c.cpc_id + ": class " + c.cls + ", " + std::to_string(c.units) + " x " + c.resource_type + " " + c.model;
  if (c.unit_memory > 0) s += " (" + size_text(c.unit_memory) + " each)";
  return s + ", " + table_price(c) + ", " + or_dash(c.location) + ", " + status_name(c);
}

std::string unit_mark(std::string_view status) {
  const auto s = enum_parse<UnitStatus>(status);
  if (!s) return "?";
  switch (*s) {
    case UnitStatus::Idle: return ".";
    case UnitStatus::Reserved: return "r";  // held by a lease not active yet
    case UnitStatus::Busy: return "B";
    case UnitStatus::Offline: return "x";
  }
  return "?";
}

// Per-unit status, 16 a row: "   0-15   . . B . x …", then a legend and the counts.
void print_unit_grid(std::ostream& out, const std::vector<api::UnitView>& units) {
  if (units.empty()) {
    out << "No units.\n";
    return;
  }
  std::vector<std::pair<std::int64_t, std::string>> list;
  std::map<std::string, int> counts;
  for (const auto& u : units) {
    list.emplace_back(u.index, std::string(enum_name(u.status)));
    ++counts[std::string(enum_name(u.status))];
  }
  std::sort(list.begin(), list.end());
  constexpr std::size_t kPerRow = 16;
  const std::string last = std::to_string(list.back().first);
  for (std::size_t i = 0; i < list.size(); i += kPerRow) {
    const std::size_t end = std::min(list.size(), i + kPerRow);
    std::string label = std::to_string(list[i].first) + "-" + std::to_string(list[end - 1].first);
    const std::size_t width = 2 * last.size() + 1;
    out << "  " << std::string(width > label.size() ? width - label.size() : 0, ' ') << label << "  ";
    for (std::size_t j = i; j < end; ++j) out << (j > i ? " " : "") << unit_mark(list[j].second);
    out << "\n";
  }
  out << "  legend: . idle  r reserved  B busy  x offline";
  const std::vector<std::string> known = enum_names<UnitStatus>();
  if (counts.size() >
      static_cast<std::size_t>(std::ranges::count_if(known, [&](const std::string& s) { return counts.count(s) > 0; })))
    out << "  ? other";
  out << "\n  ";
  bool first = true;
  for (const std::string& s : known) {
    out << (first ? "" : ", ") << counts[s] << " " << s;
    first = false;
  }
  out << " (of " << list.size() << ")\n";
  for (const auto& u : units)
    if (u.gpu_lost_since)
      out << "  unit " << u.index << ": GPU lost since " << rfc3339(u.gpu_lost_since->unix) << " ("
          << enum_name(u.status) << ")\n";
}

// "online, last report 12 s ago (2026-12-04T08:39:10Z)", "offline: no report yet".
std::string health_text(const api::ClusterView& c, bool colour) {
  const std::string h(enum_name(*c.health));
  std::string s =
      colour ? std::string("\033[") + (*c.health == ClusterHealth::Online ? "32" : "31") + "m" + h + "\033[0m" : h;
  if (!c.last_report_at) return s + ": no report from its agent yet";
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return s + fmt::format(", last report {} s ago ({})", std::max<std::int64_t>(0, now - c.last_report_at->unix),
                         rfc3339(c.last_report_at->unix));
}

// The hardware and prices of a cluster, as "label: value" rows.
std::vector<std::pair<std::string, std::string>> hardware_fields(const api::ClusterView& c, bool colour) {
  const bool a_class = c.cls == "A";
  std::vector<std::pair<std::string, std::string>> fields = {
      {"CPC ID", c.cpc_id},
      {"Status", cluster_status(c, colour)},
  };
  // B-class: what its agent's reports say (A-class clusters are not monitored).
  if (c.health) {
    fields.emplace_back("Health", health_text(c, colour));
    fields.emplace_back("Reliability", c.reliability ? reliability_text(c) +
                                                           " of the minutes of the last 30 days up "
                                                           "(reported, no GPU lost)"
                                                     : "not scored yet (no report from its agent)");
  }
  fields.insert(fields.end(), {
                                  {"Owner", or_dash(c.owner)},
                                  {"Class", c.cls + (a_class ? " (bare metal, SSH)" : " (virtualised, platform)")},
                                  {"Resource type", c.resource_type},
                                  {"Model", c.model},
                                  {"Units", std::to_string(c.units_free) + " free of " + std::to_string(c.units)},
                                  {"Nodes", c.nodes ? fmt::format("{} free of {} (a lease takes whole nodes)",
                                                                  c.nodes_free.value_or(0), *c.nodes)
                                                    : std::string("-")},
                                  {"Unit memory", unit_memory_text(c)},
                                  {"Memory", size_text(c.memory)},
                                  {"vCPUs", std::to_string(c.vcpus)},
                              });
  for (std::size_t i = 0; i < kModes.size(); ++i) {
    const auto& [mode, unit] = kModes[i];
    auto fen = price_of(c.prices, i);
    fields.emplace_back(std::string("Price ") + mode, fen ? "¥" + catalog::format_yuan(*fen) + " per unit per " +
                                                                (std::string_view(unit) == "h" ? "hour" : unit)
                                                          : "—");
  }
  return fields;
}

// provisioning: show's "provisioning" (nullopt but to the owner of an A-class cluster).
void print_cluster(std::ostream& out, const api::ClusterView& c, bool colour, const DisplayZone& zone,
                   const std::optional<api::ProvisioningView>& provisioning = std::nullopt) {
  const bool a_class = c.cls == "A";
  auto fields = hardware_fields(c, colour);
  const std::string storage_text = c.storage.total_bytes > 0 ? catalog::format_size(c.storage.total_bytes) + " (" +
                                                                   or_dash(c.storage.description) + ")"
                                                             : "-";
  fields.insert(fields.end(), {
                                  {"Vendor", or_dash(c.vendor)},
                                  {"Location", or_dash(c.location)},
                                  {"Region", or_dash(c.region)},
                                  {"Storage", storage_text},
                                  {"CUDA", or_dash(c.software.cuda)},
                                  {"cuDNN", or_dash(c.software.cudnn)},
                                  {"Python", or_dash(c.software.python)},
                                  {"Frameworks", joined(c.software.frameworks)},
                                  {"Access", or_dash(c.access.method)},
                              });
  if (a_class) {
    const auto& nodes = c.access.nodes.value_or(std::vector<api::NodeView>{});
    for (std::size_t k = 0; k < nodes.size(); ++k) {
      const api::NodeView& n = nodes[k];
      fields.emplace_back(
          fmt::format("Node {}", k),
          fmt::format("{}@{}, {} unit{}, host key {}", n.user, ip::endpoint_text(n.host, n.port), n.units,
                      n.units == 1 ? "" : "s", n.host_key_fingerprint.value_or("not verified yet")));
    }
  } else {
    fields.insert(fields.end(), {{"Platform URL", or_dash(c.access.platform_url)},
                                 {"Environments", joined(c.access.environments.value_or(std::vector<std::string>{}))}});
  }
  if (provisioning) {
    fields.insert(fields.end(), {{"Provisioning key", or_dash(provisioning->public_key)},
                                 {"Unverified nodes", provisioning->nodes_unverified == 0
                                                          ? std::string("none")
                                                          : fmt::format("{} (cpshare cluster verify {})",
                                                                        provisioning->nodes_unverified, c.cpc_id)}});
  }
  fields.insert(fields.end(),
                {{"Created", local_time(c.created_at, zone, true)}, {"Updated", local_time(c.updated_at, zone, true)}});
  print_fields(out, fields);
  print_block(out, "Description", c.description);
  if (a_class) print_block(out, "Usage", c.usage.value_or(""));
}

void print_cluster_table(std::ostream& out, const std::vector<api::ClusterView>& items, bool with_status, bool colour) {
  std::vector<std::string> header = {"CPCID",    "CLASS", "MODEL",    "FREE/UNITS", "FREE/NODES",
                                     "UNIT MEM", "PRICE", "LOCATION", "REGION",     "RELIABILITY"};
  if (with_status) header.push_back("STATUS");
  std::vector<std::vector<std::string>> rows = {header};
  for (const auto& c : items) {
    std::vector<std::string> row = {c.cpc_id,
                                    c.cls,
                                    c.resource_type + " " + c.model,
                                    free_of_units(c),
                                    c.nodes ? fmt::format("{}/{}", c.nodes_free.value_or(0), *c.nodes) : "-",
                                    unit_memory_text(c),
                                    table_price(c),
                                    or_dash(c.location),
                                    or_dash(c.region),
                                    reliability_text(c)};
    if (with_status) row.push_back(status_name(c));
    rows.push_back(std::move(row));
  }
  out << render_table(rows, colour);
}

// ---------------------------------------------------------------- list and filter

// Every field the daemon sorts by (catalog::sort_fields), so the help cannot drift from it.
std::string sort_help() {
  std::string fields;
  for (auto name : catalog::sort_fields()) fields += (fields.empty() ? "" : ", ") + std::string(name);
  return "Order by field F, ascending (price_hourly: cheapest first) or with - descending (reliability-: most "
         "reliable first); clusters without the value come last. F is one of " +
         fields;
}

void declare_paging(CLI::App* app, Args& a) {
  a.option(app, "--region", "R", "'any' for every region, or a region to show first (default: yours first)");
  a.option(app, "--sort", "F", sort_help());
  a.option(app, "--limit", "N", "At most N clusters (1 to 500, default 50)");
  a.option(app, "--offset", "N", "Skip the first N clusters (to page on)");
}

Result<api::ListClustersQuery> paging_query(Context& ctx) {
  api::ListClustersQuery query;
  query.sort = ctx.args.get("--sort");
  if (auto v = ctx.args.get("--limit")) {
    auto n = whole_number(*v);
    if (!n || *n < 1 || *n > 500) return usage_error("--limit takes a whole number from 1 to 500, not '" + *v + "'");
    query.limit = *n;
  }
  if (auto v = ctx.args.get("--offset")) {
    auto n = whole_number(*v);
    if (!n) return usage_error("--offset takes a whole number, not '" + *v + "'");
    query.offset = *n;
  }
  query.region = ctx.args.get("--region");
  return query;
}

Result<> list_clusters(Context& ctx, const api::ListClustersQuery& query, bool mine, std::string_view empty_line) {
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::ClusterPage data, api->call<api::endpoint::ListClusters>(query));
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    if (data.items.empty()) {
      out << empty_line << "\n";
      return;
    }
    print_cluster_table(out, data.items, mine, ctx.colour());
    if (static_cast<std::int64_t>(data.items.size()) >= data.limit)
      out << "More may follow: add --offset " << data.offset + data.limit << ".\n";
  });
}

// The request (file or flags) checked by its type's own parser before anything is sent: the
// daemon's rules and messages. Errors on a request from flags also name the flag.
template <class R>
Result<R> checked_request(const Context& ctx, const json& body, bool from_file) {
  auto r = R::from_body(body);
  if (!r) return std::unexpected(from_file ? r.error() : name_flags(r.error(), ctx.want_json()));
  return r;
}

// ---------------------------------------------------------------- publish

void declare_publish(CLI::App* app, Args& a) {
  declare_field_flags(app, a);
  a.file_option(app, "--file", "FILE", "Send FILE, a publish request in the API's JSON (bytes and fen), as is");
}

Result<> run_publish(Context& ctx) {
  TRY_ASSIGN(std::optional<json> file, file_body(ctx));
  json body;
  if (file) {
    body = std::move(*file);
  } else {
    TRY_ASSIGN(body, flags_body(ctx));
    if (body.empty()) return usage_error("nothing to publish: pass the cluster's fields as flags, or --file FILE");
  }
  TRY_ASSIGN(auto req, checked_request<api::PublishClusterRequest>(ctx, body, file.has_value()));
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  auto data = api->call<api::endpoint::PublishCluster>(req);
  if (!data) return std::unexpected(file ? data.error() : name_flags(data.error(), ctx.want_json()));
  return ctx.emit(api::encode(*data), [&](std::ostream& out) {
    const api::ClusterView& c = data->cluster;
    out << "Published " << c.cpc_id << "\n  " << summary_line(c) << "\n";
    if (const std::string key = data->provisioning_public_key.value_or(""); !key.empty()) {
      out << "\nProvisioning public key:\n  " << key << "\nAppend it to the admin user's ~/.ssh/authorized_keys on "
          << "every node:\n";
      for (const api::NodeView& n : c.access.nodes.value_or(std::vector<api::NodeView>{}))
        out << "  ~" << n.user << "/.ssh/authorized_keys on " << ip::endpoint_text(n.host, n.port) << "\n";
      out << "then run: cpshare cluster verify " << c.cpc_id << "\n\n";
    }
    if (const std::string token = data->agent_token.value_or(""); !token.empty())
      out << "\nAgent token (shown once: store it now):\n  " << token << "\n\n";
    out << "See it with: cpshare show " << c.cpc_id << "\n";
  });
}

// ---------------------------------------------------------------- show

void declare_show(CLI::App* app, Args& a) { a.positional(app, "CPCID", "The cluster's id (cp-…)", true); }

Result<> run_show(Context& ctx) {
  TRY_ASSIGN(std::string id, cpc_id_arg(ctx));
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::ClusterDetail data, api->call<api::endpoint::ShowCluster>({}, {{"cpc_id", id}}));
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    print_cluster(out, data.cluster, ctx.colour(), ctx.zone(), data.provisioning);
    out << "\nUnits:\n";
    print_unit_grid(out, data.units);
  });
}

// ---------------------------------------------------------------- list, filter

void declare_list(CLI::App* app, Args& a) {
  a.flag(app, "--mine", "Your own clusters, delisted ones and those without free units included");
  declare_paging(app, a);
}

Result<> run_list(Context& ctx) {
  TRY_ASSIGN(api::ListClustersQuery query, paging_query(ctx));
  const bool mine = ctx.args.has("--mine");
  if (mine) query.mine = true;
  return list_clusters(ctx, query, mine,
                       mine ? "You have not published any clusters (publish one with: cpshare publish)."
                            : "No listed clusters with free units.");
}

void declare_filter(CLI::App* app, Args& a) {
  a.positional(app, "EXPR", "The filter: terms such as class=A nodes_free>=2 model~A100 price_hourly<=30", true);
  declare_paging(app, a);
}

Result<> run_filter(Context& ctx) {
  TRY_ASSIGN(api::ListClustersQuery query, paging_query(ctx));
  query.filter = ctx.args.get("EXPR").value_or("");
  return list_clusters(ctx, query, false, "No clusters match the filter.");
}

// ---------------------------------------------------------------- update, delist, relist

void declare_update(CLI::App* app, Args& a) {
  a.positional(app, "CPCID", "The cluster's id (cp-…)", true);
  declare_field_flags(app, a);
  a.file_option(app, "--file", "FILE", "Send FILE, a JSON merge patch in the API's units (bytes and fen), as is");
}

// The nodes' units and admin user as they are, for `update --node` without
// --units or --ssh-user (read only when one is missing).
Result<NodeDefaults> node_defaults(Context& ctx, const std::string& id) {
  if (!ctx.args.has("--node") || (ctx.args.has("--units") && ctx.args.has("--ssh-user"))) return NodeDefaults{};
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::ClusterDetail data, api->call<api::endpoint::ShowCluster>({}, {{"cpc_id", id}}));
  NodeDefaults keep{data.cluster.units, std::nullopt, data.cluster.resource_type == "CPU"};
  for (const api::NodeView& n : data.cluster.access.nodes.value_or(std::vector<api::NodeView>{})) {
    if (keep.user && *keep.user != n.user) return NodeDefaults{keep.units, std::nullopt, keep.cpu};
    keep.user = n.user;
  }
  return keep;
}

// After an update of access: the nodes the platform has not verified yet.
void remind_verify(std::ostream& out, const api::ClusterView& c) {
  std::string unverified;
  const auto nodes = c.access.nodes.value_or(std::vector<api::NodeView>{});
  for (std::size_t k = 0; k < nodes.size(); ++k)
    if (!nodes[k].host_key_fingerprint)
      unverified += fmt::format("{}node {} ({})", unverified.empty() ? "" : ", ", k,
                                ip::endpoint_text(nodes[k].host, nodes[k].port));
  if (unverified.empty()) return;
  out << "Not verified yet: " << unverified << ".\nOnce the provisioning key is in their admin user's "
      << "~/.ssh/authorized_keys (cpshare show " << c.cpc_id << "), run: cpshare cluster verify " << c.cpc_id << "\n";
}

Result<> run_update(Context& ctx) {
  TRY_ASSIGN(std::string id, cpc_id_arg(ctx));
  TRY_ASSIGN(std::optional<json> file, file_body(ctx));
  json body;
  if (file) {
    body = std::move(*file);
  } else {
    TRY_ASSIGN(NodeDefaults keep, node_defaults(ctx, id));
    TRY_ASSIGN(body, flags_body(ctx, keep));
    if (body.empty())
      return usage_error(
          "nothing to update: pass the fields to change as flags (see cpshare update --help), or "
          "--file FILE");
  }
  TRY_ASSIGN(auto req, checked_request<api::PatchClusterRequest>(ctx, body, file.has_value()));
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  auto data = api->call<api::endpoint::UpdateCluster>(req, {{"cpc_id", id}});
  if (!data) return std::unexpected(file ? data.error() : name_flags(data.error(), ctx.want_json()));
  return ctx.emit(api::encode(*data), [&](std::ostream& out) {
    std::string names;
    const auto fields = req.field_names();
    for (const auto& k : fields) names += (names.empty() ? "" : ", ") + k;
    out << "Updated " << id << " (" << names << ")\n  " << summary_line(data->cluster) << "\n";
    if (std::ranges::find(fields, "access") != fields.end()) remind_verify(out, data->cluster);
  });
}

void declare_delist(CLI::App* app, Args& a) { a.positional(app, "CPCID", "The cluster's id (cp-…)", true); }

Result<> run_delist(Context& ctx) {
  TRY_ASSIGN(std::string id, cpc_id_arg(ctx));
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::ClusterChanged data, api->call<api::endpoint::DelistCluster>({}, {{"cpc_id", id}}));
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    out << "Delisted " << id << ": it no longer shows in list or filter. Relist it with: cpshare relist " << id << "\n";
  });
}

Result<> run_relist(Context& ctx) {
  TRY_ASSIGN(std::string id, cpc_id_arg(ctx));
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::ClusterChanged data, api->call<api::endpoint::RelistCluster>({}, {{"cpc_id", id}}));
  return ctx.emit(api::encode(data),
                  [&](std::ostream& out) { out << "Relisted " << id << "\n  " << summary_line(data.cluster) << "\n"; });
}

// ---------------------------------------------------------------- units

void declare_units(CLI::App* app, Args& a) { a.positional(app, "CPCID", "The cluster's id (cp-…)", false); }

Result<> run_units(Context& ctx) {
  if (!ctx.args.get("CPCID"))
    return usage_error("pass the cluster's id: cpshare units CPCID, or cpshare units set CPCID INDEX idle|offline");
  TRY_ASSIGN(std::string id, cpc_id_arg(ctx));
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::UnitList data, api->call<api::endpoint::ClusterUnits>({}, {{"cpc_id", id}}));
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    out << "Units of " << id << ":\n";
    print_unit_grid(out, data.items);
  });
}

void declare_units_set(CLI::App* app, Args& a) {
  a.positional(app, "CPCID", "The cluster's id (cp-…)", true);
  a.positional(app, "INDEX", "The unit's index (from 0; see cpshare units CPCID)", true);
  a.positional(app, "STATUS", "idle (available to lease) or offline (withdrawn)", true, {"idle", "offline"});
}

Result<> run_units_set(Context& ctx) {
  TRY_ASSIGN(std::string id, cpc_id_arg(ctx));
  const std::string index = ctx.args.get("INDEX").value_or("");
  if (!whole_number(index)) return usage_error("INDEX is a unit's index, a whole number from 0, not '" + index + "'");
  // The daemon's own parser: a STATUS other than idle or offline is refused here, in its words.
  TRY_ASSIGN(const api::SetUnitRequest req,
             api::SetUnitRequest::from_body(api::json{{"status", ctx.args.get("STATUS").value_or("")}}));
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::UnitChanged data, api->call<api::endpoint::SetUnit>(req, {{"cpc_id", id}, {"index", index}}));
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    out << "Unit " << data.unit.index << " of " << id << " is now " << enum_name(data.unit.status) << ".\n";
  });
}

// ---------------------------------------------------------------- cluster verify

void declare_cluster_verify(CLI::App* app, Args& a) {
  a.positional(app, "CPCID", "The cluster's id (cp-…)", true);
  a.flag(app, "--repin", "Accept a new host key (only once the supplier has confirmed it out of band)");
}

Result<> run_cluster_verify(Context& ctx) {
  TRY_ASSIGN(std::string id, cpc_id_arg(ctx));
  api::VerifyRequest req;
  if (ctx.args.has("--repin")) req.repin = true;
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::VerifyResult data, api->call<api::endpoint::VerifyCluster>(req, {{"cpc_id", id}}));
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    out << "Verified " << id << ": " << data.nodes.size() << " node" << (data.nodes.size() == 1 ? "" : "s") << "\n";
    for (const api::NodeVerified& n : data.nodes)
      out << "  node " << n.node << " " << ip::endpoint_text(n.host, n.port) << ": host key " << n.fingerprint << " ("
          << n.key_type << "), " << (n.pinned_now ? "pinned now" : "matches the pinned key") << "\n";
  });
}

// ---------------------------------------------------------------- events

void declare_events(CLI::App* app, Args& a) {
  a.positional(app, "CPCID", "The cluster's id (cp-…)", true);
  a.option(app, "--since", "WHEN", "From this long ago (90s, 30m, 1h, 7d) or this RFC 3339 time (default 24h)");
  a.option(app, "--limit", "N", "At most N events, oldest first (1 to 1000, default 100)");
}

Result<> run_events(Context& ctx) {
  TRY_ASSIGN(std::string id, cpc_id_arg(ctx));
  api::Query query;
  if (auto since = ctx.args.get("--since")) {
    const std::int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (auto d = text::parse_duration(*since))
      query.emplace("since", rfc3339(now - *d));
    else if (parse_rfc3339(*since))
      query.emplace("since", *since);
    else
      return usage_error(
          "--since takes a duration (90s, 30m, 1h, 7d) or an RFC 3339 time "
          "(2026-12-04T08:00:00Z), not '" +
          *since + "'");
  }
  if (auto limit = ctx.args.get("--limit")) query.emplace("limit", *limit);
  // The daemon's own parser: a bad --limit is refused here, in its words.
  TRY_ASSIGN(const api::ClusterEventsQuery req, api::ClusterEventsQuery::from_query(query));
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::ClusterEvents data, api->call<api::endpoint::GetClusterEvents>(req, {{"cpc_id", id}}));
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    if (data.items.empty()) {
      out << "No events of " << id << " since " << local_time(data.since, ctx.zone(), true) << ".\n";
      return;
    }
    std::vector<std::vector<std::string>> rows = {{"AT", "KIND", "UNIT", "GPU", "DETAIL"}};
    for (const auto& e : data.items)
      rows.push_back({local_time(e.at, ctx.zone(), true), std::string(enum_name(e.kind)),
                      e.unit ? std::to_string(*e.unit) : "-", e.gpu_uuid.value_or("-"), e.detail});
    out << render_table(rows, ctx.colour());
  });
}

}  // namespace

// This file's rows of the command table (commands.cpp joins the areas).
std::vector<Command> catalog_commands() {
  return {
      {{"publish"},
       "Publish a cluster in the catalogue (active suppliers)",
       {"cpshare publish --class A --resource-type GPU --model 'A100 80GB' --units 8 --unit-memory 80GB "
        "--memory 1TB --vcpus 128 --price-hourly 12.50 --price-monthly 6000 --vendor NVIDIA --location 深圳市 "
        "--region Guangdong --storage '2x3.84TB nvme data, 480GB ssd system' --cuda 12.4 --python 3.11 "
        "--framework 'pytorch 2.3' --usage-file usage.md --ssh-host gpu1.example.org --ssh-user cpshare",
        "cpshare publish --file cluster.json"},
       declare_publish,
       run_publish,
       false,
       "Sizes take units (80GB, 3.84TB, 512GiB: GB is 1000^3, GiB 1024^3) and prices are yuan per unit "
       "with up to two decimals; cpshare sends bytes and fen and refuses a bad value before sending "
       "anything, naming every bad flag. Offer at least one price mode; a mode left out is not offered. "
       "Class A clusters are one or more nodes reached by SSH (--usage or --usage-file, --node HOST[:PORT] "
       "for each node with --ssh-user and --units split evenly over them, or --ssh-host, --ssh-port and "
       "--ssh-user for one node; nodes of different sizes, or with device ids, go in --file as "
       "access.nodes); class B clusters on your platform (--platform-url, --environment). --framework and "
       "--environment "
       "may be repeated. --file sends a publish request in the API's own JSON (bytes and fen) as is, and "
       "cannot be combined with the field flags. For class A, cpshare prints the cluster's provisioning "
       "public key: append it to ~ADMIN_USER/.ssh/authorized_keys on every node, then run cpshare "
       "cluster verify CPCID. For class B, it prints the agent token, shown once: store it now. With "
       "--json, prints the data: {\"cluster\": {...}, \"provisioning_public_key\": ..., \"agent_token\": "
       "...} (each null when not given)."},
      {{"show"},
       "Show a cluster: every field and the status of each unit",
       {"cpshare show cp-7k2m9x4qvd", "cpshare show cp-7k2m9x4qvd --json"},
       declare_show,
       run_show,
       false,
       "Sizes are shown in decimal units and prices in yuan per unit for each billing mode (— for a mode "
       "not offered). The unit grid shows 16 units a row: . idle, B busy, x offline. SSH access details "
       "are shown to the cluster's owner only, with, for class A, the provisioning public key and the "
       "pinned SHA256 fingerprint of the host's key (not verified yet before the first cpshare cluster "
       "verify). A B-class cluster shows its Health: online while its agent reports, offline before its first "
       "report and after a silence, with the time of the last report, and its Reliability over 30 days; units "
       "whose GPU is lost are listed under the grid."},
      {{"list"},
       "List clusters in the catalogue",
       {"cpshare list", "cpshare list --region any --sort price_hourly --limit 20", "cpshare list --mine"},
       declare_list,
       run_list,
       false,
       "By default: listed clusters with free units, your region first, then newest first (a B-class "
       "cluster whose agent is not reporting is offline and left out). --mine lists "
       "your own clusters, delisted ones included, with their status. PRICE is the hourly price per unit "
       "in yuan, or the first mode offered (/day, /month, /year) when there is none. RELIABILITY is a B-class "
       "cluster's up minutes over the last 30 days (- before its agent's first report, and for class A)."},
      {{"filter"},
       "List the clusters that match a filter expression",
       {"cpshare filter 'class=A nodes_free>=2 model~A100 price_hourly<=30 location=深圳市' --sort price_hourly",
        "cpshare filter 'resource_type=NPU' --region any",
        "cpshare filter 'class=B reliability>=0.95' --sort reliability-"},
       declare_filter,
       run_filter,
       false,
       "The expression is a space-separated list of terms FIELD OP VALUE, all of which must hold (= != < <= > "
       ">= and ~ for contains); quote it for the shell. The server checks it and names the term at fault. "
       "reliability (B-class: the share of the last 30 days' minutes in which its agent reported and no GPU "
       "was lost) takes a ratio or a percentage: reliability>=0.95, reliability>=99.5%. The table is as for "
       "cpshare list."},
      {{"update"},
       "Change some fields of a cluster you published",
       {"cpshare update cp-7k2m9x4qvd --price-hourly 11.00 --units 16",
        "cpshare update cp-7k2m9x4qvd --framework 'pytorch 2.4' --framework 'jax 0.4'",
        "cpshare update cp-7k2m9x4qvd --file patch.json"},
       declare_update,
       run_update,
       false,
       "Takes the flags of cpshare publish; only the fields given change (a repeated flag replaces the "
       "whole list, --storage the whole description). The class cannot change: delist and publish anew. "
       "--file sends a JSON merge patch in the API's units (null removes an optional value) as is."},
      {{"delist"},
       "Withdraw a cluster from the catalogue (it can be relisted)",
       {"cpshare delist cp-7k2m9x4qvd"},
       declare_delist,
       run_delist},
      {{"relist"}, "List a delisted cluster again", {"cpshare relist cp-7k2m9x4qvd"}, declare_delist, run_relist},
      {{"units"},
       "Show the status of each unit of a cluster",
       {"cpshare units cp-7k2m9x4qvd", "cpshare units set cp-7k2m9x4qvd 3 offline"},
       declare_units,
       run_units,
       false,
       "Prints the units 16 a row: . idle, B busy, x offline. Change a unit's status with cpshare units set."},
      {{"units", "set"},
       "Take a unit of your cluster offline, or bring it back (idle)",
       {"cpshare units set cp-7k2m9x4qvd 3 offline", "cpshare units set cp-7k2m9x4qvd 3 idle"},
       declare_units_set,
       run_units_set,
       false,
       "A busy unit (leased) cannot be changed."},
      {{"events"},
       "Show a B-class cluster's status events: online, offline, GPUs lost and returned",
       {"cpshare events cp-7k2m9x4qvd", "cpshare events cp-7k2m9x4qvd --since 1h --json"},
       declare_events,
       run_events,
       false,
       "A B-class cluster is online while its agent reports, offline before its first report and after the "
       "daemon's --agent-timeout without one; a unit whose GPU is lost (the driver says so, or it is missing "
       "from a report) goes offline, or keeps its lease flagged, until the GPU returns. Each change is an "
       "event, listed oldest first with the daemon's time. The cluster's owner and admins see all; a user "
       "who leases or leased the cluster sees those within their leases. With --json, prints the data: "
       "{\"cpc_id\", \"since\", \"items\": [{\"at\", \"kind\", \"unit\", \"gpu_uuid\", \"detail\"}]}."},
      {{"cluster"}, "Manage the platform's access to your clusters"},
      {{"cluster", "verify"},
       "Check that the platform can reach an A-class cluster over SSH",
       {"cpshare cluster verify cp-7k2m9x4qvd", "cpshare cluster verify cp-7k2m9x4qvd --repin"},
       declare_cluster_verify,
       run_cluster_verify,
       false,
       "The daemon connects to every node of the cluster as its admin user (--ssh-user of cpshare publish) "
       "with the cluster's provisioning key, which cpshare publish printed for the supplier to append to "
       "that user's ~/.ssh/authorized_keys on each node, and checks that the user can create accounts (root, "
       "or passwordless sudo). At first contact it pins the SHA256 fingerprint of each node's host key; "
       "afterwards it refuses a host key that has changed, and two nodes with the same key (one machine "
       "listed twice). --repin accepts new host keys: use it only after the supplier has confirmed the new "
       "fingerprints out of band. A node that fails stops the check and is named. With --json, prints the "
       "data: {\"nodes\": [{node, host, port, fingerprint, key_type, pinned_now}], \"verified_at\"}."},
  };
}

}  // namespace cpshare::clicmd::cmd
