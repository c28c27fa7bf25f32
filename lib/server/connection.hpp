// The daemon's front door around cpp-httplib 0.11 (issue 9, R-SEC-1/R-SEC-2):
// its own keep-alive loop, so slow, idle and greedy clients cannot hold the
// worker threads or the memory, and nobody's requests are dropped.
//
// GuardedServer overrides httplib::Server's virtual process_and_close_socket
// and its new_task_queue:
//  - the accept thread admits each connection: one client address holds at
//    most `max_connections_per_address` (trusted proxies exempt); one over the
//    cap gets at once a 429 RATE_LIMITED envelope with Retry-After (over TLS it
//    is closed before the handshake) and never reaches a worker;
//  - a worker serves the connection over ONE stream with its own buffer, so
//    pipelined requests are answered in order; each read and write has the
//    absolute deadlines of front_door::Limits (idle keep-alive, headers, body
//    and answer at a minimum rate), and the request line + headers and the
//    body have byte caps counted on what arrives;
//  - TLS (OpenSSL, TLS >= 1.2) is done here too, the handshake under the
//    header deadline.
// HttpServer calls the hooks below from its pre-routing and error handlers.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <httplib.h>

struct ssl_st;  // OpenSSL's SSL

#include "server/front_door.hpp"
#include "util/error.hpp"

namespace cpshare {

class GuardedStream;  // connection.cpp: one connection's buffered, deadline-bound stream

struct GuardConfig {
  front_door::Limits limits;
  int threads = 64;  // connections served at once
  // 0: no cap; otherwise at most half of `threads`, so one address can never
  // hold every thread.
  int max_connections_per_address = 32;
  std::vector<std::string> trusted_proxies;
  std::string tls_cert, tls_key;  // both empty: plain HTTP
  // Told (at most once per 10 s, with a count) that connections were refused
  // over the per-address cap.
  std::function<void(const std::string&)> warn;
};

class GuardedServer : public httplib::Server {
 public:
  explicit GuardedServer(GuardConfig config);
  ~GuardedServer() override;

  // False when TLS was asked for and the certificate or key could not be used
  // (tls_error() says why).
  bool is_valid() const override;
  const std::string& tls_error() const { return tls_error_; }

  // Connections one address holds now (tests).
  int connections_of(const std::string& address) const { return slots_.held(address); }

 private:
  bool process_and_close_socket(socket_t sock) override;
  // On the accept thread: a slot for the peer, or the 429 and close.
  bool admit(socket_t sock, std::string& peer);
  // One connection, start to close: the TLS handshake, the requests, the linger.
  void serve(socket_t sock, const std::string& peer);
  // The handshake within the header deadline; nullptr when it fails or stop() is called.
  ssl_st* accept_tls(socket_t sock);
  // The keep-alive loop over one connection, and the answer to a request cut off in its headers.
  void serve_requests(GuardedStream& conn, ssl_st* ssl);
  void note_refusal(const std::string& peer);

  GuardConfig config_;
  front_door::AddressSlots slots_;
  struct Tls;
  std::unique_ptr<Tls> tls_;
  std::string tls_error_;
  std::mutex refusal_mu_;
  std::chrono::steady_clock::time_point last_refusal_log_{};
  long refusals_unlogged_ = 0;
};

namespace front_door {

// Pre-routing (headers parsed, no body byte read yet): refuses bad framing
// (check_framing's errors), decodes a chunked body strictly under the caps and
// deadlines (handing it on as a Content-Length body), starts the body's
// deadline, and marks connections whose unread body must not be read as a
// next request to close. On an error the connection closes after the answer.
// Outside a GuardedServer connection (tests): nothing to do.
Result<> prepare_body(const httplib::Request& req);

// Error handler: why the request on this thread's connection failed, when the
// front door failed it (a refusal, a deadline passed: REQUEST_TIMEOUT, a cap
// passed: PAYLOAD_TOO_LARGE or MALFORMED_REQUEST for headers); the connection
// then closes after the answer. nullopt when it did not. `status` is the one
// httplib chose: any but 404/405 means httplib could not read the request
// (a request line or header line it refused, a Range it could not parse), so
// where the next request would begin is unknown and the connection closes
// too: its remaining bytes are never read as another request.
std::optional<Error> read_failure(const httplib::Request& req, int status);

// The TCP peer of this thread's connection ("" outside a GuardedServer
// connection): for the log of a request whose headers were never read.
std::string connection_peer();

}  // namespace front_door

}  // namespace cpshare
