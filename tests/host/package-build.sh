#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-kernels: 6.1
# vmapview-timeout: 600
# `make deb` builds the two Debian packages, lintian-clean (make deb fails
# on any lintian error or warning), and they hold what they must:
# - vmapview-dkms: /usr/src/vmapview-VERSION/ with this tree's dkms.conf
#   (so its version), Kbuild, Makefile, the source of every object Kbuild
#   builds and every header those include; /usr/lib/vmapview/ksyms and
#   the conffile /etc/modprobe.d/vmapview.conf that runs it;
# - vmapview-tools: the Python package of tools/ (pyproject.toml) as
#   pybuild installs it: the two tools in /usr/bin, the modules of
#   tools/vmapview and the dist-info whose entry points (console scripts,
#   the drgn plugin) are pyproject.toml's, in /usr/lib/python3/dist-packages,
#   and the three man pages.
set -u
cd "$VMAPVIEW_SRC" || exit 1
for t in dpkg-buildpackage dh dh_dkms dh_python3 lintian; do
	command -v $t >/dev/null || {
		echo "SKIP: $t is missing (make setup installs the packaging tools)"
		exit 77
	}
done
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

start=$(date +%s)
nice make -s deb DEB_DIR="$tmp/deb" >"$tmp/deb.log" 2>&1 || {
	cat "$tmp/deb.log"
	echo "make deb failed (a lintian error or warning fails it too)"
	exit 1
}
echo "make deb: $(($(date +%s) - start))s, lintian: no errors or warnings"
dkms=$tmp/deb/vmapview-dkms_${version}_all.deb
tools=$tmp/deb/vmapview-tools_${version}_all.deb
for deb in "$dkms" "$tools"; do
	[ -f "$deb" ] || { echo "make deb left no $(basename "$deb")"; ls "$tmp/deb"; exit 1; }
done

status=0
bad() {
	echo "$*"
	status=1
}

# has DEB PATH...: the package holds every PATH (absolute).
has() {
	local deb=$1 p list

	shift
	list=$(dpkg-deb -c "$deb" | awk '{print substr($6, 2)}')
	for p in "$@"; do
		grep -qxF "$p" <<<"$list" || bad "$(basename "$deb"): no $p"
	done
}

# field DEB FIELD WANT: a control field's value.
field() {
	local got

	got=$(dpkg-deb -f "$1" "$2")
	[ "$got" = "$3" ] || bad "$(basename "$1"): $2 is '$got', want '$3'"
}

# vmapview-dkms.
src=/usr/src/vmapview-$version
mapfile -t objs < <(sed -e ':a' -e '/\\$/{N;s/\\\n//;ba}' Kbuild |
	sed -n 's/^[a-z_]*-y[[:space:]]*[:+]\?=//p' | tr -s ' \t' '\n' | grep '\.o$')
