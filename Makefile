# SPDX-License-Identifier: GPL-2.0
#
#   make                 build vmapview.ko against KDIR (default: running kernel)
#   make demo            boot a QEMU guest, load vmapview, show its debugfs files
#   make check           run the whole test suite (host and QEMU guests) on
#                        the generic kernels of tests/kernels.conf and the
#                        debug kernel (KASAN, lockdep), built by make setup
#   make check KERNEL=rt              the same on the PREEMPT_RT kernels
#   make check KERNEL=6.1 TEST=load-unload    one test on one kernel
#   make bench           benchmarks in a guest, as ratios measured in one boot
#   make setup           install the packages the two above need (idempotent;
#                        KERNEL= as for check)
#   make kernel-table    write the supported-kernels table into README.md
#                        from the results of the last full runs
#   make dkms-install    install this tree through DKMS for the running kernel

KDIR ?= /lib/modules/$(shell uname -r)/build
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
RUN_ARGS := $(if $(KERNEL),--kernel $(KERNEL)) $(if $(TEST),--test $(TEST)) $(RUNFLAGS)

.PHONY: all modules clean setup check demo bench kernel-table dkms-install dkms-remove

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

setup:
	bash tests/setup.sh $(KERNEL)

kernel-table:
	tests/run --table-readme

check: setup
	tests/run $(RUN_ARGS)

demo: setup
	tests/run --demo $(RUN_ARGS)

bench: setup
	tests/run --bench $(RUN_ARGS)

dkms-install:
	dkms add .
	dkms build -m vmapview -v $(VERSION)
	dkms install -m vmapview -v $(VERSION)

dkms-remove:
	dkms remove vmapview/$(VERSION) --all
