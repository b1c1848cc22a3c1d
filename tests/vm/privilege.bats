#!/usr/bin/env bats
# Who may do what: every command needs CAP_NET_ADMIN in the user namespace
# that owns the network namespace.
#
#   (a) an unprivileged user, initial netns:              nothing
#   (b) root of a user namespace of its own, in the
#       router's netns (owned by the initial user ns):    nothing
#   (c) root of a user namespace that owns its netns:     everything, there
#
# The module is loaded by the harness: inside a user namespace, autoload
# cannot work.

# shellcheck disable=SC2154 # bats' run sets $stderr
bats_require_minimum_version 1.5.0
load lib

EPERM_MSG="iotctl: permission denied: CAP_NET_ADMIN is needed"
MONITOR_MSG="iotctl: monitor: permission denied: CAP_NET_ADMIN is needed to subscribe"

setup_file() {
	if [[ -f /proc/sys/kernel/unprivileged_userns_clone ]]; then
		sysctl -qw kernel.unprivileged_userns_clone=1
	fi
}

setup() {
	new_ns ROUTER router
	# something to protect, in the router and in the initial netns
	POLICY=$BATS_TEST_TMPDIR/policy
	{
		echo "wan add wan0"
		echo "deny 02:00:00:00:00:0c name dvr-front"
		echo "allow 02:00:00:00:00:1a name laptop"
	} > "$POLICY"
	ip netns exec "$ROUTER" iotctl load "$POLICY"
	iotctl load "$POLICY"
	BEFORE_ROUTER=$(state "$ROUTER")
	BEFORE_INIT=$(state)
}

teardown() {
	cleanup
	iotctl flush
	iotctl default allow
	iotctl wan del wan0 2> /dev/null || true
}

# state [NS]: everything root can read back, in NS or the initial netns;
# the generation in the status changes with any change at all.
state() {
	if [[ -n ${1:-} ]]; then
		ip netns exec "$1" sh -c 'iotctl -j show; iotctl -j status; iotctl -j wan show'
	else
		sh -c 'iotctl -j show; iotctl -j status; iotctl -j wan show'
	fi
}

unchanged() {
	[[ $(state "$ROUTER") == "$BEFORE_ROUTER" ]] || {
		echo "the router's state changed" >&2
		return 1
	}
	[[ $(state) == "$BEFORE_INIT" ]] || {
		echo "the initial netns's state changed" >&2
		return 1
	}
}

# as_nobody CMD...: uid and gid 65534, no groups, nothing to inherit.
as_nobody() {
	say_cmd "[nobody] $*"
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"
}

# (a) CMD...: as nobody in the initial netns.
cell_a() {
	as_nobody "$@"
}

# (b) CMD...: as root of a new user namespace, in the router's netns.
cell_b() {
	ip netns exec "$ROUTER" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=-all unshare -Ur "$@"
}

# (c) SCRIPT: as root of a new user namespace with a netns of its own.
cell_c() {
	as_nobody unshare -Urn sh -ec "$1"
}

# refused CELL ARGS...: iotctl ARGS, in CELL, exits 1 with the EPERM
# message and prints nothing on stdout.
refused() {
	local cell=$1
	shift
	run -1 --separate-stderr "$cell" iotctl "$@"
	if [[ -n $output || $stderr != "$EPERM_MSG" ]]; then
		echo "iotctl $*: stdout '$output' stderr '$stderr'" >&2
		return 1
	fi
}

# load_refused CELL: "iotctl load -" of the policy file, in CELL.
load_refused() {
	run -1 --separate-stderr "$1" iotctl load - < "$POLICY"
	if [[ -n $output || $stderr != "$EPERM_MSG" ]]; then
		echo "iotctl load: stdout '$output' stderr '$stderr'" >&2
		return 1
	fi
}

change_refused() {
	refused "$1" deny 02:00:00:00:00:99
	refused "$1" allow 02:00:00:00:00:0c
	refused "$1" audit 02:00:00:00:00:0c name x
	refused "$1" del 02:00:00:00:00:0c
	refused "$1" flush
	refused "$1" default deny
	refused "$1" wan add ppp0
	refused "$1" wan del wan0
	load_refused "$1"
	unchanged
}

read_refused() {
	refused "$1" show
	refused "$1" -j show
	refused "$1" show 02:00:00:00:00:0c
	refused "$1" show --unknown
	refused "$1" status
	refused "$1" -j status
	refused "$1" wan show
	refused "$1" default
	refused "$1" save
	unchanged
}

monitor_refused() {
	run -1 --separate-stderr "$1" timeout 60 iotctl monitor
	if [[ -n $output || $stderr != "$MONITOR_MSG" ]]; then
		echo "iotctl monitor: stdout '$output' stderr '$stderr'" >&2
		return 1
	fi
}

@test "(a) unprivileged user, initial netns: cannot change the policy" {
	change_refused cell_a
}

