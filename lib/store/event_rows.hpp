// The one reader of cluster_events rows (migration 9), shared by the metrics
// and report stores. Store-internal.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include "catalog/health.hpp"

namespace cpshare {

// The columns event_row reads, in its order, for a SELECT.
inline constexpr const char* kEventColumns = "unit, kind, gpu_uuid, at, detail";
// The current row of a statement that selected kEventColumns first.
health::Event event_row(SQLite::Statement& st);

}  // namespace cpshare
