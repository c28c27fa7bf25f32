// cpshare commands end to end in-process: argv → table → handler → HTTP (a fake
// cpshared on a local port) → output and exit status.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "cli_test_support.hpp"
#include "clicmd/display.hpp"
#include "domain/money.hpp"
#include "clicmd/runner.hpp"

using namespace cpshare;
using namespace cpshare::clicmd;
using cpshare::testing::Cli;
using cpshare::testing::FakeServer;
using nlohmann::json;

namespace {

json account(const std::string& username, const std::string& status = "active") {
  return cpshare::testing::account_answer({{"username", username},
                                           {"role", "user"},
                                           {"user_type", "individual"},
                                           {"supplier_kind", nullptr},
                                           {"status", status},
                                           {"email", username + "@example.org"},
                                           {"phone_masked", "138****8000"},
                                           {"real_name", "Zhang San"},
                                           {"id_number_masked", "1101**********002X"},
                                           {"region", "Shenzhen"},
                                           {"mfa_enabled", false},
                                           {"created_at", "2026-11-27T12:00:00Z"}});
}

json login_data(const std::string& username) {
  return cpshare::testing::login_answer({{"token", "T0KEN-" + username},
                                         {"session", {{"id", "s_0123456789abcdef"}, {"current", true}}},
                                         {"account", account(username)}});
}

// A Cli logged in as alice on `server` (hosts.json written as `cpshare login` would).
void log_in(Cli& cli, FakeServer& server) {
  server.on("POST /api/v1/sessions", login_data("alice"), 201);
  cli.stdin_text = "correct horse\n";
  REQUIRE(cli({"login", "--server", server.url(), "--username", "alice", "--password-stdin"}) == 0);
  cli.stdin_text.clear();
}

const std::vector<std::string> kUserFlags = {
    "register",          "--user-type", "individual",         "--username",       "alice",         "--email",
    "alice@example.org", "--phone",     "13800138000",        "--region",         "Shenzhen",      "--real-name",
    "Zhang San",         "--id-number", "11010519491231002X", "--password-stdin", "--accept-terms"};

}  // namespace

TEST_CASE("exit statuses follow the contract", "[cli][exit]") {
  auto code = [](ErrorCode c) { return exit_code(Error{c, "m", {}, 0}, false); };
  CHECK(code(ErrorCode::ValidationFailed) == 2);
  CHECK(code(ErrorCode::MalformedRequest) == 2);
  CHECK(code(ErrorCode::InvalidCode) == 2);
  CHECK(code(ErrorCode::CodeExpired) == 2);
  CHECK(code(ErrorCode::UsernameTaken) == 2);
  CHECK(code(ErrorCode::EmailTaken) == 2);
  CHECK(code(ErrorCode::PhoneTaken) == 2);
  CHECK(code(ErrorCode::Unauthenticated) == 3);
  CHECK(code(ErrorCode::InvalidCredentials) == 3);
  CHECK(code(ErrorCode::MfaRequired) == 3);
  CHECK(code(ErrorCode::InvalidMfaCode) == 3);
  CHECK(code(ErrorCode::AccountNotActive) == 3);
  CHECK(code(ErrorCode::Forbidden) == 4);
  CHECK(code(ErrorCode::NotFound) == 5);
  CHECK(code(ErrorCode::RateLimited) == 7);
  for (ErrorCode c : {ErrorCode::Internal, ErrorCode::Unavailable, ErrorCode::Conflict, ErrorCode::AlreadyActive,
                      ErrorCode::PayloadTooLarge, ErrorCode::MfaAlreadyEnabled, ErrorCode::MfaNotEnabled})
    CHECK(code(c) == 1);
  CHECK(exit_code(Error{ErrorCode::Unavailable, "m", {}, 0}, /*unreachable=*/true) == 6);
}

