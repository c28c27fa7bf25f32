// Compiled as C++17: see posix_tz.hpp.
#include "util/posix_tz.hpp"

#include <chrono>
#include <exception>

#include <date/ptz.h>

namespace cpshare {

namespace {

class Rule final : public PosixTimeZone {
 public:
  explicit Rule(const std::string& rule) : zone_(rule) {}
  std::int64_t offset_at(std::int64_t unix_seconds) const override {
    const date::sys_seconds at{std::chrono::seconds{unix_seconds}};
    return zone_.get_info(at).offset.count();
  }

 private:
  Posix::time_zone zone_;
};

}  // namespace

std::shared_ptr<const PosixTimeZone> PosixTimeZone::parse(const std::string& rule) {
  try {
    return std::make_shared<const Rule>(rule);
  } catch (const std::exception&) {  // date/ptz reports a malformed rule by throwing
    return nullptr;
  }
}

}  // namespace cpshare
