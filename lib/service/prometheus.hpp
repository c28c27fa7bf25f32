// The Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/), for
// `GET /metrics` (issue 11, Build point 7), and the names cpshare gives a
// cluster's latest readings: Prometheus' conventions (snake case, the
// cpshare_ prefix, base units in the name: _ratio, _bytes, _celsius, _watts,
// _volts, _seconds; counters end in _total). A reading that is absent is left
// out: a series that is missing is "unknown", a 0 would be a lie.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/metrics.hpp"

namespace cpshare::prometheus {

using Labels = std::vector<std::pair<std::string, std::string>>;

enum class Type { Gauge, Counter };

// Families in the order first added, each with its samples together (the
// format requires a family's lines to be contiguous).
class Exposition {
 public:
  // Declares a family (again: no-op). name matches [a-zA-Z_:][a-zA-Z0-9_:]*.
  void family(std::string_view name, Type type, std::string_view help);
  // A sample of a declared family; the family is declared as a gauge with no
  // help when it was not. Non-finite values are written as NaN, +Inf, -Inf.
  void sample(std::string_view name, const Labels& labels, double value);
  // The text, "\n"-terminated lines; Content-Type "text/plain; version=0.0.4".
  std::string text() const;

 private:
  struct Family {
    std::string name, help;
    Type type = Type::Gauge;
    std::vector<std::string> lines;
  };
  Family& find_or_add(std::string_view name);
  std::vector<Family> families_;
};

// A label value as the format quotes it: \ " and newline escaped.
std::string escape_label_value(std::string_view v);

// Declares every family add_host_sample may use, with its help text.
void declare_host_families(Exposition& out);
// One cluster's latest reading as samples labelled cluster="<cpc_id>" (GPUs
// also gpu="<uuid>", name; interfaces device; mounts mountpoint; sensors
// chip, sensor; CPU mode). Absent readings are left out; a lost GPU gives only
// cpshare_gpu_lost 1; a GPU source error gives cpshare_gpu_source_error 1 with
// its code and no GPU series.
void add_host_sample(Exposition& out, std::string_view cpc_id, const api::HostSample& s);

}  // namespace cpshare::prometheus
