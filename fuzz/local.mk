# Fuzz targets.  Each parser's module fragment adds its target to
# FUZZ_TARGETS and names its sources as fuzz_fuzz_NAME_SOURCES =
# fuzz/fuzz_NAME.c $(FUZZ_DRIVER).  With --enable-fuzzing they are libFuzzer
# programs (run: fuzz/fuzz_NAME fuzz/corpus/NAME); otherwise fuzz/driver.c
# gives them a main() that replays fuzz/corpus/NAME/* and they run as tests.
if FUZZING
FUZZ_DRIVER =
noinst_PROGRAMS += $(FUZZ_TARGETS)
else
FUZZ_DRIVER = fuzz/driver.c
check_PROGRAMS += $(FUZZ_TARGETS)
TESTS += $(FUZZ_TARGETS)
endif
EXTRA_DIST += fuzz/corpus fuzz/fuzz.h fuzz/README.md
