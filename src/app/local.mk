libmixchat_a_SOURCES += src/app/app.c src/app/app.h src/app/format.c src/app/format.h

check_PROGRAMS += tests/test_format
TESTS += tests/test_format
tests_test_format_SOURCES = tests/test_format.c tests/test.h
