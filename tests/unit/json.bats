#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The JSON writer's output, judged by jq rather than by our own
# expectations: every document must parse, and strings must decode back
# to the bytes that went in.

bats_require_minimum_version 1.5.0

setup() {
	SAMPLES=$BATS_TEST_DIRNAME/test-pure
	command -v jq >/dev/null || skip "jq is not installed"
}

@test "every document the writer makes is valid JSON" {
	run -0 "$SAMPLES" --json-samples
	[ "${#lines[@]}" -ge 8 ]
	local line
	for line in "${lines[@]}"; do
		jq -e . >/dev/null <<<"$line"
	done
}

@test "quotes, backslashes and control characters decode back" {
	run -0 "$SAMPLES" --json-samples
	local doc
	doc=$(grep '"ctl"' <<<"$output")
	[ "$(jq -j .ctl <<<"$doc" | od -An -tx1 | tr -d ' \n')" = 0a090d080c011f7f ]
	[ "$(jq -r '."q\"k"' <<<"$doc")" = 'say "hi" \ back/slash' ]
	[ "$(jq -r .utf8 <<<"$doc")" = 'café 日 📷' ]
}

@test "every byte from 1 to 127 survives, others stay valid UTF-8" {
	run -0 "$SAMPLES" --json-samples
	local doc ascii
	doc=$(grep '"bytes"' <<<"$output")
	ascii=$(jq -j '.bytes[0:127]' <<<"$doc" | od -An -tx1 | tr -d ' \n')
	[ "$ascii" = "$(printf '%02x' $(seq 1 127))" ]
	# 128 bytes that are not UTF-8 on their own: one U+FFFD each
	[ "$(jq -r '.bytes[127:] | length' <<<"$doc")" -eq 128 ]
	[ "$(jq -r '.bytes[127:] | explode | unique | .[]' <<<"$doc")" = 65533 ]
}
