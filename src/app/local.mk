libmixchat_a_SOURCES += src/app/app.c src/app/app.h src/app/format.c src/app/format.h
