// HTTP client for the cpshared API (docs/design/accounts.md, "Conventions").
// Unwraps the response envelope: {"data":…} becomes the value, {"error":…}
// becomes a cpshare::Error with the server's code, message, fields and retry_after.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/endpoint.hpp"
#include "util/error.hpp"

namespace httplib {
class Client;
}

namespace cpshare::client {

using nlohmann::json;

// A server URL: http(s)://host[:port], no path. `canonical` is the form used as
// the key in hosts.json (lower-case scheme and host, no trailing slash).
struct ServerUrl {
  std::string scheme;  // "http" | "https"
  std::string host;    // without brackets for IPv6
  int port = 0;        // explicit or the scheme's default
  std::string canonical;
};
Result<ServerUrl> parse_server_url(std::string_view url);

using Query = std::vector<std::pair<std::string, std::string>>;

// Decodes an API response. 2xx with {"data":X} → X; otherwise the envelope's
// error (unknown codes → Internal); a body that is no envelope → Internal naming
// the HTTP status. `retry_after_header` fills retry_after when the body lacks it.
Result<json> parse_envelope(int status, std::string_view body, std::string_view retry_after_header = {});

struct ClientOptions {
  std::string server;   // as given; parsed with parse_server_url
  std::string ca_file;  // PEM CA bundle for https; empty = system store
  std::string token;    // bearer token; empty = anonymous
  std::chrono::seconds connect_timeout{5};
  std::chrono::seconds io_timeout{30};
};

class ApiClient {
 public:
  static Result<ApiClient> open(const ClientOptions& options);
  ApiClient(ApiClient&&) noexcept;
  ApiClient& operator=(ApiClient&&) noexcept;
  ~ApiClient();

  // Calls endpoint E (api/endpoint.hpp): its path with each {name} filled from
  // `path` (percent-encoded), the request sent as its JSON body or query
  // string, and the answer read strictly as E::Response (api::decode: a
  // missing or mistyped member is an error naming it). Errors: the daemon's
  // (its envelope), unreachable (see unreachable()), or Internal when the
  // answer does not fit the contract.
  template <api::Endpoint E>
  Result<typename E::Response> call(const typename E::Request& request = {},
                                    const std::vector<std::pair<std::string, std::string>>& path = {});

  // True once a request failed to reach the server (connection, TLS, timeout):
  // the CLI's exit status 6, as distinct from an error the server answered.
  bool unreachable() const { return unreachable_; }
  const ServerUrl& server() const { return url_; }

 private:
  ApiClient(ServerUrl url, std::unique_ptr<httplib::Client> http);
  struct Raw;
  Result<Raw> send(std::string_view method, std::string_view path, const json* body,
                   std::string_view accept = "application/json");

  // One request: method, path (with query), body (null: none); the envelope's data.
  Result<json> exchange(api::Method method, const std::string& target, const json& body);
  // A GET whose successful answer is raw bytes (e.g. a licence file); errors as for exchange.
  Result<api::RawBody> exchange_raw(const std::string& target);
  ServerUrl url_;
  std::unique_ptr<httplib::Client> http_;
  bool unreachable_ = false;
};

// "cpshare/0.1.0"
std::string user_agent();

// path?k=v&… with both percent-encoded.
std::string with_query(std::string_view path, const Query& query);

template <api::Endpoint E>
Result<typename E::Response> ApiClient::call(const typename E::Request& request,
                                             const std::vector<std::pair<std::string, std::string>>& path) {
  using Req = typename E::Request;
  using Resp = typename E::Response;
  TRY_ASSIGN(std::string target, api::render_path(E::path, path));
  if constexpr (api::QueryRequest<Req>) target = with_query(target, api::to_query(request));
  if constexpr (std::is_same_v<Resp, api::RawBody>) {
    return exchange_raw(target);
  } else {
    json body = nullptr;
    if constexpr (api::BodyRequest<Req>) body = api::encode(request);
    TRY_ASSIGN(json data, exchange(E::method, target, body));
    return api::decode<Resp>(data);
  }
}

}  // namespace cpshare::client
