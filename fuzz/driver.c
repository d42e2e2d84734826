/*
 * driver.c - a main() for fuzz targets when libFuzzer is not in use.
 *
 * Built into every fuzz target in a normal build, so that `make check`
 * replays each target's corpus (fuzz/corpus/NAME, where the program is
 * fuzz_NAME) through the real parser under whatever sanitizers the build
 * has.  Files named on the command line are replayed instead when given.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static int
replay_file(const char *path)
{
	FILE *f;
	unsigned char *data = NULL;
	size_t len = 0, cap = 0, n;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((data = realloc(data, cap)) == NULL)
				abort();
		}
		n = fread(data + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *base, *srcdir;
	char dir[4096], path[8192];
	DIR *d;
	struct dirent *de;
	int i, count = 0;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			if (replay_file(argv[i]) != 0)
				return 1;
		printf("replayed %d file(s)\n", argc - 1);
		return 0;
	}
	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	if (strncmp(base, "lt-", 3) == 0)
		base += 3;
	if (strncmp(base, "fuzz_", 5) == 0)
		base += 5;
	srcdir = getenv("MIXCHAT_SRCDIR");
	if (srcdir == NULL)
		srcdir = ".";
	snprintf(dir, sizeof dir, "%s/fuzz/corpus/%s", srcdir, base);
	if ((d = opendir(dir)) == NULL) {
		printf("SKIP: no corpus at %s\n", dir);
		return 77;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (replay_file(path) != 0) {
			closedir(d);
			return 1;
		}
		count++;
	}
	closedir(d);
	/* The empty input and a few degenerate ones, always. */
	LLVMFuzzerTestOneInput((const unsigned char *)"", 0);
	LLVMFuzzerTestOneInput((const unsigned char *)"\0\xff\n\r", 4);
	printf("replayed %d corpus file(s) from %s\n", count, dir);
	return 0;
}
