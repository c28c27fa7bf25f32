// Slows repeated failures (wrong password, TOTP or activation code, probes of
// taken names) per key, with exponential backoff that is capped and forgotten
// after a quiet window, so an attacker can slow guessing but never lock an
// owner out for good. In memory: a restart forgets every count.
//
// No account oracle (issue 9, R-SEC-4): the keys of the unauthenticated flows
// are what the client typed (a login name, a username) and its address, never
// an account id, so an unknown name is counted and slowed exactly as a known
// one and the throttle itself tells nothing about which names exist.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "util/clock.hpp"

namespace cpshare {

struct ThrottlePolicy {
  int free_failures = 5;          // failures allowed before any delay
  std::int64_t window = 15 * 60;  // a key quiet this long (seconds) is forgotten
  std::int64_t max_delay = 15 * 60;
  std::int64_t first_delay = 1;  // delay after the first failure past the free ones; doubles with each next
};

// The named policies (seconds). Delay after failure n (n > free_failures):
// min(first_delay * 2^(n - free_failures - 1), max_delay).
namespace throttle_policy {
// Failed logins (unknown login, wrong password, wrong second factor) per login
// name as typed (username folded as usernames are, email lower-cased, phone
// normalised) and client address. Per address, so an attacker elsewhere does
// not lock the owner out.
inline constexpr ThrottlePolicy kLogin{5, 15 * 60, 15 * 60, 1};
// Every failed credential from one client address (logins, activation codes
// and links), whatever name it named.
inline constexpr ThrottlePolicy kAddress{50, 15 * 60, 15 * 60, 1};
// Wrong activation codes per username as typed and client address (besides
// the five tries a code allows, counted in the store).
inline constexpr ThrottlePolicy kActivation{5, 15 * 60, 15 * 60, 1};
// Answers that say a username, email or phone is taken (registration per
// client address, a profile change per account): they must be given, so they
// are rationed. Forgotten only after an hour without one.
inline constexpr ThrottlePolicy kTaken{5, 60 * 60, 15 * 60, 1};
// Activation resends per username as typed, from any address: one a minute
// (the first is free, the next waits 60 s).
inline constexpr ThrottlePolicy kResend{1, 60, 60, 60};
// Activation resends per client address, whatever username: ten, then slowed.
inline constexpr ThrottlePolicy kResendAddress{10, 60 * 60, 15 * 60, 1};
// Re-checks of a logged-in caller's password or second factor (password
// change, deregistration, MFA) per account and address.
inline constexpr ThrottlePolicy kAccount{5, 15 * 60, 15 * 60, 1};
}  // namespace throttle_policy

class Throttle {
 public:
  explicit Throttle(const Clock& clock) : clock_(clock) {}
  // Seconds until the next attempt under `key` is allowed (0: allowed now).
  std::int64_t wait(const std::string& key, const ThrottlePolicy& p);
  void failure(const std::string& key, const ThrottlePolicy& p);
  void success(const std::string& key);

 private:
  struct Entry {
    int failures = 0;
    std::int64_t last = 0;
    std::int64_t window = 0;  // of the policy it was counted under
  };
  void prune(std::int64_t now);
  const Clock& clock_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace cpshare
