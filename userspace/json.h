/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IOTCTL_JSON_H
#define IOTCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 8

/*
 * A streaming writer for one compact JSON document. Calls in the wrong
 * order (a value without a key inside an object, a second top-level
 * value, unbalanced ends) are not written; they make json_end() fail.
 */
struct json {
	FILE *out;
	unsigned int depth;
	char kind[JSON_MAX_DEPTH];	/* '{' or '[' per open level */
	bool first[JSON_MAX_DEPTH];	/* no member written yet */
	bool have_key;			/* a key waits for its value */
	bool done;			/* the top-level value is complete */
	bool misused;
};

void json_init(struct json *j, FILE *out);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);
void json_uint(struct json *j, uint64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* A member of an object: the key and its value. */
void json_member_uint(struct json *j, const char *key, uint64_t v);
/* s NULL: null. */
void json_member_string(struct json *j, const char *key, const char *s);
/* has false: null, for what is absent or never happened. */
void json_member_maybe(struct json *j, const char *key, bool has,
		       uint64_t v);
int json_end(struct json *j);

#endif
