#!/usr/bin/env bash
# Second CI phase: one clang build that is both sanitized (ASan + UBSan) and coverage-instrumented
# for libFuzzer (-DSTAGEGATE_FUZZ=ON), so the tests and the fuzz targets share every object file.
# Runs the whole CTest suite under the sanitizers (unit, integration with the sanitized daemon,
# and each fuzz target for 20000 runs), fails on any sanitizer report written by any process, then
# smoke-runs every fuzz target with scripts/fuzz.sh.
#
#   scripts/test-sanitized.sh                  # what CI runs after scripts/test.sh
#   scripts/test-sanitized.sh --build-only     # configure + build only (scripts/fuzz.sh uses it)
#   scripts/test-sanitized.sh -R rtmp          # extra arguments go to ctest
#
# Environment: SANITIZED_BUILD_DIR (default build-san-ci), FUZZ_SMOKE_SECONDS per target (default
# 5; 0 skips the smoke), JOBS (default nproc), SANITIZERS (default address,undefined; scripts/fuzz.sh
# --fast builds with "undefined" only).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${SANITIZED_BUILD_DIR:-build-san-ci}
JOBS=${JOBS:-$(nproc)}
SANITIZERS=${SANITIZERS:-address,undefined}
SMOKE_SECONDS=${FUZZ_SMOKE_SECONDS:-5}
BUILD_ONLY=0
if [ "${1:-}" = "--build-only" ]; then
  BUILD_ONLY=1
  shift
fi

# clang, its sanitizer and libFuzzer runtimes, and llvm-symbolizer (file:line in the reports) are
# not in scripts/install-deps.sh: the first phase builds with g++.
PACKAGES=(clang libclang-rt-14-dev llvm)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

seconds() { date +%s; }
t0=$(seconds)
# -O1: ASan's recommended level (readable stacks, far cheaper to compile than -O2); line tables
# only: file:line in every report without the cost of full debug info.
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  -DSTAGEGATE_FUZZ=ON -DSTAGEGATE_SANITIZERS="$SANITIZERS"
cmake --build "$BUILD" -j"$JOBS"
t1=$(seconds)
echo "sanitized build: $((t1 - t0)) s (load: $(cut -d' ' -f1-3 /proc/loadavg))"
[ "$BUILD_ONLY" -eq 1 ] && exit 0

# This phase means "under ASan and UBSan": a build without either runtime (a SANITIZERS override,
# a broken CMake option) would otherwise pass every test without checking anything.
for runtime in __asan_init __ubsan_handle_add_overflow_abort; do
  if ! grep -q " $runtime\$" <(nm "$BUILD/gateway/stagegate"); then
    echo "$BUILD/gateway/stagegate lacks $runtime: not an ASan+UBSan build" >&2
    exit 1
  fi
done

# Every sanitizer report of every process (unit tests, the daemons the integration tests start,
# sg_push, the fuzz targets) lands in REPORTS as <tool>.<executable>.<pid>: a report in a daemon
# fails this phase even where the test that started the daemon did not notice.
REPORTS=$ROOT/$BUILD/sanitizer-reports
rm -rf "$REPORTS"
mkdir -p "$REPORTS"
export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer)}
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:log_path=$REPORTS/asan:log_exe_name=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$REPORTS/ubsan:log_exe_name=1"
# Tests whose assertion is meaningless under ASan (resident memory: the allocator keeps freed
# blocks in quarantine) skip it when they see this.
export STAGEGATE_SANITIZED=1
if [ -f tests/sanitizers/lsan.supp ]; then
  export LSAN_OPTIONS="suppressions=$ROOT/tests/sanitizers/lsan.supp:print_suppressions=0"
fi

status=0
ctest --test-dir "$BUILD" --output-on-failure --timeout 900 -j"$JOBS" "$@" || status=1
t2=$(seconds)
echo "sanitized ctest: $((t2 - t1)) s (load: $(cut -d' ' -f1-3 /proc/loadavg))"

report_files=$(find "$REPORTS" -type f | sort)
if [ -n "$report_files" ]; then
  echo "SANITIZER REPORTS:"
  for f in $report_files; do
    echo "===== $f"
    cat "$f"
  done
  status=1
fi

if [ "$SMOKE_SECONDS" -gt 0 ]; then
  scripts/fuzz.sh --build-dir "$BUILD" --seconds "$SMOKE_SECONDS" || status=1
  echo "fuzz smoke: $(($(seconds) - t2)) s (load: $(cut -d' ' -f1-3 /proc/loadavg))"
fi
exit $status
