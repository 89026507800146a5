#!/bin/bash
# make check: every tier is a set of tests meson registers (tests/meson.build, tests/unit); this
# runs them tier by tier with `meson test`, shows each failing TAP line, and sums every tier's
# checks into the closing "N passed, N failed". A tier that cannot run (a failed build, no QEMU)
# says why and counts as a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log" "$log.out" "$log.tree"' EXIT
# Tests write only into build directories and temporary ones, never into the checkout: what git
# shows as changed or untracked now is compared with what it shows at the end.
in_git=false
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	in_git=true
	git status --porcelain --untracked-files=all >"$log.tree"
fi

tally() { # tier name, exit status; reads the tier's summary from $log
	local line p f
	line=$(grep -E '(^|: )[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "check: tier $1 ran no test (see above): counted as 1 failure"
		failed=$((failed + 1))
		return
	fi
	p=$(sed -E 's/.*(^|: )([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
	f=$(sed -E 's/.*(^|: )([0-9]+) passed, ([0-9]+) failed.*/\3/' <<<"$line")
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "check: tier $1 exited $2 with no failed test: counted as 1 failure"
		failed=$((failed + 1))
	fi
}

# meson_tier NAME BUILD_DIR [meson test arguments...]: the registered tests, summed.
meson_tier() {
	local name=$1 dir=$2 rc
	shift 2
	meson test -C "$dir" --no-rebuild "$@" >"$log.out" 2>&1
	rc=$?
	if [ ! -s "$dir/meson-logs/testlog.json" ]; then
		tail -n 20 "$log.out"
		echo "$name: 0 passed, 1 failed (meson test ran nothing)" | tee "$log"
		tally "$name" 1
		return
	fi
	python3 tests/meson-sum.py "$dir" "$name" ${SUM_ARGS:-} | grep -v '^# vfctl:' | tee "$log"
	tally "$name" $rc
}

echo "== unit"
meson_tier unit "$BUILD" --suite unit

echo "== clang -Werror build"
: >"$log"
if CC=clang meson setup --reconfigure "$BUILD-clang" >/dev/null 2>&1 || CC=clang meson setup "$BUILD-clang" >/dev/null 2>&1; then
	if ninja -C "$BUILD-clang" >"$log.out" 2>&1; then
		echo "clang: 1 passed, 0 failed" | tee "$log"
	else
		tail -n 30 "$log.out"
		echo "clang: 0 passed, 1 failed" | tee "$log"
	fi
else
	echo "clang: 0 passed, 1 failed (meson setup with CC=clang failed)" | tee "$log"
fi
tally clang 0

echo "== address and undefined-behaviour sanitizers (unit, fake sysfs, fake kernel)"
if { meson setup --reconfigure "$BUILD-asan" -Db_sanitize=address,undefined -Db_lundef=false >/dev/null 2>&1 ||
	meson setup "$BUILD-asan" -Db_sanitize=address,undefined -Db_lundef=false >/dev/null 2>&1; } &&
	ninja -C "$BUILD-asan" >"$log.out" 2>&1; then
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 SUM_ARGS=--sanitizers \
		meson_tier sanitizers "$BUILD-asan" --suite unit --suite fakesys
else
	tail -n 20 "$log.out"
	echo "sanitizers: 0 passed, 1 failed (build failed)" | tee "$log"
	tally sanitizers 1
fi

echo "== thread sanitizer (the fake kernel's apply: parallel PFs, stop signals, the kill matrix, the guard)"
# Reports go to files: a race in a command whose exit status a test does not check still fails.
rm -f "$BUILD-tsan"/tsan-report.*
if { meson setup --reconfigure "$BUILD-tsan" -Db_sanitize=thread -Db_lundef=false >/dev/null 2>&1 ||
	meson setup "$BUILD-tsan" -Db_sanitize=thread -Db_lundef=false >/dev/null 2>&1; } &&
	ninja -C "$BUILD-tsan" vfctl tests/fakekernel/vfctl-fake >"$log.out" 2>&1; then
	TSAN_OPTIONS="exitcode=66 log_path=$(readlink -f "$BUILD-tsan")/tsan-report" meson_tier tsan "$BUILD-tsan" fakekernel guard
	if ls "$BUILD-tsan"/tsan-report.* >/dev/null 2>&1; then
		head -n 40 "$BUILD-tsan"/tsan-report.* | sed 's/^/# /'
		echo "tsan: 0 passed, 1 failed (ThreadSanitizer reported a race, above)" | tee "$log"
		tally tsan 1
	fi
else
	tail -n 20 "$log.out"
	echo "tsan: 0 passed, 1 failed (build failed)" | tee "$log"
	tally tsan 1
fi

echo "== fuzzing (libFuzzer: crash reproducers, then 20 s per harness from the committed corpus)"
BUILD=$BUILD bash tests/fuzz/run.sh "${FUZZ_SECONDS:-20}" >"$log.out" 2>&1
rc=$?
grep -v '^ok' "$log.out" | tail -n 30
grep -E '^ok' "$log.out"
grep -E '^# fuzz: [0-9]+ passed' "$log.out" | sed 's/^# //' >"$log"
tally fuzz $rc

echo "== fake sysfs and fake kernel (read-only commands; apply, rollback and bind)"
meson_tier fakesys "$BUILD" --suite fakesys

echo "== static checks (file cycles, cppcheck)"
meson_tier static "$BUILD" --suite static

echo "== Debian packages (make deb, lintian, contents, unit sandbox)"
meson_tier package "$BUILD" --suite package

# The lab tiers as tests/meson.build registers them, in its order: one list, not two.
tiers=$(meson test -C "$BUILD" --no-rebuild --list --suite lab 2>/dev/null | sed -n 's|^[^:]*:lab / ||p')
if [ -z "$tiers" ]; then
	echo "check: meson lists no lab tier (tests/meson.build): counted as 1 failure"
	failed=$((failed + 1))
fi
for tier in $tiers; do
	echo "== $tier (real kernel, QEMU TCG)"
	meson_tier "$tier" "$BUILD" "$tier"
done

echo "== the checkout (no test writes into it)"
if $in_git; then
	new=$(git status --porcelain --untracked-files=all | grep -vxF -f "$log.tree")
	if [ -z "$new" ]; then
		echo "checkout: 1 passed, 0 failed" | tee "$log"
	else
		echo "$new" | head -n 20 | sed 's/^/# written into the checkout: /'
		echo "checkout: 0 passed, 1 failed" | tee "$log"
	fi
else
	echo "checkout: 0 passed, 1 failed (not a git checkout: cannot tell what the tests wrote)" | tee "$log"
fi
tally checkout 0

echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
