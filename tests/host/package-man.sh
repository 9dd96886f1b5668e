#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-kernels: 6.1
# The man pages cannot drift from what they document:
# - vmapview.4, the single source of the debugfs formats (README.md links
#   it), lists as .TP/.TQ tags exactly the key=value keys that
#   vmv_blocks_show() and vmv_areas_show() print, in its blocks and areas
#   sections; either way round a difference fails, listed;
# - every tag of its stats section is a key the module still prints (one
#   of module/stats.h's table, or a "key %..." line; a placeholder such as
#   lost.REASON stands for the keys it covers). The other way round, every
#   key documented, is tests/host/stats-doc.sh's;
# - vmapview-check.1 and vmapview-read.1 document, as .TP tags under
#   OPTIONS, exactly the options of the tool's --help;
# - man --warnings finds nothing in any of them (as lintian runs it).
set -u
export PYTHONDONTWRITEBYTECODE=1
cd "$VMAPVIEW_SRC" || exit 1
status=0

python3 - <<'PY' || status=1
import glob
import os
import re
import shlex
import subprocess
import sys

bad = 0


def problem(msg):
    global bad
    bad += 1
    print(msg)


# --- module/: the keys it prints ---
def c_source(path):
    """The file without comments (string literals kept)."""
    with open(path) as f:
        s = f.read()
    return re.sub(r'/\*.*?\*/|//[^\n]*|("(?:\\.|[^"\\])*")',
                  lambda m: m.group(1) or " ", s, flags=re.S)


SOURCES = {p: c_source(p) for p in sorted(glob.glob("module/*.[ch]"))}


def literals(text):
    return [m.group(1) for m in re.finditer(r'"((?:\\.|[^"\\])*)"', text)]


def function(name):
    """The body of the module's function NAME, from any file of module/."""
    for path, s in SOURCES.items():
        m = re.search(r"\b%s\([^)]*\)\s*\{(.*?)\n\}" % name, s, flags=re.S)
        if m:
            return m.group(1)
    problem(f"module/: no function {name}() (package-man.sh reads its keys)")
    return ""


def kv_keys(body):
    """key=value keys of the format strings in a function body."""
    keys = set()
    for lit in literals(body):
        keys.update(re.findall(r"(?:^|[\s#])([a-z_][a-z0-9_]*)=", lit))
    return keys


def stats_keys():
    """Every key of stats: the counter table's rows, and every "key %..."
    line printed; %s in a key is a placeholder (*)."""
    keys = set()
    for s in SOURCES.values():
        for m in re.finditer(r'\b(?:VMV_)?(?:STAT|LOST)\(\s*\w+\s*,\s*"([^"]+)"', s):
            keys.add(m.group(1))
        for m in re.finditer(r'\bseq_printf\(\s*\w+\s*,\s*"([^"]*)"', s):
            f = re.match(r"([a-z][a-z0-9_.%]*) [^ %]*%[^ ]*\\n$", m.group(1))
            if f:
                keys.add(re.sub(r"%[a-z]+", "*", f.group(1)))
        # a helper called as show(m, "key", ...) (before the table)
        for m in re.finditer(r'\b\w+\(\s*m\s*,\s*"([a-z][a-z0-9_.]*)"\s*,', s):
            keys.add(m.group(1))
        # the causes of lost.%s as a names array (before the table)
        for m in re.finditer(r"lost_names\[[^\]]*\]\s*=\s*\{(.*?)\};", s, flags=re.S):
            keys.update("lost." + n for n in literals(m.group(1)))
    return keys


# --- man pages: the tags of .TP/.TQ paragraphs, by .SS/.SH section ---
def man_tags(path):
    tags, section, want = {}, None, False
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith((".SS ", ".SH ")):
                section = shlex.split(line[4:])[0]
                want = False
            elif line in (".TP", ".TQ"):
                want = True
            elif want:
                want = False
                words = shlex.split(line.split(" ", 1)[1]) if line.startswith(".") else [line]
                tags.setdefault(section, []).append("".join(words))
    return tags


