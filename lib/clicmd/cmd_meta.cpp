// version, completion, help, __man.
#include <CLI/CLI.hpp>

#include "api/meta.hpp"
#include "clicmd/context.hpp"
#include "clicmd/display.hpp"
#include "clicmd/docgen.hpp"
#include "clicmd/runner.hpp"

namespace cpshare::clicmd::cmd {

namespace {

Result<> run_version(Context& ctx) {
  const std::string client_version = CPSHARE_VERSION;
  // The client's version is printed even when the server cannot be reached (exit 6).
  if (!ctx.want_json()) ctx.io.out << "cpshare " << client_version << "\n";
  TRY_ASSIGN(client::ApiClient * api, ctx.api());
  TRY_ASSIGN(api::HealthView health, api->call<api::endpoint::Health>());
  const std::string server = api->server().canonical;
  if (ctx.want_json()) {
    ctx.print_json({{"client_version", client_version}, {"server", server}, {"server_version", health.version}});
  } else {
    ctx.io.out << "cpshared " << health.version << " at " << server << "\n";
  }
  return {};
}

void declare_completion(CLI::App* app, Args& a) {
  a.positional(app, "SHELL", "The shell", true, {"bash", "zsh", "fish"});
}

Result<> run_completion(Context& ctx) {
  const auto shell = parse_shell(ctx.args.get("SHELL").value_or(""));
  if (!shell) return usage_error("completion: SHELL must be bash, zsh or fish");
  ctx.io.out << completion_script(*shell, commands());
  return {};
}

void declare_help(CLI::App* app, Args& a) {
  a.positional(app, "COMMAND", "The command, as its words (leases show); none: cpshare itself", false);
}

// `cpshare help` (with words, run() reads them: help_words).
Result<> run_help(Context& ctx) {
  std::vector<std::string> words;
  if (auto w = ctx.args.get("COMMAND")) words.push_back(*w);
  TRY_ASSIGN(const std::string text, help_text(words));
  ctx.io.out << text;
  return {};
}

Result<> run_man(Context& ctx) {
  ctx.io.out << man_page(commands());
  return {};
}

}  // namespace

// This file's rows of the command table (commands.cpp joins the areas).
std::vector<Command> meta_commands() {
  return {
      {{"version"}, "Show the versions of cpshare and of the server", {"cpshare version"}, nullptr, run_version},
      {{"completion"},
       "Print the shell completion script for bash, zsh or fish",
       {"source <(cpshare completion bash)", "cpshare completion fish > ~/.config/fish/completions/cpshare.fish"},
       declare_completion,
       run_completion},
      {{"help"},
       "Show the help of cpshare or of a command (as COMMAND --help)",
       {"cpshare help", "cpshare help leases show"},
       declare_help,
       run_help,
       false,
       "A word that is not a command at its place is a usage error (exit 2) that names the closest command, as "
       "on any command line."},
      {{"__man"}, "Print the man page (roff)", {}, nullptr, run_man, /*hidden=*/true},
  };
}

}  // namespace cpshare::clicmd::cmd
