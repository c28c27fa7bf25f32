#include "server/http_server.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <regex>

#include <fmt/format.h>
#include <httplib.h>

#include "api/envelope.hpp"
#include "api/openapi_doc.hpp"
#include "api/request_rules.hpp"
#include "api/routes.hpp"
#include "server/client_address.hpp"
#include "server/connection.hpp"
#include "service/terms.hpp"
#include "util/memory.hpp"

namespace cpshare {

namespace {

using Params = std::vector<std::string>;  // path parameters in template order

struct Reply {
  int status = 200;
  json data;
  // Raw replies (openapi.yaml, licence files, the activation page) bypass the envelope.
  std::optional<std::string> raw_body;
  std::string raw_type;
  std::string disposition;
};

using Handler =
    std::function<Result<Reply>(const httplib::Request&, const RequestContext&, const Caller*, const Params&)>;

Reply ok(json data, int status = 200) { return Reply{status, std::move(data), std::nullopt, {}, {}}; }

void write_error(httplib::Response& res, const Error& e) {
  res.status = error_http_status(e.code);
  if (e.retry_after > 0) res.set_header("Retry-After", std::to_string(e.retry_after));
  // A message may quote what the client sent; bytes that are not UTF-8 become U+FFFD, not an exception.
  res.set_content(api::error_envelope(e).dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

// The rules are api::parse_json_body's (Content-Type, depth, duplicate keys).
Result<json> parse_body(const httplib::Request& req) {
  return api::parse_json_body(req.body, req.get_header_value("Content-Type"));
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

Result<bool> query_bool(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return false;
  const std::string v = req.get_param_value(name);
  if (v != "true" && v != "false") return fail_fields({{name, "must be true or false"}});
  return v == "true";
}

Result<int> query_int(const httplib::Request& req, const char* name, int def, int min, int max) {
  if (!req.has_param(name)) return def;
  std::string v = req.get_param_value(name);
  try {
    std::size_t used = 0;
    long long n = std::stoll(v, &used);
    if (used == v.size() && n >= min && n <= max) return static_cast<int>(n);
  } catch (...) {}
  return fail_fields({{name, fmt::format("must be an integer from {} to {}", min, max)}});
}

// A body at least this large gets its freed memory returned (malloc_trim walks the heap; small bodies skip it).
constexpr std::size_t kTrimAfterBody = 256 * 1024;

// A route that reads a JSON body: fn(body, ctx, caller, params) -> Result<json>.
template <class F>
Handler with_body(int status, F fn) {
  return [status, fn](const httplib::Request& req, const RequestContext& ctx, const Caller* caller,
                      const Params& params) -> Result<Reply> {
    Result<json> out = [&]() -> Result<json> {
      TRY_ASSIGN(json body, parse_body(req));
      return fn(body, ctx, caller, params);
    }();
    // The tree of a large body is freed now; give its pages back (issue 9:
    // glibc kept them, and the daemon's RSS grew by each attack).
    if (req.body.size() >= kTrimAfterBody) memory::release_freed();
    if (!out) return std::unexpected(std::move(out.error()));
    return ok(std::move(*out), status);
  };
}

// A route without a body: fn(request, ctx, caller, params) -> Result<json>.
template <class F>
Handler without_body(F fn) {
  return [fn](const httplib::Request& req, const RequestContext& ctx, const Caller* caller,
              const Params& params) -> Result<Reply> {
    TRY_ASSIGN(json out, fn(req, ctx, caller, params));
    return ok(std::move(out));
  };
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string activation_page(bool success, const std::string& message) {
  return fmt::format(
      "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>cpshare</title></head>"
      "<body><h1>{}</h1><p>{}</p></body></html>\n",
      success ? "Account activated / 账户已激活" : "Activation failed / 激活失败", html_escape(message));
}

}  // namespace

struct HttpServer::Routes {
  std::map<std::string, Handler> handlers;
};

HttpServer::HttpServer(AccountService& accounts, CatalogService& catalog, LeaseService& leases, Logger& log,
                       std::optional<TlsFiles> tls, ServerOptions options)
    : routes_(std::make_unique<Routes>()),
      accounts_(accounts),
      catalog_(catalog),
      leases_(leases),
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
  for (const auto& [k, _] : routes_->handlers) out.push_back(k);
  return out;
}

void HttpServer::install_routes() {
  auto& h = routes_->handlers;
  AccountService& acc = accounts_;

  h["GET /api/v1/health"] = [](auto&, auto&, auto, auto&) -> Result<Reply> {
    return ok({{"status", "ok"}, {"version", CPSHARE_VERSION}, {"time", rfc3339(SystemClock{}.now())}});
  };
  h["GET /api/v1/openapi.yaml"] = [](auto&, auto&, auto, auto&) -> Result<Reply> {
    Reply r;
    r.raw_body = std::string(api::openapi_yaml());
    r.raw_type = "application/yaml";
    return r;
  };
  h["GET /api/v1/terms"] = [](auto&, auto&, auto, auto&) -> Result<Reply> {
    return ok({{"version", terms::kVersion}, {"agreement", terms::agreement()}, {"privacy", terms::privacy()}});
  };
  // Most routes read a JSON body (`with_body`) or none (`without_body`) and
  // answer the service's JSON in the envelope.
  h["POST /api/v1/users"] =
      with_body(201, [&acc](auto& b, auto& ctx, auto, auto&) { return acc.register_user(b, ctx); });
  h["POST /api/v1/suppliers"] =
      with_body(201, [&acc](auto& b, auto& ctx, auto, auto&) { return acc.register_supplier(b, ctx); });
  h["POST /api/v1/activate"] =
      with_body(200, [&acc](auto& b, auto& ctx, auto, auto&) { return acc.activate_with_code(b, ctx); });
  h["GET /api/v1/activate"] = [&acc](const httplib::Request& req, const RequestContext& ctx, const Caller*,
                                     const Params&) -> Result<Reply> {
    auto r = acc.activate_with_link(req.get_param_value("token"), ctx);
    // A person clicking the mailed link gets a page; scripts get the envelope.
    if (req.get_header_value("Accept").find("text/html") != std::string::npos) {
      Reply page;
      page.status = r ? 200 : error_http_status(r.error().code);
      page.raw_body = r ? activation_page(true, fmt::format("Account {} is {}. Log in with: cpshare login",
                                                            (*r)["account"]["username"].get<std::string>(),
                                                            (*r)["account"]["status"].get<std::string>()))
                        : activation_page(false, r.error().message);
      page.raw_type = "text/html; charset=utf-8";
      return page;
    }
    if (!r) return std::unexpected(r.error());
    return ok(*r);
  };
  h["POST /api/v1/activate/resend"] =
      with_body(200, [&acc](auto& b, auto& ctx, auto, auto&) { return acc.resend_activation(b, ctx); });
  h["POST /api/v1/sessions"] = with_body(201, [&acc](auto& b, auto& ctx, auto, auto&) { return acc.login(b, ctx); });
  h["GET /api/v1/sessions"] = without_body([&acc](auto&, auto&, auto c, auto&) { return acc.list_sessions(*c); });
  h["DELETE /api/v1/sessions/current"] =
      without_body([&acc](auto&, auto& ctx, auto c, auto&) { return acc.logout(*c, ctx); });
  h["DELETE /api/v1/sessions/{id}"] =
      without_body([&acc](auto&, auto& ctx, auto c, auto& p) { return acc.revoke_session(*c, p.at(0), ctx); });
  h["GET /api/v1/me"] = without_body([&acc](auto&, auto&, auto c, auto&) { return acc.profile(*c); });
  h["PATCH /api/v1/me"] =
      with_body(200, [&acc](auto& b, auto& ctx, auto c, auto&) { return acc.update_profile(*c, b, ctx); });
  // Deregistration ends the account's leases (and, for a supplier, those of
  // its clusters) in the transaction that closes the account (R-LEASE-7).
  h["DELETE /api/v1/me"] =
      with_body(200, [&acc, this](auto& b, auto& ctx, auto c, auto&) { return leases_.deregister(acc, *c, b, ctx); });
  h["POST /api/v1/me/password"] =
      with_body(200, [&acc](auto& b, auto& ctx, auto c, auto&) { return acc.change_password(*c, b, ctx); });
  h["POST /api/v1/me/mfa"] = with_body(200, [&acc](auto& b, auto&, auto c, auto&) { return acc.mfa_begin(*c, b); });
  h["POST /api/v1/me/mfa/confirm"] =
      with_body(200, [&acc](auto& b, auto& ctx, auto c, auto&) { return acc.mfa_confirm(*c, b, ctx); });
  h["DELETE /api/v1/me/mfa"] =
      with_body(200, [&acc](auto& b, auto& ctx, auto c, auto&) { return acc.mfa_disable(*c, b, ctx); });
  h["GET /api/v1/admin/reviews"] = without_body([&acc](const httplib::Request& req, auto&, auto, auto&) {
    return acc.review_list(req.get_param_value("status"));
  });
  h["GET /api/v1/admin/reviews/{username}/licence"] = [&acc](auto&, auto&, auto, const Params& p) -> Result<Reply> {
    TRY_ASSIGN(auto lic, acc.review_licence(p.at(0)));
    Reply r;
    r.raw_body = std::move(lic.bytes);
    r.raw_type = lic.content_type;
    r.disposition = api::attachment_disposition(lic.filename);
    return r;
  };
  h["POST /api/v1/admin/reviews/{username}/approve"] = with_body(
      200, [&acc](auto& b, auto& ctx, auto c, auto& p) { return acc.review_decide(*c, p.at(0), true, b, ctx); });
  h["POST /api/v1/admin/reviews/{username}/reject"] = with_body(
      200, [&acc](auto& b, auto& ctx, auto c, auto& p) { return acc.review_decide(*c, p.at(0), false, b, ctx); });
  h["GET /api/v1/admin/audit"] = without_body([&acc](const httplib::Request& req, auto&, auto, auto&) -> Result<json> {
    AuditQuery q;
    TRY_ASSIGN(q.limit, query_int(req, "limit", 100, 1, 1000));
    if (req.has_param("before")) {
      TRY_ASSIGN(int before, query_int(req, "before", 0, 1, std::numeric_limits<int>::max()));
      q.before_id = before;
    }
    if (req.has_param("event")) q.event = req.get_param_value("event");
    if (req.has_param("username")) q.username = req.get_param_value("username");
    return acc.audit(q);
  });

  CatalogService& cat = catalog_;
  h["POST /api/v1/clusters"] =
      with_body(201, [&cat](auto& b, auto& ctx, auto c, auto&) { return cat.publish(*c, b, ctx); });
  h["GET /api/v1/clusters"] = without_body([&cat](const httplib::Request& req, auto&, auto c, auto&) -> Result<json> {
    ListRequest q;
    q.filter = req.get_param_value("filter");
    q.sort = req.get_param_value("sort");
    TRY_ASSIGN(q.limit, query_int(req, "limit", 50, 1, 500));
    TRY_ASSIGN(q.offset, query_int(req, "offset", 0, 0, std::numeric_limits<int>::max()));
    if (req.has_param("mine")) {
      std::string mine = req.get_param_value("mine");
      if (mine != "true" && mine != "false") return fail_fields({{"mine", "must be true or false"}});
      q.mine = mine == "true";
    }
    q.region = req.get_param_value("region");
    return cat.list(*c, q);
  });
  h["GET /api/v1/clusters/{cpc_id}"] =
      without_body([&cat](auto&, auto&, auto c, auto& p) { return cat.show(*c, p.at(0)); });
  h["PATCH /api/v1/clusters/{cpc_id}"] =
      with_body(200, [&cat](auto& b, auto& ctx, auto c, auto& p) { return cat.update(*c, p.at(0), b, ctx); });
  h["POST /api/v1/clusters/{cpc_id}/delist"] =
      with_body(200, [&cat](auto&, auto& ctx, auto c, auto& p) { return cat.set_listed(*c, p.at(0), false, ctx); });
  h["POST /api/v1/clusters/{cpc_id}/relist"] =
      with_body(200, [&cat](auto&, auto& ctx, auto c, auto& p) { return cat.set_listed(*c, p.at(0), true, ctx); });
  h["GET /api/v1/clusters/{cpc_id}/units"] =
      without_body([&cat](auto&, auto&, auto c, auto& p) { return cat.units(*c, p.at(0)); });
  h["POST /api/v1/clusters/{cpc_id}/verify"] =
      with_body(200, [&cat](auto& b, auto& ctx, auto c, auto& p) { return cat.verify(*c, p.at(0), b, ctx); });
  h["PUT /api/v1/clusters/{cpc_id}/units/{index}"] = with_body(
      200, [&cat](auto& b, auto& ctx, auto c, auto& p) { return cat.set_unit(*c, p.at(0), p.at(1), b, ctx); });

  LeaseService& ls = leases_;
  h["POST /api/v1/leases"] =
      with_body(201, [&ls](auto& b, auto& ctx, auto c, auto&) { return ls.request(*c, b, ctx); });
  h["GET /api/v1/leases"] = without_body([&ls](const httplib::Request& req, auto&, auto c, auto&) -> Result<json> {
    TRY_ASSIGN(bool incoming, query_bool(req, "incoming"));
    return ls.list(*c, incoming, req.get_param_value("state"));
  });
  h["GET /api/v1/leases/{lease_id}"] =
      without_body([&ls](const httplib::Request& req, auto&, auto c, auto& p) -> Result<json> {
        TRY_ASSIGN(bool access, query_bool(req, "access"));
        return ls.show(*c, p.at(0), access);
      });
  h["POST /api/v1/leases/{lease_id}/approve"] =
      with_body(200, [&ls](auto&, auto& ctx, auto c, auto& p) { return ls.approve(*c, p.at(0), ctx); });
  h["POST /api/v1/leases/{lease_id}/reject"] =
      with_body(200, [&ls](auto& b, auto& ctx, auto c, auto& p) { return ls.reject(*c, p.at(0), b, ctx); });
  h["POST /api/v1/leases/{lease_id}/release"] =
      with_body(200, [&ls](auto&, auto& ctx, auto c, auto& p) { return ls.release(*c, p.at(0), ctx); });
  h["POST /api/v1/leases/{lease_id}/terminate"] =
      with_body(200, [&ls](auto& b, auto& ctx, auto c, auto& p) { return ls.terminate(*c, p.at(0), b, ctx); });
  h["POST /api/v1/redeem"] = with_body(200, [&ls](auto& b, auto& ctx, auto c, auto&) { return ls.redeem(*c, b, ctx); });
  h["POST /api/v1/redeem/check"] =
      with_body(200, [&ls](auto& b, auto& ctx, auto c, auto&) { return ls.check_code(*c, b, ctx); });
  h["GET /api/v1/bills"] = without_body([&ls](const httplib::Request& req, auto&, auto c, auto&) {
    return ls.ledger(*c, req.get_param_value("month"), false);
  });
  h["GET /api/v1/earnings"] = without_body([&ls](const httplib::Request& req, auto&, auto c, auto&) {
    return ls.ledger(*c, req.get_param_value("month"), true);
  });

  // X-Forwarded-For is read only from these peers (cpshared checked the
  // values; one that is not an address trusts nobody, so nothing is spoofable).
  auto trusted = TrustedProxies::parse(options_.trusted_proxies);
  if (!trusted) log_.error("{}; X-Forwarded-For is ignored", trusted.error().message);
  const TrustedProxies proxies = trusted.value_or(TrustedProxies{});

  // Bind every route of the table, in table order (specific paths first).
  for (const auto& spec : api::route_specs()) {
    std::string key = fmt::format("{} {}", spec.method, spec.path);
    auto it = h.find(key);
    if (it == h.end()) {
      log_.error("route {} has no handler", key);
      continue;
    }
    Handler handler = it->second;
    api::Auth auth = spec.auth;
    auto wrapped = [this, handler, auth, key, proxies](const httplib::Request& req, httplib::Response& res) {
      auto started = std::chrono::steady_clock::now();
      RequestContext ctx{client_address(proxies, req), req.get_header_value("User-Agent")};
      Params params;
      for (std::size_t i = 1; i < req.matches.size(); ++i) params.push_back(req.matches[i].str());
      Result<Reply> reply = [&]() -> Result<Reply> {
        std::optional<Caller> caller;
        if (auth != api::Auth::None) {
          TRY_ASSIGN(caller, accounts_.authenticate(bearer_token(req), ctx));
          if (auth == api::Auth::Admin && caller->account.role != Role::Admin)
            return fail(ErrorCode::Forbidden, "this needs an administrator account");
        }
        return handler(req, ctx, caller ? &*caller : nullptr, params);
      }();
      res.set_header("Cache-Control", "no-store");
      res.set_header("X-Content-Type-Options", "nosniff");
      if (reply) {
        res.status = reply->status;
        if (reply->raw_body) {
          if (!reply->disposition.empty()) res.set_header("Content-Disposition", reply->disposition);
          res.set_content(*reply->raw_body, reply->raw_type.c_str());
        } else {
          res.set_content(json{{"data", reply->data}}.dump(), "application/json");
        }
      } else {
        if (reply.error().code == ErrorCode::Internal)
          log_.error("{} {}: {}", req.method, req.path, reply.error().message);
        write_error(res, reply.error());
      }
      auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
      // Path only: query strings may hold activation tokens.
      log_.info("{} {} {} {:.1f}ms {}", req.method, req.path, res.status, ms, ctx.ip);
    };
    std::string pattern = to_pattern(spec.path);
    if (spec.method == "GET")
      server_->Get(pattern, wrapped);
    else if (spec.method == "POST")
      server_->Post(pattern, wrapped);
    else if (spec.method == "PATCH")
      server_->Patch(pattern, wrapped);
    else if (spec.method == "PUT")
      server_->Put(pattern, wrapped);
    else if (spec.method == "DELETE")
      server_->Delete(pattern, wrapped);
  }

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
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  // Everything else (unknown route, body too large, ...) still answers in the envelope.
  server_->set_error_handler(httplib::Server::HandlerWithResponse([this, proxies](const httplib::Request& req,
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
    std::string who = req.remote_addr.empty() ? front_door::connection_peer() : client_address(proxies, req);
    log_.info("{} {} {} {}", req.method.empty() ? "-" : req.method, req.path.empty() ? "-" : req.path, res.status, who);
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

// The listening socket's options, in place of cpp-httplib 0.11's defaults,
// which set SO_REUSEPORT on Linux: with it a second daemon could bind the same
// port and the kernel would split connections between the two (and their two
// databases). SO_REUSEADDR alone still lets a restart bind at once over
// connections in TIME_WAIT, and Linux refuses it while another socket listens.
void listen_socket_options(int sock) {
  int yes = 1;
  ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

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
