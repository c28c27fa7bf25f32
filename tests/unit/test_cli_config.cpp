// The CLI's session store (hosts.json) and server choice.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "cli_test_support.hpp"
#include "client/config.hpp"

using namespace cpshare;
using namespace cpshare::client;

namespace {
Env env_of(std::map<std::string, std::string> vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
}
int mode_of(const std::filesystem::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return static_cast<int>(st.st_mode & 0777);
}
}  // namespace

TEST_CASE("config dir: CPSHARE_CONFIG_DIR, else XDG_CONFIG_HOME/cpshare, else ~/.config/cpshare", "[cli][config]") {
  CHECK(*config_dir(env_of({{"CPSHARE_CONFIG_DIR", "/a"}, {"XDG_CONFIG_HOME", "/x"}, {"HOME", "/h"}})) == "/a");
  CHECK(*config_dir(env_of({{"XDG_CONFIG_HOME", "/x"}, {"HOME", "/h"}})) == "/x/cpshare");
  CHECK(*config_dir(env_of({{"HOME", "/h"}})) == "/h/.config/cpshare");
  CHECK(*config_dir(env_of({{"CPSHARE_CONFIG_DIR", ""}, {"HOME", "/h"}})) == "/h/.config/cpshare");
  CHECK_FALSE(config_dir(env_of({})).has_value());
}

TEST_CASE("server choice: --server > CPSHARE_SERVER > last login > default", "[cli][config]") {
  Hosts hosts;
  hosts.default_server = "http://last:1";
  const auto env = env_of({{"CPSHARE_SERVER", "http://env:2"}});
  CHECK(choose_server("http://flag:3", env, hosts) == "http://flag:3");
  CHECK(choose_server("", env, hosts) == "http://env:2");
  CHECK(choose_server("", env_of({}), hosts) == "http://last:1");
  CHECK(choose_server("", env_of({}), Hosts{}) == "http://127.0.0.1:7878");
}

TEST_CASE("hosts.json round-trips in the documented shape, private and atomically", "[cli][config]") {
  testing::TempDir tmp;
  const auto dir = tmp.path / "nested" / "cpshare";
  CHECK(load_hosts(dir)->servers.empty());  // missing file: nothing stored yet

  Hosts hosts;
  hosts.default_server = "http://127.0.0.1:7878";
  hosts.servers["http://127.0.0.1:7878"] = {"alice", "tok", "s_0123456789abcdef"};
  hosts.servers["https://other"] = {"bob", "", ""};
  REQUIRE(save_hosts(dir, hosts));

  CHECK(mode_of(dir) == 0700);
  CHECK(mode_of(dir / "hosts.json") == 0600);
  for (const auto& e : std::filesystem::directory_iterator(dir)) CHECK(e.path().filename() == "hosts.json");

  std::ifstream f(dir / "hosts.json");
  const auto doc = nlohmann::json::parse(f);
  CHECK(doc["default_server"] == "http://127.0.0.1:7878");
  CHECK(doc["servers"]["http://127.0.0.1:7878"] ==
        nlohmann::json({{"username", "alice"}, {"token", "tok"}, {"session_id", "s_0123456789abcdef"}}));
  CHECK(doc["servers"]["https://other"] == nlohmann::json({{"username", "bob"}}));

  auto back = load_hosts(dir);
  REQUIRE(back);
  REQUIRE(back->logged_in("http://127.0.0.1:7878") != nullptr);
  CHECK(back->logged_in("http://127.0.0.1:7878")->token == "tok");
  CHECK(back->logged_in("https://other") == nullptr);

  back->drop_token("http://127.0.0.1:7878");
  CHECK(back->logged_in("http://127.0.0.1:7878") == nullptr);
  CHECK(back->servers["http://127.0.0.1:7878"].username == "alice");
}

TEST_CASE("a loosened config dir is made private again on save", "[cli][config]") {
  testing::TempDir tmp;
  ::chmod(tmp.path.c_str(), 0755);
  REQUIRE(save_hosts(tmp.path, Hosts{}));
  CHECK(mode_of(tmp.path) == 0700);
}

TEST_CASE("a corrupt hosts.json is an error naming the file", "[cli][config]") {
  testing::TempDir tmp;
  std::ofstream(tmp.path / "hosts.json") << "{not json";
  auto r = load_hosts(tmp.path);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("hosts.json"));
}
