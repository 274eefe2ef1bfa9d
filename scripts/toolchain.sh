# shellcheck shell=bash
# The tools the jobs need (sourced by build.sh). Each ensure_* installs what it can without
# asking (rustup components, `cargo install`, `npm ci`, Debian packages when run as root) and
# otherwise stops with a message that says how to install the missing tool.

# require COMMAND HOW: stop unless COMMAND is on the PATH.
require() {
  if ! command -v "$1" >/dev/null; then
    echo "error: $1 not found: $2" >&2
    exit 1
  fi
}

# Node.js 20.11 or later: the browser tests use node's test runner and import.meta.dirname.
ensure_node() {
  require node "install Node.js 20.11 or later (https://nodejs.org/ or your package manager)"
  local version
  version=$(node -p 'process.versions.node')
  if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a == 20 && b >= 11) ? 0 : 1)'; then
    echo "error: Node.js $version is too old: Kiln's scripts and browser tests need 20.11 or later (https://nodejs.org/)" >&2
    exit 1
  fi
}

# Rust as rust-toolchain.toml pins it, with rustfmt and clippy.
ensure_rust() {
  require cargo "install Rust with rustup (https://rustup.rs/)"
  require rustup "install Rust with rustup (https://rustup.rs/); Kiln needs rustup for its wasm32 target and nightly"
  if ! rustup show active-toolchain >/dev/null 2>&1; then
    log "installing the Rust toolchain rust-toolchain.toml names"
    rustup toolchain install
  fi
  for component in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
      log "installing rustup component $component"
      rustup component add "$component"
    fi
  done
}

# The wasm32 target, wasm-bindgen-cli at the version Cargo.lock pins, and the npm packages
# (uPlot, idb, playwright-core, binaryen's wasm-opt, TensorFlow.js for the bench) from
# package-lock.json.
ensure_web_tools() {
  ensure_rust
  if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
    log "installing the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  local want have=""
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  if command -v wasm-bindgen >/dev/null; then have=$(wasm-bindgen --version | awk '{print $2}'); fi
  if [[ "$have" != "$want" ]]; then
    log "installing wasm-bindgen-cli $want (Cargo.lock's wasm-bindgen)"
    cargo install wasm-bindgen-cli --version "$want"
  fi
  ensure_node
  require npm "install npm (it comes with Node.js: https://nodejs.org/)"
  if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
    log "npm ci"
    npm ci --no-audit --no-fund
  fi
}

# The nightly Rust of the multi-threaded build (wasm atomics rebuild the standard library, which
# takes nightly and its rust-src), pinned by date so that a nightly's regression cannot break the
# build. A toolchain named plain `nightly` is used when it is that date's. KILN_NIGHTLY names
# another toolchain. Prints the toolchain's name; fails, with a warning, where it cannot be had:
# the build then goes on without threads.
NIGHTLY_DATE=2026-10-30
ensure_nightly() {
  local nightly=${KILN_NIGHTLY:-nightly-$NIGHTLY_DATE} sysroot
  if [[ -z "${KILN_NIGHTLY:-}" ]] && ! rustup toolchain list | grep -q "^$nightly-"; then
    sysroot=$(rustc +nightly --print sysroot 2>/dev/null || true)
    if [[ -n "$sysroot" ]] && grep -qx "date = \"$NIGHTLY_DATE\"" "$sysroot/lib/rustlib/multirust-channel-manifest.toml" 2>/dev/null; then
      nightly=nightly
    fi
  fi
  local installed=0 host
  host=$(rustc -vV | sed -n 's/^host: //p')
  if rustup toolchain list | grep -qE "^$nightly(-$host)?( |$)"; then installed=1; fi
  if ((installed)) && ! rustup component list --toolchain "$nightly" --installed 2>/dev/null | grep -q '^rust-src'; then
    log "adding rust-src to Rust $nightly (for the multi-threaded build)"
    rustup component add --toolchain "$nightly" rust-src >&2 || installed=0
  elif ! ((installed)); then
    log "installing Rust $nightly with rust-src (for the multi-threaded build)"
    if rustup toolchain install "$nightly" --profile minimal --component rust-src >&2; then installed=1; fi
  fi
  if ! ((installed)); then
    log "WARNING: no Rust $nightly with rust-src: building without the multi-threaded variant (the CPU path will use one thread)"
    return 1
  fi
  echo "$nightly"
}

ensure_wasm_pack() {
  if ! command -v wasm-pack >/dev/null; then
    log "installing wasm-pack"
    cargo install wasm-pack --version 0.15.1
  fi
}

# Chromium and its driver, for the browser tests (Debian's packages when run as root).
# CHROMIUM names another Chromium for the node tests; wasm-pack takes chromedriver from the PATH.
ensure_chromium() {
  if [[ -x "${CHROMIUM:-/usr/bin/chromium}" ]] && command -v chromedriver >/dev/null; then return; fi
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    log "installing chromium and chromium-driver"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "error: Chromium not found: install Chromium and its driver (Debian/Ubuntu: apt-get install chromium chromium-driver), or set CHROMIUM to a Chromium binary and put chromedriver on the PATH" >&2
    exit 1
  fi
}

# The other engines of the browser tests: Firefox ESR with geckodriver, WebKitGTK's WebDriver
# (it needs an X server: Xvfb) and Mesa's software Vulkan (lavapipe), on which Firefox's WebGPU
# runs without a GPU. Debian's packages when run as root, geckodriver with cargo. Not fatal:
# without them the tests of those engines are reported as skipped, with the reason.
ensure_browsers() {
  local packages=() package
  for package in firefox-esr webkit2gtk-driver xvfb mesa-vulkan-drivers; do
    if ! dpkg -s "$package" >/dev/null 2>&1; then packages+=("$package"); fi
  done
  if ((${#packages[@]})) && command -v apt-get >/dev/null; then
    if [[ $(id -u) -eq 0 ]]; then
      log "installing ${packages[*]} (Firefox and WebKit for the browser tests)"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
    else
      log "WARNING: ${packages[*]} not installed: the Firefox and WebKit tests will be skipped (sudo apt-get install ${packages[*]})"
    fi
  fi
  if ! command -v geckodriver >/dev/null; then
    if command -v cargo >/dev/null; then
      log "installing geckodriver (cargo install geckodriver --locked)"
      cargo install geckodriver --locked
    else
      log "WARNING: geckodriver not found: the Firefox tests will be skipped (cargo install geckodriver --locked)"
    fi
  fi
}

# A Vulkan driver for the native GPU tests (crate/tests/gpu.rs). Where Linux has none and we are
# root with apt, Mesa's: lavapipe, Vulkan in software, which runs anywhere. Once a driver is
# there, KILN_REQUIRE_GPU=1 makes those tests fail, not skip, when no adapter comes up.
ensure_vulkan() {
  [[ $(uname -s) == Linux ]] || return 0
  if ! compgen -G "/usr/share/vulkan/icd.d/*.json" >/dev/null && ! compgen -G "/etc/vulkan/icd.d/*.json" >/dev/null; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      log "installing mesa-vulkan-drivers (lavapipe: Vulkan in software, for the native GPU tests)"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mesa-vulkan-drivers libvulkan1 >/dev/null
    else
      log "no Vulkan driver: the native GPU tests are skipped (Debian/Ubuntu: apt-get install mesa-vulkan-drivers libvulkan1)"
      return 0
    fi
  fi
  export KILN_REQUIRE_GPU=1
}
