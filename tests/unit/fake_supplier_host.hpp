// An in-memory supplier host for the unit tests of the services that reach
// A-class hosts (issue 10): it keeps the lease accounts in a map and answers
// as ssh::LibsshSupplierHost does where the services depend on it, with the
// same error codes (ssh/supplier_host.hpp):
//   - a pin that differs from the host's key: Conflict (every call);
//   - create / remove / exists on a target with no pin: Internal (the real
//     one never runs a command on an unpinned host);
//   - a name that is not "cpl_" + [a-z0-9_]{1,28}: ValidationFailed (fields: username);
//   - create of an existing lease account: success, the account's record
//     replaced by this one (the real one applies password, key, GPUs and
//     expiry again: the nodes of a multi-node lease create one account each);
//   - an account of that name that cpshare did not make (add_foreign_account):
//     create and remove are Conflict, the account left as it was; exists is true;
//   - remove of an absent account: success (idempotent);
//   - while down (go_down): Unavailable "ssh to HOST:PORT: connect: refused
//     the connection", as for a host that refuses connections; nothing
//     changes on the host;
//   - a host that is a literal address outside its NetworkPolicy (the
//     default, or set_policy): Forbidden, from the same ssh::NetworkPolicy the
//     real one applies, for check_address and every call (the fake resolves
//     no names: a name always passes).
// Its host key is kFingerprint (an ed25519 key) until change_host_key; on
// port P > 1 a key derived from it (key_at).
// Thread-safe, like the real one.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "ssh/supplier_host.hpp"

namespace cpshare::testing {

class FakeSupplierHost final : public ssh::SupplierHost {
 public:
  static constexpr std::string_view kFingerprint = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
  static constexpr std::string_view kKeyType = "ssh-ed25519";

  // One call as the fake saw it: which operation, for which account.
  struct Call {
    std::string op;        // "verify", "create", "remove", "exists"
    std::string username;  // empty for verify
    bool ok = false;
  };

  // The next `calls` calls fail as an unreachable host's do (negative: every
  // call until come_up).
  void go_down(int calls = -1) {
    std::lock_guard lock(mu_);
    down_ = calls;
  }
  void come_up() {
    std::lock_guard lock(mu_);
    down_ = 0;
    down_ports_.clear();
  }
  // Only the node at this port refuses connections (until come_up).
  void go_down_at(int port) {
    std::lock_guard lock(mu_);
    down_ports_.insert(port);
  }
  // The host now presents another key (a re-installed host): targets pinned
  // to the old one get Conflict; verify with an empty pin (repin) accepts it.
  // Creates fail as a create script that exits 1 printing `output` would; nullopt: they work again.
  void fail_creates(std::optional<std::string> output) {
    std::lock_guard lock(mu_);
    create_output_ = std::move(output);
  }

  void change_host_key(std::string fingerprint) {
    std::lock_guard lock(mu_);
    fingerprint_ = std::move(fingerprint);
  }

  // The networks the platform may connect to (cpshared --supplier-networks).
  void set_policy(ssh::NetworkPolicy policy) {
    std::lock_guard lock(mu_);
    policy_ = std::move(policy);
  }

  // A supplier's own account of that name (not made by cpshare) appears on the
  // host, or goes again.
  // A lease account as a create would have left it (a redeem cut short by a dying daemon).
  void put_account(const ssh::LeaseAccount& account) {
    std::lock_guard lock(mu_);
    accounts_[account.username] = account;
  }

  void add_foreign_account(std::string username) {
    std::lock_guard lock(mu_);
    foreign_.insert(std::move(username));
  }
  void remove_foreign_account(const std::string& username) {
    std::lock_guard lock(mu_);
    foreign_.erase(username);
  }

  // The lease accounts on the host now, by name (the last create's record).
  std::map<std::string, ssh::LeaseAccount> accounts() const {
    std::lock_guard lock(mu_);
    return accounts_;
  }
  // Every successful create (in order; a create of an existing lease account
  // too), and every removal of an existing one.
  std::vector<ssh::LeaseAccount> created() const {
    std::lock_guard lock(mu_);
    return created_;
  }
  std::vector<std::string> removed() const {
    std::lock_guard lock(mu_);
    return removed_;
  }
  std::vector<Call> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  // The admin target of the last call (to check the pin, key and timeouts sent).
  ssh::Target last_target() const {
    std::lock_guard lock(mu_);
    return last_target_;
  }

  Result<ssh::Probe> verify(const ssh::Target& target) override {
    std::lock_guard lock(mu_);
    auto reached = reach(target, false);
    calls_.push_back({"verify", "", reached.has_value()});
    if (!reached) return std::unexpected(reached.error());
    return ssh::Probe{key_at(target.port), std::string(kKeyType), target.pinned_fingerprint.empty()};
  }

