# Sourced by make deb and make rpm: install_missing WHO PACKAGE... installs the Debian packages
# that are not installed yet (root; apt-get), or says which are missing and exits.
install_missing() {
	local who=$1 p missing=()
	shift
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	[ "$(id -u)" = 0 ] || { echo "$who: missing ${missing[*]}; run as root or install them" >&2; exit 1; }
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
