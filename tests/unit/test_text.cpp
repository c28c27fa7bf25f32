#include <catch2/catch.hpp>
#include <climits>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "util/text.hpp"

namespace text = cpshare::text;

TEST_CASE("display_width counts East Asian wide characters as two columns") {
  CHECK(text::display_width("") == 0);
  CHECK(text::display_width("abc") == 3);
  CHECK(text::display_width("深圳市") == 6);
  CHECK(text::display_width("深圳 A100") == 9);
  CHECK(text::display_width("，。「」") == 8);          // CJK punctuation (3000 block and fullwidth comma)
  CHECK(text::display_width("ＡＢ") == 4);              // fullwidth Latin
  CHECK(text::display_width("￥100") == 5);             // fullwidth yen sign
  CHECK(text::display_width("한국") == 4);              // Hangul
  CHECK(text::display_width("こんにちは") == 10);       // Hiragana
  CHECK(text::display_width("カタカナ") == 8);          // Katakana
  CHECK(text::display_width("\xF0\x9F\x98\x80") == 2);  // U+1F600 emoji
  CHECK(text::display_width("\xF0\xA0\x80\x80") == 2);  // U+20000 CJK Ext B
  CHECK(text::display_width("é") == 1);                 // precomposed
  CHECK(text::display_width("e\xCC\x81") == 1);         // e + combining acute
  CHECK(text::display_width("\xE2\x80\x8B") == 0);      // zero-width space
  CHECK(text::display_width("\xff\xfe") == 2);          // invalid bytes count one each
  CHECK(text::display_width("\xE6\xB7") == 2);          // truncated sequence
  CHECK(text::display_width("→") == 1);                 // arrows are narrow
}

TEST_CASE("pad_right pads to display columns and never truncates") {
  CHECK(text::pad_right("深圳", 6) == "深圳  ");
  CHECK(text::pad_right("ab", 4) == "ab  ");
  CHECK(text::pad_right("abcdef", 3) == "abcdef");
}

TEST_CASE("table aligns columns containing Chinese text") {
  const std::vector<std::vector<std::string>> rows = {
      {"名称", "区域", "GPU"},
      {"深圳大学", "深圳", "A100"},
      {"x", "广州市", "H100"},
  };
  const std::string out = text::table(rows);
  CHECK(out ==
        "名称      区域    GPU\n"
        "深圳大学  深圳    A100\n"
        "x         广州市  H100\n");

  // Each last column starts at the same display column.
  std::istringstream in(out);
  std::string line;
  const std::vector<std::string> last = {"GPU", "A100", "H100"};
  for (std::size_t i = 0; std::getline(in, line); ++i) {
    INFO(line);
    CHECK(text::display_width(line.substr(0, line.find(last[i]))) == 18);
  }
}

TEST_CASE("table leaves no trailing spaces and tolerates ragged rows") {
  CHECK(text::table({{"a", "b"}, {"c", ""}, {"ddd"}}) == "a    b\nc\nddd\n");
  CHECK(text::table({}) == "");
}

TEST_CASE("edit_distance is Levenshtein") {
  CHECK(text::edit_distance("kitten", "sitting") == 3);
  CHECK(text::edit_distance("flaw", "lawn") == 2);
  CHECK(text::edit_distance("", "abc") == 3);
  CHECK(text::edit_distance("abc", "") == 3);
  CHECK(text::edit_distance("abc", "abc") == 0);
}

TEST_CASE("closest suggests a near command or nothing") {
  const std::vector<std::string> commands = {"register", "login", "logout", "whoami", "sessions"};
  CHECK(text::closest("regster", commands) == "register");
  CHECK(text::closest("lgin", commands) == "login");
  CHECK(text::closest("logot", commands) == "logout");
  CHECK(text::closest("xyzzy", commands) == "");
  CHECK(text::closest("deploy", commands) == "");
  CHECK(text::closest("login", {}) == "");
}

TEST_CASE("trim and to_lower_ascii") {
  CHECK(text::trim("  a b \t\r\n") == "a b");
  CHECK(text::trim(" \n ") == "");
  CHECK(text::trim("深圳") == "深圳");
  CHECK(text::to_lower_ascii("AbC深圳XYZ") == "abc深圳xyz");
}

// What lib/ accepted when it called std::stoi / std::stoll and required the
// whole text to be used (issue 10 replaced those with std::from_chars).
template <class T>
std::optional<T> stoi_reference(const std::string& s) {
  try {
    std::size_t used = 0;
    const long long n = std::stoll(s, &used);
    if (used != s.size() || n < std::numeric_limits<T>::min() || n > std::numeric_limits<T>::max()) return std::nullopt;
    return static_cast<T>(n);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

TEST_CASE("parse_int accepts exactly what std::stoi accepted with the whole text used") {
  CHECK(text::parse_int<int>("8080") == 8080);
  CHECK(text::parse_int<int>(" \t\n\v\f\r42") == 42);  // leading whitespace, as strtol skips it
  CHECK(text::parse_int<int>("+7") == 7);
  CHECK(text::parse_int<int>("-7") == -7);
  CHECK(text::parse_int<int>("007") == 7);
  CHECK(text::parse_int<int>("2147483647") == INT_MAX);
  CHECK(text::parse_int<int>("-2147483648") == INT_MIN);
  CHECK(text::parse_int<long long>("9223372036854775807") == LLONG_MAX);
  for (const char* bad : {"", " ", "+", "-", "+-5", "-+5", "5 ", "5x", "x5", "0x10", "1e3", "1.0", "2147483648",
                          "-2147483649", "+ 5", "٣", "\xef\xbc\x93"})
    CHECK_FALSE(text::parse_int<int>(bad));
  CHECK_FALSE(text::parse_int<long long>("9223372036854775808"));
  for (const std::string s : {"0", "65535", "65536", " 80", "\t+80", "+-80", "80 ", "-0", "2147483648", "abc",
                              "-2147483648", "\v1", "+", "12a", "99999999999999999999"}) {
    INFO("'" << s << "'");
    CHECK(text::parse_int<int>(s) == stoi_reference<int>(s));
    CHECK(text::parse_int<long long>(s) == stoi_reference<long long>(s));
  }
}

TEST_CASE("percent_decode decodes %XX as the URL Standard does and keeps any other '%'") {
  using cpshare::text::percent_decode;
  CHECK(percent_decode("reliability%3E%3d0.95") == "reliability>=0.95");
  CHECK(percent_decode("a+b") == "a+b");  // '+' is the form parser's business
  CHECK(percent_decode("%E6%B7%B1") == "深");
  CHECK(percent_decode("%00") == std::string(1, '\0'));
  CHECK(percent_decode("100%") == "100%");
  CHECK(percent_decode("%4") == "%4");
  CHECK(percent_decode("%zz%%41") == "%zz%A");
  CHECK(percent_decode(cpshare::text::percent_encode("a b/ü%")) == "a b/ü%");
}
