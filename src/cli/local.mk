libmixchat_a_SOURCES += \
	src/cli/cli.h src/cli/common.c src/cli/output.c src/cli/output.h \
	src/cli/ask.c src/cli/route.c src/cli/rate.c src/cli/ratings.c \
	src/cli/keys.c src/cli/train.c src/cli/eval.c src/cli/stats.c \
	src/cli/export.c src/cli/sessions.c
