// What the benchmark programs share: leaving with a message, and percentiles.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <string>
#include <vector>

namespace bench {

// "PROGRAM: MSG" on stderr, exit status 1.
[[noreturn]] inline void die(const char* program, const std::string& msg) {
  std::fprintf(stderr, "%s: %s\n", program, msg.c_str());
  std::exit(1);
}

// Milliseconds on the steady clock since t0: each benchmark's timed request is
//   const auto t0 = std::chrono::steady_clock::now(); ...; ms.push_back(bench::ms_since(t0));
inline double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// The p-th percentile (0-100, nearest rank) of v, sorting it; 0 for none.
inline double pct(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5))];
}

// RFC 3339 UTC ("2026-12-05T09:30:00Z") of Unix seconds.
inline std::string rfc3339(std::int64_t unix) {
  std::time_t t = unix;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace bench
