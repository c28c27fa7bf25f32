#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "crypto/crypto.hpp"

namespace fs = std::filesystem;
using cpshare::crypto::Bytes;
namespace crypto = cpshare::crypto;

namespace {

Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

Bytes master_key(std::uint8_t fill) { return Bytes(32, fill); }

// A private directory per test, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    REQUIRE(crypto::init());
    path = fs::temp_directory_path() / ("cpshare-test-" + crypto::to_hex(crypto::random_bytes(8)));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

void write_file(const fs::path& p, const Bytes& content, mode_t mode) {
  std::ofstream(p, std::ios::binary)
      .write(reinterpret_cast<const char*>(content.data()), static_cast<std::streamsize>(content.size()));
  REQUIRE(::chmod(p.c_str(), mode) == 0);
}

}  // namespace

TEST_CASE("init succeeds and is idempotent") {
  REQUIRE(crypto::init());
  REQUIRE(crypto::init());
}

TEST_CASE("random_bytes returns n fresh bytes") {
  REQUIRE(crypto::init());
  CHECK(crypto::random_bytes(0).empty());
  const Bytes a = crypto::random_bytes(32), b = crypto::random_bytes(32);
  CHECK(a.size() == 32);
  CHECK(a != b);
}

TEST_CASE("random_token is 43 base64url characters for 256 bits", "[R-USER-6]") {
  const std::string t = crypto::random_token();
  CHECK(t.size() == 43);
  CHECK(std::ranges::all_of(
      t, [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }));
  CHECK(crypto::random_token(16).size() == 22);
  CHECK(crypto::random_token() != crypto::random_token());
}

TEST_CASE("random_digits gives n decimal digits, roughly uniform", "[R-USER-5]") {
  const std::string six = crypto::random_digits(6);
  CHECK(six.size() == 6);
  CHECK(std::ranges::all_of(six, [](char c) { return c >= '0' && c <= '9'; }));

  // 20000 digits: each count has mean 2000 and sd about 42, so 1700..2300 is
  // more than 7 sd wide and cannot fail by chance in practice.
  const std::string many = crypto::random_digits(20000);
  int counts[10] = {};
  for (char c : many) ++counts[c - '0'];
  for (int n : counts) {
    CHECK(n > 1700);
    CHECK(n < 2300);
  }
}

TEST_CASE("random_recovery_code has the form xxxx-xxxx-xx over an unambiguous alphabet", "[R-USER-7]") {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string code = crypto::random_recovery_code();
    REQUIRE(code.size() == 12);
    CHECK(code[4] == '-');
    CHECK(code[9] == '-');
    for (std::size_t k = 0; k < code.size(); ++k) {
      if (k == 4 || k == 9) continue;
      const char c = code[k];
      CHECK(((c >= '2' && c <= '9') || (c >= 'a' && c <= 'z')));
      CHECK(c != 'l');
      CHECK(c != 'o');
    }
    seen.insert(code);
  }
  CHECK(seen.size() == 200);
}

TEST_CASE("hex and base64url encodings match RFC 4648 vectors") {
  CHECK(crypto::to_hex(Bytes{0x00, 0xab, 0xff}) == "00abff");
  CHECK(crypto::base64url_encode(bytes_of("")) == "");
  CHECK(crypto::base64url_encode(bytes_of("f")) == "Zg");
  CHECK(crypto::base64url_encode(bytes_of("fo")) == "Zm8");
  CHECK(crypto::base64url_encode(bytes_of("foo")) == "Zm9v");
  CHECK(crypto::base64url_encode(bytes_of("foobar")) == "Zm9vYmFy");
  CHECK(crypto::base64url_encode(Bytes{0xfb, 0xff}) == "-_8");
}

TEST_CASE("base64_decode accepts the standard alphabet with or without padding") {
  CHECK(crypto::base64_decode("Zm9vYg==").value() == bytes_of("foob"));
  CHECK(crypto::base64_decode("Zm9vYg").value() == bytes_of("foob"));
  CHECK(crypto::base64_decode("Zm9vYmFy").value() == bytes_of("foobar"));
  CHECK(crypto::base64_decode("+/8=").value() == Bytes{0xfb, 0xff});
  CHECK(crypto::base64_decode("").value().empty());

  SECTION("malformed input is an error that names the expected alphabet") {
    for (std::string_view bad : {"Zm9v!", "Zm9vY", "Zg=", "-_8=", "Zm 9v"}) {
      INFO(bad);
      auto r = crypto::base64_decode(bad);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == cpshare::ErrorCode::ValidationFailed);
      CHECK(r.error().message.find("base64") != std::string::npos);
    }
  }
}

