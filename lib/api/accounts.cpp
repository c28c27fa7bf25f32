#include "api/accounts.hpp"

#include <algorithm>
#include <span>

#include <fmt/format.h>

#include "domain/fields.hpp"
#include "crypto/crypto.hpp"
#include "domain/validate.hpp"
#include "util/text.hpp"

namespace cpshare::api {

namespace {

constexpr std::size_t kNameMax = 64;
constexpr std::size_t kOrgMax = 128;
constexpr std::size_t kAddressMax = 256;

std::string upper(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

bool six_digits(const std::string& s) {
  return s.size() == 6 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Field helpers that validate and normalise one value, recording errors in f.
std::optional<std::string> national_id_field(Fields& f, std::string_view name, bool required) {
  auto v = f.text(name, required, 32);
  if (!v) return std::nullopt;
  std::string id = upper(*v);
  if (auto p = validate::national_id(id); !p.empty()) {
    f.error(std::string(name), p);
    return std::nullopt;
  }
  return id;
}
std::optional<std::string> credit_code_field(Fields& f, bool required) {
  auto v = f.text("credit_code", required, 32);
  if (!v) return std::nullopt;
  std::string c = upper(*v);
  if (auto p = validate::credit_code(c); !p.empty()) {
    f.error("credit_code", p);
    return std::nullopt;
  }
  return c;
}
std::optional<std::string> email_field(Fields& f, bool required) {
  auto v = f.text("email", required, 254);
  if (!v) return std::nullopt;
  std::string e = text::to_lower_ascii(*v);
  if (auto p = validate::email(e); !p.empty()) {
    f.error("email", p);
    return std::nullopt;
  }
  return e;
}
std::optional<std::string> phone_field(Fields& f, bool required) {
  auto v = f.text("phone", required, 32);
  if (!v) return std::nullopt;
  std::string ph = validate::normalize_phone(*v);
  if (auto p = validate::phone(ph); !p.empty()) {
    f.error("phone", p);
    return std::nullopt;
  }
  return ph;
}

std::optional<SettlementInput> settlement_field(Fields& f, bool required) {
  const json* s = f.object("settlement", required);
  if (!s) return std::nullopt;
  Fields sf(*s, {"bank_name", "account_name", "account_number"});
  auto bank = sf.text("bank_name", true, kOrgMax);
  auto name = sf.text("account_name", true, kOrgMax);
  auto number = sf.text("account_number", true, 40);
  std::string digits;
  if (number) {
    for (char c : *number)
      if (c != ' ' && c != '-') digits += c;
    bool ok = digits.size() >= 8 && digits.size() <= 32 &&
              std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!ok) sf.error("account_number", "must be 8 to 32 digits (spaces and dashes are ignored)");
  }
  for (auto& e : sf.errors()) f.error("settlement." + e.field, e.message);
  if (!sf.ok()) return std::nullopt;
  return SettlementInput{*bank, *name, digits};
}

std::string too_large() {
  return fmt::format("the file is larger than {} MiB; scan it at a lower resolution", kMaxLicenceBytes / (1024 * 1024));
}

// The problem with a licence's content ("" when it is a licence file); fills `file`.
std::string licence_problem(const std::string& content_base64, LicenceFile& file) {
  if (content_base64.size() > (kMaxLicenceBytes / 3 + 1) * 4 + 4) return too_large();
  auto bytes = crypto::base64_decode(content_base64);
  if (!bytes) return "is not valid base64";
  if (bytes->size() > kMaxLicenceBytes) return too_large();
  file.bytes.assign(bytes->begin(), bytes->end());
  file.content_type = validate::sniff_licence_type(file.bytes);
  if (file.content_type.empty()) return "the licence must be a PDF, PNG or JPEG file (checked by content)";
  return {};
}

// Keeps only the base name: the filename is for display, never a path.
std::string base_name(const std::string& name) {
  std::string base = name;
  if (auto slash = base.find_last_of("/\\"); slash != std::string::npos) base = base.substr(slash + 1);
  return base.empty() ? "licence" : base;
}

std::optional<LicenceUpload> licence_field(Fields& f, bool required) {
  const json* l = f.object("licence", required);
  if (!l) return std::nullopt;
  Fields lf(*l, {"filename", "content_base64"});
  auto name = lf.text("filename", true, 255);
  auto content = l->find("content_base64");
  std::optional<LicenceUpload> out;
  if (content == l->end() || !content->is_string() || content->get<std::string>().empty()) {
    lf.error("content_base64", "is required: the licence file's bytes, base64-encoded");
  } else {
    LicenceFile file;
    if (std::string why = licence_problem(content->get<std::string>(), file); !why.empty())
      lf.error("content_base64", why);
    else if (name)
      out = LicenceUpload{base_name(*name), content->get<std::string>()};
  }
  for (auto& e : lf.errors()) f.error("licence." + e.field, e.message);
  if (!lf.ok()) return std::nullopt;
  return out;
}

// A string member that must be present, non-empty, and is taken as given (a password).
std::optional<std::string> raw_secret(Fields& f, const json& body, const char* name) {
  auto it = body.is_object() ? body.find(name) : body.end();
  if (it == body.end() || !it->is_string() || it->get<std::string>().empty()) {
    f.error(name, "is required");
    return std::nullopt;
  }
  return it->get<std::string>();
}

// The members every registration has, in the order their errors are listed.
void parse_common(Fields& f, RegistrationCommon& r) {
  auto username = f.text("username", true, 32);
  if (username) {
    if (auto p = validate::username(*username); !p.empty()) f.error("username", p);
    r.username = *username;
  }
  auto password = f.secret("password", true, 128);
  if (password) {
    if (auto p = validate::password(*password, r.username); !p.empty()) f.error("password", p);
    r.password = *password;
  }
  r.email = email_field(f, true).value_or("");
  r.phone = phone_field(f, true).value_or("");
  r.region = f.text("region", true, kNameMax).value_or("");
  auto accept = f.boolean("accept_terms", true);
  if (accept && !*accept) f.error("accept_terms", "you must accept the registration agreement and privacy policy");
  r.accept_terms = accept.value_or(false);
  r.terms_version = f.text("terms_version", true, 32).value_or("");
}

void parse_enterprise_supplier(Fields& f, SupplierRegistration& r) {
  r.company_name = f.text("company_name", true, kOrgMax);
  r.legal_rep_name = f.text("legal_rep_name", true, kNameMax);
  r.legal_rep_id_number = national_id_field(f, "legal_rep_id_number", true);
  r.registered_capital_fen = f.integer("registered_capital_fen", true, 0, std::int64_t{1} << 53);
  r.credit_code = credit_code_field(f, true);
  r.contact_name = f.text("contact_name", true, kNameMax);
  r.settlement = settlement_field(f, true);
  const char* why = "only individual suppliers submit this";
  for (auto k : {"real_name", "id_number", "address", "affiliation"}) f.forbid(k, why);
}

void parse_individual_supplier(Fields& f, SupplierRegistration& r) {
  r.real_name = f.text("real_name", true, kNameMax);
  r.id_number = national_id_field(f, "id_number", true);
  r.address = f.text("address", true, kAddressMax);
  r.affiliation = f.text("affiliation", false, kOrgMax);
  r.credit_code = credit_code_field(f, false);
  r.settlement = settlement_field(f, false);
  const char* why = "only enterprise suppliers submit this";
  for (auto k : {"company_name", "legal_rep_name", "legal_rep_id_number", "registered_capital_fen", "contact_name"})
    f.forbid(k, why);
}

}  // namespace

Result<LicenceFile> decode_licence(const LicenceUpload& upload) {
  LicenceFile file;
  if (std::string why = licence_problem(upload.content_base64, file); !why.empty())
    return fail_fields({{"licence.content_base64", why}});
  file.filename = base_name(upload.filename);
  return file;
}

Result<UserRegistration> UserRegistration::from_body(const json& body) {
  Fields f(body, {"username", "password", "email", "phone", "real_name", "id_number", "user_type", "region",
                  "organization", "credit_code", "licence", "accept_terms", "terms_version"});
  UserRegistration r;
  parse_common(f, r);
  const auto type_text = f.text("user_type", true, 32);
  const auto type = type_text ? enum_parse<UserType>(*type_text) : std::nullopt;
  if (type_text && !type) f.error("user_type", "must be one of " + enum_list<UserType>(", ", ", "));
  r.user_type = type.value_or(UserType::Individual);  // (an error above when absent or unknown)
  r.real_name = f.text("real_name", true, kNameMax).value_or("");
  r.id_number = national_id_field(f, "id_number", true).value_or("");
  // An institution (any type but individual) is reviewed on its licence (R-USER-4).
  if (type_text && type != UserType::Individual) {
    r.organization = f.text("organization", true, kOrgMax);
    r.credit_code = credit_code_field(f, true);
    r.licence = licence_field(f, true);
  } else {
    const char* why = "only university, research_institute and enterprise users submit this";
    for (auto k : {"organization", "credit_code", "licence"}) f.forbid(k, why);
  }
  if (!f.ok()) return std::unexpected(f.failure());
  return r;
}

Result<SupplierRegistration> SupplierRegistration::from_body(const json& body) {
  Fields f(body, {"username",
                  "password",
                  "email",
                  "phone",
                  "region",
                  "kind",
                  "licence",
                  "accept_terms",
                  "terms_version",
                  "company_name",
                  "legal_rep_name",
                  "legal_rep_id_number",
                  "registered_capital_fen",
                  "credit_code",
                  "contact_name",
                  "settlement",
                  "real_name",
                  "id_number",
                  "address",
                  "affiliation"});
  SupplierRegistration r;
  parse_common(f, r);
  const auto kind_text = f.text("kind", true, 32);
  const auto kind = kind_text ? enum_parse<SupplierKind>(*kind_text) : std::nullopt;
  if (kind_text && !kind) f.error("kind", "must be enterprise or individual");
  r.kind = kind.value_or(SupplierKind::Enterprise);  // (an error above when absent or unknown)
  if (kind == SupplierKind::Enterprise)
    parse_enterprise_supplier(f, r);
  else
    parse_individual_supplier(f, r);
  auto licence = licence_field(f, true);
  if (!f.ok()) return std::unexpected(f.failure());
  r.licence = std::move(*licence);
  return r;
}

Result<ActivationRequest> ActivationRequest::from_body(const json& body) {
  Fields f(body, {"username", "code"});
  auto username = f.text("username", true, 64);
  auto code = f.text("code", true, 16);
  if (code && !six_digits(*code)) f.error("code", "must be the 6-digit code from the activation mail");
  if (!f.ok()) return std::unexpected(f.failure());
  return ActivationRequest{*username, *code};
}

Result<ActivationToken> ActivationToken::from_query(const Query& q) {
  auto it = q.find("token");  // the first value, as httplib's get_param_value
  if (it == q.end() || it->second.empty())
    return fail_fields({{"token", "is required: open the link from the activation mail"}});
  return ActivationToken{it->second};
}

Result<ResendRequest> ResendRequest::from_body(const json& body) {
  Fields f(body, {"username"});
  auto username = f.text("username", true, 64);
  if (!f.ok()) return std::unexpected(f.failure());
  return ResendRequest{*username};
}

Result<LoginRequest> LoginRequest::from_body(const json& body) {
  Fields f(body, {"login", "password", "totp", "recovery_code", "client"});
  LoginRequest r;
  r.login = f.text("login", true, 254).value_or("");
  r.password = raw_secret(f, body, "password").value_or("");
  r.totp = f.text("totp", false, 16);
  r.recovery_code = f.text("recovery_code", false, 32);
  r.client = f.text("client", false, 128);
  if (!f.ok()) return std::unexpected(f.failure());
  return r;
}

Result<ProfileUpdate> ProfileUpdate::from_body(const json& body) {
  Fields f(body, {"email", "phone", "region", "organization", "contact_name", "address", "affiliation", "settlement"});
  ProfileUpdate r;
  bool any = false;
  auto take = [&](const char* name, std::size_t max, std::optional<std::string>& out) {
    if (!f.has(name)) return;
    out = f.text(name, true, max);
    any = true;
  };
  if (f.has("email")) {
    r.email = email_field(f, true);
    any = true;
  }
  if (f.has("phone")) {
    r.phone = phone_field(f, true);
    any = true;
  }
  take("region", kNameMax, r.region);
  take("organization", kOrgMax, r.organization);
  take("contact_name", kNameMax, r.contact_name);
  take("address", kAddressMax, r.address);
  take("affiliation", kOrgMax, r.affiliation);
  if (f.has("settlement")) {
    r.settlement = settlement_field(f, true);
    any = true;
  }
  if (!f.ok()) return std::unexpected(f.failure());
  if (!any) return fail_fields({{"(body)", "nothing to change: give at least one field to update"}});
  return r;
}

Result<PasswordChange> PasswordChange::from_body(const json& body) {
  Fields f(body, {"current_password", "new_password"});
  auto current = raw_secret(f, body, "current_password");
  auto fresh = f.secret("new_password", true, 128);
  if (fresh) {
    // The rule against the username is checked again by the service, which knows it.
    if (auto p = validate::password(*fresh, ""); !p.empty())
      f.error("new_password", p);
    else if (current && *fresh == *current)
      f.error("new_password", "must differ from the current password");
  }
  if (!f.ok()) return std::unexpected(f.failure());
  return PasswordChange{*current, *fresh};
}

Result<Deregistration> Deregistration::from_body(const json& body) {
  Fields f(body, {"password", "confirm_username"});
  auto password = raw_secret(f, body, "password");
  auto confirm = f.text("confirm_username", true, 64);
  if (!f.ok()) return std::unexpected(f.failure());
  return Deregistration{*password, *confirm};
}

Result<EmptyObject> EmptyObject::from_body(const json& body) {
  Fields f(body, {});
  if (!f.ok()) return std::unexpected(f.failure());
  return EmptyObject{};
}

Result<MfaConfirm> MfaConfirm::from_body(const json& body) {
  Fields f(body, {"code"});
  auto code = f.text("code", true, 16);
  if (!f.ok()) return std::unexpected(f.failure());
  return MfaConfirm{*code};
}

Result<MfaDisable> MfaDisable::from_body(const json& body) {
  Fields f(body, {"code"});
  auto code = f.text("code", true, 32);
  if (!f.ok()) return std::unexpected(f.failure());
  return MfaDisable{*code};
}

}  // namespace cpshare::api
