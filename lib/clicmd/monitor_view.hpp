// What `cpshare monitor` shows (issue 11, Build point 5; R-MON-2): one frame
// of a B-class cluster's readings as lines of text, painted by the live
// full-screen view (every 2 s) and printed once by `--once`. Pure: no
// terminal, no network. Absent readings show as "-", never 0; a lost GPU
// shows 掉卡 LOST in place of its readings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/metrics.hpp"

namespace cpshare::cli {

struct MonitorFrame {
  std::string cpc_id;
  std::string status;                      // the cluster's status ("online", "offline"); empty: left out
  std::optional<std::int64_t> report_age;  // seconds since the last report; nullopt: never
  std::vector<api::HostSample> history;    // oldest first; the last is the one shown, the sparklines span all
  std::vector<std::string> gpus_shown;     // UUIDs to show (a user's leased GPUs); empty: all
};

// `width` eighth-block cells of `ratio` (0–1, clamped): "█████▌    ".
std::string bar(double ratio, int width);
// One cell per value, ▁ to █ between lo and hi; an absent value is a space.
std::string sparkline(const std::vector<std::optional<double>>& values, double lo, double hi);

// The frame as lines no wider than `columns` display cells (at least 60
// assumed): a header (cluster, status, age of the last report), one line per
// GPU (utilisation bar, memory, temperature, power, voltage, a sparkline of
// its utilisation over the history), then CPU and load, memory, each
// interface's rates, latency and loss, board sensors.
std::vector<std::string> render_monitor(const MonitorFrame& frame, int columns);

}  // namespace cpshare::cli
