// Generated documentation: the man page cpshare.1 and the bash, zsh and fish
// completion scripts, all derived from the command table, so none can drift
// from what the CLI accepts. The committed man/ and completions/ files are
// these outputs (tests/unit/test_cli_docs.cpp checks that they still are).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clicmd/args.hpp"
#include "clicmd/context.hpp"

namespace cpshare::clicmd {

// The options and positionals of `command`, as its declare function states them.
std::vector<OptionSpec> command_options(const Command& command);
// The visible commands directly below `path` ({} for the top level), in table order.
std::vector<const Command*> children(const std::vector<Command>& table, const std::vector<std::string>& path);

std::string man_page(const std::vector<Command>& table);

enum class Shell { Bash, Zsh, Fish };
inline constexpr std::string_view kShellNames[] = {"bash", "zsh", "fish"};
std::optional<Shell> parse_shell(std::string_view name);
std::string completion_script(Shell shell, const std::vector<Command>& table);

}  // namespace cpshare::clicmd
