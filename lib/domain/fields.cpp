#include "domain/fields.hpp"

#include <cmath>

#include <fmt/format.h>

#include "domain/normalize.hpp"
#include "domain/validate.hpp"
#include "util/text.hpp"

namespace cpshare::api {

namespace {
const json& empty_object() {
  static const json o = json::object();
  return o;
}
}  // namespace

Fields::Fields(const json& body, std::initializer_list<std::string_view> allowed)
    : body_(body.is_object() ? body : empty_object()) {
  if (!body.is_object()) {
    not_object_ = true;
    error("(body)", "the request body must be a JSON object");
    return;
  }
  std::vector<std::string> names;
  for (const auto& [key, _] : body.items()) {
    bool known = false;
    for (auto a : allowed) known = known || a == key;
    if (known) continue;
    if (errors_.size() >= kMaxFieldErrors) {  // counted, not described
      ++dropped_;
      continue;
    }
    if (names.empty()) names.assign(allowed.begin(), allowed.end());
    std::string hint = text::closest(key, names);
    error(text::clip(key, kMaxEchoedKey),
          hint.empty() ? "unknown field; remove it" : fmt::format("unknown field; did you mean '{}'?", hint));
  }
}

bool Fields::has(std::string_view name) const {
  auto it = body_.find(name);
  return it != body_.end() && !it->is_null();
}

std::optional<std::string> Fields::text(std::string_view name, bool required, std::size_t max_chars) {
  return string_field(name, required, max_chars, normalize::field);
}

std::optional<std::string> Fields::prose(std::string_view name, bool required, std::size_t max_chars) {
  return string_field(name, required, max_chars, normalize::prose);
}

std::optional<std::string> Fields::secret(std::string_view name, bool required, std::size_t max_chars) {
  return string_field(name, required, max_chars, [](std::string_view v) { return text::trim(v); });
}

std::optional<std::string> Fields::string_field(std::string_view name, bool required, std::size_t max_chars,
                                                std::string (*normalise)(std::string_view)) {
  auto it = body_.find(name);
  if (it == body_.end() || it->is_null()) {
    if (required) error(std::string(name), "is required");
    return std::nullopt;
  }
  if (!it->is_string()) {
    error(std::string(name), "must be a string");
    return std::nullopt;
  }
  std::string v = normalise(it->get<std::string>());
  if (v.empty()) {
    if (required) error(std::string(name), "must not be empty");
    return std::nullopt;
  }
  std::string problem = validate::text(v, max_chars);
  if (!problem.empty()) {
    error(std::string(name), problem);
    return std::nullopt;
  }
  return v;
}

bool beyond_int64(const nlohmann::json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX);
  if (!v.is_number_float()) return false;
  const double d = v.get<double>();
  return std::isfinite(d) && std::trunc(d) == d && std::fabs(d) >= 9.2e18;
}

std::optional<std::int64_t> Fields::integer(std::string_view name, bool required, std::int64_t min, std::int64_t max) {
  auto it = body_.find(name);
  if (it == body_.end() || it->is_null()) {
    if (required) error(std::string(name), "is required");
    return std::nullopt;
  }
  if (beyond_int64(*it)) {
    error(std::string(name), fmt::format("must be between {} and {}", min, max));
    return std::nullopt;
  }
  if (!it->is_number_integer()) {
    error(std::string(name), "must be an integer");
    return std::nullopt;
  }
  auto v = it->get<std::int64_t>();
  if (v < min || v > max) {
    error(std::string(name), fmt::format("must be between {} and {}", min, max));
    return std::nullopt;
  }
  return v;
}

std::optional<bool> Fields::boolean(std::string_view name, bool required) {
  auto it = body_.find(name);
  if (it == body_.end() || it->is_null()) {
    if (required) error(std::string(name), "is required");
    return std::nullopt;
  }
  if (!it->is_boolean()) {
    error(std::string(name), "must be true or false");
    return std::nullopt;
  }
  return it->get<bool>();
}

const json* Fields::object(std::string_view name, bool required) {
  auto it = body_.find(name);
  if (it == body_.end() || it->is_null()) {
    if (required) error(std::string(name), "is required");
    return nullptr;
  }
  if (!it->is_object()) {
    error(std::string(name), "must be an object");
    return nullptr;
  }
  return &*it;
}

void Fields::forbid(std::string_view name, std::string_view why) {
  if (has(name)) error(std::string(name), std::string(why));
}

void Fields::error(std::string field, std::string message) {
  if (errors_.size() < kMaxFieldErrors)
    errors_.push_back({std::move(field), std::move(message)});
  else
    ++dropped_;
}

Error Fields::failure() const {
  std::vector<FieldError> fields =
      not_object_ ? std::vector<FieldError>{errors_.front()} : cap_field_errors(errors_, dropped_);
  std::string msg;
  for (const auto& e : fields) {
    if (!msg.empty()) msg += "; ";
    msg += e.field + ": " + e.message;
  }
  return Error{ErrorCode::ValidationFailed, "invalid input: " + msg, std::move(fields), 0};
}

}  // namespace cpshare::api
