// The typed wire contract's machinery (issue 10). Each request and response
// type in lib/api/<area>.hpp lists its JSON members once, in a specialisation
//
//   template <> struct Wire<SessionView> {
//     static constexpr auto fields = std::tuple{member("id", &SessionView::id), ...};
//   };
//
// and from that one list come
//   - encode(v):   the JSON the daemon answers (and the CLI sends);
//   - decode<T>(j): the CLI's strict reading of an answer: a member missing or
//     of the wrong type is an error naming its path ("items[2].model: missing"),
//     never a silent "-"; members the CLI does not know are ignored, so a newer
//     daemon may add some;
//   - schema_of<T>(): the JSON Schema the OpenAPI test compares with the
//     document (tests/contract/).
//
// Wire shapes: std::string → string; bool → boolean; integers → integer (money
// in fen, sizes in bytes, as the member's comment says); double → number
// (measurements only: ratios 0–1, °C, W, V, seconds; never money; finite);
// Time → RFC 3339 UTC
// text; std::optional<X> → X or null (or, for a member marked Omittable, the key
// left out); std::vector<X> → array; a described struct → object; an enum with
// a table (CPSHARE_ENUM) or an EnumWire specialisation → its name; json → any JSON, as it is (free-form
// detail only).
//
// Errors: decode answers ErrorCode::Internal with the path and what was
// expected ("the daemon's answer does not fit this cpshare: items[2].cpc_id:
// expected a string"). Validating a request (the list of field errors of
// VALIDATION_FAILED) is each request type's own parse (api::Fields), shared by
// the CLI and the daemon.
#pragma once

#include <array>
#include <concepts>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/enum_table.hpp"
#include "util/clock.hpp"
#include "util/error.hpp"

namespace cpshare::api {

using json = nlohmann::json;

// A time on the wire: RFC 3339 UTC text ("2026-12-04T08:39:10Z"); unix seconds in memory.
struct Time {
  std::int64_t unix = 0;
  auto operator<=>(const Time&) const = default;
};

// Whether a member's key is always sent (null when empty) or left out when empty.
enum class Presence { Always, Omittable };

// A member of a JSON merge patch (RFC 7386), with Presence::Omittable: nullopt = the key left out
// (unchanged), an empty inner optional = null (remove), a value = set.
template <class T>
using Nullable = std::optional<std::optional<T>>;

template <class C, class M>
struct Member {
  std::string_view name;
  M C::*ptr;
  Presence presence = Presence::Always;
};

template <class C, class M>
constexpr Member<C, M> member(std::string_view name, M C::*ptr, Presence presence = Presence::Always) {
  return {name, ptr, presence};
}

// Specialise with `static constexpr auto fields = std::tuple{member(...), ...};`.
template <class T>
struct Wire;

template <class T>
concept Described = requires {
  Wire<T>::fields;
};

// An enum on the wire by name: specialise with
//   static std::string_view name(E);                      // "active"
//   static std::optional<E> parse(std::string_view);       // nullopt: unknown
//   static std::vector<std::string_view> names();          // every name, for the schema
template <class E>
struct EnumWire;

// An enum declared with CPSHARE_ENUM (util/enum_table.hpp) is on the wire by its table's strings.
template <class E>
concept TableEnum = std::is_enum_v<E> && requires {
  EnumTable<E>::rows;
};

template <class E>
concept WireEnum = std::is_enum_v<E> && requires(E e, std::string_view s) {
  { EnumWire<E>::name(e) } -> std::convertible_to<std::string_view>;
  { EnumWire<E>::parse(s) } -> std::same_as<std::optional<E>>;
};

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <class T>
struct IsNullable : std::false_type {};
template <class T>
struct IsNullable<std::optional<std::optional<T>>> : std::true_type {};
template <class T>
struct IsVector : std::false_type {};
template <class T>
struct IsVector<std::vector<T>> : std::true_type {};

// ------------------------------------------------------------------ encode

template <class T>
json encode(const T& v);

template <class T>
void encode_into(json& out, const T& v) {
  if constexpr (std::is_same_v<T, json>) {
    out = v;
  } else if constexpr (std::is_same_v<T, std::string>) {
    out = v;
  } else if constexpr (std::is_same_v<T, bool>) {
    out = v;
  } else if constexpr (std::is_integral_v<T>) {
    out = static_cast<std::int64_t>(v);
  } else if constexpr (std::is_same_v<T, double>) {
    out = v;  // a measurement; nlohmann writes a non-finite one as null
  } else if constexpr (std::is_same_v<T, Time>) {
    out = rfc3339(v.unix);
  } else if constexpr (TableEnum<T>) {
    out = std::string(enum_name(v));
  } else if constexpr (WireEnum<T>) {
    out = std::string(EnumWire<T>::name(v));
  } else if constexpr (IsOptional<T>::value) {
    if (v)
      encode_into(out, *v);
    else
      out = nullptr;
  } else if constexpr (IsVector<T>::value) {
    out = json::array();
    for (const auto& item : v) {
      json j;
      encode_into(j, item);
      out.push_back(std::move(j));
    }
  } else if constexpr (Described<T>) {
    out = json::object();
    std::apply(
        [&](const auto&... m) {
          (
              [&] {
                const auto& value = v.*(m.ptr);
                if constexpr (IsOptional<std::remove_cvref_t<decltype(value)>>::value) {
                  if (m.presence == Presence::Omittable && !value) return;
                }
                encode_into(out[std::string(m.name)], value);
              }(),
              ...);
        },
        Wire<T>::fields);
  } else {
    static_assert(sizeof(T) == 0, "no wire form for this type: give it a Wire or EnumWire specialisation");
  }
}

template <class T>
json encode(const T& v) {
  json out;
  encode_into(out, v);
  return out;
}

// ------------------------------------------------------------------ decode

namespace detail {

// The first mismatch met while decoding: its path and what was expected.
struct DecodeError {
  std::string path;
  std::string expected;
};

inline std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}

template <class T>
bool decode_into(const json& j, T& out, const std::string& path, DecodeError& err);

// Records the mismatch at `path` (the whole answer when empty); false.
inline bool mismatch(DecodeError& err, const std::string& path, std::string expected) {
  err = {path.empty() ? "(answer)" : path, std::move(expected)};
  return false;
}

// An integer member that fits T.
template <class T>
bool decode_integer(const json& j, T& out, const std::string& path, DecodeError& err) {
  if (!j.is_number_integer()) return mismatch(err, path, "an integer");
  if (j.is_number_unsigned()) {
    auto u = j.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) return mismatch(err, path, "a smaller integer");
    out = static_cast<T>(u);
    return true;
  }
  auto n = j.get<std::int64_t>();
  if (n < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
      (std::is_signed_v<T> && n > static_cast<std::int64_t>(std::numeric_limits<T>::max())))
    return mismatch(err, path, "an integer in range");
  out = static_cast<T>(n);
  return true;
}

