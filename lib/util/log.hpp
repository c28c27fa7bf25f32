// A small line logger: "2026-11-27T12:00:00Z INFO message". Thread-safe.
// Callers never pass secrets (passwords, tokens, codes, ID numbers, phone
// numbers); request logging records method, path without query, status.
#pragma once

#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "util/error.hpp"

namespace cpshare {

class Logger {
 public:
  enum class Level { Debug, Info, Warn, Error };
  Logger() = default;  // stderr
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  Result<> open_file(const std::filesystem::path& file);  // append, mode 0640
  void write(Level level, std::string_view message);

  template <class... Args>
  void info(fmt::format_string<Args...> f, Args&&... a) { write(Level::Info, fmt::format(f, std::forward<Args>(a)...)); }
  template <class... Args>
  void warn(fmt::format_string<Args...> f, Args&&... a) { write(Level::Warn, fmt::format(f, std::forward<Args>(a)...)); }
  template <class... Args>
  void error(fmt::format_string<Args...> f, Args&&... a) { write(Level::Error, fmt::format(f, std::forward<Args>(a)...)); }

 private:
  std::mutex mu_;
  std::FILE* file_ = nullptr;
};

}  // namespace cpshare