[ ${#objs[@]} -gt 0 ] || bad "no objects found in Kbuild"
sources=()
for o in "${objs[@]}"; do
	sources+=("${o%.o}.c")
done
# The headers they include, and those the headers include.
headers=()
files=("${sources[@]}")
while :; do
	mapfile -t more < <(grep -ho '#include "[^"]*"' "${files[@]}" 2>/dev/null |
		sed 's/.*"\(.*\)"/module\/\1/' | sort -u)
	[ "${more[*]}" = "${headers[*]}" ] && break
	headers=("${more[@]}")
	files=("${sources[@]}" "${headers[@]}")
done
echo "dkms: ${#sources[@]} sources from Kbuild's objects, headers: ${headers[*]}"
mapfile -t want < <(printf "$src/%s\n" dkms.conf Kbuild Makefile "${sources[@]}" "${headers[@]}")
has "$dkms" "${want[@]}"
field "$dkms" Version "$version"
field "$dkms" Architecture all
dpkg-deb -f "$dkms" Depends | grep -q '\bdkms\b' || bad "vmapview-dkms does not depend on dkms"
mkdir "$tmp/x"
dpkg-deb -x "$dkms" "$tmp/x"
cmp -s "$tmp/x$src/dkms.conf" dkms.conf || bad "$src/dkms.conf differs from dkms.conf"
got=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$tmp/x$src/dkms.conf")
[ "$got" = "$version" ] || bad "the installed dkms.conf says $got, want $version"
for f in Kbuild Makefile "${sources[@]}" "${headers[@]}"; do
	[ ! -e "$tmp/x$src/$f" ] || cmp -s "$tmp/x$src/$f" "$f" || bad "$src/$f differs from $f"
done

# The ksyms helper and the modprobe.d file that runs it (a conffile).
has "$dkms" /usr/lib/vmapview/ksyms /etc/modprobe.d/vmapview.conf
[ -x "$tmp/x/usr/lib/vmapview/ksyms" ] || bad "/usr/lib/vmapview/ksyms is not executable"
[ ! -e "$tmp/x/usr/lib/vmapview/ksyms" ] || cmp -s "$tmp/x/usr/lib/vmapview/ksyms" tools/vmapview-ksyms ||
	bad "/usr/lib/vmapview/ksyms differs from tools/vmapview-ksyms"
dpkg-deb --ctrl-tarfile "$dkms" | tar -xO ./conffiles 2>/dev/null | grep -qx /etc/modprobe.d/vmapview.conf ||
	bad "/etc/modprobe.d/vmapview.conf is not a conffile"

# vmapview-tools: the Python package of tools/ as pybuild builds it from
# tools/pyproject.toml (its modules, console scripts and entry points).
py=/usr/lib/python3/dist-packages
info=$py/vmapview-$version.dist-info
mapfile -t modules < <(cd tools && ls vmapview/*.py)
[ ${#modules[@]} -ge 6 ] || bad "tools/vmapview holds ${#modules[@]} modules"
has "$tools" /usr/bin/vmapview-check /usr/bin/vmapview-read \
	$(printf "$py/%s\n" "${modules[@]}") "$info/METADATA" "$info/entry_points.txt" \
	/usr/share/man/man1/vmapview-check.1.gz /usr/share/man/man1/vmapview-read.1.gz \
	/usr/share/man/man4/vmapview.4.gz
field "$tools" Version "$version"
field "$tools" Architecture all
dpkg-deb -f "$tools" Depends | grep -q '\bpython3-drgn\b' || bad "vmapview-tools does not depend on python3-drgn"
mkdir "$tmp/t"
dpkg-deb -x "$tools" "$tmp/t"
for m in "${modules[@]}"; do
	[ ! -e "$tmp/t$py/$m" ] || cmp -s "$tmp/t$py/$m" "tools/$m" || bad "$py/$m differs from tools/$m"
done
for f in vmapview-check vmapview-read; do
	[ -x "$tmp/t/usr/bin/$f" ] || { bad "/usr/bin/$f is not executable"; continue; }
	# The console script runs the packaged module.
	PYTHONPATH=$tmp/t$py /usr/bin/python3 "$tmp/t/usr/bin/$f" --help >"$tmp/help" 2>&1 &&
		grep -q "^usage: $f " "$tmp/help" || bad "/usr/bin/$f --help: $(head -3 "$tmp/help")"
done
for m in vmapview-check.1 vmapview-read.1 vmapview.4; do
	g=$tmp/t/usr/share/man/man${m##*.}/$m.gz
	[ ! -e "$g" ] || zcat "$g" | cmp -s - "man/$m" || bad "the installed $m differs from man/$m"
done
if [ -d "$tmp/t$info" ]; then
	if ! grep -qx "Name: vmapview" "$tmp/t$info/METADATA" ||
		! grep -qx "Version: $version" "$tmp/t$info/METADATA"; then
		bad "$info/METADATA does not name vmapview $version"
	fi
	# The entry points as drgn's plugin loader finds them (importlib.metadata),
	# equal to tools/pyproject.toml's, and the plugin they load.
	out=$(PYTHONPATH=$tmp/t$py /usr/bin/python3 - "$tmp/t$py" tools/pyproject.toml <<'PY' 2>&1
import importlib.metadata, sys, tomllib
with open(sys.argv[2], "rb") as f:
    project = tomllib.load(f)["project"]
want = {("console_scripts", k, v) for k, v in project["scripts"].items()}
want |= {(g, k, v) for g, eps in project["entry-points"].items() for k, v in eps.items()}
dist = next(importlib.metadata.distributions(path=[sys.argv[1]]))
got = {(ep.group, ep.name, ep.value) for ep in dist.entry_points}
print("entry points:", ", ".join(f"[{g}] {k} = {v}" for g, k, v in sorted(got)))
if got != want:
    sys.exit(f"not tools/pyproject.toml's: {sorted(want)}")
try:
    import drgn  # noqa: F401
except ImportError:
    print("no drgn here: the plugin module not loaded")
    sys.exit(0)
ep = next(ep for ep in dist.entry_points if ep.group == "drgn.plugins")
plugin = ep.load()
if plugin.__file__ != sys.argv[1] + "/vmapview/plugin.py" or not callable(plugin.drgn_prog_set):
    sys.exit(f"the entry point loads {plugin.__file__}, without drgn_prog_set")
print("the drgn.plugins entry point loads the packaged vmapview.plugin, with drgn_prog_set")
PY
	)
	rc=$?
	echo "$out"
	[ $rc = 0 ] || bad "the package's entry points are not tools/pyproject.toml's, or its drgn plugin does not load"
fi
[ $status = 0 ] && echo "both packages hold what they must: $(basename "$dkms") $(basename "$tools")"
exit $status
