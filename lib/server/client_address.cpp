#include "server/client_address.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <httplib.h>

namespace cpshare {

namespace {

constexpr std::string_view kTrustedProxyFlag = "--trusted-proxy";
std::unexpected<Error> refuse_proxy_spec(std::string_view spec, std::string why) {
  return fail_fields({{std::string(kTrustedProxyFlag), fmt::format("\"{}\" {}", spec, why)}});
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<IpNetwork> TrustedProxies::parse_network(std::string_view spec) {
  constexpr std::string_view kNotAnAddress =
      "give the proxy's address as it connects to cpshared, e.g. 127.0.0.1, ::1 or 10.0.0.0/24 (host names are not "
      "accepted)";
  if (auto all = ip::parse_network(spec, 0, kNotAnAddress); all && all->bits() == 0)
    return refuse_proxy_spec(spec,
                             "would trust every peer, so any client could choose its own address; name "
                             "the proxies' addresses or their network");
  auto net = ip::parse_network(spec, 1, kNotAnAddress);
  if (!net) return fail_fields({{std::string(kTrustedProxyFlag), net.error().message}});
  return *net;
}

Result<TrustedProxies> TrustedProxies::parse(const std::vector<std::string>& specs) {
  TrustedProxies out;
  for (const auto& spec : specs) {
    TRY_ASSIGN(IpNetwork net, parse_network(spec));
    out.networks_.push_back(net);
  }
  return out;
}

bool TrustedProxies::contains(std::string_view addr) const {
  if (networks_.empty()) return false;
  auto a = ip::parse_address(addr);
  if (!a) return false;
  return std::any_of(networks_.begin(), networks_.end(), [&](const IpNetwork& net) { return ip::contains(net, *a); });
}

std::string TrustedProxies::client_address(std::string_view peer, std::span<const std::string> forwarded_for) const {
  if (!contains(peer)) return std::string(peer);
  // Right to left over every entry of every line, the last line last.
  std::string client(peer);
  for (auto line = forwarded_for.rbegin(); line != forwarded_for.rend(); ++line) {
    std::string_view rest = *line;
    while (true) {
      const auto comma = rest.rfind(',');
      const std::string_view entry = trim_ows(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
      if (!entry.empty()) {
        auto a = ip::parse_address(entry);
        if (!a) return client;  // no trusted proxy wrote this
        client = ip::to_text(*a);
        if (!std::any_of(networks_.begin(), networks_.end(),
                         [&](const IpNetwork& net) { return ip::contains(net, *a); }))
          return client;
      }
      if (comma == std::string_view::npos) break;
      rest = rest.substr(0, comma);
    }
  }
  return client;  // every entry trusted (or none): the leftmost one reached
}

std::string client_address(const TrustedProxies& proxies, const httplib::Request& req) {
  if (proxies.empty()) return req.remote_addr;
  std::vector<std::string> lines;
  auto [first, last] = req.headers.equal_range("X-Forwarded-For");
  for (auto it = first; it != last; ++it) lines.push_back(it->second);
  return proxies.client_address(req.remote_addr, lines);
}

}  // namespace cpshare
