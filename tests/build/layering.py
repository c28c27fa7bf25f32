#!/usr/bin/env python3
"""The layering of lib/ as the build links it (ARCHITECTURE.md, Rules; issue 10, point 7).

Reads BUILD/layers.txt, written by lib/CMakeLists.txt (one line per layer:
target|its sources relative to lib/|the cpshare_ targets it links), and fails when
  - a file in lib/ includes a header of another layer that its own target does not
    link (so a header from a higher layer, or one that would pull SQLite, libssh or
    liboath into the CLI, cannot creep in unnoticed), or
  - the layers' links form a cycle.
A header belongs to the target that builds the .cpp of the same name, else to the
target named after its folder (lib/store/guarded.hpp: cpshare_store).
Usage: layering.py LIB_DIR BUILD/layers.txt
"""
import re
import sys
from pathlib import Path


def main(lib_dir: Path, table: Path) -> int:
    owner = {}  # path relative to lib/ without extension -> target
    deps = {}
    for line in table.read_text().splitlines():
        target, sources, links = line.split("|")
        deps[target] = set(links.split())
        for source in sources.split():
            owner[str(Path(source).with_suffix(""))] = target

    def owner_of(rel: Path) -> str | None:
        stem = str(rel.with_suffix(""))
        if stem in owner:
            return owner[stem]
        folder = "cpshare_" + rel.parts[0]
        return folder if folder in deps else None

    errors = []
    include = re.compile(r'^\s*#\s*include\s+"([a-z_]+/[^"]+)"', re.M)
    for path in sorted(lib_dir.glob("*/*.[ch]pp")):
        rel = path.relative_to(lib_dir)
        mine = owner_of(rel)
        if mine is None:
            errors.append(f"lib/{rel}: its folder has no target in lib/CMakeLists.txt")
            continue
        for header in include.findall(path.read_text(encoding="utf-8")):
            theirs = owner_of(Path(header))
            if theirs is None or theirs == mine or theirs in deps[mine]:
                continue
            errors.append(f"lib/{rel} includes {header} ({theirs}), which {mine} does not link: "
                          f"link it in lib/CMakeLists.txt if ARCHITECTURE.md's layering allows it, "
                          f"else move the declaration down a layer")

    # Depth-first search for a cycle among the cpshare_ links.
    state = {}

    def visit(node, trail):
        state[node] = "open"
        for dep in sorted(deps.get(node, ())):
            if state.get(dep) == "open":
                if any(e.startswith("the layers form a cycle") for e in errors):
                    continue  # one cycle is enough to name
                cycle = trail[trail.index(dep):] + [dep] if dep in trail else [node, dep]
                errors.append("the layers form a cycle: " + " -> ".join(cycle))
            elif dep not in state:
                visit(dep, trail + [dep])
        state[node] = "done"

    for node in sorted(deps):
        if node not in state:
            visit(node, [node])

    for error in errors:
        print("FAIL:", error, file=sys.stderr)
    if not errors:
        print(f"{len(deps)} layers, {sum(len(d) for d in deps.values())} links, no cycle; "
              f"every include in lib/ is of a linked layer")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
