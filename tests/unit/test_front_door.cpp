// The front door (issue 9): its pure rules (lib/server/front_door.hpp: the
// per-address connection cap, the framing check, the strict chunked decoder),
// then GuardedServer (lib/server/connection.hpp) on loopback with short
// deadlines. tests/integration/test_front_door.sh attacks the real daemon.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "server/connection.hpp"
#include "server/front_door.hpp"

using namespace cpshare;
using namespace cpshare::front_door;

namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

FramingHeaders cl(std::vector<std::string> v) { return FramingHeaders{std::move(v), {}, {}}; }
FramingHeaders te(std::vector<std::string> v) { return FramingHeaders{{}, std::move(v), {}}; }

// Decodes `wire` fed in pieces of `step` bytes: the body, or the error.
Result<std::string> decode(std::string_view wire, std::size_t step = 1 << 20, std::uint64_t max_body = 64,
                           std::uint64_t max_framing = 256, std::size_t* consumed = nullptr) {
  ChunkedDecoder d(max_body, max_framing);
  std::string body;
  std::size_t at = 0;
  while (!d.done() && at < wire.size()) {
    std::string_view piece = wire.substr(at, step);
    TRY_ASSIGN(std::size_t used, d.feed(piece, body));
    at += used;
    if (used < piece.size()) break;
  }
  if (consumed) *consumed = at;
  if (!d.done()) return fail(ErrorCode::MalformedRequest, "incomplete");
  return body;
}

}  // namespace

TEST_CASE("one address holds at most the cap; trusted proxies and a cap of 0 are not capped", "[R-SEC-2]") {
  AddressSlots slots(2, {"10.0.0.9"});
  CHECK(slots.acquire("127.0.0.2"));
  CHECK(slots.acquire("127.0.0.2"));
  CHECK_FALSE(slots.acquire("127.0.0.2"));
  CHECK(slots.acquire("127.0.0.1"));  // another address has its own slots
  CHECK(slots.held("127.0.0.2") == 2);
  slots.release("127.0.0.2");
  CHECK(slots.acquire("127.0.0.2"));
  for (int i = 0; i < 100; ++i) CHECK(slots.acquire("10.0.0.9"));
  CHECK(slots.held("10.0.0.9") == 0);

  // --trusted-proxy takes networks too: every proxy of 10.1.0.0/16 is exempt,
  // as is an IPv4 proxy seen as an IPv4-mapped IPv6 peer.
  AddressSlots net(1, {"10.1.0.0/16"});
  CHECK(net.acquire("10.1.2.3"));
  CHECK(net.acquire("10.1.2.3"));
  CHECK(net.acquire("::ffff:10.1.9.9"));
  CHECK(net.acquire("::ffff:10.1.9.9"));
  CHECK(net.acquire("10.2.0.1"));
  CHECK_FALSE(net.acquire("10.2.0.1"));

  AddressSlots none(0, {});
  for (int i = 0; i < 100; ++i) CHECK(none.acquire("127.0.0.2"));
}

TEST_CASE("the per-address count stays exact under concurrent connections", "[R-SEC-2]") {
  AddressSlots slots(32, {});
  std::vector<std::thread> threads;
  std::atomic<int> granted{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i)
        if (slots.acquire("127.0.0.2")) {
          ++granted;
          slots.release("127.0.0.2");
        }
    });
  for (auto& t : threads) t.join();
  CHECK(granted == 8000);  // never more than 8 held at once, so never refused
  CHECK(slots.held("127.0.0.2") == 0);
}