TEST_CASE("a mistyped command gets a suggestion and exit status 2", "[cli][dispatch]") {
  Cli cli;
  CHECK(cli({"regster"}) == 2);
  CHECK(cli.err == "cpshare: unknown command 'regster' (did you mean 'register'?)\n");
  CHECK(cli({"--json", "admin", "review", "aprove", "alice"}) == 2);
  CHECK(cli.out_json()["error"]["message"] ==
        "unknown command 'aprove' for 'cpshare admin review' (did you mean 'approve'?)");
  CHECK(cli({"--server", "http://x", "sesions", "list"}) == 2);
  CHECK(cli.err == "cpshare: unknown command 'sesions' (did you mean 'sessions'?)\n");
  CHECK(cli({"zzzzzz"}) == 2);
  CHECK_THAT(cli.err, Catch::StartsWith("cpshare: unknown command 'zzzzzz'\n"));
}

TEST_CASE("help comes from the table; bad flags are usage errors", "[cli][dispatch]") {
  Cli cli;
  CHECK(cli({"--help"}) == 0);
  CHECK_THAT(cli.out, Catch::Contains("register") && Catch::Contains("Global options"));
  CHECK(cli({"admin", "review", "reject", "--help"}) == 0);
  CHECK_THAT(cli.out, Catch::Contains("cpshare admin review reject") && Catch::Contains("--reason") &&
                          Catch::Contains("Example"));
  CHECK(cli({"login", "--no-such-flag"}) == 2);
  CHECK_THAT(cli.err, Catch::Contains("--no-such-flag") && Catch::Contains("cpshare login --help"));
  CHECK(cli({"admin"}) == 2);  // a group needs a subcommand
  CHECK_THAT(cli.err, Catch::Contains("review") && Catch::Contains("audit"));
  CHECK(cli({"--json", "admin", "review"}) == 2);
  CHECK(cli.out_json()["error"]["code"] == "VALIDATION_FAILED");
  CHECK_THAT(cli.out_json()["error"]["message"].get<std::string>(), Catch::Contains("list"));
  CHECK(cli({}) == 2);
  CHECK_THAT(cli.err, Catch::Contains("register"));
  CHECK(cli({"register", "--kind", "bogus"}) == 2);
}

TEST_CASE("help COMMAND is COMMAND --help; an unknown command is a usage error naming the closest", "[cli][dispatch]") {
  Cli cli;
  auto help_of = [&](std::vector<std::string> words) {
    words.push_back("--help");
    REQUIRE(cli(words) == 0);
    return cli.out;
  };
  for (const std::vector<std::string>& words :
       {std::vector<std::string>{}, {"leases"}, {"leases", "show"}, {"admin", "review", "approve"}, {"help"}}) {
    const std::string expected = help_of(words);
    std::vector<std::string> args = {"help"};
    args.insert(args.end(), words.begin(), words.end());
    INFO("cpshare help with " << words.size() << " words");
    CHECK(cli(args) == 0);
    CHECK(cli.out == expected);
  }
  CHECK(cli({"--server", "http://x", "help", "leases", "show", "--json"}) == 0);  // globals anywhere
  CHECK_THAT(cli.out, Catch::Contains("Usage: cpshare leases show"));

  CHECK(cli({"help", "nosuchcommand"}) == 2);
  CHECK(cli.err == "cpshare: error: unknown command 'nosuchcommand'; 'cpshare help' lists the commands\n");
  CHECK(cli.out.empty());
  CHECK(cli({"help", "lst"}) == 2);
  CHECK(cli.err == "cpshare: error: unknown command 'lst' (did you mean 'list'?)\n");
  CHECK(cli({"help", "leases", "shw"}) == 2);
  CHECK(cli.err == "cpshare: error: unknown command 'shw' for 'cpshare leases' (did you mean 'show'?)\n");
  CHECK(cli({"help", "leases", "zzzzzz"}) == 2);
  CHECK(cli.err ==
        "cpshare: error: unknown command 'zzzzzz' for 'cpshare leases'; 'cpshare help leases' lists the commands\n");
  CHECK(cli({"help", "list", "zzzzzz"}) == 2);
  CHECK(cli.err == "cpshare: error: unknown command 'zzzzzz' for 'cpshare list', which has no subcommands\n");
  CHECK(cli({"--json", "help", "nosuchcommand"}) == 2);
  CHECK(cli.out_json()["error"]["code"] == "VALIDATION_FAILED");
  CHECK_THAT(cli.out_json()["error"]["message"].get<std::string>(), Catch::Contains("unknown command 'nosuchcommand'"));
}

