#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "crypto/totp.hpp"

using cpshare::totp::Algorithm;
namespace totp = cpshare::totp;

namespace {

// RFC 6238 Appendix B seeds: ASCII digits, 20/32/64 bytes for SHA-1/256/512.
const std::string kSeed20 = "12345678901234567890";
const std::string kSeed32 = "12345678901234567890123456789012";
const std::string kSeed64 = "1234567890123456789012345678901234567890123456789012345678901234";

struct Vector {
  std::int64_t time;
  const char* sha1;
  const char* sha256;
  const char* sha512;
};

// RFC 6238 Appendix B, T0 = 0, X = 30, 8 digits.
constexpr Vector kVectors[] = {
    {59, "94287082", "46119246", "90693936"},         {1111111109, "07081804", "68084774", "25091201"},
    {1111111111, "14050471", "67062674", "99943326"}, {1234567890, "89005924", "91819424", "93441116"},
    {2000000000, "69279037", "90698825", "38618901"}, {20000000000, "65353130", "77737706", "47863826"},
};

std::string code(std::uint64_t step) { return totp::code_at_step(kSeed20, step).value(); }

}  // namespace

TEST_CASE("code_at_step matches the RFC 6238 Appendix B vectors", "[R-USER-7]") {
  for (const auto& v : kVectors) {
    const auto step = static_cast<std::uint64_t>(v.time / 30);
    INFO("time " << v.time);
    CHECK(totp::code_at_step(kSeed20, step, 8, Algorithm::Sha1).value() == v.sha1);
    CHECK(totp::code_at_step(kSeed32, step, 8, Algorithm::Sha256).value() == v.sha256);
    CHECK(totp::code_at_step(kSeed64, step, 8, Algorithm::Sha512).value() == v.sha512);
  }
}

TEST_CASE("code_at_step defaults to 6-digit SHA-1 codes", "[R-USER-7]") {
  // The 6-digit code is the 8-digit one modulo 10^6 (RFC 4226 truncation).
  CHECK(totp::code_at_step(kSeed20, 59 / 30).value() == "287082");
  CHECK(totp::code_at_step(kSeed20, 1111111109 / 30).value() == "081804");
  CHECK(totp::code_at_step(kSeed20, 1111111109 / 30, 7).value() == "7081804");
}

TEST_CASE("code_at_step rejects unsupported digit counts") {
  CHECK_FALSE(totp::code_at_step(kSeed20, 1, 5));
  CHECK_FALSE(totp::code_at_step(kSeed20, 1, 9));
}

TEST_CASE("match accepts the current step and one step either side", "[R-USER-7]") {
  const std::int64_t now = 1111111111;  // step 37037037, 1 s into it
  const std::uint64_t step = static_cast<std::uint64_t>(now / 30);

  CHECK(totp::match(kSeed20, code(step), now) == step);
  CHECK(totp::match(kSeed20, code(step - 1), now) == step - 1);
  CHECK(totp::match(kSeed20, code(step + 1), now) == step + 1);
  CHECK_FALSE(totp::match(kSeed20, code(step - 2), now));
  CHECK_FALSE(totp::match(kSeed20, code(step + 2), now));

  SECTION("window 0 accepts only the current step") {
    CHECK(totp::match(kSeed20, code(step), now, 30, 0) == step);
    CHECK_FALSE(totp::match(kSeed20, code(step - 1), now, 30, 0));
  }
  SECTION("a wider window reaches further") { CHECK(totp::match(kSeed20, code(step - 2), now, 30, 2) == step - 2); }
  SECTION("the step follows the clock, not the code") {
    // now is 1 s into its step: 28 s later is the same step, 30 s later the
    // code is one step behind (still accepted), 60 s later two (refused).
    CHECK(totp::match(kSeed20, code(step), now + 28) == step);
    CHECK(totp::match(kSeed20, code(step), now + 30) == step);
    CHECK_FALSE(totp::match(kSeed20, code(step), now + 60));
  }
}

TEST_CASE("match returns the same step for a reused code so the caller can reject it", "[R-USER-7]") {
  const std::int64_t now = 1234567890;
  const std::uint64_t step = static_cast<std::uint64_t>(now / 30);
  const std::string c = code(step);

  const auto first = totp::match(kSeed20, c, now);
  REQUIRE(first == step);
  // Replayed a few seconds later: still matches, with the same step, which a
  // caller that stored the last used step sees as not newer and refuses.
  const auto replay = totp::match(kSeed20, c, now + 5);
  REQUIRE(replay);
  CHECK(*replay == *first);
  CHECK_FALSE(*replay > *first);
}

TEST_CASE("match rejects wrong and malformed codes", "[R-USER-7]") {
  const std::int64_t now = 1234567890;
  const std::string good = code(static_cast<std::uint64_t>(now / 30));
  std::string wrong = good;
  wrong[0] = wrong[0] == '9' ? '0' : static_cast<char>(wrong[0] + 1);

  CHECK_FALSE(totp::match(kSeed20, wrong, now));
  CHECK_FALSE(totp::match(kSeed20, "", now));
  CHECK_FALSE(totp::match(kSeed20, good.substr(0, 5), now));
  CHECK_FALSE(totp::match(kSeed20, good + "0", now));
  CHECK_FALSE(totp::match(kSeed20, "12a456", now));
  CHECK_FALSE(totp::match("another secret 12345", good, now));
  // Authenticator apps display "123 456"; that spacing is accepted.
  CHECK(totp::match(kSeed20, good.substr(0, 3) + " " + good.substr(3), now));
}

TEST_CASE("otpauth_uri carries the base32 secret and percent-encoded labels", "[R-USER-7]") {
  CHECK(totp::otpauth_uri("cpshare", "alice", kSeed20) ==
        "otpauth://totp/cpshare:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        "&issuer=cpshare&algorithm=SHA1&digits=6&period=30");
  CHECK(totp::otpauth_uri("My Co", "bob@example.org", "\x01\x02") ==
        "otpauth://totp/My%20Co:bob%40example.org?secret=AEBA&issuer=My%20Co&algorithm=SHA1&digits=6&period=30");
  CHECK(totp::otpauth_uri("算力", "a:b", "x").starts_with("otpauth://totp/%E7%AE%97%E5%8A%9B:a%3Ab?"));
}
