// The store's rendering of a compiled catalogue filter (store/filter_sql.hpp):
// fixed SQL text with bound values (R-CL-6). Which clusters the SQL selects
// is checked against SQLite in test_filter.cpp.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "catalog/filter.hpp"
#include "store/filter_sql.hpp"

using cpshare::SqlCondition;
using cpshare::SqlParam;

namespace {

using Params = std::vector<SqlParam>;

SqlParam n(std::int64_t v) { return SqlParam{v}; }
SqlParam s(std::string v) { return SqlParam{std::move(v)}; }

SqlCondition sql(std::string_view expr) {
  auto r = cpshare::catalog::compile_filter(expr);
  INFO(expr << (r ? "" : " → " + r.error().message));
  REQUIRE(r.has_value());
  return cpshare::filter_sql(*r);
}
std::string where(std::string_view expr) { return sql(expr).where; }

std::size_t placeholders(const std::string& where) { return static_cast<std::size_t>(std::ranges::count(where, '?')); }

}  // namespace

TEST_CASE("the issue's example renders as fixed SQL with bound values", "[R-CL-6]") {
  const auto f = sql("class=A units_free>=4 model~A100 price_hourly<=30 location=深圳市");
  CHECK(f.where ==
        "class = ? AND units_free >= ? AND model LIKE ? ESCAPE '!' AND price_hourly <= ? "
        "AND location COLLATE NOCASE = ?");
  CHECK(f.params == Params{s("A"), n(4), s("%A100%"), n(3000), s("深圳市")});
}

TEST_CASE("a filter without terms renders as 1=1", "[R-CL-6]") {
  CHECK(where("") == "1=1");
  CHECK(sql("  ").params.empty());
  CHECK(cpshare::filter_sql(cpshare::catalog::Filter{}).where == "1=1");
}

TEST_CASE("comparisons and lists render with one placeholder per value", "[R-CL-6]") {
  CHECK(where("units=4") == "units = ?");
  CHECK(where("units!=4") == "units <> ?");
  CHECK(where("units<4") == "units < ?");
  CHECK(where("units<=4") == "units <= ?");
  CHECK(where("units>4") == "units > ?");
  CHECK(where("units>=4") == "units >= ?");
  CHECK(where("vcpus in [8,16,32]") == "vcpus IN (?, ?, ?)");
  CHECK(sql("vcpus in [8,16,32]").params == Params{n(8), n(16), n(32)});
  CHECK(where("vcpus notin [8]") == "vcpus NOT IN (?)");
  CHECK(where("model~A100") == "model LIKE ? ESCAPE '!'");
  CHECK(where("model != A100") == "model COLLATE NOCASE <> ?");
  CHECK(where("model in [A100,H100]") == "model COLLATE NOCASE IN (?, ?)");
  const auto spaced = sql("model ~ A100   units_free >= 4 class in [ a , B ] resource_type notin[cpu]");
  CHECK(spaced.where ==
        "model LIKE ? ESCAPE '!' AND units_free >= ? AND class IN (?, ?) AND "
        "resource_type NOT IN (?)");
  CHECK(spaced.params == Params{s("%A100%"), n(4), s("A"), s("B"), s("CPU")});
  CHECK(sql("memory>=1KiB storage<2TB price_daily=12.05").params == Params{n(1024), n(2'000'000'000'000), n(1205)});
}

TEST_CASE("billing renders as the presence of price columns, without parameters", "[R-CL-6]") {
  CHECK(where("billing=hourly") == "price_hourly IS NOT NULL");
  CHECK(where("billing!=yearly") == "price_yearly IS NULL");
  CHECK(where("billing in [daily,monthly]") == "(price_daily IS NOT NULL OR price_monthly IS NOT NULL)");
  CHECK(where("billing notin [daily,monthly]") == "(price_daily IS NULL AND price_monthly IS NULL)");
  CHECK(sql("billing in [daily,monthly]").params.empty());
}

