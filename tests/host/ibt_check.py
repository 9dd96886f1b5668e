# SPDX-License-Identifier: GPL-2.0
"""Checks, from the ELF files alone, that vmapview is safe on a kernel built
with CONFIG_X86_KERNEL_IBT running on a CPU with IBT (tests/host/ibt-endbr.sh).

On such a CPU an indirect call must land on an ENDBR64. The kernel poisons
at boot the ENDBR of every function that no code takes the address of (the
s32 slots of .ibt_endbr_seal, each relative to its own address), so a module
that finds a function's address at run time (kallsyms, a kprobe's .addr) and
calls it takes a #CP: what vmapview did with kallsyms_lookup_name (issue 19).

    ibt_check.py VMLINUX SRC vmapview.ko [vmapview_kcore.ko ...]

1. Every name vmapview resolves at run time, its modinfo vmapview_ksyms
   list (user space passes their addresses as ksyms=), must be a data
   object of vmlinux: not STT_FUNC, not in a .text section.
2. No string in the modules' read-only data may name a function of vmlinux
   (the way a name reaches kallsyms_lookup_name or kallsyms_on_each_symbol),
   except the kprobe targets of module/probes.c and the livepatch old_name
   targets of module/kcore_fix.c: the kernel registers those, and vmapview
   never calls them; and the .name strings of module/vmalloc_map.c, which
   it only prints or compares with %ps output (that file never mentions
   kallsyms).
3. vmapview never calls through an address the kernel gave it for those:
   the only such addresses are a kprobe's .addr and a klp_func's .old_func,
   and no source of module/ reads either (a source check: the binary cannot
   tell where a pointer that an indirect call uses came from). The other
   function addresses a module holds are its own, taken at build time and
   relocated, and kernel functions it links against, called directly (a
   direct call needs no ENDBR). With 1 and 2, no kernel function address
   reaches the module but through those two fields.
4. Every function of the modules whose address is taken, by a data section
   (kprobe handlers, file_operations, seq_operations, klp new_func, module
   init and exit) or by code (a handler set at run time), starts with
   ENDBR64, so that the kernel's indirect calls into the module land.
Prints one line per finding and exits 1 if there is any, else 0.
"""

import os
import re
import struct
import sys

ENDBR64 = b"\xf3\x0f\x1e\xfa"
SHT_SYMTAB, SHT_RELA, SHT_NOBITS = 2, 4, 8
STT_OBJECT, STT_FUNC, STT_SECTION = 1, 2, 3
SHN_UNDEF = 0
SHN_LORESERVE = 0xff00
SHF_EXECINSTR = 0x4
R_X86_64_64, R_X86_64_PC32, R_X86_64_32, R_X86_64_32S = 1, 2, 10, 11

# Data sections whose relocations take a function's address for the kernel
# to call (the rest, ORC, __mcount_loc, .return_sites, __jump_table and the
# like, is metadata about code, not a pointer anything calls).
CALLABLE_FROM = (".data", ".rodata", ".init.data", ".exit.data", ".ref.data",
                 "__param", ".gnu.linkonce.this_module", ".init_array")


