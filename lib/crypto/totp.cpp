#include "crypto/totp.hpp"

#include "util/text.hpp"

#include <liboath/oath.h>
#include <sodium.h>

#include <limits>

#include "crypto/crypto.hpp"

namespace cpshare::totp {

namespace {

// liboath must be initialised once per process before use; a magic static
// gives thread-safe once-only initialisation.
int oath_status() {
  static const int rc = oath_init();
  return rc;
}

int oath_flags(Algorithm alg) {
  switch (alg) {
    case Algorithm::Sha1: return 0;
    case Algorithm::Sha256: return OATH_TOTP_HMAC_SHA256;
    case Algorithm::Sha512: return OATH_TOTP_HMAC_SHA512;
  }
  return 0;
}

// Authenticator apps show codes as "123 456"; accept that spacing.
std::string strip_spaces(std::string_view code) {
  std::string out;
  for (char c : code)
    if (c != ' ') out += c;
  return out;
}

}  // namespace

Result<std::string> code_at_step(std::string_view raw_secret, std::uint64_t step, int digits, Algorithm alg) {
  if (oath_status() != OATH_OK)
    return fail(ErrorCode::Internal, std::string("liboath failed to initialise: ") + oath_strerror(oath_status()));
  if (digits < 6 || digits > 8)
    return fail(ErrorCode::Internal, "TOTP codes must have 6 to 8 digits, got " + std::to_string(digits));
  if (step > static_cast<std::uint64_t>(std::numeric_limits<time_t>::max()))
    return fail(ErrorCode::Internal, "TOTP time step out of range");
  // A time-step size of 1 with "now" = step lets liboath compute the code for
  // an exact step, independent of the period.
  char out[9] = {};
  const int rc = oath_totp_generate2(raw_secret.data(), raw_secret.size(), static_cast<time_t>(step), 1, 0,
                                     static_cast<unsigned>(digits), oath_flags(alg), out);
  if (rc != OATH_OK) return fail(ErrorCode::Internal, std::string("TOTP generation failed: ") + oath_strerror(rc));
  return std::string(out);
}

std::optional<std::uint64_t> match(std::string_view raw_secret, std::string_view code, std::int64_t unix_now,
                                   int period, int window) {
  constexpr int kDigits = 6;
  if (period <= 0 || window < 0 || unix_now < 0) return std::nullopt;
  const std::string given = strip_spaces(code);
  if (given.size() != kDigits) return std::nullopt;
  for (char c : given)
    if (c < '0' || c > '9') return std::nullopt;

  const std::int64_t now_step = unix_now / period;
  std::optional<std::uint64_t> found;
  // Every step in the window is computed and compared in constant time, so the
  // response time does not tell which step (if any) matched.
  for (std::int64_t step = now_step - window; step <= now_step + window; ++step) {
    if (step < 0) continue;
    auto expected = code_at_step(raw_secret, static_cast<std::uint64_t>(step), kDigits);
    if (!expected || expected->size() != given.size()) continue;
    const bool same = sodium_memcmp(expected->data(), given.data(), given.size()) == 0;
    if (same && !found) found = static_cast<std::uint64_t>(step);
  }
  return found;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view raw_secret) {
  const std::string secret = crypto::base32_encode(crypto::Bytes(raw_secret.begin(), raw_secret.end()));
  const std::string enc_issuer = text::percent_encode(issuer);
  return "otpauth://totp/" + enc_issuer + ":" + text::percent_encode(account) + "?secret=" + secret +
         "&issuer=" + enc_issuer + "&algorithm=SHA1&digits=6&period=30";
}

}  // namespace cpshare::totp