  Result<> check_address(std::string_view host) override {
    std::lock_guard lock(mu_);
    return policy_.check_literal(host);
  }

  Result<> create_lease_account(const ssh::Target& admin, const ssh::LeaseAccount& account,
                                std::string* node_output = nullptr) override {
    std::lock_guard lock(mu_);
    auto done = [&]() -> Result<> {
      TRY(valid_name(account.username, "create lease account"));
      TRY(reach(admin, true));
      if (foreign_.contains(account.username))
        return fail(ErrorCode::Conflict, fmt::format("ssh to {}: create lease account {}: {} already exists and "
                                                     "cpshare did not create it",
                                                     ssh::endpoint(admin), account.username, account.username));
      if (create_output_) {  // the create script failed, printing this, as provision reports it
        if (node_output) *node_output = *create_output_;
        return fail(ErrorCode::Unavailable, fmt::format("ssh to {}: create lease account {} exited with status 1",
                                                        ssh::endpoint(admin), account.username));
      }
      accounts_[account.username] = account;
      created_.push_back(account);
      return {};
    }();
    calls_.push_back({"create", account.username, done.has_value()});
    return done;
  }

  Result<> remove_lease_account(const ssh::Target& admin, std::string_view username) override {
    std::lock_guard lock(mu_);
    auto done = [&]() -> Result<> {
      TRY(valid_name(username, "remove lease account"));
      TRY(reach(admin, true));
      if (foreign_.contains(std::string(username)))
        return fail(ErrorCode::Conflict, fmt::format("ssh to {}: remove lease account {}: refusing to remove {}: "
                                                     "cpshare did not create it",
                                                     ssh::endpoint(admin), username, username));
      if (accounts_.erase(std::string(username)) > 0) removed_.emplace_back(username);
      return {};
    }();
    calls_.push_back({"remove", std::string(username), done.has_value()});
    return done;
  }

  Result<bool> lease_account_exists(const ssh::Target& admin, std::string_view username) override {
    std::lock_guard lock(mu_);
    auto done = [&]() -> Result<bool> {
      TRY(valid_name(username, "lease account exists"));
      TRY(reach(admin, true));
      return accounts_.contains(std::string(username)) || foreign_.contains(std::string(username));
    }();
    calls_.push_back({"exists", std::string(username), done.has_value()});
    return done;
  }

 private:
  static Result<> valid_name(std::string_view username, std::string_view what) {
    static const std::regex name("cpl_[a-z0-9_]{1,28}");
    if (!std::regex_match(username.begin(), username.end(), name))
      return fail(std::move(fail_fields({{"username", "must be cpl_ and 1 to 28 of [a-z0-9_]"}}).error())
                      .context(std::string(what)));
    return {};
  }

  // Connecting and checking the host key, as ssh::run (needs_pin) and ssh::verify do.
  Result<> reach(const ssh::Target& t, bool needs_pin) {
    last_target_ = t;
    if (auto allowed = policy_.check_literal(t.host); !allowed)
      return fail(std::move(allowed.error()).context("ssh to " + ssh::endpoint(t)));
    if (needs_pin && t.pinned_fingerprint.empty())
      return fail(ErrorCode::Internal, fmt::format("ssh to {}: refusing to run a command on a host whose key is "
                                                   "not pinned (verify the cluster first)",
                                                   ssh::endpoint(t)));
    if (down_ != 0 || down_ports_.contains(t.port)) {
      if (down_ > 0) --down_;
      return fail(ErrorCode::Unavailable, fmt::format("ssh to {}: connect: refused the connection", ssh::endpoint(t)));
    }
    if (!t.pinned_fingerprint.empty() && t.pinned_fingerprint != key_at(t.port))
      return fail(ErrorCode::Conflict, fmt::format("host key of {} changed: pinned {}, now {} ({})", ssh::endpoint(t),
                                                   t.pinned_fingerprint, key_at(t.port), kKeyType));
    return {};
  }

  mutable std::mutex mu_;
  ssh::NetworkPolicy policy_;
  std::string fingerprint_{kFingerprint};
  std::optional<std::string> create_output_;
  // The nodes of a cluster are the fake's ports: port 1 presents the host key
  // (kFingerprint until change_host_key), port P another one derived from it,
  // so that two nodes are two machines to verify (CatalogService refuses one
  // key on two nodes).
  std::string key_at(int port) const { return port <= 1 ? fingerprint_ : fmt::format("{}/{}", fingerprint_, port); }
  int down_ = 0;
  std::set<int> down_ports_;
  std::map<std::string, ssh::LeaseAccount> accounts_;
  std::set<std::string> foreign_;
  std::vector<ssh::LeaseAccount> created_;
  std::vector<std::string> removed_;
  std::vector<Call> calls_;
  ssh::Target last_target_;
};

}  // namespace cpshare::testing