TEST_CASE("framework elements render as LIKE on the comma-wrapped list", "[R-CL-6]") {
  const std::string element = "LOWER(',' || frameworks || ',') LIKE LOWER(?) ESCAPE '!'";
  const std::string not_element = "LOWER(',' || frameworks || ',') NOT LIKE LOWER(?) ESCAPE '!'";
  CHECK(where("framework=\"pytorch 2.3\"") == element);
  CHECK(sql("framework=\"pytorch 2.3\"").params == Params{s("%,pytorch 2.3,%")});
  CHECK(where("framework!=jax") == not_element);
  CHECK(where("framework~torch") == "LOWER(frameworks) LIKE LOWER(?) ESCAPE '!'");
  CHECK(sql("framework~torch").params == Params{s("%torch%")});
  CHECK(where("framework in [jax,mindspore]") == "(" + element + " OR " + element + ")");
  CHECK(where("framework notin [jax,mindspore]") == "(" + not_element + " AND " + not_element + ")");
}

TEST_CASE("cuda renders as text, or as cuda_key for a version", "[R-CL-6]") {
  CHECK(where("cuda=12.4") == "cuda = ?");
  CHECK(where("cuda!=12.4") == "(cuda IS NULL OR cuda <> ?)");
  CHECK(where("cuda~12") == "cuda LIKE ? ESCAPE '!'");
  CHECK(where("cuda>=12.4") == "cuda_key >= ?");
  CHECK(sql("cuda>=12.4").params == Params{s("0012.0004")});
  CHECK(where("cuda in [11.8,12.1]") == "cuda IN (?, ?)");
}

TEST_CASE("a negated term on a nullable column renders IS NULL OR", "[R-CL-6]") {
  CHECK(where("price_hourly!=30") == "(price_hourly IS NULL OR price_hourly <> ?)");
  CHECK(where("price_daily notin [1,2]") == "(price_daily IS NULL OR price_daily NOT IN (?, ?))");
  CHECK(where("units!=4") == "units <> ?");
}

TEST_CASE("values never reach the SQL text", "[R-CL-6]") {
  const std::vector<std::string> hostile = {
      "x' OR 1=1 --", "'; DROP TABLE clusters; --", "\" OR \"\"=\"", "100%", "a_b", "!x", "深圳') OR ('1'='1",
  };
  for (const auto& h : hostile) {
    const char q = h.find('"') == std::string::npos ? '"' : '\'';
    for (const std::string field : {"model", "location", "framework", "cuda"}) {
      for (const std::string op : {"=", "!=", "~"}) {
        const std::string expr = field + op + q + h + q;
        const auto f = sql(expr);
        INFO(expr << " → " << f.where);
        CHECK(f.where.find(h) == std::string::npos);
        CHECK(placeholders(f.where) == f.params.size());
      }
    }
    CHECK(where(std::string("vendor in [") + q + h + q + ",b]").find(h) == std::string::npos);
  }
  // ~ escapes LIKE's wildcards and the escape character itself.
  CHECK(sql("model~\"100%_!\"").params == Params{s("%100!%!_!!%")});
  CHECK(sql("framework=\"a%b\"").params == Params{s("%,a!%b,%")});
}

TEST_CASE("placeholders and parameters always agree", "[R-CL-6]") {
  for (const char* expr :
       {"class=A units_free>=4 model~A100 price_hourly<=30 location=深圳市", "billing in [hourly,daily] units>1",
        "framework in [a,b,c] cuda!=12 region notin [华南,华北]", "price_hourly notin [1,2,3]", ""}) {
    const auto f = sql(expr);
    CHECK(placeholders(f.where) == f.params.size());
  }
}

TEST_CASE("every sortable field has its own column (a B-class cluster has no nodes: NULL)", "[R-CL-6]") {
  std::vector<std::string_view> columns;
  for (auto name : cpshare::catalog::sort_fields()) {
    const auto spec = cpshare::catalog::parse_sort(name);
    REQUIRE(spec);
    CHECK(cpshare::catalog::field_name(spec->column) == name);
    columns.push_back(cpshare::column_sql(spec->column));
  }
  CHECK(columns ==
        std::vector<std::string_view>{"model", "units", "units_free", "(CASE WHEN class = 'A' THEN nodes END)",
                                      "(CASE WHEN class = 'A' THEN nodes_free END)", "unit_memory", "memory", "vcpus",
                                      "price_hourly", "price_daily", "price_monthly", "price_yearly", "vendor",
                                      "location", "region", "storage", "reliability_ppm"});
}
