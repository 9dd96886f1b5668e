# SPDX-License-Identifier: GPL-2.0
"""Reads vmapview's debugfs files, with the Python standard library only:
the records of blocks and areas (range first, then key=value tokens), stats,
and mem (formats: man/vmapview.4). Shared by vmapview-read, vmapview-check,
the drgn plugin and the tests' guest helpers.
"""

import os
from typing import Dict, List, NamedTuple

DEBUGFS = "/sys/kernel/debug/vmapview"
PAGE_SIZE = 4096


class AddressesHidden(ValueError):
    """vmapview prints zeros for addresses (kernel.kptr_restrict=2)."""

    def __init__(self):
        super().__init__("vmapview hides addresses (kernel.kptr_restrict=2); "
                         "set it to 0 or 1 to read them")


class Record(NamedTuple):
    """One line of a file that starts with 0xSTART-0xEND."""
    start: int
    end: int
    fields: Dict[str, str]
    line: str

    @property
    def map(self) -> str:
        return self.fields["map"]

    @property
    def type(self) -> str:
        return self.fields["type"]


def records(name: str, debugfs: str = DEBUGFS) -> List[Record]:
    """The records of debugfs/name; '#' lines are skipped. Raises
    AddressesHidden where the ranges are zeros."""
    out = []
    with open(os.path.join(debugfs, name)) as f:
        for line in f:
            if line.startswith("#"):
                continue
            line = line.rstrip("\n")
            words = line.split()
            start, end = (int(x, 16) for x in words[0].split("-"))
            if not end:
                raise AddressesHidden()
            out.append(Record(start, end,
                              dict(w.split("=", 1) for w in words[1:] if "=" in w),
                              line))
    return out


def blocks(debugfs: str = DEBUGFS) -> Dict[int, Record]:
    """The blocks file's records by block start."""
    return {r.start: r for r in records("blocks", debugfs)}


def areas(debugfs: str = DEBUGFS) -> List[Record]:
    return records("areas", debugfs)


def vmalloc_map(debugfs: str = DEBUGFS) -> List[Record]:
    """The vmalloc file: every busy area and how /proc/kcore reads it."""
    return records("vmalloc", debugfs)


def stats(debugfs: str = DEBUGFS) -> Dict[str, str]:
    with open(os.path.join(debugfs, "stats")) as f:
        return dict(line.rstrip("\n").split(" ", 1) for line in f)


class Mem:
    """vmapview's mem file: offset X is the address vmalloc_start + X."""

    def __init__(self, debugfs: str = DEBUGFS):
        self.base = int(stats(debugfs)["vmalloc_start"], 16)
        if not self.base:
            raise AddressesHidden()
        self.fd = os.open(os.path.join(debugfs, "mem"), os.O_RDONLY)

    def read(self, addr: int, size: int) -> bytes:
        """Up to size bytes at addr; fewer only at the end of the range."""
        return os.pread(self.fd, size, addr - self.base)
