// The history side of `cpshare monitor` (issue 11, Build point 5; R-MON-2):
// `--since DURATION` reads the cluster's minute rollups, hour rollups past 6 h
// (api::RollupView), and shows them as a table (--once) or as the span of the
// live view's sparklines. Pure: no terminal, no network. Absent readings stay
// absent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/metrics.hpp"

namespace cpshare::cli {

// "90s", "30m", "1h", "7d" (a whole number and one unit; a bare number is
// seconds) → seconds; nullopt when not of that form or not above 0.
std::optional<std::int64_t> parse_duration(std::string_view text);
// 5400 → "1 h 30 min", 604800 → "7 d", 45 → "45 s".
std::string duration_text(std::int64_t seconds);

// Each minute's rollup as one HostSample at the minute's start whose readings
// are the minute's means: GPUs (by UUID, no index or name: a rollup has
// none), CPU modes and load, memory, interfaces' rates, the path's latency and
// loss. Sensors and mounts are left out (the table shows them). A reading the
// minute lacks is absent.
std::vector<api::HostSample> samples_from_rollups(const std::vector<api::RollupView>& rollups);

// At most `most` rollups: runs of consecutive minutes merged into one (the
// first minute's time, min of the mins, sample-weighted mean of the means, max
// of the maxes), so a long --since span stays whole in a bounded history.
std::vector<api::RollupView> coarsen(const std::vector<api::RollupView>& rollups, std::size_t most);

// The history as a table no wider than `columns` (at least 60 assumed): a
// header (span, the rollups' `resolution` as the daemon answered it, "minute"
// or "hour", minutes with reports), then per reading shown (each GPU's
// utilisation, memory used, temperature, power, voltage; CPU busy, load,
// memory available, disks, interfaces, latency, loss, sensors) its min, mean
// and max over the span and a sparkline of the rollups' means across the span.
// No rollups: one line saying so.
std::vector<std::string> render_history(const std::vector<api::RollupView>& rollups, std::int64_t span_seconds,
                                        std::string_view resolution, int columns);

// The minute means of `values` placed in `cells` cells by time over
// [from, to): each cell the mean of the values that fall in it; a cell no
// value falls in is absent.
std::vector<std::optional<double>> bucket_by_time(const std::vector<std::pair<std::int64_t, double>>& values,
                                                  std::int64_t from, std::int64_t to, std::size_t cells);

}  // namespace cpshare::cli
