// profile, password, deregister, mfa (R-USER-7, R-USER-8).
#include <CLI/CLI.hpp>

#include "api/accounts.hpp"

#include "clicmd/context.hpp"
#include "clicmd/display.hpp"
#include "clicmd/input.hpp"
#include "domain/normalize.hpp"
#include "domain/validate.hpp"
#include "util/text.hpp"

namespace cpshare::clicmd::cmd {

namespace {

Result<> run_profile_show(Context& ctx) {
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::AccountReply data, api->call<api::endpoint::Profile>());
  return ctx.emit(api::encode(data),
                  [&](std::ostream& out) { print_account(out, data.account, ctx.colour(), ctx.zone()); });
}

using Text = std::optional<std::string> api::ProfileUpdate::*;
struct ProfileFlag {
  const char* flag;
  const char* value_name;
  Text member;  // nullptr: a member of the settlement account
  const char* help;
};
constexpr ProfileFlag kProfileFlags[] = {
    {"--email", "E", &api::ProfileUpdate::email, "New email address"},
    {"--phone", "P", &api::ProfileUpdate::phone, "New mobile number"},
    {"--region", "R", &api::ProfileUpdate::region, "Region"},
    {"--organization", "O", &api::ProfileUpdate::organization,
     "Organization (university, research_institute, enterprise users)"},
    {"--contact-name", "NAME", &api::ProfileUpdate::contact_name, "Contact person (enterprise suppliers)"},
    {"--address", "ADDR", &api::ProfileUpdate::address, "Address (individual suppliers)"},
    {"--affiliation", "ORG", &api::ProfileUpdate::affiliation, "Affiliation (individual suppliers)"},
    {"--bank-name", "NAME", nullptr, "Settlement bank (suppliers)"},
    {"--bank-account-name", "NAME", nullptr, "Settlement account holder (suppliers)"},
    {"--bank-account-number", "NUMBER", nullptr, "Settlement account number (suppliers)"},
};

void declare_profile_update(CLI::App* app, Args& a) {
  for (const auto& f : kProfileFlags) a.option(app, f.flag, f.value_name, f.help);
}

Result<> run_profile_update(Context& ctx) {
  api::ProfileUpdate wanted;
  bool any = false;
  for (const auto& f : kProfileFlags) {
    auto v = ctx.args.get(f.flag);
    if (v && f.member) wanted.*(f.member) = *v;
    any = any || v.has_value();
  }
  const auto bank = ctx.args.get("--bank-name");
  const auto holder = ctx.args.get("--bank-account-name");
  const auto number = ctx.args.get("--bank-account-number");
  if (bank || holder || number) {
    if (!bank || !holder || !number)
      return usage_error(
          "a settlement account is replaced whole: pass --bank-name, --bank-account-name and "
          "--bank-account-number together");
    wanted.settlement = api::SettlementInput{*bank, *holder, *number};
  }
  if (!any) {
    std::string flags;
    for (const auto& f : kProfileFlags) flags += std::string(flags.empty() ? "" : ", ") + f.flag;
    return usage_error("nothing to update; pass at least one of " + flags);
  }
  // The daemon's own checks of the request, before anything is sent.
  TRY_ASSIGN(api::ProfileUpdate request, api::ProfileUpdate::from_body(api::encode(wanted)));
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::AccountReply data, api->call<api::endpoint::UpdateProfile>(request));
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    out << "Updated the profile of " << data.account.username << ".\n";
    print_account(out, data.account, ctx.colour(), ctx.zone());
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
  TRY_ASSIGN(api::PasswordChanged data, api->call<api::endpoint::ChangePassword>(api::PasswordChange{current, next}));
  TRY(ctx.forget_session());
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    out << "Password changed. All sessions ended (" << data.sessions_ended
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
  TRY_ASSIGN(api::Deregistered data,
             api->call<api::endpoint::Deregister>(api::Deregistration{password, entry.username}));
  TRY(ctx.forget_session());
  return ctx.emit(api::encode(data), [&](std::ostream& out) {
    out << "Deregistered " << entry.username
        << ". Billing records are kept; the rest of your personal data was erased.\n";
  });
}

void declare_mfa_enable(CLI::App* app, Args& a) {
  a.option(app, "--code", "C", "Confirm a setup begun earlier with the first 6-digit code from the authenticator app");
}

void show_recovery_codes(std::ostream& out, const api::MfaEnabled& data) {
  out << "MFA is on. Recovery codes (each works once; store them safely, they are not shown again):\n";
  for (const std::string& c : data.recovery_codes) out << "  " << c << "\n";
}

