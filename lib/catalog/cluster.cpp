#include "catalog/cluster.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "domain/fields.hpp"
#include "catalog/units.hpp"
#include "crypto/crypto.hpp"
#include "domain/validate.hpp"
#include "util/clock.hpp"
#include "util/ip.hpp"
#include "util/text.hpp"

namespace cpshare::catalog {

using json = nlohmann::json;

namespace {

using crypto::kIdAlphabet;
constexpr std::size_t kIdChars = 10;

constexpr std::size_t kShortText = 64;  // model, vendor, location, region, list items
constexpr std::size_t kMaxUrl = 2048;
constexpr std::size_t kMaxStorageText = 512;

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || text::is_digit(c); }

std::string upper(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

bool member(const json& o, std::string_view name) { return o.is_object() && o.contains(name); }
bool null_member(const json& o, std::string_view name) {
  auto it = o.find(name);
  return it != o.end() && it->is_null();
}

// Copies a nested reader's errors into the outer one under "prefix.field".
void adopt(api::Fields& outer, api::Fields& inner, std::string_view prefix) {
  for (auto& e : inner.errors())
    outer.error(e.field == "(body)" ? std::string(prefix) : fmt::format("{}.{}", prefix, e.field), e.message);
}

// In a patch, null on a field that every cluster must have.
constexpr std::string_view kCannotRemove = "cannot be removed; give a new value instead";

// ---- numbers ------------------------------------------------------------------------------

enum class Quantity { Count, Bytes, Fen };

// An integer field with messages for what people actually send: "80GB" or 12.5 instead of the
// integer, negative values. Absent or null → nullopt (an error only when required).
std::optional<std::int64_t> number_field(api::Fields& f, const json& o, std::string_view name, bool required,
                                         std::int64_t min, std::int64_t max, Quantity q) {
  const std::string field(name);
  auto it = o.find(name);
  if (it == o.end() || it->is_null()) {
    if (required) f.error(field, "is required");
    return std::nullopt;
  }
  if (api::beyond_int64(*it)) {
    f.error(field, it->is_number_float() && it->get<double>() < 0 ? fmt::format("must be at least {}", min)
                                                                  : fmt::format("must be at most {}", max));
    return std::nullopt;
  }
  if (!it->is_number_integer()) {
    // A string that reads as the intended amount: say which integer to send instead.
    const std::string given = it->is_string() ? it->get<std::string>() : std::string();
    if (q == Quantity::Bytes) {
      auto b = parse_size(given);
      f.error(field, it->is_string() && b
                         ? fmt::format("must be an integer number of bytes: send {} for {}", *b, text::trim(given))
                         : "must be an integer number of bytes, e.g. 80000000000 for 80GB");
    } else if (q == Quantity::Fen) {
      auto y = parse_yuan(given);
      f.error(field, it->is_string() && y
                         ? fmt::format("must be an integer number of fen: send {} for {} yuan", *y, format_yuan(*y))
                         : "must be an integer number of fen (1 yuan = 100 fen), e.g. 1250 for 12.50 yuan");
    } else {
      f.error(field, "must be an integer");
    }
    return std::nullopt;
  }
  if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    f.error(field, fmt::format("must be at most {}", max));
    return std::nullopt;
  }
  const auto v = it->get<std::int64_t>();
  if (v < 0 && min >= 0) {
    f.error(field, "must not be negative");
    return std::nullopt;
  }
  if (v < min || v > max) {
    f.error(field, v < min ? fmt::format("must be at least {}", min) : fmt::format("must be at most {}", max));
    return std::nullopt;
  }
  return v;
}

// ---- text ---------------------------------------------------------------------------------

std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Multi-line text (description, usage): line breaks and tabs allowed, CRLF → LF, trimmed.
// Absent/null → nullopt (error when required); "" is a valid value when not required.
std::optional<std::string> long_text(api::Fields& f, const json& o, std::string_view name, bool required,
                                     std::size_t max_chars) {
  const std::string field(name);
  auto it = o.find(name);
  if (it == o.end() || it->is_null()) {
    if (required) f.error(field, "is required");
    return std::nullopt;
  }
  if (!it->is_string()) {
    f.error(field, "must be a string");
    return std::nullopt;
  }
  std::string v;
  for (std::string_view raw = it->get_ref<const std::string&>(); char c : raw)
    if (c != '\r') v += c;
  v = text::trim(v);
  if (v.empty()) {
    if (!required) return v;  // clears the field
    f.error(field, "must not be empty");
    return std::nullopt;
  }
  if (!validate::valid_utf8(v)) {
    f.error(field, "must be valid UTF-8 text");
    return std::nullopt;
  }
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto u = static_cast<unsigned char>(v[i]);
    const bool c1 = u == 0xC2 && i + 1 < v.size() && static_cast<unsigned char>(v[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(v[i + 1]) <= 0x9F;
    if ((u < 0x20 && u != '\n' && u != '\t') || u == 0x7F || c1) {
      f.error(field, "must not contain control characters other than line breaks and tabs");
      return std::nullopt;
    }
  }
  if (const std::size_t n = code_points(v); n > max_chars) {
    f.error(field, fmt::format("must be at most {} characters (it has {})", max_chars, n));
    return std::nullopt;
  }
  return v;
}

// A one-line text field every cluster has: required at publish; in a patch only when present.
void required_text(api::Fields& f, const json& o, std::string_view name, std::size_t max_chars, bool patch,
                   std::string& target) {
  if (patch && !member(o, name)) return;
  if (patch && null_member(o, name)) {
    f.error(std::string(name), std::string(kCannotRemove));
    return;
  }
  if (auto v = f.text(name, true, max_chars)) target = std::move(*v);
}

// A list of short names. Errors at "name[i]". nullopt when absent/null or invalid.
std::optional<std::vector<std::string>> name_list(api::Fields& f, const json& o, std::string_view name,
                                                  bool allow_commas, bool non_empty, std::string_view example) {
  auto it = o.find(name);
  if (it == o.end() || it->is_null()) return std::nullopt;
  if (!it->is_array()) {
    f.error(std::string(name), fmt::format("must be a list of names, e.g. {}", example));
    return std::nullopt;
  }
  if (non_empty && it->empty()) {
    f.error(std::string(name), fmt::format("must list at least one, e.g. {}", example));
    return std::nullopt;
  }
  if (it->size() > kMaxListItems) {
    f.error(std::string(name), fmt::format("must have at most {} entries", kMaxListItems));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const std::string field = fmt::format("{}[{}]", name, i);
    const json& e = (*it)[i];
    if (!e.is_string()) {
      f.error(field, "must be a string");
      ok = false;
      continue;
    }
    std::string v = text::trim(e.get<std::string>());
    std::string problem = validate::text(v, kShortText);
    if (problem.empty() && !allow_commas && v.find(',') != std::string::npos)
      problem = "must not contain ',' (give each entry separately)";
    if (problem.empty()) {
      const std::string lower = text::to_lower_ascii(v);
      for (const auto& seen : out)
        if (text::to_lower_ascii(seen) == lower) problem = fmt::format("repeats '{}'", seen);
    }
    if (!problem.empty()) {
      f.error(field, problem);
      ok = false;
      continue;
    }
    out.push_back(std::move(v));
  }
  if (!ok) return std::nullopt;
  return out;
}

// ---- access -------------------------------------------------------------------------------

std::string ip_or_host_problem(const std::string& h) {
  constexpr std::string_view kUsage =
      "must be a host name (letters, digits, '-' and '.') or an IP address, e.g. gpu01.example.edu.cn or 10.0.0.5";
  if (h.size() > 253) return "must be at most 253 characters";
  unsigned char buf[16];
  if (h.find('%') != std::string::npos)
    return "has a zone id (%…): link-local addresses are not reachable from the platform; give the node's "
           "global or private address";
  if (h.find(':') != std::string::npos)
    return inet_pton(AF_INET6, h.c_str(), buf) == 1 ? "" : "is not a valid IPv6 address (write it without brackets)";
  if (std::all_of(h.begin(), h.end(), [](char c) { return text::is_digit(c) || c == '.'; }))
    return inet_pton(AF_INET, h.c_str(), buf) == 1 ? "" : "is not a valid IPv4 address, e.g. 10.0.0.5";
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = h.find('.', start);
    const std::string_view label =
        std::string_view(h).substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    const bool ok = !label.empty() && label.size() <= 63 && label.front() != '-' && label.back() != '-' &&
                    std::all_of(label.begin(), label.end(),
                                [](char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '-'; });
    if (!ok) return std::string(kUsage);
    if (dot == std::string::npos) return "";
    start = dot + 1;
  }
}

std::string posix_user_problem(std::string_view u) {
  const bool ok = !u.empty() && u.size() <= 32 && (u.front() == '_' || (u.front() >= 'a' && u.front() <= 'z')) &&
                  std::all_of(u.begin(), u.end(), [](char c) { return is_lower_alnum(c) || c == '_' || c == '-'; });
  return ok ? ""
            : "must be a POSIX user name: a lower-case letter or '_', then lower-case letters, digits, '_' or "
              "'-', at most 32 characters (e.g. cpshare)";
}

}  // namespace

