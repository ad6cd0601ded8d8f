# fuzz.mk - fuzz targets of the code that reads outside input (included by
# bench.mk). Each target is tests/fuzz/<target>.c; its seed corpus is
# tests/fuzz/<target>/seeds/, and tests/fuzz/<target>/regress/ keeps the
# inputs that once found a bug.
#
#   make fuzz                       build with clang's libFuzzer and run
#                                   each target FUZZ_SECONDS (default 15)
#   make fuzz FUZZ_TARGETS=raw FUZZ_SECONDS=300
#
# `make test` replays seeds and regressions with gcc's sanitizers
# (build/O2/fuzz/replay-<target>), so it does not need clang.

FUZZ_TARGETS ?= run raw claims args caches
FUZZ_SECONDS ?= 15
FUZZ_ALL := run raw claims args caches
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_CFLAGS := -std=gnu11 -g -O1 -pthread -Wall -Iharness -Iharness/analysis \
	-Itests/fuzz
# What each target links besides its own file.
ANALYSIS_LIB_C := $(filter-out harness/analysis/main.c,$(sort $(wildcard harness/analysis/*.c))) \
	harness/stats.c harness/util.c tests/fuzz/exercise.c
fuzz_srcs = tests/fuzz/$(1).c $(or $(FUZZ_C_$(1)),$(ANALYSIS_LIB_C))
FUZZ_C_args := harness/args.c
FUZZ_C_caches := harness/calib.c harness/topo.c harness/util.c
FUZZ_LIBS_caches := -lhwloc
FZ := $(BUILD)/fuzz
RP := $(T)/fuzz

$(FZ)/obj/%.o: %.c
	$(call quiet,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -MMD -MP -c $< -o $@
$(RP)/obj/%.o: %.c
	$(call quiet,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -MMD -MP -c $< -o $@

define fuzz_rules
$(FZ)/$(1): $(patsubst %.c,$(FZ)/obj/%.o,$(call fuzz_srcs,$(1)))
	$$(call quiet,LINK,$$@)
	$(Q)$(CLANG) -fsanitize=fuzzer $(FUZZ_SAN) -pthread -o $$@ $$^ $(FUZZ_LIBS_$(1)) -ljansson -lm
$(RP)/replay-$(1): $(patsubst %.c,$(RP)/obj/%.o,tests/fuzz/replay.c $(call fuzz_srcs,$(1)))
	$$(call quiet,LINK,$$@)
	$(Q)$(CC) $(FUZZ_SAN) -pthread -o $$@ $$^ $(FUZZ_LIBS_$(1)) -ljansson -lm
endef
$(foreach t,$(FUZZ_ALL),$(eval $(call fuzz_rules,$(t))))

build-tests: $(foreach t,$(FUZZ_ALL),$(RP)/replay-$(t))

.PHONY: fuzz
bad_fuzz := $(filter-out $(FUZZ_ALL),$(FUZZ_TARGETS))
ifneq ($(bad_fuzz),)
fuzz:
	@echo "error: unknown fuzz target '$(firstword $(bad_fuzz))' (valid: $(FUZZ_ALL))" >&2; exit 2
else ifeq ($(CLANG),)
fuzz:
	@echo "error: make fuzz needs clang (libFuzzer); apt-get install clang" >&2; exit 2
else
fuzz: $(foreach t,$(FUZZ_TARGETS),$(FZ)/$(t))
	$(Q)tests/fuzz/fuzz.sh $(FZ) $(FUZZ_SECONDS) $(FUZZ_TARGETS)
endif
