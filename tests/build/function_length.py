#!/usr/bin/env python3
"""No function over about 80 lines (issue 10, point 3).

Lists every function body in lib/, daemon/ and cli/ longer than MAX_LINES and fails
naming file:line, the function and its length. A function's length counts the lines
from its signature to its closing brace; lambdas and local classes count toward the
function that contains them. Functions are found by matching braces after comments,
string, character and raw string literals are blanked out, so a brace in a literal or
a comment does not count: a definition is a `{` at namespace or class scope whose
declaration has a parameter list (member functions defined in a class count as well).
Variables initialised with a lambda at namespace scope count as functions too.
tests/ are exempt. Data tables are data, not logic: they are allowed by name below.

Usage: function_length.py SOURCE_DIR      scan SOURCE_DIR/{lib,daemon,cli}
       function_length.py --self-test     only the checks on the samples below
The scan runs the self-test first, so a broken scanner cannot pass the tree.
"""
import re
import sys
from pathlib import Path

MAX_LINES = 80
SCANNED = ("lib", "daemon", "cli")

# (file relative to the source dir, function name): why it may be longer.
ALLOWED = {
    # Data, not logic: an area's rows of the one command table (drives dispatch, help, man
    # page, completions), kept in its cmd_<area>.cpp and joined by commands() in commands.cpp.
    ("lib/clicmd/cmd_catalog.cpp", "catalog_commands"): "the catalogue's command rows",
    ("lib/clicmd/cmd_lease.cpp", "lease_commands"): "the leases' command rows",
    # Data, not logic: the numbered schema migrations, one SQL text each.
    ("lib/store/migrations.cpp", "migrations"): "the migrations list",
}


def blank_literals(text: str) -> str:
    """text with comments and the contents of literals replaced by spaces (newlines kept),
    so offsets and line numbers stay those of the source. Preprocessor lines are blanked."""
    out = list(text)
    i, n = 0, len(text)
    at_line_start = True

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        if c == "\n":
            at_line_start = True
            i += 1
            continue
        if at_line_start and c in " \t":
            i += 1
            continue
        if at_line_start and c == "#":  # a directive, with its continuation lines
            j = i
            while j < n and text[j] != "\n":
                if text[j] == "\\" and j + 1 < n and text[j + 1] == "\n":
                    j += 2
                    continue
                j += 1
            blank(i, j)
            i = j
            continue
        at_line_start = False
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            blank(i, j)
            i = j
        elif c == "R" and i + 1 < n and text[i + 1] == '"' and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_") or text[i - 1] in "uU8L"):
            open_paren = text.find("(", i + 2)
            delim = text[i + 2:open_paren]
            end = text.find(")" + delim + '"', open_paren)
            end = n if end < 0 else end + len(delim) + 2
            blank(i + 1, end)
            i = end
        elif c == '"' or (c == "'" and not (i > 0 and text[i - 1].isalnum())):  # 1'000 is a number
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            blank(i, min(j + 1, n))
            i = j + 1
        else:
            i += 1
    return "".join(out)


IDENT = r"(?:~?[A-Za-z_]\w*|operator\s*(?:\(\s*\)|\[\s*\]|[^\s(]+|\w[\w\s:<>*&]*?))"
NAME = re.compile(r"((?:[A-Za-z_]\w*(?:<[^()<>]*>)?\s*::\s*)*" + IDENT + r")\s*$")
ACCESS = re.compile(r"\b(?:public|private|protected)\s*:(?!:)")
SCOPE = re.compile(r"\b(namespace|class|struct|union|enum|extern)\b")


def strip_angles(header: str) -> str:
    """The header with template<...> parameter lists and [[attributes]] removed."""
    header = re.sub(r"\[\[.*?\]\]", " ", header, flags=re.S)
    while True:
        m = re.search(r"\btemplate\s*<", header)
        if not m:
            return header
        depth, j = 1, m.end()
        while j < len(header) and depth:
            depth += {"<": 1, ">": -1}.get(header[j], 0)
            j += 1
        header = header[:m.start()] + " " + header[j:]


def top_level(header: str):
    """Yield (index, char) of the header's characters outside (), [] and {} (the
    outermost brackets themselves included)."""
    depth = 0
    for k, ch in enumerate(header):
        if ch in ")]}":
            depth -= 1
        if depth == 0:
            yield k, ch
        if ch in "([{":
            depth += 1


def classify(header: str):
    """What the `{` after this declaration opens at namespace/class scope:
    ('scope', None), ('function', name) or ('data', None)."""
    h = strip_angles(header).strip()
    tops = "".join(ch for _, ch in top_level(h))
    if re.fullmatch(r"(?:inline\s+)?namespace\b[^(]*|extern\s*", h):  # extern "C" { (its string blanked)
        return ("scope", None)
    if re.match(r"extern\b", h):  # extern "C" void f(...) {
        h = h[len("extern"):].lstrip()
        tops = "".join(ch for _, ch in top_level(h))
    if SCOPE.search(tops) and "(" not in tops.split("=")[0]:
        return ("scope", None)
    # A top-level `=` that is an assignment (not ==, !=, <=, >=, nor part of an operator's name).
    eq = [k for k, ch in top_level(h)
          if ch == "=" and h[k - 1:k] not in ("=", "!", "<", ">") and h[k + 1:k + 2] != "="
          and not re.search(r"\boperator\s*\S*$", h[:k])]
    if eq:
        init = h[eq[0] + 1:].lstrip()
        if init.startswith("["):  # a lambda bound to a name at namespace scope
            m = NAME.search(h[:eq[0]].rstrip())
            return ("function", m.group(1) if m else "(lambda)")
        return ("data", None)
    first_paren = next((k for k, ch in top_level(h) if ch == "("), None)
    if first_paren is None:
        return ("data", None)  # Type name{...}: a braced initialiser
    m = NAME.search(h[:first_paren])
    name = re.sub(r"\s+", "", m.group(1)) if m else "(unnamed)"
    return ("function", name)


