#include "client/config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace cpshare::client {

namespace fs = std::filesystem;
using nlohmann::json;

Env process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
}

const HostEntry* Hosts::logged_in(const std::string& server) const {
  auto it = servers.find(server);
  if (it == servers.end() || it->second.token.empty()) return nullptr;
  return &it->second;
}

void Hosts::drop_token(const std::string& server) {
  auto it = servers.find(server);
  if (it == servers.end()) return;
  it->second.token.clear();
  it->second.session_id.clear();
}

Result<fs::path> config_dir(const Env& env) {
  if (auto dir = env("CPSHARE_CONFIG_DIR")) return fs::path(*dir);
  if (auto xdg = env("XDG_CONFIG_HOME")) return fs::path(*xdg) / "cpshare";
  if (auto home = env("HOME")) return fs::path(*home) / ".config" / "cpshare";
  return fail(ErrorCode::Internal, "cannot find a config directory: set CPSHARE_CONFIG_DIR or HOME");
}

namespace {

std::string string_member(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

Result<Hosts> load_hosts(const fs::path& dir) {
  const fs::path file = dir / "hosts.json";
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return Hosts{};
    return fail(ErrorCode::Internal, "cannot read " + file.string() + ": " + errno_text());
  }
  std::stringstream buf;
  buf << in.rdbuf();
  const json doc = json::parse(buf.str(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    return fail(ErrorCode::Internal, file.string() + " is not valid JSON; fix it or delete it and log in again");
  Hosts hosts;
  hosts.default_server = string_member(doc, "default_server");
  if (auto it = doc.find("servers"); it != doc.end() && it->is_object()) {
    for (const auto& [server, entry] : it->items()) {
      if (!entry.is_object()) continue;
      hosts.servers[server] = HostEntry{string_member(entry, "username"), string_member(entry, "token"),
                                        string_member(entry, "session_id")};
    }
  }
  return hosts;
}

Result<> save_hosts(const fs::path& dir, const Hosts& hosts) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail(ErrorCode::Internal, "cannot create " + dir.string() + ": " + ec.message());
  // Tokens live here: keep the directory private even if it existed before.
  if (::chmod(dir.c_str(), 0700) != 0)
    return fail(ErrorCode::Internal, "cannot chmod " + dir.string() + ": " + errno_text());

  json servers = json::object();
  for (const auto& [server, e] : hosts.servers) {
    json entry = {{"username", e.username}};
    if (!e.token.empty()) {
      entry["token"] = e.token;
      entry["session_id"] = e.session_id;
    }
    servers[server] = std::move(entry);
  }
  json doc = {{"servers", std::move(servers)}};
  if (!hosts.default_server.empty()) doc["default_server"] = hosts.default_server;
  const std::string text = doc.dump(2) + "\n";

  const fs::path file = dir / "hosts.json";
  const fs::path tmp = dir / ("hosts.json.tmp." + std::to_string(::getpid()));
  if (auto written = write_private_file(tmp, text); !written) {
    ::unlink(tmp.c_str());
    return written;
  }
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    return fail(ErrorCode::Internal, "cannot write " + file.string() + ": " + why);
  }
  return {};
}

Result<> write_private_file(const fs::path& file, std::string_view bytes) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fail(ErrorCode::Internal, "cannot write " + file.string() + ": " + errno_text());
  bool ok = ::fchmod(fd, 0600) == 0;
  for (std::size_t done = 0; ok && done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  std::string why = ok ? std::string() : errno_text();
  if (::close(fd) != 0 && ok) {
    ok = false;
    why = errno_text();
  }
  if (!ok) return fail(ErrorCode::Internal, "cannot write " + file.string() + ": " + why);
  return {};
}

std::string choose_server(std::string_view flag, const Env& env, const Hosts& hosts) {
  if (!flag.empty()) return std::string(flag);
  if (auto s = env("CPSHARE_SERVER")) return *s;
  if (!hosts.default_server.empty()) return hosts.default_server;
  return std::string(kDefaultServer);
}

}  // namespace cpshare::client
