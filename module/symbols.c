// SPDX-License-Identifier: GPL-2.0
/*
 * Private kernel symbols, passed in by user space and checked here.
 *
 * kallsyms_lookup_name() is not exported (since 5.7). vmapview used to find
 * it with a kprobe and call it through kp.addr; on a kernel built with
 * CONFIG_X86_KERNEL_IBT that address lies past the function's ENDBR, and
 * the kernel poisons at boot the ENDBR of every function no code takes the
 * address of (.ibt_endbr_seal), kallsyms_lookup_name() among them, so on a
 * CPU with IBT the first call was a #CP and a BUG in modprobe (issue 19).
 *
 * So vmapview calls no function through an address it did not link
 * against. User space reads /proc/kallsyms (/usr/lib/vmapview/ksyms, which
 * /etc/modprobe.d/vmapview.conf runs) and passes the addresses it needs as
 * ksyms=NAME:0xADDR,...; the names a build needs are in its modinfo
 * (vmapview_ksyms), listed once, in ksyms.h. Every address is checked with
 * sprint_symbol(), exported and read-only, before anything uses it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "btf.h"
#include "kernel_vmalloc.h"
#include "vmapview.h"

struct vmv_syms vmv_syms;
/* vmapview_kcore's corrected kcore reader reads the same structures. */
EXPORT_SYMBOL_GPL(vmv_syms);

/* For the views, which see no struct vmv_syms. */
int vmv_kptr_restrict(void)
{
	return READ_ONCE(*vmv_syms.kptr_restrict);
}

/* How an address is checked before use; see vmv_ksym_check(). */
enum vmv_ksym_kind {
	VMV_KSYM_DATA,		/* kallsyms names it, at offset 0 */
	VMV_KSYM_PERCPU,	/* the same, or a per-CPU offset (x86_64 < 6.15) */
	VMV_KSYM_BTF,		/* a bound of the kernel's .BTF section */
};

/*
 * What /usr/lib/vmapview/ksyms reads, with modinfo -F vmapview_ksyms: the
 * names of ksyms.h, as MODULE_INFO(vmapview_ksyms, ...) would store them
 * (a macro's argument cannot come from an #include).
 */
#define VMV_KSYM_FIRST(field, sym, kind)	#sym
#define VMV_KSYM(field, sym, kind)		" " #sym
static const char vmv_ksyms_modinfo[] __used __section(".modinfo") __aligned(1) =
	"vmapview_ksyms="
#include "ksyms.h"
	;
#undef VMV_KSYM_FIRST
#undef VMV_KSYM

/* Enough for any build's list, with room for more. */
#define VMV_KSYMS_MAX	32
static char *vmv_ksyms[VMV_KSYMS_MAX];
static unsigned int vmv_ksyms_nr;
/* Not shown in sysfs: kernel addresses. */
module_param_array_named(ksyms, vmv_ksyms, charp, &vmv_ksyms_nr, 0);
MODULE_PARM_DESC(ksyms, "NAME:0xADDR,... from /proc/kallsyms, for the names in modinfo vmapview_ksyms (/usr/lib/vmapview/ksyms prints it)");

/* The address ksyms gives name: 0 found, -ENOENT absent, -EINVAL bad. */
static int vmv_ksym_param(const char *name, unsigned long *addr)
{
	size_t len = strlen(name);
	unsigned int i;
	int found = -ENOENT;

	for (i = 0; i < vmv_ksyms_nr; i++) {
		const char *p = vmv_ksyms[i];

		if (strncmp(p, name, len) || p[len] != ':')
			continue;
		if (found == 0) {
			pr_err("ksyms names %s twice; refusing to load\n", name);
			return -EINVAL;
		}
		if (kstrtoul(p + len + 1, 16, addr)) {
			pr_err("ksyms: '%s' is not NAME:0xADDR; refusing to load\n", p);
			return -EINVAL;
		}
		found = 0;
	}
	return found;
}

/*
 * Whether head, read without trusting it, is a list head whose neighbours
 * point back to it. The kernel changes the list under a lock this does not
 * take: a few tries ride over an insertion or removal in progress.
 */
static bool vmv_ksym_list_head(struct list_head *head)
{
	struct list_head h, *back_next, *back_prev;
	int tries;

	for (tries = 0; tries < 3; tries++) {
		if (copy_from_kernel_nofault(&h, head, sizeof(h)) ||
		    copy_from_kernel_nofault(&back_next, &h.next->prev, sizeof(back_next)) ||
		    copy_from_kernel_nofault(&back_prev, &h.prev->next, sizeof(back_prev)))
			return false;
		if (back_next == head && back_prev == head)
			return true;
	}
	return false;
}

/*
 * The offset the kernel's BTF gives the per-CPU variable name (pahole lists
 * every per-CPU variable, with its offset, in the DATASEC .data..percpu):
 * 0 when it gives name that offset, -EINVAL when another, -ENOENT when BTF
 * has no such variable (no BTF, or BTF without variables, as Debian 11's
 * 5.10).
 */
static int vmv_ksym_btf_percpu(const char *name, unsigned long offset)
{
	struct vmv_btf btf;
	void *copy;
	u32 off;
	int ret;

	ret = vmv_btf_load(&btf, &copy, vmv_syms.btf_start, vmv_syms.btf_stop);
	if (ret)
		return ret;
	ret = vmv_btf_var_offset(&btf, ".data..percpu", name, &off);
	if (!ret && off != offset)
		ret = -EINVAL;
	vmv_btf_close(&btf, copy);
	return ret;
}

