// Money on the platform is integer fen (1 yuan = 100 fen, R-CL-1); this is its
// one text form for people: the catalogue, leases, the ledger and the CLI all
// write amounts through format_yuan. No I/O, no floating point.
#pragma once

#include <cstdint>
#include <string>

namespace cpshare::money {

// fen → yuan with exactly two decimals: 1250 → "12.50", 5 → "0.05", -50 → "-0.50";
// every int64 value, INT64_MIN included ("-92233720368547758.08").
std::string format_yuan(std::int64_t fen);

}  // namespace cpshare::money
