// The log cannot be forged (lib/util/log): a value a client sent (a path with
// %0a or %00 decoded into it) stays on its line, escaped, and bounded.
// Issue 9 point 3. [R-SEC-4]
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>

#include "util/log.hpp"

using cpshare::log_escape;

TEST_CASE("log_escape writes control characters, backslashes and invalid UTF-8 as \\xNN", "[R-SEC-4]") {
  CHECK(log_escape("/api/v1/health") == "/api/v1/health");
  CHECK(log_escape("深圳 ok") == "深圳 ok");
  CHECK(log_escape(std::string("/a\nb\r\tc\0d", 9)) == "/a\\x0ab\\x0d\\x09c\\x00d");
  CHECK(log_escape("\x1b[31mred\x7f") == "\\x1b[31mred\\x7f");
  CHECK(log_escape("a\\x0ab") == "a\\x5cx0ab");  // an escape in the input cannot pass for ours
  CHECK(log_escape("\xff\xfe ok \xe6\xb7") == "\\xff\\xfe ok \\xe6\\xb7");  // invalid, truncated
  CHECK(log_escape("\xc0\xaf") == "\\xc0\\xaf");                            // overlong '/'
  CHECK(log_escape("\xed\xa0\x80") == "\\xed\\xa0\\x80");                   // a surrogate
  // Unicode line breaks, C1 controls and bidi overrides.
  CHECK(log_escape("a\xe2\x80\xa8"
                   "b") == "a\\xe2\\x80\\xa8b");  // U+2028
  CHECK(log_escape("a\xc2\x85"
                   "b") == "a\\xc2\\x85b");  // U+0085 NEL
  CHECK(log_escape("a\xe2\x80\xae"
                   "b") == "a\\xe2\\x80\\xaeb");  // U+202E RLO
}

TEST_CASE("log_escape caps the line and says how much was cut", "[R-SEC-4]") {
  const std::string big(10000, 'a');
  const std::string out = log_escape(big, 100);
  CHECK(out == std::string(100, 'a') + "\u2026[+9900 bytes]");
  // An escape is never cut in half.
  const std::string nl = log_escape(std::string(50, '\n'), 10);
  CHECK(nl == "\\x0a\\x0a\u2026[+48 bytes]");
}

TEST_CASE("Logger writes a forged request line as one escaped line, without a NUL byte", "[R-SEC-4]") {
  const auto file = std::filesystem::temp_directory_path() / ("cpshare-test-log-" + std::to_string(::getpid()));
  std::filesystem::remove(file);
  {
    cpshare::Logger log;
    REQUIRE(log.open_file(file));
    // What httplib hands the route for GET /x%0a2026-01-01T00:00:00Z%20INFO%20forged%00y
    const std::string path("/x\n2026-01-01T00:00:00Z INFO forged\0y", 37);
    log.info("{} {} {} {:.1f}ms {}", "GET", path, 404, 1.5, "127.0.0.1");
    log.info("{} {}", std::string(5000, 'p'), "after");  // a long value is clipped, what follows stays
  }
  std::ifstream in(file, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(file);
  CHECK(text.find('\0') == std::string::npos);
  REQUIRE(std::count(text.begin(), text.end(), '\n') == 2);
  const std::string first = text.substr(0, text.find('\n'));
  CHECK(first.ends_with(" INFO GET /x\\x0a2026-01-01T00:00:00Z INFO forged\\x00y 404 1.5ms 127.0.0.1"));
  const std::string second = text.substr(text.find('\n') + 1);
  CHECK(second.find(std::string(cpshare::kMaxLogValue, 'p') + "\u2026 after\n") != std::string::npos);
  CHECK(second.find(std::string(cpshare::kMaxLogValue + 1, 'p')) == std::string::npos);
}
