#!/usr/bin/env python3
"""Finds cycles between source files: file A calls a function defined in B and B one in A.

Reads the symbols of the library's object files (nm) from a build directory; prints each cycle
(a strongly connected component of more than one file) as TAP, ending "# file-cycles: N passed, N failed"."""
import glob
import os
import subprocess
import sys

build = sys.argv[1] if len(sys.argv) > 1 else "build"
objs = sorted(glob.glob(os.path.join(build, "libvfctl*.a.p", "*.o")))
if not objs:
    print("not ok 1 - object files under %s (build first)" % build)
    print("1..1\n# file-cycles: 0 passed, 1 failed")
    sys.exit(1)

defs, uses = {}, {}
for o in objs:
    name = os.path.basename(o)[:-len(".c.o")].replace("src_", "src/", 1).replace("_", "/")
    out = subprocess.run(["nm", "--defined-only", "-g", o], capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TDBR":
            defs[parts[2]] = name
    out = subprocess.run(["nm", "-u", o], capture_output=True, text=True).stdout
    uses[name] = {l.split()[-1] for l in out.splitlines() if l.strip()}

graph = {f: sorted({defs[s] for s in syms if s in defs and defs[s] != f}) for f, syms in uses.items()}

# Tarjan's strongly connected components
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]


def strong(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in graph[v]:
        if w not in index:
            strong(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        sccs.append(comp)


sys.setrecursionlimit(10000)
for v in graph:
    if v not in index:
        strong(v)
cycles = [c for c in sccs if len(c) > 1]
print("%s 1 - no two of the library's %d source files call each other" % ("not ok" if cycles else "ok", len(graph)))
for c in cycles:
    print("# cycle: " + " <-> ".join(sorted(c)))
print("1..1")
print("# file-cycles: %d passed, %d failed" % (0 if cycles else 1, 1 if cycles else 0))
sys.exit(1 if cycles else 0)
