// Which address a request comes from when a reverse proxy fronts the daemon
// (cpshared --trusted-proxy, docs/DEPLOYMENT.md). RequestContext::ip is this
// address: the login and registration throttles key on it, and the audit log
// and the request log show it. Behind nginx every TCP peer is nginx itself, so
// without this one attacker's failed logins would throttle every user.
//
// The rule (the one nginx's real_ip_recursive and most proxies use, and the
// only one a client cannot spoof): a request whose TCP peer is not a trusted
// proxy comes from that peer, whatever its X-Forwarded-For says. From a trusted
// peer, X-Forwarded-For is read right to left (each proxy appends the address
// it saw) and the first entry that is not itself a trusted proxy is the client.
// Entries left of it were written by the client or by proxies nobody vouches
// for, so they are never believed.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"
#include "util/ip.hpp"

namespace httplib {
struct Request;
}

namespace cpshare {

// An IPv4 or IPv6 network (util/ip.hpp): IPv4 is held as IPv4-mapped IPv6, so
// a peer that a dual-stack socket reports as ::ffff:127.0.0.1 matches 127.0.0.1.
using IpNetwork = ip::Network;

class TrustedProxies {
 public:
  TrustedProxies() = default;  // trusts no peer: X-Forwarded-For is never read

  // One --trusted-proxy value: "ADDR" (IPv4 or IPv6, one host) or "ADDR/BITS"
  // (a network, 1..32 bits for IPv4, 1..128 for IPv6, no bits set past BITS).
  // VALIDATION_FAILED on field "--trusted-proxy", the message naming the
  // value and what to write instead (host names are refused: a proxy is named
  // by the address it connects from).
  static Result<IpNetwork> parse_network(std::string_view spec);
  // Every value, as parse_network; the first bad one is the error.
  static Result<TrustedProxies> parse(const std::vector<std::string>& specs);

  // Whether addr (an IPv4 or IPv6 address as text) lies in a trusted network;
  // false for anything that is not an address.
  bool contains(std::string_view addr) const;
  bool empty() const { return networks_.empty(); }

  // The client's address for a request from TCP peer `peer` carrying these
  // X-Forwarded-For header lines (in the order received; several lines read
  // as one comma-joined list, as RFC 9110 §5.3 says):
  // - peer not trusted, or no entry: peer, as given;
  // - else the rightmost entry that is not trusted, in canonical form
  //   (IPv4 dotted, IPv6 as inet_ntop writes it);
  // - an entry that is not an IP address (a port, "unknown", garbage) ends the
  //   walk: the nearest trusted hop to its right is the client, since no
  //   trusted proxy wrote it;
  // - every entry trusted: the leftmost.
  std::string client_address(std::string_view peer, std::span<const std::string> forwarded_for) const;

 private:
  std::vector<IpNetwork> networks_;
};

// client_address() for a cpp-httplib request: its remote_addr and every
// X-Forwarded-For line it carries.
std::string client_address(const TrustedProxies& proxies, const httplib::Request& req);

}  // namespace cpshare