TEST_CASE("framing: plain Content-Length is read, an absurd one is refused before the body", "[R-SEC-1]") {
  auto ok = check_framing(cl({"17"}), 8 * kMiB);
  REQUIRE(ok);
  CHECK(ok->kind == Framing::Kind::Length);
  CHECK(ok->length == 17);
  CHECK(check_framing(cl({"8388608"}), 8 * kMiB));
  CHECK(check_framing(cl({"5", "5"}), 8 * kMiB));  // the same value twice

  for (const char* big : {"8388609", "100000000000", "99999999999999999999999999"}) {
    auto r = check_framing(cl({big}), 8 * kMiB);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::PayloadTooLarge);
    CHECK(r.error().message.find("8 MiB") != std::string::npos);
  }
  for (const char* bad : {"-1", "1e3", "0x10", "", "5, 5", "+5"}) {
    auto r = check_framing(cl({bad}), 8 * kMiB);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::MalformedRequest);
  }
  auto two = check_framing(cl({"5", "6"}), 8 * kMiB);
  REQUIRE_FALSE(two);
  CHECK(two.error().code == ErrorCode::MalformedRequest);
  CHECK(check_framing(FramingHeaders{}, 8 * kMiB)->kind == Framing::Kind::None);
}

TEST_CASE("framing: only chunked is a transfer coding, never beside Content-Length; no compressed bodies",
          "[R-SEC-1]") {
  CHECK(check_framing(te({"chunked"}), 8 * kMiB)->kind == Framing::Kind::Chunked);
  CHECK(check_framing(te({"Chunked"}), 8 * kMiB)->kind == Framing::Kind::Chunked);
  for (auto h : {te({"gzip"}), te({"gzip, chunked"}), te({"identity"}), te({"chunked", "chunked"})}) {
    auto r = check_framing(h, 8 * kMiB);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::NotImplemented);
  }
  auto both = check_framing(FramingHeaders{{"5"}, {"chunked"}, {}}, 8 * kMiB);
  REQUIRE_FALSE(both);
  CHECK(both.error().code == ErrorCode::MalformedRequest);

  auto gz = check_framing(FramingHeaders{{"5"}, {}, {"gzip"}}, 8 * kMiB);
  REQUIRE_FALSE(gz);
  CHECK(gz.error().code == ErrorCode::UnsupportedMediaType);
  CHECK(check_framing(FramingHeaders{{"5"}, {}, {"identity"}}, 8 * kMiB));
}

TEST_CASE("chunked: a well-formed body decodes, fed whole or a byte at a time", "[R-SEC-1]") {
  const std::string wire = "5\r\nhello\r\n1;ext=\"x\"\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n";
  for (std::size_t step : {std::size_t{1}, std::size_t{3}, wire.size()}) {
    auto body = decode(wire, step);
    REQUIRE(body);
    CHECK(*body == "hello 0123456789");
  }
}

TEST_CASE("chunked: decoding stops at the body's end, leaving a pipelined request", "[R-SEC-2]") {
  const std::string wire = "3\r\nabc\r\n0\r\n\r\nGET /api/v1/health HTTP/1.1\r\n";
  std::size_t consumed = 0;
  auto body = decode(wire, wire.size(), 64, 256, &consumed);
  REQUIRE(body);
  CHECK(*body == "abc");
  CHECK(wire.substr(consumed) == "GET /api/v1/health HTTP/1.1\r\n");
}

TEST_CASE("chunked: sizes that are not hexadecimal, and broken lines, are malformed", "[R-SEC-1]") {
  for (const char* bad : {"-1\r\nx\r\n0\r\n\r\n", "g\r\n", "\r\n", "5 5\r\nhello\r\n", "5\nhello\r\n",
                          "5\r\nhelloX\r\n0\r\n\r\n", "+5\r\nhello\r\n"}) {
    auto r = decode(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::MalformedRequest);
  }
  // A line with no end is refused once it passes 4 KiB, not buffered forever.
  auto endless = decode("1" + std::string(5000, '0'), 1, 64, 1 << 20);
  REQUIRE_FALSE(endless);
  CHECK(endless.error().code == ErrorCode::MalformedRequest);
}

TEST_CASE("chunked: the body cap is enforced as soon as a chunk would pass it", "[R-SEC-1]") {
  // 64-byte cap: a chunk of 0x41 is refused on its size line, before its data.
  ChunkedDecoder d(64, 256);
  std::string body;
  auto r = d.feed("41\r\n", body);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::PayloadTooLarge);
  CHECK(body.empty());
  CHECK_FALSE(d.feed("aaaa", body));  // and it stays refused
  // Many small chunks add up to the cap the same way.
  std::string wire;
  for (int i = 0; i < 20; ++i) wire += "4\r\naaaa\r\n";
  auto many = decode(wire + "0\r\n\r\n");
  REQUIRE_FALSE(many);
  CHECK(many.error().code == ErrorCode::PayloadTooLarge);
  // A 17-hex-digit size is larger than any cap; leading zeros are not.
  CHECK(decode("fffffffffffffffff\r\n").error().code == ErrorCode::PayloadTooLarge);
  CHECK(*decode("00000000000000000003\r\nabc\r\n0\r\n\r\n") == "abc");
}

