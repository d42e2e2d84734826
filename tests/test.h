/*
 * test.h - the tiny harness every C test program uses.
 *
 *	TEST(name) { CHECK(x == 1); CHECK_STR(a, "b"); }
 *	int main(void) { RUN(name); return test_done(); }
 *
 * A failed CHECK prints file:line and the expression, marks the program
 * failed and carries on, so one run reports every broken assertion.
 * test_skip() exits 77 with a printed reason (automake's skip code).
 * test_tmpdir() makes a fresh temporary folder, removed at exit.
 */
#ifndef MIXCHAT_TEST_H
#define MIXCHAT_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int test_failures;
static int test_checks;
static const char *test_current;

#define TEST(name) static void name(void)
#define RUN(name)                                                       \
	do {                                                            \
		int before_ = test_failures;                            \
		test_current = #name;                                   \
		name();                                                 \
		printf("%s %s\n", test_failures == before_ ? "ok  " :   \
							     "FAIL", #name); \
		fflush(stdout);                                         \
	} while (0)
#define CHECK(cond)                                                     \
	do {                                                            \
		test_checks++;                                          \
		if (!(cond)) {                                          \
			test_failures++;                                \
			printf("%s:%d: %s: CHECK(%s) failed\n",         \
			    __FILE__, __LINE__, test_current, #cond);   \
		}                                                       \
	} while (0)
#define CHECK_STR(a, b)                                                 \
	do {                                                            \
		const char *a_ = (a), *b_ = (b);                        \
		test_checks++;                                          \
		if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {  \
			test_failures++;                                \
			printf("%s:%d: %s: \"%s\" != \"%s\"\n", __FILE__, \
			    __LINE__, test_current, a_ ? a_ : "(null)", \
			    b_ ? b_ : "(null)");                        \
		}                                                       \
	} while (0)
#define CHECK_NEAR(a, b, eps)                                           \
	do {                                                            \
		double a_ = (a), b_ = (b);                              \
		test_checks++;                                          \
		if (!(a_ - b_ <= (eps) && b_ - a_ <= (eps))) {          \
			test_failures++;                                \
			printf("%s:%d: %s: %g != %g (eps %g)\n", __FILE__, \
			    __LINE__, test_current, a_, b_, (double)(eps)); \
		}                                                       \
	} while (0)

static inline int
test_done(void)
{
	printf("%d checks, %d failed\n", test_checks, test_failures);
	return test_failures == 0 ? 0 : 1;
}

static inline void
test_skip(const char *why)
{
	printf("SKIP: %s\n", why);
	exit(77);
}

static char test_tmp_path[256];

static inline void
test_tmp_cleanup(void)
{
	char cmd[300];

	if (test_tmp_path[0] != '\0' && getenv("TEST_KEEP_TMP") == NULL) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", test_tmp_path);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", test_tmp_path);
	}
}

/* test_tmpdir: a fresh folder for this program; removed at exit. */
static inline const char *
test_tmpdir(void)
{
	if (test_tmp_path[0] == '\0') {
		const char *base = getenv("TMPDIR");

		snprintf(test_tmp_path, sizeof test_tmp_path,
		    "%s/mixchat-test.XXXXXX", base ? base : "/tmp");
		if (mkdtemp(test_tmp_path) == NULL) {
			perror("mkdtemp");
			exit(99);
		}
		atexit(test_tmp_cleanup);
	}
	return test_tmp_path;
}

/* test_shared: path of a file under shared/, or skip when it is absent. */
static inline const char *
test_shared(const char *rel)
{
	static char path[4][1024];
	static int next;
	const char *base = getenv("MIXCHAT_SHARED");
	char *p = path[next++ % 4];

	if (base == NULL)
		base = "../shared";
	snprintf(p, 1024, "%s/%s", base, rel);
	if (access(p, R_OK) != 0) {
		char why[1200];

		snprintf(why, sizeof why, "%s is not there (set "
		    "MIXCHAT_SHARED to the project's shared/ folder)", p);
		test_skip(why);
	}
	return p;
}

#endif
