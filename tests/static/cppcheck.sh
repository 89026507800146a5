#!/bin/bash
# cppcheck over the library, the command and the fake kernel, as one TAP result: zero findings, or
# a finding suppressed inline with its reason (// cppcheck-suppress id: why).
cd "$(dirname "$0")/../.." || exit 1
if ! command -v cppcheck >/dev/null; then
	echo "not ok 1 - cppcheck is installed (make deps)"
	echo "1..1"
	exit 1
fi
out=$(cppcheck --quiet --enable=warning,portability --inline-suppr --error-exitcode=1 -D_GNU_SOURCE \
	--suppress=missingIncludeSystem -I include -I src/basic -I src/sys -I src/nl $(printf -- '-I %s ' src/lib/*/) \
	src tests/fakekernel 2>&1)
rc=$?
if [ $rc = 0 ]; then echo "ok 1 - cppcheck: no findings"; else echo "not ok 1 - cppcheck: findings"; fi
[ -n "$out" ] && sed 's/^/# /' <<<"$out"
echo "1..1"
echo "# cppcheck: $((rc == 0)) passed, $((rc != 0)) failed"
exit $rc
