#include "store/filter_sql.hpp"

namespace cpshare {

namespace {

using namespace catalog;

// LIKE pattern that matches `v` literally, with '!' as the escape character.
std::string like_literal(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '%' || c == '_' || c == '!') out += '!';
    out += c;
  }
  return out;
}

std::string_view cmp_sql(Cmp op) {
  switch (op) {
    case Cmp::Eq: return "=";
    case Cmp::Ne: return "<>";
    case Cmp::Lt: return "<";
    case Cmp::Le: return "<=";
    case Cmp::Gt: return ">";
    case Cmp::Ge: return ">=";
  }
  return "=";
}

SqlParam param(const Value& v) {
  return std::visit(
      [](const auto& x) -> SqlParam {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>)
          return x;
        else if constexpr (std::is_same_v<T, Version>)
          return x.key;
        else
          return x.n;
      },
      v);
}

// The column, or the one a Version orders by.
std::string lhs(Column column, const Value& v, Case text_case) {
  std::string out(std::holds_alternative<Version>(v) ? std::string_view("cuda_key") : column_sql(column));
  if (text_case == Case::Fold) out += " COLLATE NOCASE";
  return out;
}

class Renderer {
 public:
  explicit Renderer(std::vector<SqlParam>& params) : params_(params) {}

  std::string operator()(const Compare& c) {
    params_.push_back(param(c.value));
    return lhs(c.column, c.value, c.text_case) + " " + std::string(cmp_sql(c.op)) + " ?";
  }
  std::string operator()(const In& in) {
    std::string marks;
    for (const auto& v : in.values) {
      marks += marks.empty() ? "?" : ", ?";
      params_.push_back(param(v));
    }
    const Value none = std::string();
    return lhs(in.column, in.values.empty() ? none : in.values.front(), in.text_case) +
           (in.negated ? " NOT IN (" : " IN (") + marks + ")";
  }
  std::string operator()(const Contains& c) {
    params_.push_back("%" + like_literal(c.part) + "%");
    if (c.column == Column::Frameworks) return "LOWER(frameworks) LIKE LOWER(?) ESCAPE '!'";
    return std::string(column_sql(c.column)) + " LIKE ? ESCAPE '!'";
  }
  // ",a,b," has the element v where it is LIKE "%,v,%".
  std::string operator()(const HasElement& e) {
    params_.push_back("%," + like_literal(e.element) + ",%");
    const std::string list = "LOWER(',' || " + std::string(column_sql(e.column)) + " || ',')";
    return list + (e.negated ? " NOT LIKE" : " LIKE") + " LOWER(?) ESCAPE '!'";
  }
  std::string operator()(const Present& p) {
    return std::string(column_sql(p.column)) + (p.present ? " IS NOT NULL" : " IS NULL");
  }
  std::string operator()(const All& a) { return group(a.of, " AND "); }
  std::string operator()(const Any& a) { return group(a.of, " OR "); }

  std::string render(const Predicate& p) { return std::visit(*this, p.node); }

 private:
  std::string group(const std::vector<Predicate>& of, std::string_view sep) {
    std::string out = "(";
    for (std::size_t k = 0; k < of.size(); ++k) {
      if (k > 0) out += sep;
      out += render(of[k]);
    }
    return out + ")";
  }

  std::vector<SqlParam>& params_;
};

}  // namespace

std::string_view column_sql(Column column) {
  switch (column) {
    case Column::Class: return "class";
    case Column::ResourceType: return "resource_type";
    case Column::Model: return "model";
    case Column::Units: return "units";
    case Column::UnitsFree: return "units_free";
    // A B-class cluster has no nodes (its stored 0 means none): NULL, so no
    // nodes term matches it, negated or not, and a sort puts it last.
    case Column::Nodes: return "(CASE WHEN class = 'A' THEN nodes END)";
    case Column::NodesFree: return "(CASE WHEN class = 'A' THEN nodes_free END)";
    case Column::UnitMemory: return "unit_memory";
    case Column::Memory: return "memory";
    case Column::Vcpus: return "vcpus";
    case Column::PriceHourly: return "price_hourly";
    case Column::PriceDaily: return "price_daily";
    case Column::PriceMonthly: return "price_monthly";
    case Column::PriceYearly: return "price_yearly";
    case Column::Vendor: return "vendor";
    case Column::Location: return "location";
    case Column::Region: return "region";
    case Column::Storage: return "storage";
    case Column::Cuda: return "cuda";
    case Column::Frameworks: return "frameworks";
    case Column::Reliability: return "reliability_ppm";
  }
  return "id";
}

SqlCondition filter_sql(const Filter& filter) {
  SqlCondition out;
  Renderer r(out.params);
  for (const auto& term : filter.terms) {
    if (!out.where.empty()) out.where += " AND ";
    out.where += r.render(term);
  }
  if (out.where.empty()) out.where = "1=1";
  return out;
}

}  // namespace cpshare
