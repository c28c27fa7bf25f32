// profile, password, deregister, mfa (R-USER-7, R-USER-8).
#include <CLI/CLI.hpp>

#include "clicmd/display.hpp"
#include "clicmd/handlers.hpp"
#include "clicmd/input.hpp"
#include "domain/normalize.hpp"
#include "domain/validate.hpp"
#include "util/text.hpp"

namespace cpshare::clicmd::cmd {

Result<> run_profile_show(Context& ctx) {
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(json data, api->get("/api/v1/me"));
  return ctx.emit(data, [&](std::ostream& out) { print_account(out, at(data, "account"), ctx.colour(), ctx.zone()); });
}

namespace {
struct ProfileFlag {
  const char* flag;
  const char* value_name;
  const char* field;  // request field; "settlement.X" goes inside "settlement"
  const char* help;
  std::size_t max_chars;  // for validate::text; 0: a dedicated validator
};
constexpr ProfileFlag kProfileFlags[] = {
    {"--email", "E", "email", "New email address", 0},
    {"--phone", "P", "phone", "New mobile number", 0},
    {"--region", "R", "region", "Region", 64},
    {"--organization", "O", "organization", "Organization (university, research_institute, enterprise users)", 128},
    {"--contact-name", "NAME", "contact_name", "Contact person (enterprise suppliers)", 64},
    {"--address", "ADDR", "address", "Address (individual suppliers)", 256},
    {"--affiliation", "ORG", "affiliation", "Affiliation (individual suppliers)", 128},
    {"--bank-name", "NAME", "settlement.bank_name", "Settlement bank (suppliers)", 128},
    {"--bank-account-name", "NAME", "settlement.account_name", "Settlement account holder (suppliers)", 128},
    {"--bank-account-number", "NUMBER", "settlement.account_number", "Settlement account number (suppliers)", 64},
};
}  // namespace

void declare_profile_update(CLI::App* app, Args& a) {
  for (const auto& f : kProfileFlags) a.option(app, f.flag, f.value_name, f.help);
}

Result<> run_profile_update(Context& ctx) {
  json body = json::object();
  std::vector<FieldError> bad;
  for (const auto& f : kProfileFlags) {
    auto v = ctx.args.get(f.flag);
    if (!v) continue;
    const std::string field = f.field;
    std::string value = normalize::field(*v);  // as the server will (api::Fields), so the checks agree
    std::string why;
    if (field == "email")
      why = validate::email(value);
    else if (field == "phone")
      why = validate::phone(value = validate::normalize_phone(value));
    else
      why = validate::text(value, f.max_chars);
    if (!why.empty()) bad.push_back({field, why});
    if (field.starts_with("settlement."))
      body["settlement"][field.substr(11)] = value;
    else
      body[field] = value;
  }
  if (body.contains("settlement") && body["settlement"].size() != 3)
    return usage_error(
        "a settlement account is replaced whole: pass --bank-name, --bank-account-name and "
        "--bank-account-number together");
  if (body.empty()) {
    std::string flags;
    for (const auto& f : kProfileFlags) flags += std::string(flags.empty() ? "" : ", ") + f.flag;
    return usage_error("nothing to update; pass at least one of " + flags);
  }
  if (!bad.empty()) return fail_fields(std::move(bad));
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(json data, api->patch("/api/v1/me", body));
  return ctx.emit(data, [&](std::ostream& out) {
    out << "Updated the profile of " << show(at(data, "account"), "username") << ".\n";
    print_account(out, at(data, "account"), ctx.colour(), ctx.zone());
  });
}

void declare_password_change(CLI::App* app, Args& a) {
  a.flag(app, "--password-stdin", "Read two lines from stdin: the current password, then the new one");
}

Result<> run_password_change(Context& ctx) {
  TRY_ASSIGN(client::HostEntry entry, ctx.session());
  const Check check = [&](std::string_view p) { return validate::password(p, entry.username); };
  std::string current, next;
  if (ctx.args.has("--password-stdin")) {
    TRY_ASSIGN(current, stdin_line(ctx, "--password-stdin (line 1: current password)"));
    TRY_ASSIGN(next, stdin_line(ctx, "--password-stdin (line 2: new password)"));
    if (std::string why = check(next); !why.empty()) return fail_fields({{"new_password", why}});
  } else if (ctx.interactive()) {
    TRY_ASSIGN(current, read_password(ctx, "Current password"));
    TRY_ASSIGN(next, ask_new_password(ctx, "New password", check));
  } else {
    return usage_error("pass --password-stdin with two lines: current password, then new (stdin is not a terminal)");
  }
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(json data, api->post("/api/v1/me/password", json{{"current_password", current}, {"new_password", next}}));
  TRY(ctx.forget_session());
  return ctx.emit(data, [&](std::ostream& out) {
    out << "Password changed. All sessions ended (" << show(data, "sessions_ended")
        << ", this one included); log in again with: cpshare login\n";
  });
}

void declare_deregister(CLI::App* app, Args& a) {
  a.flag(app, "--yes", "Do not ask to type the username (required when stdin is not a terminal)");
  a.flag(app, "--password-stdin", "Read the password from the first line of stdin");
}

Result<> run_deregister(Context& ctx) {
  TRY_ASSIGN(client::HostEntry entry, ctx.session());
  TRY_ASSIGN(std::string server, ctx.server());
  if (!ctx.args.has("--yes")) {
    if (!ctx.interactive())
      return usage_error("pass --yes to deregister " + entry.username +
                         " (stdin is not a terminal, so nothing is asked)");
    ctx.io.err << "Deregistering " << entry.username << " on " << server
               << " ends every session and erases your email, phone, ID numbers, address, contact,\n"
                  "settlement account, licence and MFA secrets. Billing records and your name are kept.\n"
                  "This cannot be undone.\n";
    auto typed = ctx.io.console.ask("Type the username (" + entry.username + ") to confirm: ");
    if (!typed || normalize::username_key(normalize::field(*typed)) != normalize::username_key(entry.username))
      return usage_error("the username typed does not match; nothing was changed");
  }
  TRY_ASSIGN(std::string password, read_password(ctx, "Password"));
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(json data, api->del("/api/v1/me", json{{"password", password}, {"confirm_username", entry.username}}));
  TRY(ctx.forget_session());
  return ctx.emit(data, [&](std::ostream& out) {
    out << "Deregistered " << entry.username
        << ". Billing records are kept; the rest of your personal data was erased.\n";
  });
}

void declare_mfa_enable(CLI::App* app, Args& a) {
  a.option(app, "--code", "C", "Confirm a setup begun earlier with the first 6-digit code from the authenticator app");
}

namespace {
void show_recovery_codes(std::ostream& out, const json& data) {
  out << "MFA is on. Recovery codes (each works once; store them safely, they are not shown again):\n";
  for (const json& c : at(data, "recovery_codes")) out << "  " << show(c) << "\n";
}
}  // namespace

Result<> run_mfa_enable(Context& ctx) {
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  if (auto code = ctx.args.get("--code")) {
    TRY_ASSIGN(json data, api->post("/api/v1/me/mfa/confirm", json{{"code", text::trim(*code)}}));
    return ctx.emit(data, [&](std::ostream& out) { show_recovery_codes(out, data); });
  }
  TRY_ASSIGN(json begun, api->post("/api/v1/me/mfa", json::object()));
  // On a terminal the URI goes to stderr with --json, so the person still sees it.
  std::ostream& shown = ctx.want_json() && ctx.interactive() ? ctx.io.err : ctx.io.out;
  if (!ctx.want_json() || ctx.interactive()) {
    shown << "Add this account to your authenticator app (scan or paste the URI, or type the secret):\n"
          << "  URI:    " << show(begun, "otpauth_uri") << "\n"
          << "  Secret: " << show(begun, "secret") << "\n";
  }
  if (!ctx.interactive()) {
    if (ctx.want_json())
      ctx.print_json(begun);
    else
      ctx.io.out << "Then confirm with: cpshare mfa enable --code CODE\n";
    return {};
  }
  for (int tries = 0;; ++tries) {
    auto answer = ctx.io.console.ask("First code from the app: ");
    if (!answer || text::trim(*answer).empty())
      return usage_error("no code given; MFA stays off (confirm later with: cpshare mfa enable --code CODE)");
    auto r = api->post("/api/v1/me/mfa/confirm", json{{"code", text::trim(*answer)}});
    if (!r && r.error().code == ErrorCode::InvalidMfaCode && tries < 2) {
      ctx.io.err << "  " << r.error().message << "\n";
      continue;
    }
    if (!r) return fail(std::move(r.error()));
    json data = *r;
    data["secret"] = at(begun, "secret");
    data["otpauth_uri"] = at(begun, "otpauth_uri");
    return ctx.emit(data, [&](std::ostream& out) { show_recovery_codes(out, data); });
  }
}

void declare_mfa_disable(CLI::App* app, Args& a) {
  a.option(app, "--code", "C", "A current 6-digit code from the app, or a recovery code");
}

Result<> run_mfa_disable(Context& ctx) {
  TRY_ASSIGN(std::string code,
             flag_or_ask(ctx, "--code", "Authentication code (6 digits from the app, or a recovery code)"));
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(json data, api->del("/api/v1/me/mfa", json{{"code", text::trim(code)}}));
  return ctx.emit(data, [&](std::ostream& out) { out << "MFA is off.\n"; });
}

}  // namespace cpshare::clicmd::cmd
