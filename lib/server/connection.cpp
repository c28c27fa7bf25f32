#include "server/connection.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include <fmt/format.h>

#include "api/envelope.hpp"

namespace cpshare {

namespace {

using Steady = std::chrono::steady_clock;
using front_door::Framing;
using front_door::Limits;

constexpr auto kSlice = std::chrono::milliseconds(200);  // how often a wait looks for stop()
constexpr std::size_t kReadChunk = 16 * 1024;

std::string fmt_ms(std::chrono::milliseconds ms) {
  return ms.count() % 1000 == 0 ? fmt::format("{} s", ms.count() / 1000) : fmt::format("{} ms", ms.count());
}

// A whole HTTP/1.1 answer carrying the error envelope, for the front door's
// own refusals (no httplib::Response exists for them).
std::string raw_error(const Error& e) {
  const std::string body = api::error_envelope(e).dump();
  const int status = error_http_status(e.code);
  const char* reason = status == 408   ? "Request Timeout"
                       : status == 413 ? "Payload Too Large"
                       : status == 429 ? "Too Many Requests"
                       : status == 503 ? "Service Unavailable"
                                       : "Bad Request";
  std::string head = fmt::format("HTTP/1.1 {} {}\r\n", status, reason);
  if (e.retry_after > 0) head += fmt::format("Retry-After: {}\r\n", e.retry_after);
  return head + fmt::format(
                    "Content-Type: application/json\r\nContent-Length: {}\r\nCache-Control: no-store\r\n"
                    "X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n{}",
                    body.size(), body);
}

void address_of(const sockaddr_storage& ss, std::string& ip, int& port) {
  char host[NI_MAXHOST] = {};
  char serv[NI_MAXSERV] = {};
  const auto len = static_cast<socklen_t>(ss.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in));
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&ss), len, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    ip = host;
    port = std::atoi(serv);
  }
}

std::string peer_of(int fd, int* port = nullptr) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  std::string ip;
  int p = 0;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) address_of(ss, ip, p);
  if (port) *port = p;
  return ip;
}

// One connection: the stream httplib's process_request reads requests from and
// writes answers to, kept for the connection's life (so bytes of a pipelined
// request read with the previous one wait in `buf_`), with the deadlines and
// caps of Limits on every read and write.
}  // namespace

// Declared in connection.hpp, for GuardedServer's own members.
class GuardedStream final : public httplib::Stream {
 public:
  enum class Phase { Idle, Headers, Body };
  enum class Failure { None, Eof, Timeout, HeadersTooLarge, BodyTooLarge, Stopped, Io };

