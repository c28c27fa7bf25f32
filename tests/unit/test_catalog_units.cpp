#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

#include "catalog/units.hpp"

namespace catalog = cpshare::catalog;

namespace {

bool has(const std::string& message, std::string_view part) { return message.find(part) != std::string::npos; }

// The error message of a failed parse ("" when it succeeded, so a CHECK on has() fails).
template <class T>
std::string error_of(const cpshare::Result<T>& r) {
  if (r) return "";
  CHECK(r.error().code == cpshare::ErrorCode::ValidationFailed);
  return r.error().message;
}

constexpr std::int64_t KiB = 1024, MiB = KiB * 1024, GiB = MiB * 1024, TiB = GiB * 1024;

}  // namespace

// ---- sizes ----------------------------------------------------------------------------------

TEST_CASE("parse_size reads the issue's sizes exactly", "[R-CL-1]") {
  CHECK(catalog::parse_size("80GB") == 80'000'000'000);
  CHECK(catalog::parse_size("1TB") == 1'000'000'000'000);
  CHECK(catalog::parse_size("3.84TB") == 3'840'000'000'000);
  CHECK(catalog::parse_size("480GB") == 480'000'000'000);
  CHECK(catalog::parse_size("512MiB") == 512 * MiB);
  CHECK(catalog::parse_size("1.5 TiB") == 3 * TiB / 2);
  CHECK(catalog::parse_size("1024") == 1024);
}

TEST_CASE("parse_size: units are case-insensitive, spaces around are ignored", "[R-CL-1]") {
  CHECK(catalog::parse_size("80gb") == 80'000'000'000);
  CHECK(catalog::parse_size("80Gb") == 80'000'000'000);
  CHECK(catalog::parse_size("512mib") == 512 * MiB);
  CHECK(catalog::parse_size("1.5 tib") == 3 * TiB / 2);
  CHECK(catalog::parse_size("  80 GB  ") == 80'000'000'000);
  CHECK(catalog::parse_size("7B") == 7);
  CHECK(catalog::parse_size("1 kb") == 1000);
  CHECK(catalog::parse_size("1PB") == 1'000'000'000'000'000);
  CHECK(catalog::parse_size("1PiB") == std::int64_t{1} << 50);
  CHECK(catalog::parse_size("2GiB") == 2 * GiB);
  CHECK(catalog::parse_size("0") == 0);
}

TEST_CASE("parse_size: fractions are exact, down to the byte", "[R-CL-1]") {
  CHECK(catalog::parse_size("0.5KiB") == 512);
  CHECK(catalog::parse_size("0.0009765625KiB") == 1);  // 1/1024 KiB, exact in decimal
  CHECK(catalog::parse_size("3.840TB") == 3'840'000'000'000);
  CHECK(catalog::parse_size("0.001KB") == 1);
  CHECK(catalog::parse_size("1.000000000000000000000TB") == 1'000'000'000'000);  // zeros are not precision
  CHECK(catalog::parse_size("007GB") == 7'000'000'000);
}

TEST_CASE("parse_size refuses sizes that are not a whole number of bytes", "[R-CL-1]") {
  for (std::string_view s : {"1.5", "0.1B", "0.0001KB", "1.0000000001KB", "0.3KiB"}) {
    INFO(s);
    CHECK(has(error_of(catalog::parse_size(s)), "not a whole number of bytes"));
  }
}

TEST_CASE("parse_size refuses negatives and sizes above 2^62", "[R-CL-1]") {
  CHECK(has(error_of(catalog::parse_size("-1GB")), "cannot be negative"));
  CHECK(has(error_of(catalog::parse_size("-0")), "cannot be negative"));
  CHECK(catalog::parse_size("4611686018427387904") == catalog::kMaxBytes);
  CHECK(catalog::parse_size("4096PiB") == catalog::kMaxBytes);
  CHECK(catalog::parse_size("4611.686018427387904PB") == catalog::kMaxBytes);
  for (std::string_view s :
       {"4611686018427387905", "5000PB", "4097PiB", "99999999999999999999999999GB", "4611.686018427387905PB"}) {
    INFO(s);
    CHECK(has(error_of(catalog::parse_size(s)), "too large"));
  }
}

TEST_CASE("parse_size errors say what a valid size looks like", "[R-CL-1]") {
  for (std::string_view s : {"", "GB", "abc", "1.GB", ".5GB", "1,5GB", "1 2GB", "1e3", "80 GB ssd", "+1GB"}) {
    INFO(s);
    const std::string m = error_of(catalog::parse_size(s));
    CHECK(has(m, "80GB"));
    CHECK(has(m, "512MiB"));
  }
  const std::string m = error_of(catalog::parse_size("80XB"));
  CHECK(has(m, "unknown unit 'XB'"));
  CHECK(has(m, "KiB"));
  CHECK(has(m, "GB"));
  CHECK(has(error_of(catalog::parse_size("1 T")), "unknown unit 'T'"));
}

TEST_CASE("parse_size does not echo an unbounded input", "[R-CL-1]") {
  const std::string huge(10'000, 'x');
  CHECK(error_of(catalog::parse_size("1" + huge)).size() < 500);
}

TEST_CASE("format_size: decimal units, at most 2 decimals, no trailing zeros", "[R-CL-1]") {
  CHECK(catalog::format_size(80'000'000'000) == "80 GB");
  CHECK(catalog::format_size(3'840'000'000'000) == "3.84 TB");
  CHECK(catalog::format_size(480'000'000'000) == "480 GB");
  CHECK(catalog::format_size(8'160'000'000'000) == "8.16 TB");
  CHECK(catalog::format_size(1'500) == "1.5 KB");
  CHECK(catalog::format_size(0) == "0 B");
  CHECK(catalog::format_size(999) == "999 B");
  CHECK(catalog::format_size(1'000) == "1 KB");
  CHECK(catalog::format_size(1'234'567) == "1.23 MB");
  CHECK(catalog::format_size(1'235'000) == "1.24 MB");     // half up
  CHECK(catalog::format_size(999'995'000'000) == "1 TB");  // 999.995 GB rounds into the next unit
  CHECK(catalog::format_size(999'994'999'999) == "999.99 GB");
  CHECK(catalog::format_size(512 * MiB) == "536.87 MB");
  CHECK(catalog::format_size(catalog::kMaxBytes) == "4.61 EB");
  CHECK(catalog::format_size(std::numeric_limits<std::int64_t>::max()) == "9.22 EB");
  CHECK(catalog::format_size(-1'500) == "-1.5 KB");
  CHECK(catalog::format_size(std::numeric_limits<std::int64_t>::min()) == "-9.22 EB");
}

// ---- money ----------------------------------------------------------------------------------

TEST_CASE("parse_yuan reads prices with up to two decimals as fen", "[R-CL-1]") {
  CHECK(catalog::parse_yuan("12.50") == 1250);
  CHECK(catalog::parse_yuan("12.5") == 1250);
  CHECK(catalog::parse_yuan("12") == 1200);
  CHECK(catalog::parse_yuan("0.01") == 1);
  CHECK(catalog::parse_yuan("0") == 0);
  CHECK(catalog::parse_yuan(" 7.05 ") == 705);
  CHECK(catalog::parse_yuan("0012.30") == 1230);
  CHECK(catalog::parse_yuan("1000000000000") == catalog::kMaxFen);
}

TEST_CASE("parse_yuan refuses negatives, extra decimals, garbage and absurd amounts", "[R-CL-1]") {
  CHECK(has(error_of(catalog::parse_yuan("-1")), "cannot be negative"));
  CHECK(has(error_of(catalog::parse_yuan("-0.01")), "cannot be negative"));
  CHECK(has(error_of(catalog::parse_yuan("12.345")), "more than 2 decimals"));
  CHECK(has(error_of(catalog::parse_yuan("12.500")), "more than 2 decimals"));
  for (std::string_view s : {"", "abc", "12.", ".5", "1,000", "¥12", "+12", "1e3", "12.5.0", "12 yuan", "1 2"}) {
    INFO(s);
    CHECK(has(error_of(catalog::parse_yuan(s)), "e.g. 12.50"));
  }
  for (std::string_view s : {"1000000000000.01", "1000000000001", "99999999999999999999999"}) {
    INFO(s);
    CHECK(has(error_of(catalog::parse_yuan(s)), "too large"));
  }
}

TEST_CASE("format_yuan writes fen as yuan with two decimals", "[R-CL-1]") {
  CHECK(catalog::format_yuan(1250) == "12.50");
  CHECK(catalog::format_yuan(1) == "0.01");
  CHECK(catalog::format_yuan(0) == "0.00");
  CHECK(catalog::format_yuan(1200) == "12.00");
  CHECK(catalog::format_yuan(catalog::kMaxFen) == "1000000000000.00");
  CHECK(catalog::format_yuan(-50) == "-0.50");
  CHECK(catalog::format_yuan(std::numeric_limits<std::int64_t>::min()) == "-92233720368547758.08");
  for (std::int64_t fen : std::initializer_list<std::int64_t>{0, 1, 9, 10, 99, 100, 1250, 123456789, 100000000000000}) {
    INFO(fen);
    CHECK(catalog::parse_yuan(catalog::format_yuan(fen)) == fen);
  }
}

// ---- storage --------------------------------------------------------------------------------

TEST_CASE("parse_storage reads the issue's storage description", "[R-CL-1]") {
  auto s = catalog::parse_storage("2x3.84TB nvme data, 480GB ssd system");
  REQUIRE(s);
  REQUIRE(s->items.size() == 2);
  CHECK(s->items[0].count == 2);
  CHECK(s->items[0].size_bytes == 3'840'000'000'000);
  CHECK(s->items[0].words == "nvme data");
  CHECK(s->items[1].count == 1);
  CHECK(s->items[1].size_bytes == 480'000'000'000);
  CHECK(s->items[1].words == "ssd system");
  CHECK(s->total_bytes == 8'160'000'000'000);
  CHECK(s->description == "2x3.84TB nvme data, 480GB ssd system");
}

TEST_CASE("parse_storage accepts the usual ways of writing it and normalises them", "[R-CL-1]") {
  struct Case {
    std::string_view in, description;
    std::int64_t total;
  };
  for (const auto& c : {
           Case{"2*3.84TB SSD data + 480GB system", "2x3.84TB SSD data, 480GB system", 8'160'000'000'000},
           Case{"2 × 3.84 tb  nvme   data，480gb 系统盘", "2x3.84TB nvme data, 480GB 系统盘", 8'160'000'000'000},
           Case{"1x480GB", "480GB", 480'000'000'000},
           Case{"4X1.920TB", "4x1.92TB", 7'680'000'000'000},
           Case{"1TB", "1TB", 1'000'000'000'000},
           Case{"  8 x 512 GiB nvme  ", "8x512GiB nvme", 8 * 512 * GiB},
           Case{"2x1TB+2x1TB", "2x1TB, 2x1TB", 4'000'000'000'000},
           Case{"1.5TiB raid-10 (hw)", "1.5TiB raid-10 (hw)", 3 * TiB / 2},
       }) {
    INFO(c.in);
    auto s = catalog::parse_storage(c.in);
    REQUIRE(s);
    CHECK(s->description == c.description);
    CHECK(s->total_bytes == c.total);
    // The normalised form reads back the same.
    auto again = catalog::parse_storage(s->description);
    REQUIRE(again);
    CHECK(again->description == s->description);
    CHECK(again->total_bytes == s->total_bytes);
  }
}

TEST_CASE("parse_storage names the offending item and says what is wrong", "[R-CL-1]") {
  struct Case {
    std::string_view in, item, problem;
  };
  for (const auto& c : {
           Case{"2x3.84TB nvme data, 480XB ssd", "item 2 '480XB ssd'", "unknown unit 'XB'"},
           Case{"480 ssd", "item 1 '480 ssd'", "unknown unit 'ssd'"},
           Case{"2x480", "item 1 '2x480'", "needs a unit"},
           Case{"1TB, 2x", "item 2 '2x'", "expected a size after '2x'"},
           Case{"0x1TB", "item 1", "count before 'x' must be a whole number from 1 to 1024"},
           Case{"1.5x1TB", "item 1", "whole number"},
           Case{"1025x1TB", "item 1", "from 1 to 1024"},
           Case{"-1TB", "item 1", "cannot be negative"},
           Case{"0GB ssd", "item 1", "greater than zero"},
           Case{"1TBnvme", "item 1", "unknown unit 'TBnvme'"},
           Case{"3.84TB/nvme", "item 1", "put a space"},
           Case{"1.5B", "item 1", "whole number of bytes"},
           Case{"nvme 1TB", "item 1 'nvme 1TB'", "must start with a size"},
           Case{"1TB,,2TB", "item 2 is empty", "separate items"},
           Case{"1TB,", "item 2 is empty", "e.g. '2x3.84TB nvme data, 480GB ssd system'"},
           Case{"1. TB", "item 1", "needs digits after the decimal point"},
       }) {
    INFO(c.in);
    const std::string m = error_of(catalog::parse_storage(c.in));
    CHECK(has(m, c.item));
    CHECK(has(m, c.problem));
  }
  CHECK(has(error_of(catalog::parse_storage("")), "e.g. '2x3.84TB nvme data, 480GB ssd system'"));
  CHECK(has(error_of(catalog::parse_storage("1000x5PB")), "too large"));
  std::string many;
  for (int i = 0; i < 33; ++i) many += "1TB,";
  many += "1TB";
  CHECK(has(error_of(catalog::parse_storage(many)), "at most 32"));
  CHECK(has(error_of(catalog::parse_storage("1TB " + std::string(65, 'w'))), "at most 64 characters"));
  CHECK(has(error_of(catalog::parse_storage("1TB a\x01")), "control characters"));
}

// ---- versions -------------------------------------------------------------------------------

TEST_CASE("version_key pads each component so versions sort as text", "[R-CL-1]") {
  CHECK(catalog::version_key("12.4") == "0012.0004");
  CHECK(catalog::version_key("11.8.0") == "0011.0008.0000");
  CHECK(catalog::version_key("9.1.0.70") == "0009.0001.0000.0070");
  CHECK(catalog::version_key("3") == "0003");
  CHECK(catalog::version_key(" 12.4 ") == "0012.0004");
  CHECK(catalog::version_key("012.04") == "0012.0004");
  CHECK(*catalog::version_key("12.10") > *catalog::version_key("12.4"));
  CHECK(*catalog::version_key("12.4") > *catalog::version_key("11.8.0"));
  CHECK(*catalog::version_key("12.4.1") > *catalog::version_key("12.4"));
  CHECK(*catalog::version_key("12.4.0") >= *catalog::version_key("12.4"));
}

TEST_CASE("version_key refuses non-numeric components", "[R-CL-1]") {
  for (std::string_view v : {"12.x", "v12.4", "12..4", ".4", "12.", "", "1.2.3.4.5", "-1", "12.4-rc1", "12 4"}) {
    INFO(v);
    CHECK(has(error_of(catalog::version_key(v)), "e.g. 12.4 or 11.8.0"));
  }
  CHECK(has(error_of(catalog::version_key("12.10000")), "at most 9999"));
}
