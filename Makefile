# ctadvisor: one GNU Makefile. Variants build in their own directory:
#   make                 build/ctadvisor
#   make check           unit tests (cmocka)
#   make check-integration   namespace lab tests against the real kernel (root)
#   make asan            build-asan/ with ASan+UBSan;  make valgrind: unit tests under valgrind
#   make lint            layer rules + clang-format;  make test: everything CI runs

# The one version: `ctadvisor --version` (CTADVISOR_VERSION), the installed man
# page's footer (make install writes it) and debian/changelog, which
# debian/rules and tests/package.sh check against `make -s version`.
VERSION := 0.1.0
BUILD ?= build
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/sbin

PKGS := libmnl libnetfilter_conntrack libnetfilter_log jansson zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CC ?= cc
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif
OPT ?= -O2
WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
	-Wold-style-definition -Wwrite-strings -Wpointer-arith -Wcast-qual -Wvla -Wundef
CFLAGS_ALL := -std=c11 -D_GNU_SOURCE $(OPT) -g $(WARN) -DCTADVISOR_VERSION=\"$(VERSION)\" \
	$(SANFLAGS) $(CPPFLAGS) $(CFLAGS)
LDFLAGS_ALL := $(SANFLAGS) $(LDFLAGS)

# One archive per layer folder. A folder's code may use only the folders
# below it (DESIGN.md; tests/lint.sh checks the includes): LINK_<layer> lists
# the layer and those below, in link order, and every unit test under
# tests/unit/<layer>/ links with exactly those (and the shared test helpers,
# tests/unit/common/), so code that reaches upward
# fails to link. Only nl/, collect/ and cli/ link the netfilter libraries.
LAYERS := cli render collect nl analysis logparse rules sysctl
LINK_cli := cli render collect nl analysis logparse rules sysctl
LINK_render := render analysis logparse rules
LINK_collect := collect nl analysis logparse rules sysctl
LINK_nl := nl analysis logparse rules
LINK_analysis := analysis logparse rules
LINK_logparse := logparse
LINK_rules := rules
LINK_sysctl := sysctl
BASE_LIBS := $(shell pkg-config --libs jansson zlib 2>/dev/null) -lm
LIBS_cli := $(PKG_LIBS) -lm
LIBS_collect := $(PKG_LIBS) -lm
LIBS_nl := $(PKG_LIBS) -lm
LIBS_render := $(BASE_LIBS)
LIBS_analysis := $(BASE_LIBS)
LIBS_sysctl := $(BASE_LIBS)
LIBS_logparse := -lm
LIBS_rules := -lm

