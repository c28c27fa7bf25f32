#include "domain/validate.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

#include "domain/normalize.hpp"
#include "util/text.hpp"

namespace cpshare::validate {

namespace {

// The most common passwords of public leak corpora (English and Chinese
// sites), lower case. Entries shorter than 8 characters are kept so that
// is_common_password is a faithful answer, though the length rule already
// rejects them. Sorted (checked at compile time) for binary search.
constexpr std::string_view kCommonPasswords[] = {
    "000000",        "00000000",   "012345678",  "0123456789",   "1111",      "111111",     "11111111",   "111111111",
    "1111111111",    "112233",     "11223344",   "121212",       "123123",    "123123123",  "123321",     "1234",
    "12341234",      "12344321",   "12345",      "123456",       "1234567",   "12345678",   "123456789",  "1234567890",
    "123456789a",    "123456a",    "1234abcd",   "1234qwer",     "123654789", "123abc",     "123qwe",     "123test",
    "131313",        "1314520",    "1314521",    "147258369",    "147852369", "159357",     "159753",     "159753456",
    "1q2w3e4r",      "1q2w3e4r5t", "1qaz2wsx",   "1qaz2wsx3edc", "1qazxsw2",  "2000",       "22222222",   "33333333",
    "44444444",      "5201314",    "520520",     "555555",       "55555555",  "654321",     "666666",     "66666666",
    "696969",        "741852963",  "777777",     "7777777",      "77777777",  "87654321",   "88888888",   "963852741",
    "987654321",     "9876543210", "99999999",   "a123456",      "a12345678", "a1b2c3",     "a1b2c3d4",   "aa123456",
    "aa12345678",    "aaaaaa",     "abc123",     "abc12345",     "abc123456", "abcabc",     "abcd1234",   "abcd123456",
    "abcdef",        "abcdefg",    "abcdefgh",   "access",       "admin",     "admin123",   "admin1234",  "admin888",
    "administrator", "aini1314",   "amanda",     "andrew",       "apple123",  "arsenal",    "asdf1234",   "asdfgh",
    "asdfghjk",      "asdfghjkl",  "ashley",     "austin",       "banana",    "baseball",   "baseball1",  "batman",
    "batman123",     "beijing",    "biteme",     "buster",       "butterfly", "caonima",    "changeme",   "changeme123",
    "charlie",       "charlie1",   "cheese",     "chelsea",      "chelsea1",  "china123",   "chocolate",  "computer",
    "computer1",     "cookie",     "dallas",     "daniel",       "dearbook",  "default",    "diamond",    "dragon",
    "dragon123",     "facebook",   "flower",     "football",     "football1", "freedom",    "george",     "ginger",
    "golden1",       "google",     "guest",      "harley",       "hello",     "hello123",   "hellohello", "hockey",
    "hunter",        "iloveu",     "iloveyou",   "iloveyou!",    "iloveyou1", "iloveyou2",  "internet",   "jasmine",
    "jennifer",      "jessica",    "jordan",     "jordan23",     "joshua",    "killer",     "klaster",    "letmein",
    "letmein!",      "letmein1",   "letmein123", "li123456",     "linkedin",  "linux123",   "liverpool",  "love",
    "lovely",        "loveyou",    "maggie",     "manchester",   "master",    "master123",  "matrix",     "matthew",
    "michael",       "michael1",   "michelle",   "minecraft",    "monkey",    "monkey123",  "mustang",    "myspace1",
    "mysql",         "naruto",     "nicole",     "nihao123",     "oracle",    "orange",     "p@ssw0rd",   "p@ssword",
    "pass",          "passw0rd",   "passw0rd1",  "password",     "password!", "password01", "password1",  "password12",
    "password123",   "password2",  "pepper",     "pokemon",      "postgres",  "princess",   "princess1",  "purple",
    "q1w2e3r4",      "q1w2e3r4t5", "qazwsx",     "qazwsxedc",    "qq123456",  "qq5201314",  "qweasd",     "qweasdzxc",
    "qwer1234",      "qwerasdf",   "qwerty",     "qwerty1",      "qwerty123", "qwertyui",   "qwertyuiop", "ranger",
    "robert",        "root",       "root123",    "root1234",     "samsung",   "secret",     "secret123",  "secure",
    "secure123",     "security",   "server",     "shadow",       "shanghai",  "shenzhen",   "silver",     "soccer",
    "starwars",      "starwars1",  "summer",     "sunshine",     "sunshine1", "superman",   "superman1",  "taylor",
    "test",          "test123",    "testtest",   "thomas",       "thunder",   "tigger",     "toor",       "trustme",
    "trustno1",      "ubuntu",     "user1234",   "wang1234",     "welcome",   "welcome!",   "welcome1",   "welcome123",
    "whatever",      "woaini",     "woaini123",  "woaini1314",   "woaini520", "yankees",    "zaq12wsx",   "zaq1zaq1",
    "zhang123",      "zxcvbn",     "zxcvbnm",    "zxcvbnm123",   "zxcvbnma",
};
static_assert(std::ranges::is_sorted(kCommonPasswords), "keep kCommonPasswords sorted");
static_assert(std::ranges::adjacent_find(kCommonPasswords) == std::end(kCommonPasswords),
              "kCommonPasswords has a duplicate");

using normalize::characters;

// The position (1-based, in characters) of the first non-ASCII character, or 0.
std::size_t first_non_ascii(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (static_cast<unsigned char>(s[i]) >= 0x80) return characters(s.substr(0, i)) + 1;
  return 0;
}

// Birth dates are Beijing dates; "today" there runs up to 8 hours ahead of UTC.
std::chrono::year_month_day today_in_china() {
  using namespace std::chrono;
  return year_month_day{floor<days>(system_clock::now() + hours(8))};
}

}  // namespace

std::string national_id(std::string_view id) {
  // GB 11643 ISO 7064 MOD 11-2 weights (2^(17-i) mod 11) and check characters.
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[] = "10X98765432";
  // Messages never repeat the number itself: it is sensitive and may end up in logs.
  if (const std::size_t n = characters(id); n != 18)
    return "must be 18 characters (17 digits and a final digit or X); got " + std::to_string(n);
  if (const std::size_t at = first_non_ascii(id); at != 0)
    return at < 18 ? "the first 17 characters must be digits; position " + std::to_string(at) + " is not"
                   : "the last character must be a digit or X";
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) {
    if (!text::is_digit(id[i]))
      return "the first 17 characters must be digits; position " + std::to_string(i + 1) + " is not";
    sum += (id[i] - '0') * kWeights[i];
  }
  const char last = id[17] == 'x' ? 'X' : id[17];
  if (!text::is_digit(last) && last != 'X') return "the last character must be a digit or X";

