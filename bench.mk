# bench.mk - the whole build: the harness and every suite, once per flavor.
#
#   make                      build every suite in its default flavors
#   make run                  install what is missing, build, run the quick
#                             profile of every suite, write plots and report
#   make test                 build and run every test
#   make run SUITES="dram syscall" PROFILE=full
#   make run SUITES=optlevels FLAVORS="O2 O3 custom" CFLAGS_custom="-O2 -fno-plt"
#   make run SUITES=dram ARGS="--benchmark_filter=chase --bench_pin=0"
#   make list                 suites and flavors
#   make package              bench-<version>-<arch>.tar.gz of the chosen
#                             suites and flavors, to run where there is no
#                             compiler (docs/fleet.md)
#   make fleet INVENTORY=hosts.ini   run the package on every host
#   make V=1 ...              show full command lines
#
# Layout: build/<flavor>/bench_<suite>, with objects under build/<flavor>/.
# A suite is suites/<name>/suite.mk plus its sources; nothing here names one.
# Each flavor has a flags stamp (build/<flavor>/.flags) that changes only
# when its flags do, so changing CFLAGS_O3 rebuilds exactly the O3 tree.

SHELL := /bin/bash
.DEFAULT_GOAL := build
.DELETE_ON_ERROR:
# Objects of test programs are not intermediate files to delete.
.SECONDARY:
.SUFFIXES:

BUILD ?= build
V ?= 0
ifeq ($(V),1)
Q :=
quiet = @:
else
Q := @
quiet = @printf '  %-8s %s\n' '$(1)' '$(2)';
endif

CC := $(if $(filter default,$(origin CC)),gcc,$(CC))
CXX := $(if $(filter default,$(origin CXX)),g++,$(CXX))
CLANG ?= $(shell command -v clang 2>/dev/null)
CLANGXX ?= $(shell command -v clang++ 2>/dev/null)

WARNINGS := -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter \
	-Wno-format-nonliteral
BASE_CFLAGS := -std=gnu11 -g -pthread -fno-omit-frame-pointer $(WARNINGS)
BASE_CXXFLAGS := -std=c++17 -g -pthread -fno-omit-frame-pointer -Wall -Wextra \
	-Wno-unused-parameter -Wno-missing-field-initializers
# The harness is built at one level in every flavor, so a flavor changes
# only the code under test, never the cost of the loop around it.
HARNESS_OPT := -O2
LIBS := -lbenchmark -lhwloc -lpapi -ljansson -lcrypto -lpthread -lm

# ---- flavors ------------------------------------------------------------
# CFLAGS_<flavor> (required), CC_<flavor>, CXX_<flavor>, LDFLAGS_<flavor>.
# A flavor named on the command line with its own CFLAGS_<name> is built
# like any other.

DEFAULT_FLAVOR := O2
GCC_FLAVORS := O0 O1 O2 O3 Os O2-native O3-lto pgo
CLANG_FLAVORS := $(if $(CLANG),clang-O0 clang-O1 clang-O2 clang-O3)
# Sanitizer flavors, built and run by `make test` (docs/security.md): the
# suite and the harness instrumented, libbenchmark and the other
# libraries not (their memory is still checked by ASan's interceptors;
# ThreadSanitizer sees their locks but not their atomics).
SAN_FLAVORS := asan tsan
BUILTIN_FLAVORS := $(GCC_FLAVORS) $(CLANG_FLAVORS) $(SAN_FLAVORS)

CFLAGS_O0 := -O0
CFLAGS_O1 := -O1
CFLAGS_O2 := -O2
CFLAGS_O3 := -O3
CFLAGS_Os := -Os
CFLAGS_O2-native := -O2 -march=native
CFLAGS_O3-lto := -O3 -flto=auto
LDFLAGS_O3-lto := -O3 -flto=auto
# pgo: -O2 trained on the suite's own test-profile run (see PGO below),
# with a seed of its own: the training inputs are not the measured ones.
CFLAGS_pgo := -O2 -fprofile-use -fprofile-partial-training -Wno-missing-profile
PGO_TRAIN_SEED := 7919
CFLAGS_pgo-gen := -O2 -fprofile-generate -fprofile-update=atomic
LDFLAGS_pgo-gen := -fprofile-generate
SAN_asan := -fsanitize=address,undefined
SAN_tsan := -fsanitize=thread
CFLAGS_asan := -O1 -g -fno-omit-frame-pointer $(SAN_asan)
LDFLAGS_asan := $(SAN_asan)
CFLAGS_tsan := -O1 -g -fno-omit-frame-pointer $(SAN_tsan)
LDFLAGS_tsan := $(SAN_tsan)
$(foreach l,0 1 2 3,$(eval CFLAGS_clang-O$(l) := -O$(l)))
$(foreach l,0 1 2 3,$(eval CC_clang-O$(l) := $(CLANG)))
$(foreach l,0 1 2 3,$(eval CXX_clang-O$(l) := $(CLANGXX)))

