#!/usr/bin/env python3
"""What the tree says about itself stays true and self-contained:
- no text cites a document outside the tree (a working note, a numbered issue): it says the fact;
- every function a C comment or a doc names as `name()` exists: defined in the tree, declared by a
  library header under /usr/include (libc, libmnl, libpci, libkmod), or cited as the kernel's;
- no C file ends with a comment (a header comment left behind by a move).
Ends "# tree-text: N passed, N failed" (TAP)."""
import os
import re
import subprocess
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
results = []


def tap(ok, text, detail=()):
    results.append(ok)
    print("%s %d - %s" % ("ok" if ok else "not ok", len(results), text))
    for line in list(detail)[:30]:
        print("# " + line)


def tracked(*patterns):
    out = subprocess.run(["git", "ls-files", "--", *patterns], cwd=TOP, capture_output=True, text=True).stdout
    # The vendored kernel headers are the kernel's text, and the fuzz corpus is data.
    return [f for f in out.split() if not f.startswith(("include/uapi/", "tests/fuzz/corpus/"))]


def read(f):
    with open(os.path.join(TOP, f), errors="replace") as fh:
        return fh.read()


COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)
CITATION = re.compile(r"\bseeds? ?0\d\d\b|\bseeds/|\bissues? #?\d+\b", re.I)


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def main():
    files = tracked()
    if not files:
        tap(False, "git lists the tree's files (run from a checkout)")
        return
    cites = []
    for f in files:
        if f.startswith("tests/static/tree-text.py"):
            continue
        try:
            text = read(f)
        except (OSError, UnicodeDecodeError):
            continue
        for m in CITATION.finditer(text):
            cites.append("%s:%d: %s" % (f, line_of(text, m.start()), text[max(0, m.start() - 30):m.end() + 20]
                                         .replace("\n", " ")))
    tap(not cites, "no text cites a document outside the tree (say the fact instead)", cites)

    c_files = tracked("*.c", "*.h")
    defined, named = set(), []
    for f in c_files:
        text = read(f)
        code = COMMENT.sub(lambda m: " " if m.group().startswith("/") else '""', text)
        defined.update(re.findall(r"^[A-Za-z_][^;=\n]*?\b([A-Za-z_]\w*)\s*\(", code, re.M))
        defined.update(re.findall(r"#\s*define\s+([A-Za-z_]\w*)\(", code))
        for m in COMMENT.finditer(text):
            if not m.group().startswith("/"):
                continue
            for n in re.finditer(r"(\bkernel's\s+)?\b([A-Za-z_]\w*)\(\)", m.group()):
                if not n.group(1):
                    named.append((n.group(2), "%s:%d" % (f, line_of(text, m.start() + n.start()))))
    for f in tracked("*.md", "man/*"):
        text = read(f)
        for n in re.finditer(r"(\bkernel's\s+)?`([A-Za-z_]\w*)\(\)`", text):
            if not n.group(1):
                named.append((n.group(2), "%s:%d" % (f, line_of(text, n.start()))))
    unknown = sorted({n for n, _ in named if n not in defined})
    if unknown:
        p = subprocess.run(["grep", "-rhowF", "--include=*.h", *sum((["-e", n] for n in unknown), []), "/usr/include"],
                           capture_output=True, text=True)
        declared = set(p.stdout.split())
        unknown = [n for n in unknown if n not in declared]
    stale = ["%s: %s() is defined nowhere (the tree, /usr/include)" % (w, n) for n, w in named if n in unknown]
    tap(len(named) >= 20 and not stale, "every name() a comment or doc points at exists (%d pointers)" % len(named),
        stale)

    tails = []
    for f in tracked("*.c"):
        text = read(f).rstrip()
        if text.endswith("*/"):
            start = text.rfind("/*")
            if start >= 0 and not text[:start].rstrip().endswith(("*/",)) and text[:start].strip():
                tails.append("%s:%d: the file ends with a comment" % (f, line_of(text, start)))
    tap(not tails, "no C file ends with a comment about something else (%d files)" % len(tracked("*.c")), tails)


main()
failed = results.count(False)
print("1..%d" % len(results))
print("# tree-text: %d passed, %d failed" % (len(results) - failed, failed))
sys.exit(1 if failed else 0)
