// What a command handler works with: its parsed options, the global options,
// the I/O, the stored sessions and a client for the chosen server.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "clicmd/args.hpp"
#include "clicmd/display.hpp"
#include "clicmd/io.hpp"
#include "client/api_client.hpp"
#include "client/config.hpp"
#include "util/error.hpp"

namespace cpshare::clicmd {

using nlohmann::json;

// A usage error (exit 2): a required value is missing or a flag is wrong.
std::unexpected<Error> usage_error(std::string message);

class Context {
 public:
  Context(Io& io, const Globals& globals, const Args& args);

  Io& io;
  const Globals& globals;
  const Args& args;

  bool want_json() const { return globals.json; }
  // stdin is a terminal: the command may ask questions.
  bool interactive() const { return io.console.interactive(); }
  // Colour on stdout: only on a terminal and when NO_COLOR is unset.
  bool colour() const;
  // The same for stderr (diagnostics, prompts).
  bool err_colour() const;
  // The zone times are shown in: TZ from io.env, by DisplayZone's rule (display.hpp).
  const DisplayZone& zone();

  // The chosen server (canonical URL): --server > $CPSHARE_SERVER > last login > default.
  Result<std::string> server();
  // hosts.json, loaded on first use; save_hosts writes it back.
  Result<client::Hosts*> hosts();
  Result<> save_hosts();
  // The stored session for the chosen server; UNAUTHENTICATED when not logged in.
  Result<client::HostEntry> session();
  // Forget the stored token of the chosen server and save.
  Result<> forget_session();

  // A client for the chosen server: anonymous, or carrying the stored session's token.
  Result<client::ApiClient*> api();
  // io_timeout: how long one request may take (a live view keeps it short).
  Result<client::ApiClient*> session_api(std::chrono::seconds io_timeout = std::chrono::seconds(30));
  // A request failed to reach the server (exit status 6).
  bool unreachable() const { return client_ && client_->unreachable(); }

  // With --json: print `data` (2-space indent). Otherwise call `human`.
  Result<> emit(const json& data, const std::function<void(std::ostream&)>& human);
  void print_json(const json& data);

 private:
  Result<client::ApiClient*> open_client(std::string token, std::chrono::seconds io_timeout = std::chrono::seconds(30));

  std::optional<DisplayZone> zone_;
  std::optional<std::filesystem::path> config_dir_;
  std::optional<client::Hosts> hosts_;
  std::optional<std::string> server_;
  std::optional<client::ApiClient> client_;
};

// A command handler: prints its result and returns an Error for the caller to report.
using Handler = Result<> (*)(Context&);
using Declare = void (*)(CLI::App*, Args&);

// One entry of the command table. A group (handler == nullptr) only holds subcommands.
struct Command {
  std::vector<std::string> path;  // {"admin", "review", "approve"}
  std::string summary;            // one line, for --help, the man page and completions
  std::vector<std::string> examples = {};
  Declare declare = nullptr;  // options and positionals, or nullptr for none
  Handler run = nullptr;
  bool hidden = false;       // left out of --help, completions and the man page
  std::string details = {};  // longer description for --help and the man page

  std::string name() const;  // "admin review approve"
};

// The command table: every command of the CLI, groups before their subcommands.
const std::vector<Command>& commands();

// Each area's rows of the table, defined next to their handlers (cmd_<area>.cpp);
// commands() joins them in this order.
namespace cmd {
std::vector<Command> account_commands();  // register, activate
std::vector<Command> session_commands();  // login, logout, whoami, sessions
std::vector<Command> profile_commands();  // profile, password, deregister, mfa
std::vector<Command> admin_commands();    // admin review, admin audit
std::vector<Command> catalog_commands();  // publish, show, list, filter, update, delist, relist, units, cluster
std::vector<Command> lease_commands();    // lease, leases, approve, reject, terminate, release, redeem, bills, earnings
std::vector<Command> agent_commands();    // agent
std::vector<Command> monitor_commands();  // monitor
std::vector<Command> meta_commands();     // version, completion, __man
}  // namespace cmd

}  // namespace cpshare::clicmd