TEST_CASE("global options work before and after the command words", "[cli][dispatch]") {
  FakeServer server;
  server.on("GET /api/v1/health", {{"status", "ok"}, {"version", "9.9.9"}, {"time", "2026-11-27T12:00:00Z"}});
  Cli cli;
  CHECK(cli({"version", "--server", server.url(), "--json"}) == 0);
  CHECK(cli.out_json()["server_version"] == "9.9.9");
  CHECK(cli({"--json", "--server", server.url(), "version"}) == 0);
  CHECK(cli.out_json()["client_version"] == CPSHARE_VERSION);
  cli.env["CPSHARE_SERVER"] = server.url();
  CHECK(cli({"version"}) == 0);
  CHECK(cli.out == std::string("cpshare ") + CPSHARE_VERSION + "\ncpshared 9.9.9 at " + server.url() + "\n");
}

TEST_CASE("version without a server still prints the client's version, exit 6", "[cli][version]") {
  const int port = cpshare::testing::closed_port();
  Cli cli;
  CHECK(cli({"version", "--server", "http://127.0.0.1:" + std::to_string(port)}) == 6);
  CHECK(cli.out == std::string("cpshare ") + CPSHARE_VERSION + "\n");
  CHECK_THAT(cli.err, Catch::Contains("cpshare: error: cannot connect") && Catch::Contains("cpshared"));
}

TEST_CASE("login stores the session; logout ends it and forgets the token", "[cli][session][R-USER-6]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  auto body = server.last("POST /api/v1/sessions").json_body();
  CHECK(body["login"] == "alice");
  CHECK(body["password"] == "correct horse");
  CHECK_THAT(body["client"].get<std::string>(), Catch::StartsWith("cpshare/"));
  CHECK_THAT(cli.out, Catch::Contains("Logged in to " + server.url() + " as alice"));
  auto hosts = cli.hosts();
  CHECK(hosts["default_server"] == server.url());
  CHECK(hosts["servers"][server.url()] ==
        json({{"username", "alice"}, {"token", "T0KEN-alice"}, {"session_id", "s_0123456789abcdef"}}));

  // Later commands use the stored server and token.
  server.on("GET /api/v1/me", {{"account", account("alice")}});
  CHECK(cli({"whoami", "--json"}) == 0);
  CHECK(cli.out_json() == json{{"account", account("alice")}});
  CHECK(server.last("GET /api/v1/me").headers.find("Authorization")->second == "Bearer T0KEN-alice");

  server.on("DELETE /api/v1/sessions/current", {{"id", "s_0123456789abcdef"}, {"revoked", true}});
  CHECK(cli({"logout"}) == 0);
  CHECK(cli.hosts()["servers"][server.url()].count("token") == 0);
  CHECK(cli({"whoami"}) == 3);  // no network call: not logged in
  CHECK_THAT(cli.err, Catch::Contains("not logged in") && Catch::Contains("cpshare login"));
}

TEST_CASE("logout after the server ended the session still forgets the token", "[cli][session]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  server.on_error("DELETE /api/v1/sessions/current", 401,
                  {{"code", "UNAUTHENTICATED"}, {"message", "session expired"}});
  CHECK(cli({"logout"}) == 0);
  CHECK(cli.hosts()["servers"][server.url()].count("token") == 0);
}

