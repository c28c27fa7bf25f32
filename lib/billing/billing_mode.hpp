// enum class BillingMode: how a lease is paid (R-LEASE-1), the one list for the
// catalogue's prices ({"hourly": fen, ...}), a lease's terms (leases.mode, the
// wire's "billing"), the billing arithmetic (billing::Mode is this type) and
// the CLI's --billing choices. Hourly is pay as you go; daily, monthly and
// yearly are prepaid periods (billing/billing.hpp).
#pragma once

#include "util/enum_table.hpp"

namespace cpshare {

// clang-format off
#define CPSHARE_BILLING_MODES(X) \
  X(Hourly,  "hourly")           \
  X(Daily,   "daily")            \
  X(Monthly, "monthly")          \
  X(Yearly,  "yearly")
// clang-format on
CPSHARE_ENUM(BillingMode, CPSHARE_BILLING_MODES);

}  // namespace cpshare
