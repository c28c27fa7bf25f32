// The networks the platform connects to for a supplier (lib/ssh/networks,
// issue 12 point 5): under the default policy a node at 127.0.0.1 or
// 169.254.169.254 is refused, as is every name that resolves to such an
// address; an explicit --supplier-networks list allows exactly what it names.
// LibsshSupplierHost applies the policy before it connects.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "ssh/networks.hpp"
#include "ssh/supplier_host.hpp"
#include "util/ip.hpp"

using namespace cpshare;
using ssh::NetworkPolicy;

namespace {

ip::Address addr(const std::string& text) {
  auto a = ip::parse_address(text);
  REQUIRE(a);
  return *a;
}

NetworkPolicy allowing(const std::string& list) {
  auto p = NetworkPolicy::parse_list(list);
  INFO((p ? "" : p.error().message));
  REQUIRE(p);
  return *p;
}

// The message of the refusal of a (Forbidden).
std::string refusal(const NetworkPolicy& p, const std::string& a) {
  auto r = p.check_address(addr(a));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::Forbidden);
  return r.error().message;
}

// The message of the --supplier-networks error for list (ValidationFailed on the flag).
std::string parse_error(const std::string& list) {
  auto p = NetworkPolicy::parse_list(list);
  REQUIRE_FALSE(p);
  CHECK(p.error().code == ErrorCode::ValidationFailed);
  REQUIRE(p.error().fields.size() == 1);
  CHECK(p.error().fields[0].field == "--supplier-networks");
  return p.error().fields[0].message;
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("the default networks refuse loopback, unspecified, link-local, multicast and broadcast", "[R-SEC-1]") {
  const NetworkPolicy p;
  CHECK(p.is_default());
  CHECK(refusal(p, "127.0.0.1") ==
        "127.0.0.1 is a loopback address, which this platform does not connect to (cpshared --supplier-networks)");
  CHECK(has(refusal(p, "169.254.169.254"), "169.254.169.254 is a link-local address"));
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"127.255.255.254", "loopback"},  {"::1", "loopback"},       {"0.0.0.0", "an unspecified"},
      {"0.1.2.3", "unspecified"},       {"::", "unspecified"},     {"169.254.0.1", "link-local"},
      {"fe80::1", "link-local"},        {"febf::1", "link-local"}, {"224.0.0.1", "multicast"},
      {"239.255.255.250", "multicast"}, {"ff02::1", "multicast"},  {"255.255.255.255", "broadcast"},
  };
  for (const auto& [a, kind] : refused) {
    INFO(a);
    CHECK(has(refusal(p, a), kind + " address"));
  }
  // IPv4-mapped IPv6 is judged as the IPv4 address it carries.
  CHECK(has(refusal(p, "::ffff:127.0.0.1"), "127.0.0.1 is a loopback address"));
  CHECK(has(refusal(p, "::ffff:169.254.169.254"), "link-local"));

  for (const char* a : {"10.0.0.5", "192.168.1.20", "172.16.0.1", "192.0.2.1", "8.8.8.8", "126.255.255.255",
                        "128.0.0.1", "169.253.255.255", "169.255.0.1", "223.255.255.255", "255.255.255.254",
                        "2001:db8::1", "fd00::1", "fec0::1", "::2", "::ffff:10.0.0.1"}) {
    INFO(a);
    CHECK(p.check_address(addr(a)));
  }
}

TEST_CASE("a literal host is checked without DNS, in every form the resolver reads", "[R-SEC-1]") {
  const NetworkPolicy p;
  for (const char* host :
       {"127.0.0.1", "169.254.169.254", "::1", "::ffff:127.0.0.1", "127.1", "0x7f.1", "2130706433", "0.0.0.0"}) {
    INFO(host);
    auto r = p.check_literal(host);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::Forbidden);
  }
  CHECK(p.check_literal("10.0.0.5"));
  // A name is not resolved here: it is checked when the platform connects.
  CHECK(p.check_literal("localhost"));
  CHECK(p.check_literal("gpu01.example.org"));
}

TEST_CASE("a name is resolved and refused when any of its addresses is outside the networks", "[R-SEC-1]") {
  const NetworkPolicy p;
  auto local = p.resolve_allowed("localhost", 22);
  REQUIRE_FALSE(local);
  CHECK(local.error().code == ErrorCode::Forbidden);
  CHECK_THAT(local.error().message, Catch::StartsWith("localhost resolves to ") &&
                                        Catch::Contains("a loopback address, which this platform does not "
                                                        "connect to (cpshared --supplier-networks)"));
  auto literal = p.resolve_allowed("169.254.169.254", 22);
  REQUIRE_FALSE(literal);
  CHECK(literal.error().code == ErrorCode::Forbidden);
  CHECK_THAT(literal.error().message, Catch::StartsWith("169.254.169.254 is a link-local address"));

  // RFC 6761: .invalid never resolves.
  auto nowhere = p.resolve_allowed("no-such-node.invalid", 22);
  REQUIRE_FALSE(nowhere);
  CHECK(nowhere.error().code == ErrorCode::Unavailable);
  CHECK(nowhere.error().message == "unreachable: no-such-node.invalid does not resolve");

  auto open = p.resolve_allowed("192.0.2.7", 22);
  REQUIRE(open);
  CHECK(*open == std::vector<std::string>{"192.0.2.7"});
}

