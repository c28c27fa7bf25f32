// The account record as the domain sees it. Sensitive identifiers appear only
// as blind index + sealed ciphertext (crypto::KeyRing); see docs/design/accounts.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpshare {

using Blob = std::vector<std::uint8_t>;

enum class Role { User, Supplier, Admin };
enum class AccountStatus { Inactive, PendingReview, Active, Rejected, Deregistered };

std::string_view role_name(Role r);
std::optional<Role> parse_role(std::string_view s);
std::string_view status_name(AccountStatus s);
std::optional<AccountStatus> parse_status(std::string_view s);

// Users' types (R-USER-1) and suppliers' kinds (R-SUP-1/2).
inline constexpr std::string_view kUserTypes[] = {"individual", "university", "research_institute", "enterprise"};
inline constexpr std::string_view kSupplierKinds[] = {"enterprise", "individual"};

// A sealed sensitive value: keyed hash for lookup/uniqueness, ciphertext for display.
struct Sealed {
  Blob index;
  Blob cipher;
  bool empty() const { return cipher.empty(); }
};

struct Account {
  std::int64_t id = 0;
  std::string username;
  Role role = Role::User;
  std::optional<std::string> user_type;      // role user
  std::optional<std::string> supplier_kind;  // role supplier
  AccountStatus status = AccountStatus::Inactive;
  std::string password_hash;
  std::optional<std::string> email;
  Sealed phone;
  std::optional<std::string> real_name;
  Sealed id_number;
  std::optional<std::string> region;
  std::optional<std::string> organization;
  Sealed credit_code;
  std::optional<std::string> company_name;
  std::optional<std::string> legal_rep_name;
  Sealed legal_rep_id_number;
  std::optional<std::int64_t> registered_capital_fen;
  std::optional<std::string> contact_name;
  std::optional<std::string> address;
  std::optional<std::string> affiliation;
  std::optional<std::string> bank_name;
  std::optional<std::string> bank_account_name;
  Sealed bank_account;
  std::optional<std::string> licence_filename;
  std::optional<std::string> licence_type;
  std::optional<std::int64_t> licence_size;
  Blob licence_cipher;  // loaded only by Store::licence()
  Blob mfa_secret_cipher;
  bool mfa_enabled = false;
  std::int64_t mfa_last_step = 0;
  Blob mfa_pending_cipher;
  std::optional<std::string> review_note;
  std::optional<std::string> terms_version;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> activated_at;
  std::optional<std::int64_t> reviewed_at;
  std::optional<std::int64_t> deregistered_at;

  bool needs_review() const {
    return role == Role::Supplier || (role == Role::User && user_type && *user_type != "individual");
  }
  // May log in (and browse). Leasing/publishing additionally need Active.
  bool can_log_in() const {
    return status == AccountStatus::Active || status == AccountStatus::PendingReview ||
           status == AccountStatus::Rejected;
  }
};

struct Session {
  std::string id;  // public id "s_<16 hex>"
  Blob token_hash;
  std::int64_t account_id = 0;
  std::int64_t created_at = 0;
  std::int64_t last_seen_at = 0;
  std::int64_t expires_at = 0;  // absolute
  std::string client;
  std::string ip;
};

struct ActivationCode {
  std::int64_t account_id = 0;
  Blob code_hash;
  std::int64_t code_expires_at = 0;
  int attempts = 0;
  Blob link_hash;
  std::int64_t link_expires_at = 0;
  std::int64_t sent_at = 0;
};

struct AuditEvent {
  std::int64_t id = 0;
  std::int64_t at = 0;
  std::string event;
  std::optional<std::int64_t> account_id;
  std::string username;
  std::string ip;
  std::string detail_json = "{}";
};

}  // namespace cpshare
