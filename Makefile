# SPDX-License-Identifier: GPL-2.0
#
# make            build kmod/iot_egress.ko and userspace/iotctl
# make check      install what is missing, lint, run host and VM tests
# make demo       boot a throwaway VM router and block a camera
# make lint       checkpatch and sparse on the module, cppcheck on iotctl

VERSION := $(shell cat $(CURDIR)/VERSION)

# The running kernel's headers, else the newest installed ones (the build
# host need not run the kernel the module is for).
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(sort $(wildcard /lib/modules/*/build))))

all: module iotctl

module:
	@test -n "$(KDIR)" || { echo "No kernel headers: install linux-headers-amd64 or set KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

iotctl:
	$(MAKE) -C userspace

deps-build:
	@scripts/deps build

deps-test:
	@scripts/deps test lint

check: deps-test
	$(MAKE) all
	$(MAKE) lint
	tests/check

demo:
	@scripts/deps demo
	$(MAKE) all
	tests/vm/run --quiet -- tests/vm/demo.sh

lint: sparse style cppcheck

sparse:
	@scripts/sparse $(KDIR)

style:
	@scripts/checkpatch

cppcheck:
	cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
		--inline-suppr -I kmod/uapi userspace/

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C userspace clean
	rm -rf build

.PHONY: all module iotctl deps-build deps-test check demo lint sparse style cppcheck clean
