#!/usr/bin/env python3
"""Every program and Python module that the build, the tests, the lab and the benchmarks call comes
from a Debian package that scripts/deps.sh installs (the list in scripts/deps-packages.sh), or one
that those depend on, or the base system (Priority: required). CI runs on a machine where packages
installed by hand are still present, so a test can pass there and fail on a fresh machine; this
names such a package.

Programs: the first word of each shell command (and of each Python string passed to subprocess or
the tests' sh/run helpers, or first in an argv list) in
the scripts below, when it resolves to a file in /usr/bin, /usr/sbin, /bin or /sbin; modules: each
import that resolves to a file outside the tree. Each is mapped to its package with dpkg -S. A word
that resolves to nothing installed is not checked here (a test calling it fails on its own).
Ends "# deps-cover: N passed, N failed" (TAP)."""
import glob
import importlib.util
import io
import keyword
import os
import re
import subprocess
import sys
import tokenize

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# lab/init is left out: it runs in the initramfs, where busybox (deps.sh: busybox-static) is every
# command.
SHELL = ["tests/**/*.sh", "lab/*.sh", "scripts/*.sh", ".ci/run", "tests/lab/ansible/*.yml",
         "contrib/ansible/**/tasks/*.yml"]
PYTHON = ["tests/**/*.py", "bench/*.py"]
BIN_DIRS = ("/usr/bin", "/usr/sbin", "/bin", "/sbin")
# Words in command position that are the shell's own, or not commands at all.
SHELL_WORDS = {"if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac",
               "in", "function", "return", "local", "export", "set", "unset", "shift", "exit", "trap", "wait",
               "read", "cd", "eval", "exec", "source", "declare", "readonly", "break", "continue", "true",
               "false", "echo", "printf", "test", "command", "type", "umask", "ulimit", "kill", "time", "!"}
results = []


def tap(ok, text, detail=None):
    results.append(ok)
    print("%s %d - %s" % ("ok" if ok else "not ok", len(results), text))
    for line in (detail or "").splitlines()[:40]:
        print("# " + line)


def deps_packages():
    """The packages scripts/deps.sh installs (its list: scripts/deps-packages.sh)."""
    p = subprocess.run(["bash", "-c", '. scripts/deps-packages.sh && echo "${packages[@]} ${backports[@]}"'],
                       cwd=TOP, capture_output=True, text=True)
    return set(p.stdout.split())


def closure(names):
    """names and everything they depend on (Depends, Pre-Depends; virtual packages resolved to
    what provides them on this machine), as apt would install them."""
    p = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
                        "--no-breaks", "--no-replaces", "--no-enhances", *sorted(names)],
                       capture_output=True, text=True)
    out = set(names)
    for line in p.stdout.splitlines():
        line = line.strip()
        m = re.match(r"^(?:\|?(?:Pre)?Depends: )?<?([a-z0-9][a-z0-9.+-]+)(?::\w+)?>?$", line)
        if m:
            out.add(m.group(1))
    return out


def required_packages():
    p = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Priority}\n"], capture_output=True, text=True)
    return {l.split()[0] for l in p.stdout.splitlines() if l.endswith(" required")}


def owners(paths):
    """{path: package} through one dpkg -S, each path also tried across the /usr merge and as its
    symlink target."""
    alts = {}
    for path in paths:
        for cand in (path, os.path.realpath(path)):
            for alt in (cand, cand.replace("/usr/", "/", 1) if cand.startswith("/usr/") else "/usr" + cand):
                alts.setdefault(alt, set()).add(path)
    p = subprocess.run(["dpkg", "-S", *sorted(alts)], capture_output=True, text=True)
    out = {}
    for line in p.stdout.splitlines():
        if line.startswith("diversion by") or ": " not in line:
            continue
        pkg, f = line.split(": ", 1)
        for path in alts.get(f.strip(), ()):
            out.setdefault(path, pkg.split(":")[0].split(",")[0].strip())
    return out


def resolve(word):
    for d in BIN_DIRS:
        f = os.path.join(d, word)
        if os.path.isfile(f) and os.access(f, os.X_OK):
            return f
    return None


