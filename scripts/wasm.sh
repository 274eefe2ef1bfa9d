# shellcheck shell=bash
# The web app (sourced by build.sh): three wasm builds of the crate, one per device, and the
# static site in dist/ (relative URLs only, so it can be copied to any static host).
#
#   dist/pkg/          WebGPU alone (no CPU path), fetched only when the page tries WebGPU
#   dist/pkg-cpu/      the CPU path, single-threaded: where the page starts
#   dist/pkg-threads/  the CPU path on a pool of Web Workers, for cross-origin isolated pages
#
# Environment: KILN_WASM_OPT=0 skips wasm-opt -O3 on the CPU modules (bigger, not wrong; the
# tests do), KILN_THREADS=0 skips the multi-threaded build, KILN_WASM_PROFILE builds all three
# with one Cargo profile (say `wasm-release`: LTO and one codegen unit, slow to link), KILN_CHECKS=1
# adds the `checks` feature to all three: the kernels' checks that the browser tests call through
# the page's `?test` hooks (crate/src/web/checks.rs). The shipped modules go without.

# wasm-opt's passes for the WebGPU module, chosen for its gzipped size in seconds rather than
# minutes, so the tests run them too: identical functions merged, then functions that differ
# only in constants (cubecl's many near-identical kernel generators), then functions ordered by
# name, which puts each generic family together where gzip finds the repeats.
# docs/performance.md has the sizes, and why not -O3 or -Oz.
WEBGPU_PASSES="--duplicate-function-elimination --merge-similar-functions --duplicate-function-elimination \
  --merge-similar-functions --duplicate-function-elimination --remove-unused-module-elements --reorder-functions-by-name"

# optimise_wasm FILE PROFILE PASSES: wasm-opt in place. Its output is kept per hash of input and
# passes, so a rebuild of unchanged Rust code (say, after editing only www/) reuses it. The `dev`
# profile skips it, and so does KILN_WASM_OPT=0 for -O3.
optimise_wasm() {
  local file=$1 profile=$2 passes=$3 hash cache
  if [[ "$profile" == dev ]]; then return; fi
  if [[ "$passes" == -O3 && "${KILN_WASM_OPT:-1}" == 0 ]]; then return; fi
  hash=$( (sha256sum "$file"; echo "$passes") | sha256sum | cut -c1-16)
  cache="$TARGET_DIR/wasm-opt-cache/$hash.wasm"
  if [[ ! -f "$cache" ]]; then
    log "wasm-opt $(basename "$(dirname "$file")")/$(basename "$file")"
    mkdir -p "$(dirname "$cache")"
    # shellcheck disable=SC2086 # $passes is a list of flags
    node_modules/.bin/wasm-opt $passes --strip-debug --strip-producers --enable-simd --enable-bulk-memory \
      --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-threads \
      --enable-reference-types --enable-multivalue "$file" -o "$cache.part"
    mv "$cache.part" "$cache"
  fi
  cp "$cache" "$file"
}

# checks_feature: ",checks" to add to a build's features where KILN_CHECKS=1, else nothing.
checks_feature() {
  if [[ "${KILN_CHECKS:-0}" == 1 ]]; then echo ",checks"; fi
}

# bind_wasm WASM OUT PROFILE [PASSES]: the JS glue for a compiled module into the folder OUT,
# then wasm-opt (-O3 unless PASSES are given).
bind_wasm() {
  wasm-bindgen --target web --no-typescript --out-dir "$2" "$1"
  optimise_wasm "$2/kiln_bg.wasm" "$3" "${4--O3}"
}

# The WebGPU module: no burn flex (`--no-default-features --features webgpu`), in its own
# profile (`wasm-webgpu` in Cargo.toml), size passes only.
build_web_webgpu() {
  local profile=$1 out=$2 wasm="$TARGET_DIR/wasm32-unknown-unknown/$1/kiln.wasm"
  log "building the WebGPU wasm module (profile $profile)"
  cargo build --locked --target wasm32-unknown-unknown --profile "$profile" --lib -p kiln \
    --no-default-features --features "webgpu$(checks_feature)"
  # wasm-ld wraps every export in a call to the module's static constructors (cubecl's hundreds
  # of registrations) unless the module calls them itself, once (crate/src/web/constructors.rs).
  # The wrappers are named in the module as linked; finding one means that call went missing.
  if grep -q 'command_export' "$wasm"; then
    echo "error: the WebGPU module runs its static constructors on every call from JS (wasm-ld's command_export wrappers): see crate/src/web/constructors.rs" >&2
    exit 1
  fi
  bind_wasm "$wasm" "$out" "$profile" "$WEBGPU_PASSES"
}

