#include "domain/account.hpp"

namespace cpshare {

namespace {
constexpr std::string_view kRoles[] = {"user", "supplier", "admin"};
constexpr std::string_view kStatuses[] = {"inactive", "pending_review", "active", "rejected", "deregistered"};
}  // namespace

std::string_view role_name(Role r) { return kRoles[static_cast<int>(r)]; }
std::optional<Role> parse_role(std::string_view s) {
  for (int i = 0; i < 3; ++i)
    if (kRoles[i] == s) return static_cast<Role>(i);
  return std::nullopt;
}
std::string_view status_name(AccountStatus s) { return kStatuses[static_cast<int>(s)]; }
std::optional<AccountStatus> parse_status(std::string_view s) {
  for (int i = 0; i < 5; ++i)
    if (kStatuses[i] == s) return static_cast<AccountStatus>(i);
  return std::nullopt;
}

}  // namespace cpshare
