// Pure validators for registration and profile input. Each returns an empty
// string when the value is fine, otherwise a message that says what to fix.
// They check values already normalised (normalize::field: NFKC, trimmed), and
// every length they report is in characters (code points), never bytes.
#pragma once

#include <string>
#include <string_view>

namespace cpshare::validate {

// GB 11643-1999 citizen ID: 18 chars, 17 digits + check (digit or X/x),
// valid birth date (YYYYMMDD, not in the future, year ≥ 1800: numbers issued to people
// born before 1900 exist), ISO 7064 MOD 11-2 check.
std::string national_id(std::string_view id);
// GB 32100-2015 unified social credit code: 18 chars of 0-9 A-H J-N P-R T-U W-Y,
// check character by the standard's weights (mod 31).
std::string credit_code(std::string_view code);
// Practical email syntax: local@domain, domain with a dot, ≤ 254 chars, no spaces.
std::string email(std::string_view email);
// Mainland mobile: 11 digits starting 1[3-9]; an optional +86 / 86 prefix is allowed
// (normalise first with normalize_phone).
std::string phone(std::string_view phone);
std::string normalize_phone(std::string_view phone);  // strips +86, spaces, dashes
// 3–32 characters, starts with a letter a-z/A-Z, then such letters, digits, '_',
// '-', '.' (Chinese characters are refused with a hint to use pinyin). Case is
// kept for display; matching is by normalize::username_key.
std::string username(std::string_view username);
// ≥ 8 chars (code points), ≤ 128 bytes, not in the common-password list
// (case-insensitive), not equal to / not containing the username (case-insensitive).
std::string password(std::string_view password, std::string_view username);
bool is_common_password(std::string_view password);
// Non-empty after trimming, valid UTF-8, ≤ max_chars code points, no control chars.
std::string text(std::string_view value, std::size_t max_chars);
bool valid_utf8(std::string_view s);

// Detect licence file type from content: "application/pdf", "image/png",
// "image/jpeg", or "" when it is none of those.
std::string sniff_licence_type(std::string_view content);

}  // namespace cpshare::validate

namespace cpshare::mask {
std::string id_number(std::string_view id);       // 1101**********002X
std::string phone(std::string_view phone);        // 138****8000
std::string credit_code(std::string_view code);   // 9135**********Y43 (first 4, last 3)
std::string bank_account(std::string_view acct);  // ****1234
std::string email(std::string_view email);        // a***e@example.org
}  // namespace cpshare::mask
