// Automatic status of a B-class cluster and its units (issue 11 point 3;
// R-LEASE-6, R-MON-1, R-MON-3, R-REL-2; docs/design/monitoring.md). Pure
// rules: the service (service/metrics.hpp) reads the state, applies these and
// writes the changes and their events in one transaction.
//
// - A B-class cluster is offline until its agent's first report; a report
//   makes it online; no report within the daemon's --agent-timeout makes it
//   offline (the scheduler's tick). An offline cluster's units are not offered.
// - A unit bound to a GPU (by UUID) whose GPU is lost in a report (the driver
//   says lost, or the UUID is missing from a report whose GPU source worked)
//   gets lost_since; an idle one goes offline (lost_offline, so the owner's
//   own offline is not taken for it); a reserved or busy one keeps its status
//   and its lease, flagged. When the GPU is in a later report, lost_since is
//   cleared and a unit the loss took offline is idle again.
// - Every transition is an event (cluster_online, cluster_offline, gpu_lost,
//   gpu_returned) at the daemon's time.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "catalog/cluster.hpp"

namespace cpshare::health {

struct UnitState {
  int index = 0;
  UnitStatus status = UnitStatus::Idle;
  std::optional<std::string> gpu_uuid;     // nullopt until bound at the first report naming GPUs
  std::optional<std::int64_t> lost_since;  // Unix seconds; nullopt: the GPU is not lost
  bool lost_offline = false;               // offline because of the loss (not the owner's choice)
  bool operator==(const UnitState&) const = default;
};

struct Event {
  std::optional<int> unit;  // nullopt: the cluster's own event
  ClusterEventKind kind = ClusterEventKind::ClusterOnline;
  std::optional<std::string> gpu_uuid;
  std::int64_t at = 0;  // Unix seconds, the daemon's clock
  std::string detail;   // one line for people
};

// What one report says of the GPUs. Only a report whose GPU source worked
// says anything (a source error, or no source configured, loses none and
// finds none): the caller passes nullopt then.
struct GpuReport {
  std::set<std::string> seen;  // UUIDs reported and not lost
  std::set<std::string> lost;  // UUIDs the driver reported lost (掉卡)
};

struct Change {
  std::optional<ClusterHealth> health;  // the new health, when it changes
  std::vector<UnitState> units;         // the units that change, as they become
  std::vector<Event> events;            // in the order they happened
};

// A report received at `now` from a cluster in `health` whose previous report
// came at `last_report_at` (nullopt: never), with its units as stored.
Change on_report(ClusterHealth health, std::optional<std::int64_t> last_report_at, const std::vector<UnitState>& units,
                 const std::optional<GpuReport>& gpus, std::int64_t now);

// The scheduler's rule: an online cluster whose last report is more than
// `timeout` seconds before `now` goes offline (the event); else nullopt.
std::optional<Event> on_silence(ClusterHealth health, std::optional<std::int64_t> last_report_at, std::int64_t now,
                                std::int64_t timeout);

}  // namespace cpshare::health
