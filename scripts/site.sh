# shellcheck shell=bash
# The static site (sourced by build.sh): `./build.sh site [--data PATH]` builds dist/ ready to
# upload to any static host (docs/publishing.md).
#
#   dist/sw.js      the service worker, stamped with the site's version (stamp_site)
#   dist/data/      with --data: CIFAR-10 as one ~28 MB .tar.gz per batch and manifest.json
#                   (names, sizes, SHA-256), which the page's "Load CIFAR-10 from this site" reads
#
# --data without a path takes the official archive where the tests find it ($KILN_CIFAR10,
# scripts/data.sh). Without --data, a dist/data/ left by an earlier build is removed, and the page
# says where to get the official archive.

# stamp_site DIR: DIR/sw.js from www/sw.js, with the version (a hash of DIR's files) and the
# files it keeps for offline use. Runs last when a site is assembled (scripts/wasm.sh).
stamp_site() {
  node scripts/site.mjs stamp "$1"
}

build_site() {
  local data="" want_data=0
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --data)
        want_data=1
        if [[ $# -gt 1 && "$2" != --* ]]; then data=$2; shift; fi
        ;;
      --data=*) want_data=1 data=${1#--data=} ;;
      *)
        echo "usage: ./build.sh site [--data [PATH]]   (PATH: cifar-10-binary.tar.gz, default \$KILN_CIFAR10)" >&2
        exit 2
        ;;
    esac
    shift
  done
  if [[ "$want_data" == 1 ]]; then
    data=${data:-$KILN_CIFAR10}
    if [[ ! -f "$data" ]]; then
      echo "error: no CIFAR-10 archive at $data: ./build.sh data downloads it, or pass --data PATH" >&2
      exit 1
    fi
  fi
  # The site is built before the dataset is split, so a failed build leaves dist/ as it was.
  build_web
  if [[ "$want_data" == 1 ]]; then
    log "splitting $data into dist/data/"
    node scripts/site.mjs data "$data" dist
  else
    rm -rf dist/data
  fi
  log "dist/ is ready to upload: $(du -sh dist | cut -f1) (docs/publishing.md)"
}
