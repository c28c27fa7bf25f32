#include "clicmd/context.hpp"

#include <algorithm>

namespace cpshare::clicmd {

std::unexpected<Error> usage_error(std::string message) {
  // Usage errors share VALIDATION_FAILED (exit 2) so scripts see one code for "fix your input".
  return std::unexpected(Error{ErrorCode::ValidationFailed, std::move(message), {}, 0});
}

std::string Command::name() const {
  std::string out;
  for (const auto& word : path) out += (out.empty() ? "" : " ") + word;
  return out;
}

Context::Context(Io& io_, const Globals& globals_, const Args& args_) : io(io_), globals(globals_), args(args_) {}

bool Context::colour() const { return io.out_is_tty && !io.env("NO_COLOR"); }
bool Context::err_colour() const { return io.err_is_tty && !io.env("NO_COLOR"); }

const DisplayZone& Context::zone() {
  if (!zone_) zone_ = DisplayZone::from_tz(io.env("TZ"));
  return *zone_;
}

Result<client::Hosts*> Context::hosts() {
  if (!hosts_) {
    TRY_ASSIGN(config_dir_, client::config_dir(io.env));
    TRY_ASSIGN(hosts_, client::load_hosts(*config_dir_));
  }
  return &*hosts_;
}

Result<> Context::save_hosts() {
  TRY_ASSIGN(client::Hosts * h, hosts());
  return client::save_hosts(*config_dir_, *h);
}

Result<std::string> Context::server() {
  if (!server_) {
    // hosts.json matters only when neither --server nor $CPSHARE_SERVER names the server.
    const client::Hosts none;
    const client::Hosts* h = &none;
    if (globals.server.empty() && !io.env("CPSHARE_SERVER")) {
      TRY_ASSIGN(h, hosts());
    }
    TRY_ASSIGN(client::ServerUrl url, client::parse_server_url(client::choose_server(globals.server, io.env, *h)));
    server_ = url.canonical;
  }
  return *server_;
}

Result<client::HostEntry> Context::session() {
  TRY_ASSIGN(std::string s, server());
  TRY_ASSIGN(client::Hosts * h, hosts());
  if (const client::HostEntry* e = h->logged_in(s)) return *e;
  return fail(ErrorCode::Unauthenticated, "not logged in to " + s + "; run: cpshare login");
}

Result<> Context::forget_session() {
  TRY_ASSIGN(std::string s, server());
  TRY_ASSIGN(client::Hosts * h, hosts());
  h->drop_token(s);
  return save_hosts();
}

Result<client::ApiClient*> Context::open_client(std::string token, std::chrono::seconds io_timeout) {
  TRY_ASSIGN(std::string s, server());
  std::string ca_file = globals.ca_file;
  if (ca_file.empty()) ca_file = io.env("CPSHARE_CA_FILE").value_or("");
  TRY_ASSIGN(client_, client::ApiClient::open(
                          {s, ca_file, std::move(token), std::min(io_timeout, std::chrono::seconds(5)), io_timeout}));
  return &*client_;
}

Result<client::ApiClient*> Context::api() { return open_client({}); }

Result<client::ApiClient*> Context::session_api(std::chrono::seconds io_timeout) {
  TRY_ASSIGN(client::HostEntry e, session());
  return open_client(e.token, io_timeout);
}

void Context::print_json(const json& data) { io.out << data.dump(2) << "\n"; }

Result<> Context::emit(const json& data, const std::function<void(std::ostream&)>& human) {
  if (want_json())
    print_json(data);
  else
    human(io.out);
  return {};
}

}  // namespace cpshare::clicmd
