// How metrics_samples.sample and metrics_rollups.readings are kept (issue 11,
// docs/design/monitoring.md "Storage"): a JSON text compressed with zstd
// (Debian's libzstd) against a fixed dictionary, stored as a BLOB of one codec
// byte followed by one zstd frame. An 8-GPU host sample of about 5 KB of JSON
// keeps about 450 bytes; its minute rollup about 1 KB. Rows written before
// (TEXT) are read as they are. The store packs on write and unpacks on read;
// nothing above it sees the encoding.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace SQLite {
class Column;
}

namespace cpshare::json_codec {

// Codec 1: zstd level 1 with kDictionaryV1 as raw-content dictionary. Its
// bytes are part of the format: a changed dictionary is a new codec byte, and
// codec 1 stays readable.
inline constexpr std::uint8_t kZstdDictionaryV1 = 1;

// The packed form of `json` (codec byte + frame); INTERNAL only when zstd
// cannot allocate its context.
Result<std::string> pack(std::string_view json);
// The JSON text of a packed value; INTERNAL naming `what` when the codec is
// unknown or the frame is damaged, or the text would exceed 64 MiB.
Result<std::string> unpack(std::string_view packed, std::string_view what);
// A sample's or rollup's column: a BLOB is packed, TEXT was written before
// packing and is the JSON itself.
Result<std::string> column_json(const SQLite::Column& c, std::string_view what);

}  // namespace cpshare::json_codec
