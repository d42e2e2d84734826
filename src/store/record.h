/*
 * record.h - the byte layouts of every LMDB key and value (store-internal).
 *
 * Pure encoding and decoding: no LMDB here, so the decoders can be fuzzed
 * (fuzz/fuzz_store_record.c).  Integers in values are little-endian, in
 * keys big-endian (so LMDB's byte order is numeric order); doubles are
 * their IEEE-754 bits as a u64; a str is a u32 length then the bytes,
 * with length 0xffffffff meaning NULL.  Every value starts with a record
 * version byte (1 for all records of schema 1).  A decoder checks every
 * length against what is left and refuses trailing bytes, an unknown
 * version, or a bad checksum with MC_ERR_CORRUPT / MC_ERR_VERSION; it
 * never reads outside [p, p + n).
 *
 * Keys:
 *
 *   sessions   +----------------+
 *              | id  u64 BE     |                                  8
 *              +----------------+
 *   messages   +----------------+-------------+
 *              | session u64 BE | seq u32 BE  |                   12
 *              +----------------+-------------+
 *   ratings    +----------------+-------------+-------------------+
 *              | session u64 BE | seq u32 BE  | time u64 BE ^ 2^63| 20
 *              +----------------+-------------+-------------------+
 *              (time is ms since the epoch; bumped by 1 ms while the
 *               key is taken, and past the reply's latest rating if the
 *               clock stepped back; the value keeps the true time)
 *   spend      +-------------+---------------------+
 *              | day u32 BE  | model id (no NUL)   |     4 + 1..256
 *              +-------------+---------------------+
 *   router, latency: the model id bytes (no NUL), 1..256
 *   meta:      "schema", "created", "last_reply" (ASCII, no NUL);
 *              "next_session": the number the next conversation may
 *              take at least (u64 LE), kept once one was deleted, so
 *              that no number is given twice;
 *              "refused" + model id (no NUL): a refusal (store_refusal)
 *
 * Values:
 *
 *   session  v=1 | created i64 | updated i64 | nmessages u32 |
 *            last_seq u32 | name str | title str
 *   message  v=1 | role u8 | flags u8 (1: tokens estimated, 2: a retry
 *            wait follows created, 4: sent by `mixchat ask`) | rating u8 |
 *            tokens_in i32 | tokens_out i32 | cost f64 | ttft f64 |
 *            latency f64 | created i64 | [wait f64] | text str | model str |
 *            decision_json str | error str
 *   rating   v=1 | score u8 | source u8 (bit 7: pending, not learned
 *            yet) | session u64 | seq u32 |
 *            time i64 | model str | nfeatures u32 | features f32 * n |
 *            [prompt str: only when tied to no message; older records
 *            end before it] [origin str: an imported rating's reply id
 *            where it was made]
 *   router   v=1 | len u32 | blob (len bytes) | crc32 u32 (of the blob)
 *   spend    v=1 | usd f64 | tokens_in u64 | tokens_out u64 | calls u32
 *   latency  v=1 | ttft f64 | tokens_per_s f64 | samples u32 |
 *            unavailable_until i64
 *   meta schema: u32 LE; meta created: i64 LE;
 *   meta last_reply: session u64 LE | seq u32 LE
 *   meta refused: v=1 | kind u8 (1 key, 2 access, 3 no such model) |
 *            since i64 (> 0) | key fingerprint: 8 hex digits, or 8 NULs
 *            for no key | route: 8 hex digits
 */
#ifndef MIXCHAT_STORE_RECORD_H
#define MIXCHAT_STORE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/buf.h"

#define RECORD_VERSION  1
#define KEY_MESSAGE_LEN 12
#define KEY_RATING_LEN  20
/* A rating's source byte: the source, and whether the router has still to
 * learn it (store_rating.pending).  Records written before it have the bit
 * clear: they were learned, or never will be. */
