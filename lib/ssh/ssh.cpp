#include "ssh/ssh.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <libssh/libssh.h>

#include "crypto/crypto.hpp"
#include "util/ip.hpp"
#include "util/log.hpp"

namespace cpshare::ssh {

namespace {

using Clock = std::chrono::steady_clock;

// Owners for libssh handles, so every early return releases them.
struct SessionFree {
  void operator()(ssh_session s) const {
    if (ssh_is_connected(s)) ssh_disconnect(s);
    ssh_free(s);
  }
};
struct ChannelFree {
  void operator()(ssh_channel c) const { ssh_channel_free(c); }  // closes it if still open
};
struct KeyFree {
  void operator()(ssh_key k) const { ssh_key_free(k); }
};
struct HashFree {
  void operator()(unsigned char* h) const { ssh_clean_pubkey_hash(&h); }
};
struct StringFree {
  void operator()(char* s) const { ssh_string_free_char(s); }
};
// For strings that hold private key text: wiped before they are freed.
struct SecretStringFree {
  void operator()(char* s) const {
    explicit_bzero(s, std::strlen(s));
    ssh_string_free_char(s);
  }
};
using SessionPtr = std::unique_ptr<ssh_session_struct, SessionFree>;
using ChannelPtr = std::unique_ptr<ssh_channel_struct, ChannelFree>;
using KeyPtr = std::unique_ptr<ssh_key_struct, KeyFree>;
using HashPtr = std::unique_ptr<unsigned char, HashFree>;
using StringPtr = std::unique_ptr<char, StringFree>;
using SecretStringPtr = std::unique_ptr<char, SecretStringFree>;

// Host key algorithms in a fixed order: the server presents the key of the
// first one it has, so a fixed order keeps the pinned key the same across
// libssh versions (whose defaults may change).
constexpr const char* kHostKeyAlgorithms =
    "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
    "rsa-sha2-512,rsa-sha2-256";

Result<> ensure_init() {
  // A function-local static is initialised exactly once, even across threads.
  static const int rc = ssh_init();
  if (rc != SSH_OK) return fail(ErrorCode::Internal, "libssh: initialisation failed");
  return {};
}

bool plain_token(std::string_view s, std::string_view extra) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              extra.find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool looks_like_fingerprint(std::string_view fp) {
  constexpr std::string_view prefix = "SHA256:";
  if (!fp.starts_with(prefix)) return false;
  std::string_view b64 = fp.substr(prefix.size());
  return b64.size() == 43 && plain_token(b64, "+/");
}

Result<std::string> sha256_fingerprint(ssh_key key) {
  unsigned char* raw = nullptr;
  std::size_t len = 0;
  if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &raw, &len) != SSH_OK)
    return fail(ErrorCode::Internal, "cannot hash the host key");
  HashPtr hash(raw);
  // Same form as ssh-keygen -lf: "SHA256:" + standard base64 without padding.
  std::string b64 = crypto::base64_encode(std::string_view(reinterpret_cast<const char*>(raw), len));
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return "SHA256:" + b64;
}

struct Connection {
  SessionPtr session;
  Probe probe;
  std::string where;  // "ssh to HOST:PORT"
  const Target* target = nullptr;
};

// A connection failure in the platform's words (ssh.hpp): `plain` reaches the
// caller, `detail` (errno text, libssh's message) only the log.
std::unexpected<Error> unreachable(const Target& t, const std::string& where, std::string_view plain,
                                   std::string_view detail) {
  if (t.log && !detail.empty()) t.log->info("{}: {} ({})", where, plain, detail);
  return fail(ErrorCode::Unavailable, fmt::format("{}: {}", where, plain));
}

// A socket, closed on every early return until it is released.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Socket& operator=(Socket&&) = delete;
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// The words for a failed TCP connect: refused and timed out are what the
// supplier can act on; every other errno is "unreachable".
std::string_view connect_failure(int err) {
  switch (err) {
    case ECONNREFUSED: return "connect: refused the connection";
    case ETIMEDOUT: return "connect: timed out";
    default: return "connect: unreachable";
  }
}

