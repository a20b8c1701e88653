#!/usr/bin/env bash
# Runs every libFuzzer target (tests/fuzz/*_fuzz.cpp), one after the other, each from a fresh
# scratch copy of its seed corpus (tests/fuzz/corpus/<name>/ is only read), and prints
#   target  execs  exec/s  new-coverage  crashes
# new-coverage: edges covered at the end minus edges covered by the seeds (new inputs kept).
# Builds the sanitized fuzzing build first if needed (scripts/test-sanitized.sh --build-only).
#
#   scripts/fuzz.sh --seconds 30                          # smoke (CI: 5 s per target)
#   nice -n 19 scripts/fuzz.sh --seconds 3600             # long run: an hour per target
#   scripts/fuzz.sh --runs 10000000 amf0 chunk_reader     # a fixed number of runs, two targets
#
#   scripts/fuzz.sh --runs 5000000 --corpus ~/sg-corpus config   # grow a kept corpus run after run
#
#   scripts/fuzz.sh --fast --runs 10000000 --corpus ~/sg-corpus validator  # UBSan-only build
#   scripts/fuzz.sh --runs 0 --corpus ~/sg-corpus validator       # replay that corpus under ASan
#
# Options: --seconds N | --runs N (0: only run the corpus); --build-dir BUILD (default build-fuzz);
# --fast: UBSan without ASan, in build-fuzz-fast unless --build-dir says otherwise (ASan maps every
# large allocation afresh, which makes the targets that drive libavcodec several times slower);
# --corpus KEEP: each target's corpus is KEEP/<target>, seeded from tests/fuzz/corpus on first use
# and kept, so a long campaign can run in pieces (new-coverage then counts from that kept corpus).
# A crash stops that target (libFuzzer stops at the first one); its input is kept as
# BUILD/fuzz-runs/artifacts/<target>-crash-* and the script exits non-zero. Each target's log:
# BUILD/fuzz-runs/<target>/fuzz.log.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=""
SANITIZERS=address,undefined
LIMIT=(-max_total_time=30)
TARGETS=()
KEEP=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) LIMIT=(-max_total_time="$2"); shift 2 ;;
    --runs) LIMIT=(-runs="$2"); shift 2 ;;
    --build-dir) BUILD=$2; shift 2 ;;
    --corpus) KEEP=$(realpath -m "$2"); shift 2 ;;
    --fast) SANITIZERS=undefined; shift ;;
    -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) TARGETS+=("$1"); shift ;;
  esac
done
if [ -z "$BUILD" ]; then
  BUILD=build-fuzz
  [ "$SANITIZERS" = undefined ] && BUILD=build-fuzz-fast
fi
if [ ${#TARGETS[@]} -eq 0 ]; then
  for src in tests/fuzz/*_fuzz.cpp; do
    name=$(basename "$src" .cpp)
    TARGETS+=("${name%_fuzz}")
  done
fi

# (Re)configure unless BUILD is already a fuzzing build with these sanitizers: --fast on an ASan
# build, or a replay on a --fast build, must not quietly run with the other set.
cache=$BUILD/CMakeCache.txt
if ! grep -q '^STAGEGATE_FUZZ:BOOL=ON$' "$cache" 2>/dev/null ||
  ! grep -q "^STAGEGATE_SANITIZERS:STRING=$SANITIZERS\$" "$cache"; then
  SANITIZERS=$SANITIZERS SANITIZED_BUILD_DIR=$BUILD scripts/test-sanitized.sh --build-only
else
  cmake --build "$BUILD" -j"${JOBS:-$(nproc)}" --target "${TARGETS[@]/%/_fuzz}"
fi

RUNS=$ROOT/$BUILD/fuzz-runs
ARTIFACTS=$RUNS/artifacts
mkdir -p "$ARTIFACTS"
# Reports go to the target's log (not to a log_path a caller may have exported); leaks count.
export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer || true)}
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

stat_of() { sed -n "s/^stat::$1: *//p" "$2" | tail -1; }
echo "fuzzing ${#TARGETS[@]} targets, ${LIMIT[*]} each, -fsanitize=$SANITIZERS; load: $(cut -d' ' -f1-3 /proc/loadavg)"
table=$(printf '%-16s %12s %8s %13s %8s' target execs exec/s new-coverage crashes)
status=0
total=0
for t in "${TARGETS[@]}"; do
  bin=$BUILD/tests/fuzz/${t}_fuzz
  seeds=tests/fuzz/corpus/$t
  work=$RUNS/$t
  rm -rf "$work" "$ARTIFACTS/$t-"*
  corpus=$work/corpus
  [ -n "$KEEP" ] && corpus=$KEEP/$t
  if [ ! -d "$corpus" ]; then
    mkdir -p "$corpus"
    cp -R "$seeds/." "$corpus/"
  fi
  mkdir -p "$work"
  rc=0
  "$bin" "${LIMIT[@]}" -max_len=65536 -timeout=25 -print_final_stats=1 \
    -artifact_prefix="$ARTIFACTS/$t-" "$corpus" >"$work/fuzz.log" 2>&1 || rc=$?
  log=$work/fuzz.log
  execs=$(stat_of number_of_executed_units "$log")
  rate=$(stat_of average_exec_per_sec "$log")
  cov0=$(sed -n 's/.*INITED cov: \([0-9]*\).*/\1/p' "$log" | head -1)
  cov1=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' "$log" | tail -1)
  newcov="+$(( ${cov1:-0} - ${cov0:-0} )) ($(stat_of new_units_added "$log") in)"
  crashes=0
  if [ "$rc" -ne 0 ]; then
    crashes=1
    status=1
    echo "== $t exited with $rc; the end of $log:"
    tail -60 "$log"
  fi
  total=$((total + ${execs:-0}))
  line=$(printf '%-16s %12s %8s %13s %8s' "$t" "${execs:-?}" "${rate:-?}" "$newcov" "$crashes")
  echo "$line"
  table+=$'\n'"$line"
done
echo
echo "$table"
echo "total executions: $total; load: $(cut -d' ' -f1-3 /proc/loadavg)"
ls "$ARTIFACTS"/* 2>/dev/null && echo "(crash/timeout inputs above)"
exit $status
