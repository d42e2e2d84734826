# src/router: the MixLLM engine (router.h), its offline fit, metrics and the
# dataset reader; the commands train/eval/route live in src/cli.
libmixchat_a_SOURCES += \
	src/router/router.h src/router/router_int.h src/router/router.c \
	src/router/state.c src/router/fit.c src/router/fit.h \
	src/router/exemplar.c src/router/shape.c \
	src/router/metrics.c src/router/metrics.h \
	src/router/dataset.c src/router/dataset.h \
	src/router/priors_data.c

check_PROGRAMS += tests/test_router
TESTS += tests/test_router
tests_test_router_SOURCES = tests/test_router.c tests/test.h

# The built-in priors: the RouterBench models' profiles fitted on the
# train split, compiled in.  `make router-priors` regenerates them (and
# tests/router_cli.sh checks the shipped file is what this produces).
router-priors: mixchat$(EXEEXT)
	gzip -dc '$(SHARED_DIR)/data/routing/prompts.jsonl.gz' | \
	    ./mixchat$(EXEEXT) train --data - --split train --format c \
	    --out '$(srcdir)/src/router/priors_data.c'
.PHONY: router-priors

TESTS += tests/router_cli.sh
EXTRA_DIST += tests/router_cli.sh

FUZZ_TARGETS += fuzz/fuzz_dataset fuzz/fuzz_router_state \
    fuzz/fuzz_features_pack
fuzz_fuzz_dataset_SOURCES = fuzz/fuzz_dataset.c $(FUZZ_DRIVER)
fuzz_fuzz_features_pack_SOURCES = fuzz/fuzz_features_pack.c $(FUZZ_DRIVER)
fuzz_fuzz_router_state_SOURCES = fuzz/fuzz_router_state.c $(FUZZ_DRIVER)

BENCH_LIST += bench/bench_router
bench_bench_router_SOURCES = bench/bench_router.c

# The per-user memory of rated prompts (the lead's; see memory.h).
libmixchat_a_SOURCES += src/router/memory.c src/router/memory.h \
	src/router/online.c src/router/online.h
check_PROGRAMS += tests/test_memory
TESTS += tests/test_memory
tests_test_memory_SOURCES = tests/test_memory.c tests/memory_ref.c tests/test.h
