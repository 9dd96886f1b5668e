# SPDX-License-Identifier: GPL-2.0
"""Host-side builds: vmapview through DKMS, and the test modules."""

import os
import re
import shutil
import subprocess
import tempfile

# Build products that must not travel with a source copy.
_ARTIFACTS = shutil.ignore_patterns("*.o", "*.ko", "*.mod", "*.mod.c", ".*.cmd",
                                    "*.symvers", "*.order", ".tmp_versions",
                                    "__pycache__", ".git")


# What passes vmapview its kernel addresses (ksyms=): the helper and the
# modprobe.d file that runs it, where debian/ and the Makefile put them.
KSYMS_FILES = (("tools/vmapview-ksyms", "/usr/lib/vmapview/ksyms", 0o755),
               ("tools/modprobe.d/vmapview.conf", "/etc/modprobe.d/vmapview.conf", 0o644))


def package_version(src):
    with open(os.path.join(src, "dkms.conf")) as f:
        m = re.search(r'^PACKAGE_VERSION="([^"]+)"', f.read(), re.M)
    return m.group(1)


def export_tree(src, dest):
    """Copies the source tree as a fresh clone would have it, plus local edits."""
    try:
        files = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=src, check=True, capture_output=True, text=True).stdout.split("\0")
    except (OSError, subprocess.CalledProcessError):
        shutil.copytree(src, dest, ignore=_ARTIFACTS, dirs_exist_ok=True)
        return
    for rel in filter(None, files):
        if not os.path.isfile(os.path.join(src, rel)):
            continue  # deleted in the work tree
        os.makedirs(os.path.join(dest, os.path.dirname(rel)), exist_ok=True)
        shutil.copy2(os.path.join(src, rel), os.path.join(dest, rel))


def _run(cmd, log, cwd=None):
    log.write(f"$ {' '.join(cmd)}\n")
    log.flush()
    return subprocess.run(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT).returncode


def dkms_install(kernel, src, log):
    """Replaces any installed vmapview with this tree, via the README's commands
    (in the kernel's root, for a kernel built with another distribution)."""
    version = package_version(src)
    _run(kernel.build_cmd(["dkms", "remove", f"vmapview/{version}", "--all"]), log)
    shutil.rmtree(kernel.path(f"/usr/src/vmapview-{version}"), ignore_errors=True)
    with tempfile.TemporaryDirectory(dir=kernel.path("/tmp")) as tmp:
        export_tree(src, tmp)
        where = kernel.guest_path(tmp)
        steps = [["dkms", "add", where],
                 ["dkms", "build", "-m", "vmapview", "-v", version, "-k", kernel.release],
                 ["dkms", "install", "-m", "vmapview", "-v", version, "-k", kernel.release]]
        for cmd in steps:
            if _run(kernel.build_cmd(cmd), log, cwd=tmp) != 0:
                return f"'{' '.join(cmd)}' failed"
    # As the package and make dkms-install do: `modprobe vmapview` runs the
    # ksyms helper through modprobe.d, in guests as on a user's machine.
    for rel, dest, mode in KSYMS_FILES:
        path = kernel.path(dest)
        log.write(f"$ install -m {mode:o} {rel} {path}\n")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        shutil.copyfile(os.path.join(src, rel), path)
        os.chmod(path, mode)
    return None


def build_testmods(kernel, src, dest, log):
    """Builds tests/kmod for kernel in dest (a private copy per kernel), and
    in dest/testing a vmapview.ko with the test-only knobs."""
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(os.path.join(src, "tests", "kmod"), dest, ignore=_ARTIFACTS)
    if _run(kernel.build_cmd(["make", "-C", kernel.guest_path(dest),
                              f"KDIR={kernel.kdir}"]), log) != 0:
        return "building tests/kmod failed"
    testing = os.path.join(dest, "testing")
    os.mkdir(testing)
    for name in ("Kbuild", "Makefile", "dkms.conf"):
        shutil.copy(os.path.join(src, name), testing)
    shutil.copytree(os.path.join(src, "module"), os.path.join(testing, "module"),
                    ignore=_ARTIFACTS)
    if _run(kernel.build_cmd(["make", "-C", kernel.guest_path(testing),
                              f"KDIR={kernel.kdir}", "VMAPVIEW_TESTING=y"]), log) != 0:
        return "building the testing vmapview.ko failed"
    return None
