#!/usr/bin/env python3
"""The driver behaviour table (src/lib/inventory/driver-facts.c) against the research it came from
(docs/drivers/DRIVER.md): every row's source (path:function in Linux 6.12) is cited by a row of
that driver's document, and where the table says what the kernel answers, that row says it too."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from harness import Suite  # noqa: E402

TOP = os.path.join(os.path.dirname(__file__), "..", "..")
ERRNO = {"EOPNOTSUPP": "EOPNOTSUPP", "EINVAL": "EINVAL", "EPROTONOSUPPORT": "EPROTONOSUPPORT", "0": None}


def c_string(expr, macros):
    """A C expression of adjacent string literals and macro names, as the compiler joins it."""
    out = ""
    for tok in re.findall(r'"((?:[^"\\]|\\.)*)"|([A-Za-z_]\w*)', expr):
        out += tok[0].replace('\\"', '"') if tok[0] or not tok[1] else macros[tok[1]]
    return out


def rows():
    text = open(os.path.join(TOP, "src/lib/inventory/driver-facts.c")).read()
    macros = {m.group(1): m.group(2) for m in re.finditer(r'^#define (\w+)\s+"([^"]*)"', text, re.M)}
    body = text[text.index("const driver_fact driver_facts[] = {"):text.index("};")]
    for m in re.finditer(r'\{("\w+",\s*FACT_\w+,.*?)\},\n', body, re.S):
        parts = [p.strip() for p in re.split(r',(?=(?:[^"]*"[^"]*")*[^"]*$)', m.group(1))]
        driver, kind, key, value, switchdev, err = parts[:6]
        yield {"driver": c_string(driver, macros), "kind": kind, "key": c_string(key, macros),
               "err": err, "source": c_string(",".join(parts[7:]), macros)}


def main():
    s = Suite("driver-facts")
    facts = list(rows())
    s.check("the table has rows (%d) for the six drivers" % len(facts),
            {f["driver"] for f in facts} == {"igb", "ixgbe", "i40e", "ice", "mlx5_core", "bnxt_en"},
            {f["driver"] for f in facts})
    missing = []
    for f in facts:
        path = os.path.join(TOP, "docs", "drivers", f["driver"] + ".md")
        doc = open(path).read().splitlines() if os.path.exists(path) else []
        lines = [line for line in doc if line.startswith("|") and f["source"] in line]
        want = ERRNO.get(f["err"], f["err"])
        if not lines or (want and not any(want in line for line in lines)):
            missing.append("%s %s %s: %s%s" % (f["driver"], f["kind"], f["key"], f["source"],
                                               " with " + want if want else ""))
    s.eq("every row's source is a row of docs/drivers/DRIVER.md, with the errno the table gives", missing, [])
    s.finish()


if __name__ == "__main__":
    main()
