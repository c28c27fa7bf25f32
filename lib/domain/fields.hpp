// Reads a JSON request body field by field, collecting every problem so the
// caller answers VALIDATION_FAILED once with all offending fields. Unknown
// fields are errors (a typo must not pass silently). Bounded (issue 9): it
// keeps kMaxFieldErrors errors and counts the rest, and echoes an unknown
// key's first kMaxEchoedKey bytes, so a body of 650,000 unknown keys costs a
// count, not a list.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/error.hpp"

namespace cpshare::api {

// Whether a JSON number is a whole number no 64-bit signed integer holds
// (JSON parsers give those as a float, or past INT64_MAX as unsigned): say the
// field's range to the sender, never "an integer", and never read it wrapped.
bool beyond_int64(const nlohmann::json& v);

using json = nlohmann::json;

class Fields {
 public:
  // `body` must be an object; `allowed` lists every accepted key.
  Fields(const json& body, std::initializer_list<std::string_view> allowed);

  bool has(std::string_view name) const;
  // A string field. Required and missing/empty → error. Normalised to NFKC and
  // trimmed (normalize::field: the full-width forms of Chinese input methods
  // become ASCII) before it is checked, so every reader of the value sees one
  // spelling; max_chars counts characters. For identifiers, codes, names,
  // regions and other short values.
  std::optional<std::string> text(std::string_view name, bool required, std::size_t max_chars = 256);
  // As text, for prose (a reason, a note): NFC only (normalize::prose), so
  // full-width Chinese punctuation stays as written.
  std::optional<std::string> prose(std::string_view name, bool required, std::size_t max_chars);
  // As text, for a new password: trimmed but otherwise the bytes as given
  // (a password's hash is of its bytes; a login sends them unchanged).
  std::optional<std::string> secret(std::string_view name, bool required, std::size_t max_chars);
  std::optional<std::int64_t> integer(std::string_view name, bool required, std::int64_t min, std::int64_t max);
  std::optional<bool> boolean(std::string_view name, bool required);
  // A nested object (nullptr when absent; error when required or not an object).
  const json* object(std::string_view name, bool required);
  // A field that must not be present in this context.
  void forbid(std::string_view name, std::string_view why);

  // Keeps the error while fewer than kMaxFieldErrors are kept; counts it either way.
  void error(std::string field, std::string message);
  bool ok() const { return errors_.empty(); }
  // The errors kept (at most kMaxFieldErrors).
  std::vector<FieldError>& errors() { return errors_; }
  // Every error reported, kept or not: compare before and after a check to see whether it failed.
  std::size_t error_count() const { return errors_.size() + dropped_; }
  // VALIDATION_FAILED with the kept field errors, then "(more)": "and N more" when some were dropped.
  Error failure() const;

  // An unknown key is named by at most this many bytes of it.
  static constexpr std::size_t kMaxEchoedKey = 64;

 private:
  std::optional<std::string> string_field(std::string_view name, bool required, std::size_t max_chars,
                                          std::string (*normalise)(std::string_view));
  const json& body_;
  bool not_object_ = false;  // then failure() names only that, not every field as missing
  std::vector<FieldError> errors_;
  std::size_t dropped_ = 0;
};

}  // namespace cpshare::api
