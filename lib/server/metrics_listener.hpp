// cpshared --metrics-listen HOST:PORT (issue 11, Build point 7): a second,
// plain-HTTP listener that answers only `GET /metrics` (the Prometheus text
// of service/platform_metrics.hpp) without a token, for a Prometheus on this
// host. HOST must be a loopback address (127.0.0.0/8, ::1, localhost): the
// page names every cluster and its readings; a scraper elsewhere uses
// `GET /metrics` on the main address with an admin token. Any other path:
// 404; any other method: 405.
#pragma once

#include <memory>
#include <string>

#include "service/platform_metrics.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace httplib {
class Server;
}

namespace cpshare {

class MetricsListener {
 public:
  MetricsListener(PlatformMetrics& platform, Logger& log);
  ~MetricsListener();
  MetricsListener(const MetricsListener&) = delete;
  MetricsListener& operator=(const MetricsListener&) = delete;

  // Binds host:port (port 0: any free one) → the bound port. INTERNAL (as
  // HttpServer::bind) when it cannot. cpshared checks that host is loopback.
  Result<int> bind(const std::string& host, int port);
  // Serves until stop() (blocks; run it on a thread of its own).
  Result<> run();
  void stop();

 private:
  std::unique_ptr<httplib::Server> server_;
  PlatformMetrics& platform_;
  Logger& log_;
};

}  // namespace cpshare
