// The CLI's connection to the outside: streams, terminal prompts and the
// environment, all injectable so commands run in tests without a terminal.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "client/config.hpp"

namespace cpshare::clicmd {

// Questions to the person at the terminal. Prompts go to stderr so that
// stdout stays clean for --json.
class Console {
 public:
  virtual ~Console() = default;
  // True when stdin is a terminal: only then may a command ask anything.
  virtual bool interactive() const = 0;
  // One answer line (without the newline); nullopt at end of input.
  virtual std::optional<std::string> ask(std::string_view prompt) = 0;
  // As ask, without echoing what is typed.
  virtual std::optional<std::string> ask_secret(std::string_view prompt) = 0;
};

// The real terminal: stdin/stderr, echo switched off with termios for secrets.
class TerminalConsole final : public Console {
 public:
  bool interactive() const override;
  std::optional<std::string> ask(std::string_view prompt) override;
  std::optional<std::string> ask_secret(std::string_view prompt) override;
};

struct Io {
  std::istream& in;   // --password-stdin and friends
  std::ostream& out;  // results
  std::ostream& err;  // diagnostics
  Console& console;
  bool out_is_tty = false;
  bool err_is_tty = false;
  client::Env env;
};

// Reads one line from `in` (trailing "\r" removed); nullopt at end of input.
std::optional<std::string> read_line(std::istream& in);

}  // namespace cpshare::clicmd
