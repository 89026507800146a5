#!/bin/bash
# The Ansible collection (contrib/ansible): ansible-doc renders every module and the role, and the
# ansible-test sanity tests that run without a virtualenv pass. The others (validate-modules,
# pylint, pep8, yamllint, import, ansible-doc's own) install their requirements from PyPI, which
# this machine and CI cannot reach.
cd "$(dirname "$0")/../.." || exit 1
coll=$PWD/contrib/ansible/ansible_collections/vfctl/host
# The lab tier's settings: ansible-core alone plus the collection, no collection installed system-wide.
books=$PWD/tests/lab/ansible
export ANSIBLE_CONFIG=$books/ansible.cfg HOME=${HOME:-/root}
n=0
failed=0
tap() { # ok? text [detail file]
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else
		echo "not ok $n - $2"
		failed=$((failed + 1))
		[ -n "${3:-}" ] && tail -n 20 "$3" | sed 's/^/# /'
	fi
}
out=$(mktemp)
trap 'rm -f "$out"; rm -rf "$coll/tests/output"' EXIT
if ! command -v ansible-doc >/dev/null; then
	tap 1 "ansible-core is installed (make deps)"
else
	for m in vfctl_config vfctl_facts; do
		ansible-doc "vfctl.host.$m" >"$out" 2>&1
		grep -q "^> VFCTL.HOST.$(echo "$m" | tr a-z A-Z)" "$out" && grep -q "EXAMPLES" "$out" && grep -q "RETURN VALUES" "$out"
		tap $? "ansible-doc renders vfctl.host.$m (description, examples, return values)" "$out"
	done
	# A plugin that only a system-wide collection provides (the "json" stdout callback of
	# ansible.posix, say) fails here as it would on a host with ansible-core alone.
	for b in "$books"/*.yml; do
		ansible-playbook -i localhost, --syntax-check "$b" >"$out" 2>&1
		tap $? "ansible-core alone resolves every module and role in tests/lab/ansible/$(basename "$b")" "$out"
	done
	printf -- '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - ansible.builtin.debug: {msg: x}\n' >"$out.yml"
	ansible-playbook -i localhost, -c local "$out.yml" >"$out" 2>&1 &&
		python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(d["stats"]["localhost"]["ok"] != 1)' "$out"
	tap $? "the lab tier's stdout callback runs on ansible-core alone and prints one JSON document" "$out"
	rm -f "$out.yml"
	ansible-doc -t role vfctl.host.vfctl >"$out" 2>&1
	grep -q "vfctl_doctor_fail_on_error" "$out"
	tap $? "ansible-doc -t role renders vfctl.host.vfctl's argument spec" "$out"
	for t in compile empty-init future-import-boilerplate ignores line-endings metaclass-boilerplate no-assert \
		no-basestring no-dict-iteritems no-get-exception no-illegal-filenames no-main-display no-smart-quotes \
		no-unicode-literals replace-urlopen shebang symlinks use-argspec-type-path use-compat-six; do
		(cd "$coll" && ansible-test sanity --python "$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
			--test "$t") >"$out" 2>&1
		tap $? "ansible-test sanity --test $t" "$out"
	done
fi
echo "1..$n"
echo "# ansible: $((n - failed)) passed, $failed failed"
exit $((failed > 0))
