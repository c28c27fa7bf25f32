// Getting values from the person or the script: flags, stdin, terminal prompts.
// Prompts happen only on a terminal; off a terminal a missing value is a usage
// error that names the flag to pass.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/accounts.hpp"
#include "clicmd/context.hpp"
#include "util/error.hpp"

namespace cpshare::clicmd {

inline constexpr std::uintmax_t kMaxLicenceBytes = api::kMaxLicenceBytes;
// Reads a licence file as a registration sends it (its base name, its bytes in base64). Refuses files over 5 MiB and
// content that is not PDF, PNG or JPEG (VALIDATION_FAILED on field "licence").
// A non-negative decimal integer ("12"); nothing for anything else ("", "-1", "1.5", "12x").
std::optional<std::int64_t> whole_number(std::string_view s);

Result<api::LicenceUpload> read_licence(const std::filesystem::path& file);

// A check returns "" when the value is fine, else what to fix (the validate:: functions fit).
using Check = std::function<std::string(std::string_view)>;
Check one_of(std::vector<std::string> choices);

// Collects a command's input and remembers every missing flag and bad value,
// so that one error names them all.
class Form {
 public:
  explicit Form(Context& ctx) : ctx_(ctx) {}

  // The value of `flag`, else (terminal) asked as `label` until `check` passes,
  // else recorded as missing. Flag values that fail `check` are recorded as invalid.
  // The value is normalised as the server does (normalize::field: NFKC, trimmed)
  // before `check` sees it and before it is sent, so full-width input from a
  // Chinese input method passes the same checks here as there.
  std::string required(std::string_view flag, std::string_view field, std::string_view label, const Check& check = {});
  // As required, for a file path: used as given, never normalised.
  std::string file(std::string_view flag, std::string_view field, std::string_view label, const Check& check);
  // As required, but an empty answer or an absent flag off a terminal means "none".
  std::optional<std::string> optional(std::string_view flag, std::string_view field, std::string_view label,
                                      const Check& check = {});
  // A new password: --password-stdin (one line), else (terminal) asked twice without echo.
  std::string new_password(std::string_view username);
  void invalid(std::string field, std::string message);
  void missing(std::string flag);
  bool complete() const { return missing_.empty() && invalid_.empty(); }

  // Missing values → a usage error naming the flags; else invalid values →
  // VALIDATION_FAILED with every field.
  Result<> finish() const;

 private:
  std::optional<std::string> ask_until_valid(std::string_view label, const Check& check, bool allow_empty);
  Context& ctx_;
  bool normalise_ = true;
  std::vector<std::string> missing_;
  std::vector<FieldError> invalid_;
};

// One line from stdin for --password-stdin / --code-stdin; a usage error at end of input.
Result<std::string> stdin_line(Context& ctx, std::string_view flag);
// The current password: one line of --password-stdin, else asked without echo on a
// terminal, else a usage error naming --password-stdin.
Result<std::string> read_password(Context& ctx, std::string_view prompt);
// A new password, asked twice on a terminal until both agree and `check` passes.
Result<std::string> ask_new_password(Context& ctx, std::string_view prompt, const Check& check);
// A value given by `flag`, else asked on a terminal, else a usage error naming the flag.
Result<std::string> flag_or_ask(Context& ctx, std::string_view flag, std::string_view prompt, bool secret = false);
// A y/N question on the terminal; anything but y/yes is no.
bool confirm(Context& ctx, std::string_view question);

}  // namespace cpshare::clicmd