// A TCP connection (non-blocking, as libssh opens its own) to
// t.connect_address, or to the first address t.host resolves to, within
// t.timeout_seconds. libssh speaks SSH over it (SSH_OPTIONS_FD), so the
// address connected to is the one the caller checked, and the reason a
// connection failed is known from errno rather than from libssh's text.
Result<Socket> tcp_connect(const Target& t, const std::string& where) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (t.connect_address.empty() ? 0 : AI_NUMERICHOST);
  const std::string& name = t.connect_address.empty() ? t.host : t.connect_address;
  addrinfo* raw = nullptr;
  if (int rc = ::getaddrinfo(name.c_str(), std::to_string(t.port).c_str(), &hints, &raw); rc != 0)
    return unreachable(t, where, fmt::format("connect: unreachable: {} does not resolve", t.host), gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(raw, &::freeaddrinfo);
  Socket fd(::socket(raw->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return unreachable(t, where, "connect: unreachable", std::strerror(errno));
  int err = ::connect(fd.get(), raw->ai_addr, raw->ai_addrlen) == 0 ? 0 : errno;
  if (err == EINPROGRESS) {
    pollfd p{fd.get(), POLLOUT, 0};
    int n = 0;
    const auto deadline = Clock::now() + std::chrono::seconds(t.timeout_seconds);
    do {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      n = ::poll(&p, 1, static_cast<int>(std::max<long long>(left, 0)));
    } while (n < 0 && errno == EINTR);
    socklen_t len = sizeof(err);
    if (n == 0) return unreachable(t, where, fmt::format("connect: timed out after {} s", t.timeout_seconds), "");
    if (n < 0 || ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  }
  if (err != 0) return unreachable(t, where, connect_failure(err), std::strerror(err));
  return fd;
}

Result<> set_option(ssh_session s, ssh_options_e option, const void* value, const char* name) {
  if (ssh_options_set(s, option, value) != SSH_OK)
    return fail(ErrorCode::Internal, fmt::format("option {}: {}", name, ssh_get_error(s)));
  return {};
}

Result<> configure(ssh_session s, const Target& t) {
  const bool process_config = false;  // never read ~/.ssh/config or /etc/ssh/ssh_config
  const long timeout = t.timeout_seconds;
  TRY(set_option(s, SSH_OPTIONS_PROCESS_CONFIG, &process_config, "process_config"));
  TRY(set_option(s, SSH_OPTIONS_HOST, t.host.c_str(), "host"));
  TRY(set_option(s, SSH_OPTIONS_PORT, &t.port, "port"));
  TRY(set_option(s, SSH_OPTIONS_USER, t.user.c_str(), "user"));
  TRY(set_option(s, SSH_OPTIONS_TIMEOUT, &timeout, "timeout"));
  // The pin is the only trust anchor; no known_hosts file is read or written.
  TRY(set_option(s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null", "knownhosts"));
  TRY(set_option(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null", "global_knownhosts"));
  TRY(set_option(s, SSH_OPTIONS_HOSTKEYS, kHostKeyAlgorithms, "hostkeys"));
  return {};
}

Result<> check_target(const Target& t) {
  if (t.host.empty() || !plain_token(t.host, ".-_:"))
    return fail(ErrorCode::Internal, fmt::format("ssh: bad host name \"{}\"", t.host));
  if (t.port < 1 || t.port > 65535) return fail(ErrorCode::Internal, fmt::format("ssh: bad port {}", t.port));
  if (!t.connect_address.empty() && !plain_token(t.connect_address, ".:"))
    return fail(ErrorCode::Internal, fmt::format("ssh: bad address \"{}\"", t.connect_address));
  if (!plain_token(t.user, "._-")) return fail(ErrorCode::Internal, fmt::format("ssh: bad user name \"{}\"", t.user));
  if (t.timeout_seconds < 1 || t.command_timeout_seconds < 1)
    return fail(ErrorCode::Internal, "ssh: timeouts must be at least 1 second");
  if (!t.pinned_fingerprint.empty() && !looks_like_fingerprint(t.pinned_fingerprint))
    return fail(ErrorCode::Internal,
                fmt::format("ssh: pinned fingerprint \"{}\" is not of the form SHA256:<43 base64 chars>",
                            t.pinned_fingerprint));
  return {};
}

// Connects, checks the host key against the pin and authenticates. The pin is
// checked before authentication, so a substituted host learns nothing.
Result<Connection> connect(const Target& t) {
  TRY(ensure_init());
  TRY(check_target(t));
  Connection c;
  c.where = "ssh to " + endpoint(t);
  c.target = &t;

  ssh_key raw_key = nullptr;
  if (ssh_pki_import_privkey_base64(t.private_openssh.c_str(), nullptr, nullptr, nullptr, &raw_key) != SSH_OK)
    return fail(ErrorCode::Internal, c.where + ": the provisioning key is not an unencrypted OpenSSH private key");
  KeyPtr key(raw_key);
  if (!ssh_key_is_private(key.get()))
    return fail(ErrorCode::Internal, c.where + ": the provisioning key has no private part");

  c.session.reset(ssh_new());
  if (!c.session) return fail(ErrorCode::Internal, c.where + ": out of memory");
  ssh_session s = c.session.get();
  TRY_CTX(configure(s, t), c.where);

  TRY_ASSIGN(Socket fd, tcp_connect(t, c.where));
  const int raw_fd = fd.get();
  TRY_CTX(set_option(s, SSH_OPTIONS_FD, &raw_fd, "fd"), c.where);
  // From here the socket is the session's: ssh_connect takes it first thing
  // (libssh 0.10 client.c) and ssh_disconnect / ssh_free close it.
  fd.release();
  const auto began = std::chrono::steady_clock::now();
  if (ssh_connect(s) != SSH_OK) {
    // A peer that takes the connection but never speaks SSH (no banner) runs
    // out the timeout: libssh 0.10 says "Timeout connecting to HOST".
    const std::string_view why = ssh_get_error(s);
    const bool timed_out = why.starts_with("Timeout") ||
                           std::chrono::steady_clock::now() - began >= std::chrono::seconds(t.timeout_seconds);
    return unreachable(
        t, c.where,
        timed_out ? fmt::format("connect: timed out after {} s waiting for the SSH server to answer", t.timeout_seconds)
                  : std::string("connect: the SSH handshake failed"),
        why);
  }

  ssh_key raw_host = nullptr;
  if (ssh_get_server_publickey(s, &raw_host) != SSH_OK)
    return unreachable(t, c.where, "connect: the SSH handshake failed (no host key)", ssh_get_error(s));
  KeyPtr host(raw_host);
  auto fingerprint = sha256_fingerprint(host.get());
  if (!fingerprint) return fail(std::move(fingerprint.error()).context(c.where));
  c.probe.fingerprint = std::move(*fingerprint);
  c.probe.key_type = ssh_key_type_to_char(ssh_key_type(host.get()));
  c.probe.pinned_now = t.pinned_fingerprint.empty();
  if (!t.pinned_fingerprint.empty() && c.probe.fingerprint != t.pinned_fingerprint)
    return fail(ErrorCode::Conflict,
                fmt::format("host key of {} changed: pinned {}, now {} ({}); if the host was re-installed, "
                            "confirm the new fingerprint and re-pin it",
                            endpoint(t), t.pinned_fingerprint, c.probe.fingerprint, c.probe.key_type));

  switch (ssh_userauth_publickey(s, nullptr, key.get())) {
    case SSH_AUTH_SUCCESS: break;
    case SSH_AUTH_DENIED:
      return fail(ErrorCode::Unavailable,
                  fmt::format("{}: auth as {} with the provisioning key failed (is the public key "
                              "in ~{}/.ssh/authorized_keys?)",
                              c.where, t.user, t.user));
    case SSH_AUTH_PARTIAL:
      return fail(ErrorCode::Unavailable,
                  fmt::format("{}: auth as {}: the server accepted the provisioning key but wants "
                              "another method too (AuthenticationMethods); allow key-only login",
                              c.where, t.user));
    default: return unreachable(t, c.where, fmt::format("auth as {} failed", t.user), ssh_get_error(s));
  }
  return c;
}

// Waits a little (at most 50 ms, never past the deadline) for the server to
// send something. False once the deadline has passed.
bool wait_for_server(ssh_session s, Clock::time_point deadline) {
  auto now = Clock::now();
  if (now >= deadline) return false;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
  pollfd p{ssh_get_fd(s), POLLIN, 0};
  ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 50)));
  return true;
}

void append_bounded(std::string& to, const char* data, std::size_t n, bool& truncated) {
  std::size_t room = kMaxCapture - to.size();
  if (n > room) truncated = true;
  to.append(data, std::min(n, room));
}

// Runs one command on an authenticated connection. Everything after
// authentication runs non-blocking against a deadline: libssh 0.10 would
// otherwise wait forever on a server that stops answering channel requests.
Result<ExecResult> exec(Connection& c, std::string_view command, std::string_view input, int timeout_seconds) {
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_seconds);
  ssh_session s = c.session.get();
  auto timed_out = [&](std::string_view step) {
    return fail(ErrorCode::Unavailable, fmt::format("{}: {}: timed out after {} s", c.where, step, timeout_seconds));
  };
  auto failed = [&](std::string_view step) {
    return unreachable(*c.target, c.where, fmt::format("{}: the connection failed", step), ssh_get_error(s));
  };
  ssh_set_blocking(s, 0);

  ChannelPtr ch(ssh_channel_new(s));
  if (!ch) return failed("new channel");
  for (;;) {
    int rc = ssh_channel_open_session(ch.get());
    if (rc == SSH_OK) break;
    if (rc != SSH_AGAIN) return failed("open session channel");
    if (!wait_for_server(s, deadline)) return timed_out("open session channel");
  }
  const std::string cmd(command);
  for (;;) {
    int rc = ssh_channel_request_exec(ch.get(), cmd.c_str());
    if (rc == SSH_OK) break;
    if (rc != SSH_AGAIN) return failed("exec");
    if (!wait_for_server(s, deadline)) return timed_out("exec");
  }

  ExecResult r;
  std::size_t sent = 0;
  bool input_done = false;
  std::vector<char> buf(64 * 1024);
  for (;;) {
    // Feed stdin no faster than the remote window allows, so a write never
    // blocks while the command waits for us to read its output.
    while (!input_done && sent < input.size()) {
      std::size_t n = std::min<std::size_t>({input.size() - sent, ssh_channel_window_size(ch.get()), buf.size()});
      if (n == 0) break;
      int w = ssh_channel_write(ch.get(), input.data() + sent, static_cast<std::uint32_t>(n));
      // A failed write on a live session means the command stopped taking
      // input (it exited); its output and exit status still tell the story.
      if (w < 0) input_done = true;
      if (w <= 0) break;
      sent += static_cast<std::size_t>(w);
    }
    if (!input_done && sent == input.size()) {
      ssh_channel_send_eof(ch.get());  // failure: same as a failed write above
      input_done = true;
    }

    bool got = false;
    for (int is_stderr : {0, 1}) {
      for (;;) {
        int n = ssh_channel_read_nonblocking(ch.get(), buf.data(), static_cast<std::uint32_t>(buf.size()), is_stderr);
        if (n == SSH_ERROR) return failed("read output");
        if (n <= 0) break;  // 0: nothing yet; SSH_EOF: the command closed its output
        append_bounded(is_stderr ? r.err : r.out, buf.data(), static_cast<std::size_t>(n), r.truncated);
        got = true;
      }
    }
    if (ssh_channel_is_eof(ch.get()) || ssh_channel_is_closed(ch.get())) break;
    if (!got && !wait_for_server(s, deadline)) return timed_out("command output");
  }

  // OpenSSH sends exit-status right after EOF; a command killed by a signal
  // sends exit-signal instead and the channel closes without a status.
  for (;;) {
    int status = ssh_channel_get_exit_status(ch.get());
    if (status >= 0 || ssh_channel_is_closed(ch.get())) {
      r.exit_status = status >= 0 ? status : -1;
      break;
    }
    if (!ssh_is_connected(s)) return failed("exit status");
    if (!wait_for_server(s, deadline)) return timed_out("exit status");
  }
  return r;
}

}  // namespace

std::string endpoint(const Target& t) { return ip::endpoint_text(t.host, t.port); }

Result<KeyPair> generate_ed25519(std::string_view comment) {
  TRY(ensure_init());
  if (!plain_token(comment, "._@:+-"))
    return fail(ErrorCode::Internal,
                fmt::format("ssh key comment \"{}\": use letters, digits and ._@:+- only", comment));
  ssh_key raw = nullptr;
  if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &raw) != SSH_OK)
    return fail(ErrorCode::Internal, "cannot generate an ed25519 key");
  KeyPtr key(raw);

  char* raw_private = nullptr;
  if (ssh_pki_export_privkey_base64(key.get(), nullptr, nullptr, nullptr, &raw_private) != SSH_OK)
    return fail(ErrorCode::Internal, "cannot export the new ed25519 private key");
  SecretStringPtr private_text(raw_private);
  char* raw_public = nullptr;
  if (ssh_pki_export_pubkey_base64(key.get(), &raw_public) != SSH_OK)
    return fail(ErrorCode::Internal, "cannot export the new ed25519 public key");
  StringPtr public_b64(raw_public);

  KeyPair pair;
  pair.private_openssh = private_text.get();
  pair.public_line =
      fmt::format("{} {} cpshare-{}", ssh_key_type_to_char(ssh_key_type(key.get())), public_b64.get(), comment);
  return pair;
}

