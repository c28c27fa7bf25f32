// IP addresses and networks as text (inet_pton's grammar), for the two places
// that judge an address against a list of networks: the reverse proxies the
// daemon trusts (server/client_address, --trusted-proxy) and the networks it
// may connect to for a supplier (ssh/networks, --supplier-networks).
//
// Both families are held in one 16-byte form: IPv4 as IPv4-mapped IPv6
// (::ffff:a.b.c.d, RFC 4291 §2.5.5.2), so that 127.0.0.1, ::ffff:127.0.0.1 and
// a dual-stack socket's view of either match the same network.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace cpshare::ip {

using Bytes = std::array<unsigned char, 16>;

struct Address {
  Bytes bytes{};
  bool v4 = false;  // given as IPv4, or IPv4-mapped IPv6: written back as IPv4
};

struct Network {
  Bytes bytes{};     // no bits set past prefix
  int prefix = 128;  // leading bits that must match, 0..128 (an IPv4 /N is N + 96)
  bool v4 = false;   // written as IPv4: its prefix counts IPv4 bits in text

  int bits() const { return v4 ? prefix - 96 : prefix; }  // the prefix as written
};

// An IPv4 or IPv6 address and nothing else (no port, brackets, zone or
// surrounding space): inet_pton's grammar, which refuses "127.1" and octal.
std::optional<Address> parse_address(std::string_view text);
// The address from a 4-byte IPv4 or 16-byte IPv6 address in network order.
Address from_v4(const unsigned char (&v4)[4]);
Address from_v6(const unsigned char (&v6)[16]);

// IPv4 dotted, IPv6 as inet_ntop writes it ("2001:db8::1").
std::string to_text(const Address& a);
std::string to_text(const Network& n);  // "10.0.0.0/8", "fd00::/8"

bool contains(const Network& n, const Address& a);

// A host and port as one writes them for a person (and for ssh, URLs):
// "gpu01:22", "10.0.0.5:22", and an IPv6 address in brackets, "[2001:db8::1]:22"
// (RFC 3986 §3.2.2), since "2001:db8::1:22" would read as another address.
std::string endpoint_text(std::string_view host, int port);

// "ADDR" (one host: /32 or /128) or "ADDR/BITS" (min_bits..32 bits after an
// IPv4 address, min_bits..128 after IPv6, no bits set past BITS). On error,
// ValidationFailed with no fields and a message that starts with the spec in
// quotes and says what is wrong: "\"10.0.0.1/8\" has bits set past /8; the
// network is 10.0.0.0/8". not_an_address is appended to the message for a spec
// whose address part does not parse (say what to write instead).
Result<Network> parse_network(std::string_view spec, int min_bits, std::string_view not_an_address);

}  // namespace cpshare::ip
