libmixchat_a_SOURCES += src/vault/secmem.c src/vault/secmem.h
