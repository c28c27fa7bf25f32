// The rows of the route table bound in lib/server (issue 10): the activation
// link (it answers HTML to a browser) and deregistration (it needs the profile
// and the lease service). The services bind all other
// endpoints (service/endpoint_table.hpp: CatalogService::bind,
// LeaseService::bind, bind_meta_endpoints). HttpServer adds them all, then
// serves the table in api::route_specs() order.
#pragma once

#include "server/route_table.hpp"
#include "service/accounts.hpp"
#include "service/catalog.hpp"
#include "service/leases.hpp"

namespace cpshare {

struct Services {
  AccountServices& accounts;
  CatalogService& catalog;
  LeaseService& leases;
};

void bind_account_routes(RouteTable& table, const Services& s);  // routes_accounts.cpp

}  // namespace cpshare
