// Requests the daemon answered, by route and status (issue 11, Build point 7:
// the platform counters of `GET /metrics`). HttpServer counts every answer:
// a routed request under its route's method and OpenAPI template
// ("GET /api/v1/clusters/{cpc_id}"), never the raw path (its values would make
// a series per cluster, and a path may hold a token); an answer given before
// routing (no route, unreadable framing, over a cap) under method "-" and
// route "unmatched". Counts only grow (Prometheus counters, reset at restart).
// Thread-safe; one short mutex hold per request.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace cpshare {

class RequestCounters {
 public:
  struct Row {
    std::string method;  // "GET", or "-" before routing
    std::string route;   // the OpenAPI template, or "unmatched"
    int status = 0;      // the HTTP status answered
    std::uint64_t count = 0;
  };

  void count(std::string_view method, std::string_view route, int status);
  // Every (method, route, status) seen, sorted, with its count.
  std::vector<Row> snapshot() const;
  // The sum over the rows of one route whose status is 2xx.
  std::uint64_t succeeded(std::string_view method, std::string_view route) const;

 private:
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> counts_;
};

}  // namespace cpshare