TEST_CASE("login: MFA_REQUIRED asks for the code on a terminal, names the flags elsewhere",
          "[cli][session][R-USER-7]") {
  FakeServer server;
  server.on_error("POST /api/v1/sessions", 401, {{"code", "MFA_REQUIRED"}, {"message", "a TOTP code is required"}});
  Cli cli;
  cli.stdin_text = "pw\n";
  CHECK(cli({"login", "--server", server.url(), "--username", "alice", "--password-stdin"}) == 3);
  CHECK_THAT(cli.err, Catch::Contains("--totp") && Catch::Contains("--recovery-code"));

  server.on("POST /api/v1/sessions", login_data("alice"), 201);  // after one more MFA_REQUIRED
  Cli tty;
  tty.console.is_interactive = true;
  tty.console.answers = {"alice", "pw", "123456"};
  CHECK(tty({"login", "--server", server.url()}) == 0);
  CHECK(server.last("POST /api/v1/sessions").json_body()["totp"] == "123456");
  CHECK(tty.hosts()["servers"][server.url()]["token"] == "T0KEN-alice");
}

TEST_CASE("errors: JSON on stdout with --json, fields and retry time on stderr", "[cli][errors][R-API-STD]") {
  FakeServer server;
  server.on_error("POST /api/v1/sessions", 429,
                  {{"code", "RATE_LIMITED"}, {"message", "too many failed logins"}, {"retry_after", 30}});
  Cli cli;
  cli.stdin_text = "pw\n";
  CHECK(cli({"login", "--server", server.url(), "--username", "alice", "--password-stdin"}) == 7);
  CHECK(cli.err == "cpshare: error: too many failed logins\n  try again in 30 seconds\n");
  cli.stdin_text = "pw\n";
  CHECK(cli({"login", "--json", "--server", server.url(), "--username", "alice", "--password-stdin"}) == 7);
  CHECK(cli.out_json() ==
        json{{"error", {{"code", "RATE_LIMITED"}, {"message", "too many failed logins"}, {"retry_after", 30}}}});
  CHECK(cli.err.empty());
}

TEST_CASE("register off a terminal: missing values name their flags, bad values are all reported",
          "[cli][register][R-USER-2]") {
  Cli cli;
  CHECK(cli({"register", "--server", "http://127.0.0.1:1", "--username", "alice"}) == 2);
  for (const char* flag : {"--user-type", "--password-stdin", "--email", "--phone", "--region", "--real-name",
                           "--id-number", "--accept-terms"})
    CHECK_THAT(cli.err, Catch::Contains(flag));

  std::vector<std::string> args = kUserFlags;
  args[6] = "not-an-email";
  args[14] = "110105194912310021";  // wrong check digit
  args.insert(args.end(), {"--json", "--organization", "Uni", "--server", "http://127.0.0.1:1"});
  cli.stdin_text = "short\n";
  CHECK(cli(args) == 2);  // before any connection: the port is closed
  const json error = cli.out_json()["error"];
  std::set<std::string> fields;
  for (const auto& f : error["fields"]) fields.insert(f["field"].get<std::string>());
  CHECK(fields == std::set<std::string>{"email", "id_number", "password", "organization"});
  CHECK(error["code"] == "VALIDATION_FAILED");
}

TEST_CASE("register a user from flags and stdin, then activate with --code-stdin",
          "[cli][register][R-USER-1][R-USER-5]") {
  FakeServer server;
  server.on("GET /api/v1/terms", {{"version", "2026-11-01"}, {"agreement", "A"}, {"privacy", "P"}});
  server.on("POST /api/v1/users",
            {{"account", account("alice", "inactive")},
             {"activation", cpshare::testing::activation_answer(
                                {{"sent_to", "a***e@example.org"}, {"code_expires_at", "2026-11-27T12:15:00Z"}})}},
            201);
  server.on("POST /api/v1/activate", {{"account", account("alice", "active")}});
  Cli cli;
  std::vector<std::string> args = kUserFlags;
  args.insert(args.end(), {"--server", server.url(), "--code-stdin", "--json"});
  cli.stdin_text = "Tr1cky-Passw0rd!\n654321\n";
  REQUIRE(cli(args) == 0);
  const json sent = server.last("POST /api/v1/users").json_body();
  CHECK(sent == json{{"username", "alice"},
                     {"password", "Tr1cky-Passw0rd!"},
                     {"email", "alice@example.org"},
                     {"phone", "13800138000"},
                     {"region", "Shenzhen"},
                     {"user_type", "individual"},
                     {"real_name", "Zhang San"},
                     {"id_number", "11010519491231002X"},
                     {"accept_terms", true},
                     {"terms_version", "2026-11-01"}});
  CHECK(server.last("POST /api/v1/activate").json_body() == json{{"username", "alice"}, {"code", "654321"}});
  CHECK(cli.out_json()["account"]["status"] == "active");
  CHECK(cli.out_json()["activation"]["sent_to"] == "a***e@example.org");
}

