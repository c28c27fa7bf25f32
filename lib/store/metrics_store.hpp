// Irmds storage (migration 8; issue 11, R-MON-1, R-MON-2;
// docs/design/monitoring.md "Storage"): a B-class cluster's host samples, one
// row each (cluster id, time in Unix seconds, the sample's compact JSON),
// unique by (cluster, time); one row of rollups per cluster per minute (the
// minute's start in Unix seconds, how many samples, the readings' min/mean/max
// as compact JSON, computed by the service); and the binding of the cluster's
// units to GPU UUIDs (cluster_units.gpu_uuid). SQL over the shared Database
// (store/database.hpp); the service calls these inside one atomically() per
// POST, so a batch is written whole or not at all.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "catalog/health.hpp"
#include "domain/account.hpp"
#include "util/error.hpp"

namespace cpshare {

class Database;

struct StoredSample {
  std::int64_t at = 0;  // Unix seconds
  std::string sample;   // compact JSON of api::HostSample
};

struct StoredRollup {
  std::int64_t minute = 0;  // the minute's first second (Unix seconds, a multiple of 60)
  std::int64_t samples = 0;
  // compact JSON: {"<reading>": {"min":x,"mean":x,"max":x,"n":k}, ...}; n (how
  // many samples had the reading) is absent in rows before migration 11.
  std::string readings;
  bool gpu_lost = false;  // some sample of the minute had a GPU of the cluster lost
  // Read as a bucket (resolution=hour's edges: minutes merged): its length
  // and minutes with a report; a stored minute is 60 and 1.
  std::int64_t seconds = 60, minutes = 1;
};

// The rollup of one complete hour: its minute rollups merged (hour tier).
struct StoredHour {
  std::int64_t hour = 0;     // the hour's first second (a multiple of 3600)
  std::int64_t samples = 0;  // host samples in the hour
  std::int64_t minutes = 0;  // minutes with a report
  std::string readings;      // as StoredRollup's
};

struct UnitGpu {
  int index = 0;
  std::optional<std::string> gpu_uuid;  // absent until bound
};

class MetricsStore {
 public:
  explicit MetricsStore(Database& db) : db_(db) {}

  // Inserts the samples not there yet (same cluster and at: ignored, a
  // re-sent sample); gives, for each, whether it was new. Inside atomically().
  Result<std::vector<bool>> insert_samples(std::int64_t cluster_id, const std::vector<StoredSample>& samples);
  // The cluster's samples with from <= at < to, oldest first, at most limit.
  Result<std::vector<StoredSample>> samples(std::int64_t cluster_id, std::int64_t from, std::int64_t to, int limit);
  // Inserts or replaces the rollup of one minute.
  Result<> put_rollup(std::int64_t cluster_id, const StoredRollup& r);
  // The rollup of one minute (nullopt: no sample in it yet).
  Result<std::optional<StoredRollup>> rollup(std::int64_t cluster_id, std::int64_t minute);
  // Adds to the cluster's counts of the UTC day starting at `day` (Unix
  // seconds, a multiple of 86400): minutes with a report, and of them minutes
  // with a GPU lost (migration 11). Inside atomically().
  Result<> count_minutes(std::int64_t cluster_id, std::int64_t day, std::int64_t reported, std::int64_t gpu_lost);
  // The cluster's first report is no later than `at` (keeps the earliest).
  Result<> first_report(std::int64_t cluster_id, std::int64_t at);
  // Every B-class cluster that has reported: its reliability (R-REL-2;
  // service/evaluation.hpp) over the days from `since_day` (a UTC day's first
  // second) to `now`, written in millionths to clusters.reliability_ppm: up
  // minutes (reported, no GPU lost) over the minutes since the later of
  // since_day and the cluster's first report. Gives how many were written.
  Result<std::int64_t> score_reliability(std::int64_t since_day, std::int64_t now);
  // The cluster's rollups with from <= minute < to, oldest first, at most limit.
  Result<std::vector<StoredRollup>> rollups(std::int64_t cluster_id, std::int64_t from, std::int64_t to, int limit);
  // The time of the cluster's newest sample (nullopt: none).
  Result<std::optional<std::int64_t>> last_report(std::int64_t cluster_id);

  // Hour rollups (migration 12). Marks the cluster's hour (its first second)
  // to be rolled up (again). Inside atomically().
  Result<> mark_hour(std::int64_t cluster_id, std::int64_t hour);
  // Marked hours that ended before `before`, oldest first, at most limit:
  // {cluster id, hour}.
  Result<std::vector<std::pair<std::int64_t, std::int64_t>>> marked_hours(std::int64_t before, int limit);
  // Writes the hour's rollup and clears its mark.
  Result<> put_hour(std::int64_t cluster_id, const StoredHour& h);
  // The cluster's hour rollups with from <= hour < to, oldest first, at most limit.
  Result<std::vector<StoredHour>> hours(std::int64_t cluster_id, std::int64_t from, std::int64_t to, int limit);

  // Deletes samples with at < raw_before and rollups and day counts before
  // rollup_before (all clusters); gives {samples, rollups} deleted.
  Result<std::pair<std::int64_t, std::int64_t>> prune(std::int64_t raw_before, std::int64_t rollup_before);

  // The cluster whose agent token has this keyed hash (nullopt: none).
  Result<std::optional<std::int64_t>> cluster_by_agent_token(const Blob& token_hash);

  // The cluster's units in index order with their GPU UUIDs.
  Result<std::vector<UnitGpu>> unit_gpus(std::int64_t cluster_id);
  // Binds unit `index` to `uuid` (inside atomically()).
  Result<> bind_unit_gpu(std::int64_t cluster_id, int index, const std::string& uuid);

  // Automatic status (migration 9; catalog/health.hpp). The cluster's units
  // with their GPUs and loss, in index order.
  Result<std::vector<health::UnitState>> unit_states(std::int64_t cluster_id);
  // Writes one unit's status and loss, and recounts the cluster's idle units.
  Result<> put_unit_state(std::int64_t cluster_id, const health::UnitState& u);
  // A report received at `at`: the cluster online, its last report `at`.
  Result<> reported(std::int64_t cluster_id, std::int64_t at);
  // The online clusters whose last report is before `before`: {id, last report}.
  Result<std::vector<std::pair<std::int64_t, std::optional<std::int64_t>>>> silent_since(std::int64_t before);
  // Sets the cluster offline if it is still online with no report since
  // `before`; whether it did (a report racing the scheduler wins).
  Result<bool> go_offline(std::int64_t cluster_id, std::int64_t before);
  Result<> add_event(std::int64_t cluster_id, const health::Event& e);
  // The cluster's events with from <= at < to, oldest first, at most limit.
  Result<std::vector<health::Event>> events(std::int64_t cluster_id, std::int64_t from, std::int64_t to, int limit);

 private:
  Database& db_;
};

}  // namespace cpshare
