// UTF-8 text helpers for terminal output and suggestions.
#pragma once

#include <charconv>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpshare::text {

// ASCII classes, locale-free (std::isdigit and friends depend on the C locale).
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Terminal display width of UTF-8 text: East Asian Wide/Fullwidth code points
// (CJK, Hangul, fullwidth forms, most emoji) count 2, combining marks 0, others 1.
std::size_t display_width(std::string_view s);
// The longest prefix of `s` at most `columns` display columns wide (whole
// characters; no ellipsis).
std::string clip_width(std::string_view s, std::size_t columns);
// Pad with spaces on the right to `width` display columns (no truncation).
std::string pad_right(std::string_view s, std::size_t width);
// Render rows as an aligned table: header row first; columns separated by two spaces.
std::string table(const std::vector<std::vector<std::string>>& rows);
// Levenshtein distance (byte-wise).
std::size_t edit_distance(std::string_view a, std::string_view b);
// The closest candidate within distance max(2, len/3), or "" when none is close.
std::string closest(std::string_view word, const std::vector<std::string>& candidates);
std::string trim(std::string_view s);
// A whole base-10 integer as std::stoi / std::stoll read one that must use all
// of `s`: optional leading whitespace (space, \t, \n, \v, \f, \r), an
// optional '+' or '-', then digits and nothing after. nullopt when `s` is not
// such a number or it lies outside T's range. Built on std::from_chars (no
// exceptions, no locale).
template <std::signed_integral T>
std::optional<T> parse_int(std::string_view s) {
  std::size_t at = 0;
  while (at < s.size() && (s[at] == ' ' || (s[at] >= '\t' && s[at] <= '\r'))) ++at;
  if (at < s.size() && s[at] == '+') {
    ++at;
    if (at < s.size() && s[at] == '-') return std::nullopt;  // from_chars would take "+-5"
  }
  T value{};
  const char* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data() + at, end, value);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}
// A duration in whole seconds: "90" (seconds), or a number with one unit,
// "90s", "5m", "2h", "7d". nullopt when `s` is not one, or is negative or
// would overflow.
std::optional<std::int64_t> parse_duration(std::string_view s);
// RFC 3986 percent-encoding: everything but unreserved characters (A-Z a-z 0-9 - . _ ~).
std::string percent_encode(std::string_view s);
// Percent-decoding as the URL Standard (WHATWG) does it: each "%" followed by
// two hex digits is that byte; any other "%" stays as it is. The result is
// bytes, not necessarily UTF-8.
std::string percent_decode(std::string_view s);
// Integers joined by commas, "0,1,3" (lease unit lists, CUDA_VISIBLE_DEVICES).
std::string comma_list(const std::vector<int>& values);
std::string to_lower_ascii(std::string_view s);
// At most `max_bytes` bytes of `s`, cut at a UTF-8 character boundary, with "…"
// appended when anything was cut (the result may then be up to 3 bytes longer).
// For echoing untrusted input (a field name, a file name) in a bounded message.
std::string clip(std::string_view s, std::size_t max_bytes);

}  // namespace cpshare::text