  GuardedStream(int fd, SSL* ssl, const Limits& limits, const std::atomic<socket_t>& listening)
      : fd_(fd), ssl_(ssl), limits_(limits), listening_(listening) {
    remote_ip_ = peer_of(fd, &remote_port_);
    sockaddr_storage ss{};
    socklen_t len = sizeof(ss);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) address_of(ss, local_ip_, local_port_);
  }

  // --- httplib::Stream
  bool is_readable() const override { return pos_ < buf_.size(); }
  bool is_writable() const override { return failure_ == Failure::None || failure_ == Failure::Eof; }
  ssize_t read(char* ptr, std::size_t size) override {
    if (pos_ == buf_.size() && !fill()) return failure_ == Failure::Eof ? 0 : -1;
    std::size_t n = std::min(size, buf_.size() - pos_);
    if (phase_ == Phase::Headers && header_bytes_ + n > limits_.max_header_bytes) {
      failure_ = Failure::HeadersTooLarge;
      return -1;
    }
    std::memcpy(ptr, buf_.data() + pos_, n);
    consume(n);
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, std::size_t size) override {
    if (size == 0) return 0;
    if (!writing_) {
      writing_ = true;
      write_start_ = Steady::now();
      written_ = 0;
    }
    for (;;) {
      ssize_t n = transport_write(ptr, size);
      if (n > 0) {
        written_ += static_cast<std::uint64_t>(n);
        return n;
      }
      if (n < 0 && want_ == 0) return fail(Failure::Io);
      if (!wait(want_, write_start_ + paced(written_))) return -1;
    }
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = remote_ip_;
    port = remote_port_;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = local_ip_;
    port = local_port_;
  }
  socket_t socket() const override { return fd_; }

  // --- the front door's view
  // Before each request: an idle connection has idle_timeout to begin one.
  void begin_request() {
    phase_ = Phase::Idle;
    idle_deadline_ = Steady::now() + limits_.idle_timeout;
    header_bytes_ = 0;
    writing_ = false;
    refusal.reset();
    framing = Framing{};
    if (failure_ == Failure::Eof) return;
    failure_ = Failure::None;
  }
  // Whether a request's first byte is here (the buffer is looked at first);
  // then the header deadline runs from now.
  bool wait_for_request() {
    if (pos_ == buf_.size() && !fill()) return false;
    phase_ = Phase::Headers;
    header_deadline_ = Steady::now() + limits_.header_timeout;
    return true;
  }
  // The body begins: `declared` bytes (0: as they come) are due by
  // body_floor + size / min_rate; at most max_body + max_chunk_framing bytes
  // are read for it.
  void begin_body(std::uint64_t declared) {
    phase_ = Phase::Body;
    body_start_ = Steady::now();
    body_declared_ = declared;
    body_bytes_ = 0;
  }
  // The decoded chunked body, read next as a Content-Length body (in memory:
  // no deadline, no cap).
  void replay(const std::string& body) {
    buf_.insert(pos_, body);
    begin_body(body.size());
    replaying_ = body.size();
  }
  std::string_view buffered() const { return std::string_view(buf_).substr(pos_); }
  void consume(std::size_t n) {
    pos_ += n;
    if (replaying_ > 0) {
      replaying_ -= std::min<std::uint64_t>(replaying_, n);
    } else if (phase_ == Phase::Headers) {
      header_bytes_ += n;
    } else if (phase_ == Phase::Body) {
      body_bytes_ += n;
    }
  }
  // Reads more into the buffer before the current phase's deadline; false on
  // end of stream, deadline, cap, stop or error (failure() says which).
  bool fill() {
    if (failure_ != Failure::None) return false;
    if (phase_ == Phase::Body && body_bytes_ >= limits_.max_body + limits_.max_chunk_framing) {
      failure_ = Failure::BodyTooLarge;
      return false;
    }
    if (pos_ > 0 && pos_ == buf_.size()) {
      buf_.clear();
      pos_ = 0;
    } else if (pos_ >= kReadChunk) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    for (;;) {
      const std::size_t old = buf_.size();
      buf_.resize(old + kReadChunk);
      ssize_t n = transport_read(buf_.data() + old, kReadChunk);
      buf_.resize(old + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
      if (n > 0) return true;
      if (n == 0) {
        failure_ = Failure::Eof;
        return false;
      }
      if (want_ == 0) {
        failure_ = Failure::Io;
        return false;
      }
      if (!wait(want_, read_deadline())) return false;
    }
  }
  Phase phase() const { return phase_; }
  Failure failure() const { return failure_; }
  bool wrote() const { return writing_; }
  const Limits& limits() const { return limits_; }
  int fd() const { return fd_; }

  // The request's state, set by the hooks (one request at a time).
  std::optional<Error> refusal;  // framing refused before any body byte was read
  Framing framing;
  bool close_after = false;  // the connection must not be reused
  bool linger = false;       // a body may follow unread: drain it before closing

 private:
  Steady::duration paced(std::uint64_t bytes) const {
    return limits_.body_floor + std::chrono::milliseconds(bytes * 1000 / std::max<std::uint64_t>(limits_.min_rate, 1));
  }
  Steady::time_point read_deadline() const {
    switch (phase_) {
      case Phase::Idle: return idle_deadline_;
      case Phase::Headers: return header_deadline_;
      case Phase::Body: return body_start_ + paced(std::max(body_declared_, body_bytes_));
    }
    return Steady::now();
  }
  ssize_t fail(Failure f) {
    failure_ = f;
    return -1;
  }
  // Waits until the socket can do `events` or `deadline` passes (or the server
  // stops); false sets failure_.
  bool wait(short events, Steady::time_point deadline) {
    for (;;) {
      if (listening_.load() == INVALID_SOCKET) {
        failure_ = Failure::Stopped;
        return false;
      }
      auto now = Steady::now();
      if (now >= deadline) {
        failure_ = Failure::Timeout;
        return false;
      }
      auto left = std::min<Steady::duration>(deadline - now, kSlice);
      pollfd p{fd_, events, 0};
      int ms = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
      int r = ::poll(&p, 1, ms);
      if (r < 0 && errno != EINTR) {
        failure_ = Failure::Io;
        return false;
      }
      if (r > 0) return true;
    }
  }
  // >0 bytes, 0 end of stream, -1 with want_ = POLLIN/POLLOUT to wait for, or
  // want_ = 0 on an error.
  ssize_t transport_read(char* p, std::size_t n) {
    want_ = 0;
    if (!ssl_) {
      ssize_t r = ::recv(fd_, p, n, MSG_DONTWAIT);
      if (r >= 0) return r;
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) want_ = POLLIN;
      return -1;
    }
    ERR_clear_error();
    int r = SSL_read(ssl_, p, static_cast<int>(std::min<std::size_t>(n, INT32_MAX)));
    if (r > 0) return r;
    return ssl_result(r);
  }
  ssize_t transport_write(const char* p, std::size_t n) {
    want_ = 0;
    if (!ssl_) {
      ssize_t r = ::send(fd_, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (r >= 0) return r;
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) want_ = POLLOUT;
      return -1;
    }
    ERR_clear_error();
    int r = SSL_write(ssl_, p, static_cast<int>(std::min<std::size_t>(n, INT32_MAX)));
    if (r > 0) return r;
    ssize_t s = ssl_result(r);
    return s == 0 ? -1 : s;  // a closed peer while writing is an error
  }
  ssize_t ssl_result(int r) {
    switch (SSL_get_error(ssl_, r)) {
      case SSL_ERROR_WANT_READ: want_ = POLLIN; return -1;
      case SSL_ERROR_WANT_WRITE: want_ = POLLOUT; return -1;
      case SSL_ERROR_ZERO_RETURN: return 0;
      case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() == 0 && (r == 0 || errno == 0 || errno == ECONNRESET)) return 0;
        return -1;
      default: return -1;
    }
  }

  int fd_;
  SSL* ssl_;
  const Limits& limits_;
  const std::atomic<socket_t>& listening_;
  std::string remote_ip_, local_ip_;
  int remote_port_ = 0, local_port_ = 0;

  std::string buf_;
  std::size_t pos_ = 0;
  short want_ = 0;
  Phase phase_ = Phase::Idle;
  Failure failure_ = Failure::None;
  Steady::time_point idle_deadline_, header_deadline_, body_start_, write_start_;
  std::uint64_t header_bytes_ = 0, body_bytes_ = 0, body_declared_ = 0, written_ = 0, replaying_ = 0;
  bool writing_ = false;
};

