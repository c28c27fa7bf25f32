// The audit events are one enum (domain/audit.hpp): service/audit.hpp's
// write_audit takes an AuditEventName, so no service can write an event that
// is not in it, and the OpenAPI AuditEventName enum is exactly its table.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <sstream>
#include <string>

#include "domain/audit.hpp"
#include "store_test_support.hpp"

namespace {

// "lease_ended" → "LeaseEnded": the enumerator a row's string belongs to.
std::string enumerator(std::string_view name) {
  std::string out;
  bool upper = true;
  for (char c : name) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return out;
}

}  // namespace

TEST_CASE("the API document lists every audit event of the enum, and nothing else", "[R-SEC-4][R-API-DOC]") {
  const std::filesystem::path root = CPSHARE_SOURCE_DIR;
  std::set<std::string> listed;
  for (auto e : cpshare::enum_values<cpshare::AuditEventName>()) listed.insert(std::string(cpshare::enum_name(e)));
  REQUIRE(listed.size() == cpshare::enum_values<cpshare::AuditEventName>().size());
  REQUIRE(listed.size() >= 37);

  const std::string doc = cpshare::testing::read_file(root / "docs/openapi.yaml");
  auto at = doc.find("\n    AuditEventName:");
  REQUIRE(at != std::string::npos);
  at = doc.find("enum:", at);
  REQUIRE(at != std::string::npos);
  std::istringstream lines(doc.substr(doc.find('\n', at) + 1));
  std::set<std::string> documented;
  for (std::string line; std::getline(lines, line);) {
    const auto dash = line.find("- ");
    if (dash == std::string::npos || line.find_first_not_of(' ') != dash) break;
    documented.insert(line.substr(dash + 2));
  }
  CHECK(documented == listed);
}

TEST_CASE("every audit event of the enum is written somewhere", "[R-SEC-4]") {
  // A service names it (AuditEventName::X in lib/service), or a migration
  // writes its string (username_collision): the enum holds no dead events.
  const std::filesystem::path root = CPSHARE_SOURCE_DIR;
  std::string services;
  for (const auto& f : std::filesystem::directory_iterator(root / "lib/service"))
    if (f.path().extension() == ".cpp") services += cpshare::testing::read_file(f.path());
  const std::string migrations = cpshare::testing::read_file(root / "lib/store/migrations.cpp");
  REQUIRE_FALSE(services.empty());
  for (auto e : cpshare::enum_values<cpshare::AuditEventName>()) {
    const std::string name(cpshare::enum_name(e));
    INFO(name);
    CHECK((services.find("AuditEventName::" + enumerator(name)) != std::string::npos ||
           migrations.find("'" + name + "'") != std::string::npos));
  }
}
