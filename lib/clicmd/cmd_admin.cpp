// admin review, admin audit (R-USER-4, R-SUP-3, R-SEC-4).
#include <CLI/CLI.hpp>

#include "api/admin.hpp"
#include "clicmd/context.hpp"
#include "clicmd/display.hpp"
#include "domain/account.hpp"
#include "domain/audit.hpp"
#include "domain/normalize.hpp"
#include "util/text.hpp"
#include "clicmd/input.hpp"

namespace cpshare::clicmd::cmd {

namespace {

const std::vector<std::string> kStatuses = enum_names<AccountStatus>();

Result<api::ReviewList> reviews(Context& ctx, const std::string& status) {
  TRY_ASSIGN(api::ReviewQuery query, api::ReviewQuery::from_query({{"status", status}}));
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  return api->call<api::endpoint::ListReviews>(query);
}

void show_decision(std::ostream& out, const api::AccountReply& data, std::string_view verb, bool colour) {
  out << verb << " " << data.account.username << "; status: " << status_text(status_name(data.account.status), colour)
      << ". The account holder is mailed the decision.\n";
}

void declare_review_list(CLI::App* app, Args& a) {
  a.option(app, "--status", "S", "List accounts with this status instead of pending_review", kStatuses);
}

Result<> run_review_list(Context& ctx) {
  TRY_ASSIGN(api::ReviewList data, reviews(ctx, ctx.args.get("--status").value_or("pending_review")));
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    if (data.items.empty()) {
      out << "No accounts with status " << ctx.args.get("--status").value_or("pending_review") << ".\n";
      return;
    }
    std::vector<std::vector<std::string>> rows = {{"USERNAME", "ROLE", "TYPE", "NAME", "REGION", "LICENCE", "CREATED"}};
    for (const api::AccountView& a : data.items) {
      const std::string type = a.user_type       ? std::string(enum_name(*a.user_type))
                               : a.supplier_kind ? std::string(enum_name(*a.supplier_kind))
                                                 : "-";
      const std::string name = or_dash(a.company_name) != "-" ? *a.company_name : or_dash(a.real_name);
      rows.push_back({a.username, std::string(role_name(a.role)), type, name, or_dash(a.region),
                      a.licence ? or_dash(a.licence->filename) : "-", local_time(a.created_at, ctx.zone())});
    }
    out << render_table(rows, ctx.colour());
  });
}

void declare_review_show(CLI::App* app, Args& a) {
  a.positional(app, "USERNAME", "The account to show", true);
  a.option(app, "--status", "S", "Look among accounts with this status (default pending_review)", kStatuses);
  a.file_option(app, "--licence-out", "FILE", "Save the licence file there (mode 0600)");
}

Result<> run_review_show(Context& ctx) {
  const std::string username = normalize::field(ctx.args.get("USERNAME").value_or(""));
  const std::string status = ctx.args.get("--status").value_or("pending_review");
  TRY_ASSIGN(api::ReviewList list, reviews(ctx, status));
  // As the server finds a username: the exact spelling, else the same name in another case.
  const api::AccountView* account = nullptr;
  for (const api::AccountView& a : list.items)
    if (a.username == username) account = &a;
  for (const api::AccountView& a : list.items)
    if (!account && normalize::username_key(a.username) == normalize::username_key(username)) account = &a;
  if (!account)
    return fail(ErrorCode::NotFound,
                "no account " + username + " with status " + status + " (pass --status to look among others)");
  json data = api::encode(api::AccountReply{*account});
  std::size_t saved = 0;
  if (auto out = ctx.args.get("--licence-out")) {
    TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
    TRY_ASSIGN(api::RawBody licence, api->call<api::endpoint::ReviewLicence>({}, {{"username", account->username}}));
    TRY(client::write_private_file(*out, licence.bytes));
    saved = licence.bytes.size();
    data["licence_out"] = *out;
  }
  return ctx.emit(data, [&](std::ostream& out) {
    print_account(out, *account, ctx.colour(), ctx.zone());
    if (auto file = ctx.args.get("--licence-out")) out << "Licence saved to " << *file << " (" << saved << " bytes).\n";
  });
}

