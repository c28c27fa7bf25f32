// The supplier's host as the services see it (issue 10): check its host key
// and run a probe, create and remove a lease account. LeaseService and
// CatalogService reach an A-class host only through this interface, so their
// rules (redeem, lease end, the revocation retries, pinning) are unit-tested
// against an in-memory fake (tests/unit/fake_supplier_host.hpp), while
// LibsshSupplierHost, the real one, is proven against a real sshd
// (tests/ssh/test_provision.cpp, tests/integration/test_leases.sh).
//
// Every operation takes the ssh::Target of the cluster's admin user (host,
// port, user, provisioning key, pinned host key, timeouts) and answers what
// the functions of ssh/ssh.hpp and ssh/provision.hpp answer, with their
// error codes:
//   ValidationFailed  bad input (fields[] names it); nothing reached the host.
//   Forbidden         the host is, or resolves to, an address outside the
//                     networks the platform connects to (ssh/networks.hpp,
//                     cpshared --supplier-networks); nothing was connected to.
//                     The admin may widen the networks, so a retry can help.
//   Unavailable       the host could not be reached (its name does not
//                     resolve, it refused the connection, timed out), refused
//                     the key, or a remote step failed. Safe to retry. The
//                     message is the platform's own words (ssh/ssh.hpp).
//   Conflict          the host key differs from the pin (every operation;
//                     never authenticated against, never retried), or, for
//                     create and remove, an account (for create, or a group)
//                     of that name exists that cpshare did not make.
//                     Retrying cannot help.
//   Internal          unusable input from the platform itself (bad key text,
//                     a malformed pin), or create / remove / exists on a host
//                     with no pin (a command never runs on an unpinned host).
// Which calls are safe to repeat: verify and lease_account_exists change
// nothing; remove_lease_account is idempotent (an absent account is success);
// create_lease_account is too: a second create of the same name (another node
// of a multi-node lease, or a retry) applies password, key, GPUs and expiry
// again to the lease account the first made. A failed create leaves no
// account behind when it made the account, and leaves the existing one in
// place when it was applying again.
//
// Implementations are used from several request threads at once and must be
// thread-safe.
#pragma once

#include <string_view>
#include <utility>

#include "ssh/networks.hpp"
#include "ssh/provision.hpp"
#include "ssh/ssh.hpp"
#include "util/error.hpp"

namespace cpshare::ssh {

class SupplierHost {
 public:
  virtual ~SupplierHost() = default;

  // Connects, checks the host key against target.pinned_fingerprint (empty:
  // first contact, Probe::pinned_now) and runs `true` as target.user.
  virtual Result<Probe> verify(const Target& target) = 0;
  // Creates the lease account (LeaseAccount: username from lease_username,
  // the password, the user's public key, the GPU indices, the expiry in unix
  // seconds), or applies them again to the lease account of that name that an
  // earlier create made. An account of that name that cpshare did not make is
  // a Conflict, left untouched. On failure, what the node printed (password
  // redacted) goes to *node_output when given: for the supplier, not the error.
  virtual Result<> create_lease_account(const Target& admin, const LeaseAccount& account,
                                        std::string* node_output = nullptr) = 0;
  // Locks, kills and deletes the account and its files (home, temporary
  // files, at jobs, crontab). An absent account is success.
  virtual Result<> remove_lease_account(const Target& admin, std::string_view username) = 0;
  // Whether an account of that name exists on the host.
  virtual Result<bool> lease_account_exists(const Target& admin, std::string_view username) = 0;
  // Whether the platform may connect to `host` as a supplier typed it, before
  // it is stored: a literal address outside the networks is Forbidden; a name
  // passes (it is resolved and checked at every connection).
  virtual Result<> check_address(std::string_view host) = 0;
};

// The real host over libssh: each call resolves target.host through the
// NetworkPolicy (every address allowed, or Forbidden), then is the function
// of the same name in ssh/ssh.hpp or ssh/provision.hpp, connected to the first
// resolved address (one connection per call; no state but the policy and the
// log, so thread-safe). What libssh and the system said about a failed
// connection goes to `log` (when given), never into the error.
class LibsshSupplierHost final : public SupplierHost {
 public:
  LibsshSupplierHost() = default;  // the default policy, no log
  explicit LibsshSupplierHost(NetworkPolicy policy, Logger* log = nullptr) : policy_(std::move(policy)), log_(log) {}

  Result<Probe> verify(const Target& target) override;
  Result<> create_lease_account(const Target& admin, const LeaseAccount& account,
                                std::string* node_output = nullptr) override;
  Result<> remove_lease_account(const Target& admin, std::string_view username) override;
  Result<bool> lease_account_exists(const Target& admin, std::string_view username) override;
  Result<> check_address(std::string_view host) override;

 private:
  // target with connect_address set to the first allowed address of its host, and the log.
  Result<Target> reachable(const Target& target) const;

  NetworkPolicy policy_;
  Logger* log_ = nullptr;
};

}  // namespace cpshare::ssh
