#include "ssh/supplier_host.hpp"

namespace cpshare::ssh {

Result<Probe> LibsshSupplierHost::verify(const Target& target) { return ssh::verify(target); }

Result<> LibsshSupplierHost::create_lease_account(const Target& admin, const LeaseAccount& account) {
  return ssh::create_lease_account(admin, account);
}

Result<> LibsshSupplierHost::remove_lease_account(const Target& admin, std::string_view username) {
  return ssh::remove_lease_account(admin, username);
}

Result<bool> LibsshSupplierHost::lease_account_exists(const Target& admin, std::string_view username) {
  return ssh::lease_account_exists(admin, username);
}

}  // namespace cpshare::ssh
