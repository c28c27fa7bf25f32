// Shared by the tests under tests/ssh: files, free loopback ports, temp dirs,
// and a private OpenSSH sshd (`sshd -D -e -f CONFIG`) started on a port of its
// own; the machine's SSH setup is never read or changed.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

extern char** environ;

namespace sshd_support {

namespace fs = std::filesystem;

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const fs::path& p, const std::string& text, fs::perms mode) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
  fs::permissions(p, mode);
}

inline sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// A port nothing listens on right now (the kernel picks it).
inline int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a = loopback(0);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

inline bool port_accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = loopback(port);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "cpshare-ssh-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// One `sshd -D -e` child process; its log (stderr) goes to DIR/sshd.log.
class Sshd {
 public:
  explicit Sshd(fs::path dir) : dir_(std::move(dir)) {}
  ~Sshd() { stop(); }
  Sshd(const Sshd&) = delete;
  Sshd& operator=(const Sshd&) = delete;

  // Empty when sshd listens on `port`; otherwise why not, with sshd's log.
  std::string start(int port) {
    // sshd running as root needs its privilege-separation dir; creating it
    // does not change any SSH configuration.
    if (::geteuid() == 0) ::mkdir("/run/sshd", 0755);
    const std::string log = (dir_ / "sshd.log").string();
    const std::string config = (dir_ / "sshd_config").string();
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 2, 1);
    const char* argv[] = {"/usr/sbin/sshd", "-D", "-e", "-f", config.c_str(), nullptr};
    int rc = ::posix_spawn(&pid_, argv[0], &fa, nullptr, const_cast<char* const*>(argv), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
      pid_ = -1;
      return std::string("cannot start /usr/sbin/sshd: ") + std::strerror(rc);
    }
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < until) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        std::string how = WIFEXITED(status) ? "with status " + std::to_string(WEXITSTATUS(status))
                                            : "on signal " + std::to_string(WTERMSIG(status));
        return "sshd exited " + how + " before listening; its log:\n" + read_file(log);
      }
      if (port_accepts(port)) return {};
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    stop();
    return "sshd did not listen on port " + std::to_string(port) + " within 10 s; its log:\n" + read_file(log);
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  fs::path dir_;
  pid_t pid_ = -1;
};

}  // namespace sshd_support
