// The Prometheus text format of a cluster's latest readings (issue 11, Build
// point 7). The readings are shaped as ../shared/fixtures/nvidia-smi/
// h200-mig.csv and gpu-lost.csv give them (the fixtures stand in for the
// hardware); `contract: prometheus text` runs promtool over the same output.
#include <catch2/catch.hpp>

#include <limits>

#include "prometheus_sample.hpp"
#include "service/prometheus.hpp"

using namespace cpshare;
using Catch::Contains;

TEST_CASE("absent readings are left out, a lost GPU is only lost, a source error has no GPU series", "[R-MON-2]") {
  const std::string text = testing::prometheus_sample_text();
  // The MIG GPU has no utilisation: no series, not 0.
  CHECK_THAT(text, Contains("cpshare_gpu_temperature_celsius{cluster=\"cp-7k2m9x4qvd\",gpu=\"GPU-1a2b0000-0000-4000-"
                            "8000-000000000000\",name=\"NVIDIA H200\"} 47"));
  CHECK_THAT(text, !Contains("cpshare_gpu_utilization_ratio{cluster=\"cp-7k2m9x4qvd\""));
  CHECK_THAT(text, Contains("cpshare_gpu_power_watts{cluster=\"cp-7k2m9x4qvd\",gpu=\"GPU-1a2b0000-0000-4000-8000-"
                            "000000000000\",name=\"NVIDIA H200\"} 295.01"));
  // The lost GPU of the second cluster: lost 1 and nothing else about it.
  CHECK_THAT(text, Contains("cpshare_gpu_lost{cluster=\"cp-3x9y7w2zq4\",gpu=\"GPU-7a8b0003-0000-4000-8000-"
                            "000000000003\"} 1"));
  CHECK_THAT(text, !Contains("gpu=\"GPU-7a8b0003-0000-4000-8000-000000000003\"} 0"));
  CHECK_THAT(text, !Contains("cpshare_gpu_temperature_celsius{cluster=\"cp-3x9y7w2zq4\",gpu=\"GPU-7a8b0003"));
  // The third cluster's source failed: the error, no GPU series.
  CHECK_THAT(text, Contains("cpshare_gpu_source_error{cluster=\"cp-9q2w4e6r8t\",code=\"driver_not_loaded\"} 1"));
  CHECK_THAT(text, !Contains("cpshare_gpu_lost{cluster=\"cp-9q2w4e6r8t\""));
  // Counters end in _total and are typed counter; each family appears once, contiguous.
  CHECK_THAT(text, Contains("# TYPE cpshare_node_network_receive_bytes_total counter\n"));
  std::size_t at = 0, families = 0;
  while ((at = text.find("# TYPE cpshare_gpu_lost ", at)) != std::string::npos) ++families, ++at;
  CHECK(families == 1);
}

TEST_CASE("label values and help text are escaped as the format says") {
  prometheus::Exposition e;
  e.family("x_ratio", prometheus::Type::Gauge, "a \\ help\nline");
  e.sample("x_ratio", {{"l", "a\"b\\c\nd"}}, 0.5);
  e.sample("x_ratio", {}, std::numeric_limits<double>::infinity());
  CHECK(e.text() ==
        "# HELP x_ratio a \\\\ help\\nline\n# TYPE x_ratio gauge\nx_ratio{l=\"a\\\"b\\\\c\\nd\"} 0.5\n"
        "x_ratio +Inf\n");
}