// The check verify runs as the admin user: root, or sudo without a password.
constexpr const char* kCanProvision = "[ \"$(id -u)\" = 0 ] || sudo -n true";

Result<Probe> verify(const Target& target) {
  TRY_ASSIGN(Connection c, connect(target));
  // What provisioning needs (ssh/provision.hpp): root, or passwordless sudo.
  TRY_ASSIGN(ExecResult r, exec(c, kCanProvision, {}, target.timeout_seconds));
  if (r.exit_status != 0)
    return fail(ErrorCode::Unavailable,
                fmt::format("{}: {} can log in but cannot provision lease accounts: it is not root and `sudo -n "
                            "true` failed (give it passwordless sudo for /bin/sh, or use root){}{}",
                            c.where, target.user, r.err.empty() ? "" : ": ", r.err.substr(0, 200)));
  return c.probe;
}

Result<ExecResult> run(const Target& target, std::string_view command, std::string_view stdin_data) {
  if (target.pinned_fingerprint.empty())
    return fail(ErrorCode::Internal,
                fmt::format("ssh to {}: refusing to run a command on a host whose key is not pinned "
                            "(verify the cluster first)",
                            endpoint(target)));
  TRY_ASSIGN(Connection c, connect(target));
  return exec(c, command, stdin_data, target.command_timeout_seconds);
}

}  // namespace cpshare::ssh
