#include "clicmd/monitor_screen.hpp"

#include <clocale>
#include <csignal>
#include <ctime>
#include <optional>
#include <string>

#include <unistd.h>

// Functions, not ncurses' macros (erase, refresh, timeout, move would rewrite
// any later use of those names).
#define NCURSES_NOMACROS 1
#include <curses.h>
#include <fmt/format.h>

namespace cpshare::cli {

namespace {

volatile std::sig_atomic_t interrupted = 0;
extern "C" void on_interrupt(int) { interrupted = 1; }

// The terminal in curses mode for its lifetime; SIGINT sets `interrupted`
// instead of killing the process, so the destructor always restores the terminal.
class Screen {
 public:
  Screen() {
    std::setlocale(LC_ALL, "");  // ncursesw draws UTF-8 (the bars, 掉卡) only under a UTF-8 locale
    interrupted = 0;
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
    // newterm, not initscr: initscr exits the process when the terminal is unusable.
    if (isatty(STDIN_FILENO) == 0 || isatty(STDOUT_FILENO) == 0) return;
    screen_ = newterm(nullptr, stdout, stdin);
    if (screen_ == nullptr) return;
    set_term(screen_);
    cbreak();
    noecho();
    curs_set(0);
    keypad(stdscr, TRUE);
    timeout(100);  // getch waits at most 100 ms, so a refresh or Ctrl-C is never late
  }
  ~Screen() {
    if (screen_ != nullptr) {
      endwin();
      delscreen(screen_);
    }
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  Screen(const Screen&) = delete;
  Screen& operator=(const Screen&) = delete;
  bool ok() const { return screen_ != nullptr; }

 private:
  SCREEN* screen_ = nullptr;
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

std::string clock_text() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  return fmt::format("{:02}:{:02}:{:02} UTC", utc.tm_hour, utc.tm_min, utc.tm_sec);
}

void paint(const std::optional<MonitorFrame>& frame, const std::string& problem, std::chrono::milliseconds every) {
  erase();
  const int rows = LINES, cols = COLS;
  if (frame) {
    const auto lines = render_monitor(*frame, cols);
    for (int i = 0; i < rows - 1 && i < static_cast<int>(lines.size()); ++i)
      mvaddnstr(i, 0, lines[static_cast<std::size_t>(i)].c_str(), -1);
  }
  // The key help first: a long error is cut at the right edge, never the way out.
  const double seconds = static_cast<double>(every.count()) / 1000;
  const std::string bottom = problem.empty() ? fmt::format("q quit · every {:g} s · {}", seconds, clock_text())
                                             : fmt::format("q quit · retrying every {:g} s · {}", seconds, problem);
  attron(A_REVERSE);
  mvaddnstr(rows - 1, 0, bottom.c_str(), cols);
  attroff(A_REVERSE);
  refresh();
}

}  // namespace

Result<> run_monitor_screen(const FrameSource& fetch, std::chrono::milliseconds every) {
  Screen screen;
  if (!screen.ok()) return fail(ErrorCode::Internal, "the live view needs a terminal; use --once or --json");
  std::optional<MonitorFrame> frame;
  std::string problem;
  auto next = std::chrono::steady_clock::now();
  while (interrupted == 0) {
    if (std::chrono::steady_clock::now() >= next) {
      auto got = fetch();
      if (got) {
        frame = std::move(*got);
        problem.clear();
      } else {
        problem = got.error().message;
      }
      next = std::chrono::steady_clock::now() + every;
      paint(frame, problem, every);
    }
    const int key = getch();
    if (key == 'q' || key == 'Q') break;
    if (key == KEY_RESIZE) paint(frame, problem, every);
  }
  return {};
}

}  // namespace cpshare::cli