TEST_CASE("base32_encode matches RFC 4648 vectors without padding", "[R-USER-7]") {
  CHECK(crypto::base32_encode(bytes_of("")) == "");
  CHECK(crypto::base32_encode(bytes_of("f")) == "MY");
  CHECK(crypto::base32_encode(bytes_of("fo")) == "MZXQ");
  CHECK(crypto::base32_encode(bytes_of("foo")) == "MZXW6");
  CHECK(crypto::base32_encode(bytes_of("foob")) == "MZXW6YQ");
  CHECK(crypto::base32_encode(bytes_of("fooba")) == "MZXW6YTB");
  CHECK(crypto::base32_encode(bytes_of("foobar")) == "MZXW6YTBOI");
  CHECK(crypto::base32_encode(bytes_of("12345678901234567890")) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

TEST_CASE("equal compares contents and lengths") {
  CHECK(crypto::equal(Bytes{1, 2, 3}, Bytes{1, 2, 3}));
  CHECK_FALSE(crypto::equal(Bytes{1, 2, 3}, Bytes{1, 2, 4}));
  CHECK_FALSE(crypto::equal(Bytes{1, 2, 3}, Bytes{1, 2}));
  CHECK(crypto::equal(Bytes{}, Bytes{}));
}

TEST_CASE("blind_index is a deterministic, keyed, domain-separated BLAKE2b-256", "[R-USER-3]") {
  REQUIRE(crypto::init());
  const auto ring = crypto::KeyRing::from_master(master_key(7));
  const Bytes a = ring.blind_index("id_number", "11010519491231002X");

  CHECK(a.size() == 32);
  CHECK(a == ring.blind_index("id_number", "11010519491231002X"));
  CHECK(a != ring.blind_index("id_number", "440524188001010014"));
  CHECK(a != ring.blind_index("legal_rep_id_number", "11010519491231002X"));
  // The separator keeps a shifted boundary from colliding.
  CHECK(ring.blind_index("ab", "c") != ring.blind_index("a", "bc"));
  // Another master key gives unrelated indexes: they cannot be precomputed.
  CHECK(a != crypto::KeyRing::from_master(master_key(8)).blind_index("id_number", "11010519491231002X"));
  CHECK(ring.token_hash("abc").size() == 32);
  CHECK(ring.token_hash("abc") == ring.token_hash("abc"));
  CHECK(ring.token_hash("abc") != ring.token_hash("abd"));
}

TEST_CASE("blind_index and token_hash derivation is stable (stored data depends on it)", "[R-USER-3][R-SEC-2]") {
  REQUIRE(crypto::init());
  const Bytes master = master_key(42);
  const auto ring = crypto::KeyRing::from_master(master);

  // Recompute independently: crypto_kdf subkey (context "cpshare_", id 1 for
  // the index, 2 for tokens), then keyed BLAKE2b-256 over domain NUL value.
  auto expected = [&](std::uint64_t id, std::string_view input) {
    unsigned char sub[32];
    crypto_kdf_derive_from_key(sub, sizeof sub, id, "cpshare_", master.data());
    Bytes out(32);
    crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(input.data()), input.size(), sub,
                       sizeof sub);
    return out;
  };
  CHECK(ring.blind_index("phone", "13800138000") == expected(1, std::string_view("phone\0"
                                                                                 "13800138000",
                                                                                 17)));
  CHECK(ring.token_hash("abc") == expected(2, "abc"));
}

TEST_CASE("seal and open round-trip with a random nonce and detect tampering", "[R-USER-3][R-SEC-2]") {
  REQUIRE(crypto::init());
  const auto ring = crypto::KeyRing::from_master(master_key(1));
  const std::string secret = "6222021234567891234";

  const Bytes sealed = ring.seal(secret);
  CHECK(sealed.size() == crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + secret.size());
  CHECK(std::ranges::search(sealed, secret).empty());  // no plaintext inside
  CHECK(ring.open_string(sealed).value() == secret);
  CHECK(ring.seal(secret) != sealed);  // fresh nonce each time
  CHECK(ring.open(ring.seal(Bytes{})).value().empty());

  SECTION("a flipped bit is rejected") {
    Bytes bad = sealed;
    bad.back() ^= 1;
    CHECK_FALSE(ring.open(bad));
    bad = sealed;
    bad.front() ^= 1;  // the nonce is authenticated too
    CHECK_FALSE(ring.open(bad));
  }
  SECTION("truncated input is rejected") {
    CHECK_FALSE(ring.open(Bytes(sealed.begin(), sealed.begin() + 30)));
    CHECK_FALSE(ring.open(Bytes{}));
  }
  SECTION("another key cannot open it") {
    auto r = crypto::KeyRing::from_master(master_key(2)).open(sealed);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("secret.key") != std::string::npos);
  }
}