std::string url_problem(const std::string& url) {
  const std::string lower = text::to_lower_ascii(url);
  std::size_t scheme = 0;
  if (lower.starts_with("https://"))
    scheme = 8;
  else if (lower.starts_with("http://"))
    scheme = 7;
  else
    return "must be an http:// or https:// address, e.g. https://ai.example.com/console";
  if (url.find(' ') != std::string::npos) return "must not contain spaces (write them as %20)";
  const std::string authority = url.substr(scheme, url.find_first_of("/?#", scheme) - scheme);
  if (authority.find('@') != std::string::npos) return "must not contain a user name or password";
  std::string host = authority, port;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string::npos) return "has an IPv6 address without its closing ']'";
    host = authority.substr(1, close - 1);
    const std::string rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return "has text after the IPv6 address; expected ':port' or '/'";
    if (!rest.empty()) port = rest.substr(1);
    if (host.find(':') == std::string::npos) return "has brackets around something that is not an IPv6 address";
  } else if (const std::size_t colon = authority.rfind(':'); colon != std::string::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (host.find(':') != std::string::npos) return "must write an IPv6 host in brackets, e.g. http://[2001:db8::1]/";
  }
  if (host.empty()) return fmt::format("needs a host after {}", url.substr(0, scheme));
  if (authority.find(':') != std::string::npos) {
    const int number = text::parse_int<int>(port).value_or(0);
    const bool ok = !port.empty() && port.size() <= 5 && std::all_of(port.begin(), port.end(), text::is_digit) &&
                    number >= 1 && number <= 65535;
    if (!ok) return "has a port that is not a number from 1 to 65535";
  }
  if (std::string p = ip_or_host_problem(host); !p.empty()) return "has a host that " + p;
  return "";
}

