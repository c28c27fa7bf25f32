// docs/openapi.yaml against the code it documents (R-API-DOC): the same routes
// as the endpoint lists (lib/api/endpoints.hpp, via route_specs()), the same error codes as lib/util/error.cpp, and an
// error response for every operation. The document is read line by line, not
// with a YAML library; docs/openapi.yaml keeps to the layout this reader
// expects (path keys at 2 spaces, method keys at 4, the ErrorCode enum a
// block list) and says so in its header.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/routes.hpp"
#include "catalog/filter.hpp"
#include "util/error.hpp"

namespace {

struct Operation {
  std::string method;  // upper case, as in RouteSpec
  std::string path;
  std::string summary;
  bool security_none = false;  // `security: []`
  std::vector<std::string> statuses;
};

struct OpenApiIndex {
  std::vector<Operation> operations;
  std::vector<std::string> error_codes;  // components/schemas/ErrorCode enum
  std::vector<std::string> layout_errors;
};

std::size_t indent_of(std::string_view line) {
  std::size_t n = 0;
  while (n < line.size() && line[n] == ' ') ++n;
  return n;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string unquote(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"') && s.back() == s.front()) s = s.substr(1, s.size() - 2);
  return std::string(s);
}

// "key: value" → (key, value); "key:" → (key, ""); anything else → nullopt.
std::optional<std::pair<std::string, std::string>> split_key(std::string_view text) {
  if (text.starts_with("- ") || text.starts_with('#')) return std::nullopt;
  auto colon = text.find(": ");
  if (colon == std::string_view::npos) {
    if (!text.ends_with(':')) return std::nullopt;
    colon = text.size() - 1;
  }
  std::string value = colon + 1 < text.size() ? std::string(trim(text.substr(colon + 1))) : "";
  return std::pair{unquote(text.substr(0, colon)), value};
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return s;
}

bool is_http_method(std::string_view key) {
  static const std::set<std::string_view> methods = {"get",     "put",  "post",  "delete",
                                                     "options", "head", "patch", "trace"};
  return methods.contains(key);
}

OpenApiIndex read_openapi(const std::string& file) {
  OpenApiIndex index;
  std::ifstream in(file);
  if (!in) {
    index.layout_errors.push_back("cannot open " + file);
    return index;
  }
  std::string top;          // current top-level key
  std::string schemas_key;  // current key under components/schemas
  bool in_schemas = false;
  bool in_error_enum = false;
  Operation* op = nullptr;
  bool in_responses = false;
  std::string path;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    std::string_view text = trim(line);
    if (text.empty() || text.starts_with('#')) continue;
    const std::size_t ind = indent_of(line);
    const auto kv = split_key(text);

    if (ind == 0) {
      top = kv ? kv->first : "";
      op = nullptr;
      in_schemas = in_error_enum = false;
      continue;
    }

    if (top == "paths") {
      if (ind == 2) {
        op = nullptr;
        if (!kv || !kv->first.starts_with('/') || !kv->second.empty()) {
          index.layout_errors.push_back("line " + std::to_string(lineno) +
                                        ": only path keys may be indented 2 spaces under paths");
          continue;
        }
        path = kv->first;
      } else if (ind == 4) {
        op = nullptr;
        if (kv && is_http_method(kv->first)) {
          index.operations.push_back({upper(kv->first), path, "", false, {}});
          op = &index.operations.back();
          in_responses = false;
        }
      } else if (op && ind == 6 && kv) {
        in_responses = kv->first == "responses";
        if (kv->first == "summary") op->summary = unquote(kv->second);
        if (kv->first == "security" && kv->second == "[]") op->security_none = true;
      } else if (op && in_responses && ind == 8 && kv) {
        op->statuses.push_back(kv->first);
      }
      continue;
    }

    if (top == "components") {
      if (ind == 2) {
        in_schemas = kv && kv->first == "schemas";
        in_error_enum = false;
        continue;
      }
      if (!in_schemas) continue;
      if (ind == 4) {
        schemas_key = kv ? kv->first : "";
        in_error_enum = false;
        continue;
      }
      if (schemas_key != "ErrorCode") continue;
      if (kv) {
        in_error_enum = kv->first == "enum";
      } else if (in_error_enum && text.starts_with("- ")) {
        index.error_codes.push_back(unquote(text.substr(2)));
      }
    }
  }
  return index;
}

const OpenApiIndex& openapi() {
  static const OpenApiIndex index = read_openapi(std::string(CPSHARE_SOURCE_DIR) + "/docs/openapi.yaml");
  return index;
}

using RouteKey = std::pair<std::string, std::string>;  // (METHOD, path)

std::string list(const std::set<RouteKey>& keys) {
  std::string out;
  for (const auto& [method, path] : keys) out += "\n  " + method + " " + path;
  return out;
}

std::string list(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += "\n  " + n;
  return out;
}

template <class T>
std::set<T> minus(const std::set<T>& a, const std::set<T>& b) {
  std::set<T> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

}  // namespace

TEST_CASE("openapi.yaml keeps the layout its line-based reader needs", "[R-API-DOC]") {
  const auto& doc = openapi();
  std::string errors;
  for (const auto& e : doc.layout_errors) errors += "\n  " + e;
  INFO("layout problems:" << errors);
  CHECK(doc.layout_errors.empty());
  CHECK_FALSE(doc.operations.empty());
  CHECK_FALSE(doc.error_codes.empty());
}

TEST_CASE("openapi.yaml documents exactly the routes of route_specs()", "[R-API-DOC]") {
  const auto& doc = openapi();
  REQUIRE_FALSE(doc.operations.empty());

  std::set<RouteKey> documented;
  std::string duplicates;
  for (const auto& op : doc.operations)
    if (!documented.emplace(op.method, op.path).second) duplicates += "\n  openapi.yaml: " + op.method + " " + op.path;
  std::set<RouteKey> routed;
  for (const auto& r : cpshare::api::route_specs())
    if (!routed.emplace(std::string(r.method), std::string(r.path)).second)
      duplicates += "\n  endpoint lists: " + std::string(r.method) + " " + std::string(r.path);

  const auto only_doc = minus(documented, routed);
  const auto only_routes = minus(routed, documented);
  INFO("in docs/openapi.yaml but not in the endpoint lists (lib/api/<area>.hpp):" << list(only_doc));
  INFO("in the endpoint lists (lib/api/<area>.hpp) but not in docs/openapi.yaml:" << list(only_routes));
  INFO("listed twice:" << duplicates);
  CHECK(only_doc.empty());
  CHECK(only_routes.empty());
  CHECK(duplicates.empty());
}

TEST_CASE("openapi.yaml operations carry the route table's summary and auth", "[R-API-DOC]") {
  std::map<RouteKey, const Operation*> by_key;
  for (const auto& op : openapi().operations) by_key[{op.method, op.path}] = &op;
  for (const auto& r : cpshare::api::route_specs()) {
    const auto it = by_key.find({std::string(r.method), std::string(r.path)});
    if (it == by_key.end()) continue;  // reported by the route-set test
    INFO(r.method << " " << r.path);
    CHECK(it->second->summary == r.summary);
    // Auth::None routes say `security: []`; the others use the bearer scheme.
    CHECK(it->second->security_none == (r.auth == cpshare::api::Auth::None));
  }
}

TEST_CASE("openapi.yaml ErrorCode enum lists exactly the codes of error.cpp", "[R-API-DOC]") {
  const auto& doc = openapi();
  REQUIRE_FALSE(doc.error_codes.empty());
  const std::set<std::string> documented(doc.error_codes.begin(), doc.error_codes.end());
  std::set<std::string> defined;
  for (const auto code : cpshare::all_error_codes()) defined.emplace(cpshare::error_code_name(code));

  const auto only_doc = minus(documented, defined);
  const auto only_code = minus(defined, documented);
  INFO("in the ErrorCode enum but not in lib/util/error.cpp:" << list(only_doc));
  INFO("in lib/util/error.cpp but not in the ErrorCode enum:" << list(only_code));
  CHECK(only_doc.empty());
  CHECK(only_code.empty());
  CHECK(documented.size() == doc.error_codes.size());  // no code listed twice
}

TEST_CASE("every openapi.yaml operation documents a 4xx response", "[R-API-DOC]") {
  const auto& doc = openapi();
  REQUIRE_FALSE(doc.operations.empty());
  std::set<RouteKey> without_4xx;
  for (const auto& op : doc.operations) {
    const bool has_4xx = std::any_of(op.statuses.begin(), op.statuses.end(),
                                     [](const std::string& s) { return s.size() == 3 && s[0] == '4'; });
    if (!has_4xx) without_4xx.emplace(op.method, op.path);
  }
  INFO("operations without a 4xx response:" << list(without_4xx));
  CHECK(without_4xx.empty());
}

namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    path.remove_prefix(1);  // '/'
    const auto end = path.find('/');
    out.push_back(path.substr(0, end));
    path = end == std::string_view::npos ? std::string_view{} : path.substr(end);
  }
  return out;
}

