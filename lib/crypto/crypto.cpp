#include "crypto/crypto.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

namespace cpshare::crypto {

namespace {

constexpr std::size_t kMasterKeyBytes = crypto_kdf_KEYBYTES;
static_assert(kMasterKeyBytes == 32, "secret.key is documented as 32 bytes");

// crypto_kdf contexts are exactly 8 bytes. The subkey ids must never change or
// be reused for another purpose: stored blind indexes and ciphertexts depend on them.
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "cpshare_";
constexpr std::uint64_t kIndexKeyId = 1;
constexpr std::uint64_t kTokenKeyId = 2;
constexpr std::uint64_t kBoxKeyId = 3;

// sodium_init is thread-safe and idempotent, but a magic static makes the
// check a single atomic load, so internal callers can afford to ensure it.
int sodium_status() {
  static const int rc = sodium_init();
  return rc;
}
void ensure_init() { (void)sodium_status(); }

std::string errno_text(int err) { return std::strerror(err); }

Bytes derive(const Bytes& master, std::uint64_t id, std::size_t len) {
  Bytes out(len);
  crypto_kdf_derive_from_key(out.data(), out.size(), id, kKdfContext, master.data());
  return out;
}

Bytes keyed_hash(const Bytes& key, std::string_view input) {
  Bytes out(crypto_generichash_BYTES);  // 32 bytes: BLAKE2b-256
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                     key.data(), key.size());
  return out;
}

Result<> write_all(int fd, const std::uint8_t* data, std::size_t len) {
  while (len > 0) {
    const ssize_t n = ::write(fd, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(ErrorCode::Internal, errno_text(errno));
    }
    data += n;
    len -= static_cast<std::size_t>(n);
  }
  return {};
}

// Creates the key file with a fresh key. O_EXCL makes creation race-free: if
// another process created it first we fall back to loading theirs. Returns
// false (no error) when the file already exists.
Result<bool> create_key_file(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return false;
    return fail(ErrorCode::Internal, "cannot create secret key file " + file.string() + ": " + errno_text(errno) +
                                         "; check that the data directory exists and is writable");
  }
  Bytes key(kMasterKeyBytes);
  randombytes_buf(key.data(), key.size());
  auto written = write_all(fd, key.data(), key.size());
  sodium_memzero(key.data(), key.size());
  if (written && ::fsync(fd) != 0) written = fail(ErrorCode::Internal, errno_text(errno));
  ::close(fd);
  if (!written) {
    // Leave no short file behind: it would be refused on the next start.
    ::unlink(file.c_str());
    return fail(ErrorCode::Internal, "cannot write secret key file " + file.string() + ": " + written.error().message);
  }
  // Make the new directory entry durable too; losing it after a crash would
  // silently replace the key and make everything sealed with it unreadable.
  const auto dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

Result<Bytes> read_key_file(const std::filesystem::path& file) {
  const std::string name = file.string();
  // O_NOFOLLOW: the key must be the file itself, not a link someone planted.
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return fail(ErrorCode::Internal, "cannot open secret key file " + name + ": " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return fail(ErrorCode::Internal, "cannot stat secret key file " + name + ": " + errno_text(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(ErrorCode::Internal, "secret key file " + name + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return fail(ErrorCode::Internal, "secret key file " + name + " has mode " + mode +
                                         " and is readable by others; restrict it with: chmod 600 " + name);
  }
  if (st.st_size != static_cast<off_t>(kMasterKeyBytes)) {
    ::close(fd);
    return fail(ErrorCode::Internal, "secret key file " + name + " is " + std::to_string(st.st_size) +
                                         " bytes, expected " + std::to_string(kMasterKeyBytes) +
                                         "; restore it from a backup (a new key cannot decrypt existing data), or "
                                         "remove it only if the data directory holds no accounts yet");
  }
  Bytes key(kMasterKeyBytes);
  std::size_t got = 0;
  while (got < key.size()) {
    const ssize_t n = ::read(fd, key.data() + got, key.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : 0;
      ::close(fd);
      return fail(ErrorCode::Internal,
                  "cannot read secret key file " + name + ": " + (err ? errno_text(err) : std::string("short read")));
    }
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return key;
}

// Process-wide cap on concurrent argon2id hashes: each takes
// crypto_pwhash_MEMLIMIT_INTERACTIVE (64 MiB), so an unbounded burst of logins
// could exhaust memory. Waiting callers queue on the condition variable.
class HashGate {
 public:
  void set_cap(int cap) {
    {
      std::lock_guard lock(mutex_);
      cap_ = std::max(1, cap);
    }
    cv_.notify_all();
  }
  void acquire() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return running_ < cap_; });
    ++running_;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      --running_;
    }
    cv_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int cap_ = std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  int running_ = 0;
};

HashGate& hash_gate() {
  static HashGate gate;
  return gate;
}

class HashSlot {
 public:
  HashSlot() { hash_gate().acquire(); }
  ~HashSlot() { hash_gate().release(); }
  HashSlot(const HashSlot&) = delete;
  HashSlot& operator=(const HashSlot&) = delete;
};

}  // namespace

Result<> init() {
  if (sodium_status() < 0)
    return fail(ErrorCode::Internal, "libsodium failed to initialise (no usable randomness source?)");
  return {};
}

Bytes random_bytes(std::size_t n) {
  ensure_init();
  Bytes out(n);
  if (n > 0) randombytes_buf(out.data(), n);
  return out;
}

std::string random_token(std::size_t bytes) { return base64url_encode(random_bytes(bytes)); }

std::string random_argument_token(std::size_t bytes) {
  // Redrawing loses log2(64/63) ≈ 0.02 bits of the first character.
  std::string token;
  do token = random_token(bytes);
  while (!token.empty() && token.front() == '-');
  return token;
}

std::string random_id(std::string_view prefix, std::size_t length, std::string_view alphabet) {
  ensure_init();
  std::string out(prefix);
  out.reserve(prefix.size() + length);
  // randombytes_uniform avoids the modulo bias of (random % size).
  const auto size = static_cast<std::uint32_t>(alphabet.size());
  for (std::size_t i = 0; i < length; ++i) out += alphabet[randombytes_uniform(size)];
  return out;
}

std::string random_digits(std::size_t n) { return random_id("", n, "0123456789"); }

std::string random_recovery_code() {
  // 32 symbols (5 bits each) without 0/o and 1/l, which are easily confused
  // when read off paper; 10 symbols give 50 bits.
  static constexpr std::string_view kAlphabet = "23456789abcdefghijkmnpqrstuvwxyz";
  static_assert(kAlphabet.size() == 32);
  std::string out = random_id("", 10, kAlphabet);
  out.insert(8, 1, '-');
  out.insert(4, 1, '-');
  return out;
}

std::string to_hex(const Bytes& b) {
  std::string out(b.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), b.data(), b.size());
  out.pop_back();
  return out;
}