layer_srcs = $(sort $(filter-out cli/main.c,$(wildcard $(1)/*.c)))
layer_lib = $(BUILD)/lib$(1).a
ALL_SRCS := $(foreach l,$(LAYERS),$(call layer_srcs,$(l)))
ALL_OBJS := $(ALL_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/cli/main.o
LAYER_LIBS := $(foreach l,$(LAYERS),$(call layer_lib,$(l)))

UNIT_SRCS := $(sort $(wildcard tests/unit/*/test_*.c))
# Helpers the unit tests share (tests/unit/common/: temporary trees, golden
# files): libc and cmocka only, no layer, so one archive serves every test.
TESTHELP_SRCS := $(sort $(wildcard tests/unit/common/*.c))
TESTHELP_LIB := $(BUILD)/libtesthelp.a
# A layer's own test fixtures: tests/unit/<layer>/*.c that are not test_*.c
# (cases several of its test files share), in build/tests/libfix_<layer>.a,
# linked into that layer's tests only (they may use the layer's code).
fix_srcs = $(sort $(filter-out tests/unit/$(1)/test_%.c,$(wildcard tests/unit/$(1)/*.c)))
fix_archive = $(BUILD)/tests/libfix_$(1).a
fix_lib = $(if $(call fix_srcs,$(1)),$(call fix_archive,$(1)))
FIX_SRCS := $(foreach l,$(LAYERS),$(call fix_srcs,$(l)))
UNIT_TESTS := $(foreach s,$(UNIT_SRCS),$(BUILD)/tests/$(notdir $(s:.c=)))
TEST_TOOLS := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(wildcard tests/tools/*.c))

.PHONY: all check check-integration test asan valgrind lint format compdb clean install \
	tools bench fuzz static version package

all: $(BUILD)/ctadvisor $(TEST_TOOLS)

tools: $(TEST_TOOLS)

$(BUILD)/ctadvisor: $(BUILD)/cli/main.o $(foreach l,$(LINK_cli),$(call layer_lib,$(l)))
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

define layer_rules
$(call layer_lib,$(1)): $(patsubst %.c,$(BUILD)/%.o,$(call layer_srcs,$(1)))
	@mkdir -p $$(dir $$@)
	rm -f $$@
	$(AR) rcs $$@ $$^

$(call fix_archive,$(1)): $(patsubst %.c,$(BUILD)/%.o,$(call fix_srcs,$(1)))
	@mkdir -p $$(dir $$@)
	rm -f $$@
	$(AR) rcs $$@ $$^

$(patsubst tests/unit/$(1)/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/$(1)/test_*.c)): \
		$(BUILD)/tests/%: $(BUILD)/tests/unit/$(1)/%.o $(call fix_lib,$(1)) $(TESTHELP_LIB) \
		$(foreach l,$(LINK_$(1)),$(call layer_lib,$(l)))
	@mkdir -p $$(dir $$@)
	$(CC) $(LDFLAGS_ALL) -o $$@ $$^ $(LIBS_$(1)) -lcmocka
endef
$(foreach l,$(LAYERS),$(eval $(call layer_rules,$(l))))

$(TESTHELP_LIB): $(TESTHELP_SRCS:%.c=$(BUILD)/%.o)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(PKG_CFLAGS) -o $@ $< $(PKG_LIBS)

check: $(UNIT_TESTS)
	@tests/run-unit.sh $(UNIT_TESTS)

check-integration: $(BUILD)/ctadvisor $(TEST_TOOLS)
	@CTADVISOR=$(abspath $(BUILD)/ctadvisor) TOOLS=$(abspath $(BUILD)/tools) \
		tests/integration/run.sh

asan:
	$(MAKE) BUILD=build-asan SAN=1 OPT=-O1 all $(patsubst build/%,build-asan/%,$(UNIT_TESTS))

valgrind:
	$(MAKE) BUILD=build-valgrind OPT=-O1 $(patsubst build/%,build-valgrind/%,$(UNIT_TESTS))
	@VALGRIND=1 tests/run-unit.sh $(patsubst build/%,build-valgrind/%,$(UNIT_TESTS))

# Everything CI runs; the last line is the suite's "N passed, N failed".
test:
	@tests/run-all.sh

lint:
	@tests/lint.sh && tests/lint-selftest.sh

# libFuzzer harnesses (clang): replay regressions/, then FUZZ_SECONDS (60) per
# target into build-fuzz/; FUZZ_TARGETS="nl_ct cli" picks some.
fuzz:
	@tests/fuzz/run.sh

# clang-tidy (.clang-tidy) and cppcheck over the product folders ($(LAYERS)).
static:
	@tests/static.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

compdb:
	bear -- $(MAKE) -B all $(UNIT_TESTS)

bench: all
	@tests/bench/run.sh

version:
	@echo $(VERSION)

# The Debian package built, linted, installed, checked and purged (root):
# tests/package.sh builds in a copy of the committed tree (git archive HEAD).
package:
	@tests/package.sh

# Install layout (all under $(DESTDIR), all overridable):
#   $(BINDIR)/ctadvisor                      the binary
#   $(MANDIR)/man8/ctadvisor.8               the man page
#   $(BASHCOMPDIR)/ctadvisor                 bash completion
#   $(SYSTEMDUNITDIR)/ctadvisor-textfile.{service,timer}   node_exporter textfile
#                                            collector units (not enabled)
#   $(SYSTEMDUNITDIR)/ctadvisor-watch.service   continuous metrics (watch
#                                            --format prometheus; not enabled)
#   $(DATADIR)/icinga2/ctadvisor.conf, $(DATADIR)/nagios/ctadvisor.cfg
#                                            command definitions to copy
#   $(DATADIR)/prometheus/ctadvisor.rules.yml   alerting and recording rules
#   $(DOCDIR)/check-output.md, NEWS.md       JSON and Prometheus schema; what
#                                            changed for users, by version
# The units and command definitions name the binary by its installed path.
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
DATADIR ?= $(PREFIX)/share/ctadvisor
DOCDIR ?= $(PREFIX)/share/doc/ctadvisor
INSTALLED_FILES := $(BINDIR)/ctadvisor $(MANDIR)/man8/ctadvisor.8 $(BASHCOMPDIR)/ctadvisor \
	$(SYSTEMDUNITDIR)/ctadvisor-textfile.service $(SYSTEMDUNITDIR)/ctadvisor-textfile.timer \
	$(SYSTEMDUNITDIR)/ctadvisor-watch.service \
	$(DATADIR)/icinga2/ctadvisor.conf $(DATADIR)/nagios/ctadvisor.cfg \
	$(DATADIR)/prometheus/ctadvisor.rules.yml $(DOCDIR)/check-output.md \
	$(DOCDIR)/NEWS.md
BIN_SED := sed 's|/usr/local/sbin/ctadvisor|$(BINDIR)/ctadvisor|g'
# The man page's .TH footer ("ctadvisor X.Y.Z") gets $(VERSION), so the
# installed page never disagrees with the binary.
MAN_SED := sed '/^\.TH /s/"ctadvisor [^"]*"/"ctadvisor $(VERSION)"/'

.PHONY: uninstall

install: $(BUILD)/ctadvisor
	install -D -m 0755 $(BUILD)/ctadvisor $(DESTDIR)$(BINDIR)/ctadvisor
	install -d $(DESTDIR)$(MANDIR)/man8
	$(MAN_SED) doc/ctadvisor.8 >$(DESTDIR)$(MANDIR)/man8/ctadvisor.8
	install -D -m 0644 contrib/bash-completion/ctadvisor $(DESTDIR)$(BASHCOMPDIR)/ctadvisor
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(DATADIR)/icinga2 $(DESTDIR)$(DATADIR)/nagios
	$(BIN_SED) contrib/systemd/ctadvisor-textfile.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/ctadvisor-textfile.service
	$(BIN_SED) contrib/systemd/ctadvisor-watch.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/ctadvisor-watch.service
	install -m 0644 contrib/systemd/ctadvisor-textfile.timer $(DESTDIR)$(SYSTEMDUNITDIR)/
	$(BIN_SED) contrib/icinga2/ctadvisor.conf >$(DESTDIR)$(DATADIR)/icinga2/ctadvisor.conf
	$(BIN_SED) contrib/nagios/ctadvisor.cfg >$(DESTDIR)$(DATADIR)/nagios/ctadvisor.cfg
	install -D -m 0644 contrib/prometheus/ctadvisor.rules.yml \
		$(DESTDIR)$(DATADIR)/prometheus/ctadvisor.rules.yml
	chmod 0644 $(DESTDIR)$(MANDIR)/man8/ctadvisor.8 \
		$(DESTDIR)$(SYSTEMDUNITDIR)/ctadvisor-textfile.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/ctadvisor-watch.service \
		$(DESTDIR)$(DATADIR)/icinga2/ctadvisor.conf $(DESTDIR)$(DATADIR)/nagios/ctadvisor.cfg
	install -D -m 0644 doc/check-output.md $(DESTDIR)$(DOCDIR)/check-output.md
	install -m 0644 NEWS.md $(DESTDIR)$(DOCDIR)/NEWS.md

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED_FILES))
	-rmdir $(DESTDIR)$(DATADIR)/icinga2 $(DESTDIR)$(DATADIR)/nagios \
		$(DESTDIR)$(DATADIR)/prometheus $(DESTDIR)$(DATADIR) \
		$(DESTDIR)$(DOCDIR) 2>/dev/null

clean:
	rm -rf build build-asan build-valgrind build-fuzz

-include $(ALL_OBJS:.o=.d) $(UNIT_SRCS:%.c=$(BUILD)/%.d) $(TESTHELP_SRCS:%.c=$(BUILD)/%.d) \
	$(FIX_SRCS:%.c=$(BUILD)/%.d)
