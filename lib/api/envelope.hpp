// The one error envelope of the API (R-API-STD), written by the daemon and
// printed by the CLI's --json: {"error":{"code","message","fields"?,"retry_after"?}}.
#pragma once

#include <nlohmann/json.hpp>

#include "util/error.hpp"

namespace cpshare::api {

// {"error": {...}} for `e`.
nlohmann::json error_envelope(const Error& e);

}  // namespace cpshare::api
