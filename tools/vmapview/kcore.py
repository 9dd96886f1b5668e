# SPDX-License-Identifier: GPL-2.0
"""/proc/kcore read as drgn reads it on a live kernel: kernel virtual
addresses map to file offsets through its PT_LOAD program headers.
Standard library only; the drgn plugin and the tests' guest helpers share
it.
"""

import os
import struct
from typing import List, NamedTuple

KCORE = "/proc/kcore"


class KcoreFault(Exception):
    """No PT_LOAD of /proc/kcore holds address, or reading it failed."""

    def __init__(self, message: str, address: int):
        super().__init__(f"{message} at {address:#x}")
        self.message = message
        self.address = address


class Load(NamedTuple):
    """A PT_LOAD: kernel addresses [start, end) at file offset offset."""
    start: int
    end: int
    offset: int


class Kcore:
    def __init__(self, path: str = KCORE):
        self.path = path
        self.fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            self.loads = self._program_headers()
        except BaseException:
            os.close(self.fd)
            raise

    def _program_headers(self) -> List[Load]:
        ehdr = os.pread(self.fd, 64, 0)
        # ELF64, little-endian: x86_64, the only architecture of vmapview.
        if len(ehdr) < 64 or ehdr[:4] != b"\x7fELF" or ehdr[4] != 2 or ehdr[5] != 1:
            raise ValueError(f"{self.path} is not a little-endian ELF64 file")
        phoff, = struct.unpack_from("<Q", ehdr, 32)
        phentsize, phnum = struct.unpack_from("<HH", ehdr, 54)
        if phentsize < 56:
            raise ValueError(f"{self.path}: program headers of {phentsize} bytes")
        table = os.pread(self.fd, phentsize * phnum, phoff)
        if len(table) != phentsize * phnum:
            raise ValueError(f"{self.path}: short program header table")
        loads = []
        for i in range(phnum):
            p_type, _, p_offset, p_vaddr, _, p_filesz = \
                struct.unpack_from("<IIQQQQ", table, i * phentsize)
            if p_type == 1 and p_filesz:             # PT_LOAD
                loads.append(Load(p_vaddr, p_vaddr + p_filesz, p_offset))
        return sorted(loads)

    def close(self) -> None:
        os.close(self.fd)

    def covers(self, start: int, end: int) -> bool:
        """Whether one PT_LOAD holds all of [start, end)."""
        return any(s <= start and end <= e for s, e, _ in self.loads)

    def offset(self, address: int, count: int = 1) -> int:
        """The file offset of address, where one PT_LOAD holds count bytes
        from it."""
        for start, end, offset in self.loads:
            if start <= address and address + count <= end:
                return offset + address - start
        raise KcoreFault(f"no PT_LOAD of {self.path} holds {count} bytes", address)

    def read(self, address: int, count: int) -> bytes:
        """count bytes at address, across PT_LOADs; KcoreFault where none
        holds a byte of them."""
        out = []
        end = address + count
        while address < end:
            for start, stop, offset in self.loads:
                if start <= address < stop:
                    break
            else:
                raise KcoreFault(f"not in {self.path}", address)
            n = min(end, stop) - address
            try:
                data = os.pread(self.fd, n, offset + address - start)
            except OSError as e:
                raise KcoreFault(f"{self.path}: {e.strerror}", address) from None
            if not data:
                raise KcoreFault(f"short read from {self.path}", address)
            out.append(data)
            address += len(data)
        return b"".join(out)