void declare_review_approve(CLI::App* app, Args& a) {
  a.positional(app, "USERNAME", "The account to approve (status pending_review)", true);
}

Result<> run_review_approve(Context& ctx) {
  const std::string username = ctx.args.get("USERNAME").value_or("");
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::AccountReply data, api->call<api::endpoint::ApproveReview>({}, {{"username", username}}));
  return ctx.emit(api::encode(data), [&](std::ostream& out) { show_decision(out, data, "Approved", ctx.colour()); });
}

void declare_review_reject(CLI::App* app, Args& a) {
  a.positional(app, "USERNAME", "The account to reject (status pending_review)", true);
  a.option(app, "--reason", "R", "Why, in words the account holder can act on (required; mailed to them)");
}

Result<> run_review_reject(Context& ctx) {
  const std::string username = ctx.args.get("USERNAME").value_or("");
  TRY_ASSIGN(std::string reason, flag_or_ask(ctx, "--reason", "Reason (mailed to the account holder)"));
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::AccountReply data,
             api->call<api::endpoint::RejectReview>(api::Rejection{reason}, {{"username", username}}));
  return ctx.emit(api::encode(data), [&](std::ostream& out) { show_decision(out, data, "Rejected", ctx.colour()); });
}

void declare_audit(CLI::App* app, Args& a) {
  a.option(app, "--limit", "N", "At most N events, newest first (default 100)");
  a.option(app, "--before", "ID", "Only events older than event ID (to page back)");
  a.option(app, "--event", "E", "Only this kind of event", enum_names<AuditEventName>());
  a.option(app, "--username", "U", "Only events about this account");
}

Result<> run_audit(Context& ctx) {
  // The flags as the query the daemon reads, checked by its own parser.
  api::Query query;
  for (const char* flag : {"--limit", "--before", "--event", "--username"})
    if (auto v = ctx.args.get(flag)) query.emplace(std::string(flag + 2), *v);
  TRY_ASSIGN(api::AuditFilter filter, api::AuditFilter::from_query(query));
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::AuditList data, api->call<api::endpoint::AuditLog>(filter));
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    std::vector<std::vector<std::string>> rows = {{"ID", "AT", "EVENT", "USERNAME", "IP", "DETAIL"}};
    for (const api::AuditEntry& e : data.items) {
      rows.push_back({std::to_string(e.id), local_time(e.at, ctx.zone(), true), std::string(enum_name(e.event)),
                      or_dash(e.username), or_dash(e.ip),
                      e.detail.is_null() || e.detail.empty() ? "-" : e.detail.dump()});
    }
    out << render_table(rows, ctx.colour());
  });
}

}  // namespace

// This file's rows of the command table (commands.cpp joins the areas).
std::vector<Command> admin_commands() {
  return {
      {{"admin"}, "Administer the platform (admin accounts only)"},
      {{"admin", "review"}, "Review accounts that submitted a licence"},
      {{"admin", "review", "list"},
       "List accounts awaiting review",
       {"cpshare admin review list", "cpshare admin review list --status rejected --json"},
       declare_review_list,
       run_review_list},
      {{"admin", "review", "show"},
       "Show an account under review, and save its licence file",
       {"cpshare admin review show alice --licence-out alice-licence.pdf"},
       declare_review_show,
       run_review_show},
      {{"admin", "review", "approve"},
       "Approve an account: it becomes active",
       {"cpshare admin review approve alice"},
       declare_review_approve,
       run_review_approve},
      {{"admin", "review", "reject"},
       "Reject an account, with a reason mailed to its holder",
       {"cpshare admin review reject alice --reason 'The licence is illegible; upload a clearer scan.'"},
       declare_review_reject,
       run_review_reject},
      {{"admin", "audit"},
       "Show the security audit log, newest first",
       {"cpshare admin audit --event login_failed --limit 20"},
       declare_audit,
       run_audit},
  };
}

}  // namespace cpshare::clicmd::cmd
