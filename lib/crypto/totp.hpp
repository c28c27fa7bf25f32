// TOTP (RFC 6238) over liboath.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace cpshare::totp {

enum class Algorithm { Sha1, Sha256, Sha512 };

// The code for time step `step` (= unix_time / period), `digits` long.
Result<std::string> code_at_step(std::string_view raw_secret, std::uint64_t step, int digits = 6,
                                 Algorithm alg = Algorithm::Sha1);
// Checks `code` against steps now-1, now, now+1 (30 s period, 6 digits, SHA-1).
// Returns the matching step, or nullopt. The caller rejects steps already used.
std::optional<std::uint64_t> match(std::string_view raw_secret, std::string_view code, std::int64_t unix_now,
                                   int period = 30, int window = 1);
// otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view raw_secret);

}  // namespace cpshare::totp
