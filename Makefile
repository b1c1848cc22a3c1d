# SPDX-License-Identifier: GPL-2.0
#
# make            build kmod/iot_egress.ko and userspace/iotctl
#                 (WERROR=1: warnings fail the module's build, as in CI)
# make ARCH=arm64 (or arm, mipsel) cross-build both into build/cross/
#                 against Debian bookworm's headers: scripts/cross
# make check      install what is missing, lint, run host and VM tests, and
#                 build against every supported kernel (scripts/kernels)
# make check-kernels   every supported kernel, 5.10 to 7.3 and 6.1's
#                 PREEMPT_RT, built and booted with its suites: docs/compat.md
# make check-hardening   the stress and fault loops in the VM, full-size
# make demo       boot a throwaway VM router and block a camera
# make lint       checkpatch and sparse on the module, cppcheck on iotctl,
#                 and the uapi header checked against the netlink spec
# make bench      the deterministic benchmark, into docs/benchmark.md
# make bench ARCH=arm64   the same in an arm64 guest, set beside amd64's

VERSION := $(shell cat $(CURDIR)/VERSION)

# The kernel to build for, which tests/vm/run also boots: the one Debian's
# linux-image-amd64 depends on (scripts/kernels default), not "the newest
# installed", which differs from machine to machine. KVER= or KDIR= pick
# another; scripts/kernels builds for every supported kernel.
ifdef KDIR
KVER ?= $(patsubst /lib/modules/%/build,%,$(KDIR))
else
KVER ?= $(shell scripts/kernels default)
KDIR := /lib/modules/$(KVER)/build
endif

# ARCH= other than the host's cross-builds (arm64, arm for armhf, mipsel):
# scripts/cross fetches that architecture's headers and libnl once into
# build/cross/, and builds from a copy of the sources there, so the tree's
# objects stay the host's. Only building makes sense there.
CROSS_ARCHS := arm64 arm mipsel
ifneq ($(filter-out x86 x86_64 amd64,$(ARCH)),)
ifeq ($(filter $(CROSS_ARCHS),$(ARCH)),)
$(error ARCH=$(ARCH): make cross-builds for $(CROSS_ARCHS) only)
endif
ifneq ($(filter-out all module iotctl bench,$(or $(MAKECMDGOALS),all)),)
$(error make ARCH=$(ARCH) only builds (all, module, iotctl) and, for arm64, benchmarks (bench): see scripts/cross)
endif

all module iotctl:
	@scripts/cross make $(if $(WERROR),--werror) $(ARCH) $@

.PHONY: all module iotctl
else

all: module iotctl

module:
	@test -e $(KDIR)/Makefile || { echo "No headers for $(KVER) in $(KDIR): install linux-headers-amd64, or set KVER= or KDIR=" >&2; exit 1; }
	@echo "iot_egress.ko for $(KVER)"
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(if $(WERROR),IOT_WERROR=y) modules

iotctl:
	$(MAKE) -C userspace

endif

deps-build:
	@scripts/deps build

deps-test:
	@scripts/deps test lint host kernels arch

check: deps-test
	$(MAKE) all WERROR=1
	$(MAKE) lint
	tests/check

# Every supported kernel (scripts/kernels list), built with -Werror and
# booted: the whole VM suite on 6.1, 6.12 and 6.1's PREEMPT_RT, the deny,
# load and revocation suites on the others. Writes docs/compat.md. About
# two hours on 2 cores.
check-kernels: deps-test
	$(MAKE) all WERROR=1
	tests/check --kernels

# The ARM guests (scripts/cross, tests/vm/run --arch): the module, iotctl
# and nlfuzz cross-built for arm64, armhf and mipsel with -Werror, then
# the whole VM suite in an arm64 guest and deny, load, revoke and
# visibility in an armhf one. Writes docs/compat.md's architecture table.
# About an hour and a half on 2 cores.
check-arch: deps-test
	$(MAKE) all WERROR=1
	tests/check --arch

