# src/store: the LMDB environment and every record kept in it.
libmixchat_a_SOURCES += \
	src/store/store.h src/store/store_int.h \
	src/store/record.c src/store/record.h \
	src/store/env.c src/store/chat.c src/store/learn.c \
	src/store/writer.c

check_PROGRAMS += tests/test_store tests/store_helper
TESTS += tests/test_store tests/store_cli.sh
EXTRA_DIST += tests/store_cli.sh
tests_test_store_SOURCES = tests/test_store.c tests/test.h
tests_store_helper_SOURCES = tests/store_helper.c
FUZZ_TARGETS += fuzz/fuzz_store_record
fuzz_fuzz_store_record_SOURCES = fuzz/fuzz_store_record.c $(FUZZ_DRIVER)
BENCH_LIST += bench/bench_store
bench_bench_store_SOURCES = bench/bench_store.c
