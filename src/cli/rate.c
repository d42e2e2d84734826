/*
 * rate.c - `mixchat rate` (not built yet: a placeholder that says so).
 */
#include "config.h"

#include "cli/cli.h"

int
cli_rate(const struct cli_global *g, int argc, char **argv)
{
	cli_error("'rate' is not available in this build yet");
	return EXIT_RUNTIME;
}
