#!/bin/bash
# make check: every tier, each ending in "N passed, N failed"; the sums close the run. A tier that
# cannot run (lab without QEMU, a failed build) says why and counts as a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

tally() { # tier name, then reads the tier's output
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

echo "== unit"
: >"$log"
units=$(find "$BUILD/tests/unit" -maxdepth 1 -type f -name 'test-*' -perm -u+x | sort)
for t in $units; do
	DATA_DIR=tests/unit/data "$t" | tee -a "$log" | grep -v '^ok'
done
# Sum the unit binaries' own lines into one.
n=$(wc -w <<<"$units")
awk -v n="$n" '/: [0-9]+ passed, [0-9]+ failed/ { p += $(NF-3); f += $(NF-1); k++ }
	END { if (k < n || n == 0) f++; printf "unit: %d passed, %d failed\n", p, f }' "$log" | tee "$log.sum"
mv "$log.sum" "$log"
tally unit 0

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
rm -f "$log.out"
tally clang 0

echo "== address and undefined-behaviour sanitizers (unit + fake sysfs)"
: >"$log"
if { meson setup --reconfigure "$BUILD-asan" -Db_sanitize=address,undefined -Db_lundef=false >/dev/null 2>&1 ||
	meson setup "$BUILD-asan" -Db_sanitize=address,undefined -Db_lundef=false >/dev/null 2>&1; } &&
	ninja -C "$BUILD-asan" >"$log.out" 2>&1; then
	export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1
	bad=0
	for t in $(find "$BUILD-asan/tests/unit" -maxdepth 1 -type f -name 'test-*' -perm -u+x | sort); do
		DATA_DIR=tests/unit/data "$t" >"$log.out" 2>&1 || { bad=1; tail -n 30 "$log.out"; }
	done
	for suite in test_fakesys test_kernel; do
		VFCTL="$PWD/$BUILD-asan/vfctl" VFCTL_FAKE="$PWD/$BUILD-asan/tests/fakekernel/vfctl-fake" \
			python3 tests/fakesys/$suite.py >"$log.out" 2>&1 || { bad=1; grep -v '^ok' "$log.out" | tail -n 40; }
		grep -q 'ERROR: \(Address\|Leak\)Sanitizer\|runtime error:' "$log.out" && bad=1
	done
	unset UBSAN_OPTIONS ASAN_OPTIONS
	if [ $bad = 0 ]; then echo "sanitizers: 1 passed, 0 failed" | tee "$log"; else echo "sanitizers: 0 passed, 1 failed" | tee "$log"; fi
else
	tail -n 20 "$log.out"
	echo "sanitizers: 0 passed, 1 failed (build failed)" | tee "$log"
fi
rm -f "$log.out"
tally sanitizers 0

echo "== fake sysfs"
VFCTL="$PWD/$BUILD/vfctl" python3 tests/fakesys/test_fakesys.py >"$log" 2>&1
rc=$?
grep -v '^ok' "$log"
tally fakesys $rc

echo "== fake kernel (apply, rollback and bind on fake trees)"
VFCTL_FAKE="$PWD/$BUILD/tests/fakekernel/vfctl-fake" python3 tests/fakesys/test_kernel.py >"$log" 2>&1
rc=$?
grep -v '^ok' "$log"
tally fakekernel $rc

echo "== static checks (file cycles, cppcheck)"
: >"$log.all"
python3 tests/static/file-cycles.py "$BUILD" >"$log" 2>&1
rc=$?
cat "$log"
cp "$log" "$log.all"
tally file-cycles $rc
# Zero findings, or a finding suppressed inline with its reason (// cppcheck-suppress id: why).
if command -v cppcheck >/dev/null; then
	cppcheck --quiet --enable=warning,portability --inline-suppr --error-exitcode=1 -D_GNU_SOURCE \
		--suppress=missingIncludeSystem -I src/basic -I src/sys -I src/nl -I src/lib/core -I include \
		src tests/fakekernel >"$log.out" 2>&1
	rc=$?
	cat "$log.out"
	echo "cppcheck: $((rc == 0)) passed, $((rc != 0)) failed" | tee "$log"
else
	echo "cppcheck: 0 passed, 1 failed (cppcheck is not installed: make deps)" | tee "$log"
	rc=1
fi
rm -f "$log.out" "$log.all"
tally cppcheck $rc

lab_tier() { # name, guest script
	local out="$BUILD/$1-out" t0
	echo "== $1 (real kernel, QEMU TCG)"
	rm -rf "$out"
	if ! lab/fetch-kernel.sh >"$log" 2>&1; then
		cat "$log"
		echo "$1: 0 passed, 1 failed (could not fetch the lab kernel)" | tee "$log"
		tally "$1" 1
		return
	fi
	t0=$(date +%s)
	VFCTL_LAB_TIMEOUT=420 lab/run-vm.sh "$2" "$out" >"$out.console" 2>&1
	rc=$?
	# A guest that never reported back (emulator hang: no status file) gets one more boot; a
	# guest that reported failures does not.
	if [ ! -s "$out/status" ]; then
		echo "$1: the VM gave no result (console tail below); booting it once more"
		tail -n 5 "$out.console"
		rm -rf "$out"
		VFCTL_LAB_TIMEOUT=420 lab/run-vm.sh "$2" "$out" >"$out.console" 2>&1
		rc=$?
	fi
	if [ -s "$out/lab.log" ]; then
		cp "$out/lab.log" "$log"
		grep -v '^ok' "$log"
		echo "$1: VM run took $(($(date +%s) - t0)) s"
	else
		tail -n 40 "$out.console"
		echo "$1: 0 passed, 1 failed (the VM produced no results: console above)" | tee "$log"
	fi
	tally "$1" $rc
}
lab_tier lab tests/lab/guest.sh
lab_tier lab-apply tests/lab/guest-apply.sh
lab_tier lab-vfio tests/lab/guest-vfio.sh
lab_tier lab-switchdev tests/lab/guest-switchdev.sh
lab_tier lab-asan tests/lab/guest-asan.sh

echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
