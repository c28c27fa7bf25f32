// The client address behind a reverse proxy (lib/server/client_address):
// throttles and the audit log key on it (R-SEC-4), so a client must never be
// able to choose it.
#include <catch2/catch.hpp>
#include <httplib.h>

#include <string>
#include <vector>

#include "server/client_address.hpp"

using cpshare::ErrorCode;
using cpshare::TrustedProxies;

namespace {

TrustedProxies trusting(const std::vector<std::string>& specs) {
  auto p = TrustedProxies::parse(specs);
  REQUIRE(p);
  return *p;
}

std::string resolve(const TrustedProxies& p, const std::string& peer, const std::vector<std::string>& xff) {
  return p.client_address(peer, xff);
}

// The message of the error parse_network gives for spec (field --trusted-proxy).
std::string refusal(const std::string& spec) {
  auto r = TrustedProxies::parse_network(spec);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::ValidationFailed);
  REQUIRE(r.error().fields.size() == 1);
  CHECK(r.error().fields[0].field == "--trusted-proxy");
  CHECK(r.error().fields[0].message.find(spec) != std::string::npos);
  return r.error().fields[0].message;
}

}  // namespace

TEST_CASE("X-Forwarded-For from a peer that is not a trusted proxy is ignored", "[R-SEC-4]") {
  const TrustedProxies none;
  CHECK(resolve(none, "203.0.113.9", {"198.51.100.1"}) == "203.0.113.9");
  const auto p = trusting({"127.0.0.1"});
  // A client on the internet talking to cpshared directly cannot pick its address.
  CHECK(resolve(p, "203.0.113.9", {"198.51.100.1"}) == "203.0.113.9");
  CHECK(resolve(p, "127.0.0.2", {"198.51.100.1"}) == "127.0.0.2");
}

TEST_CASE("from a trusted proxy the client is the rightmost untrusted X-Forwarded-For entry", "[R-SEC-4]") {
  const auto p = trusting({"127.0.0.1", "10.0.0.0/24"});
  // nginx as documented: proxy_set_header X-Forwarded-For $remote_addr.
  CHECK(resolve(p, "127.0.0.1", {"203.0.113.7"}) == "203.0.113.7");
  // A proxy that appends ($proxy_add_x_forwarded_for): what the client wrote is left of it.
  CHECK(resolve(p, "127.0.0.1", {"1.2.3.4, 203.0.113.7"}) == "203.0.113.7");
  // Two trusted hops: the load balancer on 10.0.0.5 saw the client.
  CHECK(resolve(p, "127.0.0.1", {"1.2.3.4, 198.51.100.9, 10.0.0.5"}) == "198.51.100.9");
  // Spaces, tabs and empty list elements are allowed by the list syntax.
  CHECK(resolve(p, "127.0.0.1", {" ,\t198.51.100.9 ,, 10.0.0.5 , "}) == "198.51.100.9");
}

TEST_CASE("several X-Forwarded-For lines read as one list, the last line rightmost", "[R-SEC-4]") {
  const auto p = trusting({"127.0.0.1"});
  CHECK(resolve(p, "127.0.0.1", {"1.1.1.1", "2.2.2.2"}) == "2.2.2.2");
  CHECK(resolve(p, "127.0.0.1", {"1.1.1.1", "127.0.0.1"}) == "1.1.1.1");

  // The cpp-httplib request as the server fills it.
  httplib::Request req;
  req.remote_addr = "127.0.0.1";
  req.headers.emplace("X-Forwarded-For", "1.1.1.1");
  req.headers.emplace("x-forwarded-for", "2.2.2.2");
  CHECK(cpshare::client_address(p, req) == "2.2.2.2");
  req.remote_addr = "192.0.2.1";
  CHECK(cpshare::client_address(p, req) == "192.0.2.1");
  CHECK(cpshare::client_address(TrustedProxies{}, req) == "192.0.2.1");
}

TEST_CASE("without a usable X-Forwarded-For the nearest trusted hop is the client", "[R-SEC-4]") {
  const auto p = trusting({"127.0.0.1", "10.0.0.0/24"});
  CHECK(resolve(p, "127.0.0.1", {}) == "127.0.0.1");
  CHECK(resolve(p, "127.0.0.1", {""}) == "127.0.0.1");
  CHECK(resolve(p, "127.0.0.1", {" , "}) == "127.0.0.1");
  // Not an address: no trusted proxy wrote it, so nothing left of it counts either.
  CHECK(resolve(p, "127.0.0.1", {"unknown"}) == "127.0.0.1");
  CHECK(resolve(p, "127.0.0.1", {"203.0.113.7:4711"}) == "127.0.0.1");
  CHECK(resolve(p, "127.0.0.1", {"[2001:db8::1]"}) == "127.0.0.1");
  CHECK(resolve(p, "127.0.0.1", {"203.0.113.7, evil\nline, 10.0.0.5"}) == "10.0.0.5");
  // Every hop trusted: the leftmost, farthest one.
  CHECK(resolve(p, "127.0.0.1", {"10.0.0.9, 10.0.0.5"}) == "10.0.0.9");
}

