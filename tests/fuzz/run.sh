#!/bin/bash
# The libFuzzer harnesses (tests/fuzz/*.c), as TAP: builds them with clang in $BUILD-fuzz, runs each
# one's crash reproducers (tests/fuzz/regressions/HARNESS/), then fuzzes it for SECONDS from the
# committed corpus (tests/fuzz/corpus/HARNESS/; new inputs go to a temporary directory, never the
# checkout). A crash fails the harness and leaves the input under $BUILD-fuzz/artifacts/.
# Usage: tests/fuzz/run.sh SECONDS       (make check: 20; make fuzz: FUZZ_SECONDS, default 600)
#        tests/fuzz/run.sh --seeds       (writes the netlink seeds again)
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
dir=$BUILD-fuzz
harnesses=(fuzz-config fuzz-netlink fuzz-pcicfg fuzz-kmsg fuzz-journal)
n=0
failed=0
say() { sed 's/^/# /'; }
tap() { # ok|not-ok text
	n=$((n + 1))
	if [ "$1" = ok ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
finish() {
	echo "1..$n"
	echo "# fuzz: $((n - failed)) passed, $failed failed"
	exit $((failed > 0))
}

mkdir -p "$dir"
if ! { CC=clang meson setup --reconfigure "$dir" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
	-Dc_args=-fsanitize=fuzzer-no-link >"$dir/fuzz-setup.log" 2>&1 ||
	CC=clang meson setup "$dir" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fsanitize=fuzzer-no-link >"$dir/fuzz-setup.log" 2>&1; } ||
	! ninja -C "$dir" "${harnesses[@]/#/tests/fuzz/}" tests/fuzz/fuzz-seeds >"$dir/fuzz-build.log" 2>&1; then
	tail -n 20 "$dir/fuzz-setup.log" "$dir/fuzz-build.log" 2>/dev/null | say
	tap not-ok "the harnesses build with clang and libFuzzer (-fsanitize=fuzzer)"
	finish
fi
if [ "${1:-}" = --seeds ]; then
	exec "$dir/tests/fuzz/fuzz-seeds" tests/fuzz/corpus/fuzz-netlink
fi
seconds=${1:?usage: run.sh SECONDS}
art=$(readlink -f "$dir")/artifacts
mkdir -p "$art"
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
for h in "${harnesses[@]}"; do
	exe=$dir/tests/fuzz/$h
	reg=tests/fuzz/regressions/$h
	if [ -d "$reg" ] && ls "$reg"/* >/dev/null 2>&1; then
		if "$exe" "$reg"/* >"$dir/$h.regressions.log" 2>&1; then
			tap ok "$h: every crash reproducer in $reg runs clean ($(ls "$reg" | wc -l))"
		else
			grep -E "ERROR|SUMMARY|Running:" "$dir/$h.regressions.log" | head -n 10 | say
			tap not-ok "$h: every crash reproducer in $reg runs clean"
		fi
	fi
	new=$(mktemp -d)
	"$exe" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$art/$h-" "$new" "tests/fuzz/corpus/$h" >"$dir/$h.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/$h.log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/$h.log" | tail -n 1)
	rm -rf "$new"
	if [ "$rc" -eq 0 ] && [ -n "$execs" ]; then
		tap ok "$h: ${execs} executions in ${seconds} s (${rate}/s), no crash, leak or undefined behaviour"
	else
		grep -E "ERROR|SUMMARY|#[0-9]+ 0x|Test unit written" "$dir/$h.log" | head -n 20 | say
		tap not-ok "$h: fuzzed ${seconds} s without a finding (input saved under $art)"
	fi
done
finish
