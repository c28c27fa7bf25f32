#include "client/api_client.hpp"

#include "api/envelope.hpp"
#include "util/text.hpp"

#include <cctype>
#include <charconv>
#include <filesystem>

#include <httplib.h>

namespace cpshare::client {

std::string user_agent() { return std::string("cpshare/") + CPSHARE_VERSION; }

Result<ServerUrl> parse_server_url(std::string_view url) {
  const std::string given(url);
  auto bad = [&](std::string why) { return fail_fields({{"server", why}}, "--server " + given + ": " + why); };
  ServerUrl out;
  std::string rest;
  const std::string lower = [&] {
    std::string s(url);
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }();
  if (lower.starts_with("http://")) {
    out.scheme = "http";
    rest = given.substr(7);
  } else if (lower.starts_with("https://")) {
    out.scheme = "https";
    rest = given.substr(8);
  } else {
    return bad("expected http://HOST[:PORT] or https://HOST[:PORT]");
  }
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.find_first_of("/?#@") != std::string::npos)
    return bad("give only scheme, host and port (no path, query or user)");

  std::string port_text;
  if (rest.starts_with("[")) {  // [IPv6]:port
    const auto close = rest.find(']');
    if (close == std::string::npos) return bad("unterminated [IPv6 address]");
    out.host = rest.substr(1, close - 1);
    std::string after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("expected :PORT after ]");
      port_text = after.substr(1);
    }
  } else {
    const auto colon = rest.find(':');
    out.host = rest.substr(0, colon);
    if (colon != std::string::npos) port_text = rest.substr(colon + 1);
  }
  if (out.host.empty()) return bad("missing host");
  for (char& c : out.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));

  out.port = out.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535)
      return bad("port must be a number from 1 to 65535");
    out.port = port;
  }
  const std::string host = out.host.find(':') != std::string::npos ? "[" + out.host + "]" : out.host;
  out.canonical = out.scheme + "://" + host + (port_text.empty() ? "" : ":" + std::to_string(out.port));
  return out;
}

Result<json> parse_envelope(int status, std::string_view body, std::string_view retry_after_header) {
  const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  const bool ok = status >= 200 && status < 300;
  if (!doc.is_discarded() && doc.is_object()) {
    if (ok) {
      if (auto it = doc.find("data"); it != doc.end()) return *it;
    } else if (doc.contains("error")) {
      TRY_ASSIGN(Error err, api::read_error_envelope(doc, status));
      if (err.retry_after == 0 && !retry_after_header.empty()) {
        int secs = 0;
        std::from_chars(retry_after_header.data(), retry_after_header.data() + retry_after_header.size(), secs);
        err.retry_after = secs;
      }
      return fail(std::move(err));
    }
  }
  return fail(ErrorCode::Internal, "unexpected answer from the server (HTTP " + std::to_string(status) +
                                       ", not a cpshare API response); is --server a cpshared daemon?");
}

struct ApiClient::Raw {
  int status = 0;
  std::string body;
  std::string retry_after;
};

Result<ApiClient> ApiClient::open(const ClientOptions& options) {
  TRY_ASSIGN(ServerUrl url, parse_server_url(options.server));
  const std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  auto http = std::make_unique<httplib::Client>(url.scheme + "://" + host + ":" + std::to_string(url.port));
  if (!http->is_valid())
    return fail_fields({{"server", "cannot use this address"}},
                       "--server " + options.server + ": cannot use this address");
  if (url.scheme == "https") {
    http->enable_server_certificate_verification(true);
    if (!options.ca_file.empty()) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(options.ca_file, ec))
        return fail_fields({{"ca_file", "no such file"}}, "--ca-file " + options.ca_file + ": no such file");
      http->set_ca_cert_path(options.ca_file);
    }
  }
  http->set_tcp_nodelay(true);
  http->set_keep_alive(true);
  http->set_url_encode(false);  // paths are encoded by the caller (text::percent_encode)
  http->set_connection_timeout(options.connect_timeout);
  http->set_read_timeout(options.io_timeout);
  http->set_write_timeout(options.io_timeout);
  if (!options.token.empty()) http->set_bearer_token_auth(options.token);
  return ApiClient(std::move(url), std::move(http));
}

ApiClient::ApiClient(ServerUrl url, std::unique_ptr<httplib::Client> http)
    : url_(std::move(url)), http_(std::move(http)) {}
ApiClient::ApiClient(ApiClient&&) noexcept = default;
ApiClient& ApiClient::operator=(ApiClient&&) noexcept = default;
ApiClient::~ApiClient() = default;

Result<ApiClient::Raw> ApiClient::send(std::string_view method, std::string_view path, const json* body,
                                       std::string_view accept) {
  httplib::Request req;
  req.method = std::string(method);
  req.path = std::string(path);
  req.headers = {{"User-Agent", user_agent()}, {"Accept", std::string(accept)}};
  if (body != nullptr && !body->is_null()) {
    req.body = body->dump();
    req.headers.emplace("Content-Type", "application/json");
  }
  httplib::Result res = http_->send(req);
  if (!res) {
    unreachable_ = true;
    const httplib::Error e = res.error();
    const std::string& s = url_.canonical;
    std::string msg;
    switch (e) {
      case httplib::Error::SSLServerVerification:
        msg = "cannot verify the TLS certificate of " + s +
              "; pass --ca-file FILE (or set CPSHARE_CA_FILE) with the CA that signed it";
        break;
      case httplib::Error::SSLLoadingCerts:
        msg = "cannot load the CA certificates for " + s + "; check --ca-file / CPSHARE_CA_FILE";
        break;
      case httplib::Error::SSLConnection: msg = "TLS handshake with " + s + " failed; is it an https server?"; break;
      case httplib::Error::Read:
      case httplib::Error::Write:
      case httplib::Error::ConnectionTimeout:
        msg = "no answer from " + s + " (" + httplib::to_string(e) +
              "); is cpshared running there? Pass --server URL or set CPSHARE_SERVER";
        break;
      case httplib::Error::Connection:
        msg = "cannot connect to the server at " + s +
              "; is cpshared running there? Pass --server URL or set CPSHARE_SERVER";
        break;
      default:
        msg = "cannot reach the server at " + s + " (" + httplib::to_string(e) +
              "); is cpshared running there? Pass --server URL or set CPSHARE_SERVER";
    }
    return fail(ErrorCode::Unavailable, std::move(msg));
  }
  return Raw{res->status, std::move(res->body), res->get_header_value("Retry-After")};
}

std::string with_query(std::string_view path, const Query& query) {
  std::string out(path);
  char sep = '?';
  for (const auto& [k, v] : query) {
    out += sep;
    out += text::percent_encode(k) + "=" + text::percent_encode(v);
    sep = '&';
  }
  return out;
}

Result<json> ApiClient::exchange(api::Method method, const std::string& target, const json& body) {
  TRY_ASSIGN(Raw raw, send(api::method_name(method), target, &body));
  return parse_envelope(raw.status, raw.body, raw.retry_after);
}

Result<api::RawBody> ApiClient::exchange_raw(const std::string& target) {
  TRY_ASSIGN(Raw raw, send("GET", target, nullptr, "*/*"));
  if (raw.status >= 200 && raw.status < 300) return api::RawBody{std::move(raw.body), "", ""};
  TRY(parse_envelope(raw.status, raw.body, raw.retry_after));
  return fail(ErrorCode::Internal, "unexpected answer from the server (HTTP " + std::to_string(raw.status) + ")");
}

}  // namespace cpshare::client