# The long hardening loops alone, full-size (make check runs them
# CI-sized): a denied flood under churning writers for 70 s of guest time,
# the module, netns and WAN interface fault loops, and 400,000 fuzzed
# netlink messages; about 20 minutes under TCG.
check-hardening: deps-test
	$(MAKE) all
	$(MAKE) -s -C tests/nlfuzz
	tests/vm/run --tap --timeout 120 --suite stress --suite faults --suite nlfuzz

demo:
	@scripts/deps demo
	$(MAKE) all
	tests/vm/run --quiet -- tests/vm/demo.sh

# The VM suites (or SUITES="deny policy ...") under a KASAN, kmemleak and
# lockdep kernel built from linux-source-6.1 and cached in build/debug-kernel/
# (the first build takes over an hour on 2 cores): see scripts/debug-kernel.
test-debug: iotctl
	scripts/debug-kernel test $(SUITES)

# Instructions per forwarded packet, load time and memory against
# nftables, ipset and iptables, in an icount VM: writes docs/benchmark.md.
# ARCH=arm64: in the arm64 guest, beside amd64's figures.
bench:
	bench/run $(if $(filter-out x86 x86_64 amd64,$(ARCH)),--arch $(ARCH))

# Fuzz iotctl's parsers, FUZZ_SECONDS (300) each, and merge what is found
# into the corpus, userspace/fuzz/corpus/: see scripts/fuzz.
fuzz:
	scripts/fuzz

lint: sparse style cppcheck ynl layers

sparse:
	@scripts/sparse $(KDIR)

style:
	@scripts/checkpatch

# kmod/uapi/iot_egress.h must be what docs/netlink/iot_egress.yaml
# generates (scripts/ynl gen writes it).
ynl:
	@scripts/ynl check

# The files of kmod/ and of userspace/ stand in layers (docs/design.md).
layers: module iotctl
	@scripts/layers kmod userspace

cppcheck:
	cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
		--inline-suppr -I kmod/uapi userspace/

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C userspace clean
	rm -rf build

.PHONY: all module iotctl deps-build deps-test check check-kernels check-arch check-hardening demo test-debug bench fuzz lint sparse style cppcheck ynl layers clean

# Installing. "sudo make install" puts the module's source in /usr/src and
# has DKMS add, build and install it for KVER (see above), then installs
# iotctl, its man pages and bash completion, the unit and the boot files. With DESTDIR= it only stages the files: no dkms or
# systemctl command runs. The two files in /etc are installed only if
# absent, and removed only if unchanged. "make deb" builds the Debian
# packages into build/deb/ (see packaging/mkdeb).

PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR ?= /etc
UNITDIR ?= /lib/systemd/system
MODULESLOADDIR ?= /usr/lib/modules-load.d
DKMS ?= dkms
DKMS_SRC := /usr/src/iot-egress-$(VERSION)
DKMS_FILES := Kbuild VERSION kmod/Kbuild \
	$(filter-out %.mod.c,$(wildcard kmod/*.c)) $(wildcard kmod/*.h kmod/uapi/*.h)

MAN8 := docs/iotctl.8
MAN5 := docs/iot-egress.conf.5

INSTALLED := $(SBINDIR)/iotctl $(MANDIR)/man8/iotctl.8 \
	$(MANDIR)/man5/iot-egress.conf.5 \
	$(COMPLETIONDIR)/iotctl $(UNITDIR)/iot-egress.service \
	$(MODULESLOADDIR)/iot-egress.conf
# installed only if absent, removed only if unchanged: path=source
CONFFILES := $(SYSCONFDIR)/modprobe.d/iot-egress.conf=packaging/modprobe.conf \
	$(SYSCONFDIR)/iot-egress/policy.conf=packaging/policy.conf

# Files dpkg owns are not make's to replace or remove.
NOT_FROM_DEBS = @test -n "$(DESTDIR)" || ! dpkg-query -W -f='$${db:Status-Abbrev}\n' \
	iotctl iot-egress-dkms 2>/dev/null | grep -q '^i' || \
	{ echo "iot-egress is installed from its .deb packages: apt remove iotctl iot-egress-dkms" >&2; exit 1; }

dkms-install:
	$(NOT_FROM_DEBS)
	@test -n "$(DESTDIR)" -o -n "$(KVER)" || { echo "No kernel to build for: set KVER=" >&2; exit 1; }
	@test -n "$(DESTDIR)" || command -v $(DKMS) >/dev/null || { echo "dkms is not installed" >&2; exit 1; }
	$(if $(DESTDIR),,if [ -n "$$($(DKMS) status -m iot-egress -v $(VERSION))" ]; then \
		$(DKMS) remove -m iot-egress -v $(VERSION) --all; fi)
	rm -rf $(DESTDIR)$(DKMS_SRC)
	for f in $(DKMS_FILES); do install -D -m 0644 $$f $(DESTDIR)$(DKMS_SRC)/$$f || exit 1; done
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf > $(DESTDIR)$(DKMS_SRC)/dkms.conf
	$(if $(DESTDIR),,$(DKMS) add -m iot-egress -v $(VERSION))
	$(if $(DESTDIR),,$(DKMS) build -m iot-egress -v $(VERSION) -k $(KVER))
	$(if $(DESTDIR),,$(DKMS) install -m iot-egress -v $(VERSION) -k $(KVER))

install: iotctl dkms-install
	install -D -m 0755 userspace/iotctl $(DESTDIR)$(SBINDIR)/iotctl
	install -D -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/iotctl.8
	install -D -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/iot-egress.conf.5
	install -D -m 0644 packaging/iotctl.bash-completion $(DESTDIR)$(COMPLETIONDIR)/iotctl
	install -d $(DESTDIR)$(UNITDIR)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		packaging/iot-egress.service.in > $(DESTDIR)$(UNITDIR)/iot-egress.service
	install -D -m 0644 packaging/modules-load.conf $(DESTDIR)$(MODULESLOADDIR)/iot-egress.conf
	@for c in $(CONFFILES); do \
		dst=$(DESTDIR)$${c%%=*}; \
		if [ -e $$dst ]; then echo "keeping $$dst"; \
		else echo "install $${c#*=} $$dst"; install -D -m 0644 $${c#*=} $$dst || exit 1; fi; \
	done
	$(if $(DESTDIR),,if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi)
	$(if $(DESTDIR),,@echo "Now edit $(SYSCONFDIR)/iot-egress/policy.conf, then: systemctl enable --now iot-egress")

uninstall:
	$(NOT_FROM_DEBS)
	$(if $(DESTDIR),,if command -v $(DKMS) >/dev/null && \
		[ -n "$$($(DKMS) status -m iot-egress -v $(VERSION))" ]; then \
		$(DKMS) remove -m iot-egress -v $(VERSION) --all; fi)
	rm -rf $(DESTDIR)$(DKMS_SRC)
	$(if $(DESTDIR),,if [ -e $(UNITDIR)/iot-egress.service ] && command -v systemctl >/dev/null; then \
		systemctl --quiet disable iot-egress.service; fi)
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	@for c in $(CONFFILES); do \
		dst=$(DESTDIR)$${c%%=*}; \
		if [ ! -e $$dst ]; then :; \
		elif cmp -s $$dst $${c#*=}; then echo "rm $$dst"; rm -f $$dst; \
		else echo "keeping $$dst: it was changed"; fi; \
	done
	[ ! -d $(DESTDIR)$(SYSCONFDIR)/iot-egress ] || \
		rmdir --ignore-fail-on-non-empty $(DESTDIR)$(SYSCONFDIR)/iot-egress
	$(if $(DESTDIR),,if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi)

deb:
	packaging/mkdeb build/deb

.PHONY: dkms-install install uninstall deb
