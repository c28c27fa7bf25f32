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
  std::string output;              // stdout and stderr together (or stdout alone, Options::split_stderr)
  bool truncated = false;          // more than max_output bytes were written (the rest discarded)
  std::string error_output;        // stderr, with Options::split_stderr (at most max_output bytes)
};

struct Options {
  std::string input;          // written to the program's stdin, then closed ("" : stdin is /dev/null)
  bool split_stderr = false;  // stderr into Outcome::error_output instead of output
  std::size_t max_output = 1 << 20;
};

// Runs argv[0] (looked up in PATH) with argv, stdin from /dev/null, until it
// exits or `timeout` passes; never waits longer than timeout plus the time
// to kill and reap it. The child is in its own process group, and the whole
// group is killed at the deadline.
Outcome run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout, std::size_t max_output = 1 << 20);
// The same with stdin given and stderr apart (issue 11: the agent's provision hook gets the
// lease as JSON on stdin and prints the access on stdout; its stderr is the error it reports).
Outcome run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout, const Options& options);

}  // namespace cpshare::subprocess
