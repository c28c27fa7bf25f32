// docs/openapi.yaml, embedded in the binary at build time (lib/CMakeLists.txt),
// so the daemon serves the document it was built with.
#pragma once

#include <string_view>

namespace cpshare::api {
std::string_view openapi_yaml();
}
