// The registration agreement and privacy policy that registration shows and
// the user accepts (R-USER-1, §6.3.2.2). Changing the text means a new version.
#pragma once

#include <string_view>

namespace cpshare::terms {
inline constexpr std::string_view kVersion = "2026-11-01";
std::string_view agreement();
std::string_view privacy();
}  // namespace cpshare::terms
