#include "api/agent_work.hpp"

#include "catalog/cluster.hpp"
#include "domain/fields.hpp"

namespace cpshare::api {

Result<AccessReport> AccessReport::from_body(const json& body) {
  Fields f(body, {"url", "username", "password", "token", "notes", "error"});
  AccessReport r;
  r.url = f.text("url", false, 2048);
  r.username = f.text("username", false, 256);
  r.password = f.secret("password", false, 4096);
  r.token = f.secret("token", false, 4096);
  r.notes = f.prose("notes", false, 4000);
  r.error = f.prose("error", false, 4000);
  if (r.error) {
    for (const char* k : {"url", "username", "password", "token", "notes"})
      if (f.has(k)) f.error(k, "must be left out of an error report ({\"error\": \"...\"} alone)");
  } else if (f.ok()) {
    if (!r.url) f.error("url", "is required: where the user reaches the service, e.g. https://ai.example.com/s/42");
    if (!r.username) f.error("username", "is required: the user name the user signs in with");
    if (!r.password && !r.token)
      f.error("password", "a password or a token (or both) is required: the secret the user signs in with");
    if (r.url)
      if (std::string p = catalog::url_problem(*r.url); !p.empty()) f.error("url", p);
    if (r.username && r.username->empty()) f.error("username", "must not be empty");
  }
  if (!f.ok()) return std::unexpected(f.failure());
  return r;
}

Result<ReleasedReport> ReleasedReport::from_body(const json& body) {
  Fields f(body, {"error"});
  ReleasedReport r;
  r.error = f.prose("error", false, 4000);
  if (!f.ok()) return std::unexpected(f.failure());
  return r;
}

}  // namespace cpshare::api