std::string base64url_encode(const Bytes& b) {
  constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(b.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), b.data(), b.size(), variant);
  out.pop_back();  // the terminating NUL counted by ENCODED_LEN
  return out;
}

std::string base64_encode(std::string_view bytes) {
  constexpr int variant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    variant);
  out.pop_back();
  return out;
}

Result<Bytes> base64_decode(std::string_view s) {
  // libsodium's variants are strict about padding either way, so pick the one
  // that matches what was sent.
  const bool padded = s.find('=') != std::string_view::npos;
  if (padded && s.size() % 4 != 0)
    return fail(ErrorCode::ValidationFailed, "invalid base64: padded input must be a multiple of 4 characters");
  const int variant = padded ? sodium_base64_VARIANT_ORIGINAL : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
  Bytes out(s.size() / 4 * 3 + 3);
  std::size_t len = 0;
  // b64_end == nullptr makes libsodium reject any character it cannot decode.
  if (sodium_base642bin(out.data(), out.size(), s.data(), s.size(), nullptr, &len, nullptr, variant) != 0)
    return fail(ErrorCode::ValidationFailed,
                "invalid base64: use the standard alphabet (A-Z a-z 0-9 + /) with optional '=' padding");
  out.resize(len);
  return out;
}

std::string base32_encode(const Bytes& b) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  out.reserve((b.size() * 8 + 4) / 5);
  unsigned buffer = 0;
  int bits = 0;
  for (std::uint8_t byte : b) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31U];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31U];
  return out;
}

