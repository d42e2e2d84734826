# src/net: libcurl multi transfers, SSE/NDJSON decoding, one adapter per
# provider API; and the mock provider every test in the project uses.

# The mock provider server (tests/mock_provider): built by `make check` for
# every module's tests; see docs/mock_provider.md.
check_PROGRAMS += tests/mock_provider
tests_mock_provider_SOURCES = tests/mock_provider.c
EXTRA_DIST += docs/mock_provider.md
