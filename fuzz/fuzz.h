/*
 * fuzz.h - the one declaration every fuzz target implements.
 *
 * A target is a file fuzz/fuzz_NAME.c defining LLVMFuzzerTestOneInput().  It
 * must never crash, leak or hang on any input: it feeds the bytes to one
 * parser and releases whatever the parser returned.
 */
#ifndef MIXCHAT_FUZZ_H
#define MIXCHAT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