Result<> run_mfa_enable(Context& ctx) {
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  if (auto code = ctx.args.get("--code")) {
    TRY_ASSIGN(api::MfaEnabled data, api->call<api::endpoint::MfaConfirmCode>({text::trim(*code)}));
    return ctx.emit(api::encode(data), [&](std::ostream& out) { show_recovery_codes(out, data); });
  }
  TRY_ASSIGN(api::MfaSecret begun, api->call<api::endpoint::MfaBegin>());
  // On a terminal the URI goes to stderr with --json, so the person still sees it.
  std::ostream& shown = ctx.want_json() && ctx.interactive() ? ctx.io.err : ctx.io.out;
  if (!ctx.want_json() || ctx.interactive()) {
    shown << "Add this account to your authenticator app (scan or paste the URI, or type the secret):\n"
          << "  URI:    " << begun.otpauth_uri << "\n"
          << "  Secret: " << begun.secret << "\n";
  }
  if (!ctx.interactive()) {
    if (ctx.want_json())
      ctx.print_json(api::encode(begun));
    else
      ctx.io.out << "Then confirm with: cpshare mfa enable --code CODE\n";
    return {};
  }
  for (int tries = 0;; ++tries) {
    auto answer = ctx.io.console.ask("First code from the app: ");
    if (!answer || text::trim(*answer).empty())
      return usage_error("no code given; MFA stays off (confirm later with: cpshare mfa enable --code CODE)");
    auto r = api->call<api::endpoint::MfaConfirmCode>({text::trim(*answer)});
    if (!r && r.error().code == ErrorCode::InvalidMfaCode && tries < 2) {
      ctx.io.err << "  " << r.error().message << "\n";
      continue;
    }
    if (!r) return fail(std::move(r.error()));
    // --json: the confirmation's members and the secret's, one object.
    json data = api::encode(*r);
    data.update(api::encode(begun));
    return ctx.emit(data, [&](std::ostream& out) { show_recovery_codes(out, *r); });
  }
}

void declare_mfa_disable(CLI::App* app, Args& a) {
  a.option(app, "--code", "C", "A current 6-digit code from the app, or a recovery code");
}

Result<> run_mfa_disable(Context& ctx) {
  TRY_ASSIGN(std::string code,
             flag_or_ask(ctx, "--code", "Authentication code (6 digits from the app, or a recovery code)"));
  TRY_ASSIGN(client::ApiClient * api, ctx.session_api());
  TRY_ASSIGN(api::MfaDisabled data, api->call<api::endpoint::MfaTurnOff>({text::trim(code)}));
  return ctx.emit(api::encode(data), [&](std::ostream& out) { out << "MFA is off.\n"; });
}

}  // namespace

// This file's rows of the command table (commands.cpp joins the areas).
std::vector<Command> profile_commands() {
  return {
      {{"profile"}, "Show and update your profile"},
      {{"profile", "show"}, "Show your account's profile", {"cpshare profile show"}, nullptr, run_profile_show},
      {{"profile", "update"},
       "Update contact details, region, organization or settlement account",
       {"cpshare profile update --email new@example.org --region Guangzhou"},
       declare_profile_update,
       run_profile_update,
       false,
       "Identity (real name, ID numbers, company name, credit code, legal representative) cannot be "
       "changed here."},
      {{"password"}, "Change your password"},
      {{"password", "change"},
       "Change your password; ends every session, this one included",
       {"cpshare password change", "printf '%s\\n%s\\n' \"$OLD\" \"$NEW\" | cpshare password change --password-stdin"},
       declare_password_change,
       run_password_change},
      {{"deregister"},
       "Deregister your account (billing records are kept, personal data erased)",
       {"cpshare deregister", "printf '%s\\n' \"$PASSWORD\" | cpshare deregister --yes --password-stdin"},
       declare_deregister,
       run_deregister,
       false,
       "On a terminal cpshare asks to type the username to confirm; off a terminal pass --yes."},
      {{"mfa"}, "Two-factor authentication with an authenticator app (TOTP)"},
      {{"mfa", "enable"},
       "Turn on two-factor authentication",
       {"cpshare mfa enable", "cpshare mfa enable --code 123456"},
       declare_mfa_enable,
       run_mfa_enable,
       false,
       "Starts the setup and prints the otpauth URI and the secret for an authenticator app. On a "
       "terminal it then asks for the first code, and prints the recovery codes once. Off a terminal it "
       "stops after printing them (with --json: secret and otpauth_uri); confirm the setup with "
       "--code C, which prints the recovery codes."},
      {{"mfa", "disable"},
       "Turn off two-factor authentication",
       {"cpshare mfa disable --code 123456"},
       declare_mfa_disable,
       run_mfa_disable},
  };
}

}  // namespace cpshare::clicmd::cmd
