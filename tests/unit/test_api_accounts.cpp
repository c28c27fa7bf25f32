// The accounts and admin request types parse and check their own bodies and
// queries (issue 10): bad input is VALIDATION_FAILED naming the same fields,
// with the same messages, as the service answered before; values come out
// normalised as the daemon stores them.
#include <catch2/catch.hpp>

#include <set>

#include "api/accounts.hpp"
#include "api/admin.hpp"

using namespace cpshare;
using nlohmann::json;

namespace {

std::set<std::string> fields_of(const Error& e) {
  std::set<std::string> out;
  for (const auto& f : e.fields) out.insert(f.field);
  return out;
}

json user_body() {
  return {{"username", "alice"},          {"password", "Tr0ub4dor&3x"}, {"email", "ALICE@example.org"},
          {"phone", "+86 138-0013-8000"}, {"real_name", "张三"},        {"id_number", "11010519491231002x"},
          {"user_type", "individual"},    {"region", "深圳"},           {"accept_terms", true},
          {"terms_version", "2026-11-01"}};
}

}  // namespace

TEST_CASE("user registration: normalised values, every bad field listed", "[R-USER-1][R-USER-2]") {
  auto ok = api::UserRegistration::from_body(user_body());
  REQUIRE(ok);
  CHECK(ok->email == "alice@example.org");
  CHECK(ok->phone == "13800138000");
  CHECK(ok->id_number == "11010519491231002X");
  CHECK_FALSE(ok->licence);

  json bad = user_body();
  bad["id_number"] = "110105194912310021";  // wrong check digit
  bad["password"] = "password";
  bad["organization"] = "Uni";  // an individual has none
  bad["accept_terms"] = false;
  auto r = api::UserRegistration::from_body(bad);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::ValidationFailed);
  CHECK(fields_of(r.error()) == std::set<std::string>{"id_number", "password", "organization", "accept_terms"});

  json uni = user_body();
  uni["user_type"] = "university";
  auto missing = api::UserRegistration::from_body(uni);
  REQUIRE_FALSE(missing);
  CHECK(fields_of(missing.error()) == std::set<std::string>{"organization", "credit_code", "licence"});
}

TEST_CASE("supplier registration: the kind decides the members; licence checked by content", "[R-SUP-1][R-SUP-2]") {
  json body = user_body();
  body.erase("user_type");
  body["kind"] = "individual";
  body["address"] = "深圳市南山区";
  body["licence"] = {{"filename", "../x/licence.txt"}, {"content_base64", "aGVsbG8="}};
  auto r = api::SupplierRegistration::from_body(body);
  REQUIRE_FALSE(r);
  CHECK(fields_of(r.error()) == std::set<std::string>{"licence.content_base64"});
  body["licence"]["content_base64"] = "iVBORw0KGgoAAAANSUhEUg==";  // a PNG header
  body["company_name"] = "Acme";
  auto forbidden = api::SupplierRegistration::from_body(body);
  REQUIRE_FALSE(forbidden);
  CHECK(fields_of(forbidden.error()) == std::set<std::string>{"company_name"});
  body.erase("company_name");
  auto ok = api::SupplierRegistration::from_body(body);
  REQUIRE(ok);
  CHECK(ok->licence.filename == "licence.txt");  // the base name only
  auto file = api::decode_licence(ok->licence);
  REQUIRE(file);
  CHECK(file->content_type == "image/png");
}

TEST_CASE("activation, resend, login, MFA: required members and their forms", "[R-USER-5][R-USER-6]") {
  auto code = api::ActivationRequest::from_body({{"username", "alice"}, {"code", "12345x"}});
  REQUIRE_FALSE(code);
  CHECK(code.error().fields.front().message == "must be the 6-digit code from the activation mail");
  CHECK(api::ActivationRequest::from_body({{"username", "alice"}, {"code", "123456"}}));
  CHECK(fields_of(api::ActivationToken::from_query({}).error()) == std::set<std::string>{"token"});
  CHECK(fields_of(api::ResendRequest::from_body(json::object()).error()) == std::set<std::string>{"username"});
  auto login = api::LoginRequest::from_body({{"login", "alice"}, {"pasword", "x"}});
  REQUIRE_FALSE(login);
  CHECK(fields_of(login.error()) == std::set<std::string>{"pasword", "password"});
  CHECK(fields_of(api::EmptyObject::from_body({{"x", 1}}).error()) == std::set<std::string>{"x"});
  CHECK(api::MfaConfirm::from_body({{"code", "123456"}})->code == "123456");
  CHECK_FALSE(api::MfaDisable::from_body(json::object()));
}

TEST_CASE("profile, password, deregistration bodies", "[R-USER-7][R-USER-8]") {
  auto none = api::ProfileUpdate::from_body(json::object());
  REQUIRE_FALSE(none);
  CHECK(fields_of(none.error()) == std::set<std::string>{"(body)"});
  auto bad = api::ProfileUpdate::from_body({{"email", "nope"}, {"phone", "123"}});
  REQUIRE_FALSE(bad);
  CHECK(fields_of(bad.error()) == std::set<std::string>{"email", "phone"});
  auto s = api::ProfileUpdate::from_body(
      {{"settlement", {{"bank_name", "Bank"}, {"account_name", "Li"}, {"account_number", "6222 0202-0011 2233"}}}});
  REQUIRE(s);
  CHECK(s->settlement->account_number == "6222020200112233");

  auto same = api::PasswordChange::from_body({{"current_password", "Tr0ub4dor&3x"}, {"new_password", "Tr0ub4dor&3x"}});
  REQUIRE_FALSE(same);
  CHECK(same.error().fields.front().message == "must differ from the current password");
  CHECK(fields_of(api::Deregistration::from_body({{"confirm_username", "alice"}}).error()) ==
        std::set<std::string>{"password"});
}

TEST_CASE("admin: review status, rejection reason, audit filters", "[R-USER-4][R-SEC-4]") {
  CHECK_FALSE(api::ReviewQuery::from_query({})->status);
  CHECK(api::ReviewQuery::from_query({{"status", "active"}})->status == AccountStatus::Active);
  CHECK(fields_of(api::ReviewQuery::from_query({{"status", "gone"}}).error()) == std::set<std::string>{"status"});
  CHECK(fields_of(api::Rejection::from_body(json::object()).error()) == std::set<std::string>{"reason"});
  CHECK_FALSE(api::Approval::from_body(json::object())->reason);
  auto limit = api::AuditFilter::from_query({{"limit", "ten"}});
  REQUIRE_FALSE(limit);
  CHECK(limit.error().fields.front().message == "must be an integer from 1 to 1000");
  auto f = api::AuditFilter::from_query({{"limit", "5"}, {"before", "9"}, {"event", "login_failed"}});
  REQUIRE(f);
  CHECK(*f->limit == 5);
  CHECK(*f->before == 9);
  CHECK(api::to_query(*f) ==
        std::vector<std::pair<std::string, std::string>>{{"limit", "5"}, {"before", "9"}, {"event", "login_failed"}});
}
