// The front door's request rules (lib/api/request_rules): strict JSON bodies
// (Content-Type, nesting depth, duplicate keys), the Bearer scheme, and the
// licence download's Content-Disposition, the query string as a form. Issue 9 points 1 and 5.
// [R-SEC-1] [R-API-STD]
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <map>

#include "api/request_rules.hpp"

using cpshare::ErrorCode;
namespace api = cpshare::api;

namespace {
constexpr const char* kJson = "application/json";

std::string nested(std::size_t depth) {  // depth arrays around 1: [[1]] is depth 2
  return std::string(depth, '[') + "1" + std::string(depth, ']');
}
}  // namespace

TEST_CASE("parse_json_body reads a JSON object sent as application/json", "[R-API-STD]") {
  auto r = api::parse_json_body(R"({"a":1,"b":{"c":[1,2]}})", kJson);
  REQUIRE(r);
  CHECK((*r)["b"]["c"][1] == 2);
}

TEST_CASE("parse_json_body: an empty body is {} whatever its Content-Type", "[R-API-STD]") {
  for (const char* type : {"", "text/plain", kJson}) {
    auto r = api::parse_json_body("", type);
    REQUIRE(r);
    CHECK(*r == nlohmann::json::object());
  }
}

TEST_CASE("parse_json_body accepts the JSON media types, parameters and a utf-8 charset", "[R-API-STD]") {
  for (const char* type :
       {"application/json", "Application/JSON", "application/json; charset=utf-8", "application/json;charset=UTF-8",
        "application/json; charset=\"utf-8\"", "application/merge-patch+json",
        "application/problem+json; charset=utf-8", " application/json ; foo=bar"}) {
    INFO(type);
    CHECK(api::parse_json_body("{}", type));
  }
}

TEST_CASE("parse_json_body refuses a body that is not sent as JSON with 415 UNSUPPORTED_MEDIA_TYPE", "[R-API-STD]") {
  for (const char* type :
       {"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/+json",
        "text/json", "application/jsonx", "application/json; charset=latin1", "application/json; charset=utf-16"}) {
    INFO("'" << type << "'");
    auto r = api::parse_json_body(R"({"a":1})", type);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::UnsupportedMediaType);
    CHECK(cpshare::error_http_status(r.error().code) == 415);
    CHECK(r.error().message.find("application/json") != std::string::npos);
  }
  auto latin = api::parse_json_body("{}", "application/json; charset=latin1");
  REQUIRE_FALSE(latin);
  CHECK(latin.error().message.find("utf-8") != std::string::npos);
}

TEST_CASE("parse_json_body: invalid JSON is MALFORMED_REQUEST naming the byte, not echoing the input", "[R-API-STD]") {
  auto r = api::parse_json_body("{\"secret-ish\" tail", kJson);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::MalformedRequest);
  CHECK(r.error().message.find("byte") != std::string::npos);
  CHECK(r.error().message.find("secret-ish") == std::string::npos);
  CHECK(r.error().message.find("last read") == std::string::npos);
}

TEST_CASE("parse_json_body limits nesting to kMaxJsonDepth levels", "[R-SEC-1]") {
  CHECK(api::parse_json_body(nested(api::kMaxJsonDepth), kJson));
  std::string deep_object = "1";
  for (std::size_t i = 0; i < api::kMaxJsonDepth; ++i) deep_object = "{\"k\":" + deep_object + "}";
  CHECK(api::parse_json_body(deep_object, kJson));

  for (const std::string& body : {nested(api::kMaxJsonDepth + 1), "{\"k\":" + deep_object + "}",
                                  // 4 MB of '[' is refused at level 33, without reading (or building) the rest
                                  std::string(4'000'000, '[')}) {
    auto r = api::parse_json_body(body, kJson);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::MalformedRequest);
    CHECK(r.error().message == "the request body nests objects and arrays deeper than 32 levels");
  }
}

TEST_CASE("parse_json_body refuses a duplicate key at any depth, naming it", "[R-API-STD]") {
  struct Case {
    const char* body;
    const char* field;
  };
  for (const Case& c : {Case{R"({"username":"a","password":"x","username":"b"})", "username"},
                        Case{R"({"settlement":{"bank_name":"a","bank_name":"b"}})", "settlement.bank_name"},
                        Case{R"({"a":[{"x":1},{"y":1,"y":2}]})", "a[1].y"}, Case{R"([{"k":1,"k":1}])", "[0].k"}}) {
    INFO(c.body);
    auto r = api::parse_json_body(c.body, kJson);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::ValidationFailed);
    REQUIRE(r.error().fields.size() == 1);
    CHECK(r.error().fields[0].field == c.field);
    CHECK(r.error().fields[0].message == "appears more than once in its object; send it once");
  }
  // The same key in two different objects is no duplicate.
  CHECK(api::parse_json_body(R"({"a":{"k":1},"b":{"k":1},"k":[{"k":1},{"k":2}]})", kJson));
}