bool is_parameter(std::string_view segment) { return segment.starts_with('{') && segment.ends_with('}'); }

// Whether a request meant for `later` can be taken by `earlier` (the daemon
// serves the first route whose template matches, each {name} one segment):
// every segment of `earlier` is a parameter or the same word as `later`'s.
bool takes_requests_of(std::string_view earlier, std::string_view later) {
  const auto e = segments(earlier);
  const auto l = segments(later);
  if (e.size() != l.size()) return false;
  for (std::size_t i = 0; i < e.size(); ++i)
    if (!is_parameter(e[i]) && (is_parameter(l[i]) || e[i] != l[i])) return false;
  return true;
}

}  // namespace

// The areas' endpoint lists are joined in api/endpoints.hpp; the daemon serves
// route_specs() in that order, so a template listed before a path it also
// matches would take that path's requests.
TEST_CASE("route_specs() lists no route after a template that would take its requests", "[R-API-DOC]") {
  const auto& routes = cpshare::api::route_specs();
  REQUIRE(routes.size() > 1);
  std::string shadowed;
  for (std::size_t i = 0; i < routes.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (routes[j].method == routes[i].method && takes_requests_of(routes[j].path, routes[i].path))
        shadowed += "\n  " + std::string(routes[i].method) + " " + std::string(routes[i].path) + " after " +
                    std::string(routes[j].path);
  INFO("routes listed after a template that matches them:" << shadowed);
  CHECK(shadowed.empty());
}

namespace {

// The lines of the cluster list's query parameter `name` (from its "- name:" line to the next one).
std::vector<std::string> cluster_list_parameter(std::string_view name) {
  std::ifstream in(std::string(CPSHARE_SOURCE_DIR) + "/docs/openapi.yaml");
  std::vector<std::string> out;
  bool in_list = false, in_param = false;
  for (std::string line; std::getline(in, line);) {
    if (indent_of(line) == 2 && !trim(line).empty()) in_list = trim(line) == "/api/v1/clusters:";
    if (!in_list) continue;
    if (trim(line).starts_with("- name: ")) in_param = trim(line) == "- name: " + std::string(name);
    if (in_param) out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("openapi.yaml's cluster list names every filter field and exactly the sort fields", "[R-API-DOC]") {
  std::string filter_text;
  for (const auto& line : cluster_list_parameter("filter")) filter_text += line + "\n";
  REQUIRE_FALSE(filter_text.empty());
  for (auto field : cpshare::catalog::filter_fields()) {
    INFO("filter field " << field);
    CHECK(filter_text.find("`" + std::string(field) + "`") != std::string::npos);
  }
  std::string pattern, sort_text;
  for (const auto& line : cluster_list_parameter("sort")) {
    sort_text += line + "\n";
    if (trim(line).starts_with("pattern: ")) pattern = unquote(trim(line).substr(9));
  }
  for (auto field : cpshare::catalog::sort_fields()) {
    INFO("sort field " << field);
    CHECK(sort_text.find("`" + std::string(field) + "`") != std::string::npos);
  }
  INFO("sort pattern " << pattern);
  REQUIRE(pattern.starts_with("^("));
  REQUIRE(pattern.ends_with(")[-+]?$"));
  std::set<std::string> documented, sortable;
  std::istringstream alternatives(pattern.substr(2, pattern.size() - 2 - 7));
  for (std::string name; std::getline(alternatives, name, '|');) documented.insert(name);
  for (auto field : cpshare::catalog::sort_fields()) sortable.insert(std::string(field));
  INFO("sortable, not in the pattern:" << list(minus(sortable, documented)));
  INFO("in the pattern, not sortable:" << list(minus(documented, sortable)));
  CHECK(documented == sortable);
}
