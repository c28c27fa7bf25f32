// The services' endpoint table (issue 10, service/endpoint_table.hpp): each
// service binds exactly its area's endpoints, in its own .cpp, and a row reads
// its request from what the transport hands it, gets the caller exactly when
// its endpoint is authenticated, and answers the endpoint's status. The HTTP
// side (server/route_table.hpp) is proven by "every route has a handler"
// (test_accounts.cpp) and the integration tests.
#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "api/catalog.hpp"
#include "api/leases.hpp"
#include "api/meta.hpp"
#include "fake_supplier_host.hpp"
#include "lease_test_support.hpp"
#include "service/endpoint_table.hpp"
#include "service/meta.hpp"
#include "service/platform_metrics.hpp"
#include "service/terms.hpp"

using namespace cpshare;

namespace {

using Key = std::pair<std::string, std::string>;  // "GET", "/api/v1/clusters"

template <class Tuple>
std::vector<Key> keys_of() {
  std::vector<Key> out;
  std::apply([&](auto... e) { (out.emplace_back(api::method_name(e.method), e.path), ...); }, Tuple{});
  return out;
}

std::vector<Key> keys_of(const EndpointTable& t) {
  std::vector<Key> out;
  for (const auto& row : t.rows()) out.emplace_back(api::method_name(row.method), row.path);
  return out;
}

const EndpointRow& only_row(const EndpointTable& t) {
  REQUIRE(t.rows().size() == 1);
  return t.rows().front();
}

struct Host {
  testing::FakeSupplierHost fake;
};
struct Fixture : Host, testing::LeaseFixture {
  Fixture() : LeaseFixture(fake) {}
};

bool has_field(const Error& e, const std::string& name) {
  return std::any_of(e.fields.begin(), e.fields.end(), [&](const FieldError& f) { return f.field == name; });
}

Caller caller_named(const std::string& username) {
  Caller c;
  c.account.username = username;
  c.account.role = Role::Supplier;
  return c;
}

}  // namespace

TEST_CASE("each service binds exactly its area's endpoints, in the area's order", "[endpoint_table]") {
  Fixture f;
  EndpointTable catalogue;
  f.catalog.bind(catalogue);
  CHECK(keys_of(catalogue) == keys_of<api::CatalogEndpoints>());

  EndpointTable leases;
  f.leases.bind(leases);
  CHECK(keys_of(leases) == keys_of<api::LeaseEndpoints>());

  EndpointTable meta;
  bind_meta_endpoints(meta);
  PlatformMetrics platform(*f.store);  // GET /metrics: the daemon's own, but counts need the store
  platform.bind(meta);
  CHECK(keys_of(meta) == keys_of<api::MetaEndpoints>());

  // The rows carry their endpoint's auth and where its request comes from.
  const auto& publish = catalogue.rows().front();  // POST /api/v1/clusters
  CHECK(publish.auth == api::Auth::Session);
  CHECK(publish.in == RequestIn::Body);
  CHECK(catalogue.rows()[1].in == RequestIn::Query);   // GET /api/v1/clusters: ?filter, ?sort, ...
  CHECK(meta.rows().front().auth == api::Auth::None);  // GET /api/v1/health
  CHECK(meta.rows().front().in == RequestIn::None);
}