  const auto num = [&](std::size_t pos, std::size_t len) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) v = v * 10 + (id[i] - '0');
    return v;
  };
  const int year = num(6, 4);
  const std::chrono::year_month_day birth{std::chrono::year(year),
                                          std::chrono::month(static_cast<unsigned>(num(10, 2))),
                                          std::chrono::day(static_cast<unsigned>(num(12, 2)))};
  if (!birth.ok()) return "birth date (characters 7-14, YYYYMMDD) is not a real date; re-check the number";
  if (year < 1800) return "birth year (characters 7-10) is before 1800; re-check the number";
  if (birth > today_in_china()) return "birth date (characters 7-14) is in the future; re-check the number";

  const char expected = kCheck[sum % 11];
  if (last != expected)
    return std::string("check digit (last character) is wrong: the first 17 characters as typed need ") + expected +
           "; re-check the number";
  return {};
}

std::string credit_code(std::string_view code) {
  // GB 32100-2015: 31 characters (no I, O, S, V, Z), weights 3^i mod 31.
  static constexpr std::string_view kChars = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  static constexpr int kWeights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
  if (const std::size_t n = characters(code); n != 18) return "must be 18 characters; got " + std::to_string(n);
  if (const std::size_t at = first_non_ascii(code); at != 0)
    return "position " + std::to_string(at) +
           " holds a character that is not allowed: use digits and the letters A-H J-N P-R T U W-Y "
           "(never I, O, S, V, Z)";
  int sum = 0;
  int check_value = 0;
  for (std::size_t i = 0; i < 18; ++i) {
    const char c = code[i];
    if (c >= 'a' && c <= 'z') return "letters must be upper case (position " + std::to_string(i + 1) + ")";
    const auto v = kChars.find(c);
    if (v == std::string_view::npos)
      return "position " + std::to_string(i + 1) +
             " holds a character that is not allowed: use digits and the letters A-H J-N P-R T U W-Y "
             "(never I, O, S, V, Z)";
    if (i < 17)
      sum += static_cast<int>(v) * kWeights[i];
    else
      check_value = static_cast<int>(v);
  }
  const int expected = (31 - sum % 31) % 31;
  if (check_value != expected)
    return std::string("check character (last character) is wrong: the first 17 characters as typed need ") +
           kChars[static_cast<std::size_t>(expected)] + "; re-check the code";
  return {};
}

