#include "util/error.hpp"

namespace cpshare {

namespace {
struct CodeInfo {
  ErrorCode code;
  std::string_view name;
  int status;
};
constexpr CodeInfo kCodes[] = {
    {ErrorCode::ValidationFailed, "VALIDATION_FAILED", 422},
    {ErrorCode::MalformedRequest, "MALFORMED_REQUEST", 400},
    {ErrorCode::PayloadTooLarge, "PAYLOAD_TOO_LARGE", 413},
    {ErrorCode::UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", 415},
    {ErrorCode::RequestTimeout, "REQUEST_TIMEOUT", 408},
    {ErrorCode::UsernameTaken, "USERNAME_TAKEN", 409},
    {ErrorCode::EmailTaken, "EMAIL_TAKEN", 409},
    {ErrorCode::PhoneTaken, "PHONE_TAKEN", 409},
    {ErrorCode::AlreadyActive, "ALREADY_ACTIVE", 409},
    {ErrorCode::Conflict, "CONFLICT", 409},
    {ErrorCode::UnitsUnavailable, "UNITS_UNAVAILABLE", 409},
    {ErrorCode::MfaAlreadyEnabled, "MFA_ALREADY_ENABLED", 409},
    {ErrorCode::MfaNotEnabled, "MFA_NOT_ENABLED", 409},
    {ErrorCode::InvalidCredentials, "INVALID_CREDENTIALS", 401},
    {ErrorCode::AccountNotActive, "ACCOUNT_NOT_ACTIVE", 403},
    {ErrorCode::MfaRequired, "MFA_REQUIRED", 401},
    {ErrorCode::InvalidMfaCode, "INVALID_MFA_CODE", 401},
    {ErrorCode::InvalidCode, "INVALID_CODE", 400},
    {ErrorCode::CodeExpired, "CODE_EXPIRED", 410},
    {ErrorCode::RateLimited, "RATE_LIMITED", 429},
    {ErrorCode::Unauthenticated, "UNAUTHENTICATED", 401},
    {ErrorCode::Forbidden, "FORBIDDEN", 403},
    {ErrorCode::NotFound, "NOT_FOUND", 404},
    {ErrorCode::Unavailable, "UNAVAILABLE", 503},
    {ErrorCode::Internal, "INTERNAL", 500},
    {ErrorCode::NotImplemented, "NOT_IMPLEMENTED", 501},
};

const CodeInfo& info(ErrorCode code) {
  for (const auto& c : kCodes)
    if (c.code == code) return c;
  return kCodes[std::size(kCodes) - 1];
}
}  // namespace

const std::vector<ErrorCode>& all_error_codes() {
  static const std::vector<ErrorCode> codes = [] {
    std::vector<ErrorCode> v;
    for (const auto& c : kCodes) v.push_back(c.code);
    return v;
  }();
  return codes;
}

std::string_view error_code_name(ErrorCode code) { return info(code).name; }
int error_http_status(ErrorCode code) { return info(code).status; }

std::optional<ErrorCode> error_code_from_name(std::string_view name) {
  for (const auto& c : kCodes)
    if (c.name == name) return c.code;
  return std::nullopt;
}

std::vector<FieldError> cap_field_errors(std::vector<FieldError> fields, std::size_t dropped) {
  if (fields.size() > kMaxFieldErrors) {
    dropped += fields.size() - kMaxFieldErrors;
    fields.resize(kMaxFieldErrors);
  }
  if (dropped > 0)
    fields.push_back({std::string(kMoreFieldErrors), "and " + std::to_string(dropped) + " more error" +
                                                         (dropped == 1 ? "" : "s") +
                                                         " not listed; fix these and send again"});
  return fields;
}

}  // namespace cpshare
