// login, logout, whoami, sessions (R-USER-6, R-USER-7).
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "api/accounts.hpp"
#include "clicmd/context.hpp"
#include "clicmd/display.hpp"
#include "clicmd/input.hpp"
#include "util/text.hpp"

namespace cpshare::clicmd::cmd {

namespace {

std::string client_label() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::string label = client::user_agent();
  if (host[0] != '\0') label += std::string(" ") + host;
  return label;
}

// A typed authentication code goes out as totp when it is 6 digits, else as a recovery code.
void put_mfa_code(api::LoginRequest& request, const std::string& code) {
  const bool digits = code.size() == 6 && code.find_first_not_of("0123456789") == std::string::npos;
  request.totp.reset();
  request.recovery_code.reset();
  (digits ? request.totp : request.recovery_code) = code;
}

void declare_login(CLI::App* app, Args& a) {
  a.option(app, "--username", "U", "Username, email or phone (default on a terminal: the last login's username)");
  a.flag(app, "--password-stdin", "Read the password from the first line of stdin");
  a.option(app, "--totp", "CODE", "The 6-digit code from the authenticator app, when MFA is on");
  a.option(app, "--recovery-code", "C", "A recovery code instead of --totp (each works once)");
}

Result<> run_login(Context& ctx) {
  TRY_ASSIGN(std::string server, ctx.server());
  TRY_ASSIGN(client::Hosts * hosts, ctx.hosts());
  std::string login;
  if (auto u = ctx.args.get("--username")) {
    login = *u;
  } else if (ctx.interactive()) {
    const auto known = hosts->servers.find(server);
    const std::string last = known == hosts->servers.end() ? "" : known->second.username;
    auto answer = ctx.io.console.ask("Username, email or phone" + (last.empty() ? "" : " [" + last + "]") + ": ");
    login = answer ? text::trim(*answer) : "";
    if (login.empty()) login = last;
    if (login.empty()) return usage_error("no username given");
  } else {
    return usage_error("pass --username U (stdin is not a terminal, so nothing is asked)");
  }
  TRY_ASSIGN(std::string password, read_password(ctx, "Password"));

  api::LoginRequest request{login, password, ctx.args.get("--totp"), ctx.args.get("--recovery-code"), client_label()};

  TRY_ASSIGN(client::ApiClient * api, ctx.api());
  auto r = api->call<api::endpoint::Login>(request);
  // MFA: ask for the code on a terminal (again after a wrong one, a few times).
  for (int tries = 0; !r && tries < 3; ++tries) {
    const ErrorCode code = r.error().code;
    if (code != ErrorCode::MfaRequired && code != ErrorCode::InvalidMfaCode) break;
    if (!ctx.interactive()) {
      if (code == ErrorCode::MfaRequired && r.error().message.find("--totp") == std::string::npos)
        r.error().message += "; pass --totp CODE or --recovery-code C";
      break;
    }
    if (code == ErrorCode::InvalidMfaCode) ctx.io.err << "  " << r.error().message << "\n";
    auto answer = ctx.io.console.ask("Authentication code (6 digits from the app, or a recovery code): ");
    if (!answer || text::trim(*answer).empty()) break;
    put_mfa_code(request, text::trim(*answer));
    r = api->call<api::endpoint::Login>(request);
  }
  if (!r) return fail(std::move(r.error()));
  const api::LoginReply& data = *r;

  const api::AccountView& account = data.account;
  hosts->servers[server] = client::HostEntry{account.username, data.token, data.session.id};
  hosts->default_server = server;
  TRY(ctx.save_hosts());
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    out << "Logged in to " << server << " as " << account.username << " (status "
        << status_text(status_name(account.status), ctx.colour()) << ").\n";
    if (account.status == AccountStatus::PendingReview)
      out << "The account awaits an administrator's review; until then you may browse but not lease or publish.\n";
    else if (account.status == AccountStatus::Rejected)
      out << "The review rejected this account: " << or_dash(account.review_note) << "\n";
  });
}

