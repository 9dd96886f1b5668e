# SPDX-License-Identifier: GPL-2.0
"""Kernels the suite can boot, and where their image, headers and modules are."""

import glob
import os
import re
from dataclasses import dataclass

from .paths import SRC, WORK


class KernelUnavailable(Exception):
    """The kernel is not installed here; the message says how to get it."""


# A command in a kernel's root runs in a mount namespace of its own, with
# /proc mounted there (bullseye's DKMS needs /dev/fd), so that nothing stays
# mounted in the root when it ends. tests/host/lib.sh does the same.
CHROOT = ["unshare", "--mount", "--propagation", "private", "chroot"]
CHROOT_INIT = ('mount -t proc proc /proc && exec /usr/bin/env -i '
               'PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"')


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
        return CHROOT + [self.root, "/bin/sh", "-c", CHROOT_INIT, "sh"] + cmd

    def guest_path(self, host_path):
        """The path inside the root of a host path under it."""
        if not self.chroot:
            return host_path
        return "/" + os.path.relpath(host_path, self.root)

    def has_headers(self):
        """Whether the build directory exists inside the root (its symlink
        may be absolute, that is relative to the root)."""
        build = self.path(self.kdir)
        if os.path.islink(build) and os.path.isabs(os.readlink(build)):
            build = self.path(os.readlink(build))
        return os.path.isdir(build)

    @property
    def kdir(self):
        return f"/lib/modules/{self.release}/build"

    @property
    def modules_dir(self):
        return self.path(f"/lib/modules/{self.release}")


CONF = os.path.join(SRC, "tests", "kernels.conf")


@dataclass
class Profile:
    name: str         # "6.12", "6.12-rt"
    root_name: str    # "host", "bullseye", "trixie"
    suite: str        # apt target release ("-": the root's default)
    flavour: str      # "amd64", "rt-amd64"
    group: str        # "generic", "rt"

    @property
    def root(self):
        return "/" if self.root_name == "host" else os.path.join(WORK, self.root_name + "-root")

    @property
    def release_re(self):
        """Debian's uname -r of the profile: 6.1.0-56-amd64, 7.3.4+deb13-rt-amd64."""
        version = self.name.split("-")[0]
        return re.compile(re.escape(version) + r"\.[0-9]+(-[0-9]+|\+deb[0-9]+)-"
                          + re.escape(self.flavour))


def profiles():
    """tests/kernels.conf, in its order."""
    out = []
    with open(CONF) as f:
        for line in f:
            words = line.split()
            if len(words) >= 5 and not words[0].startswith("#"):
                out.append(Profile(*words[:5]))
    return out


def group_of(profile):
    """The group ("generic", "rt", "debug") of the profile named profile."""
    return next(p.group for p in profiles() if p.name == profile)


def expand(names):
    """Profile names for command-line names: profiles, releases or groups."""
    out = []
    for name in names:
        group = [p.name for p in profiles() if name in (p.group, "all")]
        for n in group or [name]:
            if n not in out:
                out.append(n)
    return out


def _version_key(release):
    return [int(x) if x.isdigit() else x for x in re.split(r"[.+-]", release)]


def resolve(name):
    """Resolves a profile ("6.1") or a release ("6.1.0-56-amd64") to a Kernel."""
    known = profiles()
    for p in known:
        if name != p.name and not p.release_re.fullmatch(name):
            continue
        images = glob.glob(os.path.join(p.root, "boot", "vmlinuz-*"))
        releases = sorted((r for r in (os.path.basename(i)[len("vmlinuz-"):] for i in images)
                           if p.release_re.fullmatch(r)), key=_version_key, reverse=True)
        if name != p.name:
            releases = [r for r in releases if r == name]
        for release in releases:
            k = Kernel(p.name, release, p.root,
                       os.path.join(p.root, "boot", "vmlinuz-" + release))
            if (k.has_headers()
                    and os.path.isfile(os.path.join(k.modules_dir, "modules.dep"))
                    and (p.root == "/" or os.path.exists(os.path.join(p.root, ".vmapview-ready")))):
                return k
        raise KernelUnavailable(f"kernel {name}: no image with headers and modules "
                                f"under {p.root}; run make setup KERNEL={p.name}")
    raise KernelUnavailable(f"unknown kernel {name!r}; known: "
                            f"{', '.join(p.name for p in known)}, generic, rt, all")
