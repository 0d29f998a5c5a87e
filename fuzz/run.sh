#!/usr/bin/env bash
# Runs the decoder's fuzz target for SECONDS (make fuzz FUZZ_TIME=SECONDS;
# test/run.sh runs it as one counted step of make test).
#
#   fuzz/run.sh SECONDS
#
# Seeds are cut from ../shared/fixtures/binlog and test/unit/data into
# build/fuzz/seeds.PID; the growing corpus is kept in build/fuzz/corpus
# between runs; a crashing, leaking or hanging input is written to
# build/fuzz/crashes/. The log is build/fuzz/run.PID.log (copied to
# build/fuzz/last.log at the end).
# Prints "N executions ... clean" and "1 passed, 0 failed", or the finding
# and "0 passed, 1 failed" (exit 1). FUZZ_JOBS=2 runs two fuzzing processes.
set -u
cd "$(dirname "$0")/.."
secs=${1:-60}
dir=build/fuzz
mkdir -p "$dir/corpus" "$dir/crashes"
# Several runs may share build/fuzz (make test's short run beside a long
# make fuzz): each has its own seeds and log; the corpus is shared.
seeds="$dir/seeds.$$"
log="$dir/run.$$.log"
trap 'rm -rf "$seeds" "$log"' EXIT
"$dir/mkseeds" "$seeds" ../shared/fixtures/binlog test/unit/data fuzz/corpus 2>/dev/null | tail -n 1
jobs=()
[ "${FUZZ_JOBS:-1}" -gt 1 ] && jobs=(-fork="$FUZZ_JOBS" -ignore_crashes=0)
"$dir/fuzz_binlog" "${jobs[@]}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
  -max_len=32768 -print_final_stats=1 -artifact_prefix="$dir/crashes/" \
  "$dir/corpus" "$seeds" >"$log" 2>&1
rc=$?
cp "$log" "$dir/last.log"
# One process prints its final stats; with -fork the parent's last "#N: cov:"
# line counts the executions of all its jobs.
execs=$(grep -E 'stat::number_of_executed_units' "$log" | awk '{s+=$2} END{print s+0}')
forked=$(grep -E '^#[0-9]+: cov:' "$log" | tail -n 1 | sed -E 's/^#([0-9]+):.*/\1/')
[ -n "$forked" ] && execs=$forked
if [ $rc -eq 0 ]; then
  echo "fuzz: $execs executions in ${secs}s, clean (corpus $(ls "$dir/corpus" | wc -l) inputs)"
  echo "1 passed, 0 failed"
  exit 0
fi
grep -E 'ERROR|SUMMARY|runtime error|Test unit written|MVB_ERROR without|#[0-9]+ 0x' "$log" | head -n 40
echo "fuzz: a finding after $execs executions (exit $rc); full log $dir/last.log"
echo "0 passed, 1 failed"
exit 1