TEST_CASE("chunked: framing bytes (1-byte chunks, extensions, trailers) have their own cap", "[R-SEC-1]") {
  std::string wire;
  for (int i = 0; i < 60; ++i) wire += "1;padding-padding\r\na\r\n";
  auto r = decode(wire + "0\r\n\r\n", 7, 64, 256);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::PayloadTooLarge);
}

// --- GuardedServer over real loopback sockets, with short deadlines.

namespace {

struct Served {
  explicit Served(GuardConfig cfg) : server(std::move(cfg)) {
    server.Get("/a", [](const httplib::Request&, httplib::Response& res) { res.set_content("A", "text/plain"); });
    server.Get("/b", [](const httplib::Request&, httplib::Response& res) { res.set_content("B", "text/plain"); });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~Served() {
    server.stop();
    thread.join();
  }
  GuardedServer server;
  int port = 0;
  std::thread thread;
};

int dial(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
  timeval tv{3, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

// Everything the server sends until it closes (or 3 s pass).
std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

GuardConfig quick() {
  GuardConfig cfg;
  cfg.limits.idle_timeout = std::chrono::milliseconds(300);
  cfg.limits.header_timeout = std::chrono::milliseconds(600);
  cfg.threads = 4;
  return cfg;
}

}  // namespace

TEST_CASE("guarded server: pipelined requests in one write are all answered, in order", "[R-SEC-2]") {
  Served s(quick());
  int fd = dial(s.port);
  const std::string two = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  REQUIRE(::send(fd, two.data(), two.size(), 0) == static_cast<ssize_t>(two.size()));
  std::string got = read_all(fd);
  auto first = got.find("\r\n\r\nA");
  auto second = got.find("\r\n\r\nB");
  CHECK(first != std::string::npos);
  CHECK(second != std::string::npos);
  CHECK(first < second);
}

TEST_CASE("guarded server: an idle connection is closed, a slow request line gets 408", "[R-SEC-2]") {
  Served s(quick());
  auto t0 = std::chrono::steady_clock::now();
  CHECK(read_all(dial(s.port)).empty());  // idle: closed after 300 ms, nothing said
  auto idle = std::chrono::steady_clock::now() - t0;
  CHECK(idle >= std::chrono::milliseconds(250));
  CHECK(idle < std::chrono::milliseconds(1500));

  int fd = dial(s.port);
  REQUIRE(::send(fd, "GET /a HT", 9, 0) == 9);
  t0 = std::chrono::steady_clock::now();
  std::string got = read_all(fd);
  CHECK(got.rfind("HTTP/1.1 408 ", 0) == 0);
  CHECK(got.find("REQUEST_TIMEOUT") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(1500));
}

TEST_CASE("guarded server: connections over the per-address cap get 429 at once; the cap is at most half the threads",
          "[R-SEC-2]") {
  GuardConfig cfg = quick();
  cfg.max_connections_per_address = 100;  // clamped to 4 / 2
  Served s(cfg);
  int a = dial(s.port), b = dial(s.port);
  for (int i = 0; i < 100 && s.server.connections_of("127.0.0.1") < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::string third = read_all(dial(s.port));
  CHECK(third.rfind("HTTP/1.1 429 ", 0) == 0);
  CHECK(third.find("Retry-After: ") != std::string::npos);
  CHECK(third.find("RATE_LIMITED") != std::string::npos);
  ::close(a);
  ::close(b);
  for (int i = 0; i < 200 && s.server.connections_of("127.0.0.1") > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK(s.server.connections_of("127.0.0.1") == 0);  // closing gives the slots back
}
