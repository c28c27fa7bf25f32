// The domain's enums on the wire: every enum declared with CPSHARE_ENUM
// (util/enum_table.hpp) is its table's strings on the wire (api/wire.hpp),
// so the wire, the database and the CLI spell a value one way. This header
// brings them all in for the api types.
#pragma once

#include "api/wire.hpp"
#include "catalog/cluster.hpp"
#include "domain/account.hpp"
#include "domain/audit.hpp"
#include "billing/billing_mode.hpp"
#include "domain/lease.hpp"
