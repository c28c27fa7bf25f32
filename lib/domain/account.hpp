// The account record as the domain sees it. Sensitive identifiers appear only
// as blind index + sealed ciphertext (crypto::KeyRing); see docs/design/accounts.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/audit.hpp"
#include "util/enum_table.hpp"

namespace cpshare {

using Blob = std::vector<std::uint8_t>;

// enum class Role, its strings in accounts.role and on the wire (enum_table.hpp).
// clang-format off
#define CPSHARE_ROLES(X)  \
  X(User,     "user")     \
  X(Supplier, "supplier") \
  X(Admin,    "admin")
// clang-format on
CPSHARE_ENUM(Role, CPSHARE_ROLES);

// enum class AccountStatus (accounts.status, the wire's "status").
// clang-format off
#define CPSHARE_ACCOUNT_STATUSES(X)  \
  X(Inactive,      "inactive")       \
  X(PendingReview, "pending_review") \
  X(Active,        "active")         \
  X(Rejected,      "rejected")       \
  X(Deregistered,  "deregistered")
// clang-format on
CPSHARE_ENUM(AccountStatus, CPSHARE_ACCOUNT_STATUSES);

// enum class UserType: users' types (R-USER-1), accounts.user_type and the wire's "user_type".
// clang-format off
#define CPSHARE_USER_TYPES(X)                \
  X(Individual,        "individual")         \
  X(University,        "university")         \
  X(ResearchInstitute, "research_institute") \
  X(Enterprise,        "enterprise")
// clang-format on
CPSHARE_ENUM(UserType, CPSHARE_USER_TYPES);

// enum class SupplierKind: suppliers' kinds (R-SUP-1/2), accounts.supplier_kind and the wire's "kind".
// clang-format off
#define CPSHARE_SUPPLIER_KINDS(X) \
  X(Enterprise, "enterprise")     \
  X(Individual, "individual")
// clang-format on
CPSHARE_ENUM(SupplierKind, CPSHARE_SUPPLIER_KINDS);

// The old names, kept for their many callers: enum_name / enum_parse of the tables above.
inline std::string_view role_name(Role r) { return enum_name(r); }
inline std::optional<Role> parse_role(std::string_view s) { return enum_parse<Role>(s); }
inline std::string_view status_name(AccountStatus s) { return enum_name(s); }
inline std::optional<AccountStatus> parse_status(std::string_view s) { return enum_parse<AccountStatus>(s); }

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
  std::optional<UserType> user_type;          // role user
  std::optional<SupplierKind> supplier_kind;  // role supplier
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
  Blob licence_cipher;  // loaded only by AccountStore::licence()
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
    return role == Role::Supplier || (role == Role::User && user_type && *user_type != UserType::Individual);
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
  AuditEventName event = AuditEventName::Registered;
  std::optional<std::int64_t> account_id;
  std::string username;
  std::string ip;
  std::string detail_json = "{}";
};

}  // namespace cpshare