std::string email(std::string_view email) {
  constexpr std::string_view kShape = "must look like name@example.org";
  if (email.empty()) return std::string(kShape);
  // Mail servers count bytes (RFC 5321): so do these two limits, and say so.
  if (email.size() > 254) return "must be at most 254 bytes (a Chinese character takes 3)";
  for (char c : email) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) return "must not contain spaces or control characters";
  }
  const auto at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos)
    return std::string(kShape) + " (exactly one @)";
  const std::string_view local = email.substr(0, at);
  const std::string_view domain = email.substr(at + 1);
  if (local.empty()) return std::string(kShape) + " (the part before @ is empty)";
  if (local.size() > 64) return "the part before @ must be at most 64 bytes (a Chinese character takes 3)";
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    return "the part before @ must not start or end with a dot or contain two dots in a row";
  if (domain.find('.') == std::string_view::npos) return std::string(kShape) + " (the domain after @ needs a dot)";
  std::size_t start = 0;
  while (true) {
    const auto dot = domain.find('.', start);
    const std::string_view label = domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return "the domain after @ is not valid (empty part, part over 63 characters, or leading/trailing '-')";
    for (char c : label)
      if (!text::is_alpha(c) && !text::is_digit(c) && c != '-' && static_cast<unsigned char>(c) < 0x80)
        return "the domain after @ may contain only letters, digits, '-' and '.'";
    if (dot == std::string_view::npos) {
      if (label.size() < 2) return "the domain after @ must end in a top-level domain of 2 or more characters";
      break;
    }
    start = dot + 1;
  }
  if (!valid_utf8(email)) return "must be valid UTF-8 text";
  return {};
}

std::string normalize_phone(std::string_view phone) {
  std::string digits;
  for (char c : phone)
    if (c != ' ' && c != '-') digits += c;
  // Only strip a bare "86" when what remains is a full 11-digit number, since
  // no mainland mobile number starts with 86.
  if (digits.starts_with("+86"))
    digits.erase(0, 3);
  else if (digits.starts_with("0086") && digits.size() == 15)
    digits.erase(0, 4);
  else if (digits.starts_with("86") && digits.size() == 13)
    digits.erase(0, 2);
  return digits;
}

std::string phone(std::string_view phone) {
  const std::string n = normalize_phone(phone);
  constexpr std::string_view kShape =
      "must be an 11-digit mainland mobile number starting with 13-19, e.g. 13800138000 "
      "(an optional +86 prefix is allowed)";
  if (n.size() != 11 || !std::ranges::all_of(n, text::is_digit) || n[0] != '1' || n[1] < '3')
    return std::string(kShape);
  return {};
}

std::string username(std::string_view username) {
  if (const std::size_t n = characters(username); n < 3 || n > 32)
    return "must be 3 to 32 characters; got " + std::to_string(n);
  // The hint names what was typed: Chinese (write it in pinyin) or another letter outside a-z.
  const auto hint = [](std::string_view rest) -> std::string {
    // Lead bytes E3..EF: U+3000..U+FFFF (CJK, kana, hangul, full-width); F0..F4: U+10000.. (CJK extensions).
    const auto lead = rest.empty() ? 0U : static_cast<unsigned char>(rest[0]);
    if (lead >= 0xE3) return " (Chinese characters are not allowed: write the name in pinyin, e.g. zhangsan)";
    return " (only the letters a-z: write ß as ss, é as e)";
  };
  if (!text::is_alpha(username.front()))
    return "must start with a letter a-z or A-Z" +
           (static_cast<unsigned char>(username.front()) >= 0x80 ? hint(username) : std::string());
  for (std::size_t i = 0; i < username.size(); ++i) {
    const char c = username[i];
    if (static_cast<unsigned char>(c) >= 0x80)
      return "may contain only letters a-z and A-Z, digits, '_', '-' and '.'" + hint(username.substr(i));
    if (!text::is_alpha(c) && !text::is_digit(c) && c != '_' && c != '-' && c != '.')
      return "may contain only letters a-z and A-Z, digits, '_', '-' and '.'";
  }
  return {};
}

