#!/usr/bin/env bash
# check-imports.sh: every module a target imports is one of its declared dependencies in
# Package.swift (a target must not rely on what its dependencies happen to import), and no
# target depends on a module it never imports, except test targets on the executables they
# run (the dependency makes `swift test` build them), listed below.
# Modules of the toolchain (Glibc, Foundation, XCTest, Synchronization, …) need no declaration.
# Usage: scripts/check-imports.sh; exits 1 and lists the mismatches when there are any.
set -euo pipefail
cd "$(dirname "$0")/.."
swift package dump-package >"${TMPDIR:-/tmp}/skipkv-package.json"
python3 - "${TMPDIR:-/tmp}/skipkv-package.json" <<'PY'
import glob, json, re, sys

toolchain = {"Glibc", "Darwin", "Foundation", "FoundationEssentials", "XCTest", "Dispatch",
             "Synchronization", "Testing", "os"}
package = json.load(open(sys.argv[1]))
# Test target -> executable targets it runs rather than imports.
runs = {"SkipKVServerTests": {"SkipKVServerMain"}, "SkipKVClientTests": {"SkipKVCLI"}}
importLine = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*import\s+(?:(?:struct|class|enum|func|var|let|protocol|typealias)\s+)?(\w+)")
problems = []
for target in package["targets"]:
    if target["type"] == "system":
        continue
    name = target["name"]
    path = target.get("path") or ("Tests/" if target["type"] == "test" else "Sources/") + name
    declared = {list(d.values())[0][0] for d in target["dependencies"]}
    imported = {}
    for file in sorted(glob.glob(path + "/**/*.swift", recursive=True)):
        for line in open(file):
            match = importLine.match(line)
            if match:
                imported.setdefault(match.group(1), file)
    for module, file in sorted(imported.items()):
        if module not in declared and module not in toolchain and module != name:
            problems.append(f"{name}: {file} imports {module}, which is not among its dependencies")
    for module in sorted(declared - set(imported) - runs.get(name, set())):
        problems.append(f"{name}: depends on {module} but never imports it")
for problem in problems:
    print(problem)
print(f"check-imports: {len(package['targets'])} targets, {len(problems)} problems")
sys.exit(1 if problems else 0)
PY