TEST_CASE("KeyRing::load_or_create creates a 0600 key once and reloads it", "[R-SEC-2]") {
  TempDir dir;
  const fs::path file = dir.path / "secret.key";

  auto first = crypto::KeyRing::load_or_create(file);
  REQUIRE(first);
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK(st.st_size == 32);
  CHECK((st.st_mode & 077) == 0);
  CHECK((st.st_mode & 0600) == 0600);

  auto second = crypto::KeyRing::load_or_create(file);
  REQUIRE(second);
  CHECK(second->blind_index("phone", "13800138000") == first->blind_index("phone", "13800138000"));
  CHECK(second->open_string(first->seal("hello")).value() == "hello");

  SECTION("the file holds the master key the ring derives from") {
    std::ifstream in(file, std::ios::binary);
    Bytes master((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(crypto::KeyRing::from_master(master).token_hash("t") == first->token_hash("t"));
  }
}

TEST_CASE("KeyRing::load_or_create refuses unsafe or damaged key files", "[R-SEC-2]") {
  TempDir dir;
  const fs::path file = dir.path / "secret.key";

  SECTION("readable by group or others: says to chmod 600") {
    write_file(file, Bytes(32, 9), 0644);
    auto r = crypto::KeyRing::load_or_create(file);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("chmod 600") != std::string::npos);
    CHECK(r.error().message.find(file.string()) != std::string::npos);

    REQUIRE(::chmod(file.c_str(), 0600) == 0);
    CHECK(crypto::KeyRing::load_or_create(file));
  }
  SECTION("group bits alone are refused") {
    write_file(file, Bytes(32, 9), 0640);
    CHECK_FALSE(crypto::KeyRing::load_or_create(file));
  }
  SECTION("wrong size is refused and not overwritten") {
    write_file(file, Bytes(31, 9), 0600);
    auto r = crypto::KeyRing::load_or_create(file);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("31 bytes") != std::string::npos);
    CHECK(r.error().message.find("expected 32") != std::string::npos);
    CHECK(fs::file_size(file) == 31);
  }
  SECTION("a missing directory is reported") {
    auto r = crypto::KeyRing::load_or_create(dir.path / "nope" / "secret.key");
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("cannot create") != std::string::npos);
  }
  SECTION("a symlink is not followed") {
    write_file(dir.path / "real.key", Bytes(32, 9), 0600);
    fs::create_symlink(dir.path / "real.key", file);
    CHECK_FALSE(crypto::KeyRing::load_or_create(file));
  }
}

TEST_CASE("hash_password produces argon2id hashes that verify", "[R-SEC-2][R-USER-6]") {
  REQUIRE(crypto::init());
  auto h = crypto::hash_password("correct horse battery");
  REQUIRE(h);
  CHECK(h->starts_with("$argon2id$"));
  CHECK(h->find("correct") == std::string::npos);
  CHECK(crypto::verify_password(*h, "correct horse battery"));
  CHECK_FALSE(crypto::verify_password(*h, "correct horse batterY"));
  CHECK_FALSE(crypto::verify_password(*h, ""));
  CHECK_FALSE(crypto::verify_password("", "correct horse battery"));
  CHECK_FALSE(crypto::verify_password("not a hash", "correct horse battery"));

  auto h2 = crypto::hash_password("correct horse battery");
  REQUIRE(h2);
  CHECK(*h2 != *h);  // random salt
}

TEST_CASE("password hashing under a concurrency cap of 1 still serves every caller", "[R-SEC-2]") {
  REQUIRE(crypto::init());
  crypto::set_password_hash_concurrency(1);
  std::vector<std::string> hashes(3);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < hashes.size(); ++i)
    threads.emplace_back([&hashes, i] { hashes[i] = crypto::hash_password("pw-" + std::to_string(i)).value_or(""); });
  for (auto& t : threads) t.join();
  crypto::set_password_hash_concurrency(2);

  for (std::size_t i = 0; i < hashes.size(); ++i) {
    INFO(i);
    CHECK(crypto::verify_password(hashes[i], "pw-" + std::to_string(i)));
  }
}

TEST_CASE("argument tokens never begin with a dash", "[R-USER-5]") {
  // 1 in 64 plain base64url tokens begins with '-'; 5000 draws would show it.
  for (int i = 0; i < 5000; ++i) {
    std::string t = cpshare::crypto::random_argument_token(32);
    REQUIRE(t.size() == 43);
    REQUIRE(t.front() != '-');
  }
}

TEST_CASE("random_id: the prefix, then uniform symbols of the alphabet", "[R-CL-2]") {
  // The one id generator (issue 10): CPcIds, lease ids, codes, session ids all come from it.
  std::set<std::string> seen;
  std::map<char, int> counts;
  for (int i = 0; i < 3200; ++i) {
    const std::string id = crypto::random_id("ls-", 10);
    REQUIRE(id.size() == 13);
    CHECK(id.starts_with("ls-"));
    for (char c : id.substr(3)) {
      CHECK(crypto::kIdAlphabet.find(c) != std::string_view::npos);
      ++counts[c];
    }
    seen.insert(id);
  }
  CHECK(seen.size() == 3200);
  // 32,000 symbols over 32: about 1,000 each; every one used, none far off.
  REQUIRE(counts.size() == 32);
  for (const auto& [c, n] : counts) {
    INFO(c);
    CHECK(n > 800);
    CHECK(n < 1200);
  }
  CHECK(crypto::random_id("s_", 16, crypto::kHexAlphabet).find_first_not_of("0123456789abcdef", 2) ==
        std::string::npos);
  CHECK(crypto::random_id("s_", 16, crypto::kHexAlphabet).size() == 18);
  CHECK(crypto::random_id("x", 0) == "x");
  CHECK(crypto::random_id("", 5, "Z") == "ZZZZZ");
}
