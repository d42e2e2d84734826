libmixchat_a_SOURCES += src/ui/chat.c
