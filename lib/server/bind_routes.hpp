// The rows of the route table that are still bound in lib/server (issue 10):
// accounts and admin review. The other areas' services bind their own
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

void bind_account_routes(RouteTable& table, const Services& s);  // routes_accounts.cpp (and admin review)

}  // namespace cpshare
