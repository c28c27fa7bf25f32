// The one error envelope of the API (R-API-STD), written by the daemon and
// printed by the CLI's --json: {"error":{"code","message","fields"?,"retry_after"?}}.
#pragma once

#include <cstddef>

#include <nlohmann/json.hpp>

#include "util/error.hpp"

namespace cpshare::api {

// Bounds of one envelope, whatever built the Error (issue 9, R-SEC-1): at most
// kMaxFieldErrors fields plus one "(more)" entry counting the rest (see
// cap_field_errors), each field name and field message clipped to the bytes
// below, the message to kMaxErrorMessage. A few KB at most.
inline constexpr std::size_t kMaxErrorMessage = 4096;
inline constexpr std::size_t kMaxFieldName = 128;
inline constexpr std::size_t kMaxFieldMessage = 512;

// {"error": {...}} for `e`, within the bounds above.
nlohmann::json error_envelope(const Error& e);

}  // namespace cpshare::api