@test "(a) unprivileged user, initial netns: cannot read the policy" {
	read_refused cell_a
}

@test "(a) unprivileged user, initial netns: cannot subscribe to the monitor" {
	monitor_refused cell_a
}

@test "(b) root of its own user ns, in the router's netns: cannot change the policy" {
	# the user namespace is real: its root is uid 0 with every capability
	run -0 cell_b sh -c 'id -u; grep CapEff /proc/self/status'
	[[ ${lines[0]} == 0 && ${lines[1]} == *000001ffffffffff ]]
	change_refused cell_b
}

@test "(b) root of its own user ns, in the router's netns: cannot read the policy" {
	read_refused cell_b
}

@test "(b) root of its own user ns, in the router's netns: cannot subscribe to the monitor" {
	monitor_refused cell_b
}

@test "(c) root of a user ns that owns its netns: changes the policy there" {
	run -0 --separate-stderr cell_c '
		iotctl deny 02:00:00:00:00:0c name mine
		iotctl allow 02:00:00:00:00:0d > /dev/null
		iotctl audit 02:00:00:00:00:0e > /dev/null
		iotctl del 02:00:00:00:00:0d > /dev/null
		iotctl wan add wan9 > /dev/null
		iotctl default deny > /dev/null
		iotctl -j show
		iotctl default
		iotctl wan show
		printf "%s\n" "wan add ppp9" "default allow" \
			"deny 02:00:00:00:00:01 name a" "allow 02:00:00:00:00:02" |
			iotctl load -
		iotctl -j show
		iotctl default
		iotctl wan show
		iotctl flush > /dev/null
		iotctl -j show'
	[[ -z $stderr ]]
	[[ ${lines[0]} == "02:00:00:00:00:0c denied, cut 0 connections" ]]
	[[ $(jq -c 'map({mac, policy, name})' <<< "${lines[1]}") == '[{"mac":"02:00:00:00:00:0c","policy":"deny","name":"mine"},{"mac":"02:00:00:00:00:0e","policy":"audit","name":null}]' ]]
	[[ ${lines[2]} == deny ]]
	[[ ${lines[3]} == "wan9  absent" ]]
	[[ ${lines[4]} == "loaded <stdin>, cut 0 connections" ]]
	[[ $(jq -c 'map({mac, policy, name})' <<< "${lines[5]}") == '[{"mac":"02:00:00:00:00:01","policy":"deny","name":"a"},{"mac":"02:00:00:00:00:02","policy":"allow","name":null}]' ]]
	[[ ${lines[6]} == allow ]]
	[[ ${lines[7]} == "ppp9  absent" ]]
	[[ ${lines[8]} == "[]" ]]
	[[ ${#lines[@]} == 9 ]]
	unchanged
}

@test "(c) root of a user ns that owns its netns: reads the policy there" {
	run -0 --separate-stderr cell_c '
		iotctl deny 02:00:00:00:00:0c name mine > /dev/null
		iotctl show | tail -n +2
		iotctl show 02:00:00:00:00:0c | head -n 1
		iotctl -j status | jq -c "{devices, default}"
		iotctl status > /dev/null
		iotctl -j show --unknown
		iotctl save | grep -v "^#"'
	[[ -z $stderr ]]
	[[ ${lines[0]} == "02:00:00:00:00:0c  deny    mine  "* ]]
	[[ ${lines[1]} == "02:00:00:00:00:0c  deny   mine" ]]
	[[ ${lines[2]} == '{"devices":1,"default":"allow"}' ]]
	[[ ${lines[3]} == "[]" ]]
	[[ $output == *"deny 02:00:00:00:00:0c name mine"* ]]
	unchanged
}

@test "(c) root of a user ns that owns its netns: subscribes to the monitor" {
	# SIGINT ends a subscribed monitor with status 0; a refused one has
	# already exited 1
	run -0 --separate-stderr cell_c '
		iotctl default deny > /dev/null
		exec timeout --preserve-status -s INT 5 iotctl monitor'
	[[ -z $stderr ]]
	unchanged
}

@test "(c) what a user ns does in its own netns is not seen in the router's" {
	run -0 cell_c '
		iotctl deny 02:00:00:00:00:0c name mine > /dev/null
		iotctl deny 02:00:00:00:00:77 > /dev/null
		iotctl wan add ppp7 > /dev/null
		iotctl default deny > /dev/null
		iotctl -j status'
	[[ $(jq -c '{devices, default}' <<< "$output") == '{"devices":2,"default":"deny"}' ]]
	# the router keeps its own label for the same MAC, its WAN and default
	run -0 devices "$ROUTER"
	[[ $output == "02:00:00:00:00:0c deny dvr-front"$'\n'"02:00:00:00:00:1a allow laptop" ]]
	[[ $(ip netns exec "$ROUTER" iotctl default) == allow ]]
	[[ $(ip netns exec "$ROUTER" iotctl wan show) == "wan0  absent" ]]
	unchanged
}
