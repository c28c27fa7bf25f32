// admin review, admin audit (R-USER-4, R-SUP-3, R-SEC-4).
#include <charconv>

#include <CLI/CLI.hpp>

#include "clicmd/display.hpp"
#include "clicmd/handlers.hpp"
#include "domain/account.hpp"
#include "domain/audit.hpp"
#include "domain/normalize.hpp"
#include "util/text.hpp"
#include "clicmd/input.hpp"

namespace cpshare::clicmd::cmd {

namespace {

const std::vector<std::string> kStatuses = enum_names<AccountStatus>();

std::string review_path(const std::string& username, std::string_view action) {
  return "/api/v1/admin/reviews/" + text::percent_encode(username) + "/" + std::string(action);
}

// Review items are Account objects (or {"account": Account}).
const json& account_of(const json& item) {
  const json& inner = at(item, "account");
  return inner.is_object() ? inner : item;
}

Result<json> reviews(Context& ctx, const std::string& status) {
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  return api->get("/api/v1/admin/reviews", {{"status", status}});
}

void show_decision(std::ostream& out, const json& data, std::string_view verb, bool colour) {
  const json& a = at(data, "account");
  out << verb << " " << show(a, "username") << "; status: " << status_text(show(a, "status"), colour)
      << ". The account holder is mailed the decision.\n";
}

}  // namespace

void declare_review_list(CLI::App* app, Args& a) {
  a.option(app, "--status", "S", "List accounts with this status instead of pending_review", kStatuses);
}

Result<> run_review_list(Context& ctx) {
  TRY_ASSIGN(json data, reviews(ctx, ctx.args.get("--status").value_or("pending_review")));
  return ctx.emit(data, [&](std::ostream& out) {
    const json& items = at(data, "items");
    if (items.empty()) {
      out << "No accounts with status " << ctx.args.get("--status").value_or("pending_review") << ".\n";
      return;
    }
    std::vector<std::vector<std::string>> rows = {{"USERNAME", "ROLE", "TYPE", "NAME", "REGION", "LICENCE", "CREATED"}};
    for (const json& item : items) {
      const json& a = account_of(item);
      const std::string type = show(a, "user_type") != "-" ? show(a, "user_type") : show(a, "supplier_kind");
      const std::string name = show(a, "company_name") != "-" ? show(a, "company_name") : show(a, "real_name");
      rows.push_back({show(a, "username"), show(a, "role"), type, name, show(a, "region"),
                      show(at(a, "licence"), "filename"), local_time(a, "created_at", ctx.zone())});
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
  TRY_ASSIGN(json list, reviews(ctx, status));
  // As the server finds a username: the exact spelling, else the same name in another case.
  json account;
  for (const json& item : at(list, "items"))
    if (str(account_of(item), "username") == username) account = account_of(item);
  for (const json& item : at(list, "items"))
    if (account.is_null() &&
        normalize::username_key(str(account_of(item), "username")) == normalize::username_key(username))
      account = account_of(item);
  if (account.is_null())
    return fail(ErrorCode::NotFound,
                "no account " + username + " with status " + status + " (pass --status to look among others)");
  json data = {{"account", account}};
  std::size_t saved = 0;
  if (auto out = ctx.args.get("--licence-out")) {
    TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
    TRY_ASSIGN(std::string bytes, api->get_bytes(review_path(str(account, "username"), "licence")));
    TRY(client::write_private_file(*out, bytes));
    saved = bytes.size();
    data["licence_out"] = *out;
  }
  return ctx.emit(data, [&](std::ostream& out) {
    print_account(out, account, ctx.colour(), ctx.zone());
    if (auto file = ctx.args.get("--licence-out")) out << "Licence saved to " << *file << " (" << saved << " bytes).\n";
  });
}

void declare_review_approve(CLI::App* app, Args& a) {
  a.positional(app, "USERNAME", "The account to approve (status pending_review)", true);
}

Result<> run_review_approve(Context& ctx) {
  const std::string username = ctx.args.get("USERNAME").value_or("");
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(json data, api->post(review_path(username, "approve"), json::object()));
  return ctx.emit(data, [&](std::ostream& out) { show_decision(out, data, "Approved", ctx.colour()); });
}

void declare_review_reject(CLI::App* app, Args& a) {
  a.positional(app, "USERNAME", "The account to reject (status pending_review)", true);
  a.option(app, "--reason", "R", "Why, in words the account holder can act on (required; mailed to them)");
}

Result<> run_review_reject(Context& ctx) {
  const std::string username = ctx.args.get("USERNAME").value_or("");
  TRY_ASSIGN(std::string reason, flag_or_ask(ctx, "--reason", "Reason (mailed to the account holder)"));
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(json data, api->post(review_path(username, "reject"), json{{"reason", reason}}));
  return ctx.emit(data, [&](std::ostream& out) { show_decision(out, data, "Rejected", ctx.colour()); });
}

void declare_audit(CLI::App* app, Args& a) {
  a.option(app, "--limit", "N", "At most N events, newest first (default 100)");
  a.option(app, "--before", "ID", "Only events older than event ID (to page back)");
  a.option(app, "--event", "E", "Only this kind of event", enum_names<AuditEventName>());
  a.option(app, "--username", "U", "Only events about this account");
}

Result<> run_audit(Context& ctx) {
  client::Query query;
  for (const char* flag : {"--limit", "--before"}) {
    if (auto v = ctx.args.get(flag)) {
      long long n = 0;
      auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
      if (ec != std::errc() || end != v->data() + v->size() || n < 1)
        return usage_error(std::string(flag) + " takes a positive whole number, not '" + *v + "'");
      query.emplace_back(std::string(flag + 2), *v);
    }
  }
  for (const char* flag : {"--event", "--username"})
    if (auto v = ctx.args.get(flag)) query.emplace_back(std::string(flag + 2), *v);
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(json data, api->get("/api/v1/admin/audit", query));
  return ctx.emit(data, [&](std::ostream& out) {
    std::vector<std::vector<std::string>> rows = {{"ID", "AT", "EVENT", "USERNAME", "IP", "DETAIL"}};
    for (const json& e : at(data, "items")) {
      const json& detail = at(e, "detail");
      rows.push_back({show(e, "id"), local_time(e, "at", ctx.zone(), true), show(e, "event"), show(e, "username"),
                      show(e, "ip"), detail.is_null() || detail.empty() ? "-" : detail.dump()});
    }
    out << render_table(rows, ctx.colour());
  });
}

}  // namespace cpshare::clicmd::cmd
