// The front door's rules for what a request carries, as pure functions (the
// server applies them; tests/unit/test_request_rules.cpp proves them).
// Issue 9: R-SEC-1 (bounded work per request), R-API-STD (strict JSON and
// headers).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/error.hpp"

namespace cpshare::api {

// Objects and arrays nest at most this deep (the deepest request body of the
// API nests 3); a deeper body is refused while it is read, before any tree is built.
inline constexpr std::size_t kMaxJsonDepth = 32;

// A request body as JSON.
// - Empty body: {} whatever the Content-Type (routes such as
//   POST …/delist take none; curl -X POST sends none).
// - Otherwise Content-Type must be application/json or application/<x>+json
//   (RFC 6839), case-insensitive, parameters allowed; a charset other than
//   utf-8 (RFC 8259 §8.1: JSON is UTF-8) or any other type, or none at all →
//   UNSUPPORTED_MEDIA_TYPE (415).
// - Not JSON → MALFORMED_REQUEST (400) with the byte offset; nested deeper than
//   kMaxJsonDepth → MALFORMED_REQUEST.
// - A key twice in one object, at any depth → VALIDATION_FAILED with the key's
//   path as the field ("settlement.bank_name", "environments[1].name"):
//   RFC 8259 leaves the meaning open and the last one used to win silently.
Result<nlohmann::json> parse_json_body(std::string_view body, std::string_view content_type);

// The request's text outside the body: each path parameter and each query
// parameter's name and value (as decoded from percent-encoding; parse_query
// checks its own) must be UTF-8
// (RFC 3986 §2.5: URI text is UTF-8, percent-encoded), else MALFORMED_REQUEST
// naming it. Handlers may then echo them into JSON, which must be UTF-8.
Result<> check_request_text(const std::vector<std::pair<std::string, std::string>>& path_params,
                            const std::multimap<std::string, std::string>& query);

// A request's query string (what follows "?", without it) as parameters, read
// as the URL Standard (WHATWG) reads application/x-www-form-urlencoded: pairs
// split at "&" (empty ones skipped), each pair's name and value split at its
// FIRST "=" (so "filter=reliability>=0.95" is the filter "reliability>=0.95";
// a pair without "=" has the value ""), "+" read as a space, then
// percent-decoded. The names and values must then be UTF-8 (check_request_text).
// A name given twice ("state=active&state=ended") → VALIDATION_FAILED naming
// it: no endpoint of docs/openapi.yaml takes a repeated parameter, and which
// one was meant cannot be guessed.
Result<std::multimap<std::string, std::string>> parse_query(std::string_view query);

// The token of an Authorization header using the Bearer scheme (RFC 6750 §2.1),
// the scheme name matched case-insensitively (RFC 9110 §11.1) and spaces or
// tabs around and between scheme and token tolerated: "bearer  abc " → "abc".
// "" when the header is absent, another scheme, or the token holds whitespace.
std::string bearer_token(std::string_view authorization);

// Content-Disposition for downloading `filename` (RFC 6266 §4.3):
//   attachment; filename="<ASCII fallback>"; filename*=UTF-8''<RFC 8187 percent-encoded>
// The fallback keeps printable ASCII except " \ % ; / and writes each other
// character as "_" ("licence" when nothing is left); so no file name can close
// the quoted string or add a parameter.
std::string attachment_disposition(std::string_view filename);

}  // namespace cpshare::api
