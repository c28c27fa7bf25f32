// Which addresses the platform connects to for a supplier (issue 12, point 5:
// "Nodes the platform may reach"). A supplier names an A-class node's host;
// every SSH connection the daemon makes to it (verify, lease accounts made and
// removed) goes only to an address this policy allows, and only once every
// address the name resolves to is allowed. Without it a supplier could point
// `cpshare cluster verify` at the daemon's own loopback or a cloud metadata
// service (169.254.169.254) and learn from the answers what listens there.
//
// The default policy allows every address except the special-purpose ones a
// node on the network never has (RFC 6890 and its registries, the IANA IPv4
// and IPv6 Special-Purpose Address Registries):
//   loopback     127.0.0.0/8, ::1/128
//   unspecified  0.0.0.0/8 ("this network"; Linux connects 0.0.0.0 to itself), ::/128
//   link-local   169.254.0.0/16 (cloud metadata services live here), fe80::/10
//   multicast    224.0.0.0/4, ff00::/8
//   broadcast    255.255.255.255/32
// An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged as its IPv4 address.
// An explicit list (cpshared --supplier-networks 10.0.0.0/8,2001:db8::/32)
// replaces the default: exactly the listed networks are allowed, special
// purpose or not (the integration tests list 127.0.0.0/8 and ::1/128).
//
// Shapes: a network is "ADDR/BITS" or a bare "ADDR" (one host, /32 or /128),
// IPv4 or IPv6 in inet_pton's grammar ("10.0.0.0/8", "127.0.0.1", "::1/128",
// "0.0.0.0/0" for every IPv4 address).
//
// Errors:
//   ValidationFailed  parse: fields[0] is "--supplier-networks", its message
//                     names the bad entry and says what is wrong.
//   Forbidden         an address outside the policy; the message names it and
//                     its kind: "127.0.0.1 is a loopback address, which this
//                     platform does not connect to (cpshared --supplier-networks)".
//   Unavailable       resolve_allowed: "unreachable: HOST does not resolve".
// Thread-safe: a policy does not change once made.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"
#include "util/ip.hpp"

namespace cpshare::ssh {

class NetworkPolicy {
 public:
  NetworkPolicy() = default;  // the default policy: all but the special-purpose kinds above

  // The explicit list of allowed networks, one entry each; an empty list is
  // the default policy. The first bad entry is the error.
  static Result<NetworkPolicy> parse(const std::vector<std::string>& specs);
  // As parse, from "CIDR[,CIDR...]" (spaces around entries ignored).
  static Result<NetworkPolicy> parse_list(std::string_view comma_separated);

  // Whether the platform may connect to this address (Forbidden if not).
  Result<> check_address(const ip::Address& a) const;
  // For a host as a supplier typed it: a literal address (anything
  // getaddrinfo reads without DNS, "127.1" and "0x7f.1" included) is checked;
  // a name passes (it is resolved and checked when the platform connects).
  Result<> check_literal(std::string_view host) const;
  // Resolves host (getaddrinfo, AF_UNSPEC) and answers its addresses (text, in
  // the resolver's order, no repeats) when every one is allowed; Forbidden
  // naming the host and the first refused address otherwise.
  Result<std::vector<std::string>> resolve_allowed(std::string_view host, int port) const;

  bool is_default() const { return allowed_.empty(); }
  // "default" or the allowed networks, "127.0.0.0/8, ::1/128", for the daemon's log.
  std::string describe() const;

 private:
  std::string refusal(const ip::Address& a) const;

  std::vector<ip::Network> allowed_;  // empty: the default policy
};

}  // namespace cpshare::ssh
