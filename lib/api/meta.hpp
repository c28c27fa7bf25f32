// The daemon's own endpoints: health, its OpenAPI document, the terms text,
// and its metrics in the Prometheus text format (service/platform_metrics.hpp).
#pragma once

#include <string>
#include <tuple>

#include "api/endpoint.hpp"

namespace cpshare::api {

struct HealthView {
  std::string status;   // "ok"
  std::string version;  // the daemon's, "0.1.0"
  Time time;            // the daemon's clock
};
template <>
struct Wire<HealthView> {
  static constexpr auto fields = std::tuple{member("status", &HealthView::status),
                                            member("version", &HealthView::version), member("time", &HealthView::time)};
};

struct TermsView {
  std::string version;    // "2026-11-01"
  std::string agreement;  // the registration agreement (Chinese text)
  std::string privacy;    // the privacy policy
};
template <>
struct Wire<TermsView> {
  static constexpr auto fields =
      std::tuple{member("version", &TermsView::version), member("agreement", &TermsView::agreement),
                 member("privacy", &TermsView::privacy)};
};

namespace endpoint {

struct Health {
  static constexpr Method method = Method::Get;
  static constexpr std::string_view path = "/api/v1/health";
  static constexpr Auth auth = Auth::None;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Daemon health and version";
  using Request = NoRequest;
  using Response = HealthView;
};

struct OpenApiDocument {
  static constexpr Method method = Method::Get;
  static constexpr std::string_view path = "/api/v1/openapi.yaml";
  static constexpr Auth auth = Auth::None;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "This API's OpenAPI document";
  using Request = NoRequest;
  using Response = RawBody;
};

struct Terms {
  static constexpr Method method = Method::Get;
  static constexpr std::string_view path = "/api/v1/terms";
  static constexpr Auth auth = Auth::None;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Current registration agreement and privacy policy";
  using Request = NoRequest;
  using Response = TermsView;
};

// The Prometheus text exposition (version 0.0.4) of the platform's counters
// and each B-class cluster's newest readings (issue 11, Build point 7).
// Admins only here; cpshared --metrics-listen serves it without a token on a
// loopback address of its own.
struct PrometheusMetrics {
  static constexpr Method method = Method::Get;
  static constexpr std::string_view path = "/metrics";
  static constexpr Auth auth = Auth::Admin;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Platform and cluster metrics for Prometheus";
  using Request = NoRequest;
  using Response = RawBody;
};

}  // namespace endpoint

// This area's endpoints in route order: a path before a template that would
// also match it. api/endpoints.hpp joins the areas; a new endpoint of this
// area is listed here and nowhere else.
using MetaEndpoints =
    std::tuple<endpoint::Health, endpoint::OpenApiDocument, endpoint::Terms, endpoint::PrometheusMetrics>;

}  // namespace cpshare::api
