// Accounts: registration, activation, sessions, MFA, profile (issue 2; R-USER-*,
// R-SUP-*, R-SEC-*): the request and response types of each endpoint, shared by
// the daemon and the CLI (api/endpoint.hpp).
#pragma once

#include <string>
#include <vector>

#include "api/endpoint.hpp"

namespace cpshare::api {

// One login session of the caller (GET /api/v1/sessions).
struct SessionView {
  std::string id;  // "s_…"
  Time created_at;
  Time last_seen_at;
  Time expires_at;       // the absolute end (session_lifetime after login)
  Time idle_expires_at;  // when it ends unless used again (never after expires_at)
  std::string client;    // as the client named itself at login, "cpshare/0.1.0 host"
  std::string ip;        // the address it logged in from
  bool current = false;  // the session making this request
};
template <>
struct Wire<SessionView> {
  static constexpr auto fields = std::tuple{
      member("id", &SessionView::id),
      member("created_at", &SessionView::created_at),
      member("last_seen_at", &SessionView::last_seen_at),
      member("expires_at", &SessionView::expires_at),
      member("idle_expires_at", &SessionView::idle_expires_at),
      member("client", &SessionView::client),
      member("ip", &SessionView::ip),
      member("current", &SessionView::current),
  };
};

struct SessionList {
  std::vector<SessionView> items;  // live sessions only
};
template <>
struct Wire<SessionList> {
  static constexpr auto fields = std::tuple{member("items", &SessionList::items)};
};

// A session ended by logout or revocation.
struct SessionRevoked {
  std::string id;
  bool revoked = true;
};
template <>
struct Wire<SessionRevoked> {
  static constexpr auto fields =
      std::tuple{member("id", &SessionRevoked::id), member("revoked", &SessionRevoked::revoked)};
};

namespace endpoint {

struct ListSessions {
  static constexpr Method method = Method::Get;
  static constexpr std::string_view path = "/api/v1/sessions";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "List the caller's sessions";
  using Request = NoRequest;
  using Response = SessionList;
};

struct Logout {
  static constexpr Method method = Method::Delete;
  static constexpr std::string_view path = "/api/v1/sessions/current";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Log out";
  using Request = NoRequest;
  using Response = SessionRevoked;
};

struct RevokeSession {
  static constexpr Method method = Method::Delete;
  static constexpr std::string_view path = "/api/v1/sessions/{id}";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Revoke one of the caller's sessions";
  using Request = NoRequest;
  using Response = SessionRevoked;
};

}  // namespace endpoint
}  // namespace cpshare::api
