// Running a program with a deadline (issue 11: the agent runs nvidia-smi,
// which a hung driver can leave stuck in uninterruptible sleep; the agent
// never blocks on it). POSIX: posix_spawnp, a pipe, poll, SIGKILL.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace cpshare::subprocess {

struct Outcome {
  bool started = false;            // false: the program could not be run (not found, not executable)
  std::string start_error;         // why, when !started
  bool timed_out = false;          // killed at the deadline (SIGKILL) and reaped
  std::optional<int> exit_status;  // when it exited by itself
  std::optional<int> signal;       // when a signal ended it
  std::string output;              // stdout and stderr together, at most max_output bytes
  bool truncated = false;          // more than max_output bytes were written (the rest discarded)
};

// Runs argv[0] (looked up in PATH) with argv, stdin from /dev/null, until it
// exits or `timeout` passes; never waits longer than timeout plus the time
// to kill and reap it. The child is in its own process group, and the whole
// group is killed at the deadline.
Outcome run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout, std::size_t max_output = 1 << 20);

}  // namespace cpshare::subprocess
