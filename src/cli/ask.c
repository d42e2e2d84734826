/*
 * ask.c - `mixchat ask` (not built yet: a placeholder that says so).
 */
#include "config.h"

#include "cli/cli.h"

int
cli_ask(const struct cli_global *g, int argc, char **argv)
{
	cli_error("'ask' is not available in this build yet");
	return EXIT_RUNTIME;
}