TEST_CASE("register an enterprise supplier: capital in fen, licence in base64", "[cli][register][R-SUP-1]") {
  FakeServer server;
  server.on("GET /api/v1/terms", {{"version", "v1"}, {"agreement", "A"}, {"privacy", "P"}});
  server.on("POST /api/v1/suppliers",
            {{"account", account("acme", "inactive")}, {"activation", cpshare::testing::activation_answer()}}, 201);
  cpshare::testing::TempDir tmp;
  std::ofstream(tmp.path / "lic.png", std::ios::binary) << std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  Cli cli;
  cli.stdin_text = "Tr1cky-Passw0rd!\n";
  REQUIRE(cli({"register",
               "--server",
               server.url(),
               "--kind",
               "enterprise",
               "--username",
               "acme",
               "--email",
               "ops@acme.example",
               "--phone",
               "+86 138-0013-8000",
               "--region",
               "Shenzhen",
               "--password-stdin",
               "--accept-terms",
               "--company-name",
               "Acme",
               "--legal-rep-name",
               "Li Si",
               "--legal-rep-id-number",
               "11010519491231002X",
               "--registered-capital",
               "5000000.07",
               "--credit-code",
               "91350100M000100Y43",
               "--contact-name",
               "Wang Wu",
               "--bank-name",
               "Bank",
               "--bank-account-name",
               "Acme",
               "--bank-account-number",
               "6222020200112233",
               "--licence",
               (tmp.path / "lic.png").string()}) == 0);
  const json sent = server.last("POST /api/v1/suppliers").json_body();
  CHECK(sent["kind"] == "enterprise");
  CHECK(sent["phone"] == "13800138000");
  CHECK(sent["registered_capital_fen"] == 500000007);
  CHECK(sent["settlement"] ==
        json{{"bank_name", "Bank"}, {"account_name", "Acme"}, {"account_number", "6222020200112233"}});
  CHECK(sent["licence"]["filename"] == "lic.png");
  CHECK(sent["licence"]["content_base64"] == "iVBORw0KGgoAAAANSUhEUg==");
  CHECK_THAT(cli.out, Catch::Contains("cpshare activate --username acme CODE"));
}

TEST_CASE("register on a terminal: asks, shows the terms, asks the mailed code", "[cli][register][R-USER-1]") {
  FakeServer server;
  server.on("GET /api/v1/terms", {{"version", "v7"}, {"agreement", "AGREEMENT TEXT"}, {"privacy", "PRIVACY TEXT"}});
  server.on("POST /api/v1/users",
            {{"account", account("alice", "inactive")}, {"activation", cpshare::testing::activation_answer()}}, 201);
  server.on_error("POST /api/v1/activate", 400, {{"code", "INVALID_CODE"}, {"message", "wrong code; 4 attempts left"}});
  server.on("POST /api/v1/activate", {{"account", account("alice", "active")}});
  Cli cli;
  cli.console.is_interactive = true;
  cli.console.answers = {"individual",
                         "alice",
                         "Tr1cky-Passw0rd!",
                         "Tr1cky-Passw0rd?",  // differ: asked again
                         "Tr1cky-Passw0rd!",
                         "Tr1cky-Passw0rd!",
                         "alice@example.org",
                         "13800138000",
                         "Shenzhen",
                         "Zhang San",
                         "11010519491231002X",
                         "y",
                         "111111",
                         "222222"};
  REQUIRE(cli({"register", "--server", server.url()}) == 0);
  CHECK_THAT(cli.err, Catch::Contains("AGREEMENT TEXT") && Catch::Contains("PRIVACY TEXT") &&
                          Catch::Contains("the two entries differ") && Catch::Contains("4 attempts left"));
  CHECK(server.last("POST /api/v1/users").json_body()["terms_version"] == "v7");
  CHECK(server.last("POST /api/v1/activate").json_body()["code"] == "222222");
  CHECK_THAT(cli.out, Catch::Contains("Activated alice"));
  CHECK(cli.console.answers.empty());
}

