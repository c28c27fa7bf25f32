#include "catalog/units.hpp"

#include <algorithm>
#include <array>
#include <numeric>
#include <optional>

#include <fmt/format.h>

#include "billing/billing.hpp"
#include "domain/validate.hpp"
#include "util/text.hpp"

namespace cpshare::catalog {

// Here rather than in billing, which sits below the catalogue (ARCHITECTURE.md, Rules).
static_assert(billing::kMaxUnitPrice == kMaxFen, "a lease's price is a catalogue price");

namespace {

constexpr std::string_view kSizeExamples = "e.g. 80GB, 3.84TB, 512MiB or 1.5 TiB";
constexpr std::string_view kUnitList =
    "use B, KB, MB, GB, TB, PB (powers of 1000) or KiB, MiB, GiB, TiB, PiB (powers of 1024)";
constexpr std::string_view kStorageExample = "e.g. '2x3.84TB nvme data, 480GB ssd system'";

struct Unit {
  std::string_view name;  // canonical spelling
  std::int64_t bytes;
};
constexpr std::array<Unit, 11> kUnits{{
    {"B", 1},
    {"KB", 1'000},
    {"MB", 1'000'000},
    {"GB", 1'000'000'000},
    {"TB", 1'000'000'000'000},
    {"PB", 1'000'000'000'000'000},
    {"KiB", std::int64_t{1} << 10},
    {"MiB", std::int64_t{1} << 20},
    {"GiB", std::int64_t{1} << 30},
    {"TiB", std::int64_t{1} << 40},
    {"PiB", std::int64_t{1} << 50},
}};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

const Unit* find_unit(std::string_view name) {
  const std::string lower = text::to_lower_ascii(name);
  for (const auto& u : kUnits)
    if (text::to_lower_ascii(u.name) == lower) return &u;
  return nullptr;
}

// The input echoed in a message: bounded, so a huge value cannot flood the reply.
std::string quoted(std::string_view s) {
  constexpr std::size_t kMax = 40;
  if (s.size() <= kMax) return fmt::format("'{}'", s);
  std::size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 boundary
  return fmt::format("'{}…'", s.substr(0, cut));
}

std::unexpected<Error> invalid(std::string message) { return fail(ErrorCode::ValidationFailed, std::move(message)); }

// A decimal number as written: digits, optionally '.' and more digits.
struct Decimal {
  std::string_view whole, fraction;
  bool has_point = false;
};

// Scans a Decimal at text[pos]; advances pos. No digits at pos → nullopt (pos unchanged).
std::optional<Decimal> scan_decimal(std::string_view text, std::size_t& pos) {
  std::size_t p = pos;
  while (p < text.size() && text::is_digit(text[p])) ++p;
  if (p == pos) return std::nullopt;
  Decimal d{text.substr(pos, p - pos), {}, false};
  if (p < text.size() && text[p] == '.') {
    const std::size_t start = ++p;
    while (p < text.size() && text::is_digit(text[p])) ++p;
    d.fraction = text.substr(start, p - start);
    d.has_point = true;
  }
  pos = p;
  return d;
}

std::string_view strip_leading_zeros(std::string_view s) {
  while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
  return s;
}
std::string_view strip_trailing_zeros(std::string_view s) {
  while (!s.empty() && s.back() == '0') s.remove_suffix(1);
  return s;
}

// "03.840" → "3.84", "1.0" → "1".
std::string canonical(const Decimal& d) {
  std::string out(strip_leading_zeros(d.whole));
  if (auto f = strip_trailing_zeros(d.fraction); !f.empty()) out += fmt::format(".{}", f);
  return out;
}

// The value of a run of digits; nullopt when it does not fit an int64.
std::optional<std::int64_t> digits_value(std::string_view digits) {
  std::int64_t v = 0;
  for (char c : digits)
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, c - '0', &v)) return std::nullopt;
  return v;
}

std::int64_t pow10(std::size_t n) {
  std::int64_t v = 1;
  for (std::size_t i = 0; i < n; ++i) v *= 10;
  return v;
}

// d × unit exactly, or an error message without the input (the caller adds it).
std::expected<std::int64_t, std::string> exact_bytes(const Decimal& d, std::int64_t unit) {
  const std::string too_large = fmt::format("is too large: a size is at most {} bytes (2^62, about 4.6 EB)", kMaxBytes);
  const auto whole = digits_value(d.whole);
  std::int64_t bytes = 0;
  if (!whole || __builtin_mul_overflow(*whole, unit, &bytes) || bytes > kMaxBytes) return std::unexpected(too_large);
  const std::string_view frac = strip_trailing_zeros(d.fraction);
  if (frac.empty()) return bytes;
  const std::string not_whole = "is not a whole number of bytes; use fewer decimals or a smaller unit";
  if (frac.size() > 18) return std::unexpected(not_whole);
  // frac / 10^n × unit must be an integer: reduce by the common factor first so nothing overflows.
  const std::int64_t f = *digits_value(frac);
  const std::int64_t denominator = pow10(frac.size());
  const std::int64_t g = std::gcd(unit, denominator);
  if (f % (denominator / g) != 0) return std::unexpected(not_whole);
  bytes += f / (denominator / g) * (unit / g);  // < unit ≤ 2^50, and bytes ≤ 2^62: no overflow
  if (bytes > kMaxBytes) return std::unexpected(too_large);
  return bytes;
}

struct ScannedSize {
  Decimal number;
  const Unit* unit = nullptr;
};

std::string_view trim_view(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string collapse_spaces(std::string_view s) {
  std::string out;
  bool gap = false;
  for (char c : trim_view(s)) {
    if (is_space(c)) {
      gap = true;
      continue;
    }
    if (gap) out += ' ';
    gap = false;
    out += c;
  }
  return out;
}

// The separators between storage items: ',', '+' and the full-width comma '，' (U+FF0C).
std::vector<std::string_view> split_items(std::string_view s) {
  constexpr std::string_view kFullComma = "\xEF\xBC\x8C";
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size();) {
    std::size_t sep = 0;
    if (i == s.size())
      sep = 1;
    else if (s[i] == ',' || s[i] == '+')
      sep = 1;
    else if (s.substr(i, kFullComma.size()) == kFullComma)
      sep = kFullComma.size();
    if (sep == 0) {
      ++i;
      continue;
    }
    out.push_back(s.substr(start, i - start));
    i += sep;
    start = i;
  }
  return out;
}

// The multiplication sign after a count: x, X, * or × (U+00D7). Returns its length or 0.
// An x followed by a letter starts a word or unit ("480XB", "480 xfs"), not a count.
std::size_t times_sign(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return 0;
  if (s[pos] == 'x' || s[pos] == 'X') return pos + 1 < s.size() && text::is_alpha(s[pos + 1]) ? 0 : 1;
  if (s[pos] == '*') return 1;
  if (s.substr(pos, 2) == "\xC3\x97") return 2;
  return 0;
}

void skip_spaces(std::string_view s, std::size_t& pos) {
  while (pos < s.size() && is_space(s[pos])) ++pos;
}

// One storage item, already trimmed and non-empty. Errors without the "item N" prefix.
std::expected<StorageItem, std::string> parse_item(std::string_view item, std::string& normalised) {
  std::size_t pos = 0;
  if (item.front() == '-') return std::unexpected("a size or count cannot be negative");
  auto first = scan_decimal(item, pos);
  if (!first) return std::unexpected(fmt::format("must start with a size or a count, {}", kStorageExample));
  StorageItem out;
  Decimal size = *first;
  std::size_t after_first = pos;
  skip_spaces(item, after_first);
  if (std::size_t sign = times_sign(item, after_first); sign != 0) {
    const auto count = first->has_point ? std::nullopt : digits_value(first->whole);
    if (!count || *count < 1 || *count > kMaxStorageCount)
      return std::unexpected(fmt::format("the count before '{}' must be a whole number from 1 to {}",
                                         item.substr(after_first, sign), kMaxStorageCount));
    out.count = *count;
    pos = after_first + sign;
    skip_spaces(item, pos);
    auto second = scan_decimal(item, pos);
    if (!second)
      return std::unexpected(fmt::format("expected a size after '{}{}', e.g. '2x3.84TB'",
                                         strip_leading_zeros(first->whole), item.substr(after_first, sign)));
    size = *second;
  }
  if (size.has_point && size.fraction.empty())
    return std::unexpected(fmt::format("'{}.' needs digits after the decimal point", size.whole));
  skip_spaces(item, pos);
  const std::size_t unit_start = pos;
  while (pos < item.size() && text::is_alpha(item[pos])) ++pos;
  const std::string_view unit_name = item.substr(unit_start, pos - unit_start);
  if (unit_name.empty())
    return std::unexpected(
        fmt::format("the size {} needs a unit, e.g. {}GB; {}", canonical(size), canonical(size), kUnitList));
  const Unit* unit = find_unit(unit_name);
  if (!unit) return std::unexpected(fmt::format("unknown unit '{}'; {}", unit_name, kUnitList));
  if (pos < item.size() && !is_space(item[pos]))
    return std::unexpected(
        fmt::format("put a space between the size {}{} and what follows it", canonical(size), unit->name));
  auto bytes = exact_bytes(size, unit->bytes);
  if (!bytes) return std::unexpected(fmt::format("{}{} {}", canonical(size), unit->name, bytes.error()));
  if (*bytes == 0) return std::unexpected("a storage device's size must be greater than zero");
  out.size_bytes = *bytes;
  out.words = collapse_spaces(item.substr(pos));
  if (!out.words.empty()) {
    if (std::string problem = validate::text(out.words, kMaxStorageWords); !problem.empty())
      return std::unexpected("the words after the size " + problem);
  }
  normalised = out.count > 1 ? fmt::format("{}x", out.count) : std::string();
  normalised += canonical(size) + std::string(unit->name);
  if (!out.words.empty()) normalised += " " + out.words;
  return out;
}

}  // namespace

Result<std::int64_t> parse_size(std::string_view input) {
  const std::string_view s = trim_view(input);
  const std::string usage = fmt::format(
      "write a number and a unit, {} (KB, MB, GB, TB, PB count in 1000s; KiB, MiB, GiB, TiB, PiB "
      "in 1024s; a bare number is bytes)",
      kSizeExamples);
  if (s.empty()) return invalid("a size is required: " + usage);
  if (s.front() == '-') return invalid(fmt::format("{}: a size cannot be negative", quoted(s)));
  std::size_t pos = 0;
  auto number = scan_decimal(s, pos);
  if (!number || (number->has_point && number->fraction.empty()))
    return invalid(fmt::format("{} is not a size: {}", quoted(s), usage));
  skip_spaces(s, pos);
  const std::string_view unit_name = s.substr(pos);
  const Unit* unit = &kUnits[0];
  if (!unit_name.empty()) {
    const bool letters = std::all_of(unit_name.begin(), unit_name.end(), text::is_alpha);
    if (!letters) return invalid(fmt::format("{} is not a size: {}", quoted(s), usage));
    unit = find_unit(unit_name);
    if (!unit) return invalid(fmt::format("{}: unknown unit {}; {}", quoted(s), quoted(unit_name), kUnitList));
  }
  auto bytes = exact_bytes(*number, unit->bytes);
  if (!bytes) return invalid(fmt::format("{} {}", quoted(s), bytes.error()));
  return *bytes;
}

std::string format_size(std::int64_t bytes) {
  static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 6> kDecimal{{
      {"KB", 1'000ULL},
      {"MB", 1'000'000ULL},
      {"GB", 1'000'000'000ULL},
      {"TB", 1'000'000'000'000ULL},
      {"PB", 1'000'000'000'000'000ULL},
      {"EB", 1'000'000'000'000'000'000ULL},
  }};
  const std::string_view sign = bytes < 0 ? "-" : "";
  // Magnitude in unsigned arithmetic, so INT64_MIN has one too.
  const std::uint64_t u = bytes < 0 ? 0 - static_cast<std::uint64_t>(bytes) : static_cast<std::uint64_t>(bytes);
  if (u < kDecimal[0].second) return fmt::format("{}{} B", sign, u);
  std::size_t i = 0;
  while (i + 1 < kDecimal.size() && u >= kDecimal[i + 1].second) ++i;
  for (;; ++i) {
    const std::uint64_t unit = kDecimal[i].second;
    // Hundredths of the unit, rounded half up; unit/100 and unit/200 are exact for unit ≥ 1000.
    const std::uint64_t hundredths = u / unit * 100 + (u % unit + unit / 200) / (unit / 100);
    if (hundredths >= 100'000 && i + 1 < kDecimal.size()) continue;  // 999.996 GB reads 1 TB
    const std::uint64_t whole = hundredths / 100, frac = hundredths % 100;
    if (frac == 0) return fmt::format("{}{} {}", sign, whole, kDecimal[i].first);
    if (frac % 10 == 0) return fmt::format("{}{}.{} {}", sign, whole, frac / 10, kDecimal[i].first);
    return fmt::format("{}{}.{:02} {}", sign, whole, frac, kDecimal[i].first);
  }
}

Result<std::int64_t> parse_yuan(std::string_view input) {
  const std::string_view s = trim_view(input);
  const std::string usage = "write an amount in yuan with at most 2 decimals, e.g. 12.50, 12.5, 12 or 0.01";
  if (s.empty()) return invalid("an amount is required: " + usage);
  if (s.front() == '-') return invalid(fmt::format("{}: an amount cannot be negative", quoted(s)));
  std::size_t pos = 0;
  auto number = scan_decimal(s, pos);
  if (!number || pos != s.size() || (number->has_point && number->fraction.empty()))
    return invalid(fmt::format("{} is not an amount: {}", quoted(s), usage));
  if (number->fraction.size() > 2)
    return invalid(fmt::format("{} has more than 2 decimals: amounts are counted in fen (0.01 yuan)", quoted(s)));
  const auto yuan = digits_value(number->whole);
  constexpr std::int64_t kMaxYuan = kMaxFen / 100;
  if (!yuan || *yuan > kMaxYuan)
    return invalid(fmt::format("{} is too large: an amount is at most {} yuan", quoted(s), kMaxYuan));
  std::int64_t fen = *yuan * 100;
  if (!number->fraction.empty()) fen += *digits_value(number->fraction) * (number->fraction.size() == 1 ? 10 : 1);
  if (fen > kMaxFen) return invalid(fmt::format("{} is too large: an amount is at most {} yuan", quoted(s), kMaxYuan));
  return fen;
}

Result<Storage> parse_storage(std::string_view input) {
  const std::string_view s = trim_view(input);
  if (s.empty()) return invalid(fmt::format("describe the local storage, {}", kStorageExample));
  const auto items = split_items(s);
  if (items.size() > kMaxStorageItems)
    return invalid(fmt::format("at most {} storage items; group equal devices with a count, {}", kMaxStorageItems,
                               kStorageExample));
  Storage out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string_view item = trim_view(items[i]);
    if (item.empty())
      return invalid(fmt::format("item {} is empty: separate items with ',' or '+', {}", i + 1, kStorageExample));
    std::string normalised;
    auto parsed = parse_item(item, normalised);
    if (!parsed) return invalid(fmt::format("item {} {}: {}", i + 1, quoted(item), parsed.error()));
    std::int64_t item_total = 0;
    if (__builtin_mul_overflow(parsed->count, parsed->size_bytes, &item_total) ||
        __builtin_add_overflow(out.total_bytes, item_total, &out.total_bytes) || out.total_bytes > kMaxBytes)
      return invalid(fmt::format("the total storage is too large: at most {} bytes (2^62)", kMaxBytes));
    if (!out.description.empty()) out.description += ", ";
    out.description += normalised;
    out.items.push_back(std::move(*parsed));
  }
  return out;
}

Result<std::string> version_key(std::string_view input) {
  const std::string_view s = trim_view(input);
  const auto bad = [&] {
    return invalid(
        fmt::format("{} is not a version: use 1 to 4 numbers separated by dots, e.g. 12.4 or 11.8.0", quoted(s)));
  };
  std::string key;
  std::size_t components = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = s.find('.', start);
    const std::string_view part = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (part.empty() || !std::all_of(part.begin(), part.end(), text::is_digit) || ++components > 4) return bad();
    const auto value = digits_value(part);
    if (!value || *value > 9999) return invalid(fmt::format("{}: each part of a version is at most 9999", quoted(s)));
    if (!key.empty()) key += '.';
    key += fmt::format("{:04}", *value);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return key;
}

}  // namespace cpshare::catalog
