// The rows of the route table, one file per area (issue 10): each binds the
// endpoints of lib/api/<area>.hpp to its service. HttpServer calls them all,
// then serves the table in api::route_specs() order.
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

void bind_meta_routes(RouteTable& table);                        // routes_meta.cpp
void bind_account_routes(RouteTable& table, const Services& s);  // routes_accounts.cpp (and admin review)
void bind_catalog_routes(RouteTable& table, const Services& s);  // routes_catalog.cpp
void bind_lease_routes(RouteTable& table, const Services& s);    // routes_leases.cpp

}  // namespace cpshare
