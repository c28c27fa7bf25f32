// The command table: the one list of what cpshare can do. It drives parsing and
// dispatch (runner.cpp), --help, "did you mean", the man page and the shell
// completions (docgen.cpp).
#include "clicmd/context.hpp"
#include "clicmd/handlers.hpp"

namespace cpshare::clicmd {

const std::vector<Command>& commands() {
  using namespace cmd;
  static const std::vector<Command> table = {
      {{"register"},
       "Register a user or supplier account",
       {"cpshare register",
        "printf '%s\\n' \"$PASSWORD\" | cpshare register --user-type individual --username alice "
        "--email alice@example.org --phone 13800138000 --region Shenzhen --real-name 'Zhang San' "
        "--id-number 11010519491231002X --password-stdin --accept-terms",
        "cpshare register --supplier --kind enterprise --username acme --company-name 'Acme Computing' "
        "--registered-capital 5000000.00 --licence licence.pdf ..."},
       declare_register,
       run_register,
       false,
       "On a terminal, cpshare asks for each missing field, for the password twice (without echo), "
       "shows the registration agreement and privacy policy and asks to accept them, then asks for "
       "the 6-digit code mailed to the email address and activates the account. Off a terminal pass "
       "every field as a flag, --password-stdin and --accept-terms; --code-stdin then reads the code "
       "from the next line of stdin. Users of type university, research_institute and enterprise, and "
       "all suppliers, attach a licence and a credit code, and an administrator reviews the account "
       "after activation. With --json, prints the registration's data (account and activation); when "
       "the account was activated as well, account is the activated account."},
      {{"activate"},
       "Activate an account with the mailed code or link token, or send a new one",
       {"cpshare activate --username alice 123456", "cpshare activate TOKEN",
        "cpshare activate --resend --username alice"},
       declare_activate,
       run_activate},
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
      {{"whoami"}, "Show who is logged in on the server", {"cpshare whoami", "cpshare whoami --json"}, nullptr,
       run_whoami},
      {{"sessions"}, "List and end your sessions"},
      {{"sessions", "list"}, "List your sessions on the server (* marks this one)", {"cpshare sessions list"},
       nullptr, run_sessions_list},
      {{"sessions", "revoke"}, "End one of your sessions", {"cpshare sessions revoke s_3f9a0c1d2e3f4a5b"},
       declare_sessions_revoke, run_sessions_revoke},
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
       {"cpshare password change",
        "printf '%s\\n%s\\n' \"$OLD\" \"$NEW\" | cpshare password change --password-stdin"},
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
      {{"mfa", "disable"}, "Turn off two-factor authentication", {"cpshare mfa disable --code 123456"},
       declare_mfa_disable, run_mfa_disable},
      {{"admin"}, "Administer the platform (admin accounts only)"},
      {{"admin", "review"}, "Review accounts that submitted a licence"},
      {{"admin", "review", "list"}, "List accounts awaiting review",
       {"cpshare admin review list", "cpshare admin review list --status rejected --json"}, declare_review_list,
       run_review_list},
      {{"admin", "review", "show"}, "Show an account under review, and save its licence file",
       {"cpshare admin review show alice --licence-out alice-licence.pdf"}, declare_review_show, run_review_show},
      {{"admin", "review", "approve"}, "Approve an account: it becomes active",
       {"cpshare admin review approve alice"}, declare_review_approve, run_review_approve},
      {{"admin", "review", "reject"}, "Reject an account, with a reason mailed to its holder",
       {"cpshare admin review reject alice --reason 'The licence is illegible; upload a clearer scan.'"},
       declare_review_reject, run_review_reject},
      {{"admin", "audit"}, "Show the security audit log, newest first",
       {"cpshare admin audit --event login_failed --limit 20"}, declare_audit, run_audit},
      {{"version"}, "Show the versions of cpshare and of the server", {"cpshare version"}, nullptr, run_version},
      {{"completion"},
       "Print the shell completion script for bash, zsh or fish",
       {"source <(cpshare completion bash)", "cpshare completion fish > ~/.config/fish/completions/cpshare.fish"},
       declare_completion,
       run_completion},
      {{"__man"}, "Print the man page (roff)", {}, nullptr, run_man, /*hidden=*/true},
  };
  return table;
}

}  // namespace cpshare::clicmd