TEST_CASE("register on a terminal: declining the terms sends nothing", "[cli][register]") {
  FakeServer server;
  server.on("GET /api/v1/terms", {{"version", "v7"}, {"agreement", "A"}, {"privacy", "P"}});
  Cli cli;
  cli.console.is_interactive = true;
  cli.console.answers = {"alice", "Tr1cky-Passw0rd!", "Tr1cky-Passw0rd!", "n"};
  std::vector<std::string> args = {"register", "--server",          server.url(), "--user-type", "individual",
                                   "--email",  "alice@example.org", "--phone",    "13800138000", "--region",
                                   "SZ",       "--real-name",       "Zhang San",  "--id-number", "11010519491231002X"};
  CHECK(cli(args) == 2);
  for (const auto& r : server.requests()) CHECK(r.method == "GET");
}

TEST_CASE("password change reads two lines and forgets the session", "[cli][profile][R-USER-8]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  server.on("POST /api/v1/me/password", {{"sessions_ended", 3}});
  cli.stdin_text = "old password\nN3w-Passw0rd-2026\n";
  CHECK(cli({"password", "change", "--password-stdin"}) == 0);
  CHECK(server.last("POST /api/v1/me/password").json_body() ==
        json{{"current_password", "old password"}, {"new_password", "N3w-Passw0rd-2026"}});
  CHECK_THAT(cli.out, Catch::Contains("All sessions ended (3"));
  CHECK(cli.hosts()["servers"][server.url()].count("token") == 0);
}

TEST_CASE("deregister needs --yes off a terminal and sends the confirmation", "[cli][profile][R-USER-8]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  CHECK(cli({"deregister", "--password-stdin"}) == 2);
  CHECK_THAT(cli.err, Catch::Contains("--yes"));
  server.on("DELETE /api/v1/me", {{"status", "deregistered"}, {"sessions_ended", 1}});
  cli.stdin_text = "pw\n";
  CHECK(cli({"deregister", "--yes", "--password-stdin", "--json"}) == 0);
  CHECK(server.last("DELETE /api/v1/me").json_body() == json{{"password", "pw"}, {"confirm_username", "alice"}});
  CHECK(cli.out_json() == json{{"status", "deregistered"}, {"sessions_ended", 1}});
  CHECK(cli.hosts()["servers"][server.url()].count("token") == 0);
}

TEST_CASE("deregister on a terminal: a mistyped username changes nothing", "[cli][profile][R-USER-8]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  cli.console.is_interactive = true;
  cli.console.answers = {"alcie"};
  CHECK(cli({"deregister"}) == 2);
  CHECK_THAT(cli.err, Catch::Contains("does not match"));
  CHECK(server.last("DELETE /api/v1/me").method.empty());
  CHECK(cli.hosts()["servers"][server.url()]["token"] == "T0KEN-alice");
}

TEST_CASE("a broken hosts.json does not matter when --server names the server", "[cli][config]") {
  FakeServer server;
  server.on("GET /api/v1/health", {{"status", "ok"}, {"version", "1.2.3"}, {"time", "2026-11-27T12:00:00Z"}});
  Cli cli;
  std::ofstream(cli.config.path / "hosts.json") << "{broken";
  CHECK(cli({"version", "--server", server.url()}) == 0);
  CHECK(cli({"version"}) == 1);
  CHECK_THAT(cli.err, Catch::Contains("hosts.json"));
}

