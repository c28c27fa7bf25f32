// The audit event names exist once (domain/audit.cpp): every event a service
// writes is in that list, and the OpenAPI AuditEventName enum is that list.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "store_test_support.hpp"
#include "domain/audit.hpp"

TEST_CASE("services write only listed audit events, and the API document lists them all", "[R-SEC-4][R-API-DOC]") {
  const std::filesystem::path root = CPSHARE_SOURCE_DIR;
  const auto& names = cpshare::audit_event_names();
  const std::set<std::string> listed(names.begin(), names.end());
  REQUIRE(listed.size() == names.size());

  // audit("x", …), audit_event("x", …), audit_in_tx("x", …), and "a" : "b" choices.
  const std::regex call(R"re(audit(?:_event|_in_tx)?\((?:[^"()]*\? )?"([a-z_]+)"(?: : "([a-z_]+)")?)re");
  std::set<std::string> written;
  for (const auto& f : std::filesystem::directory_iterator(root / "lib/service")) {
    if (f.path().extension() != ".cpp") continue;
    const std::string src = cpshare::testing::read_file(f.path());
    for (auto it = std::sregex_iterator(src.begin(), src.end(), call); it != std::sregex_iterator(); ++it) {
      written.insert((*it)[1]);
      if ((*it)[2].matched) written.insert((*it)[2]);
    }
  }
  REQUIRE(written.size() >= 20);
  for (const auto& w : written) {
    INFO(w);
    CHECK(listed.count(w) == 1);
  }

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