// An enum member by one of its names (a table enum's or an EnumWire's).
template <class T>
bool decode_enum(const json& j, T& out, const std::string& path, DecodeError& err) {
  if (!j.is_string()) return mismatch(err, path, "a name");
  std::optional<T> e;
  if constexpr (TableEnum<T>)
    e = enum_parse<T>(j.get_ref<const std::string&>());
  else
    e = EnumWire<T>::parse(j.get_ref<const std::string&>());
  if (!e) return mismatch(err, path, fmt::format("a known name, not '{}'", j.get<std::string>()));
  out = *e;
  return true;
}

// An optional member: null is empty, except in Nullable<X> (a merge patch's
// member), where null is present, as "remove", and absent is the key left out.
template <class T>
bool decode_optional(const json& j, T& out, const std::string& path, DecodeError& err) {
  if (j.is_null()) {
    if constexpr (IsOptional<typename T::value_type>::value)
      out.emplace();
    else
      out.reset();
    return true;
  }
  typename T::value_type v{};
  if (!decode_into(j, v, path, err)) return false;
  out = std::move(v);
  return true;
}

template <class T>
bool decode_array(const json& j, T& out, const std::string& path, DecodeError& err) {
  if (!j.is_array()) return mismatch(err, path, "an array");
  out.clear();
  out.reserve(j.size());
  for (std::size_t i = 0; i < j.size(); ++i) {
    typename T::value_type v{};
    if (!decode_into(j[i], v, fmt::format("{}[{}]", path, i), err)) return false;
    out.push_back(std::move(v));
  }
  return true;
}

// An object of Wire<T>'s members; a missing one is a mismatch unless it is Omittable.
template <class T>
bool decode_object(const json& j, T& out, const std::string& path, DecodeError& err) {
  if (!j.is_object()) return mismatch(err, path, "an object");
  bool ok = true;
  std::apply(
      [&](const auto&... m) {
        (
            [&] {
              if (!ok) return;
              auto& value = out.*(m.ptr);
              const std::string here = join(path, m.name);
              auto it = j.find(m.name);
              if (it == j.end()) {
                if constexpr (IsOptional<std::remove_cvref_t<decltype(value)>>::value) {
                  if (m.presence == Presence::Omittable) {
                    value.reset();
                    return;
                  }
                }
                err = {here, "present (it is missing)"};
                ok = false;
                return;
              }
              ok = decode_into(*it, value, here, err);
            }(),
            ...);
      },
      Wire<T>::fields);
  return ok;
}

