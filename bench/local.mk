# Benchmarks: programs that print their figures; `make bench` builds and runs
# them all.  Modules add theirs to BENCH_LIST.
EXTRA_PROGRAMS += $(BENCH_LIST)
CLEANFILES += $(BENCH_LIST)
EXTRA_DIST += bench/first_message.sh bench/start_memory.sh

bench: $(BENCH_LIST) mixchat$(EXEEXT) tests/mock_provider$(EXEEXT)
	@for b in $(BENCH_LIST); do \
		echo "== $$b"; \
		MIXCHAT_SHARED='$(SHARED_DIR)' MIXCHAT_BIN='$(abs_top_builddir)/mixchat' ./$$b || exit 1; \
	done
	@echo "== first_message.sh"; \
	MIXCHAT_BIN='$(abs_top_builddir)/mixchat' MIXCHAT_BUILDDIR='$(abs_top_builddir)' \
	    sh '$(abs_top_srcdir)/bench/first_message.sh'
	@echo "== start_memory.sh"; \
	MIXCHAT_BIN='$(abs_top_builddir)/mixchat' \
	    sh '$(abs_top_srcdir)/bench/start_memory.sh'
.PHONY: bench

# The benchmarks are built (not run) by `make check`, so they never rot.
check-local: $(BENCH_LIST)
