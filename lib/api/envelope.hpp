// The one error envelope of the API (R-API-STD), written by the daemon and
// printed by the CLI's --json: {"error":{"code","message","fields"?,"retry_after"?}},
// as the typed ErrorEnvelope below; the client reads an error answer back
// through read_error_envelope, the same member table.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/wire.hpp"
#include "util/error.hpp"

namespace cpshare::api {

// Bounds of one envelope, whatever built the Error (issue 9, R-SEC-1): at most
// kMaxFieldErrors fields plus one "(more)" entry counting the rest (see
// cap_field_errors), each field name and field message clipped to the bytes
// below, the message to kMaxErrorMessage. A few KB at most.
inline constexpr std::size_t kMaxErrorMessage = 4096;
inline constexpr std::size_t kMaxFieldName = 128;
inline constexpr std::size_t kMaxFieldMessage = 512;

// docs/openapi.yaml: FieldError.
struct ErrorField {
  std::string field;
  std::string message;
};

// docs/openapi.yaml: Error.error.
struct ErrorBody {
  // An ErrorCode's name. Text, not the enum: a code newer than this client is
  // still an error it can show (read as Internal with the daemon's message).
  std::string code;
  std::string message;
  std::optional<std::vector<ErrorField>> fields;  // VALIDATION_FAILED only; left out otherwise
  std::optional<int> retry_after;                 // RATE_LIMITED only, seconds; left out otherwise
};

// docs/openapi.yaml: Error.
struct ErrorEnvelope {
  ErrorBody error;
};

template <>
struct Wire<ErrorField> {
  static constexpr auto fields =
      std::tuple{member("field", &ErrorField::field), member("message", &ErrorField::message)};
};
template <>
struct Wire<ErrorBody> {
  static constexpr auto fields = std::tuple{member("code", &ErrorBody::code), member("message", &ErrorBody::message),
                                            member("fields", &ErrorBody::fields, Presence::Omittable),
                                            member("retry_after", &ErrorBody::retry_after, Presence::Omittable)};
};
template <>
struct Wire<ErrorEnvelope> {
  static constexpr auto fields = std::tuple{member("error", &ErrorEnvelope::error)};
};

// The envelope for `e`, within the bounds above.
ErrorEnvelope to_error_envelope(const Error& e);
// {"error": {...}} for `e`: encode(to_error_envelope(e)).
nlohmann::json error_envelope(const Error& e);

// The Error an error answer `doc` carries (the daemon's code, message, fields
// and retry_after; a code this build does not know is Internal, an empty
// message names the code). A `doc` that does not fit ErrorEnvelope is this
// call's own error: Internal naming `http_status` and the first mismatch
// ("error.code: expected a string"), never an Error of empty strings.
Result<Error> read_error_envelope(const nlohmann::json& doc, int http_status);

}  // namespace cpshare::api
