#include "util/log.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "util/clock.hpp"

namespace cpshare {

Logger::~Logger() {
  if (file_) std::fclose(file_);
}

Result<> Logger::open_file(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0)
    return fail(ErrorCode::Internal,
                fmt::format("cannot open log file {}: {}", file.string(), std::strerror(errno)));
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
  std::string line = fmt::format("{} {} {}\n", rfc3339(SystemClock{}.now()),
                                 names[static_cast<int>(level)], message);
  std::lock_guard lock(mu_);
  std::FILE* out = file_ ? file_ : stderr;
  std::fwrite(line.data(), 1, line.size(), out);
  std::fflush(out);
}

}  // namespace cpshare