TEST_CASE("client addresses come out in canonical form", "[R-SEC-4]") {
  const auto p = trusting({"127.0.0.1", "::1"});
  CHECK(resolve(p, "::1", {"2001:DB8:0:0:0::1"}) == "2001:db8::1");
  CHECK(resolve(p, "127.0.0.1", {"::ffff:203.0.113.7"}) == "203.0.113.7");
  // A dual-stack socket names an IPv4 peer as IPv4-mapped IPv6.
  CHECK(resolve(p, "::ffff:127.0.0.1", {"203.0.113.7"}) == "203.0.113.7");
  // 127.0.0.01 is not an address in inet_pton's grammar (octal would be ambiguous).
  CHECK(resolve(p, "127.0.0.1", {"203.0.113.07"}) == "127.0.0.1");
}

TEST_CASE("trusted networks match by prefix", "[R-SEC-4]") {
  const auto p = trusting({"192.0.2.128/25", "fd00:1::/32"});
  CHECK(p.contains("192.0.2.128"));
  CHECK(p.contains("192.0.2.255"));
  CHECK_FALSE(p.contains("192.0.2.127"));
  CHECK(p.contains("::ffff:192.0.2.200"));
  CHECK(p.contains("fd00:1:ffff::1"));
  CHECK_FALSE(p.contains("fd00:2::1"));
  CHECK_FALSE(p.contains("not an address"));
  CHECK_FALSE(p.contains(""));
  CHECK_FALSE(TrustedProxies{}.contains("127.0.0.1"));
  const auto one = trusting({"127.0.0.1"});
  CHECK(one.contains("127.0.0.1"));
  CHECK_FALSE(one.contains("127.0.0.2"));
  CHECK(trusting({"127.0.0.0/8"}).contains("127.9.9.9"));
}

TEST_CASE("--trusted-proxy values that are not addresses or networks are refused with the fix", "[R-SEC-4]") {
  CHECK(refusal("localhost").find("host names are not accepted") != std::string::npos);
  CHECK(refusal("nginx.example.org").find("e.g. 127.0.0.1") != std::string::npos);
  CHECK(refusal("127.0.0.1:8080").find("not an IP address") != std::string::npos);
  CHECK(refusal("127.1").find("not an IP address") != std::string::npos);
  CHECK(refusal(" 127.0.0.1").find("not an IP address") != std::string::npos);
  CHECK(refusal("10.0.0.0/33").find("from 1 to 32") != std::string::npos);
  CHECK(refusal("fd00::/129").find("from 1 to 128") != std::string::npos);
  CHECK(refusal("10.0.0.0/").find("bad prefix length") != std::string::npos);
  CHECK(refusal("10.0.0.0/8x").find("bad prefix length") != std::string::npos);
  CHECK(refusal("10.0.0.0/-8").find("bad prefix length") != std::string::npos);
  CHECK(refusal("10.0.0.1/8").find("the network is 10.0.0.0/8") != std::string::npos);
  CHECK(refusal("fd00::1/64").find("the network is fd00::/64") != std::string::npos);
  CHECK(refusal("0.0.0.0/0").find("would trust every peer") != std::string::npos);
  CHECK(refusal("::/0").find("would trust every peer") != std::string::npos);
  refusal("");

  auto list = TrustedProxies::parse({"127.0.0.1", "bogus", "::1"});
  REQUIRE_FALSE(list);
  CHECK(list.error().fields.at(0).message.find("\"bogus\"") != std::string::npos);

  CHECK(refusal("10.1.3.0/23").find("the network is 10.1.2.0/23") != std::string::npos);
  // Written as IPv6, an IPv4-mapped network counts IPv6 bits.
  CHECK(refusal("::ffff:10.0.0.1/104").find("the network is ::ffff:10.0.0.0/104") != std::string::npos);
  CHECK(refusal("::ffff:10.0.0.0/129").find("from 1 to 128") != std::string::npos);
  CHECK(trusting({"::ffff:10.0.0.0/104"}).contains("10.200.0.1"));
  CHECK_FALSE(trusting({"::ffff:10.0.0.0/104"}).contains("11.0.0.1"));
  for (const char* good : {"10.1.2.0/23", "127.0.0.1/32", "::1", "::1/128", "fd00::/8", "::ffff:127.0.0.1"})
    CHECK(TrustedProxies::parse_network(good));
}