TEST_CASE("bearer_token matches the scheme case-insensitively and tolerates extra spaces (RFC 9110 §11.1)",
          "[R-API-STD]") {
  CHECK(api::bearer_token("Bearer abc") == "abc");
  CHECK(api::bearer_token("bearer abc") == "abc");
  CHECK(api::bearer_token("BEARER abc") == "abc");
  CHECK(api::bearer_token("BeArEr \t abc  ") == "abc");
  CHECK(api::bearer_token("  Bearer abc-_.~+/=") == "abc-_.~+/=");
  CHECK(api::bearer_token("").empty());
  CHECK(api::bearer_token("Bearer").empty());
  CHECK(api::bearer_token("Bearer   ").empty());
  CHECK(api::bearer_token("Basic YWxpY2U6cHc=").empty());
  CHECK(api::bearer_token("Bearerabc").empty());
  CHECK(api::bearer_token("Bearer abc def").empty());
}

TEST_CASE("attachment_disposition follows RFC 6266: quoted ASCII fallback and filename*", "[R-API-STD]") {
  CHECK(api::attachment_disposition("licence.pdf") ==
        "attachment; filename=\"licence.pdf\"; filename*=UTF-8''licence.pdf");
  CHECK(api::attachment_disposition("营业执照.pdf") ==
        "attachment; filename=\"____.pdf\"; "
        "filename*=UTF-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.pdf");
  CHECK(api::attachment_disposition("营业执照") ==
        "attachment; filename=\"licence\"; filename*=UTF-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7");
  // A quote cannot close the quoted string and add a parameter.
  const std::string evil = api::attachment_disposition("a.pdf\"; filename=\"evil.exe");
  CHECK(evil ==
        "attachment; filename=\"a.pdf__ filename=_evil.exe\"; "
        "filename*=UTF-8''a.pdf%22%3B%20filename%3D%22evil.exe");
  CHECK(api::attachment_disposition("a\\b%c/d\r\ne.pdf") ==
        "attachment; filename=\"a_b_c_d__e.pdf\"; filename*=UTF-8''a%5Cb%25c%2Fd%0D%0Ae.pdf");
}

TEST_CASE("check_request_text refuses path and query text that is not UTF-8, naming it", "[R-API-STD]") {
  CHECK(api::check_request_text({{"cpc_id", "cp-7k2m9x4qvd"}}, {{"region", "深圳"}, {"q", ""}}));
  auto bad_query = api::check_request_text({}, {{"say", "\xff"}});
  REQUIRE(!bad_query);
  CHECK(bad_query.error().code == ErrorCode::MalformedRequest);
  CHECK_THAT(bad_query.error().message, Catch::Contains("query parameter say is not UTF-8"));
  auto bad_name = api::check_request_text({}, {{"\xc3", "x"}});
  REQUIRE(!bad_name);
  CHECK(bad_name.error().code == ErrorCode::MalformedRequest);
  auto bad_path = api::check_request_text({{"lease_id", "\xe6\xb7"}}, {});
  REQUIRE(!bad_path);
  CHECK_THAT(bad_path.error().message, Catch::Contains("the path's lease_id is not UTF-8"));
}

TEST_CASE("parse_query reads a query string as the URL Standard reads a form", "[R-API-STD]") {
  using Query = std::multimap<std::string, std::string>;
  auto parsed = [](std::string_view q) {
    auto r = api::parse_query(q);
    INFO(q << (r ? "" : " → " + r.error().message));
    REQUIRE(r);
    return *r;
  };
  // A pair splits at its first '=': the rest is the value, '=' included (what curl users type).
  CHECK(parsed("filter=reliability>=0.95") == Query{{"filter", "reliability>=0.95"}});
  CHECK(parsed("filter=a==b=&sort=reliability-") == Query{{"filter", "a==b="}, {"sort", "reliability-"}});
  CHECK(parsed("filter=reliability%3E%3D0.95") == Query{{"filter", "reliability>=0.95"}});
  // '+' is a space, then percent-decoding (so %2B is a plus); a stray '%' stays.
  CHECK(parsed("filter=model%3D%22A100+80GB%22&sort=price_hourly%2B") ==
        Query{{"filter", "model=\"A100 80GB\""}, {"sort", "price_hourly+"}});
  CHECK(parsed("q=100%&r=%zz%4") == Query{{"q", "100%"}, {"r", "%zz%4"}});
  CHECK(parsed("region=%E6%B7%B1%E5%9C%B3") == Query{{"region", "深圳"}});
  // Empty pairs are skipped; a name alone has the value ""; an empty name is a name.
  CHECK(parsed("").empty());
  CHECK(parsed("&&mine&=x&") == Query{{"mine", ""}, {"", "x"}});
}

TEST_CASE("parse_query refuses a parameter given twice, naming it, and text that is not UTF-8", "[R-API-STD]") {
  for (auto q : {"state=active&state=ended", "state=active&x=1&state=active", "state&state=", "st%61te=a&state=b"}) {
    auto r = api::parse_query(q);
    INFO(q);
    REQUIRE(!r);
    CHECK(r.error().code == ErrorCode::ValidationFailed);
    REQUIRE(r.error().fields.size() == 1);
    CHECK(r.error().fields[0].field == "state");
    CHECK(r.error().fields[0].message == "is given more than once in the query; give it once");
  }
  auto bad = api::parse_query("say=%FF");
  REQUIRE(!bad);
  CHECK(bad.error().code == ErrorCode::MalformedRequest);
  CHECK_THAT(bad.error().message, Catch::Contains("query parameter say is not UTF-8"));
}
