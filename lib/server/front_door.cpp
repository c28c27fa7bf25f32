#include "server/front_door.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace cpshare::front_door {

namespace {

constexpr std::size_t kMaxLine = 4096;  // a chunk-size line with its extensions, or a trailer field

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Printable for a message: at most 40 bytes, control bytes as \xNN.
std::string shown(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) {
    auto u = static_cast<unsigned char>(c);
    out += u < 0x20 || u >= 0x7f ? fmt::format("\\x{:02X}", u) : std::string(1, c);
  }
  if (s.size() > 40) out += "...";
  return out;
}

std::string mib(std::uint64_t bytes) {
  return bytes % (1024 * 1024) == 0 ? fmt::format("{} MiB", bytes / (1024 * 1024)) : fmt::format("{} bytes", bytes);
}

}  // namespace

AddressSlots::AddressSlots(int cap, std::vector<std::string> exempt)
    : cap_(cap), exempt_(TrustedProxies::parse(exempt).value_or(TrustedProxies{})) {}

bool AddressSlots::acquire(const std::string& address) {
  if (cap_ <= 0 || exempt_.contains(address)) return true;
  std::lock_guard lock(mu_);
  int& n = held_[address];
  if (n >= cap_) return false;
  ++n;
  return true;
}

void AddressSlots::release(const std::string& address) {
  if (cap_ <= 0 || exempt_.contains(address)) return;
  std::lock_guard lock(mu_);
  auto it = held_.find(address);
  if (it == held_.end()) return;
  if (--it->second <= 0) held_.erase(it);
}

int AddressSlots::held(const std::string& address) const {
  std::lock_guard lock(mu_);
  auto it = held_.find(address);
  return it == held_.end() ? 0 : it->second;
}

