// The front door's pure rules (lib/server/front_door.hpp): the per-address
// connection cap, the framing check and the strict chunked decoder (issue 9).
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

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
