# TAP for the package tests (sourced): ok WHAT STATUS [DETAIL...] counts a check, status 0 passing;
# finish NAME prints the plan and the tally and exits 1 when any failed.
n=0
bad=0
ok() {
	local what=$1 st=$2
	shift 2
	n=$((n + 1))
	if [ "$st" = 0 ]; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		if [ $# -gt 0 ]; then printf '%s\n' "$@" | sed 's/^/# /'; fi
		bad=$((bad + 1))
	fi
}
finish() {
	echo "1..$n"
	echo "# $1: $((n - bad)) passed, $bad failed"
	exit $((bad > 0))
}
