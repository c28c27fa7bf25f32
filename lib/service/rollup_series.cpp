#include "service/rollup_series.hpp"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

namespace cpshare::metrics {

// The SAX reader of one stored rollup: depth 1 names a reading, depth 2 its
// stats; a reading is written to its column at the end of its object, when
// min, mean and max are all numbers.
struct SeriesSax : nlohmann::json_sax<nlohmann::json> {
  RollupSeriesBuilder& b;
  std::int64_t samples;
  int depth = 0;
  std::string reading, stat;
  std::optional<double> min, mean, max;
  std::optional<std::int64_t> n;
  bool good = true;

  SeriesSax(RollupSeriesBuilder& builder, std::int64_t bucket_samples) : b(builder), samples(bucket_samples) {}

  bool value(double v) {
    if (depth != 2) return true;
    if (stat == "min")
      min = v;
    else if (stat == "mean")
      mean = v;
    else if (stat == "max")
      max = v;
    else if (stat == "n")
      n = static_cast<std::int64_t>(v);
    return true;
  }
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t v) override { return value(static_cast<double>(v)); }
  bool number_unsigned(number_unsigned_t v) override { return value(static_cast<double>(v)); }
  bool number_float(number_float_t v, const string_t&) override { return value(v); }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    ++depth;
    if (depth == 2) min = mean = max = std::nullopt, n = std::nullopt;
    return true;
  }
  bool end_object() override {
    if (depth == 2 && min && mean && max) {
      const std::int64_t count = n.value_or(samples);
      if (count > 0) {
        api::ReadingSeries& s = b.slot(reading);
        const std::size_t i = b.out_.size() - 1;
        s.min[i] = min;
        s.mean[i] = mean;
        s.max[i] = max;
        s.n[i] = count;
      }
    }
    --depth;
    return true;
  }
  bool start_array(std::size_t) override {
    ++depth;
    return true;
  }
  bool end_array() override {
    --depth;
    return true;
  }
  bool key(string_t& k) override {
    if (depth == 1) reading = k;
    if (depth == 2) stat = k;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    good = false;
    return false;
  }
};

api::ReadingSeries& RollupSeriesBuilder::slot(const std::string& key) {
  auto [it, fresh] = index_.try_emplace(key, out_.readings.size());
  if (fresh) {
    api::ReadingSeries s;
    s.key = key;
    const std::size_t n = out_.size();
    s.min.resize(n);
    s.mean.resize(n);
    s.max.resize(n);
    s.n.resize(n);
    out_.readings.push_back(std::move(s));
  }
  return out_.readings[it->second];
}

void RollupSeriesBuilder::add(std::int64_t start, std::int64_t seconds, std::int64_t samples, std::int64_t minutes,
                              std::string_view readings) {
  out_.start.push_back({start});
  out_.seconds.push_back(seconds);
  out_.samples.push_back(samples);
  out_.minutes.push_back(minutes);
  for (api::ReadingSeries& s : out_.readings) {
    s.min.emplace_back();
    s.mean.emplace_back();
    s.max.emplace_back();
    s.n.push_back(0);
  }
  SeriesSax sax(*this, samples);
  // A stored row that does not parse keeps whatever readings came before the fault.
  (void)nlohmann::json::sax_parse(readings.begin(), readings.end(), &sax);
}

api::RollupSeries RollupSeriesBuilder::finish() && {
  std::ranges::sort(out_.readings, {}, &api::ReadingSeries::key);
  index_.clear();
  return std::move(out_);
}

}  // namespace cpshare::metrics
