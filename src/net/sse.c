/*
 * sse.c - the server-sent events and NDJSON decoders (see sse.h).
 */
#include "config.h"

#include <string.h>

#include "net/sse.h"

void
sse_init(struct sse *s, size_t max, sse_event_fn fn, void *ud)
{
	buf_init(&s->line, max);
	buf_init(&s->data, max);
	buf_init(&s->event, 256);
	s->has_data = false;
	s->skip_lf = false;
	s->err = MC_OK;
	s->fn = fn;
	s->ud = ud;
}

void
sse_release(struct sse *s)
{
	buf_release(&s->line);
	buf_release(&s->data);
	buf_release(&s->event);
}

/* One complete line (without its end) of len bytes. */
static int
sse_line(struct sse *s, const char *l, size_t len)
{
	const char *colon, *v;
	size_t flen, vlen;
	int rc;

	if (len == 0) {
		if (!s->has_data) {
			buf_reset(&s->event);
			return MC_OK;
		}
		/* The data lines were each followed by '\n': drop the last. */
		if (s->data.len > 0)
			s->data.len--;
		if (s->data.data != NULL)
			s->data.data[s->data.len] = '\0';
		rc = s->fn(
		    s->ud, buf_str(&s->event), buf_str(&s->data), s->data.len);
		buf_reset(&s->data);
		buf_reset(&s->event);
		s->has_data = false;
		return rc;
	}
	if (l[0] == ':')
		return MC_OK;
	colon = memchr(l, ':', len);
	flen = colon ? (size_t)(colon - l) : len;
	v = colon ? colon + 1 : l + len;
	vlen = len - (size_t)(v - l);
	if (vlen > 0 && *v == ' ') {
		v++;
		vlen--;
	}
	if (flen == 4 && memcmp(l, "data", 4) == 0) {
		s->has_data = true;
		if ((rc = buf_add(&s->data, v, vlen)) != MC_OK)
			return rc;
		return buf_addch(&s->data, '\n');
	}
	if (flen == 5 && memcmp(l, "event", 5) == 0) {
		buf_reset(&s->event);
		/* Event names are short; a longer one is no name we know. */
		if (vlen > 200)
			vlen = 200;
		return buf_add(&s->event, v, vlen);
	}
	return MC_OK; /* id, retry and unknown fields */
}

int
sse_feed(struct sse *s, const char *p, size_t n)
{
	const char *end = p + n;

	if (s->err != MC_OK)
		return s->err;
	while (p < end) {
		const char *q = p;
		int rc;

		if (s->skip_lf) {
			s->skip_lf = false;
			if (*p == '\n') {
				p++;
				continue;
			}
		}
		while (q < end && *q != '\n' && *q != '\r')
			q++;
		if (q == end) {
			if ((rc = buf_add(&s->line, p, (size_t)(q - p))) != 0) {
				s->err = rc;
				return rc;
			}
			break;
		}
		if (s->line.len > 0) {
			if ((rc = buf_add(&s->line, p, (size_t)(q - p))) != 0) {
				s->err = rc;
				return rc;
			}
			rc = sse_line(s, s->line.data, s->line.len);
			buf_reset(&s->line);
		} else {
			rc = sse_line(s, p, (size_t)(q - p));
		}
		if (rc != MC_OK) {
			s->err = rc;
			return rc;
		}
		if (*q == '\r')
			s->skip_lf = true;
		p = q + 1;
	}
	return MC_OK;
}

int
sse_finish(struct sse *s)
{
	int rc = MC_OK;

	if (s->err != MC_OK)
		return s->err;
	if (s->line.len > 0) {
		rc = sse_line(s, s->line.data, s->line.len);
		buf_reset(&s->line);
	}
	if (rc == MC_OK && s->has_data)
		rc = sse_line(s, "", 0);
	if (rc != MC_OK)
		s->err = rc;
	return rc;
}

void
ndjson_init(struct ndjson *d, size_t max, ndjson_line_fn fn, void *ud)
{
	buf_init(&d->line, max);
	d->err = MC_OK;
	d->fn = fn;
	d->ud = ud;
}

void
ndjson_release(struct ndjson *d)
{
	buf_release(&d->line);
}

static int
ndjson_line(struct ndjson *d, const char *l, size_t len)
{
	while (len > 0 &&
	       (l[len - 1] == '\r' || l[len - 1] == ' ' || l[len - 1] == '\t'))
		len--;
	while (len > 0 && (*l == ' ' || *l == '\t')) {
		l++;
		len--;
	}
	if (len == 0)
		return MC_OK;
	return d->fn(d->ud, l, len);
}

int
ndjson_feed(struct ndjson *d, const char *p, size_t n)
{
	const char *end = p + n;

	if (d->err != MC_OK)
		return d->err;
	while (p < end) {
		const char *q = memchr(p, '\n', (size_t)(end - p));
		int rc;

		if (q == NULL) {
			if ((rc = buf_add(&d->line, p, (size_t)(end - p))) !=
			    0) {
				d->err = rc;
				return rc;
			}
			break;
		}
		if (d->line.len > 0) {
			if ((rc = buf_add(&d->line, p, (size_t)(q - p))) != 0) {
				d->err = rc;
				return rc;
			}
			rc = ndjson_line(d, d->line.data, d->line.len);
			buf_reset(&d->line);
		} else {
			rc = ndjson_line(d, p, (size_t)(q - p));
		}
		if (rc != MC_OK) {
			d->err = rc;
			return rc;
		}
		p = q + 1;
	}
	return MC_OK;
}

int
ndjson_finish(struct ndjson *d)
{
	int rc;

	if (d->err != MC_OK)
		return d->err;
	if (d->line.len == 0)
		return MC_OK;
	rc = ndjson_line(d, d->line.data, d->line.len);
	buf_reset(&d->line);
	if (rc != MC_OK)
		d->err = rc;
	return rc;
}
