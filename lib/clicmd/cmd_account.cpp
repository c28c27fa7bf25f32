// register, activate (R-USER-1, R-USER-5, R-SUP-1..3).
#include <CLI/CLI.hpp>

#include "api/accounts.hpp"
#include "api/meta.hpp"
#include "catalog/units.hpp"
#include "clicmd/context.hpp"
#include "clicmd/display.hpp"
#include "clicmd/input.hpp"
#include "domain/account.hpp"
#include "domain/validate.hpp"
#include "util/text.hpp"

namespace cpshare::clicmd::cmd {

namespace {

const std::vector<std::string> kUserTypes = enum_names<UserType>();
const std::vector<std::string> kSupplierKinds = enum_names<SupplierKind>();

Check text_check(std::size_t max_chars) {
  return [max_chars](std::string_view v) { return validate::text(v, max_chars); };
}
std::string phone_check(std::string_view v) { return validate::phone(validate::normalize_phone(v)); }
std::string licence_check(std::string_view path) {
  auto r = read_licence(std::string(path));
  return r ? std::string() : r.error().fields.front().message;
}

// The request field a flag fills.
std::string field_of(std::string_view flag) {
  if (flag == "--registered-capital") return "registered_capital_fen";
  if (flag == "--bank-name") return "settlement.bank_name";
  if (flag == "--bank-account-name") return "settlement.account_name";
  if (flag == "--bank-account-number") return "settlement.account_number";
  std::string f(flag.substr(2));
  for (char& c : f)
    if (c == '-') c = '_';
  return f;
}

// Flags that only some kinds of account take; the API rejects the others, so do we.
const std::vector<std::string> kRoleFlags = {"--user-type",          "--real-name",      "--id-number",
                                             "--organization",       "--credit-code",    "--licence",
                                             "--company-name",       "--legal-rep-name", "--legal-rep-id-number",
                                             "--registered-capital", "--contact-name",   "--address",
                                             "--affiliation",        "--bank-name",      "--bank-account-name",
                                             "--bank-account-number"};

void reject_inapplicable(Context& ctx, Form& form, const std::vector<std::string>& allowed, std::string_view what) {
  for (const auto& flag : kRoleFlags) {
    if (!ctx.args.get(flag)) continue;
    if (std::find(allowed.begin(), allowed.end(), flag) == allowed.end())
      form.invalid(field_of(flag), flag + " does not apply to " + std::string(what));
  }
}

void show_activation_hint(std::ostream& out, const std::string& username) {
  out << "Activate with: cpshare activate --username " << username << " CODE\n"
      << "(or open the link in the email; `cpshare activate --resend --username " << username << "` sends a new one)\n";
}

void show_activated(std::ostream& out, const api::AccountView& account, bool colour) {
  out << "Activated " << account.username << "; status: " << status_text(status_name(account.status), colour) << "\n";
  if (account.status == AccountStatus::PendingReview)
    out << "An administrator reviews the licence next; you can log in meanwhile, and you will be mailed "
           "the decision.\n";
}

// Activates `username` with a code; on a terminal a wrong code may be typed again.
Result<api::AccountReply> activate_with_code(Context& ctx, client::ApiClient& api, const std::string& username,
                                             std::string code, bool may_retry) {
  for (;;) {
    auto r = api.call<api::endpoint::Activate>({username, text::trim(code)});
    if (r || !may_retry || r.error().code != ErrorCode::InvalidCode) return r;
    ctx.io.err << "  " << r.error().message << "\n";
    auto again = ctx.io.console.ask("Activation code: ");
    if (!again || text::trim(*again).empty()) return r;
    code = *again;
  }
}

void declare_register(CLI::App* app, Args& a) {
  a.flag(app, "--supplier", "Register a supplier (a cluster owner) instead of a user");
  a.option(app, "--kind", "KIND", "Supplier kind (implies --supplier)", kSupplierKinds);
  a.option(app, "--username", "U", "Account name: 3-32 characters, a letter first, then letters, digits, _ - .");
  a.option(app, "--email", "E", "Email address; the activation code and link are sent there");
  a.option(app, "--phone", "P", "Mainland mobile number (11 digits, +86 allowed)");
  a.option(app, "--region", "R", "Region (city or province), used to match users and clusters");
  a.flag(app, "--password-stdin", "Read the password from the first line of stdin");
  a.flag(app, "--accept-terms",
         "Accept the registration agreement and privacy policy (cpshare shows them on a terminal)");
  a.option(app, "--user-type", "T", "User type", kUserTypes);
  a.option(app, "--real-name", "N", "Real name (users, individual suppliers)");
  a.option(app, "--id-number", "X", "National ID number, 18 characters (users, individual suppliers)");
  a.option(app, "--organization", "O", "Organization (university, research_institute and enterprise users)");
  a.option(app, "--credit-code", "C", "Unified social credit code, 18 characters (with a licence)");
  a.file_option(app, "--licence", "FILE", "Business licence: PDF, PNG or JPEG, at most 5 MiB");
  a.option(app, "--company-name", "NAME", "Company name (enterprise suppliers)");
  a.option(app, "--legal-rep-name", "NAME", "Legal representative's name (enterprise suppliers)");
  a.option(app, "--legal-rep-id-number", "X", "Legal representative's national ID number (enterprise suppliers)");
  a.option(app, "--registered-capital", "YUAN",
           "Registered capital in yuan, at most two decimals, e.g. 5000000.00 (enterprise suppliers)");
  a.option(app, "--contact-name", "NAME", "Contact person (enterprise suppliers)");
  a.option(app, "--address", "ADDR", "Address (individual suppliers)");
  a.option(app, "--affiliation", "ORG", "Affiliation, optional (individual suppliers)");
  a.option(app, "--bank-name", "NAME", "Settlement bank (suppliers; optional for individuals)");
  a.option(app, "--bank-account-name", "NAME", "Settlement account holder");
  a.option(app, "--bank-account-number", "NUMBER", "Settlement account number");
  a.flag(app, "--code-stdin", "Then read the mailed 6-digit code from the next line of stdin and activate");
}

// The flags a kind of account takes, and its name for messages.
struct Applicable {
  std::vector<std::string> flags;
  std::string what;  // "enterprise suppliers"; empty while the kind is unknown
};

api::SettlementInput settlement_account(Form& form) {
  return {
      form.required("--bank-name", "settlement.bank_name", "Settlement bank", text_check(128)),
      form.required("--bank-account-name", "settlement.account_name", "Settlement account holder", text_check(128)),
      form.required("--bank-account-number", "settlement.account_number", "Settlement account number", text_check(64))};
}

std::optional<api::LicenceUpload> licence_upload(Context& ctx, Form& form) {
  const std::string path =
      form.file("--licence", "licence", "Licence file (PDF, PNG or JPEG, at most 5 MiB)", licence_check);
  if (path.empty()) return std::nullopt;
  auto licence = read_licence(path);
  if (licence) return *licence;
  if (!ctx.args.get("--licence")) form.invalid("licence", licence.error().fields.front().message);
  // (a --licence flag that fails was reported by licence_check already)
  return std::nullopt;
}

// `type`: nullopt while unknown (not given; the form reports it).
Applicable gather_user(Context& ctx, Form& form, api::UserRegistration& r, std::optional<UserType> type) {
  r.real_name = form.required("--real-name", "real_name", "Real name", text_check(64));
  r.id_number = form.required("--id-number", "id_number", "National ID number", validate::national_id);
  if (type) r.user_type = *type;
  if (!type || *type == UserType::Individual)
    return {{"--user-type", "--real-name", "--id-number"}, type ? "individual users" : ""};
  r.organization = form.required("--organization", "organization", "Organization", text_check(128));
  r.credit_code = form.required("--credit-code", "credit_code", "Unified social credit code", validate::credit_code);
  r.licence = licence_upload(ctx, form);
  return {{"--user-type", "--real-name", "--id-number", "--organization", "--credit-code", "--licence"},
          std::string(enum_name(*type)) + " users"};
}

Applicable gather_enterprise_supplier(Context& ctx, Form& form, api::SupplierRegistration& r) {
  r.company_name = form.required("--company-name", "company_name", "Company name", text_check(128));
  r.legal_rep_name = form.required("--legal-rep-name", "legal_rep_name", "Legal representative's name", text_check(64));
  r.legal_rep_id_number = form.required("--legal-rep-id-number", "legal_rep_id_number",
                                        "Legal representative's national ID number", validate::national_id);
  const std::string capital = form.required("--registered-capital", "registered_capital_fen",
                                            "Registered capital in yuan (e.g. 5000000.00)", [](std::string_view v) {
                                              auto fen = catalog::parse_yuan(v);
                                              return fen ? std::string() : fen.error().message;
                                            });
  if (auto fen = catalog::parse_yuan(capital)) r.registered_capital_fen = *fen;
  r.credit_code = form.required("--credit-code", "credit_code", "Unified social credit code", validate::credit_code);
  r.contact_name = form.required("--contact-name", "contact_name", "Contact person", text_check(64));
  r.settlement = settlement_account(form);
  r.licence = licence_upload(ctx, form).value_or(api::LicenceUpload{});
  return {{"--company-name", "--legal-rep-name", "--legal-rep-id-number", "--registered-capital", "--credit-code",
           "--contact-name", "--bank-name", "--bank-account-name", "--bank-account-number", "--licence"},
          "enterprise suppliers"};
}

Applicable gather_individual_supplier(Context& ctx, Form& form, api::SupplierRegistration& r) {
  r.real_name = form.required("--real-name", "real_name", "Real name", text_check(64));
  r.id_number = form.required("--id-number", "id_number", "National ID number", validate::national_id);
  r.address = form.required("--address", "address", "Address", text_check(256));
  r.affiliation = form.optional("--affiliation", "affiliation", "Affiliation", text_check(128));
  r.credit_code =
      form.optional("--credit-code", "credit_code", "Affiliation's unified social credit code", validate::credit_code);
  const bool settlement_given =
      ctx.args.get("--bank-name") || ctx.args.get("--bank-account-name") || ctx.args.get("--bank-account-number");
  if (settlement_given || (ctx.interactive() && confirm(ctx, "Add a settlement account (optional)?")))
    r.settlement = settlement_account(form);
  r.licence = licence_upload(ctx, form).value_or(api::LicenceUpload{});
  return {{"--real-name", "--id-number", "--address", "--affiliation", "--credit-code", "--bank-name",
           "--bank-account-name", "--bank-account-number", "--licence"},
          "individual suppliers"};
}

// Shows the agreement and privacy policy (on stderr, like every prompt) and asks to accept.
Result<> accept_terms(Context& ctx, const api::TermsView& terms) {
  if (ctx.args.has("--accept-terms")) return {};
  const bool c = ctx.err_colour();
  ctx.io.err << "\n"
             << bold("Registration agreement", c) << " (version " << or_dash(terms.version) << ")\n\n"
             << or_dash(terms.agreement) << "\n\n"
             << bold("Privacy policy", c) << "\n\n"
             << or_dash(terms.privacy) << "\n\n";
  if (confirm(ctx, "Do you accept the registration agreement and the privacy policy?")) return {};
  return fail_fields({{"accept_terms", "the agreement and the privacy policy must be accepted to register"}},
                     "not registered: the agreement and the privacy policy were not accepted");
}

// The mailed code from --code-stdin or, on a terminal, typed now; nullopt: activate later.
Result<std::optional<std::string>> activation_code(Context& ctx) {
  if (ctx.args.has("--code-stdin")) {
    TRY_ASSIGN(std::string line, stdin_line(ctx, "--code-stdin"));
    return line;
  }
  if (!ctx.interactive()) return std::nullopt;
  auto answer = ctx.io.console.ask("Activation code from the email (Enter to activate later): ");
  if (!answer || text::trim(*answer).empty()) return std::nullopt;
  return *answer;
}

// The common members of a registration, from flags or asked; nothing when the kind is unknown yet.
void gather_common(Form& form, api::RegistrationCommon& r) {
  r.username = form.required("--username", "username", "Username", validate::username);
  r.password = form.new_password(r.username);
  r.email = form.required("--email", "email", "Email", validate::email);
  r.phone = validate::normalize_phone(form.required("--phone", "phone", "Mobile phone", phone_check));
  r.region = form.required("--region", "region", "Region", text_check(64));
}

// Accepts the terms (shown on a terminal), checks the request as the daemon will, sends it.
template <class E>
Result<api::Registered> send_registration(Context& ctx, client::ApiClient& api, const api::TermsView& terms,
                                          typename E::Request request) {
  TRY(accept_terms(ctx, terms));
  request.accept_terms = true;
  request.terms_version = terms.version;
  TRY_ASSIGN(request, E::Request::from_body(api::encode(request)));
  return api.call<E>(request);
}

// Registers as the flags say: a user or a supplier of a kind. Form errors come first.
Result<api::Registered> registration(Context& ctx, bool supplier, std::optional<api::TermsView> terms) {
  Form form(ctx);
  const std::string kind =
      supplier
          ? form.required("--kind", "kind", "Supplier kind (enterprise, individual)", one_of(kSupplierKinds))
          : form.required("--user-type", "user_type",
                          "User type (individual, university, research_institute, enterprise)", one_of(kUserTypes));
  api::UserRegistration user;
  api::SupplierRegistration sup;
  api::RegistrationCommon& common = supplier ? static_cast<api::RegistrationCommon&>(sup) : user;
  gather_common(form, common);
  Applicable applicable;
  if (!supplier) {
    applicable = gather_user(ctx, form, user, enum_parse<UserType>(kind));
  } else if (const auto k = enum_parse<SupplierKind>(kind)) {  // (the flag's choices are the table's)
    sup.kind = *k;
    applicable = *k == SupplierKind::Enterprise ? gather_enterprise_supplier(ctx, form, sup)
                                                : gather_individual_supplier(ctx, form, sup);
  }
  if (!applicable.what.empty()) reject_inapplicable(ctx, form, applicable.flags, applicable.what);
  if (!ctx.interactive() && !ctx.args.has("--accept-terms")) form.missing("--accept-terms");
  TRY(form.finish());

  TRY_ASSIGN(client::ApiClient * api, ctx.api());
  if (!terms) {
    TRY_ASSIGN(terms, api->call<api::endpoint::Terms>());
  }
  if (supplier) return send_registration<api::endpoint::RegisterSupplier>(ctx, *api, *terms, std::move(sup));
  return send_registration<api::endpoint::RegisterUser>(ctx, *api, *terms, std::move(user));
}

Result<> run_register(Context& ctx) {
  const bool supplier = ctx.args.has("--supplier") || ctx.args.get("--kind").has_value();
  if (supplier && ctx.args.get("--user-type"))
    return usage_error("--user-type is for users; suppliers take --kind enterprise|individual");

  // On a terminal, fetch the terms first: it also tells at once whether the server answers.
  std::optional<api::TermsView> terms;
  if (ctx.interactive()) {
    TRY_ASSIGN(client::ApiClient * api, ctx.api());
    TRY_ASSIGN(terms, api->call<api::endpoint::Terms>());
  }
  TRY_ASSIGN(api::Registered data, registration(ctx, supplier, std::move(terms)));
  const std::string kind = supplier
                               ? (data.account.supplier_kind ? std::string(enum_name(*data.account.supplier_kind)) : "")
                               : (data.account.user_type ? std::string(enum_name(*data.account.user_type)) : "");
  if (!ctx.want_json()) {
    ctx.io.out << "Registered " << data.account.username << " (" << role_name(data.account.role) << ", " << kind
               << "); status: " << status_text(status_name(data.account.status), ctx.colour()) << "\n"
               << "An activation code and link were sent to " << or_dash(data.activation.sent_to)
               << " (the code is valid until " << local_time(data.activation.code_expires_at, ctx.zone()) << ").\n";
  }

  TRY_ASSIGN(std::optional<std::string> code, activation_code(ctx));
  if (!code) {
    if (ctx.want_json())
      ctx.print_json(api::encode(data));
    else
      show_activation_hint(ctx.io.out, data.account.username);
    return {};
  }
  TRY_ASSIGN(client::ApiClient * api, ctx.api());
  TRY_ASSIGN(api::AccountReply activated,
             activate_with_code(ctx, *api, data.account.username, *code, ctx.interactive()));
  data.account = activated.account;
  return ctx.emit(api::encode(data), [&](std::ostream& out) { show_activated(out, data.account, ctx.colour()); });
}

void declare_activate(CLI::App* app, Args& a) {
  a.option(app, "--username", "U", "The account to activate (with CODE) or to send a new code to (with --resend)");
  a.flag(app, "--resend", "Send a new code and link; the old ones stop working");
  a.positional(app, "CODE", "The 6-digit code from the email, or the TOKEN from its link", false);
}

Result<> run_activate(Context& ctx) {
  const auto username = ctx.args.get("--username");
  const auto code = ctx.args.get("CODE");
  if (ctx.args.has("--resend")) {
    if (code) return usage_error("--resend takes no CODE");
    TRY_ASSIGN(std::string user, flag_or_ask(ctx, "--username", "Username"));
    TRY_ASSIGN(client::ApiClient * api, ctx.api());
    TRY_ASSIGN(api::ResendReply data, api->call<api::endpoint::ResendActivation>({user}));
    return ctx.emit(api::encode(data), [&](std::ostream& out) {
      out << "If " << user << " is waiting for activation, a new code and link were sent to its email.\n";
    });
  }
  const bool six_digits = code && code->size() == 6 && code->find_first_not_of("0123456789") == std::string::npos;
  if (code && !username && !six_digits) {  // the token from the link
    TRY_ASSIGN(client::ApiClient * api, ctx.api());
    TRY_ASSIGN(api::AccountReply data, api->call<api::endpoint::ActivateWithLink>({*code}));
    return ctx.emit(api::encode(data), [&](std::ostream& out) { show_activated(out, data.account, ctx.colour()); });
  }
  if (code && !username && !ctx.interactive())
    return usage_error("a 6-digit CODE needs --username U (or pass the TOKEN from the link instead)");
  if (!code && !username && !ctx.interactive())
    return usage_error("pass --username U CODE, or the TOKEN from the email's link");
  TRY_ASSIGN(std::string user, flag_or_ask(ctx, "--username", "Username"));
  std::string the_code;
  if (code)
    the_code = *code;
  else {
    TRY_ASSIGN(the_code, flag_or_ask(ctx, "CODE", "Activation code from the email"));
  }
  TRY_ASSIGN(client::ApiClient * api, ctx.api());
  TRY_ASSIGN(api::AccountReply data, activate_with_code(ctx, *api, user, the_code, ctx.interactive() && !code));
  return ctx.emit(api::encode(data), [&](std::ostream& out) { show_activated(out, data.account, ctx.colour()); });
}

}  // namespace

// This file's rows of the command table (commands.cpp joins the areas).
std::vector<Command> account_commands() {
  return {
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
  };
}

}  // namespace cpshare::clicmd::cmd