class Elf:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.data = f.read()
        d = self.data
        if d[:4] != b"\x7fELF" or d[4] != 2 or d[5] != 1:
            raise SystemExit(f"{path}: not a little-endian ELF64 file")
        self.path = path
        self.type = struct.unpack_from("<H", d, 16)[0]
        shoff, = struct.unpack_from("<Q", d, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 0x3a)
        self.sections = []
        for i in range(shnum):
            (name, stype, flags, addr, off, size, link, info, align,
             entsize) = struct.unpack_from("<IIQQQQIIQQ", d, shoff + i * shentsize)
            self.sections.append(dict(name=name, type=stype, flags=flags, addr=addr,
                                      off=off, size=size, link=link, info=info,
                                      entsize=entsize))
        strtab = self.sections[shstrndx]
        for s in self.sections:
            s["name"] = self._str(strtab, s["name"])
        self.symbols = self._symbols()

    def _str(self, sec, off):
        start = sec["off"] + off
        return self.data[start:self.data.index(b"\0", start)].decode("latin-1")

    def _symbols(self):
        syms = []
        for s in self.sections:
            if s["type"] != SHT_SYMTAB:
                continue
            strtab = self.sections[s["link"]]
            for i in range(s["size"] // 24):
                name, info, _, shndx, value, size = struct.unpack_from(
                    "<IBBHQQ", self.data, s["off"] + i * 24)
                syms.append(dict(name=self._str(strtab, name), type=info & 0xf,
                                 shndx=shndx, value=value, size=size))
        return syms

    def section(self, name):
        for s in self.sections:
            if s["name"] == name:
                return s
        return None

    def bytes_of(self, sec):
        if sec["type"] == SHT_NOBITS:
            return b""
        return self.data[sec["off"]:sec["off"] + sec["size"]]

    def section_of(self, sym):
        if sym["shndx"] == SHN_UNDEF or sym["shndx"] >= SHN_LORESERVE:
            return None
        return self.sections[sym["shndx"]]

    def relocations(self):
        """(section patched, offset, symbol, type, addend) of every RELA entry."""
        for s in self.sections:
            if s["type"] != SHT_RELA:
                continue
            symtab = self.sections[s["link"]]
            first = next(i for i, t in enumerate(self.sections) if t is symtab)
            base = sum(t["size"] // 24 for t in self.sections[:first]
                       if t["type"] == SHT_SYMTAB)
            for i in range(s["size"] // 24):
                offset, info, addend = struct.unpack_from("<QQq", self.data,
                                                          s["off"] + i * 24)
                yield (self.sections[s["info"]], offset, self.symbols[base + (info >> 32)],
                       info & 0xffffffff, addend)


def is_text(sec):
    return sec is not None and (sec["name"] == ".text" or sec["name"].startswith(".text.")
                                or sec["name"] in (".init.text", ".exit.text",
                                                   ".noinstr.text", ".ref.text"))


def sealed_set(vmlinux):
    seal = vmlinux.section(".ibt_endbr_seal")
    if seal is None:
        return set()
    raw = vmlinux.bytes_of(seal)
    return {seal["addr"] + 4 * i + struct.unpack_from("<i", raw, 4 * i)[0]
            for i in range(len(raw) // 4)}


def modinfo(ko):
    sec = ko.section(".modinfo")
    info = {}
    for entry in ko.bytes_of(sec).split(b"\0") if sec else []:
        key, _, value = entry.decode("latin-1").partition("=")
        if value:
            info.setdefault(key, []).append(value)
    return info


def rodata_strings(ko):
    for s in ko.sections:
        if s["name"].startswith(".rodata") and s["type"] != SHT_NOBITS:
            for w in ko.bytes_of(s).split(b"\0"):
                if re.fullmatch(rb"[A-Za-z_][A-Za-z0-9_.]*", w):
                    yield w.decode()


def source(src, path):
    """A source file without its comments."""
    with open(os.path.join(src, path)) as f:
        text = f.read()
    return re.sub(r"/\*.*?\*/|//[^\n]*", lambda m: "\n" * m.group().count("\n"), text,
                  flags=re.S)


def source_names(src, path, field):
    """The names a struct initializer's field is given: string literals, or
    macros #defined (under any #if) to string literals."""
    text = source(src, path)
    names = set()
    for value in re.findall(r"\." + field + r"\s*=\s*(\"[^\"]+\"|\w+)", text):
        if value.startswith('"'):
            names.add(value.strip('"'))
        else:
            names |= set(re.findall(r"#define\s+" + value + r"\s+\"([^\"]+)\"", text))
    return names


def layout_names(src):
    """The struct and member names of module/layout.c's rows: looked up in
    the kernel's BTF, by name, never in kallsyms."""
    names = set()
    for kstruct, member in re.findall(r"VMV_ROW\((\w+),[^,]+,\s*([\w.]+)\)",
                                      source(src, "module/layout.c")):
        names |= {kstruct, *member.split(".")}
    return names


def main():
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    vmlinux = Elf(sys.argv[1])
    src = sys.argv[2]
    kos = [Elf(p) for p in sys.argv[3:]]
    bad = []

    sealed = sealed_set(vmlinux)
    by_name = {}
    for sym in vmlinux.symbols:
        if sym["name"] and sym["type"] != STT_SECTION:
            by_name.setdefault(sym["name"], []).append(sym)
    funcs = {n for n, ss in by_name.items()
             if any(s["type"] == STT_FUNC or is_text(vmlinux.section_of(s)) for s in ss)}
    print(f"vmlinux: {len(by_name)} symbols, {len(funcs)} functions, "
          f"{len(sealed)} sealed by .ibt_endbr_seal")

    def what(name):
        syms = by_name[name]
        out = "STT_FUNC" if any(s["type"] == STT_FUNC for s in syms) else "in .text"
        if any(s["value"] in sealed for s in syms):
            out += ", its ENDBR sealed (poisoned at boot)"
        return out

    # 1. The names vmapview resolves at run time.
    ksyms = []
    for ko in kos:
        for value in modinfo(ko).get("vmapview_ksyms", []):
            ksyms += value.split()
    main_ko = kos[0]
    if "vmapview_ksyms" not in modinfo(main_ko):
        bad.append(f"{os.path.basename(main_ko.path)} has no modinfo vmapview_ksyms: "
                   "it finds kernel symbols at run time some other way")
    for name in ksyms:
        if name not in by_name:
            bad.append(f"ksyms: {name} is not a symbol of this vmlinux")
        elif len(by_name[name]) > 1:
            bad.append(f"ksyms: vmlinux has {len(by_name[name])} symbols named {name}")
        elif name in funcs:
            bad.append(f"ksyms: vmapview takes the address of the function {name} ({what(name)})")
    print(f"ksyms (modinfo vmapview_ksyms): {' '.join(ksyms) or 'none'}")

    # 2. Function names in the modules' read-only data.
    probes = source_names(src, "module/probes.c", "symbol")
    patched = source_names(src, "module/kcore_fix.c", "old_name")
    # Names the vmalloc file shows (as /proc/vmallocinfo does) or compares
    # with %ps output: a file that never looks a name up.
    shown = source_names(src, "module/vmalloc_map.c", "name")
    if "kallsyms" in source(src, "module/vmalloc_map.c"):
        bad.append("module/vmalloc_map.c mentions kallsyms: its .name strings "
                   "are allowed only as names it shows")
    allowed = probes | patched | layout_names(src) | shown
    for ko in kos:
        named = sorted({w for w in rodata_strings(ko) if w in funcs})
        for w in named:
            if w not in allowed:
                bad.append(f"{os.path.basename(ko.path)} names the kernel function {w} "
                           f"({what(w)}) in its read-only data: neither a kprobe target "
                           "of module/probes.c, a livepatch target of module/kcore_fix.c "
                           "nor a BTF name of module/layout.c's rows")
        print(f"{os.path.basename(ko.path)}: function names in rodata: "
              f"{' '.join(named) or 'none'}")
    print(f"allowed: kprobe targets {' '.join(sorted(probes))}; livepatch targets "
          f"{' '.join(sorted(patched))}; names vmalloc_map.c shows: "
          f"{' '.join(sorted(shown & funcs)) or 'none'}; BTF names of layout rows that are also functions: "
          f"{' '.join(sorted(layout_names(src) & funcs)) or 'none'}")

    # 3. Addresses the kernel hands back for probed or patched functions.
    pattern = re.compile(r"\bkp\s*(\.|->)\s*addr\b|(\.|->)\s*old_func\b")
    for fn in sorted(os.listdir(os.path.join(src, "module"))):
        if not fn.endswith((".c", ".h")):
            continue
        for n, line in enumerate(source(src, "module/" + fn).split("\n"), 1):
            if pattern.search(line):
                bad.append(f"module/{fn}:{n} reads a kprobe's .addr or a klp_func's "
                           f".old_func: {line.strip()}")

    # 4. ENDBR64 at every function whose address the modules' data holds.
    for ko in kos:
        taken = {}
        funcs_at = {}
        for sym in ko.symbols:
            if sym["type"] == STT_FUNC and sym["shndx"] not in (SHN_UNDEF,) \
                    and sym["shndx"] < SHN_LORESERVE:
                funcs_at[(sym["shndx"], sym["value"])] = sym["name"]
        for patched_sec, offset, sym, rtype, addend in ko.relocations():
            if sym["shndx"] == SHN_UNDEF or sym["shndx"] >= SHN_LORESERVE:
                continue
            if patched_sec["flags"] & SHF_EXECINSTR:
                # Code that takes an address, as p->kp.pre_handler = f does:
                # mov $f or lea f(%rip) (REX.W 8d, ModRM rip-relative); the
                # other PC32 are jumps and branches, calls are PLT32.
                at = patched_sec["off"] + offset
                if rtype in (R_X86_64_64, R_X86_64_32, R_X86_64_32S):
                    target = sym["value"] + addend
                elif rtype == R_X86_64_PC32 and offset >= 3 and \
                        ko.data[at - 3] in (0x48, 0x4c) and ko.data[at - 2] == 0x8d and \
                        ko.data[at - 1] & 0xc7 == 0x05:
                    target = sym["value"] + addend + 4
                else:
                    continue
            elif patched_sec["name"].startswith(CALLABLE_FROM):
                target = sym["value"] + addend
            else:
                continue
            key = (sym["shndx"], target)
            # gcc's .cold parts of functions are only jumped to (PC32).
            if key in funcs_at and not funcs_at[key].endswith(".cold"):
                taken[key] = (funcs_at[key], patched_sec["name"])
        missing = []
        for (shndx, off), (name, where) in sorted(taken.items(), key=lambda t: t[1]):
            sec = ko.sections[shndx]
            if ko.data[sec["off"] + off:sec["off"] + off + 4] != ENDBR64:
                missing.append(name)
                bad.append(f"{os.path.basename(ko.path)}: {name}, whose address {where} "
                           "holds, does not start with ENDBR64")
        print(f"{os.path.basename(ko.path)}: {len(taken)} address-taken functions, "
              f"{len(taken) - len(missing)} start with ENDBR64: "
              f"{' '.join(sorted(n for n, _ in taken.values()))}")

    for line in bad:
        print("FAIL: " + line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
