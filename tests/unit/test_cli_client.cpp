// The HTTP client: server URLs, the response envelope, and requests on the wire.
#include <catch2/catch.hpp>

#include "util/text.hpp"

#include "cli_test_support.hpp"
#include "api/meta.hpp"
#include "client/api_client.hpp"

using namespace cpshare;
using namespace cpshare::client;
using nlohmann::json;

TEST_CASE("server URLs are http(s)://host[:port] and have one canonical form", "[cli][client]") {
  auto u = parse_server_url("HTTP://LocalHost:7878/");
  REQUIRE(u);
  CHECK(u->scheme == "http");
  CHECK(u->host == "localhost");
  CHECK(u->port == 7878);
  CHECK(u->canonical == "http://localhost:7878");
  CHECK(parse_server_url("https://cpshare.example.org")->port == 443);
  CHECK(parse_server_url("https://cpshare.example.org")->canonical == "https://cpshare.example.org");
  CHECK(parse_server_url("http://[::1]:8080")->host == "::1");
  CHECK(parse_server_url("http://[::1]:8080")->canonical == "http://[::1]:8080");
  for (const char* bad : {"127.0.0.1:7878", "ftp://x", "http://", "http://h:0", "http://h:99999", "http://h:12ab",
                          "http://h/api", "http://user@h"}) {
    INFO(bad);
    auto r = parse_server_url(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::ValidationFailed);
  }
}

TEST_CASE("percent_encode keeps unreserved characters only", "[cli][client]") {
  CHECK(cpshare::text::percent_encode("alice_1.x-y~") == "alice_1.x-y~");
  CHECK(cpshare::text::percent_encode("a b/c?d&e=f+") == "a%20b%2Fc%3Fd%26e%3Df%2B");
}

TEST_CASE("envelope: data on success, the error object otherwise", "[cli][client][R-API-STD]") {
  CHECK(*parse_envelope(200, R"({"data":{"x":1}})") == json{{"x", 1}});
  CHECK(*parse_envelope(201, R"({"data":{}})") == json::object());

  auto e = parse_envelope(422, R"({"error":{"code":"VALIDATION_FAILED","message":"fix it",
      "fields":[{"field":"id_number","message":"bad check digit"},{"field":"email","message":"no @"}]}})");
  REQUIRE_FALSE(e);
  CHECK(e.error().code == ErrorCode::ValidationFailed);
  CHECK(e.error().message == "fix it");
  REQUIRE(e.error().fields.size() == 2);
  CHECK(e.error().fields[1].field == "email");

  auto r = parse_envelope(429, R"({"error":{"code":"RATE_LIMITED","message":"slow down","retry_after":30}})");
  CHECK(r.error().code == ErrorCode::RateLimited);
  CHECK(r.error().retry_after == 30);
  CHECK(parse_envelope(429, R"({"error":{"code":"RATE_LIMITED","message":"x"}})", "12").error().retry_after == 12);

  // Codes this client does not know yet, and answers that are no envelope, are internal errors.
  CHECK(parse_envelope(409, R"({"error":{"code":"SOMETHING_NEW","message":"m"}})").error().code == ErrorCode::Internal);
  auto html = parse_envelope(502, "<html>bad gateway</html>");
  CHECK(html.error().code == ErrorCode::Internal);
  CHECK_THAT(html.error().message, Catch::Contains("HTTP 502"));
  CHECK(parse_envelope(200, R"({"no_data":1})").error().code == ErrorCode::Internal);
}

TEST_CASE("a malformed error envelope is the client's error, naming what does not fit", "[cli][client][R-API-STD]") {
  // Not silently an error of empty strings: each names the HTTP status and the member.
  const std::pair<const char*, const char*> cases[] = {
      {R"({"error":{"message":"m"}})", "error.code: expected present"},
      {R"({"error":{"code":7,"message":"m"}})", "error.code: expected a string"},
      {R"({"error":{"code":"CONFLICT"}})", "error.message: expected present"},
      {R"({"error":{"code":"CONFLICT","message":"m","fields":[{"field":"x"}]}})", "error.fields[0].message"},
      {R"({"error":{"code":"CONFLICT","message":"m","fields":{"x":1}}})", "error.fields: expected an array"},
      {R"({"error":{"code":"RATE_LIMITED","message":"m","retry_after":"soon"}})", "error.retry_after"},
      {R"({"error":"CONFLICT"})", "error: expected an object"},
  };
  for (const auto& [body, why] : cases) {
    INFO(body);
    auto r = parse_envelope(409, body);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::Internal);
    CHECK_THAT(r.error().message, Catch::Contains("HTTP 409") && Catch::Contains("malformed") && Catch::Contains(why));
  }
  // null fields and retry_after are as absent (docs/openapi.yaml: Error).
  auto ok = parse_envelope(409, R"({"error":{"code":"CONFLICT","message":"m","fields":null,"retry_after":null}})");
  CHECK(ok.error().code == ErrorCode::Conflict);
  CHECK(ok.error().fields.empty());
  CHECK(parse_envelope(409, R"({"error":{"code":"CONFLICT","message":""}})").error().message ==
        "the server answered CONFLICT");
}