TEST_CASE("an explicit --supplier-networks list allows exactly the networks it names", "[R-SEC-1]") {
  const NetworkPolicy tests = allowing("127.0.0.0/8,::1/128");
  CHECK_FALSE(tests.is_default());
  CHECK(tests.describe() == "127.0.0.0/8, ::1/128");
  CHECK(tests.check_address(addr("127.0.0.1")));
  CHECK(tests.check_address(addr("::ffff:127.0.0.2")));
  CHECK(tests.check_address(addr("::1")));
  CHECK(refusal(tests, "10.0.0.5") ==
        "10.0.0.5 is outside the networks this platform connects to (cpshared --supplier-networks)");
  CHECK(has(refusal(tests, "169.254.169.254"), "link-local"));
  auto local = tests.resolve_allowed("localhost", 2222);
  INFO((local ? "" : local.error().message));
  REQUIRE(local);
  CHECK(std::find(local->begin(), local->end(), "127.0.0.1") != local->end());

  const NetworkPolicy site = allowing(" 10.0.0.0/8 , 2001:db8::/32, 192.0.2.7");
  CHECK(site.check_address(addr("10.255.0.1")));
  CHECK(site.check_address(addr("2001:db8:ffff::1")));
  CHECK(site.check_address(addr("192.0.2.7")));
  CHECK_FALSE(site.check_address(addr("192.0.2.8")));
  CHECK_FALSE(site.check_address(addr("11.0.0.1")));
  CHECK_FALSE(site.check_address(addr("2001:db9::1")));
  CHECK_FALSE(site.check_literal("127.0.0.1"));

  // The admin who wants everything says so.
  const NetworkPolicy all = allowing("0.0.0.0/0,::/0");
  CHECK(all.check_address(addr("127.0.0.1")));
  CHECK(all.check_address(addr("fe80::1")));
  CHECK(allowing("").is_default());
}

TEST_CASE("a bad --supplier-networks entry is named with what is wrong", "[R-SEC-1]") {
  CHECK(has(parse_error("10.0.0.0/8,gpu.example.org"), "\"gpu.example.org\" is not an IP address or network"));
  CHECK(has(parse_error("10.0.0.0/33"), "from 0 to 32"));
  CHECK(has(parse_error("fd00::/129"), "from 0 to 128"));
  CHECK(has(parse_error("10.0.0.0/x"), "\"10.0.0.0/x\" has a bad prefix length"));
  CHECK(has(parse_error("10.0.0.1/8"), "the network is 10.0.0.0/8"));
  CHECK(has(parse_error("127.1"), "not an IP address"));  // inet_pton's grammar, no short forms
  CHECK(has(parse_error("10.0.0.0/8,,::1"), "\"\" is not an IP address"));
}

TEST_CASE("LibsshSupplierHost checks the networks before it connects", "[R-SEC-1]") {
  ssh::LibsshSupplierHost host;  // the default networks
  ssh::Target t;
  t.host = "127.0.0.1";
  t.port = 22;
  t.user = "root";
  // Refused before anything is connected to: no key is even read.
  for (const char* h : {"127.0.0.1", "169.254.169.254", "localhost"}) {
    INFO(h);
    t.host = h;
    auto probe = host.verify(t);
    REQUIRE_FALSE(probe);
    CHECK(probe.error().code == ErrorCode::Forbidden);
    CHECK_THAT(probe.error().message, Catch::StartsWith(std::string("ssh to ") + h + ":22: ") &&
                                          Catch::Contains("which this platform does not connect to"));
    CHECK(host.lease_account_exists(t, "cpl_x").error().code == ErrorCode::Forbidden);
    CHECK(host.remove_lease_account(t, "cpl_x").error().code == ErrorCode::Forbidden);
  }
  CHECK(host.check_address("169.254.169.254").error().code == ErrorCode::Forbidden);
  CHECK(host.check_address("localhost"));

  t.host = "no-such-node.invalid";
  auto nowhere = host.verify(t);
  REQUIRE_FALSE(nowhere);
  CHECK(nowhere.error().code == ErrorCode::Unavailable);
  CHECK(nowhere.error().message ==
        "ssh to no-such-node.invalid:22: unreachable: no-such-node.invalid does not resolve");
}
