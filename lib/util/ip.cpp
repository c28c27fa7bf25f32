#include "util/ip.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace cpshare::ip {

namespace {

constexpr std::array<unsigned char, 12> kIpv4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

std::unexpected<Error> refuse(std::string_view spec, std::string_view why) {
  return fail(ErrorCode::ValidationFailed, fmt::format("\"{}\" {}", spec, why));
}

}  // namespace

Address from_v4(const unsigned char (&v4)[4]) {
  Address a;
  std::copy(kIpv4MappedPrefix.begin(), kIpv4MappedPrefix.end(), a.bytes.begin());
  std::copy(v4, v4 + 4, a.bytes.begin() + 12);
  a.v4 = true;
  return a;
}

Address from_v6(const unsigned char (&v6)[16]) {
  Address a;
  std::copy(v6, v6 + 16, a.bytes.begin());
  a.v4 = std::equal(kIpv4MappedPrefix.begin(), kIpv4MappedPrefix.end(), a.bytes.begin());
  return a;
}

std::optional<Address> parse_address(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string s(text);
  unsigned char v4[4];
  if (::inet_pton(AF_INET, s.c_str(), v4) == 1) return from_v4(v4);
  unsigned char v6[16];
  if (::inet_pton(AF_INET6, s.c_str(), v6) == 1) return from_v6(v6);
  return std::nullopt;
}

std::string to_text(const Address& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.v4)
    ::inet_ntop(AF_INET, a.bytes.data() + 12, buf, sizeof(buf));
  else
    ::inet_ntop(AF_INET6, a.bytes.data(), buf, sizeof(buf));
  return buf;
}

std::string to_text(const Network& n) { return fmt::format("{}/{}", to_text(Address{n.bytes, n.v4}), n.bits()); }

std::string endpoint_text(std::string_view host, int port) {
  return host.find(':') == std::string_view::npos ? fmt::format("{}:{}", host, port)
                                                  : fmt::format("[{}]:{}", host, port);
}

bool contains(const Network& n, const Address& a) {
  const int whole = n.prefix / 8, rest = n.prefix % 8;
  if (!std::equal(a.bytes.begin(), a.bytes.begin() + whole, n.bytes.begin())) return false;
  if (rest == 0) return true;
  const auto mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (a.bytes[static_cast<std::size_t>(whole)] & mask) == (n.bytes[static_cast<std::size_t>(whole)] & mask);
}

Result<Network> parse_network(std::string_view spec, int min_bits, std::string_view not_an_address) {
  const auto slash = spec.find('/');
  const std::string_view host = spec.substr(0, slash);
  const auto addr = parse_address(host);
  if (!addr) return refuse(spec, fmt::format("is not an IP address or network: {}", not_an_address));
  // The prefix counts IPv4 bits when the address is written as IPv4.
  const bool dotted = host.find(':') == std::string_view::npos;
  Network net{addr->bytes, 128, dotted};
  if (slash == std::string_view::npos) return net;

  const int max_bits = dotted ? 32 : 128;
  const std::string_view bits_text = spec.substr(slash + 1);
  int bits = -1;
  const auto [end, ec] = std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
  if (bits_text.empty() || ec != std::errc{} || end != bits_text.data() + bits_text.size() || bits < min_bits ||
      bits > max_bits)
    return refuse(
        spec, fmt::format("has a bad prefix length: after / give a number of bits from {} to {}", min_bits, max_bits));
  net.prefix = dotted ? bits + 96 : bits;
  Network base = net;
  for (int i = net.prefix; i < 128; ++i)
    base.bytes[static_cast<std::size_t>(i / 8)] &= static_cast<unsigned char>(~(0x80u >> (i % 8)));
  if (base.bytes != net.bytes)
    return refuse(spec, fmt::format("has bits set past /{}; the network is {}", bits, to_text(base)));
  return net;
}

}  // namespace cpshare::ip
