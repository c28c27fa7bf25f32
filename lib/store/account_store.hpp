// Accounts and what hangs off them: username collisions, the licence file,
// activation codes, sessions and MFA recovery codes (issue 2; R-USER-*,
// R-SUP-*, R-SEC-*). SQL over the shared Database (store/database.hpp);
// every write joins the caller's atomically() when there is one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/account.hpp"
#include "util/error.hpp"

namespace cpshare {

class Database;

struct LicenceFile {
  std::string filename;
  std::string content_type;
  Blob cipher;
};

// Accounts registered before usernames were one name whatever their case
// (migration 5) that are one name under that rule. All are kept.
struct UsernameCollision {
  std::string key;                     // their shared username_key
  std::vector<std::string> usernames;  // oldest first; it answers to any spelling, the others only to their own
};

class AccountStore {
 public:
  explicit AccountStore(Database& db) : db_(db) {}

  // insert fails with USERNAME_TAKEN (also when only the case or width
  // differs from an account's) / EMAIL_TAKEN / PHONE_TAKEN; gives the new id.
  Result<std::int64_t> insert(const Account& a);
  // Writes every mutable column of `a` (by id). Uniqueness as for insert;
  // NOT_FOUND when there is no such account.
  Result<> update(const Account& a);
  Result<std::optional<Account>> by_id(std::int64_t id);
  // By username: the account spelt exactly so, else the one whose
  // username_key (normalize::username_key) matches. Names that collide under
  // the key were refused since migration 5; older ones are both kept, and
  // then exact spelling wins, any other spelling reaches the oldest.
  Result<std::optional<Account>> by_username(const std::string& username);
  Result<std::vector<UsernameCollision>> username_collisions();
  Result<std::optional<Account>> by_email(const std::string& email);
  Result<std::optional<Account>> by_phone_index(const Blob& index);
  // Oldest first.
  Result<std::vector<Account>> with_status(AccountStatus status);
  // The uploaded business licence (sealed), if the account has one.
  Result<std::optional<LicenceFile>> licence(std::int64_t account_id);

  // Activation codes: at most one live code+link per account.
  Result<> put_activation(const ActivationCode& c);
  Result<std::optional<ActivationCode>> activation_for(std::int64_t account_id);
  Result<std::optional<ActivationCode>> activation_by_link(const Blob& link_hash);
  Result<> set_activation_attempts(std::int64_t account_id, int attempts);
  Result<> delete_activation(std::int64_t account_id);

  // Sessions (by token hash; times in Unix seconds). delete_session: false if
  // the account had no such session; the delete_* counts are rows removed.
  Result<> insert_session(const Session& s);
  Result<std::optional<Session>> session_by_token(const Blob& token_hash);
  Result<std::vector<Session>> sessions_for(std::int64_t account_id);
  Result<> touch_session(const std::string& id, std::int64_t at);
  Result<bool> delete_session(std::int64_t account_id, const std::string& id);
  Result<int> delete_sessions_for(std::int64_t account_id);
  Result<int> delete_expired_sessions(std::int64_t now, std::int64_t idle_timeout);

  // MFA recovery codes (hashes). use_recovery_code marks one used; false if none matched.
  Result<> replace_recovery_codes(std::int64_t account_id, const std::vector<Blob>& hashes);
  Result<bool> use_recovery_code(std::int64_t account_id, const Blob& hash, std::int64_t at);
  Result<> delete_recovery_codes(std::int64_t account_id);

 private:
  Database& db_;
};

}  // namespace cpshare
