// The one form typed text is validated, stored and matched in (issue 8, kind 1).
// People type with Chinese input methods, which give full-width forms:
// "１３８００１３８００５" for a phone number, "Ｘ" for the check character of an ID
// number, U+3000 for a space. These are the same text as their ASCII forms,
// so the server's request reader (api::Fields) and the CLI's input (clicmd::Form)
// pass every field through field() before a validator sees it. Pure; no I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cpshare::normalize {

// Unicode NFKC (Unicode 15, libutf8proc), then trimmed of ASCII white space
// (NFKC has turned U+3000 and U+00A0 into U+0020). "１１０１…００２Ｘ" →
// "1101…002X", "＋８６ １３８…" → "+86 138…". Invalid UTF-8 is only trimmed:
// the validators then name it. For identifiers, names, regions, codes and
// short values; passwords are never normalised (their hash is of the bytes).
std::string field(std::string_view typed);

// Prose (a reason, a note): NFC only, then trimmed, so full-width Chinese
// punctuation (，：（）) stays as written while equal text gets equal bytes.
std::string prose(std::string_view typed);

// The key a username is matched on: NFKC_Casefold (NFKC, Unicode case
// folding, default-ignorable code points removed). "alice", "Alice", "ALICE"
// and "ａｌｉｃｅ" all give "alice". Stored as accounts.username_key; the
// username itself keeps the spelling its owner chose, for display.
std::string username_key(std::string_view username);

// Characters (Unicode code points) in UTF-8 text; a malformed byte counts as
// one. What every message that reports a length counts.
std::size_t characters(std::string_view s);

}  // namespace cpshare::normalize
