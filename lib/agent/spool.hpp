// The agent's buffer of samples not yet accepted by the daemon (issue 11,
// Build point 1): a directory (--state-dir) holding one file per sample, so a
// sample survives the agent's and the host's restarts until the daemon
// acknowledges it. Bounded: past `capacity` samples the oldest are dropped
// first, and the drops are counted (persisted) until a batch reporting them is
// accepted. Files are written to a temporary name, synced and renamed, so a
// crash leaves either the whole sample or none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "api/metrics.hpp"
#include "util/error.hpp"

namespace cpshare::agent {

class Spool {
 public:
  struct Entry {
    std::uint64_t seq = 0;  // increasing; the file's name
    api::HostSample sample;
  };

  // Opens (creating) `dir`, mode 0700, and reads what an earlier run left.
  static Result<Spool> open(const std::filesystem::path& dir, std::size_t capacity);

  // Adds a sample; drops the oldest beyond capacity (counted).
  Result<> push(const api::HostSample& s);
  // The oldest `max` samples, oldest first. A file that cannot be read or
  // parsed is removed and counted as dropped; `count_saved` fails when that
  // count could not be persisted (it is still held, and reported by the next
  // batch, but would be lost if the agent stopped first).
  struct Peeked {
    std::vector<Entry> entries;
    Result<> count_saved;
  };
  Peeked peek(std::size_t max);
  // The daemon accepted every sample up to and including `seq`, and the drop
  // count the batch carried: both are forgotten.
  Result<> ack(std::uint64_t seq, std::uint64_t dropped_reported);

  std::size_t size() const { return seqs_.size(); }
  std::uint64_t dropped() const { return dropped_; }

 private:
  Spool(std::filesystem::path dir, std::size_t capacity) : dir_(std::move(dir)), capacity_(capacity) {}
  std::filesystem::path file_of(std::uint64_t seq) const;
  Result<> save_dropped();

  std::filesystem::path dir_;
  std::size_t capacity_;
  std::vector<std::uint64_t> seqs_;  // ascending
  std::uint64_t next_ = 1;
  std::uint64_t dropped_ = 0;
};

}  // namespace cpshare::agent