TEST_CASE("a row parses its body with the request type, then hands the caller and path to its handler",
          "[endpoint_table][R-API-STD]") {
  EndpointTable t;
  int calls = 0;
  std::string seen;
  t.bind<api::endpoint::RejectLease>([&](const Caller& c, const api::LeaseReasonRequest& r, const RequestContext&,
                                         const api::PathParams& p) -> Result<api::LeaseData> {
    ++calls;
    seen = c.account.username + " " + p["lease_id"] + " " + r.reason;
    return fail(ErrorCode::NotFound, "no lease " + p["lease_id"]);
  });
  const EndpointRow& row = only_row(t);
  CHECK(row.in == RequestIn::Body);
  const Caller acme = caller_named("acme");
  const RequestContext ctx{"192.0.2.7", "test"};
  const api::PathParams path(std::vector<std::pair<std::string, std::string>>{{"lease_id", "ls-7k2m9x4qvd"}});

  SECTION("a valid body reaches the handler, parsed; its error is the row's") {
    const api::json body = {{"reason", "Units 0-3 are in maintenance."}};
    auto r = row.handler(&acme, EndpointInput{&body, nullptr}, ctx, path);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::NotFound);
    CHECK(calls == 1);
    CHECK(seen == "acme ls-7k2m9x4qvd Units 0-3 are in maintenance.");
  }
  SECTION("a body the request type refuses never reaches the handler") {
    const api::json body = {{"reason", ""}, {"extra", 1}};
    auto r = row.handler(&acme, EndpointInput{&body, nullptr}, ctx, path);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::ValidationFailed);
    CHECK(has_field(r.error(), "reason"));
    CHECK(calls == 0);
  }
  SECTION("no body read, or no caller on an authenticated endpoint: INTERNAL, not a crash") {
    const api::json body = {{"reason", "x"}};
    auto no_body = row.handler(&acme, EndpointInput{}, ctx, path);
    REQUIRE_FALSE(no_body);
    CHECK(no_body.error().code == ErrorCode::Internal);
    auto no_caller = row.handler(nullptr, EndpointInput{&body, nullptr}, ctx, path);
    REQUIRE_FALSE(no_caller);
    CHECK(no_caller.error().code == ErrorCode::Internal);
    CHECK(calls == 0);
  }
}

TEST_CASE("a row reads a query request from the query parameters", "[endpoint_table][R-API-STD]") {
  EndpointTable t;
  std::optional<api::LeaseListQuery> seen;
  t.bind<api::endpoint::ListLeases>([&](const Caller&, const api::LeaseListQuery& q, const RequestContext&,
                                        const api::PathParams&) -> Result<api::LeaseList> {
    seen = q;
    return api::LeaseList{};
  });
  const EndpointRow& row = only_row(t);
  CHECK(row.in == RequestIn::Query);
  const Caller alice = caller_named("alice");
  const RequestContext ctx{"192.0.2.7", "test"};

  const api::Query good = {{"incoming", "true"}, {"state", "active"}};
  auto r = row.handler(&alice, EndpointInput{nullptr, &good}, ctx, api::PathParams{});
  REQUIRE(r);
  CHECK(r->status == api::endpoint::ListLeases::status);
  CHECK(r->data == api::json{{"items", api::json::array()}});
  REQUIRE(seen);
  CHECK(seen->incoming);
  CHECK(seen->state == LeaseState::Active);

  seen.reset();
  const api::Query bad = {{"state", "paused"}};
  auto refused = row.handler(&alice, EndpointInput{nullptr, &bad}, ctx, api::PathParams{});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::ValidationFailed);
  CHECK(has_field(refused.error(), "state"));
  CHECK_FALSE(seen);
}

TEST_CASE("the meta rows answer health, the document and the terms without a caller", "[endpoint_table]") {
  EndpointTable t;
  bind_meta_endpoints(t);
  const RequestContext ctx{"192.0.2.7", "test"};
  auto answer = [&](std::string_view path) {
    const auto row = std::find_if(t.rows().begin(), t.rows().end(), [&](const auto& r) { return r.path == path; });
    REQUIRE(row != t.rows().end());
    return row->handler(nullptr, EndpointInput{}, ctx, api::PathParams{});
  };

  auto health = answer(api::endpoint::Health::path);
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(health->data["status"] == "ok");
  CHECK(health->data["version"] == CPSHARE_VERSION);
  CHECK_FALSE(health->raw);

  auto doc = answer(api::endpoint::OpenApiDocument::path);
  REQUIRE(doc);
  REQUIRE(doc->raw);
  CHECK(doc->raw->content_type == "application/yaml");
  CHECK(doc->raw->bytes.starts_with("openapi: 3.1.0\n"));

  auto terms = answer(api::endpoint::Terms::path);
  REQUIRE(terms);
  CHECK(terms->data["version"] == terms::kVersion);
  CHECK(terms->data["agreement"] == terms::agreement());
}
