# Fuzz targets.  Each parser's module fragment adds its target to
# FUZZ_TARGETS and names its sources as fuzz_fuzz_NAME_SOURCES =
# fuzz/fuzz_NAME.c $(FUZZ_DRIVER).  With --enable-fuzzing they are libFuzzer
# programs (run: fuzz/fuzz_NAME fuzz/corpus/NAME); otherwise fuzz/driver.c
# gives them a main() that replays fuzz/corpus/NAME/* and they run as tests.
# A fuzzing build is for the fuzz targets only: `make fuzz` builds them
# (libFuzzer's main() is linked into every program of that build).
if FUZZING
FUZZ_DRIVER =
AM_LDFLAGS += $(FUZZ_LDFLAGS)
EXTRA_PROGRAMS += $(FUZZ_TARGETS)
fuzz: $(FUZZ_TARGETS)
else
FUZZ_DRIVER = fuzz/driver.c
check_PROGRAMS += $(FUZZ_TARGETS)
TESTS += $(FUZZ_TARGETS)
endif
EXTRA_DIST += fuzz/corpus fuzz/fuzz.h fuzz/README.md
