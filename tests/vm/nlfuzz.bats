#!/usr/bin/env bats
# The netlink interface under a fuzzer (tests/nlfuzz): random, malformed
# and mutated messages as root and as an unprivileged user, and dumps of a
# big table while it changes.

bats_require_minimum_version 1.5.0
load lib

NLFUZZ=tests/nlfuzz/nlfuzz
# Fixed seeds: a failure is reproducible with the same command line.
SEED=20261101
# Messages as root; half as many twice as uid 65534.  make check sends a
# quarter of them (tests/check), make check-hardening all.
COUNT=${NLFUZZ_COUNT:-200000}

setup_file() {
	make -s -C tests/nlfuzz >&2
}

setup() {
	new_ns ROUTER router
	# where this test's kernel messages begin
	MARK="nlfuzz-bats: $BATS_TEST_NAME $RANDOM"
	echo "$MARK" > /dev/kmsg
}

# The kernel said nothing alarming since the test began.
kernel_quiet() {
	local hits
	hits=$(dmesg | sed -n "/$MARK/,\$p" |
		grep -E -e 'WARNING|(^|[^[:alnum:]_])BUG[: ]|Oops|general protection' \
			-e 'UBSAN|refcount|list_(add|del) corruption|stall') || true
	if [[ -n $hits ]]; then
		printf 'kernel log:\n%s\n' "$hits" >&2
		return 1
	fi
}

# Everything root can read back.
state() {
	ip netns exec "$ROUTER" sh -c 'iotctl -j show; iotctl -j status; iotctl -j wan show'
}

# field NAME: NAME=value from the fuzzer's summary line in $output.
field() {
	local re="(^| )$1=([^ ]*)"
	[[ $output =~ $re ]] && printf '%s\n' "${BASH_REMATCH[2]}"
}

@test "NLFUZZ_COUNT messages (200,000 unless set) as root: invalid ones refused, the table as the model says" {
	run -0 --separate-stderr ip netns exec "$ROUTER" "$NLFUZZ" \
		--seed "$SEED" --count "$COUNT"
	echo "$output" >&3
	[[ $output == "nlfuzz: mode=root "* ]]
	(( $(field sent) >= COUNT ))
	(( $(field violations) == 0 ))
	(( $(field invalid) >= COUNT / 4 ))
	(( $(field errors) >= $(field invalid) ))
	(( $(field abandoned) > 0 ))
	(( $(field LOAD_COMMIT) > 0 && $(field GET_UNKNOWN) > 0 && $(field other) > 0 ))
	[[ -z $stderr ]]
	# the kernel still answers, and agrees with what the fuzzer left
	run -0 ip netns exec "$ROUTER" iotctl status
	kernel_quiet
}

@test "the same stream as uid 65534: EPERM for everything, nothing changed" {
	# something to protect
	{
		echo "default deny"
		echo "wan add wan0"
		echo "deny 02:00:00:00:00:0c name dvr-front"
		echo "allow 02:00:00:00:00:1a name laptop"
	} | ip netns exec "$ROUTER" iotctl load -
	local before
	before=$(state)
	# the fuzzer drops to 65534 by itself ...
	run -0 --separate-stderr ip netns exec "$ROUTER" "$NLFUZZ" \
		--unprivileged --seed "$SEED" --count $(( COUNT / 2 ))
	echo "$output" >&3
	[[ $output == "nlfuzz: mode=unprivileged "* ]]
	(( $(field violations) == 0 && $(field acks) == 0 && $(field sent) >= COUNT / 2 ))
	[[ -z $stderr ]]
	# ... or runs under setpriv, with no capabilities to inherit
	run -0 --separate-stderr ip netns exec "$ROUTER" setpriv --reuid=65534 \
		--regid=65534 --clear-groups --inh-caps=-all "$NLFUZZ" \
		--unprivileged --seed $(( SEED + 1 )) --count $(( COUNT / 2 ))
	echo "$output" >&3
	(( $(field violations) == 0 && $(field acks) == 0 && $(field sent) >= COUNT / 2 ))
	[[ $(state) == "$before" ]]
	kernel_quiet
}

@test "dumps of 5000 devices under a writer: sorted, whole, flagged when changed" {
	local i
	for (( i = 0; i < 5000; i++ )); do
		printf 'deny 02:00:00:00:%02x:%02x name d%d\n' $(( i / 256 )) $(( i % 256 )) "$i"
	done | ip netns exec "$ROUTER" iotctl load -
	[[ $(iot_status devices) == 5000 ]]
	run -0 --separate-stderr ip netns exec "$ROUTER" "$NLFUZZ" --dump-race 40
	echo "$output" >&3
	[[ -z $stderr ]]
	(( $(field violations) == 0 ))
	# every dump the fuzzer interleaved with a change was flagged
	(( $(field forced) == 20 && $(field forced_intr) == 20 ))
	(( $(field dump_intr) >= 1 ))
	# the writer's devices are gone again
	[[ $(iot_status devices) == 5000 ]]
	kernel_quiet
}
