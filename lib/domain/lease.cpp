#include "domain/lease.hpp"

#include <array>
#include <utility>

namespace cpshare {

namespace {
constexpr std::array<std::pair<LeaseState, std::string_view>, 7> kStates = {{
    {LeaseState::Requested, "requested"},
    {LeaseState::Approved, "approved"},
    {LeaseState::Provisioning, "provisioning"},
    {LeaseState::Active, "active"},
    {LeaseState::Ended, "ended"},
    {LeaseState::Rejected, "rejected"},
    {LeaseState::Lapsed, "lapsed"},
}};
}  // namespace

std::string_view lease_state_name(LeaseState s) {
  for (const auto& [state, name] : kStates)
    if (state == s) return name;
  return "requested";
}

std::optional<LeaseState> parse_lease_state(std::string_view s) {
  for (const auto& [state, name] : kStates)
    if (name == s) return state;
  return std::nullopt;
}

bool holds_units(LeaseState s) {
  return s == LeaseState::Requested || s == LeaseState::Approved || s == LeaseState::Provisioning ||
         s == LeaseState::Active;
}

}  // namespace cpshare
