# SPDX-License-Identifier: GPL-2.0
"""Kernels the suite can boot, and where their image, headers and modules are."""

import glob
import os
import re
from dataclasses import dataclass


class KernelUnavailable(Exception):
    """The kernel is not installed here; the message says how to get it."""


@dataclass
class Kernel:
    profile: str      # short name used on the command line, e.g. "6.1"
    release: str      # uname -r inside the guest, e.g. "6.1.0-56-amd64"
    root: str         # host directory the guest uses as its root filesystem
    vmlinuz: str      # host path of the kernel image

    def path(self, guest_path):
        """Host path of a path inside the guest's root filesystem."""
        return os.path.join(self.root, guest_path.lstrip("/"))

    @property
    def kdir(self):
        return f"/lib/modules/{self.release}/build"

    @property
    def modules_dir(self):
        return self.path(f"/lib/modules/{self.release}")


# profile -> (guest root, release glob, how to install it)
PROFILES = {
    "6.1": ("/", "6.1.*-amd64",
            "Debian 12's linux-image-amd64 and linux-headers-amd64 (make setup)"),
}


def _version_key(release):
    return [int(x) if x.isdigit() else x for x in re.split(r"[.-]", release)]


def resolve(name):
    """Resolves a profile ("6.1") or a release ("6.1.0-56-amd64") to a Kernel."""
    for profile, (root, pattern, how) in PROFILES.items():
        if name != profile and not re.fullmatch(pattern.replace(".", r"\.")
                                                .replace("*", ".*"), name):
            continue
        images = glob.glob(os.path.join(root, "boot", "vmlinuz-" + pattern))
        releases = sorted((os.path.basename(p)[len("vmlinuz-"):] for p in images),
                          key=_version_key, reverse=True)
        if name != profile:
            releases = [r for r in releases if r == name]
        for release in releases:
            k = Kernel(profile, release, root,
                       os.path.join(root, "boot", "vmlinuz-" + release))
            if (os.path.isdir(k.path(k.kdir))
                    and os.path.isfile(os.path.join(k.modules_dir, "modules.dep"))):
                return k
        raise KernelUnavailable(f"kernel {name}: no image with headers and modules "
                                f"under {root}; install {how}")
    raise KernelUnavailable(f"unknown kernel {name!r}; known: {', '.join(PROFILES)}")
