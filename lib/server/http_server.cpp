#include "server/http_server.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <regex>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>

#include "api/envelope.hpp"
#include "api/request_rules.hpp"
#include "api/routes.hpp"
#include "server/bind_routes.hpp"
#include "server/client_address.hpp"
#include "server/connection.hpp"
#include "service/meta.hpp"
#include "util/memory.hpp"

namespace cpshare {

namespace {
// Bulk work waits on the one writer's group commit as much as it computes: a
// lane of one thread per CPU left one batch per fsync and halved ingest
// (bench/ingest.sh); eight per CPU keep the commits grouped.
constexpr unsigned kBulkThreadsPerCpu = 8;
}  // namespace

namespace {

void write_error(httplib::Response& res, const Error& e) {
  res.status = error_http_status(e.code);
  if (e.retry_after > 0) res.set_header("Retry-After", std::to_string(e.retry_after));
  // A message may quote what the client sent; bytes that are not UTF-8 become U+FFFD, not an exception.
  res.set_content(api::error_envelope(e).dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

std::string bearer_token(const httplib::Request& req) {
  return api::bearer_token(req.get_header_value("Authorization"));
}

// "/api/v1/sessions/{id}" → "/api/v1/sessions/([^/]+)"
std::string to_pattern(std::string_view path) {
  std::string out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '{') {
      i = path.find('}', i);
      out += "([^/]+)";
    } else if (path[i] == '.') {
      out += "\\.";
    } else {
      out += path[i];
    }
  }
  return out;
}

}  // namespace

struct HttpServer::Routes {
  RouteTable table;
  TrustedProxies proxies;
};

HttpServer::HttpServer(AccountServices& accounts, CatalogService& catalog, LeaseService& leases,
                       MetricsService& metrics, PlatformMetrics& platform, Logger& log, std::optional<TlsFiles> tls,
                       ServerOptions options)
    : routes_(std::make_unique<Routes>()),
      lane_(std::make_unique<BulkLane>(options.bulk_threads != 0
                                           ? options.bulk_threads
                                           : kBulkThreadsPerCpu * std::max(1U, std::thread::hardware_concurrency()))),
      accounts_(accounts),
      catalog_(catalog),
      leases_(leases),
      metrics_(metrics),
      platform_(platform),
      log_(log),
      options_(std::move(options)) {
  // The front door (server/connection.hpp): per-address connection cap,
  // deadlines, body caps however framed, pipelining, TLS. Each connection is
  // served on one of `threads` pool threads for its whole life; httplib's
  // default pool (8 on this machine) would leave the 9th keep-alive client
  // waiting for another to idle out.
  GuardConfig guard;
  guard.threads = options_.threads;
  guard.max_connections_per_address = options_.max_connections_per_address;
  guard.trusted_proxies = options_.trusted_proxies;
  if (tls) {
    guard.tls_cert = tls->cert;
    guard.tls_key = tls->key;
  }
  guard.warn = [this](const std::string& line) { log_.warn("{}", line); };
  server_ = std::make_unique<GuardedServer>(std::move(guard));
  server_->set_tcp_nodelay(true);
  server_->set_payload_max_length(8 * 1024 * 1024);
  server_->set_read_timeout(30, 0);
  server_->set_write_timeout(30, 0);
  server_->set_keep_alive_max_count(1000);
  install_routes();
}

HttpServer::~HttpServer() = default;

std::vector<std::string> HttpServer::handled_routes() const {
  std::vector<std::string> out;
  for (const auto& r : routes_->table.routes()) out.push_back(fmt::format("{} {}", api::method_name(r.method), r.path));
  return out;
}

void HttpServer::install_routes() {
  RouteTable& table = routes_->table;
  // The services bind their own endpoints (service/endpoint_table.hpp) ...
  EndpointTable endpoints;
  bind_meta_endpoints(endpoints);
  catalog_.bind(endpoints);
  leases_.bind(endpoints);
  leases_.bind_agent(endpoints);
  metrics_.bind(endpoints);
  platform_.bind(endpoints);
  accounts_.registration.bind(endpoints);
  accounts_.sessions.bind(endpoints);
  accounts_.profile.bind(endpoints);
  accounts_.review.bind(endpoints);
  table.add(endpoints);
  // ... but two that need more than one service or the HTTP request (routes_accounts.cpp).
  bind_account_routes(table, Services{accounts_, catalog_, leases_});
  serve_routes();
  install_fallbacks();
}

void HttpServer::serve_routes() {
  // X-Forwarded-For is read only from these peers (cpshared checked the
  // values; one that is not an address trusts nobody, so nothing is spoofable).
  auto trusted = TrustedProxies::parse(options_.trusted_proxies);
  if (!trusted) log_.error("{}; X-Forwarded-For is ignored", trusted.error().message);
  routes_->proxies = trusted.value_or(TrustedProxies{});
  // Serve every route of the table in api::route_specs() order (specific paths first).
  for (const auto& spec : api::route_specs()) {
    const Route* route = nullptr;
    for (const auto& r : routes_->table.routes())
      if (api::method_name(r.method) == spec.method && r.path == spec.path) route = &r;
    if (route == nullptr) {
      log_.error("route {} {} has no handler", spec.method, spec.path);
      continue;
    }
    if (route->auth != spec.auth)
      log_.error("route {} {}: its endpoint's auth is not the table's", spec.method, spec.path);
    serve(*route);
  }
}

void HttpServer::serve(const Route& route) {
  const RouteHandler handler = route.handler;
  const api::Auth auth = route.auth;
  BulkLane* const lane = route.bulk ? lane_.get() : nullptr;
  const std::string_view method = api::method_name(route.method), path = route.path;
  const std::vector<std::string> names = api::path_parameter_names(route.path);
  auto wrapped = [this, handler, auth, lane, names, method, path](const httplib::Request& req, httplib::Response& res) {
    auto started = std::chrono::steady_clock::now();
    RequestContext ctx{client_address(routes_->proxies, req), req.get_header_value("User-Agent")};
    std::vector<std::pair<std::string, std::string>> values;
    for (std::size_t i = 1; i < req.matches.size() && i <= names.size(); ++i)
      values.emplace_back(names[i - 1], req.matches[i].str());
    Result<> text_ok = api::check_request_text(values, {});
    const api::PathParams params(std::move(values));
    Result<Reply> reply = [&]() -> Result<Reply> {
      TRY(std::move(text_ok));
      TRY_ASSIGN(const api::Query query, request_query(req));
      std::optional<Caller> caller;
      if (auth == api::Auth::Agent) {
        ctx.agent_token = bearer_token(req);
        if (ctx.agent_token.empty())
          return fail(ErrorCode::Unauthenticated, "this endpoint takes the cluster's agent token (cpa_…) as a bearer");
      } else if (auth != api::Auth::None) {
        TRY_ASSIGN(caller, accounts_.sessions.authenticate(bearer_token(req), ctx));
        if (auth == api::Auth::Admin && caller->account.role != Role::Admin)
          return fail(ErrorCode::Forbidden, "this needs an administrator account");
      }
      const Caller* const who = caller ? &*caller : nullptr;
      if (lane != nullptr) return lane->run([&] { return handler(req, ctx, who, params, query); });
      return handler(req, ctx, who, params, query);
    }();
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Content-Type-Options", "nosniff");
    if (reply) {
      res.status = reply->status;
      if (reply->raw) {
        if (!reply->raw->disposition.empty()) res.set_header("Content-Disposition", reply->raw->disposition);
        res.set_content(reply->raw->bytes, reply->raw->content_type.c_str());
      } else {
        res.set_content(json{{"data", reply->data}}.dump(-1, ' ', false, json::error_handler_t::replace),
                        "application/json");
      }
    } else {
      if (reply.error().code == ErrorCode::Internal)
        log_.error("{} {}: {}", req.method, req.path, reply.error().message);
      write_error(res, reply.error());
    }
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    // Path only: query strings may hold activation tokens.
    log_.info("{} {} {} {:.1f}ms {}", req.method, req.path, res.status, ms, ctx.ip);
    platform_.requests().count(method, path, res.status);
  };
  const std::string pattern = to_pattern(route.path);
  switch (route.method) {
    case api::Method::Get: server_->Get(pattern, wrapped); break;
    case api::Method::Post: server_->Post(pattern, wrapped); break;
    case api::Method::Patch: server_->Patch(pattern, wrapped); break;
    case api::Method::Put: server_->Put(pattern, wrapped); break;
    case api::Method::Delete: server_->Delete(pattern, wrapped); break;
  }
}

void HttpServer::install_fallbacks() {
  // RFC 9112 §6.3: a request with neither Content-Length nor Transfer-Encoding
  // has an empty body. cpp-httplib 0.11 instead reads such a POST until the
  // client closes (a bare `curl -X POST` hung for the read timeout), so say
  // the length is 0 before the body is read.
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if ((req.method == "POST" || req.method == "PUT" || req.method == "PATCH" || req.method == "DELETE") &&
        !req.has_header("Content-Length") && !req.has_header("Transfer-Encoding"))
      const_cast<httplib::Request&>(req).headers.emplace("Content-Length", "0");  // the server's own object
    // Bad framing is refused, and a chunked body read, before routing.
    if (auto ready = front_door::prepare_body(req); !ready) {
      write_error(res, ready.error());
      log_.info("{} {} {} {}", req.method, req.path, res.status, req.remote_addr);
      platform_.requests().count("-", "unmatched", res.status);
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  // Everything else (unknown route, body too large, ...) still answers in the envelope.
  server_->set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request& req,
                                                                         httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    Error e;
    if (auto failed = front_door::read_failure(req, res.status)) {
      e = std::move(*failed);  // a deadline, a cap or refused framing; the connection closes
      res.status = error_http_status(e.code);
    } else if (res.status == 413) {
      e = Error{ErrorCode::PayloadTooLarge, "the request body is larger than 8 MiB", {}, 0};
    } else if (res.status == 404 || res.status == 405) {
      e = Error{
          ErrorCode::NotFound, fmt::format("no route {} {}; see /api/v1/openapi.yaml", req.method, req.path), {}, 0};
    } else if (res.status >= 500) {
      e = Error{ErrorCode::Internal, "internal error", {}, 0};
    } else {
      e = Error{ErrorCode::MalformedRequest, "the request could not be read", {}, 0};
    }
    int status = res.status == 405 ? 404 : res.status;
    write_error(res, e);
    res.status = status;
    // A request whose headers were never read has no address of its own yet.
    std::string who = req.remote_addr.empty() ? front_door::connection_peer() : client_address(routes_->proxies, req);
    log_.info("{} {} {} {}", req.method.empty() ? "-" : req.method, req.path.empty() ? "-" : req.path, res.status, who);
    // Not the request's method or path: a client's made-up ones would make a series each.
    platform_.requests().count("-", "unmatched", res.status);
    return httplib::Server::HandlerResponse::Handled;
  }));
  server_->set_exception_handler([this](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {}
    log_.error("{} {}: unhandled exception: {}", req.method, req.path, what);
    write_error(
        res, Error{ErrorCode::Internal, "internal error; the administrator can find details in the daemon log", {}, 0});
  });
}