namespace {

// The connection this thread is serving.
thread_local GuardedStream* t_connection = nullptr;

// Marks the request's connection to close after this answer (the request is
// the server's own object; httplib hands hooks a const view of it).
void close_after(GuardedStream& c, const httplib::Request& req, bool linger) {
  c.close_after = true;
  c.linger = c.linger || linger;
  auto& r = const_cast<httplib::Request&>(req);
  r.headers.erase("GuardedStream");
  r.headers.emplace("GuardedStream", "close");
}

bool reads_body(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

front_door::FramingHeaders framing_headers(const httplib::Request& req) {
  front_door::FramingHeaders h;
  auto collect = [&](const char* name, std::vector<std::string>& out) {
    auto [b, e] = req.headers.equal_range(name);
    for (auto it = b; it != e; ++it) out.push_back(it->second);
  };
  collect("Content-Length", h.content_length);
  collect("Transfer-Encoding", h.transfer_encoding);
  collect("Content-Encoding", h.content_encoding);
  return h;
}

Error failure_error(const GuardedStream& c) {
  const Limits& l = c.limits();
  switch (c.failure()) {
    case GuardedStream::Failure::Timeout:
      return Error{ErrorCode::RequestTimeout,
                   c.phase() == GuardedStream::Phase::Body
                       ? fmt::format("the request body did not arrive in time (allowed: {} plus 1 s per {} KiB)",
                                     fmt_ms(l.body_floor), l.min_rate / 1024)
                       : fmt::format("the request line and headers did not arrive within {}", fmt_ms(l.header_timeout)),
                   {},
                   0};
    case GuardedStream::Failure::HeadersTooLarge:
      return Error{ErrorCode::MalformedRequest,
                   fmt::format("the request line and headers are larger than {} KiB", l.max_header_bytes / 1024),
                   {},
                   0};
    case GuardedStream::Failure::BodyTooLarge:
      return Error{ErrorCode::PayloadTooLarge,
                   fmt::format("the request body is larger than {} MiB", l.max_body / (1024 * 1024)),
                   {},
                   0};
    case GuardedStream::Failure::Stopped:
      return Error{ErrorCode::Unavailable, "the daemon is shutting down; try again in a moment", {}, 0};
    case GuardedStream::Failure::Eof:
      return Error{ErrorCode::MalformedRequest, "the request ended before its body did", {}, 0};
    default: return Error{ErrorCode::MalformedRequest, "the request could not be read", {}, 0};
  }
}

}  // namespace

// --- TLS

struct GuardedServer::Tls {
  SSL_CTX* ctx = nullptr;
  ~Tls() {
    if (ctx) SSL_CTX_free(ctx);
  }
};

namespace {
std::string openssl_error() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  return buf;
}
}  // namespace

