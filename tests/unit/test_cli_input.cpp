// Values the CLI prepares before sending: money, licence files.
#include <catch2/catch.hpp>

#include "cli_test_support.hpp"
#include "clicmd/input.hpp"
#include "crypto/crypto.hpp"

using namespace cpshare;
using namespace cpshare::clicmd;

TEST_CASE("base64 uses the standard alphabet with padding (RFC 4648 vectors)", "[cli][input]") {
  CHECK(cpshare::crypto::base64_encode("") == "");
  CHECK(cpshare::crypto::base64_encode("f") == "Zg==");
  CHECK(cpshare::crypto::base64_encode("fo") == "Zm8=");
  CHECK(cpshare::crypto::base64_encode("foo") == "Zm9v");
  CHECK(cpshare::crypto::base64_encode("foob") == "Zm9vYg==");
  CHECK(cpshare::crypto::base64_encode("fooba") == "Zm9vYmE=");
  CHECK(cpshare::crypto::base64_encode("foobar") == "Zm9vYmFy");
  CHECK(cpshare::crypto::base64_encode(std::string("\xfb\xff\xbf", 3)) == "+/+/");
}

TEST_CASE("licence files: PDF/PNG/JPEG up to 5 MiB, refused locally otherwise", "[cli][input][R-USER-4]") {
  testing::TempDir tmp;
  const auto pdf = tmp.path / "licence.pdf";
  std::ofstream(pdf, std::ios::binary) << "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n";
  auto ok = read_licence(pdf);
  REQUIRE(ok);
  CHECK((*ok)["filename"] == "licence.pdf");
  CHECK((*ok)["content_base64"].get<std::string>().starts_with("JVBERi0xLjQK"));  // "%PDF-1.4\n"

  const auto big = tmp.path / "big.pdf";
  {
    std::ofstream f(big, std::ios::binary);
    f << "%PDF-1.4\n" << std::string(kMaxLicenceBytes, 'x');
  }
  auto too_big = read_licence(big);
  REQUIRE_FALSE(too_big);
  CHECK(too_big.error().fields.front().field == "licence");
  CHECK_THAT(too_big.error().fields.front().message, Catch::Contains("5 MiB"));

  const auto text = tmp.path / "licence.txt";
  std::ofstream(text) << "not a licence";
  CHECK_THAT(read_licence(text).error().fields.front().message, Catch::Contains("not a PDF, PNG or JPEG"));
  CHECK_FALSE(read_licence(tmp.path / "missing.pdf"));
}
