#include "util/text.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>

namespace cpshare::text {

namespace {

struct Range {
  char32_t first, last;
};

// Zero-width code points: combining marks, zero-width space/joiners,
// bidi marks, variation selectors. Terminals draw them on the previous cell.
constexpr Range kZeroWidth[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A},   {0x064B, 0x065F}, {0x1AB0, 0x1AFF},
    {0x1DC0, 0x1DFF}, {0x200B, 0x200F}, {0x202A, 0x202E}, {0x2060, 0x2064},   {0x20D0, 0x20FF}, {0x3099, 0x309A},
    {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0xE0100, 0xE01EF},
};

// East Asian Wide (W) and Fullwidth (F) ranges after Unicode's
// EastAsianWidth.txt, coalesced; sorted for binary search.
constexpr Range kWide[] = {
    {0x1100, 0x115F},  // Hangul Jamo initial consonants
    {0x231A, 0x231B},  // watch, hourglass
    {0x2329, 0x232A},  // angle brackets
    {0x23E9, 0x23EC},   {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},
    {0x2614, 0x2615},   {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},
    {0x26A1, 0x26A1},   {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},
    {0x26CE, 0x26CE},   {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},
    {0x26F5, 0x26F5},   {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},
    {0x270A, 0x270B},   {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},
    {0x2753, 0x2755},   {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},
    {0x27BF, 0x27BF},   {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},
    {0x2E80, 0x303E},                        // CJK radicals, Kangxi, CJK symbols and punctuation
    {0x3041, 0x33FF},                        // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, CJK compat
    {0x3400, 0x4DBF},                        // CJK Unified Ideographs Extension A
    {0x4E00, 0x9FFF},                        // CJK Unified Ideographs
    {0xA000, 0xA4CF},                        // Yi
    {0xA960, 0xA97F},                        // Hangul Jamo Extended-A
    {0xAC00, 0xD7A3},                        // Hangul syllables
    {0xF900, 0xFAFF},                        // CJK compatibility ideographs
    {0xFE10, 0xFE19},                        // vertical forms
    {0xFE30, 0xFE6F},                        // CJK compatibility forms, small form variants
    {0xFF00, 0xFF60},                        // fullwidth ASCII and punctuation
    {0xFFE0, 0xFFE6},                        // fullwidth signs
    {0x16FE0, 0x16FE4}, {0x17000, 0x18CFF},  // Tangut, Khitan
    {0x1B000, 0x1B2FF},                      // Kana supplement/extended, Nushu
    {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A},
    {0x1F200, 0x1F2FF},  // enclosed ideographic supplement
    {0x1F300, 0x1F64F},  // misc symbols and pictographs, emoticons
    {0x1F680, 0x1F6FF},  // transport and map symbols
    {0x1F7E0, 0x1F7EF},  // coloured circles and squares
    {0x1F900, 0x1F9FF},  // supplemental symbols and pictographs
    {0x1FA70, 0x1FAFF},  // symbols and pictographs extended-A
    {0x20000, 0x2FFFD},  // CJK Extensions B-F, compatibility supplement
    {0x30000, 0x3FFFD},  // CJK Extensions G-H
};

template <std::size_t N>
bool in(const Range (&table)[N], char32_t cp) {
  const auto* it =
      std::upper_bound(std::begin(table), std::end(table), cp, [](char32_t c, const Range& r) { return c < r.first; });
  return it != std::begin(table) && cp <= std::prev(it)->last;
}

// Decodes one UTF-8 sequence at s[i] and advances i. Malformed input
// (overlong, surrogate, truncated) consumes one byte and yields kInvalid, so
// each bad byte counts as one column, as terminals draw a replacement for it.
constexpr char32_t kInvalid = 0xFFFFFFFF;
char32_t decode(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  std::size_t len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    ++i;
    return kInvalid;
  }
  if (i + len > s.size()) {
    ++i;
    return kInvalid;
  }
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return kInvalid;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return kInvalid;
  }
  i += len;
  return cp;
}

std::size_t width_of(char32_t cp) {
  if (cp == kInvalid) return 1;
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return 0;  // controls draw nothing
  if (in(kZeroWidth, cp)) return 0;
  if (in(kWide, cp)) return 2;
  return 1;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

std::size_t display_width(std::string_view s) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < s.size();) width += width_of(decode(s, i));
  return width;
}

std::string clip_width(std::string_view s, std::size_t columns) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t start = i;
    const std::size_t w = width_of(decode(s, i));
    if (width + w > columns) return std::string(s.substr(0, start));
    width += w;
  }
  return std::string(s);
}

std::string pad_right(std::string_view s, std::size_t width) {
  std::string out(s);
  const std::size_t w = display_width(s);
  if (w < width) out.append(width - w, ' ');
  return out;
}

std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    if (row.size() > widths.size()) widths.resize(row.size(), 0);
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], display_width(row[c]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c > 0) line += "  ";
      line += c + 1 < row.size() ? pad_right(row[c], widths[c]) : row[c];
    }
    // Short rows and empty last cells would leave trailing blanks that make
    // output awkward to diff and to parse.
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  const std::string* best = nullptr;
  std::size_t best_distance = limit + 1;
  for (const auto& c : candidates) {
    // The distance is at least the difference in length: a long word (an
    // 8 MB unknown key) is compared with nothing rather than in O(n·m).
    const std::size_t gap = word.size() > c.size() ? word.size() - c.size() : c.size() - word.size();
    if (gap >= best_distance) continue;
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best = &c;
      best_distance = d;
    }
  }
  return best ? *best : std::string();
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

std::string to_lower_ascii(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string percent_decode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string comma_list(const std::vector<int>& values) {
  std::string out;
  for (int v : values) {
    if (!out.empty()) out += ',';
    out += std::to_string(v);
  }
  return out;
}

std::string clip(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  std::size_t cut = max_bytes;
  // Back up over continuation bytes (10xxxxxx) so no character is split.
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "\u2026";
}

std::optional<std::int64_t> parse_duration(std::string_view s) {
  std::int64_t unit = 1;
  if (!s.empty() && !is_digit(s.back())) {
    switch (s.back()) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: return std::nullopt;
    }
    s.remove_suffix(1);
  }
  if (s.empty() || !is_digit(s.front())) return std::nullopt;  // no sign, no space
  const auto n = parse_int<std::int64_t>(s);
  if (!n || *n > INT64_MAX / unit) return std::nullopt;
  return *n * unit;
}

}  // namespace cpshare::text