namespace {

void listen_socket_options(int sock) { HttpServer::listen_socket_options(sock); }

// Why binding host:port failed, for the message (cpp-httplib only says that it
// did): bind a socket of our own to each of the host's addresses as httplib
// does, and name the first error met; "" when every address binds (it is free).
std::string bind_failure(const std::string& host, int port) {
  const std::string where = fmt::format("{}:{}", host.find(':') != std::string::npos ? "[" + host + "]" : host, port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0)
    return fmt::format("cannot listen on {}: {} is not a host name or address of this host ({})", where, host,
                       ::gai_strerror(rc));
  int err = 0;
  for (addrinfo* a = found; a != nullptr && err != EADDRINUSE; a = a->ai_next) {
    int sock = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (sock < 0) {
      err = errno;
      continue;
    }
    listen_socket_options(sock);
    err = ::bind(sock, a->ai_addr, a->ai_addrlen) == 0 ? 0 : errno;
    ::close(sock);
  }
  ::freeaddrinfo(found);
  switch (err) {
    case EADDRINUSE:
      return fmt::format(
          "cannot listen on {}: address in use (another cpshared, or another program, listens there); "
          "stop it or give another --listen",
          where);
    case EADDRNOTAVAIL: return fmt::format("cannot listen on {}: {} is not an address of this host", where, host);
    case EACCES: return fmt::format("cannot listen on {}: permission denied (ports below 1024 need privileges)", where);
    case 0: return {};
    default: return fmt::format("cannot listen on {}: {}", where, std::strerror(err));
  }
}

std::string failure_or_free(const std::string& host, int port) {
  std::string why = bind_failure(host, port);
  return why.empty() ? fmt::format("cannot listen on {}:{} (it is free now: try again)", host, port) : why;
}

}  // namespace

