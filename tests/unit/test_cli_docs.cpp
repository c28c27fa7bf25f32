// The man page and shell completions are generated from the command table;
// the committed copies must be what the generator produces now, and must
// cover every command and flag.
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "cli_test_support.hpp"
#include "clicmd/docgen.hpp"

using namespace cpshare;
using namespace cpshare::clicmd;

namespace {

std::string read_source(const std::string& relative) {
  std::ifstream f(std::string(CPSHARE_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string words(const std::vector<std::string>& path) {
  std::string s;
  for (const auto& w : path) s += (s.empty() ? "" : " ") + w;
  return s;
}

std::string roff(std::string s) {
  std::string out;
  for (char c : s) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

// The text from `start` up to the next occurrence of `end` (or the end).
std::string section(const std::string& text, const std::string& start, const std::string& end) {
  const auto from = text.find(start);
  if (from == std::string::npos) return {};
  const auto to = text.find(end, from + start.size());
  return text.substr(from, to == std::string::npos ? std::string::npos : to - from);
}

// The words of _cpshare_children="..." in the bash script's entry for `path`.
std::set<std::string> bash_children(const std::string& bash, const std::string& path) {
  const std::string entry = section(bash, "    \"" + path + "\")\n", ";;");
  const std::string key = "_cpshare_children=\"";
  const auto from = entry.find(key) + key.size();
  std::istringstream list(entry.substr(from, entry.find('"', from) - from));
  std::set<std::string> out;
  for (std::string w; list >> w;) out.insert(w);
  return out;
}

const char* const kRegenerate =
    "regenerate with scripts/gen-docs.sh (or: cpshare __man > man/cpshare.1; "
    "cpshare completion SHELL > completions/...)";

}  // namespace

TEST_CASE("the command table is well formed", "[cli][docs]") {
  const auto& table = commands();
  std::set<std::string> seen;
  for (std::size_t i = 0; i < table.size(); ++i) {
    const Command& c = table[i];
    INFO(words(c.path));
    CHECK_FALSE(c.summary.empty());
    CHECK(seen.insert(words(c.path)).second);  // unique
    if (c.path.size() > 1) {  // its parent comes first: a group, or a command with subcommands ("units")
      const std::vector<std::string> parent(c.path.begin(), c.path.end() - 1);
      bool parent_before = false;
      for (std::size_t j = 0; j < i; ++j) parent_before |= table[j].path == parent;
      CHECK(parent_before);
    }
    if (c.run == nullptr)
      CHECK_FALSE(children(table, c.path).empty());
    else if (!c.hidden)
      CHECK_FALSE(c.examples.empty());
  }
}

TEST_CASE("the contract's commands and flags are all in the table", "[cli][docs]") {
  // docs/design/accounts.md, "CLI".
  const std::map<std::string, std::vector<std::string>> contract = {
      {"register",
       {"--supplier",
        "--kind",
        "--username",
        "--email",
        "--phone",
        "--region",
        "--password-stdin",
        "--accept-terms",
        "--user-type",
        "--real-name",
        "--id-number",
        "--organization",
        "--credit-code",
        "--licence",
        "--company-name",
        "--legal-rep-name",
        "--legal-rep-id-number",
        "--registered-capital",
        "--contact-name",
        "--address",
        "--affiliation",
        "--bank-name",
        "--bank-account-name",
        "--bank-account-number",
        "--code-stdin"}},
      {"activate", {"--username", "--resend", "CODE"}},
      {"login", {"--username", "--password-stdin", "--totp", "--recovery-code"}},
      {"logout", {}},
      {"whoami", {}},
      {"sessions list", {}},
      {"sessions revoke", {"ID"}},
      {"mfa enable", {"--code"}},
      {"mfa disable", {"--code"}},
      {"profile show", {}},
      {"profile update",
       {"--email", "--phone", "--region", "--organization", "--contact-name", "--address", "--affiliation",
        "--bank-name", "--bank-account-name", "--bank-account-number"}},
      {"password change", {"--password-stdin"}},
      {"deregister", {"--yes", "--password-stdin"}},
      {"admin review list", {}},
      {"admin review show", {"USERNAME", "--licence-out"}},
      {"admin review approve", {"USERNAME"}},
      {"admin review reject", {"USERNAME", "--reason"}},
      {"admin audit", {"--limit", "--event", "--username"}},
      {"version", {}},
      {"completion", {"SHELL"}},
      // docs/design/catalogue.md, "Routes (issue 3)" and its CLI paragraph.
      {"publish", {"--file",     "--class",     "--resource-type", "--model",       "--units",         "--unit-memory",
                   "--memory",   "--vcpus",     "--price-hourly",  "--price-daily", "--price-monthly", "--price-yearly",
                   "--vendor",   "--location",  "--region",        "--storage",     "--cuda",          "--cudnn",
                   "--python",   "--framework", "--description",   "--usage",       "--usage-file",    "--ssh-host",
                   "--ssh-port", "--ssh-user",  "--platform-url",  "--environment"}},
      {"show", {"CPCID"}},
      {"list", {"--mine", "--region", "--sort", "--limit", "--offset"}},
      {"filter", {"EXPR", "--sort", "--limit", "--offset", "--region"}},
      {"update", {"CPCID", "--file", "--price-hourly", "--storage", "--framework"}},
      {"delist", {"CPCID"}},
      {"relist", {"CPCID"}},
      {"units", {"CPCID"}},
      {"units set", {"CPCID", "INDEX", "STATUS"}},
  };
  for (const auto& [name, flags] : contract) {
    INFO(name);
    const Command* found = nullptr;
    for (const auto& c : commands())
      if (words(c.path) == name) found = &c;
    REQUIRE(found != nullptr);
    CHECK(found->run != nullptr);
    std::set<std::string> declared;
    for (const auto& o : command_options(*found)) declared.insert(o.name);
    for (const auto& f : flags) {
      INFO(f);
      CHECK(declared.count(f) == 1);
    }
  }
}

TEST_CASE("committed man page and completions are what the table generates", "[cli][docs]") {
  INFO(kRegenerate);
  CHECK(read_source("man/cpshare.1") == man_page(commands()));
  CHECK(read_source("completions/cpshare.bash") == completion_script(Shell::Bash, commands()));
  CHECK(read_source("completions/_cpshare") == completion_script(Shell::Zsh, commands()));
  CHECK(read_source("completions/cpshare.fish") == completion_script(Shell::Fish, commands()));
}

TEST_CASE("every command and each of its flags appears in the man page and each completion", "[cli][docs]") {
  const std::string man = read_source("man/cpshare.1");
  const std::string bash = read_source("completions/cpshare.bash");
  const std::string zsh = read_source("completions/_cpshare");
  const std::string fish = read_source("completions/cpshare.fish");
  for (const std::string shell : {"bash", "zsh", "fish"}) CHECK(bash.find(shell) != std::string::npos);
  for (const auto& c : commands()) {
    if (c.hidden) continue;
    const std::string name = words(c.path);
    INFO(name);
    const std::string man_entry = section(man, ".SS \"" + roff("cpshare " + name), ".SS");
    const std::string bash_entry = section(bash, "    \"" + name + "\")\n", ";;");
    std::string zsh_function = "_cpshare";
    for (const auto& w : c.path) {  // docgen's names: a dash in a word becomes '_'
      zsh_function += "_";
      for (char ch : w) zsh_function += ch == '-' ? '_' : ch;
    }
    const std::string zsh_entry = section(zsh, "\n" + zsh_function + "() {", "\n}\n");
    CHECK_FALSE(man_entry.empty());
    CHECK_FALSE(bash_entry.empty());
    CHECK_FALSE(zsh_entry.empty());
    // The command is offered where its parent's words were typed.
    const std::vector<std::string> parent(c.path.begin(), c.path.end() - 1);
    CHECK(fish.find("__cpshare_at \\'" + words(parent) + "\\'' -a " + c.path.back() + " ") != std::string::npos);
    CHECK(bash_children(bash, words(parent)).count(c.path.back()) == 1);

    for (const auto& o : command_options(c)) {
      INFO(o.name);
      CHECK(man_entry.find(roff(o.name)) != std::string::npos);
      if (o.positional) continue;
      CHECK(bash_entry.find(" " + o.name) != std::string::npos);
      CHECK(zsh_entry.find("'" + o.name) != std::string::npos);
      CHECK(fish.find("-n '__cpshare_at \\'" + name + "\\'' -l " + o.name.substr(2) + " ") != std::string::npos);
    }
  }
  for (const auto& g : global_option_specs()) {
    CHECK(man.find(roff(g.name)) != std::string::npos);
    CHECK(fish.find("complete -c cpshare -l " + g.name.substr(2)) != std::string::npos);
    CHECK(zsh.find("'" + g.name) != std::string::npos);
  }
}

TEST_CASE("the man page documents environment, files and every exit status", "[cli][docs]") {
  const std::string man = man_page(commands());
  for (const char* s : {".SH ENVIRONMENT", "CPSHARE_SERVER", "CPSHARE_CONFIG_DIR", "XDG_CONFIG_HOME", "CPSHARE_CA_FILE",
                        "NO_COLOR", ".SH FILES", "hosts.json", ".SH EXIT STATUS"})
    CHECK(man.find(s) != std::string::npos);
  for (int code = 0; code <= 7; ++code) CHECK(man.find(".B " + std::to_string(code) + "\n") != std::string::npos);
  CHECK(man.find(".SS \"cpshare __man") == std::string::npos);  // hidden
}

TEST_CASE("the bash completion script parses and completes commands", "[cli][docs]") {
  if (std::system("command -v bash >/dev/null 2>&1") != 0) {
    WARN("bash not installed; completion script not exercised");
    return;
  }
  testing::TempDir tmp;
  const auto script = tmp.path / "cpshare.bash";
  std::ofstream(script) << completion_script(Shell::Bash, commands());
  const auto out = tmp.path / "out";
  // Complete "cpshare admin review a<TAB>" and "cpshare register --kind <TAB>".
  const std::string cmd = "bash -c 'source " + script.string() +
                          " && COMP_WORDS=(cpshare admin review a) COMP_CWORD=3 && _cpshare && echo \"${COMPREPLY[*]}\""
                          " && COMP_WORDS=(cpshare --json register --kind \"\") COMP_CWORD=4 && _cpshare && "
                          "echo \"${COMPREPLY[*]}\"' > " +
                          out.string();
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::ifstream f(out);
  std::string first, second;
  std::getline(f, first);
  std::getline(f, second);
  CHECK(first == "approve");
  CHECK(second == "enterprise individual");
}
