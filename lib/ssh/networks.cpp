#include "ssh/networks.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "util/text.hpp"

namespace cpshare::ssh {

namespace {

constexpr std::string_view kFlag = "--supplier-networks";

// The special-purpose networks the default policy refuses (RFC 6890), by kind.
struct Special {
  ip::Network net;
  std::string_view kind;
};

constexpr ip::Network v4(unsigned char a, unsigned char b, unsigned char c, unsigned char d, int bits) {
  return {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d}, 96 + bits, true};
}
constexpr ip::Network v6(unsigned char b0, unsigned char b1, int bits, unsigned char last = 0) {
  return {{b0, b1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last}, bits, false};
}

constexpr Special kSpecial[] = {
    {v4(127, 0, 0, 0, 8), "loopback"},         {v6(0, 0, 128, 1), "loopback"},
    {v4(0, 0, 0, 0, 8), "unspecified"},        {v6(0, 0, 128), "unspecified"},
    {v4(169, 254, 0, 0, 16), "link-local"},    {v6(0xfe, 0x80, 10), "link-local"},
    {v4(224, 0, 0, 0, 4), "multicast"},        {v6(0xff, 0x00, 8), "multicast"},
    {v4(255, 255, 255, 255, 32), "broadcast"},
};

// The special-purpose kind of an address ("loopback", ...), or "" for an ordinary one.
std::string_view kind_of(const ip::Address& a) {
  for (const auto& s : kSpecial)
    if (ip::contains(s.net, a)) return s.kind;
  return "";
}

struct AddrinfoFree {
  void operator()(addrinfo* ai) const { ::freeaddrinfo(ai); }
};

ip::Address address_of(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    unsigned char b[4];
    std::memcpy(b, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, 4);
    return ip::from_v4(b);
  }
  unsigned char b[16];
  std::memcpy(b, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, 16);
  return ip::from_v6(b);
}

// host's addresses from getaddrinfo, in its order, without repeats; numeric_only:
// without DNS (AI_NUMERICHOST), so nullopt means "a name". nullopt also when a
// name does not resolve.
std::optional<std::vector<ip::Address>> lookup(std::string_view host, int port, bool numeric_only) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (numeric_only ? AI_NUMERICHOST : 0);
  addrinfo* raw = nullptr;
  if (::getaddrinfo(std::string(host).c_str(), std::to_string(port).c_str(), &hints, &raw) != 0) return std::nullopt;
  std::unique_ptr<addrinfo, AddrinfoFree> list(raw);
  std::vector<ip::Address> out;
  for (const addrinfo* ai = raw; ai; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    const ip::Address a = address_of(ai->ai_addr);
    if (std::none_of(out.begin(), out.end(), [&](const ip::Address& b) { return b.bytes == a.bytes; }))
      out.push_back(a);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace

Result<NetworkPolicy> NetworkPolicy::parse(const std::vector<std::string>& specs) {
  NetworkPolicy out;
  for (const auto& spec : specs) {
    auto net = ip::parse_network(spec, 0, "give a network such as 10.0.0.0/8 or 2001:db8::/32, or one address");
    if (!net) return fail_fields({{std::string(kFlag), net.error().message}});
    out.allowed_.push_back(*net);
  }
  return out;
}

Result<NetworkPolicy> NetworkPolicy::parse_list(std::string_view comma_separated) {
  std::vector<std::string> specs;
  for (std::string_view rest = comma_separated;;) {
    const auto comma = rest.find(',');
    specs.push_back(text::trim(rest.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (specs.size() == 1 && specs.front().empty()) specs.clear();
  return parse(specs);
}

// Why the platform does not connect to a ("a loopback address, which ..."), or "" when it may.
std::string NetworkPolicy::refusal(const ip::Address& a) const {
  const std::string_view kind = kind_of(a);
  const bool allowed = allowed_.empty() ? kind.empty()
                                        : std::any_of(allowed_.begin(), allowed_.end(),
                                                      [&](const ip::Network& n) { return ip::contains(n, a); });
  if (allowed) return "";
  if (kind.empty()) return fmt::format("outside the networks this platform connects to (cpshared {})", kFlag);
  return fmt::format("{} {} address, which this platform does not connect to (cpshared {})",
                     kind == "unspecified" ? "an" : "a", kind, kFlag);
}

Result<> NetworkPolicy::check_address(const ip::Address& a) const {
  if (std::string why = refusal(a); !why.empty())
    return fail(ErrorCode::Forbidden, fmt::format("{} is {}", ip::to_text(a), why));
  return {};
}

Result<> NetworkPolicy::check_literal(std::string_view host) const {
  const auto literal = lookup(host, 22, true);
  if (!literal) return {};  // a name: checked when the platform connects
  for (const auto& a : *literal) TRY(check_address(a));
  return {};
}

Result<std::vector<std::string>> NetworkPolicy::resolve_allowed(std::string_view host, int port) const {
  if (lookup(host, port, true)) TRY(check_literal(host));  // a literal: named as itself
  const auto found = lookup(host, port, false);
  if (!found) return fail(ErrorCode::Unavailable, fmt::format("unreachable: {} does not resolve", host));
  std::vector<std::string> out;
  for (const auto& a : *found) {
    if (std::string why = refusal(a); !why.empty())
      return fail(ErrorCode::Forbidden, fmt::format("{} resolves to {}, {}", host, ip::to_text(a), why));
    out.push_back(ip::to_text(a));
  }
  return out;
}

std::string NetworkPolicy::describe() const {
  if (allowed_.empty()) return "default (all but loopback, unspecified, link-local, multicast and broadcast)";
  std::string out;
  for (const auto& n : allowed_) out += (out.empty() ? "" : ", ") + ip::to_text(n);
  return out;
}

}  // namespace cpshare::ssh
