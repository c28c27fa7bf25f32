#include "service/meta.hpp"

#include <string>

#include "api/meta.hpp"
#include "api/openapi_doc.hpp"
#include "service/terms.hpp"
#include "util/clock.hpp"

namespace cpshare {

void bind_meta_endpoints(EndpointTable& t) {
  using namespace api::endpoint;
  t.bind<Health>([](const api::NoRequest&, const RequestContext&, const api::PathParams&) -> Result<api::HealthView> {
    return api::HealthView{"ok", CPSHARE_VERSION, api::Time{SystemClock{}.now()}};
  });
  t.bind<OpenApiDocument>(
      [](const api::NoRequest&, const RequestContext&, const api::PathParams&) -> Result<api::RawBody> {
        return api::RawBody{std::string(api::openapi_yaml()), "application/yaml", ""};
      });
  t.bind<Terms>([](const api::NoRequest&, const RequestContext&, const api::PathParams&) -> Result<api::TermsView> {
    return api::TermsView{std::string(terms::kVersion), std::string(terms::agreement()), std::string(terms::privacy())};
  });
}

}  // namespace cpshare
