# SPDX-License-Identifier: GPL-2.0
#
#   make                 build vmapview.ko against KDIR (default: running kernel)
#   make demo            boot a QEMU guest, load vmapview, show its debugfs files
#                        (sets up only the kernel it boots: 6.1, or KERNEL=)
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
#   make deb             build the Debian packages vmapview-dkms and
#                        vmapview-tools into deb/ (DEB_DIR=), lintian-clean

KDIR ?= /lib/modules/$(shell uname -r)/build
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
RUN_ARGS := $(if $(KERNEL),--kernel $(KERNEL)) $(if $(TEST),--test $(TEST)) $(RUNFLAGS)

# Where make deb leaves the packages, and the commands it needs (with their
# Debian packages).
DEB_DIR ?= deb
DEB_TOOLS := dpkg-buildpackage:dpkg-dev dh:debhelper dh_dkms:dh-dkms \
	     dh_python3:dh-python lintian:lintian

.PHONY: all modules clean setup check demo bench kernel-table dkms-install dkms-remove deb

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

setup:
	bash tests/setup.sh $(KERNEL)

kernel-table:
	tests/run --table-readme

check:
	@echo "make check: on a fresh 2-core machine the setup of every kernel takes about 30 minutes"
	@echo "make check: (the debug kernel's build most of it) and the suite about 65; later runs skip the setup"
	bash tests/setup.sh $(KERNEL)
	tests/run $(RUN_ARGS)

# The demo and the benchmarks boot one kernel (Debian 12's own unless
# KERNEL= names another): only that one is set up.
ONE_KERNEL := $(or $(KERNEL),6.1)

demo:
	@start=$$(date +%s); VMAPVIEW_SETUP_DBG=0 bash tests/setup.sh $(ONE_KERNEL) && \
		tests/run --demo --kernel $(ONE_KERNEL) $(if $(TEST),--test $(TEST)) $(RUNFLAGS); \
		rc=$$?; echo "make demo: $$(($$(date +%s) - start)) s"; exit $$rc

bench:
	bash tests/setup.sh $(ONE_KERNEL)
	tests/run --bench --kernel $(ONE_KERNEL) $(if $(TEST),--test $(TEST)) $(RUNFLAGS)

# vmapview takes the kernel addresses it needs as a parameter (ksyms=):
# modprobe passes them through the install command in modprobe.d, which
# runs the helper that reads them from /proc/kallsyms (as the package does).
KSYMS_HELPER := /usr/lib/vmapview/ksyms
MODPROBE_CONF := /etc/modprobe.d/vmapview.conf

dkms-install:
	dkms add .
	dkms build -m vmapview -v $(VERSION)
	dkms install -m vmapview -v $(VERSION)
	install -D -m 0755 tools/vmapview-ksyms $(KSYMS_HELPER)
	install -D -m 0644 tools/modprobe.d/vmapview.conf $(MODPROBE_CONF)

dkms-remove:
	dkms remove vmapview/$(VERSION) --all
	rm -f $(KSYMS_HELPER) $(MODPROBE_CONF)
	-rmdir $(dir $(KSYMS_HELPER))

# Builds the packages from a copy of this tree in a temporary directory (the
# checkout stays as it is), checks them with lintian (any error or warning
# fails) and leaves the two .debs in $(DEB_DIR). Installs nothing.
deb:
	@missing=; for t in $(DEB_TOOLS); do \
		command -v $${t%%:*} >/dev/null || missing="$$missing $${t%%:*} ($${t#*:})"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "make deb: missing build tools:$$missing" >&2; \
		echo "make deb: install them: apt-get install dpkg-dev debhelper dh-dkms dh-python pybuild-plugin-pyproject python3-all lintian fakeroot (make setup does)" >&2; \
		exit 1; \
	fi
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	src=$$tmp/vmapview-$(VERSION); mkdir "$$src"; \
	tar -c --exclude-vcs --exclude-vcs-ignores --exclude=./deb -f - . | tar -x -C "$$src"; \
	echo "make deb: dpkg-buildpackage -us -uc -b in $$src"; \
	(cd "$$src" && PATH=/usr/sbin:/usr/bin:/sbin:/bin dpkg-buildpackage -us -uc -b) || \
		{ echo "make deb: dpkg-buildpackage failed" >&2; exit 1; }; \
	echo "make deb: lintian --fail-on error,warning"; \
	lintian --fail-on error,warning "$$tmp"/vmapview_$(VERSION)_*.changes || \
		{ echo "make deb: lintian found errors or warnings (above)" >&2; exit 1; }; \
	mkdir -p "$(abspath $(DEB_DIR))"; \
	rm -f "$(abspath $(DEB_DIR))"/vmapview-dkms_*.deb "$(abspath $(DEB_DIR))"/vmapview-tools_*.deb; \
	cp "$$tmp"/vmapview-dkms_$(VERSION)_all.deb "$$tmp"/vmapview-tools_$(VERSION)_all.deb \
		"$(abspath $(DEB_DIR))/"; \
	echo "make deb: $(DEB_DIR)/vmapview-dkms_$(VERSION)_all.deb"; \
	echo "make deb: $(DEB_DIR)/vmapview-tools_$(VERSION)_all.deb"
