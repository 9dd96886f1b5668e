# SPDX-License-Identifier: GPL-2.0
"""Builds the busybox initramfs that mounts the host root over 9p."""

import gzip
import os
import shutil
import subprocess
import tempfile

from . import contract

BUSYBOX = "/bin/busybox"
# What the guest needs before it can mount its root over virtio-9p.
NEEDED = ["virtio_pci", "9pnet_virtio", "9p"]


def _modules_in_order(kernel):
    """The module files (host paths) NEEDED pulls in, dependencies first."""
    out = subprocess.run(
        ["modprobe", "-d", kernel.root, "-S", kernel.release, "--show-depends", "-a"]
        + NEEDED, check=True, capture_output=True, text=True).stdout
    paths = []
    for line in out.splitlines():
        words = line.split()
        # "builtin NAME" lines need nothing: the module is part of the image.
        if words and words[0] == "insmod" and words[1] not in paths:
            paths.append(words[1])
    return paths    # modprobe -d prefixes them with the root already


def _is_static(path):
    out = subprocess.run(["file", "-L", path], capture_output=True, text=True).stdout
    return "statically linked" in out or "static-pie" in out


def build(kernel, init_script, dest):
    """Writes the initramfs for kernel to dest (rebuilt only when stale):
    init_script as /init, and init's part of the host-guest contract."""
    inputs = [init_script, BUSYBOX, __file__, contract.__file__]
    if (os.path.exists(dest)
            and all(os.path.getmtime(dest) > os.path.getmtime(p) for p in inputs)):
        return dest
    if not os.path.exists(BUSYBOX) or not _is_static(BUSYBOX):
        raise RuntimeError(f"{BUSYBOX} is missing or not static: install busybox-static")
    with tempfile.TemporaryDirectory() as tmp:
        for d in ("bin", "dev", "proc", "sys", "newroot", "modules"):
            os.mkdir(os.path.join(tmp, d))
        shutil.copy(BUSYBOX, os.path.join(tmp, "bin", "busybox"))
        shutil.copy(init_script, os.path.join(tmp, "init"))
        os.chmod(os.path.join(tmp, "init"), 0o755)
        with open(os.path.join(tmp, contract.INIT_ENV.lstrip("/")), "w") as f:
            f.write(contract.init_env())
        order = []
        for ko in _modules_in_order(kernel):
            # Debian 13 compresses modules; busybox insmod wants them plain.
            name = os.path.basename(ko)
            for ext, tool in ((".xz", "xz"), (".zst", "zstd")):
                if name.endswith(ext):
                    name = name[:-len(ext)]
                    with open(os.path.join(tmp, "modules", name), "wb") as f:
                        subprocess.run([tool, "-dc", ko], check=True, stdout=f)
                    break
            else:
                shutil.copy(ko, os.path.join(tmp, "modules", name))
            order.append(name)
        with open(os.path.join(tmp, "modules", "order"), "w") as f:
            f.write("\n".join(order) + "\n")
        files = subprocess.run("find . -print0 | cpio --null -o -H newc --quiet",
                               shell=True, cwd=tmp, check=True,
                               capture_output=True).stdout
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with gzip.open(dest + ".tmp", "wb", compresslevel=1) as f:
        f.write(files)
    os.replace(dest + ".tmp", dest)
    return dest
