// Accounts: registration, activation, sessions, MFA, profile (issue 2; R-USER-*,
// R-SUP-*, R-SEC-*): the request and response types of each endpoint, shared by
// the daemon and the CLI (api/endpoint.hpp).
//
// Request types parse themselves (from_body / from_query): every rule that
// needs only the request lives there (VALIDATION_FAILED with the list of
// fields; values normalised as api::Fields does), so the CLI checks what it
// sends with the same function. Rules that need the store or the caller
// (uniqueness, the current terms version, who may change what) stay in
// service/accounts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "api/endpoint.hpp"
#include "api/enums.hpp"
#include "domain/account.hpp"

namespace cpshare::api {

// A licence file's size limit (R-USER-1, R-SUP-1: "at most 5 MiB").
inline constexpr std::size_t kMaxLicenceBytes = 5 * 1024 * 1024;

// One login session of the caller (GET /api/v1/sessions).
struct SessionView {
  std::string id;  // "s_…"
  Time created_at;
  Time last_seen_at;
  Time expires_at;       // the absolute end (session_lifetime after login)
  Time idle_expires_at;  // when it ends unless used again (never after expires_at)
  std::string client;    // as the client named itself at login, "cpshare/0.1.0 host"
  std::string ip;        // the address it logged in from
  bool current = false;  // the session making this request
};
template <>
struct Wire<SessionView> {
  static constexpr auto fields = std::tuple{
      member("id", &SessionView::id),
      member("created_at", &SessionView::created_at),
      member("last_seen_at", &SessionView::last_seen_at),
      member("expires_at", &SessionView::expires_at),
      member("idle_expires_at", &SessionView::idle_expires_at),
      member("client", &SessionView::client),
      member("ip", &SessionView::ip),
      member("current", &SessionView::current),
  };
};

struct SessionList {
  std::vector<SessionView> items;  // live sessions only
};
template <>
struct Wire<SessionList> {
  static constexpr auto fields = std::tuple{member("items", &SessionList::items)};
};

// A session ended by logout or revocation.
struct SessionRevoked {
  std::string id;
  bool revoked = true;
};
template <>
struct Wire<SessionRevoked> {
  static constexpr auto fields =
      std::tuple{member("id", &SessionRevoked::id), member("revoked", &SessionRevoked::revoked)};
};

// ------------------------------------------------------------ account view

// A settlement (bank) account as shown: the number masked ("****5678").
struct SettlementView {
  std::string bank_name;
  std::string account_name;
  std::string account_number_masked;
};
template <>
struct Wire<SettlementView> {
  static constexpr auto fields =
      std::tuple{member("bank_name", &SettlementView::bank_name), member("account_name", &SettlementView::account_name),
                 member("account_number_masked", &SettlementView::account_number_masked)};
};

// The licence file's description (its bytes: GET .../licence).
struct LicenceView {
  std::string filename;      // base name only
  std::string content_type;  // "application/pdf", "image/png", "image/jpeg"
  std::int64_t size = 0;     // bytes
};
template <>
struct Wire<LicenceView> {
  static constexpr auto fields =
      std::tuple{member("filename", &LicenceView::filename), member("content_type", &LicenceView::content_type),
                 member("size", &LicenceView::size)};
};

// The public view of an account (R-USER-3: identity numbers, phone, credit
// code and bank account masked; null where the account has no such value).
struct AccountView {
  std::string username;
  Role role = Role::User;
  std::optional<UserType> user_type;          // users: individual, university, research_institute, enterprise
  std::optional<SupplierKind> supplier_kind;  // suppliers: enterprise, individual
  AccountStatus status = AccountStatus::Inactive;
  std::optional<std::string> email;
  std::optional<std::string> phone_masked;  // "138****8000"
  std::optional<std::string> real_name;
  std::optional<std::string> id_number_masked;  // "1101**********002X"
  std::optional<std::string> region;
  std::optional<std::string> organization;
  std::optional<std::string> credit_code_masked;
  std::optional<std::string> company_name;
  std::optional<std::string> legal_rep_name;
  std::optional<std::string> legal_rep_id_number_masked;
  std::optional<std::int64_t> registered_capital_fen;  // fen
  std::optional<std::string> contact_name;
  std::optional<std::string> address;
  std::optional<std::string> affiliation;
  std::optional<SettlementView> settlement;
  std::optional<LicenceView> licence;
  bool mfa_enabled = false;
  std::optional<std::string> review_note;
  Time created_at;
  std::optional<Time> activated_at;
  std::optional<Time> reviewed_at;
};
template <>
struct Wire<AccountView> {
  static constexpr auto fields = std::tuple{
      member("username", &AccountView::username),
      member("role", &AccountView::role),
      member("user_type", &AccountView::user_type),
      member("supplier_kind", &AccountView::supplier_kind),
      member("status", &AccountView::status),
      member("email", &AccountView::email),
      member("phone_masked", &AccountView::phone_masked),
      member("real_name", &AccountView::real_name),
      member("id_number_masked", &AccountView::id_number_masked),
      member("region", &AccountView::region),
      member("organization", &AccountView::organization),
      member("credit_code_masked", &AccountView::credit_code_masked),
      member("company_name", &AccountView::company_name),
      member("legal_rep_name", &AccountView::legal_rep_name),
      member("legal_rep_id_number_masked", &AccountView::legal_rep_id_number_masked),
      member("registered_capital_fen", &AccountView::registered_capital_fen),
      member("contact_name", &AccountView::contact_name),
      member("address", &AccountView::address),
      member("affiliation", &AccountView::affiliation),
      member("settlement", &AccountView::settlement),
      member("licence", &AccountView::licence),
      member("mfa_enabled", &AccountView::mfa_enabled),
      member("review_note", &AccountView::review_note),
      member("created_at", &AccountView::created_at),
      member("activated_at", &AccountView::activated_at),
      member("reviewed_at", &AccountView::reviewed_at),
  };
};

// {"account": AccountView}: activation, profile, profile update, a review decision.
struct AccountReply {
  AccountView account;
};
template <>
struct Wire<AccountReply> {
  static constexpr auto fields = std::tuple{member("account", &AccountReply::account)};
};

// ------------------------------------------------------------ registration

// A settlement account as submitted (R-SUP-1/2). from_body keeps the number's digits only.
struct SettlementInput {
  std::string bank_name;       // ≤ 128 characters
  std::string account_name;    // ≤ 128 characters
  std::string account_number;  // 8 to 32 digits; spaces and dashes are ignored
};
template <>
struct Wire<SettlementInput> {
  static constexpr auto fields = std::tuple{member("bank_name", &SettlementInput::bank_name),
                                            member("account_name", &SettlementInput::account_name),
                                            member("account_number", &SettlementInput::account_number)};
};

// A licence file as submitted: PDF, PNG or JPEG by content, ≤ kMaxLicenceBytes.
struct LicenceUpload {
  std::string filename;        // for display; from_body keeps the base name
  std::string content_base64;  // the file's bytes
};
template <>
struct Wire<LicenceUpload> {
  static constexpr auto fields = std::tuple{member("filename", &LicenceUpload::filename),
                                            member("content_base64", &LicenceUpload::content_base64)};
};

// A licence's bytes and sniffed type. VALIDATION_FAILED (licence.content_base64)
// when the base64 or the content is not a licence file.
struct LicenceFile {
  std::string filename, content_type, bytes;
};
Result<LicenceFile> decode_licence(const LicenceUpload& upload);

// What every registration gives (R-USER-1, R-SUP-1/2, §6.3.2.2).
struct RegistrationCommon {
  std::string username;       // 3-32 characters (validate::username)
  std::string password;       // validate::password, not containing the username
  std::string email;          // lower-cased
  std::string phone;          // mainland mobile, normalised to 11 digits
  std::string region;         // ≤ 64 characters
  bool accept_terms = false;  // must be true
  std::string terms_version;  // the daemon's current version (checked by the service)
};

// POST /api/v1/users. An institution (not individual) also gives organization,
// credit_code and licence; an individual must not.
struct UserRegistration : RegistrationCommon {
  UserType user_type = UserType::Individual;  // on the wire by its table: "individual", "university", ...
  std::string real_name;
  std::string id_number;  // national ID, upper-cased
  std::optional<std::string> organization;
  std::optional<std::string> credit_code;  // unified social credit code, upper-cased
  std::optional<LicenceUpload> licence;
  static Result<UserRegistration> from_body(const json& body);
};
template <>
struct Wire<UserRegistration> {
  static constexpr auto fields = std::tuple{
      member("username", &UserRegistration::username),
      member("password", &UserRegistration::password),
      member("email", &UserRegistration::email),
      member("phone", &UserRegistration::phone),
      member("region", &UserRegistration::region),
      member("user_type", &UserRegistration::user_type),
      member("real_name", &UserRegistration::real_name),
      member("id_number", &UserRegistration::id_number),
      member("organization", &UserRegistration::organization, Presence::Omittable),
      member("credit_code", &UserRegistration::credit_code, Presence::Omittable),
      member("licence", &UserRegistration::licence, Presence::Omittable),
      member("accept_terms", &UserRegistration::accept_terms),
      member("terms_version", &UserRegistration::terms_version),
  };
};

// POST /api/v1/suppliers. An enterprise gives company_name, legal_rep_name,
// legal_rep_id_number, registered_capital_fen, credit_code, contact_name and
// settlement; an individual real_name, id_number, address and optionally
// affiliation, credit_code, settlement. Both give a licence.
struct SupplierRegistration : RegistrationCommon {
  SupplierKind kind = SupplierKind::Enterprise;  // on the wire by its table: "enterprise", "individual"
  std::optional<std::string> company_name;
  std::optional<std::string> legal_rep_name;
  std::optional<std::string> legal_rep_id_number;
  std::optional<std::int64_t> registered_capital_fen;  // fen, 0 to 2^53
  std::optional<std::string> credit_code;
  std::optional<std::string> contact_name;
  std::optional<SettlementInput> settlement;
  std::optional<std::string> real_name;
  std::optional<std::string> id_number;
  std::optional<std::string> address;
  std::optional<std::string> affiliation;
  LicenceUpload licence;
  static Result<SupplierRegistration> from_body(const json& body);
};
template <>
struct Wire<SupplierRegistration> {
  static constexpr auto fields = std::tuple{
      member("username", &SupplierRegistration::username),
      member("password", &SupplierRegistration::password),
      member("email", &SupplierRegistration::email),
      member("phone", &SupplierRegistration::phone),
      member("region", &SupplierRegistration::region),
      member("kind", &SupplierRegistration::kind),
      member("company_name", &SupplierRegistration::company_name, Presence::Omittable),
      member("legal_rep_name", &SupplierRegistration::legal_rep_name, Presence::Omittable),
      member("legal_rep_id_number", &SupplierRegistration::legal_rep_id_number, Presence::Omittable),
      member("registered_capital_fen", &SupplierRegistration::registered_capital_fen, Presence::Omittable),
      member("credit_code", &SupplierRegistration::credit_code, Presence::Omittable),
      member("contact_name", &SupplierRegistration::contact_name, Presence::Omittable),
      member("settlement", &SupplierRegistration::settlement, Presence::Omittable),
      member("real_name", &SupplierRegistration::real_name, Presence::Omittable),
      member("id_number", &SupplierRegistration::id_number, Presence::Omittable),
      member("address", &SupplierRegistration::address, Presence::Omittable),
      member("affiliation", &SupplierRegistration::affiliation, Presence::Omittable),
      member("licence", &SupplierRegistration::licence),
      member("accept_terms", &SupplierRegistration::accept_terms),
      member("terms_version", &SupplierRegistration::terms_version),
  };
};

// Where the activation code and link went (R-USER-5).
struct ActivationSent {
  std::string sent_to;  // the email, masked
  bool mail_sent = false;
  Time code_expires_at;  // 15 minutes after sending
  Time link_expires_at;  // 48 hours after sending
};
template <>
struct Wire<ActivationSent> {
  static constexpr auto fields =
      std::tuple{member("sent_to", &ActivationSent::sent_to), member("mail_sent", &ActivationSent::mail_sent),
                 member("code_expires_at", &ActivationSent::code_expires_at),
                 member("link_expires_at", &ActivationSent::link_expires_at)};
};

struct Registered {
  AccountView account;  // status inactive
  ActivationSent activation;
};
template <>
struct Wire<Registered> {
  static constexpr auto fields =
      std::tuple{member("account", &Registered::account), member("activation", &Registered::activation)};
};

// ------------------------------------------------------------ activation

// POST /api/v1/activate (R-USER-5).
struct ActivationRequest {
  std::string username;  // as typed (any case)
  std::string code;      // the 6 digits from the mail
  static Result<ActivationRequest> from_body(const json& body);
};
template <>
struct Wire<ActivationRequest> {
  static constexpr auto fields =
      std::tuple{member("username", &ActivationRequest::username), member("code", &ActivationRequest::code)};
};

// GET /api/v1/activate?token=… (the mailed link).
struct ActivationToken {
  std::string token;
  static Result<ActivationToken> from_query(const Query& q);
};
template <>
struct Wire<ActivationToken> {
  static constexpr auto fields = std::tuple{member("token", &ActivationToken::token)};
};

// POST /api/v1/activate/resend.
struct ResendRequest {
  std::string username;
  static Result<ResendRequest> from_body(const json& body);
};
template <>
struct Wire<ResendRequest> {
  static constexpr auto fields = std::tuple{member("username", &ResendRequest::username)};
};

// Always {"sent": true} (no account oracle, issue 9).
struct ResendReply {
  bool sent = true;
};
template <>
struct Wire<ResendReply> {
  static constexpr auto fields = std::tuple{member("sent", &ResendReply::sent)};
};

// ------------------------------------------------------------ login

// POST /api/v1/sessions (R-USER-6): a username, email or phone and the password.
struct LoginRequest {
  std::string login;                         // ≤ 254 characters
  std::string password;                      // the bytes as typed
  std::optional<std::string> totp;           // 6 digits, when MFA is on
  std::optional<std::string> recovery_code;  // instead of totp
  std::optional<std::string> client;         // "cpshare/0.1.0 host"; default: the User-Agent
  static Result<LoginRequest> from_body(const json& body);
};
template <>
struct Wire<LoginRequest> {
  static constexpr auto fields = std::tuple{
      member("login", &LoginRequest::login),
      member("password", &LoginRequest::password),
      member("totp", &LoginRequest::totp, Presence::Omittable),
      member("recovery_code", &LoginRequest::recovery_code, Presence::Omittable),
      member("client", &LoginRequest::client, Presence::Omittable),
  };
};

struct LoginReply {
  std::string token;  // the bearer token; shown once
  SessionView session;
  AccountView account;
};
template <>
struct Wire<LoginReply> {
  static constexpr auto fields =
      std::tuple{member("token", &LoginReply::token), member("session", &LoginReply::session),
                 member("account", &LoginReply::account)};
};

// ------------------------------------------------------------ profile

// PATCH /api/v1/me (R-USER-7): at least one member. Which members the
// caller's kind of account has is the service's rule.
struct ProfileUpdate {
  std::optional<std::string> email;
  std::optional<std::string> phone;
  std::optional<std::string> region;
  std::optional<std::string> organization;    // institutions
  std::optional<std::string> contact_name;    // enterprise suppliers
  std::optional<std::string> address;         // individual suppliers
  std::optional<std::string> affiliation;     // individual suppliers
  std::optional<SettlementInput> settlement;  // suppliers; replaced whole
  static Result<ProfileUpdate> from_body(const json& body);
};
template <>
struct Wire<ProfileUpdate> {
  static constexpr auto fields = std::tuple{
      member("email", &ProfileUpdate::email, Presence::Omittable),
      member("phone", &ProfileUpdate::phone, Presence::Omittable),
      member("region", &ProfileUpdate::region, Presence::Omittable),
      member("organization", &ProfileUpdate::organization, Presence::Omittable),
      member("contact_name", &ProfileUpdate::contact_name, Presence::Omittable),
      member("address", &ProfileUpdate::address, Presence::Omittable),
      member("affiliation", &ProfileUpdate::affiliation, Presence::Omittable),
      member("settlement", &ProfileUpdate::settlement, Presence::Omittable),
  };
};

// POST /api/v1/me/password (R-USER-7). The service also checks the new
// password against the caller's username.
struct PasswordChange {
  std::string current_password;
  std::string new_password;  // validate::password; differs from the current one
  static Result<PasswordChange> from_body(const json& body);
};
template <>
struct Wire<PasswordChange> {
  static constexpr auto fields = std::tuple{member("current_password", &PasswordChange::current_password),
                                            member("new_password", &PasswordChange::new_password)};
};

struct PasswordChanged {
  int sessions_ended = 0;  // every session, the caller's included
};
template <>
struct Wire<PasswordChanged> {
  static constexpr auto fields = std::tuple{member("sessions_ended", &PasswordChanged::sessions_ended)};
};

// DELETE /api/v1/me (R-USER-8). The service checks confirm_username against the caller's.
struct Deregistration {
  std::string password;
  std::string confirm_username;
  static Result<Deregistration> from_body(const json& body);
};
template <>
struct Wire<Deregistration> {
  static constexpr auto fields = std::tuple{member("password", &Deregistration::password),
                                            member("confirm_username", &Deregistration::confirm_username)};
};

struct Deregistered {
  AccountStatus status = AccountStatus::Deregistered;
  int sessions_ended = 0;
};
template <>
struct Wire<Deregistered> {
  static constexpr auto fields =
      std::tuple{member("status", &Deregistered::status), member("sessions_ended", &Deregistered::sessions_ended)};
};

// ------------------------------------------------------------ MFA (R-SEC-2)

// A JSON object with no members (POST /api/v1/me/mfa): any key is refused.
struct EmptyObject {
  static Result<EmptyObject> from_body(const json& body);
};
template <>
struct Wire<EmptyObject> {
  static constexpr auto fields = std::tuple{};
};

struct MfaSecret {
  std::string secret;       // base32, for typing into an authenticator
  std::string otpauth_uri;  // for a QR code
};
template <>
struct Wire<MfaSecret> {
  static constexpr auto fields =
      std::tuple{member("secret", &MfaSecret::secret), member("otpauth_uri", &MfaSecret::otpauth_uri)};
};

// POST /api/v1/me/mfa/confirm: the first code from the authenticator.
struct MfaConfirm {
  std::string code;  // ≤ 16 characters
  static Result<MfaConfirm> from_body(const json& body);
};
template <>
struct Wire<MfaConfirm> {
  static constexpr auto fields = std::tuple{member("code", &MfaConfirm::code)};
};

struct MfaEnabled {
  bool mfa_enabled = true;
  std::vector<std::string> recovery_codes;  // ten, each works once; shown only now
};
template <>
struct Wire<MfaEnabled> {
  static constexpr auto fields = std::tuple{member("mfa_enabled", &MfaEnabled::mfa_enabled),
                                            member("recovery_codes", &MfaEnabled::recovery_codes)};
};

// DELETE /api/v1/me/mfa: a current TOTP code (6 digits) or a recovery code.
struct MfaDisable {
  std::string code;  // ≤ 32 characters
  static Result<MfaDisable> from_body(const json& body);
};
template <>
struct Wire<MfaDisable> {
  static constexpr auto fields = std::tuple{member("code", &MfaDisable::code)};
};

struct MfaDisabled {
  bool mfa_enabled = false;
};
template <>
struct Wire<MfaDisabled> {
  static constexpr auto fields = std::tuple{member("mfa_enabled", &MfaDisabled::mfa_enabled)};
};

namespace endpoint {

struct ListSessions {
  static constexpr Method method = Method::Get;
  static constexpr std::string_view path = "/api/v1/sessions";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "List the caller's sessions";
  using Request = NoRequest;
  using Response = SessionList;
};

struct Logout {
  static constexpr Method method = Method::Delete;
  static constexpr std::string_view path = "/api/v1/sessions/current";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Log out";
  using Request = NoRequest;
  using Response = SessionRevoked;
};

struct RevokeSession {
  static constexpr Method method = Method::Delete;
  static constexpr std::string_view path = "/api/v1/sessions/{id}";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Revoke one of the caller's sessions";
  using Request = NoRequest;
  using Response = SessionRevoked;
};

struct RegisterUser {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/users";
  static constexpr Auth auth = Auth::None;
  static constexpr int status = 201;
  static constexpr std::string_view summary = "Register a user";
  using Request = UserRegistration;
  using Response = Registered;
};

struct RegisterSupplier {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/suppliers";
  static constexpr Auth auth = Auth::None;
  static constexpr int status = 201;
  static constexpr std::string_view summary = "Register a supplier";
  using Request = SupplierRegistration;
  using Response = Registered;
};

struct Activate {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/activate";
  static constexpr Auth auth = Auth::None;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Activate an account with the mailed code";
  using Request = ActivationRequest;
  using Response = AccountReply;
};

// Bound with bind_http: a browser (Accept: text/html) gets an HTML page instead.
struct ActivateWithLink {
  static constexpr Method method = Method::Get;
  static constexpr std::string_view path = "/api/v1/activate";
  static constexpr Auth auth = Auth::None;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Activate an account with the mailed link";
  using Request = ActivationToken;
  using Response = AccountReply;
};

struct ResendActivation {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/activate/resend";
  static constexpr Auth auth = Auth::None;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Send a new activation code and link";
  using Request = ResendRequest;
  using Response = ResendReply;
};

struct Login {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/sessions";
  static constexpr Auth auth = Auth::None;
  static constexpr int status = 201;
  static constexpr std::string_view summary = "Log in";
  using Request = LoginRequest;
  using Response = LoginReply;
};

struct Profile {
  static constexpr Method method = Method::Get;
  static constexpr std::string_view path = "/api/v1/me";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "The caller's profile";
  using Request = NoRequest;
  using Response = AccountReply;
};

struct UpdateProfile {
  static constexpr Method method = Method::Patch;
  static constexpr std::string_view path = "/api/v1/me";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Update the caller's profile";
  using Request = ProfileUpdate;
  using Response = AccountReply;
};

struct Deregister {
  static constexpr Method method = Method::Delete;
  static constexpr std::string_view path = "/api/v1/me";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Deregister the caller's account";
  using Request = Deregistration;
  using Response = Deregistered;
};

struct ChangePassword {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/me/password";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Change password; ends every session";
  using Request = PasswordChange;
  using Response = PasswordChanged;
};

struct MfaBegin {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/me/mfa";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Begin enabling TOTP";
  using Request = EmptyObject;
  using Response = MfaSecret;
};

struct MfaConfirmCode {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/me/mfa/confirm";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Confirm TOTP with a first code";
  using Request = MfaConfirm;
  using Response = MfaEnabled;
};

struct MfaTurnOff {
  static constexpr Method method = Method::Delete;
  static constexpr std::string_view path = "/api/v1/me/mfa";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Disable TOTP";
  using Request = MfaDisable;
  using Response = MfaDisabled;
};

}  // namespace endpoint

// This area's endpoints in route order: a path before a template that would
// also match it. api/endpoints.hpp joins the areas; a new endpoint of this
// area is listed here and nowhere else.
using AccountEndpoints =
    std::tuple<endpoint::RegisterUser, endpoint::RegisterSupplier, endpoint::Activate, endpoint::ActivateWithLink,
               endpoint::ResendActivation, endpoint::Login, endpoint::ListSessions, endpoint::Logout,
               endpoint::RevokeSession, endpoint::Profile, endpoint::UpdateProfile, endpoint::Deregister,
               endpoint::ChangePassword, endpoint::MfaBegin, endpoint::MfaConfirmCode, endpoint::MfaTurnOff>;

}  // namespace cpshare::api
