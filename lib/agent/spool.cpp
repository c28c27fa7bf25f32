#include "agent/spool.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "util/text.hpp"

namespace cpshare::agent {

namespace fs = std::filesystem;

namespace {

// Writes `data` to `path` whole or not at all: a temporary file, fsync, rename.
Result<> write_atomically(const fs::path& path, const std::string& data) {
  const fs::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fail(ErrorCode::Internal, fmt::format("cannot write {}: {}", tmp.string(), std::strerror(errno)));
  const bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) && ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return fail(ErrorCode::Internal,
                fmt::format("cannot write {}: {}", path.string(), std::strerror(ok ? errno : err)));
  }
  return {};
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Result<Spool> Spool::open(const fs::path& dir, std::size_t capacity) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail(ErrorCode::Internal, fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  ::chmod(dir.c_str(), 0700);
  Spool s(dir, std::max<std::size_t>(capacity, 1));
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".json")) continue;
    if (auto seq = text::parse_int<std::int64_t>(name.substr(0, name.size() - 5)); seq && *seq > 0)
      s.seqs_.push_back(static_cast<std::uint64_t>(*seq));
  }
  if (ec) return fail(ErrorCode::Internal, fmt::format("cannot read {}: {}", dir.string(), ec.message()));
  std::sort(s.seqs_.begin(), s.seqs_.end());
  if (!s.seqs_.empty()) s.next_ = s.seqs_.back() + 1;
  if (auto d = text::parse_int<std::int64_t>(text::trim(read_all(dir / "dropped"))); d && *d > 0)
    s.dropped_ = static_cast<std::uint64_t>(*d);
  return s;
}

fs::path Spool::file_of(std::uint64_t seq) const { return dir_ / fmt::format("{:020}.json", seq); }

Result<> Spool::save_dropped() { return write_atomically(dir_ / "dropped", std::to_string(dropped_)); }

Result<> Spool::push(const api::HostSample& s) {
  const std::uint64_t seq = next_++;
  TRY(write_atomically(file_of(seq), api::encode(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  seqs_.push_back(seq);
  if (seqs_.size() <= capacity_) return {};
  const std::size_t over = seqs_.size() - capacity_;
  for (std::size_t i = 0; i < over; ++i) ::unlink(file_of(seqs_[i]).c_str());
  seqs_.erase(seqs_.begin(), seqs_.begin() + static_cast<std::ptrdiff_t>(over));
  dropped_ += over;
  return save_dropped();
}

Spool::Peeked Spool::peek(std::size_t max) {
  std::vector<Entry> out;
  std::size_t unreadable = 0;
  for (std::size_t i = 0; i < seqs_.size() && out.size() < max;) {
    const auto seq = seqs_[i];
    auto parsed = nlohmann::json::parse(read_all(file_of(seq)), nullptr, false);
    auto sample = parsed.is_discarded() ? Result<api::HostSample>(fail(ErrorCode::Internal, "not JSON"))
                                        : api::decode<api::HostSample>(parsed);
    if (!sample) {  // a torn or foreign file: counted as dropped, never sent
      ::unlink(file_of(seq).c_str());
      seqs_.erase(seqs_.begin() + static_cast<std::ptrdiff_t>(i));
      ++unreadable;
      continue;
    }
    out.push_back({seq, std::move(*sample)});
    ++i;
  }
  if (unreadable == 0) return {std::move(out), {}};
  dropped_ += unreadable;
  return {std::move(out), save_dropped()};
}

Result<> Spool::ack(std::uint64_t seq, std::uint64_t dropped_reported) {
  auto end = std::upper_bound(seqs_.begin(), seqs_.end(), seq);
  for (auto it = seqs_.begin(); it != end; ++it) ::unlink(file_of(*it).c_str());
  seqs_.erase(seqs_.begin(), end);
  dropped_ -= std::min(dropped_, dropped_reported);
  return save_dropped();
}

}  // namespace cpshare::agent
