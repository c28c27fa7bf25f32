// Values the CLI prepares before sending: money, licence files, normalised text.
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
  CHECK(ok->filename == "licence.pdf");
  CHECK(ok->content_base64.starts_with("JVBERi0xLjQK"));  // "%PDF-1.4\n"

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

// Issue 8, kind 1: the CLI checks what it sends through the server's normaliser,
// so full-width input passes the local checks and goes out as ASCII.
TEST_CASE("register normalises full-width values before checking and sending them", "[cli][input][R-USER-2]") {
  testing::FakeServer server;
  server.on("GET /api/v1/terms", {{"version", "v1"}, {"agreement", "A"}, {"privacy", "P"}});
  server.on("POST /api/v1/users",
            {{"account", testing::account_answer({{"username", "carol"}, {"role", "user"}, {"status", "inactive"}})},
             {"activation", testing::activation_answer()}},
            201);
  testing::Cli cli;
  cli.stdin_text = "Tr1cky-Passw0rd!\n";
  REQUIRE(cli({"register", "--server", server.url(), "--user-type", "individual", "--username", "ｃａｒｏｌ", "--email",
               "ｃａｒｏｌ＠ｅｘａｍｐｌｅ．ｏｒｇ", "--phone", "１３８００１３８００５", "--region",
               "\u3000深圳\u3000", "--real-name", "张三", "--id-number", "１１０１０５１９４９１２３１００２Ｘ",
               "--password-stdin", "--accept-terms"}) == 0);
  const json sent = server.last("POST /api/v1/users").json_body();
  CHECK(sent["username"] == "carol");
  CHECK(sent["email"] == "carol@example.org");
  CHECK(sent["phone"] == "13800138005");
  CHECK(sent["region"] == "深圳");
  CHECK(sent["id_number"] == "11010519491231002X");
  CHECK(sent["password"] == "Tr1cky-Passw0rd!");
}

TEST_CASE("the CLI's length messages count characters", "[cli][input][R-USER-2]") {
  testing::Cli cli;
  cli.stdin_text = "Tr1cky-Passw0rd!\n";
  const int status = cli({"register",         "--json",
                          "--server",         "http://127.0.0.1:1",
                          "--user-type",      "individual",
                          "--username",       "张三李四王五赵六钱七孙",
                          "--email",          "a@example.org",
                          "--phone",          "13800138000",
                          "--region",         "深圳",
                          "--real-name",      "张三",
                          "--id-number",      "11010519491231002X",
                          "--password-stdin", "--accept-terms"});
  INFO(cli.out << cli.err);
  CHECK(status == 2);
  const json out = cli.out_json();
  std::string message;
  for (const auto& f : out["error"]["fields"])
    if (f["field"] == "username") message = f["message"];
  CHECK_THAT(message, Catch::Contains("pinyin"));
  CHECK_THAT(message, !Catch::Contains("33"));
}

TEST_CASE("deregister on a terminal takes the username typed in any case", "[cli][input][R-USER-8]") {
  testing::FakeServer server;
  server.on(
      "POST /api/v1/sessions",
      cpshare::testing::login_answer({{"token", "T0KEN"},
                                      {"session", {{"id", "s_0123456789abcdef"}, {"current", true}}},
                                      {"account", {{"username", "alice"}, {"role", "user"}, {"status", "active"}}}}),
      201);
  testing::Cli cli;
  cli.stdin_text = "pw\n";
  REQUIRE(cli({"login", "--server", server.url(), "--username", "ALICE", "--password-stdin"}) == 0);
  CHECK(cli.hosts()["servers"][server.url()]["username"] == "alice");  // the account's own spelling
  server.on("DELETE /api/v1/me", {{"status", "deregistered"}, {"sessions_ended", 1}});
  cli.console.is_interactive = true;
  cli.console.answers = {"ＡＬＩＣＥ", "pw"};
  CHECK(cli({"deregister"}) == 0);
  // The server is sent the account's spelling, which it compares exactly.
  CHECK(server.last("DELETE /api/v1/me").json_body()["confirm_username"] == "alice");
}
