#include "api/envelope.hpp"

#include "util/text.hpp"

namespace cpshare::api {

namespace {

ErrorField bounded(const FieldError& f) {
  return {text::clip(f.field, kMaxFieldName), text::clip(f.message, kMaxFieldMessage)};
}

}  // namespace

ErrorEnvelope to_error_envelope(const Error& e) {
  ErrorEnvelope env;
  env.error.code = std::string(error_code_name(e.code));
  env.error.message = text::clip(e.message, kMaxErrorMessage);
  if (!e.fields.empty()) {
    // Fields::failure already capped its list (its last entry counts the
    // rest); a longer list, built elsewhere, is capped here without a copy.
    const std::size_t n = e.fields.size();
    const std::size_t shown = n <= kMaxFieldErrors + 1 ? n : kMaxFieldErrors;
    auto& fields = env.error.fields.emplace();
    fields.reserve(shown + 1);
    for (std::size_t i = 0; i < shown; ++i) fields.push_back(bounded(e.fields[i]));
    if (shown < n) fields.push_back(bounded(cap_field_errors({}, n - shown).front()));
  }
  if (e.retry_after > 0) env.error.retry_after = e.retry_after;
  return env;
}

nlohmann::json error_envelope(const Error& e) { return encode(to_error_envelope(e)); }

Result<Error> read_error_envelope(const nlohmann::json& doc, int http_status) {
  auto env = decode<ErrorEnvelope>(doc);
  if (!env)
    return fail(ErrorCode::Internal, fmt::format("the daemon answered HTTP {} with a malformed error: {}", http_status,
                                                 env.error().message));
  ErrorBody& body = env->error;
  Error err;
  err.code = error_code_from_name(body.code).value_or(ErrorCode::Internal);
  err.message = std::move(body.message);
  if (err.message.empty()) err.message = "the server answered " + (body.code.empty() ? "an error" : body.code);
  if (body.fields)
    for (ErrorField& f : *body.fields) err.fields.push_back({std::move(f.field), std::move(f.message)});
  err.retry_after = body.retry_after.value_or(0);
  return err;
}

}  // namespace cpshare::api
