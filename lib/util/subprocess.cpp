#include "util/subprocess.hpp"

#include <fcntl.h>
#include <pthread.h>
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

// Reads what is in the non-blocking `fd` into `into` (up to max bytes kept):
// the bytes read, 0 at end of file, -1 when nothing is there now.
ssize_t drain(int fd, std::string& into, bool& truncated, std::size_t max) {
  char buf[4096];
  const ssize_t n = read(fd, buf, sizeof buf);
  if (n < 0) return -1;
  if (n == 0) return 0;
  const std::size_t room = max > into.size() ? max - into.size() : 0;
  into.append(buf, std::min(room, static_cast<std::size_t>(n)));
  if (static_cast<std::size_t>(n) > room) truncated = true;
  return n;
}

void record_status(Outcome& out, int status) {
  if (WIFEXITED(status)) out.exit_status = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) out.signal = WTERMSIG(status);
}

// The parent's ends of the child's pipes (-1: none).
struct Pipes {
  int in = -1, out = -1, err = -1;
  void close_all() {
    for (int* fd : {&in, &out, &err})
      if (*fd >= 0) {
        close(*fd);
        *fd = -1;
      }
  }
};

// Starts argv with its stdin, stdout and stderr wired as `o` asks; pid 0 and out.start_error on failure.
pid_t spawn(const std::vector<std::string>& argv, const Options& o, Pipes& p, Outcome& out) {
  int in[2] = {-1, -1}, so[2] = {-1, -1}, se[2] = {-1, -1};
  const bool ok = pipe2(so, O_CLOEXEC) == 0 && (o.input.empty() || pipe2(in, O_CLOEXEC) == 0) &&
                  (!o.split_stderr || pipe2(se, O_CLOEXEC) == 0);
  if (!ok) {
    out.start_error = std::strerror(errno);
    for (int fd : {in[0], in[1], so[0], so[1], se[0], se[1]})
      if (fd >= 0) close(fd);
    return 0;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (o.input.empty())
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  else
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, so[1], 1);
  posix_spawn_file_actions_adddup2(&actions, o.split_stderr ? se[1] : so[1], 2);
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
  for (int fd : {in[0], so[1], se[1]})
    if (fd >= 0) close(fd);
  p = Pipes{in[1], so[0], se[0]};
  if (rc != 0) {
    p.close_all();
    out.start_error = std::strerror(rc);
    return 0;
  }
  for (int fd : {p.in, p.out, p.err})
    if (fd >= 0) fcntl(fd, F_SETFL, O_NONBLOCK);
  return pid;
}

}  // namespace

Outcome run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout, std::size_t max_output) {
  return run(argv, timeout, Options{"", false, max_output});
}

Outcome run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout, const Options& o) {
  Outcome out;
  Pipes p;
  const pid_t pid = spawn(argv, o, p, out);
  if (pid == 0) return out;
  out.started = true;
  // A child that exits without reading its stdin must not kill us with SIGPIPE: blocked in
  // this thread only (after the spawn, so the child does not inherit the mask), and a
  // pending one consumed before the mask is restored.
  sigset_t pipe_signal, old_mask;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  if (p.in >= 0) pthread_sigmask(SIG_BLOCK, &pipe_signal, &old_mask);
  bool broken_pipe = false;
  std::size_t written = 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  bool err_truncated = false;
  while (true) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      // What it wrote before exiting (not what a grandchild holding the pipe writes later).
      while (p.out >= 0 && drain(p.out, out.output, out.truncated, o.max_output) > 0) {}
      while (p.err >= 0 && drain(p.err, out.error_output, err_truncated, o.max_output) > 0) {}
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
    pollfd fds[3] = {{p.out, POLLIN, 0}, {p.err, POLLIN, 0}, {p.in, POLLOUT, 0}};
    const bool any = p.out >= 0 || p.err >= 0 || p.in >= 0;
    const int ready = any ? poll(fds, 3, static_cast<int>(std::min<long>(left.count(), 50))) : 0;
    if (!any) usleep(10'000);
    if (ready <= 0) continue;
    if (p.out >= 0 && (fds[0].revents & (POLLIN | POLLHUP)) &&
        drain(p.out, out.output, out.truncated, o.max_output) == 0) {
      close(p.out);
      p.out = -1;
    }
    if (p.err >= 0 && (fds[1].revents & (POLLIN | POLLHUP)) &&
        drain(p.err, out.error_output, err_truncated, o.max_output) == 0) {
      close(p.err);
      p.err = -1;
    }
    if (p.in >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t n = write(p.in, o.input.data() + written, o.input.size() - written);
      if (n > 0) written += static_cast<std::size_t>(n);
      if (n < 0 && errno != EAGAIN && errno != EINTR) {  // it closed its stdin: stop writing
        broken_pipe = broken_pipe || errno == EPIPE;
        written = o.input.size();
      }
      if (written >= o.input.size()) {
        close(p.in);
        p.in = -1;
      }
    }
  }
  if (out.truncated || err_truncated) out.truncated = true;
  p.close_all();
  if (!o.input.empty()) {
    if (broken_pipe) {
      const timespec now{0, 0};
      sigtimedwait(&pipe_signal, nullptr, &now);
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  }
  return out;
}

}  // namespace cpshare::subprocess