void HttpServer::listen_socket_options(int sock) {
  int yes = 1;
  ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

Result<> HttpServer::check_can_listen(const std::string& host, int port) {
  if (port == 0) return {};
  if (std::string why = bind_failure(host, port); !why.empty()) return fail(ErrorCode::Internal, std::move(why));
  return {};
}

Result<int> HttpServer::bind(const std::string& host, int port) {
  if (!server_->is_valid())
    return fail(ErrorCode::Internal, fmt::format("the HTTP server could not be set up: {}",
                                                 static_cast<GuardedServer&>(*server_).tls_error()));
  // Debian's cpp-httplib 0.11 is built with a listen backlog of 5: 32 clients
  // connecting at once overflow it (the kernel falls back to SYN cookies and
  // drops some). Note the listening socket as it is made, and widen the
  // backlog once bound (listen() again only changes the backlog).
  int listen_fd = -1;
  server_->set_socket_options([&listen_fd](socket_t sock) {
    listen_socket_options(sock);
    listen_fd = sock;
  });
  int bound = port;
  if (port == 0) {
    bound = server_->bind_to_any_port(host);
    if (bound < 0) return fail(ErrorCode::Internal, failure_or_free(host, 0));
  } else if (!server_->bind_to_port(host, port)) {
    return fail(ErrorCode::Internal, failure_or_free(host, port));
  }
  server_->set_socket_options(listen_socket_options);
  if (listen_fd >= 0) ::listen(listen_fd, SOMAXCONN);
  return bound;
}

Result<> HttpServer::run() {
  if (!server_->listen_after_bind()) return fail(ErrorCode::Internal, "the HTTP server stopped with an error");
  return {};
}

void HttpServer::stop() { server_->stop(); }

}  // namespace cpshare
