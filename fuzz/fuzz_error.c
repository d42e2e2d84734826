/*
 * fuzz_error.c - request_error(), which turns a provider's HTTP error
 * status and body into the line the user sees, the log keeps and the
 * store records, on any bytes.  The first byte picks the API and the
 * status; the next eight make the key that was "sent" (sk- and eight
 * letters or digits), which the body may echo.  The line must be valid
 * UTF-8, hold no control character (C0, DEL, C1: nothing a terminal would
 * obey) and never the key.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "net/request.h"
#include "util/error.h"
#include "util/utf8.h"

static const long statuses[] = { 400, 401, 403, 404, 408, 413, 422, 429, 500,
	502, 503, 529, 302, 418 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                            "abcdefghijklmnopqrstuvwxyz0123456789";
	char key[12], *line;
	const unsigned char *p;
	size_t i, n;
	long status;
	int err;
	bool rejected;

	if (size < 9)
		return 0;
	status =
	    statuses[(data[0] >> 2) % (sizeof statuses / sizeof statuses[0])];
	memcpy(key, "sk-", 3);
	for (i = 0; i < 8; i++)
		key[3 + i] = alnum[data[1 + i] % (sizeof alnum - 1)];
	key[11] = '\0';
	line = request_error((enum provider_api)(data[0] % 4), "prov",
	    "model-x", "http://user:pw@127.0.0.1:8080/v1/chat?k=v", status,
	    (const char *)data + 9, size - 9, 1500, key, 11, &err, &rejected);
	if (line == NULL)
		abort();
	n = strlen(line);
	if (!utf8_valid(line, n) || strstr(line, key) != NULL)
		abort();
	for (p = (const unsigned char *)line; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0))
			abort();
	free(line);
	return 0;
}
