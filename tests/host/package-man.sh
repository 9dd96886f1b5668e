#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-kernels: 6.1
# The man pages cannot drift from what they document:
# - vmapview.4 lists, as .TP tags of its blocks, areas, stats and mem
#   sections, the same keys as README.md's debugfs sections (blocks and
#   areas: every key=value key they show; stats: the first column of its
#   table; mem: none, it holds bytes), and names the same errno values;
#   either way round a difference fails, listed;
# - vmapview-check.1 and vmapview-read.1 document, as .TP tags under
#   OPTIONS, exactly the options of the tool's --help;
# - man --warnings finds nothing in any of them (as lintian runs it).
set -u
export PYTHONDONTWRITEBYTECODE=1
cd "$VMAPVIEW_SRC" || exit 1
status=0

python3 - <<'PY' || status=1
import errno
import re
import shlex
import subprocess
import sys

FILES = ("blocks", "areas", "stats", "mem")
ERRNOS = set(errno.errorcode.values())
bad = 0


def problem(msg):
    global bad
    bad += 1
    print(msg)


# --- README.md: the "## debugfs files" chapter, by "### `FILE`" section ---
def readme_sections():
    chapter, sections, cur, fence = [], {}, None, False
    inside = False
    with open("README.md") as f:
        for line in f:
            if line.startswith("```"):
                fence = not fence
            if not fence and line.startswith("## "):
                inside = line.strip() == "## debugfs files"
                continue
            if not inside:
                continue
            chapter.append(line)
            m = re.match(r"### `(\w+)`", line) if not fence else None
            if m:
                cur = m.group(1)
                sections[cur] = []
            elif not fence and line.startswith("### "):
                cur = None
            elif cur:
                sections[cur].append(line)
    return "".join(chapter), sections


def readme_keys(name, lines):
    text = "".join(lines)
    if name == "mem":
        return set()        # bytes, not records: it has no keys
    if name == "stats":
        keys = set()
        for line in lines:
            cells = line.split("|")
            if line.startswith("|") and len(cells) > 2 and "`" in cells[1]:
                keys.update(re.findall(r"`([^`]+)`", cells[1]))
        return keys
    return set(re.findall(r"(?<![\w.=-])([a-z][a-z0-9_]*(?:\.[A-Za-z0-9_]+)*)=", text))


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


def man_keys(tags):
    keys = set()
    for tag in tags:
        if "=" in tag:
            keys.update(re.findall(r"([A-Za-z_][\w.]*)=", tag))
        else:
            keys.add(tag)
    return keys


def errnos(text):
    return set(re.findall(r"\bE[A-Z0-9]+\b", text)) & ERRNOS


chapter, sections = readme_sections()
with open("man/vmapview.4") as f:
    page = f.read()
tags = man_tags("man/vmapview.4")
for name in FILES:
    if name not in sections:
        problem(f"README.md: no ### `{name}` section under ## debugfs files")
        continue
    if name not in tags and name != "mem":
        problem(f"vmapview.4: no .SS {name} section with keys")
    want, got = readme_keys(name, sections[name]), man_keys(tags.get(name, []))
    for key in sorted(want - got):
        problem(f"{name}: key {key} is in README.md, not in vmapview.4")
    for key in sorted(got - want):
        problem(f"{name}: key {key} is in vmapview.4, not in README.md")
    print(f"{name}: {len(want & got)} keys in both")
want, got = errnos(chapter), errnos(page)
for e in sorted(want - got):
    problem(f"errno {e} is in README.md's debugfs files, not in vmapview.4")
for e in sorted(got - want):
    problem(f"errno {e} is in vmapview.4, not in README.md's debugfs files")
print(f"errno values in both: {' '.join(sorted(want & got))}")


# --- each tool's options: --help against OPTIONS in its man page ---
def help_options(tool):
    out = subprocess.run([f"tools/{tool}", "--help"], capture_output=True, text=True)
    if out.returncode:
        problem(f"tools/{tool} --help failed: {out.stderr.strip()}")
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
