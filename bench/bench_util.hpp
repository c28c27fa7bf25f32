// What the benchmark programs share: leaving with a message, and percentiles.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace bench {

// "PROGRAM: MSG" on stderr, exit status 1.
[[noreturn]] inline void die(const char* program, const std::string& msg) {
  std::fprintf(stderr, "%s: %s\n", program, msg.c_str());
  std::exit(1);
}

// The p-th percentile (0-100, nearest rank) of v, sorting it; 0 for none.
inline double pct(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5))];
}

}  // namespace bench
