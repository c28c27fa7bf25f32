#include "catalog/filter.hpp"
#include "catalog/units.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <span>

#include "billing/billing_mode.hpp"
#include "domain/normalize.hpp"
#include "domain/validate.hpp"
#include "util/text.hpp"

namespace cpshare::catalog {

namespace {

// ---------------------------------------------------------------------------
// The field table: the language's names for the catalogue's columns.

enum class Kind { Enum, Text, Integer, Size, Money, Billing, Cuda, Framework, Ratio };

struct FieldDef {
  std::string_view name;
  Column column;  // Billing: none of its own (a mode tests its price column)
  Kind kind;
  bool nullable = false;                      // negated terms also match NULL
  std::span<const std::string_view> choices;  // Enum: canonical values; Billing: modes
};

constexpr std::string_view kClasses[] = {"A", "B"};
constexpr std::string_view kResourceTypes[] = {"GPU", "NPU", "CPU"};
// billing=<mode>: the names of the one billing-mode table (billing/billing_mode.hpp).
constexpr auto kModes = [] {
  std::array<std::string_view, EnumTable<BillingMode>::rows.size()> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = EnumTable<BillingMode>::rows[i].name;
  return out;
}();

// Order of docs/design/catalogue.md, "Filter fields".
constexpr FieldDef kFields[] = {
    {"class", Column::Class, Kind::Enum, false, kClasses},
    {"resource_type", Column::ResourceType, Kind::Enum, false, kResourceTypes},
    {"model", Column::Model, Kind::Text, false, {}},
    {"units", Column::Units, Kind::Integer, false, {}},
    {"units_free", Column::UnitsFree, Kind::Integer, false, {}},
    {"nodes", Column::Nodes, Kind::Integer, false, {}},
    {"nodes_free", Column::NodesFree, Kind::Integer, false, {}},
    {"unit_memory", Column::UnitMemory, Kind::Size, false, {}},
    {"memory", Column::Memory, Kind::Size, false, {}},
    {"vcpus", Column::Vcpus, Kind::Integer, false, {}},
    {"price_hourly", Column::PriceHourly, Kind::Money, true, {}},
    {"price_daily", Column::PriceDaily, Kind::Money, true, {}},
    {"price_monthly", Column::PriceMonthly, Kind::Money, true, {}},
    {"price_yearly", Column::PriceYearly, Kind::Money, true, {}},
    {"billing", Column::PriceHourly, Kind::Billing, false, kModes},
    {"vendor", Column::Vendor, Kind::Text, false, {}},
    {"location", Column::Location, Kind::Text, false, {}},
    {"region", Column::Region, Kind::Text, false, {}},
    {"storage", Column::Storage, Kind::Size, false, {}},
    {"cuda", Column::Cuda, Kind::Cuda, true, {}},
    {"framework", Column::Frameworks, Kind::Framework, false, {}},
    {"reliability", Column::Reliability, Kind::Ratio, true, {}},
};

// billing=<mode> tests whether the price of that mode is present.
Column price_column(BillingMode mode) {
  switch (mode) {
    case BillingMode::Hourly: return Column::PriceHourly;
    case BillingMode::Daily: return Column::PriceDaily;
    case BillingMode::Monthly: return Column::PriceMonthly;
    case BillingMode::Yearly: return Column::PriceYearly;
  }
  return Column::PriceHourly;
}

const FieldDef* find_field(std::string_view name) {
  for (const auto& f : kFields)
    if (f.name == name) return &f;
  return nullptr;
}

bool is_sortable(const FieldDef& f) {
  return f.kind == Kind::Integer || f.kind == Kind::Size || f.kind == Kind::Money || f.kind == Kind::Text ||
         f.kind == Kind::Ratio;
}

// ---------------------------------------------------------------------------
// Operators.

enum class Op { Eq, Ne, Lt, Le, Gt, Ge, Contains, In, NotIn };

std::string_view op_text(Op op) {
  switch (op) {
    case Op::Eq: return "=";
    case Op::Ne: return "!=";
    case Op::Lt: return "<";
    case Op::Le: return "<=";
    case Op::Gt: return ">";
    case Op::Ge: return ">=";
    case Op::Contains: return "~";
    case Op::In: return "in";
    case Op::NotIn: return "notin";
  }
  return "?";
}

Cmp cmp_of(Op op) {
  switch (op) {
    case Op::Ne: return Cmp::Ne;
    case Op::Lt: return Cmp::Lt;
    case Op::Le: return Cmp::Le;
    case Op::Gt: return Cmp::Gt;
    case Op::Ge: return Cmp::Ge;
    default: return Cmp::Eq;
  }
}

bool is_ordering(Op op) { return op == Op::Lt || op == Op::Le || op == Op::Gt || op == Op::Ge; }
bool is_list(Op op) { return op == Op::In || op == Op::NotIn; }
bool is_negated(Op op) { return op == Op::Ne || op == Op::NotIn; }

std::string_view allowed_ops(Kind kind) {
  switch (kind) {
    case Kind::Enum:
    case Kind::Billing: return "= != in notin";
    case Kind::Text:
    case Kind::Framework: return "= != ~ in notin";
    case Kind::Integer:
    case Kind::Size:
    case Kind::Money:
    case Kind::Ratio: return "= != < <= > >= in notin";
    case Kind::Cuda: return "= != < <= > >= ~ in notin";
  }
  return "";
}

bool op_allowed(Kind kind, Op op) {
  switch (kind) {
    case Kind::Enum:
    case Kind::Billing: return !is_ordering(op) && op != Op::Contains;
    case Kind::Text:
    case Kind::Framework: return !is_ordering(op);
    case Kind::Integer:
    case Kind::Size:
    case Kind::Money:
    case Kind::Ratio: return op != Op::Contains;
    case Kind::Cuda: return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Characters and positions.

bool is_ident_start(char c) { return text::is_alpha(c) || c == '_'; }
bool is_ident(char c) { return is_ident_start(c) || text::is_digit(c); }
bool is_op_char(char c) { return c == '=' || c == '!' || c == '<' || c == '>' || c == '~'; }

std::string to_upper_ascii(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// 1-based position in code points, so that it counts what the user sees.
std::size_t char_pos(std::string_view s, std::size_t offset) {
  std::size_t n = 1;
  for (std::size_t k = 0; k < offset && k < s.size(); ++k)
    if ((static_cast<unsigned char>(s[k]) & 0xC0) != 0x80) ++n;
  return n;
}

// Text quoted back in a message: at most 60 code points, control characters
// shown as '?' so that a message can always be printed as it is.
std::string shown(std::string_view s) {
  constexpr std::size_t kMaxChars = 60;
  std::string out;
  std::size_t chars = 0;
  for (std::size_t k = 0; k < s.size(); ++k) {
    const auto b = static_cast<unsigned char>(s[k]);
    if ((b & 0xC0) != 0x80 && chars++ == kMaxChars) {
      out += "…";
      break;
    }
    out += (b < 0x20 || b == 0x7F) ? '?' : s[k];
  }
  return out;
}

// The UTF-8 sequence starting at `at` (one character), for "found 'X'".
std::string_view char_at(std::string_view s, std::size_t at) {
  std::size_t end = at + 1;
  while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) ++end;
  return s.substr(at, end - at);
}

std::string list_of(std::span<const std::string_view> items) {
  std::string out;
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (k > 0) out += ", ";
    out += items[k];
  }
  return out;
}

std::string field_list() {
  std::string out;
  for (const auto& f : kFields) {
    if (!out.empty()) out += ", ";
    out += f.name;
  }
  return out;
}

std::unexpected<Error> filter_error(std::string message) { return fail_fields({{"filter", std::move(message)}}); }

// ---------------------------------------------------------------------------
// Syntax: the expression as a list of terms.

struct Word {
  std::string text;
  std::size_t pos = 0;  // byte offset in the expression
};

struct Term {
  std::size_t number = 0;  // 1-based
  std::size_t start = 0, end = 0;
  std::string field;
  Op op = Op::Eq;
  std::vector<Word> values;
};

std::string operator_hint(std::string_view tok) {
  if (tok == "=>") return "(use >=)";
  if (tok == "=<") return "(use <=)";
  if (tok == "==") return "(use =)";
  if (tok == "<>" || tok == "!" || tok == "=!") return "(use !=)";
  if (tok == "=~" || tok == "~=" || tok == "~~") return "(use ~)";
  return "(operators: = != < <= > >= ~ in notin)";
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  void skip_space() {
    while (std::size_t n = space_at(i_)) i_ += n;
  }
  bool at_end() const { return i_ >= s_.size(); }

  // One term starting at the current (non-space) position.
  Result<Term> term(std::size_t number) {
    Term t;
    t.number = number_ = number;
    t.start = start_ = i_;
    if (!is_ident_start(s_[i_])) return error(i_, "expected a field name, found '" + shown(char_at(s_, i_)) + "'");
    while (!at_end() && is_ident(s_[i_])) ++i_;
    t.field = s_.substr(t.start, i_ - t.start);
    skip_space();
    TRY_ASSIGN(t.op, op(t.field));
    if (is_list(t.op)) {
      TRY(list(t));
    } else {
      skip_space();
      TRY_ASSIGN(Word v, value(false, op_text(t.op)));
      t.values.push_back(std::move(v));
    }
    if (!at_end() && space_at(i_) == 0)
      return error(i_, "unexpected '" + shown(char_at(s_, i_)) +
                           "' (quote values that contain spaces or symbols: model=\"A100 80GB\")");
    t.end = i_;
    return t;
  }

 private:
  // Bytes of the whitespace character at `at`, 0 if none. U+3000 counts:
  // Chinese input methods type it for a space.
  std::size_t space_at(std::size_t at) const {
    if (at >= s_.size()) return 0;
    const char c = s_[at];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return 1;
    if (s_.substr(at, 3) == "\xE3\x80\x80") return 3;
    return 0;
  }

  bool is_bare(std::size_t at) const {
    const char c = s_[at];
    if (static_cast<unsigned char>(c) >= 0x80) return space_at(at) == 0;
    return is_ident(c) || c == '.' || c == '-' || c == '/' || c == '%';
  }

  // "term 3 'model=\"A1', position 7: unterminated quote"; the term shown runs
  // to the first space after the error.
  std::unexpected<Error> error(std::size_t at, std::string_view what) const {
    std::size_t end = std::min(at, s_.size());
    while (end < s_.size() && space_at(end) == 0) ++end;
    return filter_error("term " + std::to_string(number_) + " '" + shown(s_.substr(start_, end - start_)) +
                        "', position " + std::to_string(char_pos(s_, at)) + ": " + std::string(what));
  }

  Result<Op> op(std::string_view field) {
    const std::string expected = "expected an operator (= != < <= > >= ~ in notin) after '" + std::string(field) + "'";
    if (at_end()) return error(i_, expected);
    const std::size_t b = i_;
    if (is_op_char(s_[i_])) {
      while (!at_end() && is_op_char(s_[i_])) ++i_;
      const std::string_view tok = s_.substr(b, i_ - b);
      if (tok == "=") return Op::Eq;
      if (tok == "!=") return Op::Ne;
      if (tok == "<") return Op::Lt;
      if (tok == "<=") return Op::Le;
      if (tok == ">") return Op::Gt;
      if (tok == ">=") return Op::Ge;
      if (tok == "~") return Op::Contains;
      return error(b, "unknown operator '" + std::string(tok) + "' " + operator_hint(tok));
    }
    if (is_ident_start(s_[i_])) {
      while (!at_end() && is_ident(s_[i_])) ++i_;
      const std::string word = text::to_lower_ascii(s_.substr(b, i_ - b));
      if (word == "in" || word == "notin") return word == "in" ? Op::In : Op::NotIn;
      return error(b, expected + ", found '" + shown(s_.substr(b, i_ - b)) + "'");
    }
    return error(b, expected + ", found '" + shown(char_at(s_, b)) + "'");
  }

  // in / notin: "[a, b, ...]"
  Result<void> list(Term& t) {
    const std::string_view name = op_text(t.op);
    skip_space();
    if (at_end() || s_[i_] != '[')
      return error(i_, std::string(name) + " takes a list in brackets, e.g. class " + std::string(name) + " [A,B]");
    const std::size_t open = i_++;
    const std::string unclosed = "missing ']' for the list opened at position " + std::to_string(char_pos(s_, open));
    for (;;) {
      skip_space();
      if (at_end()) return error(s_.size(), unclosed);
      if (s_[i_] == ']') return error(i_, t.values.empty() ? "empty list" : "a value is missing before ']'");
      if (t.values.size() == kMaxFilterListItems)
        return error(i_, "too many list items: at most " + std::to_string(kMaxFilterListItems));
      TRY_ASSIGN(Word v, value(true, name));
      t.values.push_back(std::move(v));
      skip_space();
      if (at_end()) return error(s_.size(), unclosed);
      if (s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (s_[i_] == ']') {
        ++i_;
        return {};
      }
      return error(i_, "expected ',' or ']' in the list, found '" + shown(char_at(s_, i_)) + "'");
    }
  }

  Result<Word> value(bool in_list, std::string_view after) {
    Word v;
    v.pos = i_;
    if (at_end()) return error(i_, "missing value after '" + std::string(after) + "'");
    const char c = s_[i_];
    if (c == '"' || c == '\'') {
      const std::size_t close = s_.find(c, i_ + 1);
      if (close == std::string_view::npos)
        return error(i_, std::string("unterminated quote (add the closing ") + c + ")");
      v.text = s_.substr(i_ + 1, close - i_ - 1);
      for (std::size_t k = i_ + 1; k < close; ++k) {
        const auto b = static_cast<unsigned char>(s_[k]);
        if (b < 0x20 || b == 0x7F) return error(k, "control characters are not allowed in values");
      }
      i_ = close + 1;
    } else {
      while (!at_end() && is_bare(i_)) ++i_;
      if (i_ == v.pos) {
        if (c == '[' && !in_list) return error(i_, "a list goes with in or notin, e.g. class in [A,B]");
        if (space_at(i_) != 0 || (in_list && (c == ',' || c == ']')))
          return error(i_, "missing value after '" + std::string(after) + "'");
        return error(i_, "expected a value, found '" + shown(char_at(s_, i_)) +
                             "' (quote values that contain spaces or symbols: model=\"A100 80GB\")");
      }
      v.text = s_.substr(v.pos, i_ - v.pos);
    }
    if (normalize::characters(v.text) > kMaxFilterValueChars)
      return error(v.pos, "value too long: at most " + std::to_string(kMaxFilterValueChars) + " characters");
    return v;
  }

  std::string_view s_;
  std::size_t i_ = 0;
  std::size_t start_ = 0;   // of the current term, for messages
  std::size_t number_ = 0;  // of the current term
};

// ---------------------------------------------------------------------------
// Values.

template <class T>
using Check = std::expected<T, std::string>;  // message without the term prefix

// Digits only, no sign; nullopt when empty, not digits, or beyond int64.
std::optional<std::int64_t> parse_digits(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::int64_t n = 0;
  for (char c : s) {
    if (!text::is_digit(c)) return std::nullopt;
    if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, c - '0', &n)) return std::nullopt;
  }
  return n;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::ranges::all_of(s, [](char c) { return text::is_digit(c); });
}

Check<std::int64_t> integer_value(const FieldDef& f, std::string_view v) {
  if (!all_digits(v)) return std::unexpected(std::string(f.name) + " takes a whole number");
  const auto n = parse_digits(v);
  if (!n) return std::unexpected(std::string(f.name) + ": '" + shown(v) + "' is too large");
  return *n;
}

// Sizes, money and CUDA versions are read exactly as the publish request
// reads them (catalog/units.hpp), so a filter value means what a cluster's does.
Check<std::int64_t> size_value(const FieldDef& f, std::string_view v) {
  auto r = parse_size(v);
  if (!r) return std::unexpected(std::string(f.name) + ": " + r.error().message);
  return *r;
}

Check<std::int64_t> money_value(const FieldDef& f, std::string_view v) {
  auto r = parse_yuan(v);
  if (!r) return std::unexpected(std::string(f.name) + ": " + r.error().message);
  return *r;
}

// A ratio from 0 to 1 as a decimal ("0.95", "1", ".999") or a percentage
// ("95%", "99.9%"), read exactly into millionths: at most 6 decimals as a
// ratio, 4 as a percentage. A value over 1 (100%) is out of range, whatever
// its decimals; a value in range with more decimals than millionths keep is
// refused rather than rounded.
Check<std::int64_t> ratio_value(const FieldDef& f, std::string_view v) {
  const std::string head = std::string(f.name) + ": '" + shown(v) + "' ";
  const bool percent = !v.empty() && v.back() == '%';
  const std::string_view num = percent ? v.substr(0, v.size() - 1) : v;
  const auto dot = num.find('.');
  const std::string_view whole = num.substr(0, dot);
  const std::string_view frac = dot == num.npos ? std::string_view() : num.substr(dot + 1);
  if ((whole.empty() && frac.empty()) || (!whole.empty() && !all_digits(whole)) ||
      (dot != num.npos && (frac.empty() || !all_digits(frac))))
    return std::unexpected(head + "is not a ratio from 0 to 1 (use e.g. 0.95 or 95%)");
  const std::string_view significant = whole.substr(std::min(whole.find_first_not_of('0'), whole.size()));
  const std::int64_t top = percent ? 100 : 1;
  // The whole part, read only as far as telling it from top (at most 3 digits).
  const std::int64_t w = significant.size() > 3 ? top + 1 : parse_digits(significant).value_or(0);
  const bool frac_zero = std::ranges::all_of(frac, [](char c) { return c == '0'; });
  if (w > top || (w == top && !frac_zero))
    return std::unexpected(head + (percent ? "is over 100%" : "is over 1") +
                           " (a ratio is from 0 to 1, or a percentage from 0% to 100%)");
  const std::size_t scale = percent ? 4 : 6;  // digits after the point that millionths keep
  if (frac.size() > scale)
    return std::unexpected(head + "has more than " + std::to_string(scale) + " decimals: " + std::string(f.name) +
                           " is counted in millionths (at most 6 decimals as a ratio, 4 as a percentage)");
  std::int64_t n = w;
  for (std::size_t k = 0; k < scale; ++k) n = n * 10 + (k < frac.size() ? frac[k] - '0' : 0);
  return n;
}

// "12.4" → "0012.0004", as a cluster's version is kept (catalogue.md).
Check<std::string> cuda_key(std::string_view v) {
  auto r = version_key(v);
  if (!r) return std::unexpected("cuda: '" + shown(v) + "' is not a version number (use e.g. 12.4 with < <= > >=)");
  return *r;
}

Check<std::string> choice_value(const FieldDef& f, std::string_view v, bool upper) {
  const std::string norm = upper ? to_upper_ascii(v) : text::to_lower_ascii(v);
  for (const auto& c : f.choices)
    if (c == norm) return norm;
  std::string msg = std::string(f.name) + ": '" + shown(v) + "' is not one of " + list_of(f.choices);
  const std::vector<std::string> candidates(f.choices.begin(), f.choices.end());
  if (const std::string near = text::closest(norm, candidates); !near.empty()) msg += " (did you mean " + near + "?)";
  return std::unexpected(msg);
}

template <class T, class Wrap>
Check<Value> as_value(Check<T> r, Wrap wrap) {
  if (!r) return std::unexpected(std::move(r.error()));
  return Value{wrap(std::move(*r))};
}

Check<Value> convert(const FieldDef& f, Op op, std::string_view v) {
  auto text = [](std::string s) { return s; };
  switch (f.kind) {
    case Kind::Enum: return as_value(choice_value(f, v, true), text);
    case Kind::Billing: return as_value(choice_value(f, v, false), text);
    case Kind::Text: return Value{std::string(v)};
    case Kind::Integer: return as_value(integer_value(f, v), [](std::int64_t n) { return Count{n}; });
    case Kind::Size: return as_value(size_value(f, v), [](std::int64_t n) { return Bytes{n}; });
    case Kind::Money: return as_value(money_value(f, v), [](std::int64_t n) { return Fen{n}; });
    case Kind::Ratio: return as_value(ratio_value(f, v), [](std::int64_t n) { return Ppm{n}; });
    case Kind::Cuda:
      if (is_ordering(op)) return as_value(cuda_key(v), [](std::string k) { return Version{std::move(k)}; });
      return Value{std::string(v)};
    case Kind::Framework:
      if (op != Op::Contains && v.find(',') != std::string_view::npos)
        return std::unexpected(std::string("framework: one framework at a time ('") + shown(v) +
                               "' contains ','); use framework in [a,b]");
      return Value{std::string(v)};
  }
  return std::unexpected(std::string("unsupported field"));
}

// ---------------------------------------------------------------------------
// The predicate of one term.

// One part alone, else all of them (negated lists: none of the values) or any.
Predicate combine(std::vector<Predicate> parts, bool all) {
  if (parts.size() == 1) return std::move(parts.front());
  if (all) return Predicate{All{std::move(parts)}};
  return Predicate{Any{std::move(parts)}};
}

Predicate term_predicate(const FieldDef& f, Op op, std::vector<Value> values) {
  const bool negated = is_negated(op);
  auto text = [](Value& v) { return std::move(std::get<std::string>(v)); };
  if (f.kind == Kind::Billing) {
    std::vector<Predicate> parts;
    for (auto& m : values) {
      // choice_value let through only the table's names (kModes).
      const BillingMode mode = enum_parse<BillingMode>(text(m)).value_or(BillingMode::Hourly);
      parts.push_back(Predicate{Present{price_column(mode), !negated}});
    }
    return combine(std::move(parts), negated);
  }
  if (op == Op::Contains) return Predicate{Contains{f.column, text(values.front())}};
  if (f.kind == Kind::Framework) {
    std::vector<Predicate> parts;
    for (auto& v : values) parts.push_back(Predicate{HasElement{f.column, text(v), negated}});
    return combine(std::move(parts), negated);
  }
  // Text compares without regard to ASCII case (enumerations are canonical).
  const Case text_case = f.kind == Kind::Text ? Case::Fold : Case::Exact;
  Predicate p = is_list(op) ? Predicate{In{f.column, std::move(values), op == Op::NotIn, text_case}}
                            : Predicate{Compare{f.column, cmp_of(op), std::move(values.front()), text_case}};
  if (f.nullable && negated) return Predicate{Any{{Predicate{Present{f.column, false}}, std::move(p)}}};
  return p;
}

Result<Predicate> compile_term(std::string_view expr, const Term& t) {
  const std::string prefix =
      "term " + std::to_string(t.number) + " '" + shown(expr.substr(t.start, t.end - t.start)) + "': ";
  const std::string name = text::to_lower_ascii(t.field);
  const FieldDef* f = find_field(name);
  if (!f) {
    std::vector<std::string> names;
    for (const auto& d : kFields) names.emplace_back(d.name);
    const std::string near = text::closest(name, names);
    return filter_error(prefix + "unknown field '" + shown(t.field) + "' " +
                        (near.empty() ? "(fields: " + field_list() + ")" : "(did you mean " + near + "?)"));
  }
  if (!op_allowed(f->kind, t.op))
    return filter_error(prefix + std::string(f->name) + " takes " + std::string(allowed_ops(f->kind)) + ", not " +
                        std::string(op_text(t.op)));

  std::vector<Value> values;
  for (const auto& v : t.values) {
    auto p = convert(*f, t.op, v.text);
    if (!p) return filter_error(prefix + p.error());
    values.push_back(std::move(*p));
  }
  return term_predicate(*f, t.op, std::move(values));
}

}  // namespace

Result<Filter> compile_filter(std::string_view expr) {
  if (const std::size_t n = normalize::characters(expr); n > kMaxFilterChars)
    return filter_error("the filter is " + std::to_string(n) + " characters long; at most " +
                        std::to_string(kMaxFilterChars) + " are allowed");
  if (!validate::valid_utf8(expr)) return filter_error("the filter is not valid UTF-8 text");
  Filter out;
  Parser parser(expr);
  for (;;) {
    parser.skip_space();
    if (parser.at_end()) break;
    if (out.terms.size() == kMaxFilterTerms)
      return filter_error("too many terms: at most " + std::to_string(kMaxFilterTerms));
    TRY_ASSIGN(const Term t, parser.term(out.terms.size() + 1));
    TRY_ASSIGN(Predicate p, compile_term(expr, t));
    out.terms.push_back(std::move(p));
  }
  return out;
}

Result<SortSpec> parse_sort(std::string_view spec) {
  std::string s = text::trim(spec);
  SortSpec out;
  if (!s.empty() && (s.back() == '-' || s.back() == '+')) {
    out.descending = s.back() == '-';
    s.pop_back();
  }
  const std::string sortable = [] {
    std::string list;
    for (auto name : sort_fields()) list += (list.empty() ? "" : ", ") + std::string(name);
    return list;
  }();
  auto bad = [](std::string msg) { return fail_fields({{"sort", std::move(msg)}}); };
  if (s.empty()) return bad("name a field to sort by, e.g. price_hourly or price_hourly- (sortable: " + sortable + ")");
  const std::string name = text::to_lower_ascii(s);
  const FieldDef* f = find_field(name);
  if (!f) {
    std::vector<std::string> names;
    for (auto n : sort_fields()) names.emplace_back(n);
    const std::string near = text::closest(name, names);
    return bad("unknown sort field '" + shown(s) + "' " +
               (near.empty() ? "(sortable: " + sortable + ")" : "(did you mean " + near + "?)"));
  }
  if (!is_sortable(*f)) return bad("cannot sort by " + std::string(f->name) + " (sortable: " + sortable + ")");
  out.column = f->column;
  // A B-class cluster has no nodes: the store gives it none (NULL) for nodes
  // and nodes_free, so it sorts last either way, like an unpriced mode.
  out.nullable = f->nullable || f->column == Column::Nodes || f->column == Column::NodesFree;
  return out;
}

const std::vector<std::string_view>& filter_fields() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const auto& f : kFields) v.push_back(f.name);
    return v;
  }();
  return names;
}

std::string_view field_name(Column column) {
  for (const auto& f : kFields)
    if (f.kind != Kind::Billing && f.column == column) return f.name;
  return "?";
}

bool operator==(const All& a, const All& b) { return a.of == b.of; }
bool operator==(const Any& a, const Any& b) { return a.of == b.of; }
bool operator==(const Predicate& a, const Predicate& b) { return a.node == b.node; }

const std::vector<std::string_view>& sort_fields() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const auto& f : kFields)
      if (is_sortable(f)) v.push_back(f.name);
    return v;
  }();
  return names;
}

}  // namespace cpshare::catalog