#define RECORD_SOURCE_MASK    0x7f
#define RECORD_SOURCE_PENDING 0x80
#define KEY_SPEND_MAX         (4 + STORE_MODEL_MAX)

/* Keys. */
void record_key_session(uint64_t id, unsigned char out[8]);
uint64_t record_key_session_id(const unsigned char in[8]);
void record_key_message(
    uint64_t session, uint32_t seq, unsigned char out[KEY_MESSAGE_LEN]);
void record_key_message_parse(
    const unsigned char in[KEY_MESSAGE_LEN], uint64_t *session, uint32_t *seq);
void record_key_rating(uint64_t session, uint32_t seq, int64_t time_ms,
    unsigned char out[KEY_RATING_LEN]);
/* The time a rating's key was made at (record_key_rating's time_ms). */
int64_t record_key_rating_time(const unsigned char in[KEY_RATING_LEN]);
/* record_key_spend: returns the key's length (0 when model is too long). */
size_t record_key_spend(
    uint32_t day, const char *model, unsigned char out[KEY_SPEND_MAX]);
/* record_key_text: a printable form of any key for messages; caller frees. */
char *record_key_text(const char *db, const void *key, size_t klen);

/*
 * Encoders append the value to b (whose max bounds it): MC_ERR_LIMIT when
 * it does not fit.  Decoders fill *out (strings and arrays allocated; the
 * matching release frees them) or return MC_ERR_CORRUPT / MC_ERR_VERSION
 * with *out left empty.
 */
int record_session_encode(const struct store_session *ss, struct buf *b) MC_WUR;
int record_session_decode(
    const void *p, size_t n, struct store_session *out) MC_WUR;
int record_message_encode(const struct store_message *m, struct buf *b) MC_WUR;
int record_message_decode(
    const void *p, size_t n, struct store_message *out) MC_WUR;
/*
 * record_message_peek: role, creation time and a pointer into p at the
 * text (not NUL-terminated) without allocating; for search.
 */
int record_message_peek(const void *p, size_t n, int *role, int64_t *created_ms,
    const char **text, size_t *text_len) MC_WUR;
/* record_message_origin: a message's role and whether `mixchat ask` sent
 * it (flag 4), from its fixed part alone. */
int record_message_origin(
    const void *p, size_t n, int *role, bool *from_cli) MC_WUR;
int record_rating_encode(const struct store_rating *r, struct buf *b) MC_WUR;
/* record_rating_decode: out->features is allocated (free it). */
int record_rating_decode(
    const void *p, size_t n, struct store_rating *out) MC_WUR;
/* record_rating_decode_head: the same checks, without the features
 * (out->features NULL, out->nfeatures the count the record holds). */
int record_rating_decode_head(
    const void *p, size_t n, struct store_rating *out) MC_WUR;
void record_rating_release(struct store_rating *r);
int record_router_encode(const void *blob, size_t len, struct buf *b) MC_WUR;
/* record_router_decode: *blob points into p (checksum verified). */
int record_router_decode(
    const void *p, size_t n, const void **blob, size_t *len) MC_WUR;
int record_spend_encode(const struct store_spend *sp, struct buf *b) MC_WUR;
/* record_spend_decode: fills usd, tokens and calls only. */
int record_spend_decode(
    const void *p, size_t n, struct store_spend *out) MC_WUR;
int record_refusal_encode(const struct store_refusal *r, struct buf *b) MC_WUR;
/* record_refusal_decode: into *out, its model left NULL (it is the key). */
int record_refusal_decode(
    const void *p, size_t n, struct store_refusal *out) MC_WUR;
int record_latency_encode(const struct store_latency *l, struct buf *b) MC_WUR;
int record_latency_decode(
    const void *p, size_t n, struct store_latency *out) MC_WUR;

/* record_crc32: the CRC-32 (IEEE) of n bytes. */
uint32_t record_crc32(const void *p, size_t n);

#endif
