# src/net: libcurl multi transfers, SSE/NDJSON decoding, one adapter per
# provider API; and the mock provider every test in the project uses.
libmixchat_a_SOURCES += \
	src/net/net.c src/net/net.h \
	src/net/request.c src/net/request.h \
	src/net/sse.c src/net/sse.h \
	src/net/stream.c src/net/stream.h

# The mock provider server (tests/mock_provider): built by `make check` for
# every module's tests; see docs/mock_provider.md.
check_PROGRAMS += tests/mock_provider
tests_mock_provider_SOURCES = tests/mock_provider.c
EXTRA_DIST += docs/mock_provider.md docs/readme/net.md

check_PROGRAMS += tests/test_sse tests/test_net
TESTS += tests/test_sse tests/test_net tests/net_secrets.sh
EXTRA_DIST += tests/net_secrets.sh
tests_test_sse_SOURCES = tests/test_sse.c tests/test.h
tests_test_net_SOURCES = tests/test_net.c tests/test.h

FUZZ_TARGETS += fuzz/fuzz_sse fuzz/fuzz_ndjson fuzz/fuzz_stream \
	fuzz/fuzz_error
fuzz_fuzz_sse_SOURCES = fuzz/fuzz_sse.c $(FUZZ_DRIVER)
fuzz_fuzz_ndjson_SOURCES = fuzz/fuzz_sse.c $(FUZZ_DRIVER)
fuzz_fuzz_ndjson_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NDJSON
fuzz_fuzz_stream_SOURCES = fuzz/fuzz_stream.c $(FUZZ_DRIVER)
fuzz_fuzz_error_SOURCES = fuzz/fuzz_error.c $(FUZZ_DRIVER)

BENCH_LIST += bench/bench_net
bench_bench_net_SOURCES = bench/bench_net.c