namespace {

constexpr std::string_view kSshKeys[] = {"ssh_host", "ssh_port", "ssh_user", "nodes"};
constexpr std::string_view kPlatformKeys[] = {"platform_url", "environments"};
constexpr std::string_view kEnvironmentsExample = R"(["jupyterlab", "vscode", "pytorch 2.3 image"])";
constexpr std::string_view kNodesExample =
    R"([{"host": "gpu01.example.edu.cn", "user": "cpshare", "units": 8}, {"host": "gpu02.example.edu.cn", "user": "cpshare", "units": 8}])";

// A PCI bus id as nvidia-smi prints it ("00000000:3B:00.0" or "0000:3b:00.0"),
// or a GPU / MIG UUID ("GPU-…", "MIG-…": hex digits and dashes).
bool is_device_id(std::string_view id) {
  auto hex = [](char c) { return text::is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
  if (id.starts_with("GPU-") || id.starts_with("MIG-")) {
    const auto rest = id.substr(4);
    return rest.size() >= 8 && std::all_of(rest.begin(), rest.end(), [&](char c) { return hex(c) || c == '-'; });
  }
  // DOMAIN:BUS:DEVICE.FUNCTION
  const auto c1 = id.find(':'), c2 = id.rfind(':'), dot = id.rfind('.');
  if (c1 == std::string_view::npos || c1 == c2 || dot == std::string_view::npos || dot < c2) return false;
  const auto all_hex = [&](std::string_view v, std::size_t lo, std::size_t hi) {
    return v.size() >= lo && v.size() <= hi && std::all_of(v.begin(), v.end(), hex);
  };
  return all_hex(id.substr(0, c1), 4, 8) && all_hex(id.substr(c1 + 1, c2 - c1 - 1), 2, 2) &&
         all_hex(id.substr(c2 + 1, dot - c2 - 1), 2, 2) && id.size() == dot + 2 && id[dot + 1] >= '0' &&
         id[dot + 1] <= '7';
}

// host, port and user of a node (the short form's ssh_* keys or a node's host/port/user).
void read_endpoint(api::Fields& af, const json& a, Node& n, bool required, std::array<std::string_view, 3> keys) {
  if (auto host = af.text(keys[0], required, 253)) {
    if (std::string p = ip_or_host_problem(*host); !p.empty())
      af.error(std::string(keys[0]), p);
    else if (auto address = ip::parse_address(*host))
      n.host = ip::to_text(*address);  // one spelling per address: [0:0::1] and ::1 are the same node
    else
      n.host = text::to_lower_ascii(*host);
  }
  if (null_member(a, keys[1]))
    n.port = 22;
  else if (auto port = number_field(af, a, keys[1], false, 1, 65535, Quantity::Count))
    n.port = static_cast<int>(*port);
  if (auto user = af.text(keys[2], required, 32)) {
    if (std::string p = posix_user_problem(*user); !p.empty())
      af.error(std::string(keys[2]), p);
    else
      n.user = *user;
  }
}

// One element of access.nodes.
std::optional<Node> read_node(api::Fields& outer, const json& j, std::size_t k) {
  const std::string prefix = fmt::format("nodes[{}]", k);
  if (!j.is_object()) {
    outer.error(prefix,
                fmt::format("must be an object, e.g. {}", R"({"host": "gpu01", "user": "cpshare", "units": 8})"));
    return std::nullopt;
  }
  api::Fields nf(j, {"host", "port", "user", "units", "device_ids", "host_key_fingerprint"});
  Node n;
  read_endpoint(nf, j, n, true, {"host", "port", "user"});
  if (auto units = number_field(nf, j, "units", true, 1, kMaxUnits, Quantity::Count)) n.units = *units;
  if (auto it = j.find("device_ids"); it != j.end() && !it->is_null()) {
    if (!it->is_array() || it->size() > static_cast<std::size_t>(kMaxUnits)) {
      nf.error("device_ids", "must be a list of PCI bus ids or GPU UUIDs, one per unit in CUDA order");
    } else {
      for (std::size_t i = 0; i < it->size(); ++i) {
        const json& v = (*it)[i];
        const std::string id = v.is_string() ? std::string(text::trim(v.get<std::string>())) : "";
        if (id.size() > kMaxDeviceId || !is_device_id(id))
          nf.error(fmt::format("device_ids[{}]", i),
                   "must be a PCI bus id (0000:3b:00.0) or a GPU UUID (GPU-1a2b3c4d-…), as nvidia-smi -L shows");
        else if (std::ranges::any_of(n.device_ids, [&](const std::string& seen) {
                   return text::to_lower_ascii(seen) == text::to_lower_ascii(id);  // nvidia-smi writes upper case
                 }))
          nf.error(fmt::format("device_ids[{}]", i), fmt::format("repeats {}", id));
        else
          n.device_ids.push_back(id);
      }
      if (nf.ok() && !n.device_ids.empty() && static_cast<std::int64_t>(n.device_ids.size()) != n.units)
        nf.error("device_ids",
                 fmt::format("has {} ids for {} units: give one per unit, or none", n.device_ids.size(), n.units));
    }
  }
  const bool ok = nf.ok();
  adopt(outer, nf, prefix);
  return ok ? std::optional<Node>(std::move(n)) : std::nullopt;
}

// access.nodes: the whole list (a patch replaces it). Pins are kept for nodes
// whose endpoint is unchanged.
void read_nodes(api::Fields& af, const json& a, Cluster& c) {
  const json& list = a.at("nodes");
  if (!list.is_array() || list.empty() || list.size() > static_cast<std::size_t>(kMaxNodes)) {
    af.error("nodes", fmt::format("must be a list of 1 to {} nodes, e.g. {}", kMaxNodes, kNodesExample));
    return;
  }
  std::vector<Node> nodes;
  for (std::size_t k = 0; k < list.size(); ++k) {
    auto n = read_node(af, list[k], k);
    if (!n) continue;
    for (const Node& seen : nodes)
      if (seen.host == n->host && seen.port == n->port)
        af.error(fmt::format("nodes[{}]", k), fmt::format("repeats {}", ip::endpoint_text(n->host, n->port)));
    for (const Node& old : c.nodes)
      if (old.same_endpoint(*n)) n->host_key = old.host_key;
    nodes.push_back(std::move(*n));
  }
  if (nodes.size() == list.size()) c.nodes = std::move(nodes);
}

// The short form: the one node's ssh_host, ssh_port, ssh_user.
void read_short_form(api::Fields& af, const json& a, Cluster& c, bool patch, bool required) {
  if (patch && c.nodes.size() > 1) {
    for (std::string_view k : {"ssh_host", "ssh_port", "ssh_user"})
      af.forbid(k, fmt::format("this cluster has {} nodes: change them with access.nodes (cpshare update --node "
                               "HOST[:PORT] for each node, with --ssh-user)",
                               c.nodes.size()));
    return;
  }
  for (std::string_view k : {"ssh_host", "ssh_user"})
    if (patch && null_member(a, k)) af.error(std::string(k), std::string(kCannotRemove));
  Node n = c.nodes.empty() ? Node{} : c.nodes.front();
  read_endpoint(af, a, n, required, {"ssh_host", "ssh_port", "ssh_user"});
  if (!c.nodes.empty() && !c.nodes.front().same_endpoint(n)) n.host_key.clear();
  n.units = c.units;
  c.nodes = {std::move(n)};
}

// The A-class half of access: nodes, or the short form.
void read_ssh_access(api::Fields& af, const json& a, Cluster& c, bool patch, bool required) {
  const bool short_form = member(a, "ssh_host") || member(a, "ssh_port") || member(a, "ssh_user");
  if (member(a, "nodes") && short_form) {
    af.error("nodes", "give either nodes or the short form ssh_host, ssh_port, ssh_user (one node), not both");
    return;
  }
  if (member(a, "nodes"))
    read_nodes(af, a, c);
  else if (short_form || required)
    read_short_form(af, a, c, patch, required);
}

// cls: the cluster's class, or 0 when the request's class is missing/invalid (shapes only).
void read_access(api::Fields& f, const json& body, Cluster& c, bool patch, char cls) {
  if (patch && !member(body, "access")) return;
  if (patch && null_member(body, "access")) {
    f.error("access", std::string(kCannotRemove));
    return;
  }
  const json* a = f.object("access", true);
  if (!a) return;
  api::Fields af(*a, {"method", "ssh_host", "ssh_port", "ssh_user", "nodes", "platform_url", "environments"});
  if (auto m = af.text("method", false, 16); m && cls != 0 && *m != (cls == 'A' ? "ssh" : "platform"))
    af.error("method",
             fmt::format("is '{}' for a class {} cluster; leave it out", cls == 'A' ? "ssh" : "platform", cls));
  const bool required = !patch;
  if (cls == 'B')
    for (auto k : kSshKeys)
      af.forbid(k, "only A-class clusters are reached by SSH; a B-class cluster gives platform_url and environments");
  if (cls == 'A')
    for (auto k : kPlatformKeys)
      af.forbid(k,
                "only B-class clusters have a platform; an A-class cluster gives its nodes (or ssh_host, "
                "ssh_port and ssh_user for one node)");
  if (cls != 'B') read_ssh_access(af, *a, c, patch, required && cls == 'A');
  if (cls != 'A') {
    for (std::string_view k : kPlatformKeys)
      if (patch && null_member(*a, k)) af.error(std::string(k), std::string(kCannotRemove));
    if (auto url = af.text("platform_url", required && cls == 'B', kMaxUrl)) {
      if (std::string p = url_problem(*url); !p.empty())
        af.error("platform_url", p);
      else
        c.platform_url = *url;
    }
    if (required && cls == 'B' && !af.has("environments"))
      af.error("environments",
               fmt::format("is required: the environments leasers can choose, e.g. {}", kEnvironmentsExample));
    if (auto envs = name_list(af, *a, "environments", true, true, kEnvironmentsExample)) c.environments = *envs;
  }
  adopt(f, af, "access");
}

// An A-class cluster's units and its nodes agree: units given (or kept) with
// one node → that node's; nodes given → units is their sum (a units field
// sent must equal it). A CPU-only node is one unit.
void reconcile_nodes(api::Fields& f, const json& body, Cluster& c, bool patch) {
  if (c.cluster_class != 'A' || c.nodes.empty()) return;
  const bool nodes_sent = member(body, "access") && member(body.at("access"), "nodes");
  const bool units_sent = member(body, "units") && !body.at("units").is_null();
  if (!nodes_sent) {
    if (c.nodes.size() == 1) {
      c.nodes.front().units = c.units;
      if (c.nodes.front().device_ids.size() != static_cast<std::size_t>(c.units)) c.nodes.front().device_ids.clear();
    } else if (patch && units_sent) {
      f.error("units", fmt::format("this cluster has {} nodes: its units follow them; change access.nodes[].units "
                                   "(cpshare update --node HOST[:PORT] for each node, with --units, or --file)",
                                   c.nodes.size()));
    }
    return;
  }
  std::int64_t sum = 0;
  for (const Node& n : c.nodes) sum += n.units;
  if (c.resource_type == "CPU")
    for (std::size_t k = 0; k < c.nodes.size(); ++k)
      if (c.nodes[k].units != 1)
        f.error(fmt::format("access.nodes[{}].units", k), "a CPU-only node is one unit: set units to 1");
  if (units_sent && body.at("units").is_number_integer() && body.at("units").get<std::int64_t>() != sum)
    f.error("units", fmt::format("is {} but the nodes have {} units in all; leave units out or make them agree",
                                 body.at("units").get<std::int64_t>(), sum));
  else if (sum > kMaxUnits)
    f.error("access.nodes", fmt::format("have {} units in all; at most {}", sum, kMaxUnits));
  c.units = sum;
}

// ---- the other parts ----------------------------------------------------------------------

void read_prices(api::Fields& f, const json& body, Prices& prices, bool patch) {
  auto it = body.find("prices");
  if (it == body.end() || it->is_null()) {
    if (!patch)
      f.error("prices",
              "is required: the fen per unit for at least one billing mode, e.g. {\"hourly\": 1250} "
              "for 12.50 yuan per unit-hour");
    else if (it != body.end())
      f.error("prices", "cannot be removed; set a single mode to null to stop offering it");
    return;
  }
  if (!it->is_object()) {
    f.error("prices", "must be an object of fen per unit per period, e.g. {\"hourly\": 1250, \"monthly\": 600000}");
    return;
  }
  static const std::vector<std::string> kNames = enum_names<BillingMode>();
  static constexpr std::string_view kPeriod[] = {"hour", "day", "month", "year"};
  if (!patch) prices = Prices{};
  for (const auto& [key, value] : it->items()) {
    const std::string field = "prices." + key;
    const auto mode = enum_parse<BillingMode>(key);
    if (!mode) {
      const std::string hint = text::closest(key, kNames);
      f.error(field, fmt::format("unknown billing mode{}; the modes are {}",
                                 hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint),
                                 enum_list<BillingMode>(", ", " and ")));
      continue;
    }
    if (value.is_null()) {
      prices[*mode].reset();
      continue;
    }
    const json wrapped{{key, value}};  // number_field reads one member of an object
    api::Fields one(wrapped, {key});
    auto fen = number_field(one, wrapped, key, true, 1, kMaxFen, Quantity::Fen);
    if (fen) {
      prices[*mode] = *fen;
      continue;
    }
    for (auto& e : one.errors()) {
      std::string message = e.message;
      if (value.is_number_integer() && value == 0)
        message = "must be at least 1 fen; leave the mode out to not offer it";
      else if (value.is_number_integer() && !value.is_number_unsigned() && value.get<std::int64_t>() < 0)
        message = fmt::format("must not be negative: it is the fen charged per unit per {}",
                              kPeriod[static_cast<std::size_t>(*mode)]);
      f.error(field, message);
    }
  }
}

void read_storage(api::Fields& f, const json& body, Cluster& c, bool patch) {
  if (patch && !member(body, "storage")) return;
  if (patch && null_member(body, "storage")) {
    f.error("storage", std::string(kCannotRemove));
    return;
  }
  if (auto it = body.find("storage"); it != body.end() && it->is_string()) {
    f.error("storage", R"(must be an object: {"description": "2x3.84TB nvme data, 480GB ssd system"})");
    return;
  }
  const json* s = f.object("storage", true);
  if (!s) return;
  api::Fields sf(*s, {"description", "total_bytes"});
  std::optional<Storage> parsed;
  if (auto desc = sf.text("description", true, kMaxStorageText)) {
    if (auto r = parse_storage(*desc))
      parsed = std::move(*r);
    else
      sf.error("description", r.error().message);
  }
  auto total = number_field(sf, *s, "total_bytes", false, 1, kMaxBytes, Quantity::Bytes);
  if (total && parsed && *total != parsed->total_bytes)
    sf.error("total_bytes", fmt::format("is {} but the description adds up to {} bytes ({}); leave total_bytes out, "
                                        "the server computes it",
                                        *total, parsed->total_bytes, format_size(parsed->total_bytes)));
  adopt(f, sf, "storage");
  if (sf.ok() && parsed) {
    c.storage_bytes = parsed->total_bytes;
    c.storage_desc = parsed->description;
  }
}

void read_software(api::Fields& f, const json& body, Cluster& c) {
  auto it = body.find("software");
  if (it == body.end()) return;
  if (it->is_null()) {  // nothing declared
    c.cuda.reset(), c.cudnn.reset(), c.python.reset(), c.frameworks.clear();
    return;
  }
  const json* s = f.object("software", false);
  if (!s) return;
  api::Fields sf(*s, {"cuda", "cudnn", "python", "frameworks"});
  const std::pair<std::string_view, std::optional<std::string>*> versions[] = {
      {"cuda", &c.cuda}, {"cudnn", &c.cudnn}, {"python", &c.python}};
  for (auto [name, target] : versions) {
    if (!member(*s, name)) continue;
    if (null_member(*s, name)) {
      target->reset();
      continue;
    }
    auto v = sf.text(name, true, 32);
    if (!v) continue;
    if (auto key = version_key(*v))
      *target = *v;
    else
      sf.error(std::string(name), key.error().message);
  }
  if (null_member(*s, "frameworks"))
    c.frameworks.clear();
  else if (auto list = name_list(sf, *s, "frameworks", false, false, R"(["pytorch 2.3", "tensorflow 2.16"])"))
    c.frameworks = *list;
  adopt(f, sf, "software");
}

// A reader over the publishable top-level fields (publish and patch accept the same ones).
api::Fields top_fields(const json& body) {
  return api::Fields(body, {"class", "resource_type", "model", "units", "unit_memory", "memory", "vcpus", "prices",
                            "vendor", "location", "region", "storage", "software", "description", "usage", "access"});
}

// What a reader knows of the cluster a body describes (publish) or changes (patch).
struct Scope {
  bool patch = false;  // a merge patch: absent = unchanged, null = remove
  char cls = 0;        // the class: 'A' or 'B'; 0 when unknown (the access and usage keys are checked for shape only)
  bool merged = true;  // c is the whole cluster after the change, so the rules across fields apply
};

// class: decides what else is required. At publish it is read; in a patch it may only repeat the
// stored class (s.cls); in a check without the stored cluster it is not read.
char read_class(api::Fields& f, const json& body, Cluster& c, const Scope& s) {
  if (!s.patch) {
    char cls = 0;
    if (auto v = f.text("class", true, 8)) {
      const std::string u = upper(*v);
      if (u == "A" || u == "B")
        cls = u[0];
      else
        f.error("class",
                "must be A (bare metal, reached by SSH) or B (virtualised, reached through the supplier's "
                "platform)");
    }
    if (cls) c.cluster_class = cls;
    return cls;
  }
  if (s.cls == 0) return 0;
  const bool same = member(body, "class") && body.at("class").is_string() &&
                    upper(text::trim(body.at("class").get<std::string>())) == std::string(1, s.cls);
  if (member(body, "class") && !same)
    f.error("class", fmt::format("cannot change (this cluster is class {}): the class decides how a cluster is "
                                 "reached and billed; delist it and publish a new one",
                                 s.cls));
  return s.cls;
}

// resource_type. True when c.resource_type is known to be valid afterwards (a stored cluster's is).
bool read_resource_type(api::Fields& f, const json& body, Cluster& c, const Scope& s) {
  if (s.patch && null_member(body, "resource_type")) {
    f.error("resource_type", std::string(kCannotRemove));
    return false;
  }
  if (s.patch && !member(body, "resource_type")) return s.merged;
  if (auto v = f.text("resource_type", true, 8)) {
    const std::string u = upper(*v);
    if (u == "GPU" || u == "NPU" || u == "CPU") {
      c.resource_type = u;
      return true;
    }
    f.error("resource_type", "must be GPU, NPU or CPU");
  }
  return false;
}

// units and unit_memory, against the resource type when it is known (cpu / accel).
void read_unit_fields(api::Fields& f, const json& body, Cluster& c, const Scope& s, bool cpu, bool accel) {
  const bool patch = s.patch;
  // Nodes given: units is their sum (reconcile_nodes), so it may be left out.
  const bool nodes_sent = member(body, "access") && member(body.at("access"), "nodes");
  const std::size_t before_units = f.error_count();
  if (patch && null_member(body, "units")) f.error("units", std::string(kCannotRemove));
  auto units = number_field(f, body, "units", false, 1, kMaxUnits, Quantity::Count);
  bool units_ok = f.error_count() == before_units;
  if (units) {
    c.units = *units;
  } else if (!patch && units_ok && !nodes_sent) {
    if (accel) {
      f.error("units", fmt::format("is required: the number of {}s, 1 to {}", c.resource_type, kMaxUnits));
      units_ok = false;
    } else {
      c.units = 1;
    }
  }
  if (cpu && units_ok && !nodes_sent && c.nodes.size() <= 1 && c.units != 1)
    f.error("units", fmt::format("a CPU-only cluster is one unit: set units to 1{}", patch ? "" : " or leave it out"));

  const std::size_t before_memory = f.error_count();
  if (patch && null_member(body, "unit_memory")) {
    if (cpu)
      c.unit_memory = 0;
    else if (s.merged)  // an accelerator, or a type refused above
      f.error("unit_memory", std::string(kCannotRemove));
  }
  auto unit_memory = number_field(f, body, "unit_memory", false, 0, kMaxBytes, Quantity::Bytes);
  bool unit_memory_ok = f.error_count() == before_memory;
  if (unit_memory) {
    c.unit_memory = *unit_memory;
  } else if (!patch && unit_memory_ok) {
    if (accel) {
      f.error("unit_memory",
              fmt::format("is required: bytes of memory per {}, e.g. 80000000000 for 80GB", c.resource_type));
      unit_memory_ok = false;
    } else {
      c.unit_memory = 0;
    }
  }
  if (cpu && unit_memory_ok && c.unit_memory != 0)
    f.error("unit_memory", fmt::format("a CPU-only cluster has no accelerator memory: set it to 0{}",
                                       patch ? "" : " or leave it out"));
  if (accel && unit_memory_ok && c.unit_memory == 0)
    f.error("unit_memory", fmt::format("must be greater than 0: bytes of memory per {}", c.resource_type));
}

// description (every class) and usage (A-class only; s.cls 0: checked as text only).
void read_texts(api::Fields& f, const json& body, Cluster& c, const Scope& s) {
  if (null_member(body, "description"))
    c.description.clear();
  else if (auto d = long_text(f, body, "description", false, kMaxDescription))
    c.description = *d;

  if (s.cls == 'B') {
    f.forbid("usage", "only A-class clusters carry usage instructions; B-class leasers use access.platform_url");
    return;
  }
  if (s.patch && null_member(body, "usage")) {
    f.error("usage", "cannot be removed: an A-class cluster tells its leasers how to use it");
  } else if (auto u = long_text(f, body, "usage", !s.patch && s.cls == 'A', kMaxDescription)) {
    if (u->empty() && s.cls == 'A')
      f.error("usage", "must not be empty: an A-class cluster tells its leasers how to use it");
    else
      c.usage = *u;
  }
}

// Reads the publishable fields of `body` into c (a fresh Cluster at publish, the current one for a
// patch, a scratch one for a check without the stored cluster); all errors go to f. The one
// validation of publish and patch: what differs is in s.
void read_cluster_fields(api::Fields& f, const json& body, Cluster& c, Scope s) {
  s.cls = read_class(f, body, c, s);
  // Without the stored cluster the type may be unknown, and c is no whole cluster: the rules
  // across fields wait for the merge.
  const bool type_ok = read_resource_type(f, body, c, s) && s.merged;
  const bool cpu = type_ok && c.resource_type == "CPU";
  read_unit_fields(f, body, c, s, cpu, type_ok && !cpu);
  required_text(f, body, "model", kShortText, s.patch, c.model);

  const auto required_number = [&](std::string_view name, std::int64_t max, Quantity q, std::int64_t& target) {
    if (s.patch && null_member(body, name)) f.error(std::string(name), std::string(kCannotRemove));
    if (auto v = number_field(f, body, name, !s.patch, 1, max, q)) target = *v;
  };
  required_number("memory", kMaxBytes, Quantity::Bytes, c.memory);
  required_number("vcpus", kMaxVcpus, Quantity::Count, c.vcpus);

  const std::size_t before_prices = f.error_count();
  read_prices(f, body, c.prices, s.patch);
  if (s.merged && f.error_count() == before_prices && c.prices.modes().empty())
    f.error("prices",
            "must offer at least one billing mode: hourly, daily, monthly or yearly (fen per unit); to "
            "stop offering the cluster, delist it");

  required_text(f, body, "vendor", kShortText, s.patch, c.vendor);
  required_text(f, body, "location", kShortText, s.patch, c.location);
  required_text(f, body, "region", kShortText, s.patch, c.region);
  read_storage(f, body, c, s.patch);
  read_software(f, body, c);
  read_texts(f, body, c, s);
  read_access(f, body, c, s.patch, s.cls);
  if (s.merged && f.ok()) reconcile_nodes(f, body, c, s.patch);
}

}  // namespace