// --- admission on the accept thread

// The task queue httplib's accept loop hands each accepted socket to: it runs
// the server's process_and_close_socket at once on the accept thread, which
// admits the socket (or refuses it there) and queues the serving on `pool`.
class AdmissionQueue : public httplib::TaskQueue {
 public:
  AdmissionQueue(GuardedServer& server, std::size_t threads) : server_(server), pool(threads) {}
  void enqueue(std::function<void()> fn) override {
    current = this;
    fn();  // GuardedServer::process_and_close_socket(sock), in admission mode
    current = nullptr;
  }
  void shutdown() override { pool.shutdown(); }

  static thread_local AdmissionQueue* current;
  GuardedServer& server_;
  httplib::ThreadPool pool;
};
thread_local AdmissionQueue* AdmissionQueue::current = nullptr;

namespace {
// One address never holds more than half the threads, whatever the flags say.
GuardConfig clamped(GuardConfig c) {
  c.threads = std::max(c.threads, 1);
  const int half = std::max(1, c.threads / 2);
  c.max_connections_per_address = std::clamp(c.max_connections_per_address, 0, half);
  return c;
}
}  // namespace

GuardedServer::GuardedServer(GuardConfig config)
    : config_(clamped(std::move(config))), slots_(config_.max_connections_per_address, config_.trusted_proxies) {
  new_task_queue = [this] { return new AdmissionQueue(*this, static_cast<std::size_t>(config_.threads)); };
  set_payload_max_length(config_.limits.max_body);
  set_keep_alive_timeout(std::max<time_t>(1, static_cast<time_t>(config_.limits.idle_timeout.count() / 1000)));
  // Expect: 100-continue: refused framing is answered before the client sends
  // its body.
  set_expect_100_continue_handler([](const httplib::Request&, httplib::Response& res) {
    if (t_connection && t_connection->refusal) {
      res.status = error_http_status(t_connection->refusal->code);
      return res.status;
    }
    return 100;
  });
  if (config_.tls_cert.empty() && config_.tls_key.empty()) return;
  tls_ = std::make_unique<Tls>();
  tls_->ctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX* ctx = tls_->ctx;
  if (!ctx) {
    tls_error_ = openssl_error();
    return;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // No session resumption: no tickets to send after the handshake, no cache.
  SSL_CTX_set_num_tickets(ctx, 0);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  if (SSL_CTX_use_certificate_chain_file(ctx, config_.tls_cert.c_str()) != 1) {
    tls_error_ = fmt::format("cannot use TLS certificate {}: {}", config_.tls_cert, openssl_error());
  } else if (SSL_CTX_use_PrivateKey_file(ctx, config_.tls_key.c_str(), SSL_FILETYPE_PEM) != 1) {
    tls_error_ = fmt::format("cannot use TLS key {}: {}", config_.tls_key, openssl_error());
  } else if (SSL_CTX_check_private_key(ctx) != 1) {
    tls_error_ = fmt::format("TLS key {} does not match certificate {}", config_.tls_key, config_.tls_cert);
  }
  if (!tls_error_.empty()) {
    SSL_CTX_free(ctx);
    tls_->ctx = nullptr;
  }
}

GuardedServer::~GuardedServer() = default;

bool GuardedServer::is_valid() const { return !tls_ || tls_->ctx != nullptr; }

bool GuardedServer::process_and_close_socket(socket_t sock) {
  std::string peer;
  if (!admit(sock, peer)) return false;
  if (AdmissionQueue* q = AdmissionQueue::current) {
    q->pool.enqueue([this, sock, peer] { serve(sock, peer); });
  } else {
    serve(sock, peer);  // not through our queue: serve on this thread
  }
  return true;
}

bool GuardedServer::admit(socket_t sock, std::string& peer) {
  peer = peer_of(sock);
  if (slots_.acquire(peer)) return true;
  if (!tls_) {
    // A fresh socket's send buffer is empty: this never blocks the accept thread.
    const std::string answer = raw_error(Error{
        ErrorCode::RateLimited,
        fmt::format("this address already has {} connections open, the most one client may hold; reuse or close one",
                    config_.max_connections_per_address),
        {},
        5});
    [[maybe_unused]] auto sent = ::send(sock, answer.data(), answer.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    ::shutdown(sock, SHUT_WR);
  }
  ::close(sock);
  note_refusal(peer);
  return false;
}

void GuardedServer::note_refusal(const std::string& peer) {
  if (!config_.warn) return;
  std::string line;
  {
    std::lock_guard lock(refusal_mu_);
    ++refusals_unlogged_;
    auto now = Steady::now();
    if (now - last_refusal_log_ < std::chrono::seconds(10)) return;
    line = fmt::format("refused {} connection(s) over the cap of {} per address (the last from {})", refusals_unlogged_,
                       config_.max_connections_per_address, peer);
    refusals_unlogged_ = 0;
    last_refusal_log_ = now;
  }
  config_.warn(line);
}

namespace {

int poll_ms(Steady::duration left) {
  return static_cast<int>(
      std::chrono::ceil<std::chrono::milliseconds>(std::min<Steady::duration>(left, kSlice)).count());
}

// Reads and drops what the client still sends (the body of a refused
// request) for a moment, so it reads the answer instead of a reset.
void drain_before_close(socket_t sock, const Limits& limits, const std::atomic<socket_t>& listening) {
  const auto until = Steady::now() + limits.linger;
  std::uint64_t dropped = 0;
  char sink[16 * 1024];
  while (dropped < limits.linger_bytes && listening != INVALID_SOCKET) {
    auto left = until - Steady::now();
    if (left <= Steady::duration::zero()) break;
    pollfd p{sock, POLLIN, 0};
    int r = ::poll(&p, 1, poll_ms(left));
    if (r < 0 && errno != EINTR) break;
    if (r <= 0) continue;
    ssize_t n = ::recv(sock, sink, sizeof(sink), MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) break;
    if (n > 0) dropped += static_cast<std::uint64_t>(n);
  }
}

}  // namespace

SSL* GuardedServer::accept_tls(socket_t sock) {
  SSL* ssl = SSL_new(tls_->ctx);
  if (!ssl || SSL_set_fd(ssl, sock) != 1) {
    if (ssl) SSL_free(ssl);
    return nullptr;
  }
  // The handshake is due within the header deadline.
  const auto deadline = Steady::now() + config_.limits.header_timeout;
  for (;;) {
    ERR_clear_error();
    int r = SSL_accept(ssl);
    if (r == 1) return ssl;
    int err = SSL_get_error(ssl, r);
    short events = err == SSL_ERROR_WANT_READ ? POLLIN : err == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
    auto left = deadline - Steady::now();
    if (events == 0 || left <= Steady::duration::zero() || svr_sock_ == INVALID_SOCKET) {
      ERR_clear_error();
      SSL_free(ssl);
      return nullptr;
    }
    pollfd p{sock, events, 0};
    ::poll(&p, 1, poll_ms(left));
  }
}

void GuardedServer::serve_requests(GuardedStream& conn, SSL* ssl) {
  auto setup = [&conn, ssl](httplib::Request& req) {
    req.ssl = ssl;
    // Range requests never multiply an answer: the API's answers are small and
    // whole (a Range of 2,600 copies of the document was a 418 MB answer).
    req.ranges.clear();
    auto framing = front_door::check_framing(framing_headers(req), conn.limits().max_body);
    if (framing)
      conn.framing = *framing;
    else
      conn.refusal = framing.error();
  };
  for (std::size_t count = std::max<std::size_t>(keep_alive_max_count_, 1); count > 0; --count) {
    if (svr_sock_ == INVALID_SOCKET) break;
    conn.begin_request();
    if (!conn.wait_for_request()) break;
    bool closed = false;
    bool ok = process_request(conn, count == 1, closed, setup);
    if (!ok || closed || conn.close_after) break;
  }
  // A request line or headers cut off by the deadline or the cap, before
  // httplib could answer: answer here.
  if (conn.phase() == GuardedStream::Phase::Headers && !conn.wrote() &&
      (conn.failure() == GuardedStream::Failure::Timeout ||
       conn.failure() == GuardedStream::Failure::HeadersTooLarge)) {
    const std::string answer = raw_error(failure_error(conn));
    conn.write(answer.data(), answer.size());
  }
}

void GuardedServer::serve(socket_t sock, const std::string& peer) {
  struct Release {
    front_door::AddressSlots& slots;
    const std::string& peer;
    ~Release() { slots.release(peer); }
  } release{slots_, peer};
  ::fcntl(sock, F_SETFL, ::fcntl(sock, F_GETFL) | O_NONBLOCK);

  SSL* ssl = nullptr;
  if (tls_) {
    ssl = accept_tls(sock);
    if (!ssl) {
      ::close(sock);
      return;
    }
  }
  GuardedStream conn(sock, ssl, config_.limits, svr_sock_);
  t_connection = &conn;
  serve_requests(conn, ssl);
  t_connection = nullptr;

  if (ssl) {
    ERR_clear_error();
    SSL_shutdown(ssl);  // close_notify, once, without waiting for the peer's
    ERR_clear_error();
  }
  ::shutdown(sock, SHUT_WR);
  if (conn.linger) drain_before_close(sock, config_.limits, svr_sock_);
  if (ssl) SSL_free(ssl);
  ::close(sock);
}

// --- hooks

namespace front_door {

Result<> prepare_body(const httplib::Request& req) {
  GuardedStream* c = t_connection;
  if (!c) return {};
  if (c->refusal) {
    close_after(*c, req, true);
    return std::unexpected(*c->refusal);
  }
  const Framing f = c->framing;
  const bool has_body = f.kind == Framing::Kind::Chunked || (f.kind == Framing::Kind::Length && f.length > 0);
  if (!reads_body(req.method)) {
    // httplib reads no body for GET and the like: what the client sent as one
    // must not be read as the next request.
    if (has_body) close_after(*c, req, true);
    return {};
  }
  if (f.kind != Framing::Kind::Chunked) {
    c->begin_body(f.length);
    return {};
  }
  c->begin_body(0);
  ChunkedDecoder decoder(c->limits().max_body, c->limits().max_chunk_framing);
  std::string body;
  while (!decoder.done()) {
    if (c->buffered().empty() && !c->fill()) {
      close_after(*c, req, c->failure() == GuardedStream::Failure::BodyTooLarge);
      return std::unexpected(failure_error(*c));
    }
    auto used = decoder.feed(c->buffered(), body);
    if (!used) {
      close_after(*c, req, true);
      return std::unexpected(used.error());
    }
    c->consume(*used);
  }
  // Hand the body on as what httplib reads best: Content-Length.
  auto& r = const_cast<httplib::Request&>(req);
  r.headers.erase("Transfer-Encoding");
  r.headers.erase("Content-Length");
  r.headers.emplace("Content-Length", std::to_string(body.size()));
  c->replay(body);
  return {};
}

std::string connection_peer() {
  GuardedStream* c = t_connection;
  if (!c) return {};
  std::string ip;
  int port = 0;
  c->get_remote_ip_and_port(ip, port);
  return ip;
}

std::optional<Error> read_failure(const httplib::Request& req, int status) {
  GuardedStream* c = t_connection;
  if (!c) return std::nullopt;
  if (c->refusal) {
    close_after(*c, req, true);
    return c->refusal;
  }
  switch (c->failure()) {
    case GuardedStream::Failure::None:
      if (status != 404 && status != 405) close_after(*c, req, false);
      return std::nullopt;
    case GuardedStream::Failure::BodyTooLarge: close_after(*c, req, true); return failure_error(*c);
    default: close_after(*c, req, false); return failure_error(*c);
  }
}

}  // namespace front_door

}  // namespace cpshare