bool equal(const Bytes& a, const Bytes& b) {
  // Lengths are not secret (hashes and codes have fixed sizes); contents are.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

// ---------------------------------------------------------------- KeyRing

Result<KeyRing> KeyRing::load_or_create(const std::filesystem::path& file) {
  TRY(init());
  auto created = create_key_file(file);
  if (!created) return fail(std::move(created.error()));
  auto master = read_key_file(file);
  if (!master) return fail(std::move(master.error()));
  KeyRing ring = from_master(*master);
  sodium_memzero(master->data(), master->size());
  return ring;
}

KeyRing KeyRing::from_master(const Bytes& master) {
  ensure_init();
  if (master.size() != kMasterKeyBytes) {
    // A programming error (load_or_create checks the file): deriving from a
    // wrong-size key would read out of bounds or silently weaken every key.
    std::fprintf(stderr, "cpshare: KeyRing::from_master needs %zu bytes, got %zu\n", kMasterKeyBytes, master.size());
    std::abort();
  }
  KeyRing ring;
  ring.index_key_ = derive(master, kIndexKeyId, crypto_generichash_KEYBYTES);
  ring.token_key_ = derive(master, kTokenKeyId, crypto_generichash_KEYBYTES);
  ring.box_key_ = derive(master, kBoxKeyId, crypto_secretbox_KEYBYTES);
  return ring;
}

Bytes KeyRing::blind_index(std::string_view domain, std::string_view value) const {
  // The NUL separator keeps ("ab","c") and ("a","bc") apart; domains never
  // contain NUL. Separate domains make equal values in different fields
  // (a phone number and an account number) unlinkable.
  std::string input;
  input.reserve(domain.size() + 1 + value.size());
  input.append(domain);
  input.push_back('\0');
  input.append(value);
  Bytes out = keyed_hash(index_key_, input);
  sodium_memzero(input.data(), input.size());
  return out;
}

Bytes KeyRing::token_hash(std::string_view value) const { return keyed_hash(token_key_, value); }

Bytes KeyRing::seal(const Bytes& plaintext) const {
  Bytes out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size());
  // Random 192-bit nonces never collide in practice, so no counter needs storing.
  randombytes_buf(out.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out.data() + crypto_secretbox_NONCEBYTES, plaintext.data(), plaintext.size(), out.data(),
                        box_key_.data());
  return out;
}

Bytes KeyRing::seal(std::string_view plaintext) const { return seal(Bytes(plaintext.begin(), plaintext.end())); }

Result<Bytes> KeyRing::open(const Bytes& sealed) const {
  constexpr std::size_t overhead = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
  if (sealed.size() < overhead) return fail(ErrorCode::Internal, "cannot decrypt: sealed data is truncated");
  Bytes out(sealed.size() - overhead);
  if (crypto_secretbox_open_easy(out.data(), sealed.data() + crypto_secretbox_NONCEBYTES,
                                 sealed.size() - crypto_secretbox_NONCEBYTES, sealed.data(), box_key_.data()) != 0)
    return fail(ErrorCode::Internal, "cannot decrypt: data was altered or sealed under another secret.key");
  return out;
}

Result<std::string> KeyRing::open_string(const Bytes& sealed) const {
  auto plain = open(sealed);
  if (!plain) return fail(std::move(plain.error()));
  return std::string(plain->begin(), plain->end());
}

// ---------------------------------------------------------------- passwords

void set_password_hash_concurrency(int max_concurrent) { hash_gate().set_cap(max_concurrent); }

Result<std::string> hash_password(std::string_view password) {
  ensure_init();
  char out[crypto_pwhash_STRBYTES];
  int rc = 0;
  {
    HashSlot slot;
    rc = crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                           crypto_pwhash_MEMLIMIT_INTERACTIVE);
  }
  if (rc != 0) return fail(ErrorCode::Unavailable, "password hashing failed: out of memory; try again later");
  return std::string(out);
}

bool verify_password(std::string_view stored_hash, std::string_view password) {
  ensure_init();
  // libsodium needs a NUL-terminated string shorter than STRBYTES.
  if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string hash(stored_hash);
  HashSlot slot;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace cpshare::crypto
