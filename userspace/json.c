// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stddef.h>

#include "json.h"

void json_init(struct json *j, FILE *out)
{
	*j = (struct json){ .out = out };
}

/* Everything that is about to write a value or a key comes through here. */
static bool json_begin_item(struct json *j, bool is_key)
{
	if (j->misused)
		return false;
	if (j->depth == 0) {
		if (is_key || j->done) {
			j->misused = true;
			return false;
		}
		return true;
	}
	if (j->kind[j->depth - 1] == '{') {
		if (is_key == j->have_key) {
			j->misused = true;
			return false;
		}
		if (!is_key) {
			j->have_key = false;
			return true;
		}
	} else if (is_key) {
		j->misused = true;
		return false;
	}
	if (!j->first[j->depth - 1])
		fputc(',', j->out);
	j->first[j->depth - 1] = false;
	return true;
}

static void json_value_done(struct json *j)
{
	if (j->depth == 0)
		j->done = true;
}

static void json_open(struct json *j, char kind)
{
	if (!json_begin_item(j, false))
		return;
	if (j->depth == JSON_MAX_DEPTH) {
		j->misused = true;
		return;
	}
	j->kind[j->depth] = kind;
	j->first[j->depth] = true;
	j->depth++;
	fputc(kind, j->out);
}

static void json_close(struct json *j, char kind)
{
	if (j->misused)
		return;
	if (j->depth == 0 || j->kind[j->depth - 1] != kind || j->have_key) {
		j->misused = true;
		return;
	}
	j->depth--;
	fputc(kind == '{' ? '}' : ']', j->out);
	json_value_done(j);
}

void json_object_begin(struct json *j)
{
	json_open(j, '{');
}

void json_object_end(struct json *j)
{
	json_close(j, '{');
}

void json_array_begin(struct json *j)
{
	json_open(j, '[');
}

void json_array_end(struct json *j)
{
	json_close(j, '[');
}

/*
 * Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0 if there is none.
 */
static size_t utf8_sequence(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	/* Only the second byte has a narrowed range. */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	}
	return len;
}

/*
 * Quotes, backslashes and control characters are escaped. Bytes that are
 * not valid UTF-8 become U+FFFD, so that the output is always valid JSON
 * whatever the kernel or the user handed us.
 */
static void json_put_string(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', out);
	while (*s) {
		size_t n;

		if (*s == '"' || *s == '\\') {
			fputc('\\', out);
			fputc(*s, out);
			s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(out, "\\u%04x", *s);
			s++;
		} else if (*s < 0x80) {
			fputc(*s, out);
			s++;
		} else if ((n = utf8_sequence(s)) > 0) {
			fwrite(s, 1, n, out);
			s += n;
		} else {
			fputs("\\ufffd", out);
			s++;
		}
	}
	fputc('"', out);
}

void json_key(struct json *j, const char *key)
{
	if (!json_begin_item(j, true))
		return;
	json_put_string(j->out, key);
	fputc(':', j->out);
	j->have_key = true;
}

void json_string(struct json *j, const char *s)
{
	if (!json_begin_item(j, false))
		return;
	json_put_string(j->out, s);
	json_value_done(j);
}

void json_uint(struct json *j, uint64_t v)
{
	if (!json_begin_item(j, false))
		return;
	fprintf(j->out, "%" PRIu64, v);
	json_value_done(j);
}

void json_bool(struct json *j, bool v)
{
	if (!json_begin_item(j, false))
		return;
	fputs(v ? "true" : "false", j->out);
	json_value_done(j);
}

void json_null(struct json *j)
{
	if (!json_begin_item(j, false))
		return;
	fputs("null", j->out);
	json_value_done(j);
}

void json_member_uint(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_uint(j, v);
}

void json_member_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	if (s)
		json_string(j, s);
	else
		json_null(j);
}

void json_member_maybe(struct json *j, const char *key, bool has,
		       uint64_t v)
{
	json_key(j, key);
	if (has)
		json_uint(j, v);
	else
		json_null(j);
}

/* Ends the document with a newline. Returns 0, or -1 if it is not whole. */
int json_end(struct json *j)
{
	if (j->misused || !j->done)
		return -1;
	fputc('\n', j->out);
	return 0;
}
