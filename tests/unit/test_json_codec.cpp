// The metrics store's JSON codec (store/json_codec.hpp): zstd against a fixed
// dictionary, one codec byte in front; and the store reading rows written
// before packing (TEXT) alongside packed ones.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include "store/json_codec.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"

using namespace cpshare;

namespace {

// A host sample as the agent sends one (8 GPUs), as compact JSON.
std::string eight_gpu_sample(int seq) {
  nlohmann::json gpus = nlohmann::json::array();
  for (int i = 0; i < 8; ++i)
    gpus.push_back({{"uuid", fmt::format("GPU-{:08x}-0000-4000-8000-{:012x}", 0xbe0c0000 + i, i)},
                    {"index", i},
                    {"name", "NVIDIA H100 80GB HBM3"},
                    {"lost", false},
                    {"utilization_ratio", (seq * 7 + i) % 100 / 100.0},
                    {"memory_utilization_ratio", 0.4},
                    {"memory_used_bytes", 40000000000LL + seq},
                    {"memory_total_bytes", 85899345920LL},
                    {"temperature_celsius", 60.0 + i},
                    {"power_watts", 250.5 + i},
                    {"power_limit_watts", 700.0},
                    {"voltage_volts", nullptr}});
  nlohmann::json s = {{"at", "2026-12-05T09:30:00Z"},
                      {"cpu", {{"cpus", 96}, {"user", 0.5}, {"system", 0.1}, {"idle", 0.4}, {"load1", 12.5}}},
                      {"memory", {{"total_bytes", 1099511627776LL}, {"available_bytes", 549755813888LL - seq}}},
                      {"mounts", nlohmann::json::array()},
                      {"interfaces", nlohmann::json::array()},
                      {"sensors", nlohmann::json::array()},
                      {"gpu_source", "nvml"},
                      {"gpu_error", nullptr},
                      {"gpus", gpus},
                      {"network", {{"probes", 3}, {"latency_seconds", 0.002}, {"loss_ratio", 0.0}}}};
  return s.dump();
}

}  // namespace

TEST_CASE("json codec: a sample packs small and unpacks to the same text", "[metrics]") {
  const std::string json = eight_gpu_sample(1);
  const auto packed = json_codec::pack(json).value();
  CHECK(static_cast<std::uint8_t>(packed[0]) == json_codec::kZstdDictionaryV1);
  CHECK(packed.size() * 4 < json.size());  // the dictionary holds the keys: well under a quarter
  CHECK(json_codec::unpack(packed, "sample").value() == json);
  CHECK(json_codec::unpack(json_codec::pack("").value(), "empty").value().empty());
}

TEST_CASE("json codec: an unknown codec or a damaged frame is an error naming the row, never a wrong text",
          "[metrics]") {
  auto packed = json_codec::pack(eight_gpu_sample(2)).value();
  auto unknown = packed;
  unknown[0] = 9;
  auto r = json_codec::unpack(unknown, "sample of cluster 4 at 1000");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::Internal);
  CHECK_THAT(r.error().message, Catch::Contains("sample of cluster 4 at 1000: unknown codec 9"));
  CHECK_FALSE(json_codec::unpack(packed.substr(0, packed.size() / 2), "sample"));
  auto flipped = packed;
  flipped[packed.size() - 3] = static_cast<char>(flipped[packed.size() - 3] ^ 0x55);
  auto f = json_codec::unpack(flipped, "sample");
  if (f) CHECK(*f != eight_gpu_sample(2));  // zstd's checksum is off by default: at least never the same text
  CHECK_FALSE(json_codec::unpack("", "sample"));
}

TEST_CASE("metrics store: samples and rollups are stored packed; rows from before packing still read", "[metrics]") {
  cpshare::testing::TempDir dir;
  auto store = Store::open(dir.path / "db.sqlite").value();
  catalog::Cluster c;
  c.cpc_id = "CPC-Z";
  c.cluster_class = 'B';
  c.resource_type = "GPU";
  c.model = "H100";
  c.units = c.units_free = 8;
  c.platform_url = "https://platform.example.org";
  c.owner_id = cpshare::testing::insert_caller(*store, SystemClock{}, "sup", Role::Supplier).account.id;
  const auto id = store->catalog().insert(c).value();
  const std::string s1 = eight_gpu_sample(1), s2 = eight_gpu_sample(2);
  REQUIRE(store->atomically([&]() -> Result<> {
    TRY(store->metrics().insert_samples(id, {{1000, s1}}));
    return store->metrics().put_rollup(id, {960, 1, R"({"cpu.user":{"min":0.5,"mean":0.5,"max":0.5,"n":1}})", false});
  }));
  {
    // As a daemon before packing wrote them: TEXT.
    SQLite::Database db((dir.path / "db.sqlite").string(), SQLite::OPEN_READWRITE);
    SQLite::Statement ins(db, "INSERT INTO metrics_samples (cluster_id, at, sample) VALUES (?, 1010, ?)");
    ins.bind(1, static_cast<int64_t>(id));
    ins.bind(2, s2);
    ins.exec();
    CHECK(db.execAndGet("SELECT typeof(sample) FROM metrics_samples WHERE at = 1000").getString() == "blob");
    CHECK(db.execAndGet("SELECT typeof(readings) FROM metrics_rollups").getString() == "blob");
    CHECK(db.execAndGet("SELECT length(sample) FROM metrics_samples WHERE at = 1000").getInt() * 4 <
          static_cast<int>(s1.size()));
  }
  const auto rows = store->metrics().samples(id, 0, 2000, 10).value();
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].sample == s1);
  CHECK(rows[1].sample == s2);
  const auto roll = store->metrics().rollup(id, 960).value();
  REQUIRE(roll);
  CHECK(roll->readings == R"({"cpu.user":{"min":0.5,"mean":0.5,"max":0.5,"n":1}})");
}
