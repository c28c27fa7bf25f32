// Bounded error answers (lib/domain/fields, lib/api/envelope): a body of many
// unknown keys gets a few field errors and "and N more", never a list of all.
// Issue 9 point 1. [R-SEC-1] [R-API-STD]
#include <catch2/catch.hpp>

#include <string>

#include "api/envelope.hpp"
#include "domain/fields.hpp"

using cpshare::Error;
using cpshare::ErrorCode;
using cpshare::FieldError;
using cpshare::kMaxFieldErrors;
namespace api = cpshare::api;

TEST_CASE("Fields keeps kMaxFieldErrors unknown keys and counts the rest", "[R-SEC-1]") {
  nlohmann::json body = nlohmann::json::object();
  for (int i = 0; i < 100000; ++i) body["k" + std::to_string(i)] = 1;
  body["usernme"] = "x";
  api::Fields f(body, {"username", "password"});
  CHECK_FALSE(f.ok());
  CHECK(f.errors().size() == kMaxFieldErrors);
  CHECK(f.error_count() == 100001);
  const Error e = f.failure();
  CHECK(e.code == ErrorCode::ValidationFailed);
  REQUIRE(e.fields.size() == kMaxFieldErrors + 1);
  CHECK(e.fields.back().field == "(more)");
  CHECK(e.fields.back().message == "and 99981 more errors not listed; fix these and send again");
  CHECK(e.message.size() < 2000);
  CHECK(api::error_envelope(e).dump().size() < 4000);
}

TEST_CASE("Fields echoes at most kMaxEchoedKey bytes of an unknown key", "[R-SEC-1]") {
  const std::string key(8'000'000, 'x');
  api::Fields f(nlohmann::json{{key, 1}}, {"username"});
  REQUIRE(f.errors().size() == 1);
  CHECK(f.errors()[0].field == std::string(api::Fields::kMaxEchoedKey, 'x') + "\u2026");
  CHECK(f.errors()[0].message == "unknown field; remove it");
  // Near a known name still gets its hint.
  api::Fields g(nlohmann::json{{"usernme", 1}}, {"username"});
  REQUIRE(g.errors().size() == 1);
  CHECK(g.errors()[0].message == "unknown field; did you mean 'username'?");
}

TEST_CASE("error_envelope caps a long field list built anywhere, and long texts", "[R-SEC-1]") {
  Error e{ErrorCode::ValidationFailed, std::string(100000, 'm'), {}, 0};
  for (int i = 0; i < 5000; ++i) e.fields.push_back({"f" + std::to_string(i), std::string(2000, 'x')});
  e.fields[0].field = std::string(1000, 'n');
  const nlohmann::json env = api::error_envelope(e);
  const auto& fields = env["error"]["fields"];
  REQUIRE(fields.size() == kMaxFieldErrors + 1);
  CHECK(fields[1]["field"] == "f1");
  CHECK(fields[kMaxFieldErrors]["field"] == "(more)");
  CHECK(fields[kMaxFieldErrors]["message"] == "and 4980 more errors not listed; fix these and send again");
  CHECK(fields[0]["field"].get<std::string>().size() <= api::kMaxFieldName + 3);
  CHECK(fields[1]["message"].get<std::string>().size() <= api::kMaxFieldMessage + 3);
  CHECK(env["error"]["message"].get<std::string>().size() <= api::kMaxErrorMessage + 3);
  CHECK(env.dump().size() < 20000);
  // A list already capped by Fields (20 + its "(more)") is kept as it is.
  Error capped{ErrorCode::ValidationFailed, "m", {}, 0};
  for (std::size_t i = 0; i < kMaxFieldErrors; ++i) capped.fields.push_back({"f", "m"});
  capped.fields = cpshare::cap_field_errors(capped.fields, 7);
  const nlohmann::json capped_env = api::error_envelope(capped);
  const auto& kept = capped_env["error"]["fields"];
  REQUIRE(kept.size() == kMaxFieldErrors + 1);
  CHECK(kept[kMaxFieldErrors]["message"] == "and 7 more errors not listed; fix these and send again");
}

