#include "domain/normalize.hpp"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>

#include <utf8proc.h>

#include "util/text.hpp"

namespace cpshare::normalize {

namespace {

bool ascii(std::string_view s) {
  return std::ranges::all_of(s, [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// utf8proc_map over `s` with `options`; nothing when s is not valid UTF-8.
std::optional<std::string> map(std::string_view s, int options) {
  utf8proc_uint8_t* out = nullptr;
  const utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()), &out,
                   static_cast<utf8proc_option_t>(options));
  const std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(out, &std::free);
  if (n < 0) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}

constexpr int kNfc = UTF8PROC_STABLE | UTF8PROC_COMPOSE;
constexpr int kNfkc = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT;
constexpr int kNfkcCasefold = kNfkc | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE;

}  // namespace

std::string field(std::string_view typed) {
  if (ascii(typed)) return text::trim(typed);  // ASCII is its own NFKC
  return text::trim(map(typed, kNfkc).value_or(std::string(typed)));
}

std::string prose(std::string_view typed) {
  if (ascii(typed)) return text::trim(typed);
  return text::trim(map(typed, kNfc).value_or(std::string(typed)));
}

std::string username_key(std::string_view username) {
  if (ascii(username)) return text::to_lower_ascii(username);  // NFKC_Casefold of ASCII
  return map(username, kNfkcCasefold).value_or(text::to_lower_ascii(username));
}

std::size_t characters(std::string_view s) {
  // A lead byte or a stray byte starts a character; continuation bytes do not,
  // unless there is no lead byte before them.
  std::size_t n = 0;
  std::size_t pending = 0;  // continuation bytes the current lead byte still expects
  for (char ch : s) {
    const auto b = static_cast<unsigned char>(ch);
    if ((b & 0xC0) == 0x80 && pending > 0) {
      --pending;
      continue;
    }
    ++n;
    pending = (b & 0xE0) == 0xC0 ? 1 : (b & 0xF0) == 0xE0 ? 2 : (b & 0xF8) == 0xF0 ? 3 : 0;
  }
  return n;
}

}  // namespace cpshare::normalize
