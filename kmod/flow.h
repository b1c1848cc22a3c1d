/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a packet is going: family, addresses, protocol and destination
 * port, read from an IPv4 or IPv6 packet in the forward path; what the
 * recorder keys destinations on. Only the first fragment carries the
 * ports: later ones count as port 0.
 *
 * All of it is inline: it runs in the packet path of every denied or
 * audited packet.
 */
#ifndef _IOT_FLOW_H
#define _IOT_FLOW_H

#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <net/ip.h>
#include <net/ipv6.h>

union iot_addr {
	__be32 ip;
	struct in6_addr in6;
};

struct iot_flow {
	u8 family;
	u8 proto;
	/* Host order; 0 for protocols without ports and for fragments. */
	u16 dport;
	union iot_addr src;
	union iot_addr dst;
};

static inline void iot_flow_parse(struct sk_buff *skb, u8 pf,
				  struct iot_flow *f)
{
	unsigned int thoff;
	__be16 _port, *port;
	int proto;

	memset(f, 0, sizeof(*f));
	if (pf == NFPROTO_IPV4) {
		const struct iphdr *iph = ip_hdr(skb);

		f->family = AF_INET;
		f->src.ip = iph->saddr;
		f->dst.ip = iph->daddr;
		proto = iph->protocol;
		if (ip_is_fragment(iph) && (iph->frag_off & htons(IP_OFFSET)))
			goto done;
		thoff = skb_network_offset(skb) + iph->ihl * 4;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		__be16 frag_off;
		u8 nexthdr = ip6h->nexthdr;
		int off;

		f->family = AF_INET6;
		f->src.in6 = ip6h->saddr;
		f->dst.in6 = ip6h->daddr;
		off = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
				       sizeof(*ip6h), &nexthdr, &frag_off);
		proto = nexthdr;
		if (off < 0 || (frag_off & htons(IP6_OFFSET)))
			goto done;
		thoff = off;
	}
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		/* The destination port follows the source port. */
		port = skb_header_pointer(skb, thoff + 2, sizeof(_port),
					  &_port);
		if (port)
			f->dport = ntohs(*port);
		break;
	}
done:
	f->proto = proto;
}

/* The same destination: family, protocol, port and address, any source. */
static inline bool iot_flow_same_dest(const struct iot_flow *a,
				      const struct iot_flow *b)
{
	if (a->family != b->family || a->proto != b->proto ||
	    a->dport != b->dport)
		return false;
	if (a->family == AF_INET)
		return a->dst.ip == b->dst.ip;
	return ipv6_addr_equal(&a->dst.in6, &b->dst.in6);
}

static inline u32 iot_flow_dest_hash(const struct iot_flow *f,
				     u32 initval)
{
	u32 h = jhash_3words(f->family, f->proto, f->dport, initval);

	if (f->family == AF_INET)
		return jhash_1word((__force u32)f->dst.ip, h);
	return jhash2((const u32 *)&f->dst.in6, 4, h);
}

#endif /* _IOT_FLOW_H */
