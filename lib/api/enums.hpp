// The domain's enums on the wire (api/wire.hpp EnumWire): each by the name its
// own table gives (domain/, catalog/), so the wire, the database and the CLI
// spell a value one way.
#pragma once

#include <string_view>
#include <vector>

#include "api/wire.hpp"
#include "catalog/cluster.hpp"
#include "domain/account.hpp"
#include "domain/lease.hpp"

namespace cpshare::api {

template <>
struct EnumWire<Role> {
  static std::string_view name(Role r) { return role_name(r); }
  static std::optional<Role> parse(std::string_view s) { return parse_role(s); }
  static std::vector<std::string_view> names() {
    return {role_name(Role::User), role_name(Role::Supplier), role_name(Role::Admin)};
  }
};

template <>
struct EnumWire<AccountStatus> {
  static std::string_view name(AccountStatus s) { return status_name(s); }
  static std::optional<AccountStatus> parse(std::string_view s) { return parse_status(s); }
  static std::vector<std::string_view> names() {
    std::vector<std::string_view> out;
    for (auto s : {AccountStatus::Inactive, AccountStatus::PendingReview, AccountStatus::Active,
                   AccountStatus::Rejected, AccountStatus::Deregistered})
      out.push_back(status_name(s));
    return out;
  }
};

template <>
struct EnumWire<LeaseState> {
  static std::string_view name(LeaseState s) { return lease_state_name(s); }
  static std::optional<LeaseState> parse(std::string_view s) { return parse_lease_state(s); }
  static std::vector<std::string_view> names() {
    std::vector<std::string_view> out;
    for (auto s : {LeaseState::Requested, LeaseState::Approved, LeaseState::Provisioning, LeaseState::Active,
                   LeaseState::Ended, LeaseState::Rejected, LeaseState::Lapsed})
      out.push_back(lease_state_name(s));
    return out;
  }
};

template <>
struct EnumWire<catalog::BillingMode> {
  static std::string_view name(catalog::BillingMode m) { return catalog::billing_mode_name(m); }
  static std::optional<catalog::BillingMode> parse(std::string_view s) { return catalog::billing_mode_from_name(s); }
  static std::vector<std::string_view> names() {
    std::vector<std::string_view> out;
    for (auto m : {catalog::BillingMode::Hourly, catalog::BillingMode::Daily, catalog::BillingMode::Monthly,
                   catalog::BillingMode::Yearly})
      out.push_back(catalog::billing_mode_name(m));
    return out;
  }
};

template <>
struct EnumWire<catalog::ClusterStatus> {
  static std::string_view name(catalog::ClusterStatus s) { return catalog::cluster_status_name(s); }
  static std::optional<catalog::ClusterStatus> parse(std::string_view s) {
    return catalog::cluster_status_from_name(s);
  }
  static std::vector<std::string_view> names() {
    return {catalog::cluster_status_name(catalog::ClusterStatus::Listed),
            catalog::cluster_status_name(catalog::ClusterStatus::Delisted)};
  }
};

}  // namespace cpshare::api
