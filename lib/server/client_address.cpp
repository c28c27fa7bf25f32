#include "server/client_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include <fmt/format.h>
#include <httplib.h>

namespace cpshare {

namespace {

constexpr std::string_view kTrustedProxyFlag = "--trusted-proxy";
constexpr std::array<unsigned char, 12> kIpv4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

struct ParsedIp {
  std::array<unsigned char, 16> bytes{};
  bool v4 = false;  // given as IPv4, or IPv4-mapped IPv6
};

// An IPv4 or IPv6 address in text, nothing else (no port, brackets, zone or
// surrounding space): inet_pton's grammar, which refuses "127.1" and octal.
std::optional<ParsedIp> parse_ip(std::string_view in) {
  if (in.empty() || in.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string s(in);
  ParsedIp a;
  unsigned char v4[4];
  if (::inet_pton(AF_INET, s.c_str(), v4) == 1) {
    std::copy(kIpv4MappedPrefix.begin(), kIpv4MappedPrefix.end(), a.bytes.begin());
    std::copy(v4, v4 + 4, a.bytes.begin() + 12);
    a.v4 = true;
    return a;
  }
  if (::inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    a.v4 = std::equal(kIpv4MappedPrefix.begin(), kIpv4MappedPrefix.end(), a.bytes.begin());
    return a;
  }
  return std::nullopt;
}

std::string ip_text(const ParsedIp& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.v4)
    ::inet_ntop(AF_INET, a.bytes.data() + 12, buf, sizeof(buf));
  else
    ::inet_ntop(AF_INET6, a.bytes.data(), buf, sizeof(buf));
  return buf;
}

bool ip_in_network(const std::array<unsigned char, 16>& addr, const IpNetwork& net) {
  const int whole = net.prefix / 8, rest = net.prefix % 8;
  if (!std::equal(addr.begin(), addr.begin() + whole, net.bytes.begin())) return false;
  if (rest == 0) return true;
  const auto mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (addr[static_cast<std::size_t>(whole)] & mask) == (net.bytes[static_cast<std::size_t>(whole)] & mask);
}

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
  const auto slash = spec.find('/');
  const std::string_view host = spec.substr(0, slash);
  auto addr = parse_ip(host);
  if (!addr)
    return refuse_proxy_spec(spec,
                             "is not an IP address or network: give the proxy's address as it connects to "
                             "cpshared, e.g. 127.0.0.1, ::1 or 10.0.0.0/24 (host names are not accepted)");
  IpNetwork net{addr->bytes, 128};
  if (slash == std::string_view::npos) return net;

  // The prefix counts IPv4 bits when the address is written as IPv4.
  const bool dotted = host.find(':') == std::string_view::npos;
  const int max_bits = dotted ? 32 : 128;
  const std::string_view bits_text = spec.substr(slash + 1);
  int bits = -1;
  const auto [end, ec] = std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
  if (bits_text.empty() || ec != std::errc{} || end != bits_text.data() + bits_text.size() || bits < 0 ||
      bits > max_bits)
    return refuse_proxy_spec(
        spec, fmt::format("has a bad prefix length: after / give a number of bits from 1 to {}", max_bits));
  if (bits == 0)
    return refuse_proxy_spec(spec,
                             "would trust every peer, so any client could choose its own address; name "
                             "the proxies' addresses or their network");
  net.prefix = dotted ? bits + 96 : bits;
  IpNetwork base = net;
  for (int i = net.prefix; i < 128; ++i)
    base.bytes[static_cast<std::size_t>(i / 8)] &= static_cast<unsigned char>(~(0x80u >> (i % 8)));
  if (base.bytes != net.bytes)
    return refuse_proxy_spec(spec, fmt::format("has bits set past /{}; the network is {}/{}", bits,
                                               ip_text(ParsedIp{base.bytes, dotted}), bits));
  return net;
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
  auto a = parse_ip(addr);
  if (!a) return false;
  return std::any_of(networks_.begin(), networks_.end(),
                     [&](const IpNetwork& net) { return ip_in_network(a->bytes, net); });
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
        auto a = parse_ip(entry);
        if (!a) return client;  // no trusted proxy wrote this
        client = ip_text(*a);
        if (!std::any_of(networks_.begin(), networks_.end(),
                         [&](const IpNetwork& net) { return ip_in_network(a->bytes, net); }))
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
