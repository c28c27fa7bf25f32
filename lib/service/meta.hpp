// The daemon's own endpoints (api/meta.hpp): its health and version, its
// OpenAPI document, the current terms. They need no store and no caller.
#pragma once

#include "service/endpoint_table.hpp"

namespace cpshare {

// Binds Health (status "ok", CPSHARE_VERSION, the system clock's now),
// OpenApiDocument (docs/openapi.yaml as compiled in, application/yaml) and
// Terms (service/terms.hpp).
void bind_meta_endpoints(EndpointTable& t);

}  // namespace cpshare
