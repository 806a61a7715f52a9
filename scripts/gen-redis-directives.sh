#!/usr/bin/env bash
# Writes the table of Redis directives (what `skipkv-server --redis-directives` prints, from
# Sources/SkipKVServer/RedisDirective.swift) into docs/OPERATIONS.md, between its
# redis-directives markers. Run it after changing that table: DocumentedDefaultsTests fails
# while the document and the binary differ.
# Usage: scripts/gen-redis-directives.sh   (uses $SKIPKV_SERVER_BINARY, else builds skipkv-server)
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z ${SKIPKV_SERVER_BINARY:-} ]]; then
    swift build --product skipkv-server
    SKIPKV_SERVER_BINARY=$(swift build --show-bin-path)/skipkv-server
fi
table=$("$SKIPKV_SERVER_BINARY" --redis-directives)
python3 - "$table" <<'PY'
import sys
sys.path.insert(0, "scripts/lib")
from replace_section import replace_section
replace_section("docs/OPERATIONS.md", "redis-directives",
                "<!-- redis-directives:begin -->\n" + sys.argv[1] + "\n<!-- redis-directives:end -->")
PY
echo "gen-redis-directives: wrote the redis-directives section of docs/OPERATIONS.md"
