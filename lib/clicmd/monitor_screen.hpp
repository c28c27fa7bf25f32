// The live full-screen view of `cpshare monitor` (issue 11, Build point 5;
// R-MON-2), on ncurses (Debian's libncursesw): paints render_monitor's lines
// (clicmd/monitor_view.hpp) and refreshes them `every` interval. `q` quits;
// a terminal resize repaints at the new size at once; Ctrl-C quits too, and
// the terminal is restored however the view ends. A failed fetch keeps the
// last frame on screen with the error on the bottom line and tries again at
// the next refresh (a network blip does not end the view).
#pragma once

#include <chrono>
#include <functional>

#include "clicmd/monitor_view.hpp"
#include "util/error.hpp"

namespace cpshare::cli {

using FrameSource = std::function<Result<MonitorFrame>()>;

// Runs until q or Ctrl-C ({}), or until the terminal cannot be set up
// (Internal: "not a terminal").
Result<> run_monitor_screen(const FrameSource& fetch, std::chrono::milliseconds every);

}  // namespace cpshare::cli
