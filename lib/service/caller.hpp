// What the accounts services share with their callers (issue 10): the
// authenticated Caller every handler receives, the services' AccountConfig,
// and a licence file as review_licence hands it out. Small, so the server and
// the other services include it without the accounts services themselves.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "domain/account.hpp"

namespace cpshare {

using json = nlohmann::json;

struct AccountConfig {
  std::string public_url = "http://127.0.0.1:7878";  // base of activation links
  std::int64_t session_idle_timeout = 7 * 86400;
  std::int64_t session_lifetime = 30 * 86400;
  std::int64_t code_ttl = 15 * 60;
  std::int64_t link_ttl = 48 * 3600;
  int max_code_attempts = 5;
  // Throttles: the named policies of service/throttle.hpp.
};

// An authenticated caller.
struct Caller {
  Account account;
  Session session;
  bool is_admin() const { return account.role == Role::Admin; }
};

struct LicenceDownload {
  std::string filename;
  std::string content_type;
  std::string bytes;
};

}  // namespace cpshare
