// Test doubles for the CLI tests: a scripted console, an in-process fake
// cpshared (a real HTTP server on a free port answering canned responses),
// and a harness that runs cpshare with private streams, environment and config dir.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "api/accounts.hpp"
#include "clicmd/io.hpp"
#include "clicmd/runner.hpp"

namespace cpshare::testing {

using nlohmann::json;

// A directory removed at the end of the test.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cpshare-cli-test-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// Answers prompts from a script; records what was asked.
class FakeConsole final : public clicmd::Console {
 public:
  bool is_interactive = false;
  std::deque<std::string> answers;
  std::vector<std::string> prompts;

  bool interactive() const override { return is_interactive; }
  std::optional<std::string> ask(std::string_view prompt) override { return next(prompt); }
  std::optional<std::string> ask_secret(std::string_view prompt) override { return next(prompt); }

 private:
  std::optional<std::string> next(std::string_view prompt) {
    prompts.emplace_back(prompt);
    if (answers.empty()) return std::nullopt;
    std::string a = answers.front();
    answers.pop_front();
    return a;
  }
};

// A fake cpshared: replies come from `routes` ("POST /api/v1/sessions" → replies,
// used in order, the last one repeated); every request is recorded.
class FakeServer {
 public:
  struct Reply {
    int status = 200;
    std::string body;
    std::string content_type = "application/json";
  };
  struct Request {
    std::string method, path, body;
    httplib::Headers headers;
    std::string target;  // the request target as sent (path and query, still percent-encoded)
    json json_body() const { return json::parse(body, nullptr, false); }
  };

  FakeServer() {
    auto handle = [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      std::string path = req.path;
      if (!req.params.empty()) {
        char sep = '?';
        for (const auto& [k, v] : req.params) {
          path += sep + k + "=" + v;
          sep = '&';
        }
      }
      requests_.push_back({req.method, path, req.body, req.headers, req.target});
      auto it = routes_.find(req.method + " " + req.path);
      if (it == routes_.end() || it->second.empty()) {
        res.status = 404;
        res.set_content(R"({"error":{"code":"NOT_FOUND","message":"no such route in the fake"}})", "application/json");
        return;
      }
      Reply reply = it->second.front();
      if (it->second.size() > 1) it->second.pop_front();
      res.status = reply.status;
      res.set_content(reply.body, reply.content_type.c_str());
    };
    server_.Get(".*", handle);
    server_.Post(".*", handle);
    server_.Patch(".*", handle);
    server_.Put(".*", handle);
    server_.Delete(".*", handle);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // The socket listens already (connections queue); wait for the accept loop so stop() works.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeServer() {
    server_.stop();
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Replies with {"data": data}.
  void on(const std::string& route, const json& data, int status = 200) {
    reply(route, {status, json{{"data", data}}.dump(), "application/json"});
  }
  void on_error(const std::string& route, int status, const json& error) {
    reply(route, {status, json{{"error", error}}.dump(), "application/json"});
  }
  void reply(const std::string& route, Reply r) {
    std::lock_guard lock(mu_);
    routes_[route].push_back(std::move(r));
  }
  std::vector<Request> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  // The last request to `route` ("POST /api/v1/sessions"); fails the test if none.
  Request last(const std::string& route) {
    std::lock_guard lock(mu_);
    for (auto it = requests_.rbegin(); it != requests_.rend(); ++it)
      if (it->method + " " + it->path == route || it->method + " " + it->path.substr(0, it->path.find('?')) == route)
        return *it;
    return {};
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::map<std::string, std::deque<Reply>> routes_;
  std::vector<Request> requests_;
};

// A local port where nothing listens (it was free a moment ago).
inline int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Runs cpshare in-process with its own streams, console, environment and config dir.
struct Cli {
  TempDir config;
  FakeConsole console;
  std::map<std::string, std::string> env;
  std::string stdin_text;
  bool err_tty = false;  // stderr is a terminal (progress messages)
  std::string out, err;

  Cli() { env["CPSHARE_CONFIG_DIR"] = config.path.string(); }

  int operator()(std::vector<std::string> args) {
    std::istringstream in(stdin_text);
    std::ostringstream o, e;
    clicmd::Io io{in, o, e, console, false, err_tty, [this](std::string_view name) -> std::optional<std::string> {
                    auto it = env.find(std::string(name));
                    if (it == env.end() || it->second.empty()) return std::nullopt;
                    return it->second;
                  }};
    const int status = clicmd::run(args, io);
    out = o.str();
    err = e.str();
    return status;
  }
  json out_json() const { return json::parse(out, nullptr, false); }
  json hosts() const {
    std::ifstream f(config.path / "hosts.json");
    std::stringstream s;
    s << f.rdbuf();
    return json::parse(s.str(), nullptr, false);
  }
};

// The CLI reads answers strictly (api::decode): a fake daemon's answer must
// carry every member. These complete a test's partial object with the
// members it leaves out (null, false, the epoch), keeping the ones it gives.
inline nlohmann::json account_answer(const nlohmann::json& partial) {
  nlohmann::json a = api::encode(api::AccountView{});
  if (partial.is_object()) a.update(partial);
  return a;
}
inline nlohmann::json login_answer(nlohmann::json partial) {
  nlohmann::json session = api::encode(api::SessionView{});
  if (partial["session"].is_object()) session.update(partial["session"]);
  partial["session"] = session;
  partial["account"] = account_answer(partial["account"]);
  return partial;
}
inline nlohmann::json activation_answer(const nlohmann::json& partial = nlohmann::json::object()) {
  nlohmann::json a = api::encode(api::ActivationSent{});
  a.update(partial);
  return a;
}

}  // namespace cpshare::testing