SEP = re.compile(r"(?:^|;|&&|\|\||\||\$\(|`|\(|\{|\bthen\b|\bdo\b|\belse\b|!|\bexec\b|\bxargs\b(?:\s+-\S+)*|"
                 r"\btimeout\b(?:\s+-\S+)*\s+\S+|\bsetsid\b|\bnohup\b|\benv\b(?:\s+\S+=\S*)*|-exec\b|shell:\s*\|?|"
                 r"command:)\s*")


def shell_words(text):
    for line in text.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", line)
        for part in SEP.split(line):
            words = part.split()
            while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
                words.pop(0)
            if words:
                yield words[0].strip("\"'")


# Python calls a program through these (subprocess's own and the tests' helpers), or as the first
# element of an argv list.
CALLS = {"run", "sh", "check_output", "check_call", "call", "Popen", "system", "getoutput"}


def python_words(text):
    try:
        toks = [t for t in tokenize.generate_tokens(io.StringIO(text).readline)
                if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)]
    except (tokenize.TokenError, SyntaxError):
        return
    for i, t in enumerate(toks):
        if t.type != tokenize.STRING or i == 0:
            continue
        prev, before = toks[i - 1].string, toks[i - 2] if i >= 2 else None
        subscript = before is not None and (before.string in (")", "]") or before.type == tokenize.STRING or
                                            (before.type == tokenize.NAME and not keyword.iskeyword(before.string)))
        if not ((prev == "[" and not subscript) or (prev == "(" and before is not None and before.string in CALLS)):
            continue
        s = re.sub(r"^[rbfuRBFU]*", "", t.string).strip("\"'")
        for w in shell_words(s):
            yield w


def python_imports(text):
    for m in re.finditer(r"^\s*(?:from\s+([A-Za-z_][\w.]*)\s+import|import\s+([A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*))",
                         text, re.M):
        for name in (m.group(1) or m.group(2)).split(","):
            yield name.strip().split(".")[0]


def files(patterns):
    out = set()
    for pat in patterns:
        out.update(f for f in glob.glob(os.path.join(TOP, pat), recursive=True) if os.path.isfile(f))
    return sorted(out)


def main():
    if not os.path.exists("/usr/bin/dpkg") or not os.path.exists("/usr/bin/apt-cache"):
        tap(False, "dpkg and apt-cache are here (a Debian machine)")
        return
    wanted = deps_packages()
    tap(len(wanted) >= 20, "scripts/deps.sh names its packages (%d)" % len(wanted), " ".join(sorted(wanted)))
    have = closure(wanted) | required_packages()
    found = {}  # (word, file) -> path
    for f in files(SHELL) + files(PYTHON):
        text = open(f, errors="replace").read()
        words = python_words(text) if f.endswith(".py") else shell_words(text)
        for w in words:
            if w in SHELL_WORDS or not re.fullmatch(r"[a-z0-9][a-z0-9_.+-]*", w):
                continue
            path = resolve(w)
            if path:
                found.setdefault(w, (path, os.path.relpath(f, TOP)))
        if f.endswith(".py"):
            for mod in python_imports(text):
                try:
                    spec = importlib.util.find_spec(mod)
                except (ImportError, ValueError):
                    spec = None
                origin = spec and spec.origin
                if origin and origin not in ("built-in", "frozen") and not origin.startswith(TOP):
                    found.setdefault("import " + mod, (origin, os.path.relpath(f, TOP)))
    pkgs = owners({path for path, _ in found.values()})
    uses = {}  # package -> {word: first file}
    for w, (path, f) in found.items():
        if path in pkgs:
            uses.setdefault(pkgs[path], {})[w] = f
    missing = {p: w for p, w in uses.items() if p not in have}
    tap(len(uses) >= 10, "programs and modules found in the scripts, by package (%d packages)" % len(uses),
        "\n".join("%s: %s" % (p, ", ".join(sorted(w))) for p, w in sorted(uses.items())))
    tap(not missing, "every one comes from a package scripts/deps.sh installs, or one they depend on, or the "
        "base system", "\n".join("%s (used as %s)" % (p, ", ".join("%s in %s" % x for x in sorted(w.items())))
                                 for p, w in sorted(missing.items())))


main()
failed = results.count(False)
print("1..%d" % len(results))
print("# deps-cover: %d passed, %d failed" % (len(results) - failed, failed))
sys.exit(1 if failed else 0)
