#!/bin/bash
# The C sources as .clang-format writes them (the tree was formatted once; this keeps it so).
# Pinned uapi headers are the kernel's and stay as they came.
cd "$(dirname "$0")/../.." || exit 1
n=0
failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! command -v clang-format >/dev/null; then
	echo "not ok 1 - clang-format is installed (scripts/deps.sh)"
	echo "1..1"
	echo "# format: 0 passed, 1 failed"
	exit 1
fi
while read -r f; do
	n=$((n + 1))
	if clang-format --dry-run -Werror "$f" >"$out" 2>&1; then
		echo "ok $n - $f as .clang-format writes it"
	else
		failed=$((failed + 1))
		echo "not ok $n - $f as .clang-format writes it (clang-format -i $f)"
		head -n 12 "$out" | sed 's/^/# /'
	fi
done < <(git ls-files '*.c' '*.h' 2>/dev/null | grep -v '^include/uapi/' || find src tests include -name '*.[ch]' -not -path 'include/uapi/*')
echo "1..$n"
echo "# format: $((n - failed)) passed, $failed failed"
exit $((failed > 0))
