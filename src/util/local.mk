libmixchat_a_SOURCES += \
	src/util/base64.c src/util/base64.h \
	src/util/buf.c src/util/buf.h \
	src/util/crc32.c src/util/crc32.h \
	src/util/error.c src/util/error.h \
	src/util/fs.c src/util/fs.h \
	src/util/glyph.c src/util/glyph.h \
	src/util/json.c src/util/json.h \
	src/util/log.c src/util/log.h \
	src/util/self.c src/util/self.h \
	src/util/suggest.c src/util/suggest.h \
	src/util/terms.c src/util/terms.h \
	src/util/timeutil.c src/util/timeutil.h \
	src/util/utf8.c src/util/utf8.h \
	src/util/xmalloc.c src/util/xmalloc.h

check_PROGRAMS += tests/test_util
TESTS += tests/test_util
tests_test_util_SOURCES = tests/test_util.c tests/test.h
FUZZ_TARGETS += fuzz/fuzz_json
fuzz_fuzz_json_SOURCES = fuzz/fuzz_json.c $(FUZZ_DRIVER)
