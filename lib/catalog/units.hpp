// Human units of the catalogue, parsed and formatted exactly (integers only, never floating
// point): sizes in bytes, money in fen (1 yuan = 100 fen), local-storage descriptions and
// sortable version keys. Parse errors are VALIDATION_FAILED with no fields; the message says
// what a valid value looks like, and the caller names the field.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/money.hpp"
#include "util/error.hpp"

namespace cpshare::catalog {

// The largest size accepted anywhere: 2^62 bytes (about 4.6 EB).
inline constexpr std::int64_t kMaxBytes = std::int64_t{1} << 62;
// The largest amount of money accepted: 10^12 yuan, in fen.
inline constexpr std::int64_t kMaxFen = std::int64_t{100'000'000'000'000};

// "80GB", "3.84TB", "512MiB", "1.5 TiB", "1024" → bytes. KB/MB/GB/TB/PB are powers of 1000,
// KiB/MiB/GiB/TiB/PiB powers of 1024, B or no unit means bytes; units are case-insensitive.
// Rejects negatives, values above kMaxBytes and values that are not a whole number of bytes.
Result<std::int64_t> parse_size(std::string_view text);
// Bytes for tables: decimal units, at most 2 decimals, no trailing zeros ("80 GB", "3.84 TB",
// "512 B"). Rounded half up; not exact (use the integer for that).
std::string format_size(std::int64_t bytes);

// "12.50", "12.5", "12", "0.01" → fen. At most 2 decimals; rejects negatives, signs,
// separators, currency symbols and amounts above 10^12 yuan.
Result<std::int64_t> parse_yuan(std::string_view text);
// fen → "12.50": the platform's one yuan formatter (domain/money.hpp).
using money::format_yuan;

// Local storage, as published: items separated by ',', '，' or '+', each
// `[N x|X|*|×] SIZE [words…]` where SIZE needs a unit and the words say what it is
// ("nvme data", "系统盘"). "2x3.84TB nvme data + 480GB ssd system".
struct StorageItem {
  std::int64_t count = 1;       // 1..kMaxStorageCount
  std::int64_t size_bytes = 0;  // of one device, > 0
  std::string words;            // whitespace collapsed; may be empty
};
struct Storage {
  std::vector<StorageItem> items;
  std::int64_t total_bytes = 0;  // sum of count × size_bytes, ≤ kMaxBytes
  // Normalised: "2x3.84TB nvme data, 480GB ssd system" (counts of 1 dropped, the size as
  // written but with canonical unit spelling and no redundant zeros). parse_storage of it
  // gives the same Storage.
  std::string description;
};
inline constexpr std::int64_t kMaxStorageCount = 1024;
inline constexpr std::size_t kMaxStorageItems = 32;
inline constexpr std::size_t kMaxStorageWords = 64;  // characters per item
// Errors name the offending item: "item 2 '480XB ssd': unknown unit 'XB'; …".
Result<Storage> parse_storage(std::string_view text);

// A version as a key that sorts as the version does: each numeric component zero-padded to
// 4 digits, joined by '.' ("12.4" → "0012.0004", "11.8.0" → "0011.0008.0000"). 1 to 4
// components of at most 4 digits each (value ≤ 9999).
Result<std::string> version_key(std::string_view version);

}  // namespace cpshare::catalog
