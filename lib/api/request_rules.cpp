#include "api/request_rules.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "domain/validate.hpp"
#include "util/text.hpp"

namespace cpshare::api {

using json = nlohmann::json;

namespace {

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

Result<> check_json_media_type(std::string_view content_type) {
  const std::size_t semi = content_type.find(';');
  const std::string type = text::to_lower_ascii(trim_ows(content_type.substr(0, semi)));
  constexpr std::string_view app = "application/", suffix = "+json";
  const bool is_json = type == "application/json" ||
                       (type.starts_with(app) && type.ends_with(suffix) && type.size() > app.size() + suffix.size());
  if (!is_json) {
    if (type.empty())
      return fail(ErrorCode::UnsupportedMediaType, "a request body needs the header Content-Type: application/json");
    return fail(ErrorCode::UnsupportedMediaType,
                fmt::format("the request body is {}, not JSON; send it as Content-Type: application/json",
                            text::clip(type, 100)));
  }
  std::string_view params = semi == std::string_view::npos ? std::string_view() : content_type.substr(semi + 1);
  while (!params.empty()) {
    const std::size_t next = params.find(';');
    const std::string_view param = params.substr(0, next);
    params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
    const std::size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    if (text::to_lower_ascii(trim_ows(param.substr(0, eq))) != "charset") continue;
    std::string_view value = trim_ows(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (text::to_lower_ascii(value) != "utf-8")
      return fail(ErrorCode::UnsupportedMediaType,
                  fmt::format("charset {} is not accepted: JSON is UTF-8 (RFC 8259 §8.1); send Content-Type: "
                              "application/json or application/json; charset=utf-8",
                              text::clip(value, 40)));
  }
  return {};
}

// A first pass over the body that builds nothing: it stops at the first
// container nested deeper than kMaxJsonDepth and at the end of an object that
// has a key twice. Memory: the keys of the objects being read.
class StrictScan {
 public:
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  bool null() { return value(); }
  bool boolean(bool) { return value(); }
  bool number_integer(number_integer_t) { return value(); }
  bool number_unsigned(number_unsigned_t) { return value(); }
  bool number_float(number_float_t, const string_t&) { return value(); }
  bool string(string_t&) { return value(); }
  bool binary(binary_t&) { return value(); }
  bool start_object(std::size_t) { return open(true); }
  bool start_array(std::size_t) { return open(false); }
  bool key(string_t& k) {
    stack_.back().keys.push_back(k);
    return true;
  }
  bool end_object() {
    auto& keys = stack_.back().keys;
    std::sort(keys.begin(), keys.end());
    if (auto dup = std::adjacent_find(keys.begin(), keys.end()); dup != keys.end()) {
      duplicate_ = path_to_top();
      if (!duplicate_.empty()) duplicate_ += '.';
      duplicate_ += *dup;
      return false;
    }
    stack_.pop_back();
    return true;
  }
  bool end_array() {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) {
    // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax
    // error while parsing object key - invalid literal; last read: '{b'; …":
    // without the id, and without the echo of the input.
    std::string_view what = ex.what();
    if (auto b = what.find("] "); b != std::string_view::npos) what.remove_prefix(b + 2);
    what = what.substr(0, what.find("; last read"));
    syntax_error_ = fmt::format("the request body is not valid JSON (byte {}): {}", position, text::clip(what, 200));
    return false;
  }

  bool too_deep = false;
  const std::string& duplicate() const { return duplicate_; }
  const std::string& syntax_error() const { return syntax_error_; }

 private:
  struct Frame {
    bool object;
    std::vector<std::string> keys;  // an object's keys so far, the last one being read
    std::size_t elements = 0;       // an array's elements so far
  };

  bool value() {
    if (!stack_.empty() && !stack_.back().object) ++stack_.back().elements;
    return true;
  }
  bool open(bool object) {
    value();
    if (stack_.size() >= kMaxJsonDepth) {
      too_deep = true;
      return false;
    }
    stack_.push_back(Frame{object, {}, 0});
    return true;
  }
  // Where the innermost container sits: "settlement", "environments[1]", "".
  std::string path_to_top() const {
    std::string path;
    for (std::size_t i = 0; i + 1 < stack_.size(); ++i) {
      const Frame& f = stack_[i];
      if (f.object)
        path += (path.empty() ? "" : ".") + f.keys.back();
      else
        path += fmt::format("[{}]", f.elements - 1);
    }
    return path;
  }

  std::vector<Frame> stack_;
  std::string duplicate_;
  std::string syntax_error_;
};

}  // namespace

Result<> check_request_text(const std::vector<std::pair<std::string, std::string>>& path_params,
                            const std::multimap<std::string, std::string>& query) {
  for (const auto& [name, value] : path_params)
    if (!validate::valid_utf8(value))
      return fail(ErrorCode::MalformedRequest,
                  fmt::format("the path's {} is not UTF-8 text; percent-encode its UTF-8 bytes", name));
  for (const auto& [name, value] : query) {
    if (!validate::valid_utf8(name))
      return fail(ErrorCode::MalformedRequest, "a query parameter's name is not UTF-8 text; percent-encode UTF-8");
    if (!validate::valid_utf8(value))
      return fail(ErrorCode::MalformedRequest,
                  fmt::format("the query parameter {} is not UTF-8 text; percent-encode its UTF-8 bytes",
                              text::clip(name, 64)));
  }
  return {};
}

Result<std::multimap<std::string, std::string>> parse_query(std::string_view query) {
  auto form_decode = [](std::string_view s) {
    std::string plus_as_space(s);
    std::ranges::replace(plus_as_space, '+', ' ');
    return text::percent_decode(plus_as_space);
  };
  std::multimap<std::string, std::string> out;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    out.emplace(form_decode(pair.substr(0, eq)),
                eq == std::string_view::npos ? std::string() : form_decode(pair.substr(eq + 1)));
  }
  TRY(check_request_text({}, out));
  for (auto it = out.begin(); it != out.end(); it = out.upper_bound(it->first))
    if (out.count(it->first) > 1)
      return fail_fields({{text::clip(it->first, 64), "is given more than once in the query; give it once"}});
  return out;
}

Result<json> parse_json_body(std::string_view body, std::string_view content_type) {
  if (body.empty()) return json::object();
  TRY(check_json_media_type(content_type));
  StrictScan scan;
  if (!json::sax_parse(body.begin(), body.end(), &scan)) {
    if (scan.too_deep)
      return fail(ErrorCode::MalformedRequest,
                  fmt::format("the request body nests objects and arrays deeper than {} levels", kMaxJsonDepth));
    if (!scan.duplicate().empty())
      return fail_fields({{text::clip(scan.duplicate(), 128), "appears more than once in its object; send it once"}});
    return fail(ErrorCode::MalformedRequest,
                scan.syntax_error().empty() ? "the request body is not valid JSON" : scan.syntax_error());
  }
  json parsed = json::parse(body.begin(), body.end(), nullptr, false);
  if (parsed.is_discarded()) return fail(ErrorCode::MalformedRequest, "the request body is not valid JSON");
  return parsed;
}

std::string bearer_token(std::string_view authorization) {
  std::string_view h = trim_ows(authorization);
  std::size_t end = 0;
  while (end < h.size() && !is_ows(h[end])) ++end;
  if (text::to_lower_ascii(h.substr(0, end)) != "bearer") return {};
  const std::string_view token = trim_ows(h.substr(end));
  if (token.empty() || std::any_of(token.begin(), token.end(), is_ows)) return {};
  return std::string(token);
}

std::string attachment_disposition(std::string_view filename) {
  // RFC 8187 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"; every other byte as %XX.
  auto attr_char = [](unsigned char c) {
    return text::is_alpha(static_cast<char>(c)) || text::is_digit(static_cast<char>(c)) ||
           std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  };
  std::string fallback, encoded;
  for (std::size_t i = 0; i < filename.size(); ++i) {
    const auto c = static_cast<unsigned char>(filename[i]);
    if (attr_char(c))
      encoded += static_cast<char>(c);
    else
      encoded += fmt::format("%{:02X}", c);
    if (c >= 0x20 && c < 0x7F) {
      fallback +=
          std::string_view("\"\\%;/").find(static_cast<char>(c)) == std::string_view::npos ? static_cast<char>(c) : '_';
    } else if (c < 0x80 || (c & 0xC0) != 0x80) {
      fallback += '_';  // a control character, or the first byte of a non-ASCII character
    }
  }
  if (fallback.find_first_not_of("_. ") == std::string::npos) fallback = "licence";
  return fmt::format("attachment; filename=\"{}\"; filename*=UTF-8''{}", fallback, encoded);
}

}  // namespace cpshare::api
