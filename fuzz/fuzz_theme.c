/*
 * fuzz_theme.c - the theme file parser on any bytes.
 */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "ui/theme.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct theme t;
	char *cause = NULL;
	bool bold;
	int i;

	theme_init(&t, "fuzz");
	if (theme_parse(&t, (const char *)data, size, "fuzz", &cause) != MC_OK)
		free(cause);
	for (i = 0; i < TH__COUNT; i++) {
		if (t.styles[i].fg < -1 || t.styles[i].fg > 255 ||
		    t.styles[i].bg < -1 || t.styles[i].bg > 255)
			abort();
		if (theme_reduce(t.styles[i].fg, 8, &bold) > 7)
			abort();
	}
	theme_release(&t);
	return 0;
}