Result<Framing> check_framing(const FramingHeaders& h, std::uint64_t max_body) {
  for (const auto& ce : h.content_encoding) {
    std::string_view v = trim(ce);
    if (!v.empty() && !iequals(v, "identity"))
      return fail(ErrorCode::UnsupportedMediaType,
                  fmt::format("Content-Encoding {} is not accepted: send the body uncompressed", shown(v)));
  }
  if (!h.transfer_encoding.empty()) {
    if (!h.content_length.empty())
      return fail(ErrorCode::MalformedRequest,
                  "the request has both Content-Length and Transfer-Encoding; send one of them");
    if (h.transfer_encoding.size() != 1 || !iequals(trim(h.transfer_encoding.front()), "chunked")) {
      std::string all;
      for (const auto& te : h.transfer_encoding) all += (all.empty() ? "" : ", ") + std::string(trim(te));
      return fail(
          ErrorCode::NotImplemented,
          fmt::format("Transfer-Encoding {} is not supported: send Content-Length, or chunked alone", shown(all)));
    }
    return Framing{Framing::Kind::Chunked, 0};
  }
  if (h.content_length.empty()) return Framing{};
  std::string_view first = trim(h.content_length.front());
  for (const auto& cl : h.content_length) {
    std::string_view v = trim(cl);
    if (v.empty() || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return fail(ErrorCode::MalformedRequest,
                  fmt::format("Content-Length {} is not a number of bytes (decimal digits only)", shown(v)));
    if (v != first) return fail(ErrorCode::MalformedRequest, "the request has two different Content-Length values");
  }
  std::string_view digits = first;
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  std::uint64_t length = 0;
  bool too_large = digits.size() > 19;  // more than any uint64 holds
  for (char c : too_large ? std::string_view{} : digits) length = length * 10 + static_cast<std::uint64_t>(c - '0');
  if (too_large || length > max_body)
    return fail(ErrorCode::PayloadTooLarge,
                fmt::format("the request body ({} bytes) is larger than {}", shown(digits), mib(max_body)));
  return Framing{Framing::Kind::Length, length};
}

ChunkedDecoder::ChunkedDecoder(std::uint64_t max_body, std::uint64_t max_framing)
    : max_body_(max_body), max_framing_(max_framing) {}

Result<std::size_t> ChunkedDecoder::fail_with(Error e) {
  state_ = State::Failed;
  error_ = e;
  return std::unexpected(std::move(e));
}

// A complete line (CRLF stripped) in state Size or Trailer.
Result<> ChunkedDecoder::end_of_line(std::string_view line) {
  if (state_ == State::Trailer) {
    if (line.empty()) state_ = State::Done;
    return {};
  }
  std::size_t digits = 0;
  while (digits < line.size() && std::isxdigit(static_cast<unsigned char>(line[digits]))) ++digits;
  std::string_view rest = trim(line.substr(digits));
  if (digits == 0 || (!rest.empty() && rest.front() != ';'))
    return fail(ErrorCode::MalformedRequest,
                fmt::format("chunk size {} is not a hexadecimal number of bytes", shown(line)));
  std::size_t zeros = 0;
  while (zeros + 1 < digits && line[zeros] == '0') ++zeros;
  if (digits - zeros > 16)
    return fail(ErrorCode::PayloadTooLarge, fmt::format("a chunk is larger than {}", mib(max_body_)));
  std::uint64_t size = 0;
  for (char c : line.substr(0, digits)) {
    auto u = static_cast<unsigned char>(std::tolower(static_cast<unsigned char>(c)));
    size = size * 16 + static_cast<std::uint64_t>(u <= '9' ? u - '0' : u - 'a' + 10);
  }
  if (size > max_body_ - decoded_)
    return fail(ErrorCode::PayloadTooLarge, fmt::format("the request body is larger than {}", mib(max_body_)));
  if (size == 0) {
    state_ = State::Trailer;
  } else {
    remaining_ = size;
    state_ = State::Data;
  }
  return {};
}

Result<std::size_t> ChunkedDecoder::feed(std::string_view in, std::string& body) {
  std::size_t used = 0;
  while (used < in.size()) {
    switch (state_) {
      case State::Done: return used;
      case State::Failed: return std::unexpected(error_);
      case State::Data: {
        auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size() - used));
        body.append(in.data() + used, n);
        used += n;
        remaining_ -= n;
        decoded_ += n;
        if (remaining_ == 0) state_ = State::DataEnd;
        break;
      }
      case State::DataEnd:
      case State::Size:
      case State::Trailer: {
        char c = in[used++];
        if (++framing_ > max_framing_)
          return fail_with(Error{ErrorCode::PayloadTooLarge,
                                 fmt::format("the chunked body's framing is larger than {}", mib(max_framing_)),
                                 {},
                                 0});
        if (state_ == State::DataEnd) {
          // Exactly CRLF after each chunk's data.
          if (c != (line_.empty() ? '\r' : '\n'))
            return fail_with(Error{ErrorCode::MalformedRequest,
                                   "a chunk's data is not followed by CRLF (is the chunk longer than its size?)",
                                   {},
                                   0});
          if (line_.empty()) {
            line_ = "\r";
          } else {
            line_.clear();
            state_ = State::Size;
          }
          break;
        }
        if (c != '\n') {
          if (line_.size() >= kMaxLine)
            return fail_with(Error{ErrorCode::MalformedRequest,
                                   fmt::format("a chunk-size or trailer line is longer than {} bytes", kMaxLine),
                                   {},
                                   0});
          line_ += c;
          break;
        }
        if (line_.empty() || line_.back() != '\r')
          return fail_with(
              Error{ErrorCode::MalformedRequest, "a chunk-size or trailer line does not end with CRLF", {}, 0});
        line_.pop_back();
        std::string line = std::move(line_);
        line_.clear();
        if (auto r = end_of_line(line); !r) return fail_with(r.error());
        break;
      }
    }
  }
  if (state_ == State::Failed) return std::unexpected(error_);
  return used;
}

}  // namespace cpshare::front_door
