#include "clicmd/input.hpp"

#include "crypto/crypto.hpp"

#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>

#include "domain/normalize.hpp"
#include "domain/validate.hpp"
#include "util/text.hpp"

namespace cpshare::clicmd {

namespace fs = std::filesystem;

std::optional<std::int64_t> whole_number(std::string_view s) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || n < 0) return std::nullopt;
  return n;
}

Result<api::LicenceUpload> read_licence(const fs::path& file) {
  auto bad = [&](std::string why) { return fail_fields({{"licence", file.string() + ": " + why}}); };
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (ec) return bad("cannot read (" + ec.message() + ")");
  if (size > kMaxLicenceBytes)
    return bad("is " + std::to_string(size) + " bytes; the limit is 5 MiB (" + std::to_string(kMaxLicenceBytes) +
               " bytes)");
  std::ifstream in(file, std::ios::binary);
  std::ostringstream content;
  if (!(in && content << in.rdbuf()) && size > 0) return bad("cannot read");
  const std::string bytes = content.str();
  if (validate::sniff_licence_type(bytes).empty()) return bad("is not a PDF, PNG or JPEG file");
  return api::LicenceUpload{file.filename().string(), crypto::base64_encode(bytes)};
}

Check one_of(std::vector<std::string> choices) {
  return [choices = std::move(choices)](std::string_view v) -> std::string {
    std::string list;
    for (const auto& c : choices) {
      if (c == v) return {};
      list += (list.empty() ? "" : ", ") + c;
    }
    return "must be one of: " + list;
  };
}

std::optional<std::string> Form::ask_until_valid(std::string_view label, const Check& check, bool allow_empty) {
  for (;;) {
    auto answer = ctx_.io.console.ask(std::string(label) + (allow_empty ? " (optional): " : ": "));
    if (!answer) return std::nullopt;
    std::string value = normalise_ ? normalize::field(*answer) : text::trim(*answer);
    if (value.empty()) {
      if (allow_empty) return value;
      ctx_.io.err << "  a value is required\n";
      continue;
    }
    if (check) {
      if (std::string why = check(value); !why.empty()) {
        ctx_.io.err << "  " << why << "\n";
        continue;
      }
    }
    return value;
  }
}

std::string Form::required(std::string_view flag, std::string_view field, std::string_view label, const Check& check) {
  if (auto v = ctx_.args.get(flag)) {
    const std::string value = normalise_ ? normalize::field(*v) : *v;
    if (check)
      if (std::string why = check(value); !why.empty()) invalid(std::string(field), why);
    return value;
  }
  if (ctx_.interactive())
    if (auto v = ask_until_valid(label, check, false)) return *v;
  missing(std::string(flag));
  return {};
}

std::optional<std::string> Form::optional(std::string_view flag, std::string_view field, std::string_view label,
                                          const Check& check) {
  if (auto v = ctx_.args.get(flag)) {
    const std::string value = normalise_ ? normalize::field(*v) : *v;
    if (check)
      if (std::string why = check(value); !why.empty()) invalid(std::string(field), why);
    return value;
  }
  if (ctx_.interactive())
    if (auto v = ask_until_valid(label, check, true); v && !v->empty()) return *v;
  return std::nullopt;
}

std::string Form::file(std::string_view flag, std::string_view field, std::string_view label, const Check& check) {
  normalise_ = false;
  std::string path = required(flag, field, label, check);
  normalise_ = true;
  return path;
}

std::string Form::new_password(std::string_view username) {
  const Check check = [u = std::string(username)](std::string_view p) { return validate::password(p, u); };
  if (ctx_.args.has("--password-stdin")) {
    auto line = stdin_line(ctx_, "--password-stdin");
    if (!line) {
      missing("--password-stdin (one line on stdin)");
      return {};
    }
    if (std::string why = check(*line); !why.empty()) invalid("password", why);
    return *line;
  }
  if (ctx_.interactive()) {
    auto pw = ask_new_password(ctx_, "Password", check);
    if (pw) return *pw;
  }
  missing("--password-stdin");
  return {};
}

void Form::invalid(std::string field, std::string message) {
  invalid_.push_back({std::move(field), std::move(message)});
}

void Form::missing(std::string flag) { missing_.push_back(std::move(flag)); }

Result<> Form::finish() const {
  if (!missing_.empty()) {
    std::string list;
    for (const auto& f : missing_) list += (list.empty() ? "" : ", ") + f;
    std::string msg = "missing required values; pass " + list;
    if (!ctx_.interactive()) msg += " (stdin is not a terminal, so nothing is asked)";
    return std::unexpected(Error{ErrorCode::ValidationFailed, std::move(msg), invalid_, 0});
  }
  if (!invalid_.empty()) return fail_fields(invalid_);
  return {};
}

Result<std::string> stdin_line(Context& ctx, std::string_view flag) {
  auto line = read_line(ctx.io.in);
  if (!line) return usage_error(std::string(flag) + ": nothing to read on stdin");
  return *line;
}

Result<std::string> read_password(Context& ctx, std::string_view prompt) {
  if (ctx.args.has("--password-stdin")) return stdin_line(ctx, "--password-stdin");
  if (!ctx.interactive()) return usage_error("pass the password with --password-stdin (stdin is not a terminal)");
  auto pw = ctx.io.console.ask_secret(std::string(prompt) + ": ");
  if (!pw) return usage_error("no password given");
  return *pw;
}

Result<std::string> ask_new_password(Context& ctx, std::string_view prompt, const Check& check) {
  for (;;) {
    auto first = ctx.io.console.ask_secret(std::string(prompt) + ": ");
    if (!first) return usage_error("no password given");
    if (check)
      if (std::string why = check(*first); !why.empty()) {
        ctx.io.err << "  " << why << "\n";
        continue;
      }
    auto again = ctx.io.console.ask_secret("Repeat " + text::to_lower_ascii(prompt) + ": ");
    if (!again) return usage_error("no password given");
    if (*first == *again) return *first;
    ctx.io.err << "  the two entries differ; try again\n";
  }
}

Result<std::string> flag_or_ask(Context& ctx, std::string_view flag, std::string_view prompt, bool secret) {
  if (auto v = ctx.args.get(flag)) return *v;
  if (!ctx.interactive())
    return usage_error("pass " + std::string(flag) + " (stdin is not a terminal, so nothing is asked)");
  const std::string p = std::string(prompt) + ": ";
  auto answer = secret ? ctx.io.console.ask_secret(p) : ctx.io.console.ask(p);
  if (!answer || text::trim(*answer).empty()) return usage_error("no value given for " + std::string(flag));
  return text::trim(*answer);
}

bool confirm(Context& ctx, std::string_view question) {
  if (!ctx.interactive()) return false;
  auto answer = ctx.io.console.ask(std::string(question) + " [y/N] ");
  if (!answer) return false;
  const std::string a = text::to_lower_ascii(text::trim(*answer));
  return a == "y" || a == "yes";
}

}  // namespace cpshare::clicmd
