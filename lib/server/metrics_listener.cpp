#include "server/metrics_listener.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include "server/http_server.hpp"

namespace cpshare {

MetricsListener::MetricsListener(PlatformMetrics& platform, Logger& log)
    : server_(std::make_unique<httplib::Server>()), platform_(platform), log_(log) {
  server_->set_tcp_nodelay(true);
  server_->set_read_timeout(10, 0);
  server_->set_write_timeout(10, 0);
  server_->set_socket_options(HttpServer::listen_socket_options);
  server_->Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
    auto text = platform_.exposition();
    if (!text) {
      log_.error("GET /metrics (metrics listener): {}", text.error().message);
      res.status = 500;
      res.set_content("cpshared could not read its metrics; see its log\n", "text/plain; charset=utf-8");
      return;
    }
    res.set_content(std::move(*text), PlatformMetrics::kContentType);
    log_.info("GET /metrics 200 (metrics listener) {}", req.remote_addr);
  });
  // Everything else is answered before routing, so no body is ever read here.
  server_->set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (req.path == "/metrics" && (req.method == "GET" || req.method == "HEAD"))
      return httplib::Server::HandlerResponse::Unhandled;
    res.status = req.path == "/metrics" ? 405 : 404;
    if (res.status == 405) res.set_header("Allow", "GET, HEAD");
    res.set_content(res.status == 405 ? "only GET /metrics here\n" : "not found: this listener serves GET /metrics\n",
                    "text/plain; charset=utf-8");
    return httplib::Server::HandlerResponse::Handled;
  });
}

MetricsListener::~MetricsListener() = default;

Result<int> MetricsListener::bind(const std::string& host, int port) {
  TRY(HttpServer::check_can_listen(host, port));
  int bound = port;
  if (port == 0) {
    bound = server_->bind_to_any_port(host);
    if (bound < 0) return fail(ErrorCode::Internal, fmt::format("cannot listen on {}:0 for metrics", host));
  } else if (!server_->bind_to_port(host, port)) {
    return fail(ErrorCode::Internal, fmt::format("cannot listen on {}:{} for metrics", host, port));
  }
  return bound;
}

Result<> MetricsListener::run() {
  if (!server_->listen_after_bind()) return fail(ErrorCode::Internal, "the metrics listener stopped with an error");
  return {};
}

void MetricsListener::stop() { server_->stop(); }

}  // namespace cpshare
