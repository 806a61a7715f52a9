# Installing the Debian packages a command needs when they are missing; sourced (bash) by
# scripts/run-server.sh and scripts/test.sh:
#   need_build_packages        what `swift build` of this package needs besides the toolchain
#   need_command CMD PACKAGE   PACKAGE, when CMD is not on the PATH
#   install_needed_packages    apt-get installs everything found missing (as root, else sudo)

needed_packages=()

need_build_packages() {
    need_command pkg-config pkg-config
    pkg-config --exists libuv 2>/dev/null || needed_packages+=(libuv1-dev)
    # skipkv-cli's line editing.
    pkg-config --exists libedit 2>/dev/null || needed_packages+=(libedit-dev)
}

need_command() {
    command -v "$1" >/dev/null || needed_packages+=("$2")
}

install_needed_packages() {
    [ ${#needed_packages[@]} -gt 0 ] || return 0
    echo "==> installing ${needed_packages[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${needed_packages[@]}" >/dev/null
}

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}