# The CPU path alone, single-threaded.
build_web_cpu() {
  local profile=$1 out=$2
  log "building the CPU-only wasm module (profile $profile)"
  CARGO_TARGET_DIR="$TARGET_DIR/cpu" cargo build --locked --target wasm32-unknown-unknown \
    --profile "$profile" --lib -p kiln --no-default-features --features "cpu$(checks_feature)"
  bind_wasm "$TARGET_DIR/cpu/wasm32-unknown-unknown/$profile/kiln.wasm" "$out" "$profile"
}

# The CPU path with wasm threads (wasm-bindgen-rayon): nightly Rust, atomics and a rebuilt std.
# Without nightly the app stays single-threaded, which the page says.
build_web_threads() {
  local profile=$1 out=$2 nightly
  if [[ "${KILN_THREADS:-1}" == 0 ]]; then
    log "skipping the multi-threaded build (KILN_THREADS=0): the CPU path will use one thread"
    return
  fi
  nightly=$(ensure_nightly) || return 0
  log "building the multi-threaded wasm module (Rust $nightly, atomics, profile $profile)"
  # RUSTFLAGS replaces .cargo/config.toml's flags, so it repeats them. The link arguments (for
  # the module only) make its memory shared and imported, with a maximum of 4 GiB (the wasm32
  # limit, as the single-threaded module may grow to), and export the thread-local storage
  # symbols wasm-bindgen's thread support needs.
  CARGO_TARGET_DIR="$TARGET_DIR/threads" \
    RUSTFLAGS='--cfg getrandom_backend="wasm_js" -C target-feature=+simd128,+atomics,+bulk-memory,+mutable-globals' \
    cargo "+$nightly" rustc --locked -Z build-std=std,panic_abort --target wasm32-unknown-unknown \
    --profile "$profile" --lib -p kiln --no-default-features --features "threads$(checks_feature)" -- \
    -C link-arg=--shared-memory -C link-arg=--import-memory -C link-arg=--max-memory=4294967296 \
    -C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size \
    -C link-arg=--export=__tls_align -C link-arg=--export=__tls_base
  bind_wasm "$TARGET_DIR/threads/wasm32-unknown-unknown/$profile/kiln.wasm" "$out" "$profile"
}

# The three modules and the site, built in dist.tmp/ and swapped in whole, so dist/ is never
# half-built.
build_web() {
  ensure_web_tools
  require sha256sum "install GNU coreutils"
  require gzip "install gzip"
  local profile=${KILN_WASM_PROFILE:-release} gpu_profile=${KILN_WASM_PROFILE:-wasm-webgpu}
  rm -rf dist.tmp && mkdir -p dist.tmp
  build_web_webgpu "$gpu_profile" dist.tmp/pkg
  build_web_cpu "$profile" dist.tmp/pkg-cpu
  build_web_threads "$profile" dist.tmp/pkg-threads
  assemble_site dist.tmp
  rm -rf dist && mv dist.tmp dist
  report_sizes
}

# assemble_site DIR: the page (all of www/, folders included) and the vendored npm files
# beside the modules in DIR, a dataset that was placed in dist/data for "Load from URL", and
# the service worker stamped with the site's version.
assemble_site() {
  local out=$1
  cp -r www/. "$out/"
  # The type checker's configuration and declarations: for tsc, not for the browser.
  rm -rf "$out/jsconfig.json" "$out/types"
  mkdir -p "$out/vendor"
  cp node_modules/uplot/dist/uPlot.esm.js node_modules/uplot/dist/uPlot.min.css "$out/vendor/"
  cp node_modules/idb/build/index.js "$out/vendor/idb.js"
  cp node_modules/katex/dist/katex.mjs "$out/vendor/katex.js"
  cp -r node_modules/katex/dist/katex.min.css node_modules/katex/dist/fonts "$out/vendor/"
  if [[ -d dist/data ]]; then mv dist/data "$out/"; fi
  # Last: the service worker's version hashes the files above (scripts/site.sh).
  stamp_site "$out"
}

# What a page downloads: each module's size, raw and gzipped.
report_sizes() {
  local pkg file
  log "dist/: $(du -sh dist | cut -f1)"
  for pkg in pkg pkg-cpu pkg-threads; do
    file=dist/$pkg/kiln_bg.wasm
    if [[ -f "$file" ]]; then
      log "$pkg/kiln_bg.wasm $(du -h "$file" | cut -f1) ($(gzip -9 -c "$file" | wc -c) bytes gzipped)"
    fi
  done
}
