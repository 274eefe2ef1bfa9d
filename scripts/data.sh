# shellcheck shell=bash
# The real CIFAR-10 archive (sourced by build.sh): where the tests and benchmarks find it, and
# `./build.sh data`, which downloads it.
#
# KILN_CIFAR10 names the archive; by default it is ../shared/cifar10/cifar-10-binary.tar.gz
# beside the repository, else data/cifar-10-binary.tar.gz. Tests that need it print a line
# starting with SKIPPED where it is missing, and the test summary counts them as skipped.
export KILN_CIFAR10="${KILN_CIFAR10:-$ROOT/../shared/cifar10/cifar-10-binary.tar.gz}"
if [[ ! -f "$KILN_CIFAR10" && -f "$ROOT/data/cifar-10-binary.tar.gz" ]]; then
  KILN_CIFAR10="$ROOT/data/cifar-10-binary.tar.gz"
fi

fetch_data() {
  require curl "install curl (Debian/Ubuntu: apt-get install curl)"
  mkdir -p data
  local url="https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
  log "downloading $url"
  curl -fL --retry 3 -o data/cifar-10-binary.tar.gz.part "$url"
  mv data/cifar-10-binary.tar.gz.part data/cifar-10-binary.tar.gz
  log "saved data/cifar-10-binary.tar.gz"
}
