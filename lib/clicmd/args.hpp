// What a command accepts, declared once: each declaration binds a CLI11 option
// for parsing and --help, and records an OptionSpec from which the man page and
// the shell completions are generated.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace cpshare::clicmd {

struct OptionSpec {
  std::string name;        // "--username", or a positional's name ("CODE")
  std::string value_name;  // "U"; empty for a flag without value
  std::string help;
  std::vector<std::string> choices;  // allowed values, when a closed set
  bool file = false;                 // the value is a path (completes file names)
  bool positional = false;
  bool required = false;  // CLI11 enforces it
};

// The options of one command and, after parsing, their values.
class Args {
 public:
  void flag(CLI::App* app, std::string name, std::string help);
  void option(CLI::App* app, std::string name, std::string value_name, std::string help,
              std::vector<std::string> choices = {});
  void file_option(CLI::App* app, std::string name, std::string value_name, std::string help);
  // An option that may be given more than once; read with get_all.
  void multi_option(CLI::App* app, std::string name, std::string value_name, std::string help);
  void positional(CLI::App* app, std::string name, std::string help, bool required,
                  std::vector<std::string> choices = {});

  // The value given on the command line, or nullopt when absent.
  std::optional<std::string> get(std::string_view name) const;
  bool has(std::string_view flag_name) const;
  // Every value of a multi_option, in command-line order (empty when absent).
  std::vector<std::string> get_all(std::string_view name) const;
  const std::vector<OptionSpec>& specs() const { return specs_; }

 private:
  struct Slot {
    std::string name;
    std::string value;
    std::vector<std::string> values;  // multi_option
    CLI::Option* option = nullptr;
  };
  Slot& add(CLI::App* app, OptionSpec spec, bool multi = false);
  const Slot* find(std::string_view name) const;

  std::vector<OptionSpec> specs_;
  std::deque<Slot> slots_;  // deque: CLI11 keeps pointers to the values
};

// Global options (every command): --server, --json, --ca-file; -h/--help is CLI11's.
struct Globals {
  std::string server;
  std::string ca_file;
  bool json = false;
};
const std::vector<OptionSpec>& global_option_specs();
// Declares the global options on `app`, bound to `g` (every node binds the same Globals,
// so they may appear before or after the command words).
void declare_globals(CLI::App* app, Globals& g);

}  // namespace cpshare::clicmd
