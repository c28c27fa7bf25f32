# Turns INPUT into a C++ source defining cpshare::api::openapi_yaml().
file(READ ${INPUT} content)
set(delim "cpshare_openapi_")
file(WRITE ${OUTPUT} "// Generated from docs/openapi.yaml by lib/embed.cmake; do not edit.\n#include \"api/openapi_doc.hpp\"\nnamespace cpshare::api {\nstd::string_view openapi_yaml() {\n  static constexpr char doc[] = R\"${delim}(${content})${delim}\";\n  return {doc, sizeof(doc) - 1};\n}\n}  // namespace cpshare::api\n")
