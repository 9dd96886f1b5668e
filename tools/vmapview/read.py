# SPDX-License-Identifier: GPL-2.0
"""Print or hexdump kernel memory mapped with vm_map_ram(), read through
vmapview's /sys/kernel/debug/vmapview/mem (root only).
Installed as vmapview-read; from a checkout, PYTHONPATH=tools python3 -m
vmapview.read.

  vmapview-read 0xffffc90000400000 4096          # hexdump -C style
  vmapview-read --raw 0xffffc90000400000 4096 > page.bin

Bytes that are not used vm_map_ram memory (free or dirty block pages,
holes, other vmalloc memory) read as zeros, as upstream's vread() gives
them.
"""

import argparse
import sys

from .debugfs import DEBUGFS, Mem


def hexdump(addr, data, out):
    for i in range(0, len(data), 16):
        row = data[i:i + 16]
        hexes = " ".join(f"{b:02x}" for b in row[:8]) + "  " + \
            " ".join(f"{b:02x}" for b in row[8:])
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in row)
        out.write(f"{addr + i:016x}  {hexes:<48}  |{text}|\n")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="vmapview-read", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("address", type=lambda s: int(s, 0),
                    help="kernel virtual address (vmalloc range)")
    ap.add_argument("length", type=lambda s: int(s, 0), help="bytes to read")
    ap.add_argument("--raw", action="store_true", help="write the bytes as they are")
    ap.add_argument("--debugfs", default=DEBUGFS, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.length < 0:
        ap.error("length must not be negative")
    try:
        mem = Mem(args.debugfs)
    except FileNotFoundError:
        raise SystemExit(f"vmapview-read: {args.debugfs} not found: is vmapview "
                         "loaded and debugfs mounted?")
    except PermissionError as e:
        raise SystemExit(f"vmapview-read: {e.strerror}: {e.filename} (root only; "
                         "refused under lockdown=confidentiality)")
    except ValueError as e:
        raise SystemExit(f"vmapview-read: {e}")
    if args.address < mem.base:
        ap.error(f"{args.address:#x} is below vmalloc_start {mem.base:#x}")
    out = sys.stdout.buffer if args.raw else sys.stdout
    done = 0
    while done < args.length:
        data = mem.read(args.address + done, min(args.length - done, 1 << 20))
        if not data:
            break           # the end of the vmalloc range
        if args.raw:
            out.write(data)
        else:
            hexdump(args.address + done, data, out)
        done += len(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