std::string password(std::string_view password, std::string_view username) {
  if (!valid_utf8(password)) return "must be valid UTF-8 text";
  if (characters(password) < 8) return "must be at least 8 characters";
  if (password.size() > 128) return "must be at most 128 bytes (a Chinese character takes 3)";
  const std::string pw = text::to_lower_ascii(password);
  const std::string user = text::to_lower_ascii(text::trim(username));
  if (!user.empty()) {
    if (pw == user) return "must not be the same as the username";
    if (pw.find(user) != std::string::npos) return "must not contain the username";
  }
  if (is_common_password(password))
    return "is one of the most common passwords and would be guessed first; choose another "
           "(several unrelated words work well)";
  return {};
}

bool is_common_password(std::string_view password) {
  return std::ranges::binary_search(kCommonPasswords, std::string_view(text::to_lower_ascii(password)));
}

std::string text(std::string_view value, std::size_t max_chars) {
  if (text::trim(value).empty()) return "must not be empty";
  if (!valid_utf8(value)) return "must be valid UTF-8 text";
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto u = static_cast<unsigned char>(value[i]);
    const bool c1 = u == 0xC2 && i + 1 < value.size() && static_cast<unsigned char>(value[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(value[i + 1]) <= 0x9F;
    if (u < 0x20 || u == 0x7F || c1) return "must not contain control characters such as tabs or line breaks";
  }
  if (const std::size_t n = characters(value); n > max_chars)
    return "must be at most " + std::to_string(max_chars) + " characters; got " + std::to_string(n);
  return {};
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    char32_t cp = 0;
    if (b0 < 0x80) {
      ++i;
      continue;
    } else if ((b0 & 0xE0) == 0xC0) {
      len = 2, cp = b0 & 0x1FU;
    } else if ((b0 & 0xF0) == 0xE0) {
      len = 3, cp = b0 & 0x0FU;
    } else if ((b0 & 0xF8) == 0xF0) {
      len = 4, cp = b0 & 0x07U;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3FU);
    }
    static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

std::string sniff_licence_type(std::string_view content) {
  // Magic numbers, not file names: the name is the uploader's claim.
  if (content.starts_with("%PDF-")) return "application/pdf";
  if (content.starts_with(std::string_view("\x89PNG\r\n\x1a\n", 8))) return "image/png";
  if (content.starts_with("\xFF\xD8\xFF")) return "image/jpeg";
  return {};
}

}  // namespace cpshare::validate

namespace cpshare::mask {

namespace {

// Splits into code points (a malformed byte is its own unit), so masking
// never cuts a multi-byte character in half.
std::vector<std::string_view> units(std::string_view s) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = 1;
    const auto b0 = static_cast<unsigned char>(s[i]);
    if ((b0 & 0xE0) == 0xC0)
      len = 2;
    else if ((b0 & 0xF0) == 0xE0)
      len = 3;
    else if ((b0 & 0xF8) == 0xF0)
      len = 4;
    if (i + len > s.size() || !validate::valid_utf8(s.substr(i, len))) len = 1;
    out.push_back(s.substr(i, len));
    i += len;
  }
  return out;
}

std::string join(const std::vector<std::string_view>& u, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i) out += u[i];
  return out;
}

// The number of stars is fixed, as in the documented examples, so a mask
// does not reveal the length. When the value is too short to hide at least
// four characters, nothing of it is shown.
std::string keep_ends(std::string_view value, std::size_t head, std::size_t tail, std::size_t stars) {
  const auto u = units(value);
  const std::string hidden(stars, '*');
  if (u.size() < head + tail + 4) return hidden;
  return join(u, 0, head) + hidden + join(u, u.size() - tail, u.size());
}

}  // namespace

std::string id_number(std::string_view id) { return keep_ends(id, 4, 4, 10); }
std::string phone(std::string_view phone) { return keep_ends(phone, 3, 4, 4); }
std::string credit_code(std::string_view code) { return keep_ends(code, 4, 3, 10); }
std::string bank_account(std::string_view acct) { return keep_ends(acct, 0, 4, 4); }

std::string email(std::string_view email) {
  const auto at = email.rfind('@');
  if (at == std::string_view::npos || at == 0) return "***";
  const auto local = units(email.substr(0, at));
  // A two-character local part would be shown whole, so keep only its first.
  std::string out(local.front());
  out += "***";
  if (local.size() > 2) out += local.back();
  out += email.substr(at);
  return out;
}

}  // namespace cpshare::mask
