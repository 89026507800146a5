#!/bin/bash
# bash completion (completion/vfctl) called as readline would: COMP_WORDS/COMP_CWORD set, _vfctl
# run, COMPREPLY checked; devices from a fake tree named with --sysfs. TAP.
cd "$(dirname "$0")/../.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 tests/fakesys/fakesys.py tests/fakesys/fixtures/cx4lx-8vfs.sys "$tmp/t" || exit 1
mkdir -p "$tmp/conf.d" && touch "$tmp/conf.d/a.conf" "$tmp/conf.d/notes.txt"
[ -f /usr/share/bash-completion/bash_completion ] && . /usr/share/bash-completion/bash_completion
. completion/vfctl

n=0
bad=0
# complete "WORDS..." -> the sorted COMPREPLY, one line
complete_line() {
	local line=$1
	read -ra COMP_WORDS <<<"$line"
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMPREPLY=()
	_vfctl vfctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
expect() { # what, line, expected (sorted, space separated) | ~substring
	local got
	got=$(complete_line "$2")
	n=$((n + 1))
	if [[ $3 == "~"* ]] && [[ " $got " == *" ${3#\~} "* ]] || [[ $got == "$3" ]]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		echo "# line: '$2'"
		echo "# got:  '$got'"
		echo "# want: '$3'"
		bad=$((bad + 1))
	fi
}
S="--sysfs $tmp/t/sys"
expect "verbs" "vfctl st" "status"
expect "every verb" "vfctl " "apply bind doctor emit eswitch export help metrics plan restore status unbind vdpa verify vfio-check"
expect "global options" "vfctl --ver" "--version"
expect "options of doctor" "vfctl doctor --p" "--probe-intx"
expect "options of apply" "vfctl apply --" "--boot --config --force --help --prune"
expect "options of verify" "vfctl verify --" "--config --datapath --force --help --json --wait"
expect "options of metrics" "vfctl metrics --" "--help --no-doctor --textfile"
expect "status --stats" "vfctl status --st" "--stats"
expect "PF netdevs from the live tree" "vfctl $S status enp6s0f" "enp6s0f0np0 enp6s0f1np1 enp6s0f1np1:vf0 enp6s0f1np1:vf1 enp6s0f1np1:vf2 enp6s0f1np1:vf3 enp6s0f1np1:vf4 enp6s0f1np1:vf5 enp6s0f1np1:vf6 enp6s0f1np1:vf7"
# ':' breaks words for readline: the replies keep only what follows the last ':' of the word, the
# part readline replaces (bash-completion's __ltrim_colon_completions).
expect "PCI addresses" "vfctl $S vfio-check 0000:06:01" "01.2 01.3 01.4 01.5 01.6 01.7"
expect "PF:vfN" "vfctl $S bind enp6s0f1np1:vf" "vf0 vf1 vf2 vf3 vf4 vf5 vf6 vf7"
expect "drivers for bind's second word" "vfctl $S bind 0000:06:01.2 " "mlx5_core pcieport vfio-pci"
expect "emit targets" "vfctl emit " "libvirt ovs proxmox qemu"
expect "eswitch modes after the PF" "vfctl $S eswitch enp6s0f1np1 " "legacy switchdev"
expect "vdpa subcommands" "vfctl vdpa " "add del list"
expect "-c: .conf files and directories" "vfctl plan -c $tmp/conf.d/" "$tmp/conf.d/a.conf"
expect "--owner: users" "vfctl bind --owner roo" "~root"
echo "1..$n"
echo "# completion: $((n - bad)) passed, $bad failed"
[ $bad = 0 ]
