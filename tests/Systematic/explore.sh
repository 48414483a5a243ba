#!/usr/bin/env bash
# Explores every systematic scenario with the Coyote CLI, for a time budget per scenario and strategy,
# and prints per run: iterations, iterations/s and bugs found. Exit 2 if any run found a bug.
#
#   bash tests/Systematic/explore.sh [--seconds N] [--strategies "prioritization probabilistic random q-learning"]
#                                    [--filter TEXT] [--canaries] [--no-build]
#
# Scenarios are found from their [Test] attributes under tests/Systematic/Scenarios (and Canaries
# with --canaries, whose runs are expected to find bugs). Reports and .trace files of runs that
# found a bug are kept in artifacts/coyote-explore/<Method>/<strategy>/, each with its replay command.
set -uo pipefail
cd "$(dirname "$0")/../.."

seconds=20
strategies="prioritization probabilistic random q-learning"
filter=""
canaries=0
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --strategies) strategies="$2"; shift 2 ;;
    --filter) filter="$2"; shift 2 ;;
    --canaries) canaries=1; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 64 ;;
  esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 COYOTE_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dll=tests/Systematic/bin/Debug/net10.0/Pool.Tests.Systematic.dll
out=artifacts/coyote-explore

if [ "$build" -eq 1 ]; then
  dotnet tool restore >/dev/null || exit 1
  dotnet build tests/Systematic -v quiet -nologo >/dev/null || { echo "build failed" >&2; exit 1; }
fi
[ -f "$dll" ] || { echo "$dll is missing: build tests/Systematic first" >&2; exit 1; }

# Namespace.Class.Method of every [Test] entry point.
list_methods() {
  local folder file ns cls
  for folder in "$@"; do
    for file in tests/Systematic/"$folder"/*.cs; do
      ns=$(sed -n 's/^namespace \([A-Za-z0-9_.]*\);.*/\1/p' "$file" | head -1)
      awk -v ns="$ns" '
        /public static class [A-Za-z0-9_]+/ { match($0, /class [A-Za-z0-9_]+/); cls = substr($0, RSTART + 6, RLENGTH - 6) }
        /\[Test\]/ { want = 1 }
        want && /public static Task [A-Za-z0-9_]+\(/ { match($0, /Task [A-Za-z0-9_]+/); print ns "." cls "." substr($0, RSTART + 5, RLENGTH - 5); want = 0 }
      ' "$file"
    done
  done
}

folders="Scenarios"
[ "$canaries" -eq 1 ] && folders="Scenarios Canaries"
# shellcheck disable=SC2086
methods=$(list_methods $folders | grep -F -- "$filter" || true)
[ -n "$methods" ] || { echo "no scenario matches '$filter'" >&2; exit 1; }

count=$(echo "$methods" | wc -l)
runs=$((count * $(echo "$strategies" | wc -w)))
echo "Exploring $count scenarios x strategies ($strategies), ${seconds}s each: about $((runs * seconds / 60 + 1)) minutes."
printf '%-90s %-15s %10s %8s %5s\n' "scenario" "strategy" "iterations" "iter/s" "bugs"

status=0
for method in $methods; do
  for strategy in $strategies; do
    dir="$out/${method##*.}/$strategy"
    rm -rf "$dir"; mkdir -p "$dir"
    dotnet coyote test "$dll" -m "$method" -t "$seconds" -s "$strategy" -ms 3000 -o "$dir" >"$dir/log.txt" 2>&1
    code=$?
    iterations=$(sed -n 's/.*Explored \([0-9]*\) .*/\1/p' "$dir/log.txt" | tail -1)
    bugs=$(sed -n 's/.*Found \([0-9]*\) bugs\{0,1\}\..*/\1/p' "$dir/log.txt" | tail -1)
    elapsed=$(sed -n 's/.*Elapsed \([0-9.]*\) sec.*/\1/p' "$dir/log.txt" | tail -1)
    rate=$(awk -v i="${iterations:-0}" -v e="${elapsed:-0}" 'BEGIN { if (e > 0) printf "%.0f", i / e; else print "-" }')
    printf '%-90s %-15s %10s %8s %5s\n' "$method" "$strategy" "${iterations:-?}" "$rate" "${bugs:-?}"
    if [ "${bugs:-0}" != "0" ] || [ "$code" -ne 0 ]; then
      status=2
      trace=$(find "$dir" -name '*.trace' | head -1)
      [ -n "$trace" ] && echo "    replay: dotnet coyote replay $dll $trace -m $method"
      [ -z "$trace" ] && echo "    exit code $code; see $dir/log.txt"
    fi
  done
done
exit $status
