/*
 * base64.h - RFC 4648 base64 (with padding), for the one place the
 * program hands bytes to the terminal as text: the clipboard escape
 * (OSC 52) that copies a reply.
 */
#ifndef MIXCHAT_UTIL_BASE64_H
#define MIXCHAT_UTIL_BASE64_H

#include <stddef.h>

/* base64_len: the length of the encoding of n bytes (no NUL). */
size_t base64_len(size_t n);
/* base64_encode: encode n bytes of p into out (base64_len(n) + 1 bytes,
 * NUL-terminated). */
void base64_encode(const void *p, size_t n, char *out);

#endif