TEST_CASE("the error envelope reads back as the Error it was written from", "[R-API-STD]") {
  Error e{ErrorCode::ValidationFailed, "fix it", {{"id_number", "bad check digit"}, {"email", "no @"}}, 0};
  const nlohmann::json env = api::error_envelope(e);
  CHECK_FALSE(env["error"].contains("retry_after"));  // left out, not null
  auto back = api::read_error_envelope(env, 422);
  REQUIRE(back);
  CHECK(back->code == ErrorCode::ValidationFailed);
  CHECK(back->message == "fix it");
  REQUIRE(back->fields.size() == 2);
  CHECK(back->fields[1].field == "email");
  CHECK(back->fields[1].message == "no @");

  const Error limited{ErrorCode::RateLimited, "slow down", {}, 30};
  const nlohmann::json limited_env = api::error_envelope(limited);
  CHECK_FALSE(limited_env["error"].contains("fields"));
  auto r = api::read_error_envelope(limited_env, 429);
  REQUIRE(r);
  CHECK(r->code == ErrorCode::RateLimited);
  CHECK(r->retry_after == 30);
  CHECK(r->fields.empty());

  // A code newer than this build is Internal with the daemon's message; a body that does not fit is refused.
  auto newer = api::read_error_envelope(nlohmann::json{{"error", {{"code", "SOMETHING_NEW"}, {"message", "m"}}}}, 409);
  REQUIRE(newer);
  CHECK(newer->code == ErrorCode::Internal);
  CHECK(newer->message == "m");
  auto bad = api::read_error_envelope(nlohmann::json{{"error", {{"code", "CONFLICT"}}}}, 409);
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message, Catch::Contains("error.message"));
}

TEST_CASE("cap_field_errors keeps short lists as they are", "[R-SEC-1]") {
  std::vector<FieldError> two{{"a", "x"}, {"b", "y"}};
  CHECK(cpshare::cap_field_errors(two).size() == 2);
  auto one_more = cpshare::cap_field_errors(two, 1);
  REQUIRE(one_more.size() == 3);
  CHECK(one_more[2].message == "and 1 more error not listed; fix these and send again");
}

TEST_CASE("a body that is not an object is named once, not every field as missing", "[R-API-STD]") {
  const nlohmann::json body = nlohmann::json::array();
  api::Fields f(body, {"cpc_id", "units"});
  (void)f.text("cpc_id", true, 20);
  (void)f.integer("units", true, 1, 4096);
  REQUIRE(!f.ok());
  const Error e = f.failure();
  REQUIRE(e.fields.size() == 1);
  CHECK(e.fields[0].field == "(body)");
  CHECK_THAT(e.message, !Catch::Contains("is required"));
}

TEST_CASE("an integer beyond 64 bits is out of range, not 'not an integer'", "[R-API-STD]") {
  const nlohmann::json body =
      nlohmann::json::parse(R"({"units": 99999999999999999999999, "periods": -99999999999999999999999})");
  api::Fields f(body, {"units", "periods"});
  CHECK(!f.integer("units", true, 1, 4096));
  CHECK(!f.integer("periods", true, 1, 100));
  REQUIRE(f.errors().size() == 2);
  CHECK(f.errors()[0].message == "must be between 1 and 4096");
  CHECK(f.errors()[1].message == "must be between 1 and 100");
  // Past INT64_MAX but within 64 unsigned bits the parser keeps an unsigned integer: not read wrapped.
  const nlohmann::json u = nlohmann::json::parse(R"({"offset": 18446744073709551615, "at": 9223372036854775807})");
  api::Fields g(u, {"offset", "at"});
  CHECK(!g.integer("offset", true, -1, 10));
  CHECK(g.integer("at", true, 0, INT64_MAX) == INT64_MAX);
  REQUIRE(g.errors().size() == 1);
  CHECK(g.errors()[0].message == "must be between -1 and 10");
  CHECK(api::beyond_int64(u["offset"]));
  CHECK_FALSE(api::beyond_int64(u["at"]));
  CHECK_FALSE(api::beyond_int64(nlohmann::json(12.5)));
}
