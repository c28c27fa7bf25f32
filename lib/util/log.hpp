// A small line logger: "2026-11-27T12:00:00Z INFO message". Thread-safe.
// Callers never pass secrets (passwords, tokens, codes, ID numbers, phone
// numbers); request logging records method, path without query, status.
//
// The log cannot be forged (issue 9, R-SEC-4): what a client sent (a path with
// %0a or %00 decoded into it, a user agent) may be logged, so every line is
// escaped by log_escape before it is written, one line per write; and each
// string argument of info/warn/error is clipped to kMaxLogValue bytes first,
// so a long value cannot push the fields after it out of the line.
#pragma once

#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>

#include <fmt/format.h>

#include "util/error.hpp"
#include "util/text.hpp"

namespace cpshare {

// A string argument of info/warn/error keeps at most this many bytes (then "…").
inline constexpr std::size_t kMaxLogValue = 1024;
// A written message keeps at most this many bytes after escaping (then "…[+N bytes]").
inline constexpr std::size_t kMaxLogLine = 8192;

// `s` as one line of printable text: ASCII control characters (0x00-0x1F,
// 0x7F), the backslash (so an escape in the input cannot pass for ours), bytes
// that are not valid UTF-8, and the Unicode characters that terminals or
// viewers treat as line breaks or reorder text (C1 controls U+0080-U+009F,
// U+2028, U+2029, the bidi embeddings, overrides and isolates U+202A-U+202E,
// U+2066-U+2069) are written as \xNN per byte; valid UTF-8 text is kept.
// Output beyond max_bytes is dropped and "…[+N bytes]" says how much input was.
std::string log_escape(std::string_view s, std::size_t max_bytes = kMaxLogLine);

class Logger {
 public:
  enum class Level { Debug, Info, Warn, Error };
  Logger() = default;  // stderr
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  Result<> open_file(const std::filesystem::path& file);  // append, mode 0640
  // Writes log_escape(message) as one line.
  void write(Level level, std::string_view message);

  template <class... Args>
  void info(fmt::format_string<Args...> f, Args&&... a) {
    write(Level::Info, line(fmt::string_view(f), a...));
  }
  template <class... Args>
  void warn(fmt::format_string<Args...> f, Args&&... a) {
    write(Level::Warn, line(fmt::string_view(f), a...));
  }
  template <class... Args>
  void error(fmt::format_string<Args...> f, Args&&... a) {
    write(Level::Error, line(fmt::string_view(f), a...));
  }

 private:
  // A string argument clipped to kMaxLogValue bytes; any other argument as it is.
  template <class T>
  static decltype(auto) value(const T& v) {
    if constexpr (std::is_convertible_v<const T&, std::string_view>)
      return text::clip(std::string_view(v), kMaxLogValue);
    else
      return (v);
  }
  // The format string was checked against the arguments' types where info/warn/error was called.
  template <class... Args>
  static std::string line(fmt::string_view f, const Args&... a) {
    return values(f, value(a)...);
  }
  template <class... Values>
  static std::string values(fmt::string_view f, const Values&... v) {
    return fmt::vformat(f, fmt::make_format_args(v...));
  }

  std::mutex mu_;
  std::FILE* file_ = nullptr;
};

}  // namespace cpshare