fcc = $(or $(CC_$(1)),$(CC))
fcxx = $(or $(CXX_$(1)),$(CXX))

# ---- suites -------------------------------------------------------------

ALL_SUITES := $(sort $(patsubst suites/%/suite.mk,%,$(wildcard suites/*/suite.mk)))
include $(wildcard suites/*/suite.mk)

SUITES ?= $(ALL_SUITES)
override SUITES := $(strip $(SUITES))
bad_suites := $(filter-out $(ALL_SUITES),$(SUITES))
ifneq ($(bad_suites),)
$(error unknown suite '$(firstword $(bad_suites))' (valid: $(ALL_SUITES)))
endif

# Flavors of a suite: FLAVORS if given, else the suite's own list, else O2.
suite_flavors = $(if $(FLAVORS),$(FLAVORS),$(or $($(1)_FLAVORS),$(DEFAULT_FLAVOR)))
# The sanitizer flavors, for the tests: every suite under asan, the
# suites with a <suite>_TSAN_FILTER (their threaded cases) under tsan;
# a flavor whose runtime the compiler lacks is left out (and its tests
# say SKIP).
TSAN_SUITES := $(foreach s,$(ALL_SUITES),$(if $($(s)_TSAN_FILTER),$(s)))
ifneq ($(filter test build-tests,$(MAKECMDGOALS)),)
san_works = $(shell printf 'int main(void){return 0;}\n' | $(CC) $(SAN_$(1)) -x c - -o /dev/null 2>/dev/null && echo $(1))
TEST_SAN_FLAVORS := $(foreach f,$(SAN_FLAVORS),$(call san_works,$(f)))
endif
san_needed = $(if $(filter asan,$(TEST_SAN_FLAVORS)),$(foreach s,$(ALL_SUITES),$(s)@asan)) \
	$(if $(filter tsan,$(TEST_SAN_FLAVORS)),$(foreach s,$(TSAN_SUITES),$(s)@tsan))
NEEDED := $(sort $(foreach s,$(ALL_SUITES),$(foreach f,$(call suite_flavors,$(s)),$(s)@$(f))) $(san_needed))
USED_FLAVORS := $(sort $(DEFAULT_FLAVOR) $(foreach n,$(NEEDED),$(word 2,$(subst @, ,$(n)))))
bad_flavors := $(strip $(foreach f,$(USED_FLAVORS),$(if $(CFLAGS_$(f)),,$(f))))
ifneq ($(bad_flavors),)
$(error unknown flavor '$(firstword $(bad_flavors))' (valid: $(BUILTIN_FLAVORS); or define CFLAGS_$(firstword $(bad_flavors))="..."))
endif
clang_missing := $(strip $(if $(CLANG),,$(filter clang-%,$(USED_FLAVORS))))
ifneq ($(clang_missing),)
$(error flavor '$(firstword $(clang_missing))' needs clang, which is not installed)
endif
# pgo needs its instrumented twin.
ALL_BUILT_FLAVORS := $(sort $(USED_FLAVORS) $(if $(filter pgo,$(USED_FLAVORS)),pgo-gen))

# ---- build facts --------------------------------------------------------

GIT_COMMIT := $(shell c=$$(git rev-parse --short=12 HEAD 2>/dev/null) && \
	{ git diff --quiet HEAD 2>/dev/null && echo $$c || echo $$c-dirty; } || echo unknown)

sq = $(subst ','\'',$(1))
flavor_flags = cc=$(call fcc,$(1)) cxx=$(call fcxx,$(1)) cflags=$(CFLAGS_$(1)) ldflags=$(LDFLAGS_$(1)) base=$(BASE_CFLAGS) harness=$(HARNESS_OPT) $(SAN_$(1))$(if $(filter pgo-gen,$(1)), train_seed=$(PGO_TRAIN_SEED))
# Rewrites $(1) with the output of command $(2), keeping the file (and its
# mtime) when nothing changed: git's trick for flag stamps.
write_if_changed = @mkdir -p $(dir $(1)); { $(2); } > $(1).tmp; \
	if cmp -s $(1).tmp $(1); then rm -f $(1).tmp; else mv $(1).tmp $(1); fi
# BENCH_NATIVE: what -march=native in the flavor's flags resolved to on the
# build machine (scripts/native-flags), empty for flavors without it.
buildinfo_cmd = printf '\#define %s "%s"\n' \
	BENCH_FLAVOR '$(1)' \
	BENCH_CFLAGS '$(call sq,$(CFLAGS_$(1)))' \
	BENCH_HARNESS_CFLAGS '$(call sq,$(HARNESS_OPT) $(BASE_CFLAGS) $(SAN_$(1)))' \
	BENCH_CC '$(call sq,$(call fcc,$(1)))' \
	BENCH_GIT_COMMIT '$(GIT_COMMIT)' \
	BENCH_PGO_TRAINING '$(if $(filter pgo,$(1)),$(call sq,$(pgo_training)))' \
	BENCH_NATIVE "$$(scripts/native-flags '$(call sq,$(call fcc,$(1)))' $(CFLAGS_$(1)) | tr -d '\\"')"
pgo_training = the instrumented build ran the suite's test profile with --bench_seed=$(PGO_TRAIN_SEED); measured runs use their own --bench_seed (default 1)

.PHONY: FORCE

# ---- per flavor: harness library ----------------------------------------

HARNESS_C := $(sort $(wildcard harness/*.c))
HARNESS_CXX := $(sort $(wildcard harness/*.cc))

define flavor_rules
$(BUILD)/$(1)/.flags: FORCE
	$$(call write_if_changed,$$@,echo '$$(call sq,$$(call flavor_flags,$(1)))')
$(BUILD)/$(1)/buildinfo.h: FORCE
	$$(call write_if_changed,$$@,$$(call buildinfo_cmd,$(1)))

$(BUILD)/$(1)/harness/%.o: harness/%.c $(BUILD)/$(1)/.flags
	$$(call quiet,CC,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$(call fcc,$(1)) $(BASE_CFLAGS) $(HARNESS_OPT) $(SAN_$(1)) -DBENCH_HAVE_BUILDINFO -MMD -MP -Iharness -I$(BUILD)/$(1) -c $$< -o $$@
$(BUILD)/$(1)/harness/context.o: $(BUILD)/$(1)/buildinfo.h
$(BUILD)/$(1)/harness/%.o: harness/%.cc $(BUILD)/$(1)/.flags
	$$(call quiet,CXX,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$(call fcxx,$(1)) $(BASE_CXXFLAGS) $(HARNESS_OPT) $(SAN_$(1)) -MMD -MP -Iharness -c $$< -o $$@
$(BUILD)/$(1)/libharness.a: $(patsubst harness/%.c,$(BUILD)/$(1)/harness/%.o,$(HARNESS_C)) $(patsubst harness/%.cc,$(BUILD)/$(1)/harness/%.o,$(HARNESS_CXX))
	$$(call quiet,AR,$$@)
	$(Q)rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach f,$(ALL_BUILT_FLAVORS),$(eval $(call flavor_rules,$(f))))

# ---- per suite and flavor -----------------------------------------------
# suite.mk sets <suite>_SRCS (files in suites/<suite>/), and optionally
# <suite>_LIBS, <suite>_CFLAGS, <suite>_FLAVORS, <suite>_TESTS (C test
# programs in suites/<suite>/tests/, each with its own main).

# <suite>_GEN: files a suite generates at build time into build/gen/<suite>/
# (its suite.mk has the rule); the .c among them are compiled like its
# sources, and every object of the suite waits for them.
suite_objs = $(patsubst %.c,$(BUILD)/$(2)/suites/$(1)/%.o,$($(1)_SRCS)) \
	$(patsubst %.c,$(BUILD)/$(2)/gen/$(1)/%.o,$(filter %.c,$($(1)_GEN)))
suite_gen = $(addprefix $(BUILD)/gen/$(1)/,$($(1)_GEN))
# gcc names a static function's profile after the object it is compiled
# to: the instrumented twin writes its profile as if it were the pgo
# object, beside it, so -fprofile-use finds every function's counts.
pgo_aux = $(if $(filter pgo-gen,$(2)),-dumpdir $(BUILD)/pgo/$(or $(3),suites)/$(1)/ -dumpbase $$(basename $$(notdir $$<)))

define suite_rules
$(BUILD)/$(2)/suites/$(1)/%.o: suites/$(1)/%.c $(BUILD)/$(2)/.flags $(if $(filter pgo,$(2)),$(BUILD)/pgo/suites/$(1)/.profile) | $(call suite_gen,$(1))
	$$(call quiet,CC,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$(call fcc,$(2)) $(BASE_CFLAGS) $(CFLAGS_$(2)) $($(1)_CFLAGS) $(call pgo_aux,$(1),$(2)) -DBENCH_SUITE='"$(1)"' -MMD -MP -Iharness -Isuites/$(1) -I$(BUILD)/gen/$(1) -c $$< -o $$@
$(BUILD)/$(2)/gen/$(1)/%.o: $(BUILD)/gen/$(1)/%.c $(BUILD)/$(2)/.flags $(if $(filter pgo,$(2)),$(BUILD)/pgo/suites/$(1)/.profile) | $(call suite_gen,$(1))
	$$(call quiet,CC,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$(call fcc,$(2)) $(BASE_CFLAGS) $(CFLAGS_$(2)) $($(1)_CFLAGS) $(call pgo_aux,$(1),$(2),gen) -DBENCH_SUITE='"$(1)"' -MMD -MP -Iharness -Isuites/$(1) -I$(BUILD)/gen/$(1) -c $$< -o $$@
$(BUILD)/$(2)/suites/$(1)/codehash.c: $(call suite_objs,$(1),$(2)) scripts/codehash
	$(Q)scripts/codehash $(call suite_objs,$(1),$(2)) > $$@.tmp && mv $$@.tmp $$@
$(BUILD)/$(2)/suites/$(1)/codehash.o: $(BUILD)/$(2)/suites/$(1)/codehash.c
	$(Q)$(call fcc,$(2)) -c $$< -o $$@
$(BUILD)/$(2)/bench_$(1): $(call suite_objs,$(1),$(2)) $(BUILD)/$(2)/suites/$(1)/codehash.o $(BUILD)/$(2)/libharness.a
	$$(call quiet,LINK,$$@)
	$(Q)$(call fcxx,$(2)) -pthread $(LDFLAGS_$(2)) -o $$@ $$(filter %.o,$$^) $(BUILD)/$(2)/libharness.a $($(1)_LIBS) $(LIBS)
endef
$(foreach n,$(NEEDED) $(if $(filter pgo,$(USED_FLAVORS)),$(foreach s,$(ALL_SUITES),$(s)@pgo-gen)),\
	$(eval $(call suite_rules,$(word 1,$(subst @, ,$(n))),$(word 2,$(subst @, ,$(n))))))

# PGO: the instrumented binary runs the suite's test profile once, with
# its own seed (PGO_TRAIN_SEED), writing its profile (.gcda per object)
# beside the pgo objects (see pgo_aux), where gcc -fprofile-use looks for
# it. The training seed is in the pgo binary's context.
define pgo_rules
$(BUILD)/pgo/suites/$(1)/.profile: $(BUILD)/pgo-gen/bench_$(1)
	$$(call quiet,TRAIN,$(1))
	$(Q)mkdir -p $$(@D) && rm -f $$(@D)/*.gcda $(BUILD)/pgo/gen/$(1)/*.gcda
	$(Q)$(BUILD)/pgo-gen/bench_$(1) --bench_profile=test --benchmark_min_time=0.01 \
		--bench_seed=$(PGO_TRAIN_SEED) --bench_data_dir=$(BUILD)/pgo-gen >/dev/null 2>&1 || \
		{ echo "error: PGO training run of $(1) failed" >&2; exit 1; }
	$(Q)touch $$@
endef
$(foreach s,$(ALL_SUITES),$(eval $(call pgo_rules,$(s))))

BINARIES := $(foreach s,$(SUITES),$(foreach f,$(call suite_flavors,$(s)),$(BUILD)/$(f)/bench_$(s)))

.PHONY: build
build: $(BINARIES)

# ---- tests --------------------------------------------------------------
# Unit tests are TAP programs: tests/unit/*.c (harness) and
# suites/<suite>/tests/*.c (linked with that suite's objects), built in
# the default flavor and, for the sanitizer runs, in asan.

T := $(BUILD)/$(DEFAULT_FLAVOR)
TEST_FLAVORS := $(DEFAULT_FLAVOR) $(filter asan,$(TEST_SAN_FLAVORS))
define unit_test_rules
$(BUILD)/$(1)/tests/%.o: tests/unit/%.c $(BUILD)/$(1)/.flags
	$$(call quiet,CC,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$(CC) $(BASE_CFLAGS) $(CFLAGS_$(1)) -MMD -MP -Iharness -Itests -DBENCH_SUITE='"unittest"' -c $$< -o $$@
$(BUILD)/$(1)/tests/%: $(BUILD)/$(1)/tests/%.o $(BUILD)/$(1)/libharness.a
	$$(call quiet,LINK,$$@)
	$(Q)$(CXX) -pthread $(LDFLAGS_$(1)) -o $$@ $$< $(BUILD)/$(1)/libharness.a $(LIBS)
endef
define suite_test_rules
$(BUILD)/$(2)/suites/$(1)/tests/%.o: suites/$(1)/tests/%.c $(BUILD)/$(2)/.flags | $(call suite_gen,$(1))
	$$(call quiet,CC,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$(CC) $(BASE_CFLAGS) $(CFLAGS_$(2)) $($(1)_CFLAGS) -DBENCH_SUITE='"$(1)"' -MMD -MP -Iharness -Itests -Isuites/$(1) -I$(BUILD)/gen/$(1) -c $$< -o $$@
$(BUILD)/$(2)/suites/$(1)/tests/%: $(BUILD)/$(2)/suites/$(1)/tests/%.o $(call suite_objs,$(1),$(2)) $(BUILD)/$(2)/libharness.a
	$$(call quiet,LINK,$$@)
	$(Q)$(CXX) -pthread $(LDFLAGS_$(2)) -o $$@ $$< $(call suite_objs,$(1),$(2)) $(BUILD)/$(2)/libharness.a $($(1)_LIBS) $(LIBS)
endef
$(foreach f,$(TEST_FLAVORS),$(eval $(call unit_test_rules,$(f))) \
	$(foreach s,$(ALL_SUITES),$(eval $(call suite_test_rules,$(s),$(f)))))
UNIT_TESTS := $(foreach f,$(TEST_FLAVORS),$(patsubst tests/unit/%.c,$(BUILD)/$(f)/tests/%,$(sort $(wildcard tests/unit/*.c))))
SUITE_TESTS := $(foreach f,$(TEST_FLAVORS),$(foreach s,$(ALL_SUITES),$(patsubst suites/$(s)/tests/%.c,$(BUILD)/$(f)/suites/$(s)/tests/%,$(sort $(wildcard suites/$(s)/tests/*.c)))))
SAN_BINARIES := $(foreach n,$(san_needed),$(BUILD)/$(word 2,$(subst @, ,$(n)))/bench_$(word 1,$(subst @, ,$(n))))

# Suites that exist for the tests only (tests/suites/*.c, one binary each):
# the anomaly guards' drifting benchmark.
TEST_SUITES := $(patsubst tests/suites/%.c,$(T)/testsuites/bench_%,$(sort $(wildcard tests/suites/*.c)))
$(T)/testsuites/%.o: tests/suites/%.c $(T)/.flags
	$(call quiet,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CFLAGS) -O2 -MMD -MP -Iharness -DBENCH_SUITE='"$*"' -c $< -o $@
$(T)/testsuites/bench_%: $(T)/testsuites/%.o $(T)/libharness.a
	$(call quiet,LINK,$@)
	$(Q)$(CXX) -pthread -o $@ $< $(T)/libharness.a $(LIBS)

# ---- tools --------------------------------------------------------------
# benchstat, the analysis tool (harness/analysis/), links only what it
# needs: the statistics and small helpers, jansson and libm; no PAPI, no
# hwloc, no Google Benchmark.

ANALYSIS_OBJS := $(patsubst harness/analysis/%.c,$(T)/analysis/%.o,$(sort $(wildcard harness/analysis/*.c))) \
	$(T)/analysis/lib/stats.o $(T)/analysis/lib/util.o
$(T)/analysis/%.o: harness/analysis/%.c $(T)/.flags
	$(call quiet,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CFLAGS) -O2 -MMD -MP -Iharness -c $< -o $@
$(T)/analysis/lib/%.o: harness/%.c $(T)/.flags
	$(call quiet,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CFLAGS) -O2 -MMD -MP -Iharness -c $< -o $@
$(T)/tools/benchstat: $(ANALYSIS_OBJS)
	$(call quiet,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -pthread -o $@ $^ -ljansson -lm
build: $(T)/tools/benchstat

# Other tools: harness/tools/<name>.c -> build/O2/tools/<name>, linked with
# the harness.
$(T)/tools/%.o: harness/tools/%.c $(T)/.flags
	$(call quiet,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CFLAGS) -O2 -MMD -MP -Iharness -c $< -o $@
# calibrate: cache sizes and machine state, as JSON.
TOOLS := $(patsubst harness/tools/%.c,$(T)/tools/%,$(sort $(wildcard harness/tools/*.c)))
$(T)/tools/%: $(T)/tools/%.o $(T)/libharness.a
	$(call quiet,LINK,$@)
	$(Q)$(CXX) -pthread -o $@ $< $(T)/libharness.a $(LIBS)
build: $(TOOLS)

include tests/fuzz/fuzz.mk

.PHONY: build-tests
build-tests: $(UNIT_TESTS) $(SUITE_TESTS) $(SAN_BINARIES) $(TEST_SUITES) $(foreach s,$(ALL_SUITES),$(T)/bench_$(s)) $(T)/tools/benchstat $(TOOLS)

# ---- commands -----------------------------------------------------------

PROFILE ?= quick
# make run, aa and test build on every CPU unless -j was given: the build
# is not what they measure.
BUILD_JOBS = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(shell nproc 2>/dev/null || echo 1))
export PROFILE SUITES FLAVORS BUILD BASELINE ROUNDS REPS SYNC_DIR RESULTS

.PHONY: run test aa deps list clean print-plan list-suites list-tsan
list-suites:
	@echo $(ALL_SUITES)
# Suites run under ThreadSanitizer, each with its filter: "suite<TAB>regex".
list-tsan:
	@$(foreach s,$(TSAN_SUITES),printf '%s\t%s\n' $(s) '$($(s)_TSAN_FILTER)';)
# What scripts/run runs: "suite flavor binary interleave" per line, where
# interleave (yes/no, suite.mk's <suite>_INTERLEAVE) says whether Google
# Benchmark may interleave the repetitions of its benchmarks in random
# order: only for suites whose set-up is cheap to repeat.
print-plan:
	@$(foreach s,$(SUITES),$(foreach f,$(call suite_flavors,$(s)),echo "$(s) $(f) $(BUILD)/$(f)/bench_$(s) $(or $($(s)_INTERLEAVE),no)";))

deps:
	$(Q)scripts/deps

# Dependencies first (headers may be missing), then a fresh make that can
# compile, then the run.
run:
	$(Q)scripts/deps
	$(Q)scripts/setup
	$(Q)$(MAKE) --no-print-directory $(BUILD_JOBS) build
	$(Q)scripts/run $(ARGS)

# The A/A self-test: the same binaries run twice and compared (scripts/aa).
aa:
	$(Q)scripts/deps
	$(Q)scripts/setup
	$(Q)$(MAKE) --no-print-directory $(BUILD_JOBS) build
	$(Q)scripts/aa $(ARGS)

test:
	$(Q)scripts/deps --test
	$(Q)$(MAKE) --no-print-directory $(BUILD_JOBS) build build-tests
	$(Q)scripts/test

list:
	@echo "suites:  $(ALL_SUITES)"
	@echo "flavors: $(BUILTIN_FLAVORS)"
	@$(foreach s,$(ALL_SUITES),echo "  $(s): $(call suite_flavors,$(s))";)

# The package: the plan's binaries and the tools, the scripts, claims and
# docs, and a run entry point (scripts/package). Version from git describe,
# arch from dpkg, written to PACKAGE_OUT (default: the build folder).
PACKAGE_VERSION ?= $(shell git describe --tags --always --dirty --abbrev=12 2>/dev/null || echo unknown)
PACKAGE_ARCH ?= $(shell dpkg --print-architecture 2>/dev/null || uname -m)
PACKAGE_OUT ?= $(BUILD)
.PHONY: package
package: build
	$(Q)$(MAKE) -s --no-print-directory print-plan | scripts/package --version '$(PACKAGE_VERSION)' \
		--arch '$(PACKAGE_ARCH)' --commit '$(GIT_COMMIT)' --out '$(PACKAGE_OUT)'

# The package on every host of an Ansible inventory (docs/fleet.md):
# make fleet INVENTORY=hosts.ini [PROFILE=...] [PACKAGE=...] [FLEET_ARGS=...]
.PHONY: fleet
fleet:
	$(if $(INVENTORY),,$(error fleet needs INVENTORY=FILE (see scripts/fleet/inventory.example)))
	$(Q)scripts/fleet/run '$(INVENTORY)' $(if $(PACKAGE),'$(PACKAGE)') -e bench_profile=$(PROFILE) $(FLEET_ARGS)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
