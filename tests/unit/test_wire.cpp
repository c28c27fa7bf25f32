// The typed wire contract's machinery (issue 10, lib/api/wire.hpp): one member
// list gives the encoding, the strict decoding and the schema.
#include <catch2/catch.hpp>

#include "api/accounts.hpp"
#include "api/endpoint.hpp"
#include "api/enums.hpp"
#include "api/metrics.hpp"

using namespace cpshare;
using api::json;

namespace {
struct Inner {
  std::string name;
  std::optional<std::int64_t> fen;
};
struct Outer {
  std::vector<Inner> items;
  api::Time at;
  LeaseState state = LeaseState::Requested;
  std::optional<std::string> note;  // Omittable
  json detail;
};
}  // namespace

template <>
struct cpshare::api::Wire<Inner> {
  static constexpr auto fields = std::tuple{member("name", &Inner::name), member("fen", &Inner::fen)};
};
template <>
struct cpshare::api::Wire<Outer> {
  static constexpr auto fields =
      std::tuple{member("items", &Outer::items), member("at", &Outer::at), member("state", &Outer::state),
                 member("note", &Outer::note, Presence::Omittable), member("detail", &Outer::detail)};
};

TEST_CASE("a described type encodes to the wire's JSON") {
  Outer o{{{"a", 150}, {"b", std::nullopt}}, api::Time{0}, LeaseState::Active, std::nullopt, json{{"k", 1}}};
  const json j = api::encode(o);
  CHECK(j == json::parse(R"({"items":[{"name":"a","fen":150},{"name":"b","fen":null}],
                             "at":"1970-01-01T00:00:00Z","state":"active","detail":{"k":1}})"));
  o.note = "hi";
  CHECK(api::encode(o)["note"] == "hi");
}

TEST_CASE("decoding is strict and names the first mismatch by its path") {
  const json good = json::parse(R"({"items":[{"name":"a","fen":150}],"at":"2026-12-04T08:00:00Z",
                                    "state":"ended","detail":null,"extra":"ignored"})");
  auto o = api::decode<Outer>(good);
  REQUIRE(o);
  CHECK(o->items.at(0).fen == 150);
  CHECK(o->at.unix == 1796371200);
  CHECK(o->state == LeaseState::Ended);
  CHECK(!o->note);  // Omittable and absent

  json missing = good;
  missing["items"][0].erase("fen");
  auto m = api::decode<Outer>(missing);
  REQUIRE(!m);
  CHECK(m.error().code == ErrorCode::Internal);
  CHECK_THAT(m.error().message, Catch::Contains("items[0].fen: expected present (it is missing)"));

  json wrong = good;
  wrong["items"][0]["name"] = 7;
  CHECK_THAT(api::decode<Outer>(wrong).error().message, Catch::Contains("items[0].name: expected a string"));
  json bad_enum = good;
  bad_enum["state"] = "melted";
  CHECK_THAT(api::decode<Outer>(bad_enum).error().message,
             Catch::Contains("state: expected a known name, not 'melted'"));
  json bad_time = good;
  bad_time["at"] = "yesterday";
  CHECK_THAT(api::decode<Outer>(bad_time).error().message, Catch::Contains("at: expected an RFC 3339 time"));
}

TEST_CASE("the schema lists members, required ones and nullability") {
  const json s = api::schema_of<Outer>();
  CHECK(s["required"] == json::array({"items", "at", "state", "detail"}));
  CHECK(s["properties"]["note"] == json{{"type", "string"}});  // Omittable: left out when empty, never null
  CHECK(s["properties"]["items"]["items"]["properties"]["fen"] == json{{"type", "integer"}, {"nullable", true}});
  CHECK(s["properties"]["at"]["format"] == "date-time");
  CHECK(s["properties"]["state"]["enum"].size() == 7);
}

TEST_CASE("paths are rendered by name and percent-encoded") {
  CHECK(api::path_parameter_names("/api/v1/clusters/{cpc_id}/units/{index}") ==
        std::vector<std::string>{"cpc_id", "index"});
  auto p = api::render_path("/api/v1/clusters/{cpc_id}/units/{index}", {{"index", "3"}, {"cpc_id", "cp a/b"}});
  REQUIRE(p);
  CHECK(*p == "/api/v1/clusters/cp%20a%2Fb/units/3");
  CHECK(!api::render_path("/api/v1/sessions/{id}", {}));
  const api::PathParams params(std::vector<std::pair<std::string, std::string>>{{"id", "s_1"}});
  CHECK(params["id"] == "s_1");
  CHECK_THROWS_AS(params["other"], std::out_of_range);
}

namespace {
struct PatchLike {
  api::Nullable<std::string> text;    // a merge patch's member
  std::optional<std::int64_t> count;  // Omittable: left out, never null
};
}  // namespace
template <>
struct cpshare::api::Wire<PatchLike> {
  static constexpr auto fields = std::tuple{member("text", &PatchLike::text, Presence::Omittable),
                                            member("count", &PatchLike::count, Presence::Omittable)};
};

TEST_CASE("Nullable members: absent, null and a value are three things, both ways") {
  auto absent = api::decode<PatchLike>(json::object());
  REQUIRE(absent);
  CHECK_FALSE(absent->text);
  auto null = api::decode<PatchLike>(json{{"text", nullptr}});
  REQUIRE(null);
  REQUIRE(null->text);
  CHECK_FALSE(*null->text);
  auto value = api::decode<PatchLike>(json{{"text", "x"}, {"count", 3}});
  REQUIRE(value);
  CHECK(value->text == std::optional<std::string>{"x"});
  CHECK(api::encode(*absent) == json::object());
  CHECK(api::encode(*null) == json{{"text", nullptr}});
  CHECK(api::encode(*value) == json{{"text", "x"}, {"count", 3}});
  // The schema: a Nullable member may be null; an Omittable optional is left out, never null.
  const json s = api::schema_of<PatchLike>();
  CHECK(s["properties"]["text"]["nullable"] == true);
  CHECK_FALSE(s["properties"]["count"].contains("nullable"));
  CHECK(s["required"] == json::array());
}

TEST_CASE("a measurement is a JSON number both ways; an integer is one too, a string is not") {
  api::GpuReading g;
  g.uuid = "GPU-1";
  g.temperature_celsius = 52.5;
  g.utilization_ratio = 1;
  const json j = api::encode(g);
  CHECK(j["temperature_celsius"] == 52.5);
  CHECK(j["power_watts"].is_null());  // absent, never 0
  auto back = api::decode<api::GpuReading>(j);
  REQUIRE(back);
  CHECK(back->temperature_celsius == 52.5);
  CHECK(back->utilization_ratio == 1.0);
  CHECK(!back->power_watts);

  json text = j;
  text["temperature_celsius"] = "52.5";
  CHECK_THAT(api::decode<api::GpuReading>(text).error().message,
             Catch::Contains("temperature_celsius: expected a number"));
  CHECK(api::schema_of<api::GpuReading>()["properties"]["power_watts"] == json{{"type", "number"}, {"nullable", true}});
}
