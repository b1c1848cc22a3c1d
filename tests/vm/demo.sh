#!/bin/bash
# make demo: a camera loses the WAN, nothing else changes.
#
# Runs inside the test VM (tests/vm/run --quiet -- tests/vm/demo.sh): builds
# the topology of tests/vm/lib.bash, shows the camera reaching the WAN,
# denies it with iotctl, and shows what still works.  Exits non-zero if
# anything behaves other than described.

set -euo pipefail

here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source-path=SCRIPTDIR source=lib.bash
source "$here/lib.bash"
trap cleanup EXIT

if [[ -z ${IOTVM:-} ]]; then
	echo "demo.sh runs inside the test VM: tests/vm/run --quiet -- tests/vm/demo.sh" >&2
	exit 2
fi

unexpected=0

heading() {
	printf '\n== %s ==\n\n' "$*"
}

# router# CMD: run iotctl & co. in the router as a terminal would show it.
as_router() {
	printf 'router# %s\n' "$*"
	ip netns exec "$ROUTER" "$@" 2>&1 | sed 's/^/  /'
}

# try WHO EXPECT WHAT CMD...: run CMD in WHO's namespace, say whether it
# got through, and whether that is what the demo promised.
try() {
	local who=$1 expect=$2 what=$3 ns got
	shift 3
	case $who in
	camera) ns=$CAMERA ;;
	laptop) ns=$LAPTOP ;;
	esac
	if ip netns exec "$ns" "$@" > /dev/null 2>&1; then
		got=reaches
	else
		got=blocked
	fi
	printf '%s$ %-34s # %-22s %s' "$who" "$*" "$what" "$got"
	if [[ $got != "$expect" ]]; then
		printf '   <-- UNEXPECTED, should be %s' "$expect"
		unexpected=$(( unexpected + 1 ))
	fi
	printf '\n'
}

echo "A throwaway VM is up, running Debian's kernel $(uname -r) and the"
echo "iot_egress.ko built for it. In it, a home network made of network namespaces:"
cat <<'EOF'

    camera 02:00:00:00:00:0c --+
      192.0.2.10               |
                             br-lan  router  wan0 ----- WAN host
    laptop 02:00:00:00:00:1a --+                        198.51.100.2
      192.0.2.20                                        2001:db8:2::2
EOF
topology

camera_pings() {
	echo $(( $(count "$WAN" camera_icmp4) + $(count "$WAN" camera_icmp6) ))
}

heading "The router's uplink is wan0"
as_router iotctl wan add wan0

heading "Before: every device reaches the internet"
n0=$(camera_pings)
try camera reaches "camera to WAN, IPv4" ping -c 1 -W 1 198.51.100.2
try camera reaches "camera to WAN, IPv6" ping -c 1 -W 1 2001:db8:2::2
try camera reaches "camera to WAN, TCP" nc -z -w 2 198.51.100.2 80

heading "Keep the camera off the WAN"
as_router iotctl deny 02:00:00:00:00:0c name camera

heading "After: the camera is cut off from the WAN, and only from the WAN"
n1=$(camera_pings)
try camera blocked "camera to WAN, IPv4" ping -c 1 -W 1 198.51.100.2
try camera blocked "camera to WAN, IPv6" ping -c 1 -W 1 2001:db8:2::2
try camera blocked "camera to WAN, TCP" nc -z -w 2 198.51.100.2 80
try laptop reaches "laptop to WAN, IPv4" ping -c 1 -W 1 198.51.100.2
try laptop reaches "laptop to WAN, IPv6" ping -c 1 -W 1 2001:db8:2::2
try camera reaches "camera to laptop" ping -c 1 -W 1 192.0.2.20
try camera reaches "camera to laptop, IPv6" ping -c 1 -W 1 2001:db8:1::20
try camera reaches "camera to the router" ping -c 1 -W 1 192.0.2.1

heading "What the router knows"
as_router iotctl show
echo
as_router iotctl status

heading "What the camera tried to reach"
as_router iotctl show 02:00:00:00:00:0c

n2=$(camera_pings)
echo
echo "The WAN host counted the camera's pings: $(( n1 - n0 )) of 2 before deny, $(( n2 - n1 )) of 2 after."
if (( n1 - n0 != 2 || n2 != n1 )); then
	unexpected=$(( unexpected + 1 ))
fi

if (( unexpected )); then
	echo
	echo "demo: $unexpected results were not what they should be" >&2
	exit 1
fi
