libmixchat_a_SOURCES += \
	src/config/catalog.c src/config/catalog.h \
	src/config/config.c src/config/config.h

check_PROGRAMS += tests/test_config
TESTS += tests/test_config
tests_test_config_SOURCES = tests/test_config.c tests/test.h
FUZZ_TARGETS += fuzz/fuzz_config
fuzz_fuzz_config_SOURCES = fuzz/fuzz_config.c $(FUZZ_DRIVER)