TEST_CASE("profile update sends only the given fields, settlement nested", "[cli][profile][R-USER-8]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  CHECK(cli({"profile", "update"}) == 2);
  server.on("PATCH /api/v1/me", {{"account", account("alice")}});
  CHECK(cli({"profile", "update", "--region", "Guangzhou", "--bank-name", "Bank"}) == 2);
  CHECK_THAT(cli.err, Catch::Contains("--bank-account-number"));
  CHECK(cli({"profile", "update", "--region", "Guangzhou", "--bank-name", "Bank", "--bank-account-name", "Li",
             "--bank-account-number", "6222020200112233"}) == 0);
  CHECK(server.last("PATCH /api/v1/me").json_body() ==
        json{{"region", "Guangzhou"},
             {"settlement", {{"bank_name", "Bank"}, {"account_name", "Li"}, {"account_number", "6222020200112233"}}}});
  CHECK(cli({"profile", "update", "--email", "nope", "--phone", "123"}) == 2);
}

TEST_CASE("mfa enable: begin, then confirm; --json merges secret and URI on a terminal", "[cli][mfa][R-USER-7]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  server.on("POST /api/v1/me/mfa", {{"secret", "JBSWY3DPEHPK3PXP"}, {"otpauth_uri", "otpauth://totp/cpshare:alice?x"}});
  server.on("POST /api/v1/me/mfa/confirm",
            {{"mfa_enabled", true}, {"recovery_codes", {"aaaa-bbbb-cc", "dddd-eeee-ff"}}});
  // Off a terminal: begin only, and say how to confirm.
  CHECK(cli({"mfa", "enable"}) == 0);
  CHECK_THAT(cli.out, Catch::Contains("JBSWY3DPEHPK3PXP") && Catch::Contains("mfa enable --code"));
  CHECK(cli({"mfa", "enable", "--code", "123456"}) == 0);
  CHECK(server.last("POST /api/v1/me/mfa/confirm").json_body() == json{{"code", "123456"}});
  CHECK_THAT(cli.out, Catch::Contains("aaaa-bbbb-cc"));
  // On a terminal: one run.
  cli.console.is_interactive = true;
  cli.console.answers = {"654321"};
  CHECK(cli({"mfa", "enable", "--json"}) == 0);
  CHECK(cli.out_json()["secret"] == "JBSWY3DPEHPK3PXP");
  CHECK(cli.out_json()["recovery_codes"].size() == 2);
  CHECK_THAT(cli.err, Catch::Contains("otpauth://"));
}

TEST_CASE("admin review: list table, show saves the licence privately, reject needs a reason",
          "[cli][admin][R-USER-4]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  json pending = account("bob", "pending_review");
  pending["user_type"] = "university";
  pending["licence"] = {{"filename", "lic.pdf"}, {"content_type", "application/pdf"}, {"size", 9}};
  server.on("GET /api/v1/admin/reviews", {{"items", {pending}}});
  CHECK(cli({"admin", "review", "list"}) == 0);
  CHECK_THAT(cli.out,
             Catch::StartsWith("USERNAME  ROLE  TYPE") && Catch::Contains("bob") && Catch::Contains("lic.pdf"));
  CHECK(server.last("GET /api/v1/admin/reviews").path == "/api/v1/admin/reviews?status=pending_review");

  server.reply("GET /api/v1/admin/reviews/bob/licence", {200, "%PDF-1.4\n", "application/pdf"});
  cpshare::testing::TempDir tmp;
  const auto file = tmp.path / "bob.pdf";
  CHECK(cli({"admin", "review", "show", "bob", "--licence-out", file.string()}) == 0);
  std::ifstream f(file);
  std::string content((std::istreambuf_iterator<char>(f)), {});
  CHECK(content == "%PDF-1.4\n");
  struct stat st {};
  ::stat(file.c_str(), &st);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(cli({"admin", "review", "show", "carol"}) == 5);
  // A username is one name in any case or width (issue 8).
  CHECK(cli({"admin", "review", "show", "ＢＯＢ", "--licence-out", (tmp.path / "again.pdf").string()}) == 0);
  CHECK(server.last("GET /api/v1/admin/reviews/bob/licence").method == "GET");
  CHECK(std::filesystem::file_size(tmp.path / "again.pdf") == 9);

  CHECK(cli({"admin", "review", "reject", "bob"}) == 2);
  CHECK_THAT(cli.err, Catch::Contains("--reason"));
  server.on("POST /api/v1/admin/reviews/bob/reject", {{"account", account("bob", "rejected")}});
  CHECK(cli({"admin", "review", "reject", "bob", "--reason", "illegible"}) == 0);
  CHECK(server.last("POST /api/v1/admin/reviews/bob/reject").json_body() == json{{"reason", "illegible"}});

  server.on_error("POST /api/v1/admin/reviews/bob/approve", 403, {{"code", "FORBIDDEN"}, {"message", "admins only"}});
  CHECK(cli({"admin", "review", "approve", "bob"}) == 4);
}

