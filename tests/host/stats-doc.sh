#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-kernels: 6.1
# Every key of the stats file is documented in man/vmapview.4's stats
# section (a .TP/.TQ tag there): each counter of module/stats_table.h
# and each key the stats file prints itself, with seq_printf()
# in module/debugfs.c's vmv_stats_show() and in the vmv_*_show() functions
# it calls (resync.c, probes.c). A key made with %s (probe.%s) matches a
# tag with a word in capitals there (probe.SYMBOL); a key that fills such a
# word (lost.no_record for lost.REASON) is documented when the tag's
# paragraph names it in bold. Reads sources only: no kernel is needed.
set -u
export PYTHONDONTWRITEBYTECODE=1
cd "$VMAPVIEW_SRC" || exit 1
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }

python3 - <<'PY'
import glob
import re
import shlex
import sys

bad = 0


def problem(msg):
    global bad
    bad += 1
    print(msg)


def read(path):
    with open(path) as f:
        return f.read()


# --- the keys: stats.h's table, then what the stats file prints itself ---
table = re.findall(r'^VMV_(?:STAT|LOST)\((\w+),\s*"([^"]+)"', read("module/stats_table.h"), re.M)
if not table:
    problem("module/stats_table.h: no VMV_STAT(ID, \"key\", ...) entries found")
keys = [(key, "module/stats_table.h " + ident) for ident, key in table]

sources = {path: read(path) for path in sorted(glob.glob("module/*.c"))}


def body(name):
    """The body of the function name defined in module/*.c, and its file."""
    for path, text in sources.items():
        m = re.search(r"^\w[^;{]*\b" + name + r"\([^;{]*\)\s*\{", text, re.M)
        if m:
            end = text.index("\n}\n", m.end())
            return path, text[m.end():end]
    return None, None


todo, seen = ["vmv_stats_show"], set()
while todo:
    name = todo.pop(0)
    if name in seen:
        continue
    seen.add(name)
    path, text = body(name)
    if text is None:
        problem(f"no definition of {name}() in module/*.c")
        continue
    for key in re.findall(r'seq_printf\(m,\s*"([^" ]+) ', text):
        keys.append((key, f"{path} {name}()"))
    todo += re.findall(r"\b(vmv_\w+_show)\(m\)", text)
if "vmv_resync_show" not in seen or "vmv_probes_show" not in seen:
    problem("vmv_stats_show() no longer calls vmv_resync_show() and vmv_probes_show(): update this test")

# --- the tags of man/vmapview.4's stats section, each with its paragraph ---
tags, cur, section, want = {}, None, None, False
for line in read("man/vmapview.4").splitlines():
    if line.startswith(".SS ") or line.startswith(".SH "):
        section, want, cur = line[4:].strip(), False, None
        continue
    if section != "stats":
        continue
    if line in (".TP", ".TQ"):
        want = True
        continue
    if want and line.startswith("."):
        macro, _, rest = line.partition(" ")
        words = shlex.split(rest)
        # .BI/.IB/... alternate fonts with no space between the words
        tag = "".join(words) if len(macro) == 3 else (words[0] if words else "")
        cur = tags.setdefault(tag, [])
        want = False
        continue
    want = False
    if cur is not None:
        cur.append(line)


def bold(lines):
    out = set()
    for line in lines:
        if re.match(r"\.B[IR]?\s", line):
            out.update(shlex.split(line.split(None, 1)[1])[:1])
    return out


def documented(key):
    if key in tags:
        return True
    if "%" in key:
        # probe.%s: a tag with a placeholder in capitals in its place
        pat = re.escape(key).replace("%s", "[A-Z][A-Z_]*")
        return any(re.fullmatch(pat, tag) for tag in tags)
    for tag, lines in tags.items():
        # lost.no_record: the tag lost.REASON, whose paragraph names no_record
        parts = re.split(r"([A-Z][A-Z_]+)", tag)
        if len(parts) < 2:
            continue
        pat = "".join("([a-z0-9_]+)" if i % 2 else re.escape(p) for i, p in enumerate(parts))
        m = re.fullmatch(pat, key)
        if m and all(g in bold(lines) for g in m.groups()):
            return True
    return False


if not tags:
    problem("man/vmapview.4: no tags in a stats section")
for key, where in keys:
    if not documented(key):
        problem(f"{key} ({where}) is not documented in man/vmapview.4's stats section")
print(f"{len(keys)} keys checked ({len(table)} from module/stats_table.h), "
      f"against {len(tags)} tags of man/vmapview.4's stats section")
sys.exit(1 if bad else 0)
PY
