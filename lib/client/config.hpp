// The CLI's session store: $CONFIG_DIR/hosts.json, one entry per server, as in
// docs/design/accounts.md ("CLI"). Holds bearer tokens, so the directory is
// 0700, the file 0600, and it is replaced atomically (temp file + rename).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace cpshare::client {

// Environment lookup (injectable so tests need not touch the process environment).
// Returns nullopt for unset and for empty variables.
using Env = std::function<std::optional<std::string>(std::string_view)>;
Env process_env();

inline constexpr std::string_view kDefaultServer = "http://127.0.0.1:7878";

struct HostEntry {
  std::string username;
  std::string token;       // empty when logged out
  std::string session_id;  // "s_…"
};

struct Hosts {
  std::string default_server;                // server of the last login
  std::map<std::string, HostEntry> servers;  // keyed by normalised server URL

  // The entry for `server` holding a token, or nullptr.
  const HostEntry* logged_in(const std::string& server) const;
  // Forget the token of `server` (keeps the username as the next login's default).
  void drop_token(const std::string& server);
};

// $CPSHARE_CONFIG_DIR, else $XDG_CONFIG_HOME/cpshare, else $HOME/.config/cpshare.
Result<std::filesystem::path> config_dir(const Env& env);

// Missing file → empty Hosts. A file that is not the documented shape is an error
// naming the file (the user can delete it to start over).
Result<Hosts> load_hosts(const std::filesystem::path& dir);
// Creates `dir` (0700) if needed and atomically replaces dir/hosts.json (0600).
Result<> save_hosts(const std::filesystem::path& dir, const Hosts& hosts);

// Writes `bytes` to `file`, created or truncated with mode 0600 (also when it existed).
Result<> write_private_file(const std::filesystem::path& file, std::string_view bytes);

// --server flag > $CPSHARE_SERVER > hosts.default_server > http://127.0.0.1:7878.
std::string choose_server(std::string_view flag, const Env& env, const Hosts& hosts);

}  // namespace cpshare::client