TEST_CASE("admin audit passes its filters as the query", "[cli][admin][R-SEC-4]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  server.on("GET /api/v1/admin/audit", {{"items",
                                         {{{"id", 12},
                                           {"at", "2026-11-27T12:00:00Z"},
                                           {"event", "login_failed"},
                                           {"username", "alice"},
                                           {"ip", "127.0.0.1"},
                                           {"detail", json::object()}}}}});
  CHECK(cli({"admin", "audit", "--limit", "5", "--event", "login_failed", "--username", "alice"}) == 0);
  CHECK(server.last("GET /api/v1/admin/audit").path == "/api/v1/admin/audit?event=login_failed&limit=5&username=alice");
  CHECK_THAT(cli.out, Catch::Contains("login_failed"));
  CHECK(cli({"admin", "audit", "--limit", "ten"}) == 2);
}

TEST_CASE("sessions list marks the current one; revoking it forgets the token", "[cli][session][R-USER-6]") {
  FakeServer server;
  Cli cli;
  log_in(cli, server);
  server.on(
      "GET /api/v1/sessions",
      {{"items",
        {cpshare::testing::login_answer({{"session",
                                          {{"id", "s_0123456789abcdef"},
                                           {"client", "cpshare/0.1.0 host"},
                                           {"ip", "127.0.0.1"},
                                           {"current", true}}}})["session"],
         cpshare::testing::login_answer(
             {{"session", {{"id", "s_fedcba9876543210"}, {"client", "other"}, {"current", false}}}})["session"]}}});
  CHECK(cli({"sessions", "list"}) == 0);
  CHECK_THAT(cli.out, Catch::Contains("*  s_0123456789abcdef"));
  server.on("DELETE /api/v1/sessions/s_fedcba9876543210", {{"id", "s_fedcba9876543210"}, {"revoked", true}});
  CHECK(cli({"sessions", "revoke", "s_fedcba9876543210"}) == 0);
  CHECK(cli.hosts()["servers"][server.url()].count("token") == 1);
  server.on("DELETE /api/v1/sessions/s_0123456789abcdef", {{"id", "s_0123456789abcdef"}, {"revoked", true}});
  CHECK(cli({"sessions", "revoke", "s_0123456789abcdef"}) == 0);
  CHECK(cli.hosts()["servers"][server.url()].count("token") == 0);
}

TEST_CASE("completion and __man print the generated documents", "[cli][docs]") {
  Cli cli;
  CHECK(cli({"completion", "bash"}) == 0);
  CHECK_THAT(cli.out, Catch::Contains("complete") && Catch::Contains("_cpshare"));
  CHECK(cli({"completion", "tcsh"}) == 2);
  CHECK(cli({"__man"}) == 0);
  CHECK_THAT(cli.out, Catch::StartsWith(".\\\""));
}

TEST_CASE("fen print as yuan with two decimals, sign first", "[cli][money]") {
  // The CLI writes money through the platform's one formatter (domain/money.hpp).
  const auto fen_to_yuan = cpshare::money::format_yuan;
  CHECK(fen_to_yuan(0) == "0.00");
  CHECK(fen_to_yuan(5) == "0.05");
  CHECK(fen_to_yuan(250000) == "2500.00");
  CHECK(fen_to_yuan(123456) == "1234.56");
  CHECK(fen_to_yuan(-7583) == "-75.83");
  CHECK(fen_to_yuan(INT64_MIN) == "-92233720368547758.08");
}
