/*
 * keys.c - `mixchat keys` (not built yet: a placeholder that says so).
 */
#include "config.h"

#include "cli/cli.h"

int
cli_keys(const struct cli_global *g, int argc, char **argv)
{
	cli_error("'keys' is not available in this build yet");
	return EXIT_RUNTIME;
}
