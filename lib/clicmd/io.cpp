#include "clicmd/io.hpp"

#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <iostream>

namespace cpshare::clicmd {

std::optional<std::string> read_line(std::istream& in) {
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

bool TerminalConsole::interactive() const { return ::isatty(STDIN_FILENO) == 1; }

std::optional<std::string> TerminalConsole::ask(std::string_view prompt) {
  std::cerr << prompt << std::flush;
  return read_line(std::cin);
}

namespace {
// Echo must come back even when the user presses Ctrl-C at a password prompt.
struct termios g_saved_termios;
volatile std::sig_atomic_t g_echo_off = 0;

extern "C" void restore_echo_and_die(int sig) {
  if (g_echo_off != 0) ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_termios);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}
}  // namespace

std::optional<std::string> TerminalConsole::ask_secret(std::string_view prompt) {
  if (::tcgetattr(STDIN_FILENO, &g_saved_termios) != 0) return ask(prompt);
  struct termios quiet = g_saved_termios;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  quiet.c_lflag |= ECHONL;
  auto old_int = std::signal(SIGINT, restore_echo_and_die);
  auto old_term = std::signal(SIGTERM, restore_echo_and_die);
  g_echo_off = 1;
  // Echo goes off before the prompt appears, and TCSANOW keeps what was typed ahead
  // (TCSAFLUSH would drop a password pasted right at the prompt).
  ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::cerr << prompt << std::flush;
  auto line = read_line(std::cin);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_termios);
  g_echo_off = 0;
  std::signal(SIGINT, old_int);
  std::signal(SIGTERM, old_term);
  if (!line) std::cerr << "\n";
  return line;
}

}  // namespace cpshare::clicmd
