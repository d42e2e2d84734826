libmixchat_a_SOURCES += \
	src/vault/secmem.c src/vault/secmem.h \
	src/vault/format.c src/vault/format.h \
	src/vault/vault.c src/vault/vault.h \
	src/vault/passphrase.c src/vault/passphrase.h

check_PROGRAMS += tests/test_vault
TESTS += tests/test_vault tests/vault_cli.sh tests/vault_crash.sh
tests_test_vault_SOURCES = tests/test_vault.c tests/test.h
EXTRA_DIST += tests/vault_cli.sh tests/vault_crash.sh docs/readme/vault.md

FUZZ_TARGETS += fuzz/fuzz_vault_header
fuzz_fuzz_vault_header_SOURCES = fuzz/fuzz_vault_header.c $(FUZZ_DRIVER)

BENCH_LIST += bench/bench_vault
bench_bench_vault_SOURCES = bench/bench_vault.c