Result<> run_logout(Context& ctx) {
  TRY_ASSIGN(client::HostEntry entry, ctx.session());
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  auto r = api->call<api::endpoint::Logout>();
  const bool already_ended = !r && r.error().code == ErrorCode::Unauthenticated;
  if (!r && !already_ended) return fail(std::move(r.error()));
  TRY(ctx.forget_session());
  TRY_ASSIGN(std::string server, ctx.server());
  // An ended session reads like a revoked one: the same shape either way.
  const api::SessionRevoked data = r ? *r : api::SessionRevoked{entry.session_id, true};
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    out << "Logged out of " << server << " (" << entry.username << ")"
        << (already_ended ? "; the session had already ended" : "") << ".\n";
  });
}

Result<> run_whoami(Context& ctx) {
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::AccountReply data, api->call<api::endpoint::Profile>());
  TRY_ASSIGN(std::string server, ctx.server());
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    const api::AccountView& a = data.account;
    out << a.username << " on " << server << ": " << role_text(a) << ", status "
        << status_text(status_name(a.status), ctx.colour()) << "\n";
  });
}

Result<> run_sessions_list(Context& ctx) {
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::SessionList data, api->call<api::endpoint::ListSessions>());
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    std::vector<std::vector<std::string>> rows = {{"", "ID", "CLIENT", "IP", "CREATED", "LAST SEEN", "EXPIRES"}};
    for (const api::SessionView& s : data.items) {
      rows.push_back({s.current ? "*" : "", s.id, s.client, s.ip, local_time(s.created_at, ctx.zone()),
                      local_time(s.last_seen_at, ctx.zone()), local_time(s.expires_at, ctx.zone())});
    }
    out << render_table(rows, ctx.colour());
    out << "(* = this session)\n";
  });
}

void declare_sessions_revoke(CLI::App* app, Args& a) {
  a.positional(app, "ID", "The session to end (s_..., from `cpshare sessions list`)", true);
}

Result<> run_sessions_revoke(Context& ctx) {
  const std::string id = ctx.args.get("ID").value_or("");
  TRY_ASSIGN(client::HostEntry entry, ctx.session());
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::SessionRevoked data, api->call<api::endpoint::RevokeSession>({}, {{"id", id}}));
  if (id == entry.session_id) TRY(ctx.forget_session());
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    out << "Ended session " << id << (id == entry.session_id ? " (this one; log in again to continue)" : "") << ".\n";
  });
}

}  // namespace

// This file's rows of the command table (commands.cpp joins the areas).
std::vector<Command> session_commands() {
  return {
      {{"login"},
       "Log in and store the session for this server",
       {"cpshare login", "printf '%s\\n' \"$PASSWORD\" | cpshare login --username alice --password-stdin",
        "cpshare login --username alice --totp 123456"},
       declare_login,
       run_login,
       false,
       "The session's token is stored in hosts.json and this server becomes the default for later "
       "commands. When the account has MFA on, cpshare asks for the code on a terminal; elsewhere "
       "pass --totp or --recovery-code."},
      {{"logout"}, "End this session and forget its token", {"cpshare logout"}, nullptr, run_logout},
      {{"whoami"},
       "Show who is logged in on the server",
       {"cpshare whoami", "cpshare whoami --json"},
       nullptr,
       run_whoami},
      {{"sessions"}, "List and end your sessions"},
      {{"sessions", "list"},
       "List your sessions on the server (* marks this one)",
       {"cpshare sessions list"},
       nullptr,
       run_sessions_list},
      {{"sessions", "revoke"},
       "End one of your sessions",
       {"cpshare sessions revoke s_3f9a0c1d2e3f4a5b"},
       declare_sessions_revoke,
       run_sessions_revoke},
  };
}

}  // namespace cpshare::clicmd::cmd
