// The daemon's HTTP face: binds the route table (api/routes.hpp) to service
// calls, wraps every answer in the one envelope, checks sessions and roles,
// and logs each request without secrets (method, path, status, time, address).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "service/accounts.hpp"
#include "service/catalog.hpp"
#include "service/leases.hpp"
#include "service/metrics.hpp"
#include "service/platform_metrics.hpp"
#include "util/bulk_lane.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace httplib {
class Server;
}

namespace cpshare {

struct Route;  // server/route_table.hpp

struct TlsFiles {
  std::string cert;
  std::string key;
};

// How the daemon meets its clients (cpshared's flags of the same names).
struct ServerOptions {
  // Connections served at once (a keep-alive connection holds its thread
  // until it closes or idles out).
  int threads = 64;
  // Connections one client address may hold at once; 0: no cap.
  int max_connections_per_address = 32;
  // Peers (a reverse proxy on this host, say) whose X-Forwarded-For names the
  // client; their own address is not capped.
  std::vector<std::string> trusted_proxies;
  // Threads of the bulk lane (util/bulk_lane.hpp) that answer bulk endpoints
  // (api::is_bulk: an agent's samples) at nice +10; 0: eight per CPU.
  unsigned bulk_threads = 0;
};

class HttpServer {
 public:
  // Every answer is counted in platform's RequestCounters (GET /metrics).
  HttpServer(AccountServices& accounts, CatalogService& catalog, LeaseService& leases, MetricsService& metrics,
             PlatformMetrics& platform, Logger& log, std::optional<TlsFiles> tls, ServerOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds host:port (port 0 picks a free one) and returns the bound port.
  // SO_REUSEADDR but not SO_REUSEPORT: a port another socket listens on fails
  // (INTERNAL, "cannot listen on HOST:PORT: address in use ..."), so two
  // daemons never share one address.
  Result<int> bind(const std::string& host, int port);
  // Whether host:port could be bound now (a probe socket, closed at once), so a
  // daemon whose address is taken stops before it creates anything; bind()
  // still decides. Port 0 always can. Errors as bind's.
  static Result<> check_can_listen(const std::string& host, int port);
  // The listening socket's options, in place of cpp-httplib 0.11's defaults,
  // which set SO_REUSEPORT on Linux: with it a second daemon could bind the
  // same port and the kernel would split connections between the two (and
  // their two databases). SO_REUSEADDR alone still lets a restart bind at once
  // over connections in TIME_WAIT, and Linux refuses it while another socket listens.
  static void listen_socket_options(int sock);
  // Serves until stop() (blocks).
  Result<> run();
  void stop();

  // "METHOD /template" of every route that has a handler (tests compare this
  // with api::route_specs()).
  std::vector<std::string> handled_routes() const;

 private:
  struct Routes;  // the route table and the trusted proxies
  // Adds every service's endpoints and the rows of server/bind_routes.hpp, serves them, then the fallbacks.
  void install_routes();
  void serve_routes();
  void serve(const Route& route);
  // Pre-routing (framing, empty bodies), the envelope for unrouted and unreadable requests, exceptions.
  void install_fallbacks();
  std::unique_ptr<Routes> routes_;
  std::unique_ptr<BulkLane> lane_;  // outlives server_: its threads may wait on it
  std::unique_ptr<httplib::Server> server_;
  AccountServices& accounts_;
  CatalogService& catalog_;
  LeaseService& leases_;
  MetricsService& metrics_;
  PlatformMetrics& platform_;
  Logger& log_;
  ServerOptions options_;
};

}  // namespace cpshare
