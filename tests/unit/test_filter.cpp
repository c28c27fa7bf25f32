#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "billing/billing_mode.hpp"
#include "catalog/filter.hpp"
#include "store/filter_sql.hpp"

using cpshare::ErrorCode;
using cpshare::catalog::compile_filter;
using cpshare::catalog::Filter;
using namespace cpshare::catalog;

namespace {

// The tree: one predicate per term.
using Terms = std::vector<Predicate>;

Predicate cmp(Column c, Cmp op, const Value& v, Case k = Case::Exact) { return {Compare{c, op, v, k}}; }
Predicate text_eq(Column c, std::string v) { return cmp(c, Cmp::Eq, std::move(v), Case::Fold); }
Predicate in(Column c, std::vector<Value> vs, bool negated = false, Case k = Case::Exact) {
  return {In{c, std::move(vs), negated, k}};
}
Predicate contains(Column c, std::string part) { return {Contains{c, std::move(part)}}; }
Predicate element(Column c, std::string e, bool negated = false) { return {HasElement{c, std::move(e), negated}}; }
Predicate present(Column c, bool p = true) { return {Present{c, p}}; }
Predicate all(std::vector<Predicate> of) { return {All{std::move(of)}}; }
Predicate any(std::vector<Predicate> of) { return {Any{std::move(of)}}; }

Filter ok(std::string_view expr) {
  auto r = compile_filter(expr);
  INFO(expr << (r ? "" : " → " + r.error().message));
  REQUIRE(r.has_value());
  return *r;
}
Terms terms(std::string_view expr) { return ok(expr).terms; }

// The value of a one-term comparison.
Value value(std::string_view expr) {
  const auto t = terms(expr);
  REQUIRE(t.size() == 1);
  const auto* c = std::get_if<Compare>(&t.front().node);
  REQUIRE(c);
  return c->value;
}

// The message of a filter that must be refused (VALIDATION_FAILED on "filter").
std::string refused(std::string_view expr) {
  auto r = compile_filter(expr);
  INFO(expr);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == ErrorCode::ValidationFailed);
  REQUIRE(r.error().fields.size() == 1);
  CHECK(r.error().fields[0].field == "filter");
  return r.error().fields[0].message;
}

}  // namespace

TEST_CASE("the issue's example compiles to a typed predicate per term", "[R-CL-6]") {
  CHECK(terms("class=A units_free>=4 model~A100 price_hourly<=30 location=深圳市") ==
        Terms{cmp(Column::Class, Cmp::Eq, "A"), cmp(Column::UnitsFree, Cmp::Ge, Count{4}),
              contains(Column::Model, "A100"), cmp(Column::PriceHourly, Cmp::Le, Fen{3000}),
              text_eq(Column::Location, "深圳市")});
}

TEST_CASE("an empty or blank filter selects everything", "[R-CL-6]") {
  CHECK(terms("").empty());
  CHECK(terms("  \t\n ").empty());
}

TEST_CASE("every operator, with or without spaces around it", "[R-CL-6]") {
  CHECK(terms("units=4") == Terms{cmp(Column::Units, Cmp::Eq, Count{4})});
  CHECK(terms("units!=4") == Terms{cmp(Column::Units, Cmp::Ne, Count{4})});
  CHECK(terms("units<4") == Terms{cmp(Column::Units, Cmp::Lt, Count{4})});
  CHECK(terms("units<=4") == Terms{cmp(Column::Units, Cmp::Le, Count{4})});
  CHECK(terms("units>4") == Terms{cmp(Column::Units, Cmp::Gt, Count{4})});
  CHECK(terms("units>=4") == Terms{cmp(Column::Units, Cmp::Ge, Count{4})});
  CHECK(terms("vcpus in [8,16,32]") == Terms{in(Column::Vcpus, {Count{8}, Count{16}, Count{32}})});
  CHECK(terms("vcpus notin [8]") == Terms{in(Column::Vcpus, {Count{8}}, true)});
  CHECK(terms("model~A100") == Terms{contains(Column::Model, "A100")});
  CHECK(terms("model != A100") == Terms{cmp(Column::Model, Cmp::Ne, "A100", Case::Fold)});
  CHECK(terms("model in [A100,H100]") == Terms{in(Column::Model, {"A100", "H100"}, false, Case::Fold)});

  CHECK(terms("model ~ A100   units_free >= 4 class in [ a , B ] resource_type notin[cpu]") ==
        Terms{contains(Column::Model, "A100"), cmp(Column::UnitsFree, Cmp::Ge, Count{4}), in(Column::Class, {"A", "B"}),
              in(Column::ResourceType, {"CPU"}, true)});
  CHECK(terms("CLASS IN [a]") == Terms{in(Column::Class, {"A"})});  // field names and in/notin ignore case
  CHECK(value("units=0004") == Value{Count{4}});
}

