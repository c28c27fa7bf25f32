// Errors are values inside lib/: every fallible function returns Result<T>.
// An Error carries a stable machine code (one of ErrorCode), a message that
// tells the reader what to fix, and optionally the offending fields. Context
// is prepended as the error rises ("register alice: store: ...").
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cpshare {

// The stable error codes of the API. Their string forms (error_code_name) are
// part of the public contract and documented in docs/openapi.yaml; never
// rename one. Add new codes at the end of a group.
enum class ErrorCode {
  // Input
  ValidationFailed,      // 422: fields[] says which input is wrong and why
  MalformedRequest,      // 400: body is not JSON / not the expected shape
  PayloadTooLarge,       // 413
  UnsupportedMediaType,  // 415: a body that is not application/json
  RequestTimeout,        // 408: the request did not arrive whole in time
  // Uniqueness / state
  UsernameTaken,      // 409
  EmailTaken,         // 409
  PhoneTaken,         // 409
  AlreadyActive,      // 409
  Conflict,           // 409: generic state conflict
  UnitsUnavailable,   // 409: the cluster has fewer idle units than asked
  MfaAlreadyEnabled,  // 409
  MfaNotEnabled,      // 409
  // Authentication
  InvalidCredentials,  // 401
  AccountNotActive,    // 403
  MfaRequired,         // 401
  InvalidMfaCode,      // 401
  InvalidCode,         // 400: verification code / token wrong or already used
  CodeExpired,         // 410: expired or out of attempts; request a new one
  RateLimited,         // 429: retry_after says when
  Unauthenticated,     // 401: no / expired / revoked session
  Forbidden,           // 403: authenticated but not allowed
  NotFound,            // 404
  // Server side
  Unavailable,     // 503: a dependency (mail server, ...) failed
  Internal,        // 500
  NotImplemented,  // 501: a transfer coding the daemon does not read (RFC 9112 §6.1)
};

// Every code, in declaration order (for documentation and tests).
const std::vector<ErrorCode>& all_error_codes();
std::string_view error_code_name(ErrorCode code);  // "VALIDATION_FAILED"
int error_http_status(ErrorCode code);
// Parse a code name back (the CLI reads them from the wire). Unknown → nullopt.
std::optional<ErrorCode> error_code_from_name(std::string_view name);

struct FieldError {
  std::string field;    // request field name, e.g. "id_number"
  std::string message;  // what is wrong with it and how to fix it
};

// One answer lists at most this many field errors (issue 9, R-SEC-1: 650,000
// unknown keys made a 70 MB answer); the rest are counted in one last entry.
inline constexpr std::size_t kMaxFieldErrors = 20;
// The field name of that last entry.
inline constexpr std::string_view kMoreFieldErrors = "(more)";
// The first kMaxFieldErrors of `fields`, then, when any were cut or `dropped`
// (errors already counted but not kept) > 0, {"(more)", "and N more errors
// not listed; …"}. At most kMaxFieldErrors + 1 entries.
std::vector<FieldError> cap_field_errors(std::vector<FieldError> fields, std::size_t dropped = 0);

struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;
  std::vector<FieldError> fields;
  int retry_after = 0;  // seconds, for RateLimited

  // Prepend context: "ctx: message".
  Error& context(std::string_view ctx) & {
    message = std::string(ctx) + ": " + message;
    return *this;
  }
  Error&& context(std::string_view ctx) && { return std::move(context(ctx)); }
};

// std::expected<T, Error>, but [[nodiscard]]: a Result dropped on the floor
// is a compile error under -Werror (libstdc++ 12 does not mark std::expected,
// and the attribute on an alias is ignored), so every error is handled, passed
// up or logged. A std::expected<T, Error> converts to it.
template <class T = void>
class [[nodiscard]] Result : public std::expected<T, Error> {
 public:
  using Base = std::expected<T, Error>;
  using Base::Base;
  Result() = default;
  Result(Base b) : Base(std::move(b)) {}  // NOLINT(google-explicit-constructor)
};

inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
  return std::unexpected(Error{code, std::move(message), {}, 0});
}
inline std::unexpected<Error> fail_fields(std::vector<FieldError> fields, std::string message = {}) {
  if (message.empty()) {
    message = fields.empty() ? "invalid input" : fields.front().field + ": " + fields.front().message;
    if (fields.size() > 1) message += " (and " + std::to_string(fields.size() - 1) + " more)";
  }
  return std::unexpected(Error{ErrorCode::ValidationFailed, std::move(message), std::move(fields), 0});
}
inline std::unexpected<Error> fail(Error e) { return std::unexpected(std::move(e)); }

}  // namespace cpshare

// TRY(expr): evaluate a Result; on error return it (with no added context).
// TRY_CTX(expr, ctx): same, prepending ctx to the message.
// TRY_ASSIGN(lhs, expr): on success assign the value to lhs (may declare it).
#define CPSHARE_CAT2(a, b) a##b
#define CPSHARE_CAT(a, b) CPSHARE_CAT2(a, b)
#define CPSHARE_TRY_ASSIGN_IMPL(r, lhs, expr)           \
  auto r = (expr);                                      \
  if (!r) return std::unexpected(std::move(r.error())); \
  lhs = std::move(*r)
#define TRY_ASSIGN(lhs, expr) CPSHARE_TRY_ASSIGN_IMPL(CPSHARE_CAT(try_r_, __COUNTER__), lhs, expr)
#define CPSHARE_TRY_IMPL(r, expr)                         \
  do {                                                    \
    auto r = (expr);                                      \
    if (!r) return std::unexpected(std::move(r.error())); \
  } while (0)
#define TRY(expr) CPSHARE_TRY_IMPL(CPSHARE_CAT(try_r_, __COUNTER__), expr)
#define CPSHARE_TRY_CTX_IMPL(r, expr, ctx)                             \
  do {                                                                 \
    auto r = (expr);                                                   \
    if (!r) return std::unexpected(std::move(r.error()).context(ctx)); \
  } while (0)
#define TRY_CTX(expr, ctx) CPSHARE_TRY_CTX_IMPL(CPSHARE_CAT(try_r_, __COUNTER__), expr, ctx)