namespace {

// Endpoints of this test only, so the transport is tested apart from any real route.
struct ThingRequest {
  int a = 0;
  static Result<ThingRequest> from_body(const json&) { return ThingRequest{}; }
};
struct ThingQuery {
  std::string q;
  static Result<ThingQuery> from_query(const api::Query&) { return ThingQuery{}; }
};
struct ThingView {
  bool ok = false;
};

// What the fake does not look at.
struct TestEndpoint {
  static constexpr api::Auth auth = api::Auth::None;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "test";
};
struct PostThing : TestEndpoint {
  static constexpr api::Method method = api::Method::Post;
  static constexpr std::string_view path = "/api/v1/things";
  using Request = ThingRequest;
  using Response = ThingView;
};
struct FindThing : TestEndpoint {
  static constexpr api::Method method = api::Method::Get;
  static constexpr std::string_view path = "/api/v1/things";
  using Request = ThingQuery;
  using Response = ThingView;
};
struct ThingFile : TestEndpoint {
  static constexpr api::Method method = api::Method::Get;
  static constexpr std::string_view path = "/api/v1/things/{id}/file";
  using Request = api::NoRequest;
  using Response = api::RawBody;
};

}  // namespace

template <>
struct cpshare::api::Wire<ThingRequest> {
  static constexpr auto fields = std::tuple{member("a", &ThingRequest::a)};
};
template <>
struct cpshare::api::Wire<ThingQuery> {
  static constexpr auto fields = std::tuple{member("q", &ThingQuery::q)};
};
template <>
struct cpshare::api::Wire<ThingView> {
  static constexpr auto fields = std::tuple{member("ok", &ThingView::ok)};
};

TEST_CASE("requests carry User-Agent, Accept, bearer token and JSON body", "[cli][client]") {
  testing::FakeServer server;
  server.on("POST /api/v1/things", {{"ok", true}}, 201);
  auto api = ApiClient::open({server.url(), "", "TOKEN123"});
  REQUIRE(api);
  auto r = api->call<PostThing>(ThingRequest{1});
  REQUIRE(r);
  CHECK(r->ok);
  auto req = server.last("POST /api/v1/things");
  CHECK(req.headers.find("User-Agent")->second == std::string("cpshare/") + CPSHARE_VERSION);
  CHECK(req.headers.find("Authorization")->second == "Bearer TOKEN123");
  CHECK(req.headers.find("Content-Type")->second == "application/json");
  CHECK(req.json_body() == json{{"a", 1}});
  CHECK_FALSE(api->unreachable());

  auto anonymous = ApiClient::open({server.url(), "", ""});
  REQUIRE(anonymous->call<FindThing>(ThingQuery{"a b"}).error().code == ErrorCode::NotFound);
  CHECK(server.last("GET /api/v1/things").headers.count("Authorization") == 0);
  CHECK(server.last("GET /api/v1/things").path == "/api/v1/things?q=a b");
  CHECK(server.last("GET /api/v1/things").target == "/api/v1/things?q=a%20b");
}

TEST_CASE("a raw answer is its bytes; an error answer to it is the envelope's error", "[cli][client]") {
  testing::FakeServer server;
  auto api = ApiClient::open({server.url(), "", ""});
  REQUIRE(api);
  server.reply("GET /api/v1/things/x 1/file", {200, "%PDF bytes", "application/pdf"});
  server.on_error("GET /api/v1/things/x 1/file", 404, {{"code", "NOT_FOUND"}, {"message", "gone"}});
  auto file = api->call<ThingFile>({}, {{"id", "x 1"}});
  REQUIRE(file);
  CHECK(file->bytes == "%PDF bytes");
  auto missing = api->call<ThingFile>({}, {{"id", "x 1"}});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::NotFound);
  CHECK(missing.error().message == "gone");
  CHECK(server.last("GET /api/v1/things/x 1/file").target == "/api/v1/things/x%201/file");
  CHECK(server.last("GET /api/v1/things/x 1/file").headers.find("Accept")->second == "*/*");
}

TEST_CASE("a server that does not answer is 'unreachable', with advice", "[cli][client]") {
  const int port = cpshare::testing::closed_port();
  auto api = ApiClient::open({"http://127.0.0.1:" + std::to_string(port), "", ""});
  REQUIRE(api);
  auto r = api->call<api::endpoint::Health>();
  REQUIRE_FALSE(r);
  CHECK(api->unreachable());
  CHECK_THAT(r.error().message, Catch::Contains("127.0.0.1:" + std::to_string(port)) && Catch::Contains("cpshared") &&
                                    Catch::Contains("--server"));
}

TEST_CASE("a missing --ca-file is reported before any connection", "[cli][client]") {
  auto api = ApiClient::open({"https://localhost:1", "/nonexistent/ca.pem", ""});
  REQUIRE_FALSE(api);
  CHECK_THAT(api.error().message, Catch::Contains("--ca-file"));
}