// ---- ids and names --------------------------------------------------------------------------

std::string new_cpc_id() { return crypto::random_id("cp-", kIdChars); }  // 10 symbols of 5 bits

bool is_cpc_id(std::string_view id) {
  return id.size() == 3 + kIdChars && id.starts_with("cp-") &&
         std::all_of(id.begin() + 3, id.end(), [](char c) { return kIdAlphabet.find(c) != std::string_view::npos; });
}

std::optional<std::int64_t>& Prices::operator[](BillingMode m) {
  switch (m) {
    case BillingMode::Hourly: return hourly;
    case BillingMode::Daily: return daily;
    case BillingMode::Monthly: return monthly;
    case BillingMode::Yearly: return yearly;
  }
  return hourly;
}

const std::optional<std::int64_t>& Prices::operator[](BillingMode m) const { return const_cast<Prices&>(*this)[m]; }

std::vector<BillingMode> Prices::modes() const {
  std::vector<BillingMode> out;
  for (auto m : enum_values<BillingMode>())
    if ((*this)[m]) out.push_back(m);
  return out;
}

std::int64_t first_unit(const Cluster& c, std::size_t k) {
  std::int64_t first = 0;
  for (std::size_t i = 0; i < k && i < c.nodes.size(); ++i) first += c.nodes[i].units;
  return first;
}

