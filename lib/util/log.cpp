#include "util/log.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "util/clock.hpp"

namespace cpshare {

namespace {

// Length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 when the byte there starts none;
// its code point in *cp.
std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t* cp) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  std::size_t n = 0;
  char32_t v = 0, min = 0;
  if (c >= 0xC2 && c <= 0xDF)
    n = 2, v = c & 0x1Fu, min = 0x80;
  else if (c >= 0xE0 && c <= 0xEF)
    n = 3, v = c & 0x0Fu, min = 0x800;
  else if (c >= 0xF0 && c <= 0xF4)
    n = 4, v = c & 0x07u, min = 0x10000;
  else
    return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    v = (v << 6) | (b(k) & 0x3Fu);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return n;
}

// Code points that break or reorder a line in a terminal or log viewer.
bool unsafe_code_point(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

void append_hex(std::string& out, unsigned char c) {
  static constexpr char digits[] = "0123456789abcdef";
  out += "\\x";
  out += digits[c >> 4];
  out += digits[c & 0x0F];
}

}  // namespace

std::string log_escape(std::string_view s, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(s.size(), max_bytes) + 16);
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::string piece;
    std::size_t used = 1;
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      piece.assign(1, static_cast<char>(c));
    } else if (c < 0x80) {
      append_hex(piece, c);
    } else {
      char32_t cp = 0;
      const std::size_t n = utf8_sequence(s, i, &cp);
      if (n == 0) {
        append_hex(piece, c);
      } else {
        used = n;
        if (unsafe_code_point(cp))
          for (std::size_t k = 0; k < n; ++k) append_hex(piece, static_cast<unsigned char>(s[i + k]));
        else
          piece.assign(s.substr(i, n));
      }
    }
    if (out.size() + piece.size() > max_bytes) {
      out += fmt::format("\u2026[+{} bytes]", s.size() - i);
      break;
    }
    out += piece;
    i += used;
  }
  return out;
}

Logger::~Logger() {
  if (file_) std::fclose(file_);
}

Result<> Logger::open_file(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0)
    return fail(ErrorCode::Internal, fmt::format("cannot open log file {}: {}", file.string(), std::strerror(errno)));
  std::FILE* f = ::fdopen(fd, "a");
  if (!f) {
    ::close(fd);
    return fail(ErrorCode::Internal, fmt::format("cannot open log file {}", file.string()));
  }
  std::lock_guard lock(mu_);
  if (file_) std::fclose(file_);
  file_ = f;
  return {};
}

void Logger::write(Level level, std::string_view message) {
  static constexpr std::string_view names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
  std::string line =
      fmt::format("{} {} {}\n", rfc3339(SystemClock{}.now()), names[static_cast<int>(level)], log_escape(message));
  std::lock_guard lock(mu_);
  std::FILE* out = file_ ? file_ : stderr;
  std::fwrite(line.data(), 1, line.size(), out);
  std::fflush(out);
}

}  // namespace cpshare