template <class T>
bool decode_into(const json& j, T& out, const std::string& path, DecodeError& err) {
  if constexpr (std::is_same_v<T, json>) {
    out = j;
    return true;
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!j.is_string()) return mismatch(err, path, "a string");
    out = j.get<std::string>();
    return true;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!j.is_boolean()) return mismatch(err, path, "true or false");
    out = j.get<bool>();
    return true;
  } else if constexpr (std::is_integral_v<T>) {
    return decode_integer(j, out, path, err);
  } else if constexpr (std::is_same_v<T, double>) {
    if (!j.is_number()) return mismatch(err, path, "a number");
    out = j.get<double>();
    return true;
  } else if constexpr (std::is_same_v<T, Time>) {
    std::optional<std::int64_t> t;
    if (j.is_string()) t = parse_rfc3339(j.get_ref<const std::string&>());
    if (!t) return mismatch(err, path, "an RFC 3339 time");
    out.unix = *t;
    return true;
  } else if constexpr (TableEnum<T> || WireEnum<T>) {
    return decode_enum(j, out, path, err);
  } else if constexpr (IsOptional<T>::value) {
    return decode_optional(j, out, path, err);
  } else if constexpr (IsVector<T>::value) {
    return decode_array(j, out, path, err);
  } else if constexpr (Described<T>) {
    return decode_object(j, out, path, err);
  } else {
    static_assert(sizeof(T) == 0, "no wire form for this type: give it a Wire or EnumWire specialisation");
  }
}

}  // namespace detail

// The daemon's answer `j` read as T; Internal naming the first mismatch.
template <class T>
Result<T> decode(const json& j) {
  T out{};
  detail::DecodeError err;
  if (!detail::decode_into(j, out, "", err))
    return fail(ErrorCode::Internal, fmt::format("the daemon's answer does not fit this cpshare ({}): {}: expected {}; "
                                                 "is the daemon a different version?",
                                                 CPSHARE_VERSION, err.path, err.expected));
  return out;
}

// ------------------------------------------------------------------ schema

template <class T>
json schema_of();

// The JSON Schema of T as the contract test compares it with docs/openapi.yaml:
// {"type": …, "nullable"?, "properties"?, "required"?, "items"?, "enum"?, "format"?}.
// An Omittable member is neither required nor nullable (encode leaves it out when empty).
template <class T>
json schema_of() {
  if constexpr (std::is_same_v<T, json>) {
    return json::object();
  } else if constexpr (std::is_same_v<T, std::string>) {
    return {{"type", "string"}};
  } else if constexpr (std::is_same_v<T, bool>) {
    return {{"type", "boolean"}};
  } else if constexpr (std::is_integral_v<T>) {
    return {{"type", "integer"}};
  } else if constexpr (std::is_same_v<T, double>) {
    return {{"type", "number"}};
  } else if constexpr (std::is_same_v<T, Time>) {
    return {{"type", "string"}, {"format", "date-time"}};
  } else if constexpr (TableEnum<T>) {
    return {{"type", "string"}, {"enum", enum_names<T>()}};
  } else if constexpr (WireEnum<T>) {
    json names = json::array();
    for (std::string_view n : EnumWire<T>::names()) names.push_back(std::string(n));
    return {{"type", "string"}, {"enum", names}};
  } else if constexpr (IsOptional<T>::value) {
    json s = schema_of<typename T::value_type>();
    if (!s.empty()) s["nullable"] = true;  // free JSON (empty) admits null already
    return s;
  } else if constexpr (IsVector<T>::value) {
    return {{"type", "array"}, {"items", schema_of<typename T::value_type>()}};
  } else if constexpr (Described<T>) {
    json props = json::object();
    json required = json::array();
    std::apply(
        [&](const auto&... m) {
          (
              [&] {
                using M = std::remove_cvref_t<decltype(std::declval<T&>().*(m.ptr))>;
                json s = schema_of<M>();
                // An Omittable optional is left out when empty, never sent as null (a Nullable
                // one, optional<optional<X>>, is: null is its "remove").
                if constexpr (IsOptional<M>::value && !IsNullable<M>::value)
                  if (m.presence == Presence::Omittable) s.erase("nullable");
                props[std::string(m.name)] = std::move(s);
                if (m.presence == Presence::Always) required.push_back(std::string(m.name));
              }(),
              ...);
        },
        Wire<T>::fields);
    return {{"type", "object"}, {"properties", props}, {"required", required}};
  } else {
    static_assert(sizeof(T) == 0, "no wire form for this type: give it a Wire or EnumWire specialisation");
  }
}

}  // namespace cpshare::api
