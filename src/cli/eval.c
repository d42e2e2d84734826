/*
 * eval.c - `mixchat eval` (not built yet: a placeholder that says so).
 */
#include "config.h"

#include "cli/cli.h"

int
cli_eval(const struct cli_global *g, int argc, char **argv)
{
	cli_error("'eval' is not available in this build yet");
	return EXIT_RUNTIME;
}