def man_section_text(path, name):
    with open(path) as f:
        s = f.read()
    m = re.search(r"^\.SS %s\n(.*?)(?=^\.S[SH] )" % re.escape(name), s, flags=re.S | re.M)
    return m.group(1) if m else ""


def man_keys(tags):
    """Keys of the tags; an upper-case part (lost.REASON) is a placeholder (*)."""
    keys = set()
    for tag in tags:
        found = re.findall(r"([A-Za-z_][\w.]*)=", tag) if "=" in tag else [tag]
        keys.update(re.sub(r"\b[A-Z][A-Z0-9_]*\b", "*", k) for k in found)
    return keys


def covered(key, patterns, text):
    """A concrete key is documented by a placeholder pattern when the
    pattern matches it and the section names the part the placeholder
    stands for (lost.missed_probe: lost.REASON, and missed_probe)."""
    for p in patterns:
        if "*" not in p or "*" in key:
            continue
        rx = "^" + re.escape(p).replace(r"\*", "([A-Za-z0-9_]+)") + "$"
        m = re.match(rx, key)
        if m and all(re.search(r"(?<![\w.])%s(?![\w])" % re.escape(g), text)
                     for g in m.groups()):
            return True
    return False


PAGE = "man/vmapview.4"
tags = man_tags(PAGE)
for name, want in (("blocks", kv_keys(function("vmv_blocks_show"))),
                   ("areas", kv_keys(function("vmv_areas_show"))),
                   ("stats", stats_keys())):
    got = man_keys(tags.get(name, []))
    text = man_section_text(PAGE, name)
    if not want:
        problem(f"{name}: no keys found in module/")
    if name not in tags:
        problem(f"vmapview.4: no .SS {name} section with keys")
    # stats: that each key printed is documented is stats-doc.sh's check
    missing = set() if name == "stats" else \
        {k for k in want - got if not covered(k, got, text)}
    for key in sorted(missing):
        problem(f"{name}: key {key} is printed by module/, not in vmapview.4")
    for key in sorted(got - want):
        if not any(covered(k, [key], text) for k in want):
            problem(f"{name}: key {key} is in vmapview.4, not printed by module/")
    print(f"{name}: {len(want - missing)} keys of module/, {len(got)} keys in vmapview.4")


# --- each tool's options: --help against OPTIONS in its man page ---
def help_options(tool):
    # The console script's module (tools/pyproject.toml), as it runs it.
    module = "vmapview." + tool.split("-", 1)[1]
    out = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True,
                         text=True, env=dict(os.environ, PYTHONPATH="tools"))
    if out.returncode:
        problem(f"python3 -m {module} --help failed: {out.stderr.strip()}")
        return set()
    opts, inside = set(), False
    for line in out.stdout.splitlines():
        if re.match(r"^(options|optional arguments):", line):
            inside = True
        elif inside and line and not line.startswith(" "):
            inside = False
        elif inside:
            # "  -h, --help   text": the invocation column, not the text.
            m = re.match(r"^  (-\S.*?)(?:\s{2,}|$)", line)
            if m:
                opts.update(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", m.group(1)))
    return opts


for tool in ("vmapview-check", "vmapview-read"):
    want = help_options(tool)
    got = set()
    for tag in man_tags(f"man/{tool}.1").get("OPTIONS", []):
        got.update(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", tag))
    if not want:
        problem(f"{tool}: no options found in --help")
    for o in sorted(want - got):
        problem(f"{tool}: option {o} is in --help, not in {tool}.1")
    for o in sorted(got - want):
        problem(f"{tool}: option {o} is in {tool}.1, not in --help")
    print(f"{tool}: options in both: {' '.join(sorted(want & got))}")
sys.exit(1 if bad else 0)
PY

if command -v man >/dev/null; then
	for f in man/*.[1-8]; do
		# As lintian runs it (manpage-has-errors-from-man).
		out=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$f" 2>&1 >/dev/null)
		if [ -n "$out" ]; then
			echo "$f: man --warnings:"
			echo "$out"
			status=1
		fi
	done
	echo "man --warnings: checked $(ls man/*.[1-8] | wc -l) pages"
else
	echo "no man (man-db) here: man --warnings not run"
fi
exit $status