/*
 * A per-CPU variable that kallsyms cannot name: x86_64 before 6.15 links
 * per-CPU variables at offsets from 0, outside the kernel's text and data,
 * and /proc/kallsyms shows those offsets. The kernel's BTF lists them with
 * their offsets (vmv_ksym_btf_percpu() compares); Debian 11's 5.10 BTF has no variables,
 * so the struct is checked too, in every CPU's copy and without trusting
 * it: vmap_block_queue.free must be a list whose neighbours point back.
 */
static int vmv_ksym_percpu_check(const char *name, unsigned long off)
{
	struct vmv_kvbq __percpu *vbq = (void __percpu *)off;
	unsigned int cpu;
	int ret;

	ret = vmv_ksym_btf_percpu(name, off);
	if (ret != -ENOENT)
		return ret;
	for_each_possible_cpu(cpu) {
		struct list_head *head = &per_cpu_ptr(vbq, cpu)->free;

		if (!vmv_ksym_list_head(head))
			return -EINVAL;
	}
	return 0;
}

/*
 * sprint_symbol() prints "NAME+0x0/0xSIZE" for the start of a symbol of
 * the kernel proper, the same with " [MODULE]" for a module's, and the
 * bare address for no symbol at all.
 */
static int vmv_ksym_check(const char *name, unsigned long addr,
			  enum vmv_ksym_kind kind)
{
	char buf[KSYM_SYMBOL_LEN];
	size_t len = strlen(name);
	const char *plus;

	sprint_symbol(buf, addr);
	plus = strchr(buf, '+');
	if (plus && !strncmp(plus, "+0x0/", 5) && !strchr(plus, ' ')) {
		if ((size_t)(plus - buf) == len && !strncmp(buf, name, len))
			return 0;
		/*
		 * __start_BTF and __stop_BTF share their addresses with other
		 * symbols (__stop_notes, ...), which kallsyms prefers to a
		 * linker-made __start_ or __stop_ name: the start of a symbol
		 * of the kernel proper is enough here, for the blob must then
		 * be BTF filling exactly [__start_BTF, __stop_BTF), checked
		 * by vmv_ksyms_btf_check().
		 */
		if (kind == VMV_KSYM_BTF)
			return 0;
	}
	if (!plus && kind == VMV_KSYM_PERCPU && !vmv_ksym_percpu_check(name, addr))
		return 0;
	pr_err("ksyms: the address given for %s is %s in kallsyms, not %s; refusing to load\n",
	       name, plus ? buf : "no symbol", name);
	return -EINVAL;
}

/* The BTF header fills [__start_BTF, __stop_BTF) exactly. */
static int vmv_ksyms_btf_check(void)
{
	struct {
		u16 magic;
		u8 version, flags;
		u32 hdr_len, type_off, type_len, str_off, str_len;
	} h;
	unsigned long start = (unsigned long)vmv_syms.btf_start;
	unsigned long stop = (unsigned long)vmv_syms.btf_stop;

	if (!start)
		return 0;
	if (stop > start && stop - start >= sizeof(h) &&
	    !copy_from_kernel_nofault(&h, (void *)start, sizeof(h)) &&
	    h.magic == 0xeB9F &&
	    (u64)h.hdr_len + max((u64)h.type_off + h.type_len,
				 (u64)h.str_off + h.str_len) == stop - start)
		return 0;
	pr_err("ksyms: __start_BTF..__stop_BTF is not the kernel's BTF; refusing to load\n");
	return -EINVAL;
}

int vmv_syms_init(void)
{
	static const struct {
		const char *name;
		void **addr;
		enum vmv_ksym_kind kind;
	} wanted[] = {
#define VMV_KSYM(field, sym, kind)	{ #sym, (void **)&vmv_syms.field, kind },
#define VMV_KSYM_FIRST			VMV_KSYM
#include "ksyms.h"
#undef VMV_KSYM_FIRST
#undef VMV_KSYM
	};
	unsigned long addr;
	unsigned int i, pass;
	int ret;

	if (!vmv_ksyms_nr) {
		pr_err("no ksyms= given: load with modprobe (/etc/modprobe.d/vmapview.conf passes it), or insmod vmapview.ko $(/usr/lib/vmapview/ksyms vmapview.ko)\n");
		return -EINVAL;
	}
	/* Every name given must be one this build asked for. */
	for (i = 0; i < vmv_ksyms_nr; i++) {
		unsigned int j;

		for (j = 0; j < ARRAY_SIZE(wanted); j++) {
			size_t len = strlen(wanted[j].name);

			if (!strncmp(vmv_ksyms[i], wanted[j].name, len) &&
			    vmv_ksyms[i][len] == ':')
				break;
		}
		if (j == ARRAY_SIZE(wanted)) {
			pr_err("ksyms: '%s' is not NAME:0xADDR for a name in modinfo vmapview_ksyms; refusing to load\n",
			       vmv_ksyms[i]);
			return -EINVAL;
		}
	}
	/* BTF first: the per-CPU check may read it. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < ARRAY_SIZE(wanted); i++) {
			if (wanted[i].kind == VMV_KSYM_BTF ? pass : !pass)
				continue;
			ret = vmv_ksym_param(wanted[i].name, &addr);
			if (ret == -ENOENT)
				pr_err("ksyms gives no address for %s (/usr/lib/vmapview/ksyms prints what this build needs); refusing to load\n",
				       wanted[i].name);
			if (ret)
				return ret;
			if (!addr) {
				pr_err("ksyms: %s is at 0: /proc/kallsyms showed zeros (kernel.kptr_restrict=2, or read without CAP_SYSLOG); refusing to load\n",
				       wanted[i].name);
				return -EPERM;
			}
			ret = vmv_ksym_check(wanted[i].name, addr, wanted[i].kind);
			if (ret)
				return ret;
			*wanted[i].addr = (void *)addr;
		}
		if (!pass) {
			ret = vmv_ksyms_btf_check();
			if (ret)
				return ret;
		}
	}
	return 0;
}
