/*
 * crc32.c - CRC-32 (IEEE), table-driven (see crc32.h).
 */
#include "config.h"

#include "util/crc32.h"

uint32_t
crc32_ieee(const void *p, size_t n)
{
	static uint32_t table[256];
	static int ready;
	const unsigned char *c = p;
	uint32_t crc = 0xffffffffu;
	size_t i;

	if (!ready) {
		uint32_t k, v;
		int j;

		for (k = 0; k < 256; k++) {
			v = k;
			for (j = 0; j < 8; j++)
				v = (v & 1) ? 0xedb88320u ^ (v >> 1) : v >> 1;
			table[k] = v;
		}
		ready = 1;
	}
	for (i = 0; i < n; i++)
		crc = table[(crc ^ c[i]) & 0xff] ^ (crc >> 8);
	return crc ^ 0xffffffffu;
}