def ctor_init_open(header: str) -> bool:
    """True when the header ends inside a constructor's member-initialiser list at a
    member's braced initialiser, as in `Foo::Foo() : a_{` (not the body's `{`)."""
    h = strip_angles(header)
    close = None
    for k, ch in top_level(h):
        if ch == ")":
            close = k
    if close is None:
        return False
    rest = h[close + 1:]
    return re.match(r"\s*(?:noexcept\s*)?:(?!:)", rest) is not None and re.search(r"[\w>]\s*$", rest) is not None


def functions(text: str):
    """Yield (first line, last line, name) of each function defined in text (1-based)."""
    clean = blank_literals(text)
    line_of = [0] * (len(clean) + 1)
    line = 1
    for k, ch in enumerate(clean):
        line_of[k] = line
        if ch == "\n":
            line += 1
    line_of[len(clean)] = line

    def close_of(k):  # index of the `}` matching the `{` at k
        depth = 0
        for j in range(k, len(clean)):
            if clean[j] == "{":
                depth += 1
            elif clean[j] == "}":
                depth -= 1
                if depth == 0:
                    return j
        return len(clean) - 1

    def walk(start, end):
        header_start = start
        k = start
        while k < end:
            ch = clean[k]
            if ch in ";}":
                header_start = k + 1
            elif ch == "(" or ch == "[":  # a parenthesised part of a declaration
                depth, j = 0, k
                pair = {"(": ")", "[": "]"}[ch]
                while j < end:
                    if clean[j] == ch:
                        depth += 1
                    elif clean[j] == pair:
                        depth -= 1
                        if depth == 0:
                            break
                    j += 1
                k = j
            elif ch == "{":
                header = clean[header_start:k]
                close = close_of(k)
                if ctor_init_open(header):
                    k = close + 1
                    continue
                kind, name = classify(header)
                if kind == "scope":
                    yield from walk(k + 1, close)
                elif kind == "function":
                    access = list(ACCESS.finditer(header))  # ` public:` before a member
                    skip = access[-1].end() if access else 0
                    first = header_start + skip + (len(header[skip:]) - len(header[skip:].lstrip()))
                    yield (line_of[first], line_of[close], name)
                k = close
                header_start = close + 1
            k += 1

    yield from walk(0, len(clean))


def long_functions(text: str, limit: int = MAX_LINES):
    for first, last, name in functions(text):
        if last - first + 1 > limit:
            yield first, name, last - first + 1


SAMPLE = r'''// a sample in the tree's style
#include <string>
#define BRACE {
namespace cpshare {
namespace {
constexpr std::string_view kScript = R"SH(x() {
})SH";
const char* kBrace = "{";
char open = '{';
int big = 1'000'000;
}  // namespace

/* a comment with { */
Result<int> short_one(int a, std::string_view b = "}") {
  auto f = [&](int x) {
    return x + 1;
  };
  return f(a);
}

template <class T>
[[nodiscard]] std::vector<T> Widget<T>::longer(const T& t) const {
  struct Local {
    int x;
  };
  if (t) {
    return {};
  }
  return {t};
}

Widget::Widget(int a) : a_{a}, b_(a) {
  run();
}

class Inline {
 public:
  int get() const {
    return 1;
  }
};

const auto kLambda = [](int x) {
  return x;
};
const std::vector<int> kTable = {
    1,
    2,
};
bool operator==(const A& a, const B& b) {
  return true;
}
extern "C" void on_signal(int sig) {
  handle(sig);
}
extern "C" {
int c_function(void) {
  return 0;
}
}
}  // namespace cpshare
'''


def self_test() -> list[str]:
    got = list(functions(SAMPLE))
    want = [(14, 19, "short_one"), (21, 30, "Widget<T>::longer"), (32, 34, "Widget::Widget"),
            (38, 40, "get"), (43, 45, "kLambda"), (50, 52, "operator=="),
            (53, 55, "on_signal"), (57, 59, "c_function")]
    errors = []
    if got != want:
        errors.append(f"self-test: found {got}, expected {want}")
    long = list(long_functions(SAMPLE, limit=9))
    if long != [(21, "Widget<T>::longer", 10)]:
        errors.append(f"self-test: over 9 lines found {long}, expected Widget<T>::longer (10) only")
    return errors


def main(argv) -> int:
    errors = self_test()
    if argv[1:] == ["--self-test"] or errors:
        for error in errors:
            print("FAIL:", error, file=sys.stderr)
        if not errors:
            print("self-test passed")
        return 1 if errors else 0
    root = Path(argv[1])
    count = 0
    used = set()
    for folder in SCANNED:
        for path in sorted((root / folder).rglob("*.[ch]pp")):
            rel = path.relative_to(root).as_posix()
            for first, name, length in long_functions(path.read_text(encoding="utf-8")):
                count += 1
                if (rel, name) in ALLOWED:
                    used.add((rel, name))
                    continue
                errors.append(f"{rel}:{first}: {name} is {length} lines (at most {MAX_LINES}): "
                              f"split it into named steps")
    for stale in sorted(set(ALLOWED) - used):
        errors.append(f"{stale[0]}: {stale[1]} is allowed in function_length.py but is no longer "
                      f"over {MAX_LINES} lines (or is gone): remove it from ALLOWED")
    for error in errors:
        print("FAIL:", error, file=sys.stderr)
    if not errors:
        print(f"no function in {', '.join(SCANNED)} over {MAX_LINES} lines "
              f"except {len(used)} allowed ({count} long in all)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
