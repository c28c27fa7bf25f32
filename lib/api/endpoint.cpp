#include "api/endpoint.hpp"

#include <algorithm>
#include <stdexcept>

#include "util/text.hpp"

namespace cpshare::api {

std::string_view method_name(Method m) {
  switch (m) {
    case Method::Get: return "GET";
    case Method::Post: return "POST";
    case Method::Put: return "PUT";
    case Method::Patch: return "PATCH";
    case Method::Delete: return "DELETE";
  }
  return "GET";
}

const std::string& PathParams::operator[](std::string_view name) const {
  for (const auto& [k, v] : values_)
    if (k == name) return v;
  // A name not in the route's template is a programming error (the route
  // table binds the template's names), caught as one by the server.
  throw std::out_of_range(fmt::format("no path parameter {{{}}}", name));
}

std::vector<std::string> path_parameter_names(std::string_view path_template) {
  std::vector<std::string> out;
  for (std::size_t open = path_template.find('{'); open != std::string_view::npos;
       open = path_template.find('{', open + 1)) {
    const std::size_t close = path_template.find('}', open);
    if (close == std::string_view::npos) break;
    out.emplace_back(path_template.substr(open + 1, close - open - 1));
  }
  return out;
}

Result<std::string> render_path(std::string_view path_template,
                                const std::vector<std::pair<std::string, std::string>>& values) {
  std::string out;
  std::size_t at = 0;
  while (at < path_template.size()) {
    const std::size_t open = path_template.find('{', at);
    if (open == std::string_view::npos) {
      out += path_template.substr(at);
      break;
    }
    const std::size_t close = path_template.find('}', open);
    out += path_template.substr(at, open - at);
    const std::string_view name = path_template.substr(open + 1, close - open - 1);
    const auto it = std::find_if(values.begin(), values.end(), [&](const auto& kv) { return kv.first == name; });
    if (it == values.end())
      return fail(ErrorCode::Internal, fmt::format("no value for {{{}}} of {}", name, path_template));
    out += text::percent_encode(it->second);
    at = close + 1;
  }
  return out;
}

}  // namespace cpshare::api
