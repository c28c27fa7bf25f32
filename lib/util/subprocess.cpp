#include "util/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace cpshare::subprocess {

namespace {

// Reads what is in the non-blocking `fd` into out (up to max bytes kept):
// the bytes read, 0 at end of file, -1 when nothing is there now.
ssize_t drain(int fd, Outcome& out, std::size_t max) {
  char buf[4096];
  const ssize_t n = read(fd, buf, sizeof buf);
  if (n < 0) return -1;
  if (n == 0) return 0;
  const std::size_t room = max > out.output.size() ? max - out.output.size() : 0;
  out.output.append(buf, std::min(room, static_cast<std::size_t>(n)));
  if (static_cast<std::size_t>(n) > room) out.truncated = true;
  return n;
}

void record_status(Outcome& out, int status) {
  if (WIFEXITED(status)) out.exit_status = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) out.signal = WTERMSIG(status);
}

}  // namespace

Outcome run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout, std::size_t max_output) {
  Outcome out;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    out.start_error = std::strerror(errno);
    return out;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    out.start_error = std::strerror(rc);
    return out;
  }
  out.started = true;
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool open = true;
  int status = 0;
  while (true) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      while (open && drain(fds[0], out, max_output) > 0) {
      }  // what it wrote before exiting (not what a grandchild holding the pipe writes later)
      record_status(out, status);
      break;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      out.timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int ready = open ? poll(&p, 1, static_cast<int>(std::min<long>(left.count(), 50))) : 0;
    if (!open) usleep(10'000);
    if (ready > 0 && drain(fds[0], out, max_output) == 0) open = false;
  }
  close(fds[0]);
  return out;
}

}  // namespace cpshare::subprocess
