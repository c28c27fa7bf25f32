// Thin, safe wrappers over libsodium. Everything that touches key material,
// randomness or password hashing goes through here.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace cpshare::crypto {

using Bytes = std::vector<std::uint8_t>;

// Must be called once before anything else (idempotent, thread-safe).
Result<> init();

Bytes random_bytes(std::size_t n);
// A random token of `bytes` random bytes, base64url without padding
// (32 bytes → 43 chars).
std::string random_token(std::size_t bytes = 32);
// A random_token that never begins with '-', for tokens people pass as a
// command-line argument (one starting with '-' would read as an option).
std::string random_argument_token(std::size_t bytes = 32);
// Crockford's base32 in lower case (no i, l, o, u): the symbols of CPcIds,
// lease ids and authorization codes.
inline constexpr std::string_view kIdAlphabet = "0123456789abcdefghjkmnpqrstvwxyz";
// Lower-case hexadecimal: session ids ("s_" + 16), mail Message-IDs and outbox file names.
inline constexpr std::string_view kHexAlphabet = "0123456789abcdef";
// The platform's one generator of random ids and codes: `prefix` then
// `length` symbols, each drawn uniformly (no modulo bias) from `alphabet`
// (at least one symbol). "cp-" + 10 of kIdAlphabet carries 50 random bits.
std::string random_id(std::string_view prefix, std::size_t length, std::string_view alphabet = kIdAlphabet);
// n random decimal digits (uniform), e.g. 6 for a verification code.
std::string random_digits(std::size_t n);
// A recovery code like "k7q2-m9xd-4f" (10 chars of a 32-letter alphabet, ≥ 50 bits).
std::string random_recovery_code();

std::string to_hex(const Bytes& b);
std::string base64url_encode(const Bytes& b);
std::string base64_encode(std::string_view bytes);  // standard alphabet, padded (MIME, JSON)
Result<Bytes> base64_decode(std::string_view s);    // standard alphabet, padding optional
std::string base32_encode(const Bytes& b);          // RFC 4648, no padding

// Constant-time comparison.
bool equal(const Bytes& a, const Bytes& b);

// The daemon's master key: DATA_DIR/secret.key, 32 random bytes, mode 0600.
// Created if missing; refuses a file with other size or group/other permissions.
class KeyRing {
 public:
  static Result<KeyRing> load_or_create(const std::filesystem::path& file);
  static KeyRing from_master(const Bytes& master);  // tests

  // Keyed BLAKE2b-256 of `value` under the blind-index subkey, domain-separated
  // by `domain` ("id_number", "phone", ...). Equal inputs → equal outputs.
  Bytes blind_index(std::string_view domain, std::string_view value) const;
  // Keyed BLAKE2b-256 for tokens/codes (a separate subkey).
  Bytes token_hash(std::string_view value) const;
  // XSalsa20-Poly1305 secretbox: output is nonce || ciphertext.
  Bytes seal(const Bytes& plaintext) const;
  Bytes seal(std::string_view plaintext) const;
  Result<Bytes> open(const Bytes& sealed) const;
  Result<std::string> open_string(const Bytes& sealed) const;

 private:
  Bytes index_key_, token_key_, box_key_;
};

// argon2id (crypto_pwhash_str, interactive limits). At most `max_concurrent`
// hashes run at once (process-wide); further callers wait, so a burst of
// logins cannot exhaust memory (each hash takes 64 MiB).
void set_password_hash_concurrency(int max_concurrent);
Result<std::string> hash_password(std::string_view password);
bool verify_password(std::string_view stored_hash, std::string_view password);

}  // namespace cpshare::crypto
