// Automatic status rules (issue 11 point 3). Rules: catalog/health.hpp.
#include "catalog/health.hpp"

#include <fmt/format.h>

#include "util/clock.hpp"

namespace cpshare::health {

namespace {

// The unit's state after a report in which its GPU is lost; the event when
// the loss is new.
void gpu_lost(const UnitState& u, bool by_driver, std::int64_t now, Change& out) {
  UnitState n = u;
  if (!u.lost_since) {
    n.lost_since = now;
    const std::string why = by_driver ? "the driver reports it lost" : "missing from the agent's report";
    const std::string what =
        u.status == UnitStatus::Busy || u.status == UnitStatus::Reserved
            ? fmt::format("unit {} is {}: its lease goes on, the unit flagged lost", u.index, enum_name(u.status))
        : u.status == UnitStatus::Idle ? fmt::format("unit {} offline until it returns", u.index)
                                       : fmt::format("unit {} stays offline", u.index);
    out.events.push_back(
        {u.index, ClusterEventKind::GpuLost, u.gpu_uuid, now, fmt::format("GPU {} {}; {}", *u.gpu_uuid, why, what)});
  }
  if (n.status == UnitStatus::Idle) {
    n.status = UnitStatus::Offline;
    n.lost_offline = true;
  }
  if (n != u) out.units.push_back(std::move(n));
}

void gpu_back(const UnitState& u, std::int64_t now, Change& out) {
  UnitState n = u;
  n.lost_since.reset();
  std::string what = fmt::format("unit {} is {}", u.index, enum_name(u.status));
  if (u.status == UnitStatus::Offline && u.lost_offline) {
    n.status = UnitStatus::Idle;
    what = fmt::format("unit {} idle again", u.index);
  }
  n.lost_offline = false;
  out.events.push_back({u.index, ClusterEventKind::GpuReturned, u.gpu_uuid, now,
                        fmt::format("GPU {} is back after {} s lost; {}", *u.gpu_uuid, now - *u.lost_since, what)});
  out.units.push_back(std::move(n));
}

}  // namespace

Change on_report(ClusterHealth health, std::optional<std::int64_t> last_report_at, const std::vector<UnitState>& units,
                 const std::optional<GpuReport>& gpus, std::int64_t now) {
  Change out;
  if (health != ClusterHealth::Online) {
    out.health = ClusterHealth::Online;
    out.events.push_back(
        {std::nullopt, ClusterEventKind::ClusterOnline, std::nullopt, now,
         last_report_at ? fmt::format("the agent reports again; its last report was at {}", rfc3339(*last_report_at))
                        : std::string("the agent's first report")});
  }
  if (!gpus) return out;
  for (const auto& u : units) {
    if (!u.gpu_uuid) continue;
    const bool by_driver = gpus->lost.contains(*u.gpu_uuid);
    if (by_driver || !gpus->seen.contains(*u.gpu_uuid))
      gpu_lost(u, by_driver, now, out);
    else if (u.lost_since)
      gpu_back(u, now, out);
  }
  return out;
}

std::optional<Event> on_silence(ClusterHealth health, std::optional<std::int64_t> last_report_at, std::int64_t now,
                                std::int64_t timeout) {
  if (health != ClusterHealth::Online) return std::nullopt;
  if (last_report_at && now - *last_report_at <= timeout) return std::nullopt;
  return Event{std::nullopt, ClusterEventKind::ClusterOffline, std::nullopt, now,
               last_report_at ? fmt::format("no report from the agent for {} s (agent timeout {} s); its last "
                                            "report was at {}",
                                            now - *last_report_at, timeout, rfc3339(*last_report_at))
                              : std::string("no report from the agent")};
}

}  // namespace cpshare::health
