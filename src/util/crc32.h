/*
 * crc32.h - CRC-32 (IEEE 802.3, the zlib/PNG one) for checksummed records:
 * the router's state blobs and the store's values.
 */
#ifndef MIXCHAT_CRC32_H
#define MIXCHAT_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* crc32_ieee: the CRC-32 of n bytes at p ("123456789" gives cbf43926). */
uint32_t crc32_ieee(const void *p, size_t n);

#endif
