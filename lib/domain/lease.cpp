#include "domain/lease.hpp"

namespace cpshare {

bool holds_units(LeaseState s) {
  return s == LeaseState::Requested || s == LeaseState::Approved || s == LeaseState::Provisioning ||
         s == LeaseState::Active;
}

LeaseState state_after(EndReason r) {
  switch (r) {
    case EndReason::Rejected: return LeaseState::Rejected;
    case EndReason::Lapsed: return LeaseState::Lapsed;
    case EndReason::Released:
    case EndReason::Expired:
    case EndReason::Terminated:
    case EndReason::Deregistered: return LeaseState::Ended;
  }
  return LeaseState::Ended;
}

}  // namespace cpshare
