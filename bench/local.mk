# Benchmarks: programs that print their figures; `make bench` builds and runs
# them all.  Modules add theirs to BENCH_LIST.
EXTRA_PROGRAMS += $(BENCH_LIST)
CLEANFILES += $(BENCH_LIST)

bench: $(BENCH_LIST)
	@for b in $(BENCH_LIST); do \
		echo "== $$b"; \
		MIXCHAT_SHARED='$(SHARED_DIR)' MIXCHAT_BIN='$(abs_top_builddir)/mixchat' ./$$b || exit 1; \
	done
.PHONY: bench

# The benchmarks are built (not run) by `make check`, so they never rot.
check-local: $(BENCH_LIST)
