#include <catch2/catch.hpp>
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
