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
    def chroot(self):
        """Builds for this kernel run chrooted into its root ("" = host)."""
        return "" if self.root == "/" else self.root

    def build_cmd(self, cmd):
        """cmd (paths inside the root) as it runs on the host."""
        if not self.chroot:
            return cmd
        return ["chroot", self.root, "/usr/bin/env", "-i",
                "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root"] + cmd

    def guest_path(self, host_path):
        """The path inside the root of a host path under it."""
        if not self.chroot:
            return host_path
        return "/" + os.path.relpath(host_path, self.root)

    @property
    def kdir(self):
        return f"/lib/modules/{self.release}/build"

    @property
    def modules_dir(self):
        return self.path(f"/lib/modules/{self.release}")


WORK = os.environ.get("VMAPVIEW_WORK", "/var/cache/vmapview")

# profile -> (guest root, release glob, how to install it). Debian 13's
# kernel is built with Debian 13's gcc-14, inside a trixie root that is
# also the guest's root filesystem.
PROFILES = {
    "6.1": ("/", "6.1.*-amd64",
            "Debian 12's linux-image-amd64 and linux-headers-amd64 (make setup)"),
    "6.12": (os.path.join(WORK, "trixie-root"), "6.12.*-amd64",
             "the trixie root with Debian 13's kernel (make setup)"),
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
                    and os.path.isfile(os.path.join(k.modules_dir, "modules.dep"))
                    and (root == "/" or os.path.exists(os.path.join(root, ".vmapview-ready")))):
                return k
        raise KernelUnavailable(f"kernel {name}: no image with headers and modules "
                                f"under {root}; install {how}")
    raise KernelUnavailable(f"unknown kernel {name!r}; known: {', '.join(PROFILES)}")
