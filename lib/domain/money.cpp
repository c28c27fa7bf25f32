#include "domain/money.hpp"

namespace cpshare::money {

std::string format_yuan(std::int64_t fen) {
  // The magnitude as unsigned, so that INT64_MIN has one too.
  const std::uint64_t u = fen < 0 ? 0 - static_cast<std::uint64_t>(fen) : static_cast<std::uint64_t>(fen);
  const std::uint64_t cents = u % 100;
  return (fen < 0 ? "-" : "") + std::to_string(u / 100) + (cents < 10 ? ".0" : ".") + std::to_string(cents);
}

}  // namespace cpshare::money