TEST_CASE("enumerations are normalised to upper case", "[R-CL-6]") {
  CHECK(value("class=b") == Value{"B"});
  CHECK(value("resource_type=npu") == Value{"NPU"});
  CHECK(terms("class!=A") == Terms{cmp(Column::Class, Cmp::Ne, "A")});
}

TEST_CASE("sizes take decimal and binary units, exact to the byte", "[R-CL-6]") {
  auto bytes = [](std::string_view expr) { return std::get<Bytes>(value(expr)).n; };
  CHECK(bytes("unit_memory>=80GB") == 80'000'000'000);
  CHECK(bytes("storage>=3.84TB") == 3'840'000'000'000);
  CHECK(bytes("memory>=1TiB") == 1'099'511'627'776);
  CHECK(bytes("memory>=512MiB") == 536'870'912);
  CHECK(bytes("memory>=1024") == 1024);
  CHECK(bytes("memory>=1024b") == 1024);
  CHECK(bytes("memory>=1.5kib") == 1536);
  CHECK(bytes("memory>=1.5Gb") == 1'500'000'000);  // units ignore case: Gb is GB
  CHECK(bytes("storage=2.000TB") == 2'000'000'000'000);
  CHECK(bytes("storage=1PiB") == 1'125'899'906'842'624);
  CHECK(bytes("storage<=0.123456789012TB") == 123'456'789'012);  // 12 decimals, no float error
  // Sizes are read as a published cluster's are (parse_size): whole bytes only.
  CHECK_THAT(refused("memory>=0.3KiB"), Catch::Contains("is not a whole number of bytes"));
  CHECK_THAT(refused("storage<=0.123456789012345678TB"), Catch::Contains("is not a whole number of bytes"));
  CHECK_THAT(refused("memory>=10000PB"), Catch::Contains("memory: '10000PB' is too large"));
  CHECK_THAT(refused("memory>=99999999999999999999"), Catch::Contains("is too large"));
}

TEST_CASE("money is yuan with at most two decimals, compiled to fen", "[R-CL-6]") {
  auto fen = [](std::string_view expr) { return std::get<Fen>(value(expr)).n; };
  CHECK(fen("price_hourly<=30") == 3000);
  CHECK(fen("price_hourly<=12.5") == 1250);
  CHECK(fen("price_daily>=12.05") == 1205);
  CHECK(fen("price_monthly<0.01") == 1);
  CHECK(fen("price_yearly=100000") == 10'000'000);
  CHECK_THAT(refused("price_hourly<=12.345"), Catch::StartsWith("term 1 'price_hourly<=12.345': price_hourly: "));
  CHECK_THAT(refused("price_hourly<=12.345"), Catch::Contains("more than 2 decimals"));
  CHECK_THAT(refused("price_hourly<=1e3"), Catch::Contains("is not an amount"));
  CHECK_THAT(refused("price_hourly<=-5"), Catch::Contains("cannot be negative"));
  CHECK_THAT(refused("price_hourly<=.5"), Catch::Contains("is not an amount"));
  CHECK_THAT(refused("price_hourly<=99999999999999999"), Catch::Contains("is too large"));
}

TEST_CASE("reliability is a ratio or a percentage, read exactly into millionths (R-REL-2)", "[R-CL-6]") {
  auto ppm = [](std::string_view expr) { return std::get<Ppm>(value(expr)).n; };
  CHECK(ppm("reliability>=0.95") == 950000);
  CHECK(ppm("reliability>=95%") == 950000);
  CHECK(ppm("reliability>=99.95%") == 999500);
  CHECK(ppm("reliability>=.999") == 999000);
  CHECK(ppm("reliability=1") == 1000000);
  CHECK(ppm("reliability=100%") == 1000000);
  CHECK(ppm("reliability>0") == 0);
  CHECK(ppm("reliability>=0.123456") == 123456);
  CHECK(ppm("reliability>=00.5") == 500000);
  CHECK(ppm("reliability>=1.000000") == 1000000);
  CHECK(ppm("reliability>=100.0000%") == 1000000);
  CHECK(ppm("reliability>=99.9999%") == 999999);
  for (auto bad : {"reliability>=high", "reliability>=0.", "reliability>=%", "reliability>=1e-3", "reliability>=-0.5",
                   "reliability>=.%"})
    CHECK_THAT(refused(bad), Catch::Contains("is not a ratio from 0 to 1 (use e.g. 0.95 or 95%)"));
}

TEST_CASE("a ratio says whether it has too many decimals or is out of range", "[R-CL-6]") {
  const std::string decimals = "is counted in millionths (at most 6 decimals as a ratio, 4 as a percentage)";
  CHECK(refused("reliability>=0.4999999") ==
        "term 1 'reliability>=0.4999999': reliability: '0.4999999' has more than "
        "6 decimals: reliability " +
            decimals);
  for (auto bad :
       {"reliability>=99.99999999%", "reliability>=0.00001%", "reliability>=0.1234567", "reliability>=1.0000000"})
    CHECK_THAT(refused(bad), Catch::Contains("decimals: reliability " + decimals));
  CHECK_THAT(refused("reliability>=99.99999999%"), Catch::Contains("has more than 4 decimals"));
  for (auto bad : {"reliability>=150%", "reliability>=101%", "reliability>=100.0001%", "reliability>=99999%",
                   "reliability>=100.00000001%", "reliability>=123456789012345678901234567890%"})
    CHECK_THAT(refused(bad), Catch::Contains("is over 100% (a ratio is from 0 to 1, or a percentage from 0% to 100%)"));
  for (auto bad : {"reliability>=1.5", "reliability>=2", "reliability>=1.0000001", "reliability>=0010"})
    CHECK_THAT(refused(bad), Catch::Contains("is over 1 (a ratio is from 0 to 1, or a percentage from 0% to 100%)"));
  // Missing for A-class clusters and before a first report: != also holds there.
  CHECK(terms("reliability!=1") ==
        Terms{any({present(Column::Reliability, false), cmp(Column::Reliability, Cmp::Ne, Ppm{1000000})})});
}

TEST_CASE("quoted values hold spaces and the other kind of quote", "[R-CL-6]") {
  CHECK(value("model=\"A100 80GB\"") == Value{"A100 80GB"});
  CHECK(terms("model='A100 80GB' units>=2") ==
        Terms{text_eq(Column::Model, "A100 80GB"), cmp(Column::Units, Cmp::Ge, Count{2})});
  CHECK(value("vendor='say \"hi\"'") == Value{"say \"hi\""});
  CHECK(terms("model in [\"A100 80GB\", 'H100 80GB', L40S]") ==
        Terms{in(Column::Model, {"A100 80GB", "H100 80GB", "L40S"}, false, Case::Fold)});
  CHECK(value("location=\"\"") == Value{""});
}

TEST_CASE("Chinese values and the ideographic space", "[R-CL-6]") {
  CHECK(value("location=深圳市") == Value{"深圳市"});
  CHECK(terms("location in [深圳市,北京市]") == Terms{in(Column::Location, {"深圳市", "北京市"}, false, Case::Fold)});
  CHECK(terms("region~华南") == Terms{contains(Column::Region, "华南")});
  CHECK(value("vendor=华为/昇腾-1.0_x") == Value{"华为/昇腾-1.0_x"});
  // U+3000, typed by Chinese input methods, separates terms like a space.
  CHECK(terms("location=深圳市\u3000class=A") ==
        Terms{text_eq(Column::Location, "深圳市"), cmp(Column::Class, Cmp::Eq, "A")});
}

TEST_CASE("billing tests which price columns are offered", "[R-CL-6]") {
  CHECK(terms("billing=hourly") == Terms{present(Column::PriceHourly)});
  CHECK(terms("billing=Monthly") == Terms{present(Column::PriceMonthly)});
  CHECK(terms("billing!=yearly") == Terms{present(Column::PriceYearly, false)});
  CHECK(terms("billing in [daily,monthly]") ==
        Terms{any({present(Column::PriceDaily), present(Column::PriceMonthly)})});
  CHECK(terms("billing notin [daily,monthly]") ==
        Terms{all({present(Column::PriceDaily, false), present(Column::PriceMonthly, false)})});
  CHECK_THAT(refused("billing=hourlly"),
             Catch::Contains("billing: 'hourlly' is not one of hourly, daily, monthly, yearly (did you mean hourly?)"));
  CHECK_THAT(refused("billing~hour"), Catch::Contains("billing takes = != in notin, not ~"));
  CHECK_THAT(refused("billing>=daily"), Catch::Contains("billing takes = != in notin, not >="));
  // Its names are the billing-mode table's: every mode is a choice, each its own price column.
  std::vector<Column> columns;
  for (const auto mode : cpshare::enum_values<cpshare::BillingMode>()) {
    const auto t = terms("billing=" + std::string(cpshare::enum_name(mode)));
    REQUIRE(t.size() == 1);
    REQUIRE(std::holds_alternative<Present>(t[0].node));
    CHECK(std::ranges::find(columns, std::get<Present>(t[0].node).column) == columns.end());
    columns.push_back(std::get<Present>(t[0].node).column);
  }
}

TEST_CASE("framework matches one element of the list, ~ any part of it", "[R-CL-6]") {
  CHECK(terms("framework=\"pytorch 2.3\"") == Terms{element(Column::Frameworks, "pytorch 2.3")});
  CHECK(terms("framework!=jax") == Terms{element(Column::Frameworks, "jax", true)});
  CHECK(terms("framework~torch") == Terms{contains(Column::Frameworks, "torch")});
  CHECK(terms("framework in [jax,mindspore]") ==
        Terms{any({element(Column::Frameworks, "jax"), element(Column::Frameworks, "mindspore")})});
  CHECK(terms("framework notin [jax,mindspore]") ==
        Terms{all({element(Column::Frameworks, "jax", true), element(Column::Frameworks, "mindspore", true)})});
  CHECK(terms("framework=\"a%b\"") == Terms{element(Column::Frameworks, "a%b")});  // taken literally
  CHECK_THAT(refused("framework='a,b'"), Catch::Contains("framework: one framework at a time"));
  CHECK_THAT(refused("framework>=2"), Catch::Contains("framework takes = != ~ in notin, not >="));
}

TEST_CASE("cuda compares as text, or orders as a version", "[R-CL-6]") {
  CHECK(terms("cuda=12.4") == Terms{cmp(Column::Cuda, Cmp::Eq, "12.4")});
  CHECK(terms("cuda!=12.4") == Terms{any({present(Column::Cuda, false), cmp(Column::Cuda, Cmp::Ne, "12.4")})});
  CHECK(terms("cuda~12") == Terms{contains(Column::Cuda, "12")});
  CHECK(terms("cuda>=12.4") == Terms{cmp(Column::Cuda, Cmp::Ge, Version{"0012.0004"})});
  CHECK(value("cuda<12") == Value{Version{"0012"}});
  CHECK(value("cuda>11.8.0") == Value{Version{"0011.0008.0000"}});
  CHECK(terms("cuda in [11.8,12.1]") == Terms{in(Column::Cuda, {"11.8", "12.1"})});
  CHECK_THAT(refused("cuda>=12.x"),
             Catch::Contains("cuda: '12.x' is not a version number (use e.g. 12.4 with < <= > >=)"));
  CHECK_THAT(refused("cuda>=12..4"), Catch::Contains("is not a version number"));
  CHECK_THAT(refused("cuda<123456"), Catch::Contains("is not a version number"));
}

TEST_CASE("negated terms also hold where a nullable column is NULL", "[R-CL-6]") {
  CHECK(terms("price_hourly!=30") ==
        Terms{any({present(Column::PriceHourly, false), cmp(Column::PriceHourly, Cmp::Ne, Fen{3000})})});
  CHECK(terms("price_daily notin [1,2]") ==
        Terms{any({present(Column::PriceDaily, false), in(Column::PriceDaily, {Fen{100}, Fen{200}}, true)})});
  CHECK(terms("units!=4") == Terms{cmp(Column::Units, Cmp::Ne, Count{4})});  // never NULL: no alternative
}

TEST_CASE("errors name the term, what is wrong and how to fix it", "[R-CL-6]") {
  CHECK(refused("class=A modle~A100") == "term 2 'modle~A100': unknown field 'modle' (did you mean model?)");
  CHECK_THAT(refused("gpu_name=x"), Catch::Contains("unknown field 'gpu_name' (fields: class, resource_type, model"));
  CHECK(refused("units>=four") == "term 1 'units>=four': units takes a whole number");
  CHECK_THAT(refused("units=>4"),
             Catch::Contains("'units=>4'") && Catch::Contains("unknown operator '=>'") && Catch::Contains("(use >=)"));
  CHECK(refused("units=>4") == "term 1 'units=>4', position 6: unknown operator '=>' (use >=)");
  CHECK_THAT(refused("units=<4"), Catch::Contains("(use <=)"));
  CHECK_THAT(refused("units==4"), Catch::Contains("(use =)"));
  CHECK_THAT(refused("units<>4"), Catch::Contains("(use !=)"));
  CHECK_THAT(refused("units!>4"), Catch::Contains("(operators: = != < <= > >= ~ in notin)"));
  CHECK_THAT(refused("unit_memory>=80XB"), Catch::StartsWith("term 1 'unit_memory>=80XB': unit_memory: "));
  CHECK_THAT(refused("unit_memory>=80XB"), Catch::Contains("unknown unit 'XB'; use B, KB, MB, GB"));
  CHECK_THAT(refused("unit_memory>=80G"), Catch::Contains("unknown unit 'G'"));
  CHECK_THAT(refused("unit_memory>=GB"), Catch::Contains("is not a size"));
  CHECK(refused("units>=4 model=\"A100 80GB") ==
        "term 2 'model=\"A100', position 16: unterminated quote (add the closing \")");
  CHECK_THAT(refused("class in [A,B"), Catch::Contains("missing ']' for the list opened at position 10"));
  CHECK_THAT(refused("class in [A B]"), Catch::Contains("expected ',' or ']' in the list, found 'B'"));
  CHECK_THAT(refused("class in []"), Catch::Contains("empty list"));
  CHECK_THAT(refused("class in [A,]"), Catch::Contains("a value is missing before ']'"));
  CHECK_THAT(refused("class in [A,,B]"), Catch::Contains("missing value after 'in'"));
  CHECK_THAT(refused("class in A"), Catch::Contains("in takes a list in brackets, e.g. class in [A,B]"));
  CHECK_THAT(refused("class=[A,B]"), Catch::Contains("a list goes with in or notin"));
  CHECK_THAT(refused("model"), Catch::Contains("expected an operator (= != < <= > >= ~ in notin) after 'model'"));
  CHECK_THAT(refused("model A100"), Catch::Contains("after 'model', found 'A100'"));
  CHECK_THAT(refused("units>="), Catch::Contains("missing value after '>='"));
  CHECK_THAT(refused("units>= class=A"), Catch::Contains("unexpected '='"));
  CHECK_THAT(refused("model=A100*"), Catch::Contains("term 1 'model=A100*', position 11: unexpected '*'"));
  CHECK_THAT(refused("model=*"), Catch::Contains("expected a value, found '*'"));
  CHECK_THAT(refused(">=4"), Catch::Contains("term 1 '>=4', position 1: expected a field name, found '>'"));
  CHECK_THAT(refused("型号=A100"), Catch::Contains("expected a field name, found '型'"));
  CHECK_THAT(refused("class~A"), Catch::Contains("class takes = != in notin, not ~"));
  CHECK_THAT(refused("model>A100"), Catch::Contains("model takes = != ~ in notin, not >"));
  CHECK_THAT(refused("class=C"), Catch::Contains("class: 'C' is not one of A, B"));
  CHECK_THAT(refused("resource_type=GPUS"), Catch::Contains("(did you mean GPU?)"));
  CHECK_THAT(refused("model=\"a\x01\""), Catch::Contains("control characters are not allowed"));
  CHECK_THAT(refused("model=\xff"), Catch::Contains("not valid UTF-8"));
  CHECK(refused(std::string("units=4\0x", 9)) ==
        "term 1 'units=4?x', position 8: unexpected '?' "
        "(quote values that contain spaces or symbols: model=\"A100 80GB\")");
  // Positions count characters, not bytes.
  CHECK_THAT(refused("location=深圳市 units=>4"), Catch::Contains("position 19:"));
}

TEST_CASE("limits on terms, list items, value and expression length", "[R-CL-6]") {
  std::string terms;
  for (int k = 0; k < 32; ++k) terms += "units>=1 ";
  CHECK(ok(terms).terms.size() == 32);
  CHECK(refused(terms + "units>=1") == "too many terms: at most 32");

  std::string list = "vcpus in [1";
  for (int k = 2; k <= 64; ++k) list += "," + std::to_string(k);
  CHECK(std::get<In>(ok(list + "]").terms.at(0).node).values.size() == 64);
  CHECK_THAT(refused(list + ",65]"), Catch::Contains("too many list items: at most 64"));

  CHECK(value("model=" + std::string(200, 'x')) == Value{std::string(200, 'x')});
  CHECK_THAT(refused("model=" + std::string(201, 'x')), Catch::Contains("value too long: at most 200 characters"));
  // Characters, not bytes (issue 8): 200 Chinese characters (600 bytes) are a value; 201 are not.
  CHECK(cpshare::catalog::compile_filter("location=" + [] {
    std::string s;
    for (int i = 0; i < 200; ++i) s += "深";
    return s;
  }()));
  CHECK_THAT(refused("location=" +
                     [] {
                       std::string s;
                       for (int i = 0; i < 201; ++i) s += "深";
                       return s;
                     }()),
             Catch::Contains("value too long: at most 200 characters"));
  CHECK_THAT(refused("model=\"" + std::string(201, 'x') + "\""), Catch::Contains("value too long"));
  // Quoted back shortened, so that a long term cannot flood the message.
  CHECK(refused("model=" + std::string(201, 'x')).size() < 150);

  CHECK_THAT(refused(std::string(2001, ' ')), Catch::Contains("the filter is 2001 characters long; at most 2000"));
}

TEST_CASE("sort specs name a sortable field, '-' for descending", "[R-CL-6]") {
  using cpshare::catalog::parse_sort;
  auto sort = parse_sort("price_hourly");
  REQUIRE(sort);
  CHECK(sort->column == Column::PriceHourly);
  CHECK_FALSE(sort->descending);
  sort = parse_sort(" units_free- ");
  REQUIRE(sort);
  CHECK(sort->column == Column::UnitsFree);
  CHECK(sort->descending);
  sort = parse_sort("Location+");
  REQUIRE(sort);
  CHECK(sort->column == Column::Location);
  CHECK_FALSE(sort->descending);
  CHECK(sort->column == Column::Location);
  CHECK_FALSE(sort->nullable);
  sort = parse_sort("price_monthly-");
  REQUIRE(sort);
  CHECK(sort->nullable);  // a mode not offered: NULL, which the store sorts last

  auto bad = parse_sort("price_hourl-");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == ErrorCode::ValidationFailed);
  CHECK(bad.error().fields.at(0).field == "sort");
  CHECK_THAT(bad.error().fields.at(0).message, Catch::Contains("(did you mean price_hourly?)"));
  CHECK_THAT(parse_sort("class").error().fields.at(0).message,
             Catch::StartsWith("cannot sort by class (sortable: model, units,"));
  CHECK_THAT(parse_sort("").error().fields.at(0).message, Catch::Contains("name a field to sort by"));
  CHECK_THAT(parse_sort("price_hourly; DROP").error().fields.at(0).message, Catch::Contains("unknown sort field"));
}

TEST_CASE("the field list follows the design table", "[R-CL-6]") {
  const std::vector<std::string_view> expected = {
      "class",         "resource_type", "model",     "units",      "units_free",   "nodes",
      "nodes_free",    "unit_memory",   "memory",    "vcpus",      "price_hourly", "price_daily",
      "price_monthly", "price_yearly",  "billing",   "vendor",     "location",     "region",
      "storage",       "cuda",          "framework", "reliability"};
  CHECK(cpshare::catalog::filter_fields() == expected);
  for (auto f : cpshare::catalog::filter_fields()) {
    const auto r = compile_filter(std::string(f) + "=x");
    if (!r) CHECK_THAT(r.error().message, !Catch::Contains("unknown field"));
  }
  CHECK(cpshare::catalog::sort_fields() ==
        std::vector<std::string_view>{"model", "units", "units_free", "nodes", "nodes_free", "unit_memory", "memory",
                                      "vcpus", "price_hourly", "price_daily", "price_monthly", "price_yearly", "vendor",
                                      "location", "region", "storage", "reliability"});
}

// ---------------------------------------------------------------------------
// Compiled filters, rendered by the store, run against a real SQLite table shaped like migration 2.

namespace {

struct Row {
  const char* cpc_id;
  const char* cls;
  const char* type;
  const char* model;
  std::int64_t units, units_free, unit_memory, memory, vcpus;
  std::optional<std::int64_t> hourly, daily, monthly, yearly;
  const char* vendor;
  const char* location;
  const char* region;
  std::int64_t storage;
  const char* cuda;  // nullptr: NULL
  const char* cuda_key;
  const char* frameworks;
};

constexpr std::int64_t GB = 1'000'000'000;
constexpr std::int64_t GiB = std::int64_t{1} << 30;
constexpr std::int64_t TB = 1'000 * GB;

// clang-format off
const Row kRows[] = {
  {"cp-a1", "A", "GPU", "A100 80GB", 8, 4, 80 * GB, 1024 * GiB, 64, 2500, 50000, {}, {}, "NVIDIA", "深圳市", "华南",
   7'680 * GB, "12.4", "0012.0004", "pytorch 2.3,tensorflow 2.16"},
  {"cp-a2", "A", "GPU", "A100 40GB", 4, 0, 40 * GB, 512 * GiB, 32, 1800, {}, 300000, {}, "NVIDIA", "北京市", "华北",
   2 * TB, "11.8", "0011.0008", "pytorch 2.1"},
  {"cp-b1", "B", "GPU", "H100 80GB", 8, 8, 80 * GB, 2048 * GiB, 128, 4000, {}, {}, {}, "NVIDIA", "上海市", "华东",
   15'360 * GB, "12.1", "0012.0001", "pytorch 2.3,jax 0.4"},
  {"cp-b2", "B", "NPU", "Ascend 910B", 8, 2, 64 * GiB, 1024 * GiB, 192, {}, {}, 800000, 8000000, "Huawei", "深圳市",
   "华南", 4 * TB, nullptr, nullptr, "mindspore 2.2,pytorch 2.1"},
  {"cp-c1", "B", "CPU", "EPYC 7763", 1, 1, 0, 256 * GiB, 128, 300, {}, {}, {}, "AMD", "杭州市", "华东", 1 * TB,
   nullptr, nullptr, ""},
  {"cp-a3", "A", "GPU", "RTX 4090", 2, 2, 24 * GB, 128 * GiB, 32, 350, 7000, {}, {}, "NVIDIA", "深圳市", "华南",
   1 * TB, "12.10", "0012.0010", "PyTorch 2.3"},
  {"cp-x1", "B", "GPU", "100%_fast", 1, 1, 16 * GB, 64 * GiB, 16, 100, {}, {}, {}, "x' OR 1=1 --", "广州市", "华南",
   500 * GB, "12.4.1", "0012.0004.0001", "tensorflow 2.16"},
  {"cp-x2", "A", "GPU", "A100-SXM4-80GB", 8, 4, 80 * GB, 1024 * GiB, 96, 3000, {}, {}, {}, "Inspur", "深圳市", "华南",
   3840 * GB, "12.2", "0012.0002", "vllm 0.5,pytorch 2.4"},
};
// clang-format on

SQLite::Database catalogue_db() {
  SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec(R"(CREATE TABLE clusters (
    id INTEGER PRIMARY KEY, cpc_id TEXT UNIQUE NOT NULL, owner_id INTEGER NOT NULL DEFAULT 1,
    class TEXT NOT NULL, resource_type TEXT NOT NULL, model TEXT NOT NULL,
    units INTEGER NOT NULL, unit_memory INTEGER NOT NULL, memory INTEGER NOT NULL, vcpus INTEGER NOT NULL,
    price_hourly INTEGER, price_daily INTEGER, price_monthly INTEGER, price_yearly INTEGER,
    vendor TEXT NOT NULL, location TEXT NOT NULL, region TEXT NOT NULL,
    storage INTEGER NOT NULL, storage_desc TEXT NOT NULL DEFAULT '',
    cuda TEXT, cudnn TEXT, python TEXT, cuda_key TEXT, frameworks TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '', usage TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT 'listed',
    units_free INTEGER NOT NULL, created_at INTEGER NOT NULL DEFAULT 0, updated_at INTEGER NOT NULL DEFAULT 0,
    reliability_ppm INTEGER, nodes INTEGER NOT NULL DEFAULT 0, nodes_free INTEGER NOT NULL DEFAULT 0))");
  SQLite::Statement insert(db, R"(INSERT INTO clusters (cpc_id, class, resource_type, model, units, units_free,
    unit_memory, memory, vcpus, price_hourly, price_daily, price_monthly, price_yearly, vendor, location, region,
    storage, cuda, cuda_key, frameworks) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?))");
  for (const auto& r : kRows) {
    insert.reset();
    insert.clearBindings();  // NULL unless bound
    int k = 1;
    for (const char* t : {r.cpc_id, r.cls, r.type, r.model}) insert.bind(k++, t);
    for (std::int64_t v : {r.units, r.units_free, r.unit_memory, r.memory, r.vcpus}) insert.bind(k++, v);
    for (const auto& p : {r.hourly, r.daily, r.monthly, r.yearly}) {
      if (p) insert.bind(k, *p);
      ++k;
    }
    for (const char* t : {r.vendor, r.location, r.region}) insert.bind(k++, t);
    insert.bind(k++, r.storage);
    for (const char* t : {r.cuda, r.cuda_key, r.frameworks}) {
      if (t) insert.bind(k, t);
      ++k;
    }
    insert.exec();
  }
  // A-class clusters of two nodes (migration 13 stores 0 for B-class clusters, which have none).
  db.exec(
      "UPDATE clusters SET nodes = 2, nodes_free = CASE cpc_id WHEN 'cp-a1' THEN 1 WHEN 'cp-a2' THEN 0 ELSE 2 END "
      "WHERE class = 'A'");
  return db;
}

using Ids = std::vector<std::string>;

Ids select(SQLite::Database& db, std::string_view filter, std::string_view sort = "") {
  const auto f = ok(filter);
  std::string order = "id";
  if (!sort.empty()) {
    auto spec = cpshare::catalog::parse_sort(sort);
    REQUIRE(spec);
    // The store's order: NULL prices last in both directions.
    const std::string column(cpshare::column_sql(spec->column));
    order = column + " IS NULL, " + column + (spec->descending ? " DESC" : "") + ", id";
  }
  // The store's rendering of the tree (store/filter_sql.hpp).
  const auto sql = cpshare::filter_sql(f);
  SQLite::Statement q(db, "SELECT cpc_id FROM clusters WHERE " + sql.where + " ORDER BY " + order);
  int k = 1;
  for (const auto& p : sql.params) std::visit([&](const auto& v) { q.bind(k++, v); }, p);
  Ids ids;
  while (q.executeStep()) ids.push_back(q.getColumn(0).getString());
  return ids;
}

}  // namespace

TEST_CASE("compiled filters select the right clusters in SQLite", "[R-CL-6]") {
  auto db = catalogue_db();
  CHECK(select(db, "").size() == 8);
  CHECK(select(db, "class=A units_free>=4 model~A100 price_hourly<=30 location=深圳市") == Ids{"cp-a1", "cp-x2"});
  CHECK(select(db, "class=b") == Ids{"cp-b1", "cp-b2", "cp-c1", "cp-x1"});
  CHECK(select(db, "resource_type in [npu,cpu]") == Ids{"cp-b2", "cp-c1"});
  CHECK(select(db, "vendor=nvidia units_free>0") == Ids{"cp-a1", "cp-b1", "cp-a3"});
  CHECK(select(db, "model=\"a100 80gb\"") == Ids{"cp-a1"});
  CHECK(select(db, "location in [深圳市,北京市] region!=华南") == Ids{"cp-a2"});
  CHECK(select(db, "location notin [深圳市] region=华南") == Ids{"cp-x1"});
  CHECK(select(db, "region~东") == Ids{"cp-b1", "cp-c1"});

  // Sizes and money.
  CHECK(select(db, "unit_memory>=80GB") == Ids{"cp-a1", "cp-b1", "cp-x2"});
  CHECK(select(db, "unit_memory>=64GiB") == Ids{"cp-a1", "cp-b1", "cp-b2", "cp-x2"});
  CHECK(select(db, "storage=3.84TB") == Ids{"cp-x2"});
  CHECK(select(db, "memory>=1TiB vcpus<=64") == Ids{"cp-a1"});
  CHECK(select(db, "price_hourly<=3.5") == Ids{"cp-c1", "cp-a3", "cp-x1"});
  CHECK(select(db, "price_hourly!=25") == Ids{"cp-a2", "cp-b1", "cp-b2", "cp-c1", "cp-a3", "cp-x1", "cp-x2"});
  CHECK(select(db, "price_monthly>=3000") == Ids{"cp-a2", "cp-b2"});

  // Billing modes.
  CHECK(select(db, "billing=monthly") == Ids{"cp-a2", "cp-b2"});
  CHECK(select(db, "billing in [daily,yearly]") == Ids{"cp-a1", "cp-b2", "cp-a3"});
  CHECK(select(db, "billing notin [hourly]") == Ids{"cp-b2"});
  CHECK(select(db, "billing!=hourly") == Ids{"cp-b2"});
  CHECK(select(db, "billing=hourly billing=daily") == Ids{"cp-a1", "cp-a3"});

  // Frameworks: = is one element (any case), ~ any part.
  CHECK(select(db, "framework=\"pytorch 2.3\"") == Ids{"cp-a1", "cp-b1", "cp-a3"});
  CHECK(select(db, "framework=pytorch").empty());
  CHECK(select(db, "framework~pytorch") == Ids{"cp-a1", "cp-a2", "cp-b1", "cp-b2", "cp-a3", "cp-x2"});
  CHECK(select(db, "framework in [jax,mindspore]").empty());  // elements carry versions
  CHECK(select(db, "framework in [\"jax 0.4\",\"mindspore 2.2\"]") == Ids{"cp-b1", "cp-b2"});
  CHECK(select(db, "framework notin [\"pytorch 2.1\"]") == Ids{"cp-a1", "cp-b1", "cp-c1", "cp-a3", "cp-x1", "cp-x2"});
  CHECK(select(db, "framework!=\"tensorflow 2.16\"") == Ids{"cp-a2", "cp-b1", "cp-b2", "cp-c1", "cp-a3", "cp-x2"});

  // CUDA: ordering on the key (12.10 > 12.4), NULL never ordered, but "not".
  CHECK(select(db, "cuda>=12.4") == Ids{"cp-a1", "cp-a3", "cp-x1"});
  CHECK(select(db, "cuda<12.4") == Ids{"cp-a2", "cp-b1", "cp-x2"});
  CHECK(select(db, "cuda>=12 cuda<12.3") == Ids{"cp-b1", "cp-x2"});
  CHECK(select(db, "cuda=12.4") == Ids{"cp-a1"});
  CHECK(select(db, "cuda~12.4") == Ids{"cp-a1", "cp-x1"});
  CHECK(select(db, "cuda!=12.4") == Ids{"cp-a2", "cp-b1", "cp-b2", "cp-c1", "cp-a3", "cp-x1", "cp-x2"});

  // Wildcards and quotes in values are literal.
  CHECK(select(db, "model~\"100%\"") == Ids{"cp-x1"});
  CHECK(select(db, "model~\"%_\"") == Ids{"cp-x1"});
  CHECK(select(db, "model~_") == Ids{"cp-x1"});
  CHECK(select(db, "vendor=\"x' OR 1=1 --\"") == Ids{"cp-x1"});
  CHECK(select(db, "model=\"x' OR 1=1 --\"").empty());
  CHECK(select(db, "vendor~\"' OR \"") == Ids{"cp-x1"});

  // Sorting: NULL prices last either way.
  CHECK(select(db, "class=B", "price_hourly") == Ids{"cp-x1", "cp-c1", "cp-b1", "cp-b2"});
  CHECK(select(db, "class=B", "price_hourly-") == Ids{"cp-b1", "cp-c1", "cp-x1", "cp-b2"});
  CHECK(select(db, "location=深圳市", "units_free-") == Ids{"cp-a1", "cp-x2", "cp-b2", "cp-a3"});
}

TEST_CASE("a B-class cluster has no nodes: no nodes term matches it, and it sorts last", "[issue-12]") {
  auto db = catalogue_db();
  CHECK(select(db, "nodes_free<1") == Ids{"cp-a2"});  // a B-class cluster's stored 0 is not "no free node"
  CHECK(select(db, "nodes_free!=2") == Ids{"cp-a1", "cp-a2"});
  CHECK(select(db, "nodes notin [3]") == Ids{"cp-a1", "cp-a2", "cp-a3", "cp-x2"});
  CHECK(select(db, "nodes_free>=1") == Ids{"cp-a1", "cp-a3", "cp-x2"});
  CHECK(select(db, "location=深圳市", "nodes_free") == Ids{"cp-a1", "cp-a3", "cp-x2", "cp-b2"});
  CHECK(select(db, "location notin [深圳市]", "nodes_free-") == Ids{"cp-a2", "cp-b1", "cp-c1", "cp-x1"});
  for (std::string_view f : {"nodes", "nodes_free", "nodes_free-"}) CHECK(cpshare::catalog::parse_sort(f)->nullable);
}