std::optional<std::size_t> node_of(const Cluster& c, std::int64_t unit) {
  std::int64_t first = 0;
  for (std::size_t k = 0; k < c.nodes.size(); ++k) {
    if (unit >= first && unit < first + c.nodes[k].units) return k;
    first += c.nodes[k].units;
  }
  return std::nullopt;
}

// ---- requests and the view ------------------------------------------------------------------

Result<Cluster> cluster_from_publish(const json& body) {
  api::Fields f = top_fields(body);
  if (!body.is_object()) return fail(f.failure());
  Cluster c;
  read_cluster_fields(f, body, c, Scope{.patch = false, .cls = 0, .merged = true});
  if (!f.ok()) return fail(f.failure());
  c.units_free = c.units;
  c.nodes_free = static_cast<std::int64_t>(c.nodes.size());
  c.status = ClusterStatus::Listed;
  return c;
}

Result<Cluster> apply_update(const Cluster& current, const json& body) {
  api::Fields f = top_fields(body);
  if (!body.is_object()) return fail(f.failure());
  if (body.empty()) {
    f.error("(body)", "give at least one field to change");
    return fail(f.failure());
  }
  Cluster c = current;
  read_cluster_fields(f, body, c, Scope{.patch = true, .cls = current.cluster_class, .merged = true});
  if (!f.ok()) return fail(f.failure());
  return c;
}

Result<> check_update(const json& body) {
  api::Fields f = top_fields(body);
  if (!body.is_object()) return fail(f.failure());
  if (body.empty()) {
    f.error("(body)", "give at least one field to change");
    return fail(f.failure());
  }
  Cluster scratch;
  read_cluster_fields(f, body, scratch, Scope{.patch = true, .cls = 0, .merged = false});
  if (!f.ok()) return fail(f.failure());
  return {};
}

}  // namespace cpshare::catalog
