// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for JSON string escaping: any bytes must come out as
 * one quoted string with no raw control characters and valid UTF-8.
 */
#define _GNU_SOURCE
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../json.h"
#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_utf8(const char *s, size_t len)
{
	mbstate_t st;

	memset(&st, 0, sizeof(st));
	while (len > 0) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, len, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0)
			abort();
		if (wc >= 0xd800 && wc <= 0xdfff)
			abort();
		s += n;
		len -= n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_string(data, size), *out = NULL;
	size_t outlen = 0, i;
	struct json j;
	FILE *f;

	if (!in)
		return 0;
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		abort();

	f = open_memstream(&out, &outlen);
	if (!f)
		abort();
	json_init(&j, f);
	json_string(&j, in);
	if (json_end(&j) < 0)
		abort();
	fclose(f);

	if (outlen < 3 || out[0] != '"' || out[outlen - 2] != '"' ||
	    out[outlen - 1] != '\n')
		abort();
	for (i = 1; i < outlen - 2; i++) {
		if ((unsigned char)out[i] < 0x20)
			abort();
		if (out[i] == '\\')
			i++;	/* the escaped character */
		else if (out[i] == '"')
			abort();
	}
	check_utf8(out, outlen - 1);
	free(in);
	free(out);
	return 0;
}
