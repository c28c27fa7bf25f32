#include "ssh/supplier_host.hpp"

namespace cpshare::ssh {

Result<Target> LibsshSupplierHost::reachable(const Target& target) const {
  Target t = target;
  auto addresses = policy_.resolve_allowed(t.host, t.port);
  if (!addresses) return fail(std::move(addresses.error()).context("ssh to " + endpoint(t)));
  t.connect_address = addresses->front();
  t.log = log_;
  return t;
}

Result<Probe> LibsshSupplierHost::verify(const Target& target) {
  TRY_ASSIGN(Target t, reachable(target));
  return ssh::verify(t);
}

Result<> LibsshSupplierHost::create_lease_account(const Target& admin, const LeaseAccount& account,
                                                  std::string* node_output) {
  TRY_ASSIGN(Target t, reachable(admin));
  return ssh::create_lease_account(t, account, node_output);
}

Result<> LibsshSupplierHost::remove_lease_account(const Target& admin, std::string_view username) {
  TRY_ASSIGN(Target t, reachable(admin));
  return ssh::remove_lease_account(t, username);
}

Result<bool> LibsshSupplierHost::lease_account_exists(const Target& admin, std::string_view username) {
  TRY_ASSIGN(Target t, reachable(admin));
  return ssh::lease_account_exists(t, username);
}

Result<> LibsshSupplierHost::check_address(std::string_view host) { return policy_.check_literal(host); }

}  // namespace cpshare::ssh
