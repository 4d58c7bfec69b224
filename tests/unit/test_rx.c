/* The receive engine, driven the way a driver drives it: a descriptor ring
 * and buffers in guest memory, frames from the wire through e1k_rx_frame,
 * results checked in guest memory byte for byte and in the statistics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dev.h"
#include "harness.h"
#include "rng.h"

/* Receive descriptor status / error bits (SDM 3.2.3.1, 3.2.3.2). */
#define DD 0x01
#define EOP 0x02
#define IXSM 0x04
#define VP 0x08
#define TCPCS 0x20
#define IPCS 0x40
#define PIF 0x80
#define E_CE 0x01
#define E_TCPE 0x20
#define E_IPE 0x40
#define E_RXE 0x80

#define IPOFLD (1u << 8)
#define TUOFLD (1u << 9)

/* Each buffer gets 16 KB (the largest BSIZE) plus a guard tail; the whole
 * area starts filled with GUARD so untouched bytes can be recognised. */
#define STRIDE (16384u + 256u)
#define GUARD 0xA5

static const uint8_t our_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t peer[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t bcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
static const uint8_t fc_mcast[6] = {0x01, 0x80, 0xC2, 0x00, 0x00, 0x01};

struct rxt {
    struct th *h;
    struct e1k_dev *d;
    uint64_t ring, bufs;
    uint32_t n;
};

static uint32_t peek(struct rxt *t, uint32_t off)
{
    return e1k_reg_peek(t->d, off);
}
static uint64_t peek64(struct rxt *t, uint32_t lo)
{
    return (uint64_t)peek(t, lo) | (uint64_t)peek(t, lo + 4) << 32;
}

/* A driver's bring-up: link up, an n-descriptor ring with n-1 descriptors
 * given to the device, receiver enabled with `rctl`. */
static struct rxt setup(uint32_t n, uint32_t rctl)
{
    struct rxt t;
    t.h = th_new(1);
    t.d = t.h->d;
    t.n = n;
    assert_true(th_link_up(t.h) & E1K_STATUS_LU);
    t.ring = th_rx_ring(t.h, n, STRIDE, &t.bufs);
    assert_true(t.ring != UINT64_MAX);
    memset(th_mem(t.h, t.bufs, (size_t)n * STRIDE), GUARD, (size_t)n * STRIDE);
    th_wr(t.h, E1K_REG_RDT, n - 1);
    th_wr(t.h, E1K_REG_VET, 0x8100);
    th_wr(t.h, E1K_REG_RCTL, rctl | E1K_RCTL_EN);
    th_rd(t.h, E1K_REG_ICR);
    return t;
}

static void teardown(struct rxt *t)
{
    th_free(t->h);
}

struct rdesc {
    uint64_t addr;
    uint16_t len, csum;
    uint8_t status, errors;
    uint16_t special;
};

static struct rdesc desc(struct rxt *t, uint32_t i)
{
    const uint8_t *p = th_mem(t->h, t->ring + 16 * i, 16);
    struct rdesc r = {0};
    for (int k = 7; k >= 0; k--)
        r.addr = r.addr << 8 | p[k];
    r.len = (uint16_t)(p[8] | p[9] << 8);
    r.csum = (uint16_t)(p[10] | p[11] << 8);
    r.status = p[12];
    r.errors = p[13];
    r.special = (uint16_t)(p[14] | p[15] << 8);
    return r;
}

static uint8_t *buf(struct rxt *t, uint32_t i)
{
    return th_mem(t->h, t->bufs + (uint64_t)i * STRIDE, STRIDE);
}

static enum e1k_rx_result rx(struct rxt *t, const uint8_t *f, size_t len)
{
    enum e1k_rx_result r = e1k_rx_frame(t->d, f, len);
    th_settle(t->h);
    return r;
}

/* ---- frames ---- */

static size_t add_fcs(uint8_t *f, size_t len)
{
    uint32_t c = e1k_crc32(f, len);
    for (int i = 0; i < 4; i++)
        f[len + i] = (uint8_t)(c >> (8 * i));
    return len + 4;
}

/* DA, SA = peer, type, pattern payload up to `len` bytes; FCS appended.
 * Returns the length with FCS. */
static size_t mkframe(uint8_t *f, const uint8_t *da, uint16_t type, size_t len, uint8_t seed)
{
    memcpy(f, da, 6);
    memcpy(f + 6, peer, 6);
    f[12] = (uint8_t)(type >> 8);
    f[13] = (uint8_t)type;
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(seed + i * 7);
    return add_fcs(f, len);
}

/* A tagged frame: DA, SA, 8100, TCI, type 0800, payload. */
static size_t mktagged(uint8_t *f, const uint8_t *da, uint16_t tci, size_t len)
{
    mkframe(f, da, 0x8100, len, 3);
    f[14] = (uint8_t)(tci >> 8);
    f[15] = (uint8_t)tci;
    f[16] = 0x08;
    f[17] = 0x00;
    return add_fcs(f, len);
}

/* RFC 1071, written out independently of the model. */
static uint16_t inet_csum(const uint8_t *p, size_t n, uint32_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xFFFF) + (s >> 16);
    return (uint16_t)~s;
}

/* Ethernet + IPv4 + TCP (proto 6) or UDP (17) with `pay` payload bytes and
 * correct checksums. Returns the length with FCS (padded to 64). */
static size_t mkipv4(uint8_t *f, unsigned proto, size_t pay, uint16_t frag)
{
    memset(f, 0, 2048);
    memcpy(f, our_mac, 6);
    memcpy(f + 6, peer, 6);
    f[12] = 0x08;
    uint8_t *ip = f + 14;
    size_t l4 = proto == 6 ? 20 : 8;
    size_t tot = 20 + l4 + pay;
    ip[0] = 0x45;
    ip[2] = (uint8_t)(tot >> 8);
    ip[3] = (uint8_t)tot;
    ip[4] = 0x12;
    ip[6] = (uint8_t)(frag >> 8);
    ip[7] = (uint8_t)frag;
    ip[8] = 64;
    ip[9] = (uint8_t)proto;
    memcpy(ip + 12, (uint8_t[]){10, 0, 0, 1, 10, 0, 0, 2}, 8);
    uint16_t c = inet_csum(ip, 20, 0);
    ip[10] = (uint8_t)(c >> 8);
    ip[11] = (uint8_t)c;
    uint8_t *th = ip + 20;
    th[0] = 0x30;
    th[1] = 0x39;
    th[2] = 0x00;
    th[3] = 0x50;
    if (proto == 6) {
        th[12] = 0x50;
        th[13] = 0x18;
    } else {
        th[4] = (uint8_t)((l4 + pay) >> 8);
        th[5] = (uint8_t)(l4 + pay);
    }
    for (size_t i = 0; i < pay; i++)
        th[l4 + i] = (uint8_t)(i * 13 + 1);
    uint32_t ps = 0x0A00 + 0x0001 + 0x0A00 + 0x0002 + proto + (uint32_t)(l4 + pay);
    c = inet_csum(th, l4 + pay, ps);
    size_t co = proto == 6 ? 16 : 6;
    th[co] = (uint8_t)(c >> 8);
    th[co + 1] = (uint8_t)c;
    size_t len = 14 + tot;
    return add_fcs(f, len < 60 ? 60 : len);
}

/* Ethernet + IPv6 (+ optional hop-by-hop header) + TCP, correct checksum. */
static size_t mkipv6_tcp(uint8_t *f, size_t pay, int hbh)
{
    memset(f, 0, 2048);
    memcpy(f, our_mac, 6);
    memcpy(f + 6, peer, 6);
    f[12] = 0x86;
    f[13] = 0xDD;
    uint8_t *ip = f + 14;
    size_t ext = hbh ? 8 : 0, seg = 20 + pay, plen = ext + seg;
    ip[0] = 0x60;
    ip[4] = (uint8_t)(plen >> 8);
    ip[5] = (uint8_t)plen;
    ip[6] = hbh ? 0 : 6;
    ip[7] = 64;
    for (int i = 0; i < 16; i++) {
        ip[8 + i] = (uint8_t)(0x20 + i);
        ip[24 + i] = (uint8_t)(0x40 + i);
    }
    if (hbh) {
        ip[40] = 6; /* next: TCP; length 0 = 8 bytes; PadN option */
        ip[42] = 1;
        ip[43] = 4;
    }
    uint8_t *th = ip + 40 + ext;
    th[1] = 80;
    th[3] = 99;
    th[12] = 0x50;
    for (size_t i = 0; i < pay; i++)
        th[20 + i] = (uint8_t)(i ^ 0x5A);
    uint32_t ps = 0;
    for (int i = 0; i < 32; i += 2)
        ps += (uint32_t)(ip[8 + i] << 8 | ip[9 + i]);
    ps += (uint32_t)seg + 6;
    uint16_t c = inet_csum(th, seg, ps);
    th[16] = (uint8_t)(c >> 8);
    th[17] = (uint8_t)c;
    size_t len = 14 + 40 + plen;
    return add_fcs(f, len < 60 ? 60 : len);
}

/* ---- tests ---- */

static void test_rx_basic_unicast(void **state)
{
    struct rxt t = setup(8, E1K_RCTL_BAM);
    uint8_t f[256];
    size_t n = mkframe(f, our_mac, 0x0800, 96, 1);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    struct rdesc r = desc(&t, 0);
    assert_int_equal(r.len, n); /* FCS kept and counted (3.2.3) */
    assert_int_equal(r.status, DD | EOP | IXSM);
    assert_int_equal(r.errors, 0);
    assert_int_equal(r.special, 0);
    assert_memory_equal(buf(&t, 0), f, n);
    assert_int_equal(buf(&t, 0)[n], GUARD);
    assert_int_equal(peek(&t, E1K_REG_RDH), 1);
    assert_int_equal(peek(&t, E1K_REG_GPRC), 1);
    assert_int_equal(peek64(&t, E1K_REG_GORCL), n);
    assert_int_equal(peek(&t, E1K_REG_TPR), 1);
    assert_int_equal(peek64(&t, E1K_REG_TORL), n);
    assert_int_equal(peek(&t, E1K_REG_PRC127), 1);
    assert_int_equal(peek(&t, E1K_REG_BPRC) + peek(&t, E1K_REG_MPRC), 0);
    assert_true(peek(&t, E1K_REG_ICR) & E1K_ICR_RXT0);
    assert_int_equal(e1k_rx_fifo_level(t.d), 0);
    assert_int_equal(t.h->anomalies, 0);
    /* a 64-byte frame lands in PRC64 */
    n = mkframe(f, our_mac, 0x0800, 60, 2);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(peek(&t, E1K_REG_PRC64), 1);
    assert_memory_equal(buf(&t, 1), f, n);
    teardown(&t);
}

static void test_rx_disabled_and_link_down(void **state)
{
    struct rxt t = setup(8, 0);
    uint8_t f[128];
    size_t n = mkframe(f, our_mac, 0x0800, 80, 1);
    th_wr(t.h, E1K_REG_RCTL, 0);
    assert_int_equal(rx(&t, f, n), E1K_RX_DROPPED);
    assert_int_equal(peek(&t, E1K_REG_TPR), 0);
    th_wr(t.h, E1K_REG_RCTL, E1K_RCTL_EN);
    e1k_set_cable(t.d, 0);
    th_settle(t.h);
    assert_false(peek(&t, E1K_REG_STATUS) & E1K_STATUS_LU);
    assert_int_equal(rx(&t, f, n), E1K_RX_DROPPED);
    assert_int_equal(peek(&t, E1K_REG_TPR), 0);
    assert_int_equal(peek(&t, E1K_REG_RDH), 0);
    teardown(&t);
}

static void test_rx_filter_exact_and_promiscuous(void **state)
{
    struct rxt t = setup(8, 0);
    uint8_t f[128];
    const uint8_t other[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    size_t n = mkframe(f, other, 0x0800, 80, 1);
    assert_int_equal(rx(&t, f, n), E1K_RX_FILTERED);
    assert_int_equal(peek(&t, E1K_REG_GPRC), 0);
    assert_int_equal(peek(&t, E1K_REG_TPR), 1); /* TPR counts every frame */
    assert_int_equal(peek(&t, E1K_REG_RDH), 0);
    /* a second receive address, RAL/RAH[3]: without AV it does not match */
    th_wr(t.h, E1K_REG_RAL + 24, 0x33221102);
    th_wr(t.h, E1K_REG_RAH + 24, 0x00005544);
    assert_int_equal(rx(&t, f, n), E1K_RX_FILTERED);
    th_wr(t.h, E1K_REG_RAH + 24, 0x00005544 | E1K_RAH_AV);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(desc(&t, 0).status, DD | EOP | IXSM); /* exact: no PIF */
    th_wr(t.h, E1K_REG_RAH + 24, 0);
    /* RAH.AS = 01b compares the source address */
    th_wr(t.h, E1K_REG_RAL + 16, 0x00000002);
    th_wr(t.h, E1K_REG_RAH + 16, 0x0100 | (1u << E1K_RAH_AS_SHIFT) | E1K_RAH_AV);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    th_wr(t.h, E1K_REG_RAH + 16, 0);
    /* RAL0 loses AV: our own address no longer matches */
    uint32_t rah0 = peek(&t, E1K_REG_RAH);
    th_wr(t.h, E1K_REG_RAH, rah0 & ~E1K_RAH_AV);
    n = mkframe(f, our_mac, 0x0800, 80, 2);
    assert_int_equal(rx(&t, f, n), E1K_RX_FILTERED);
    th_wr(t.h, E1K_REG_RAH, rah0);
    /* UPE takes any unicast, not multicasts */
    th_wr(t.h, E1K_REG_RCTL, E1K_RCTL_EN | E1K_RCTL_UPE);
    n = mkframe(f, other, 0x0800, 80, 3);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(desc(&t, 2).status, DD | EOP | IXSM);
    assert_memory_equal(buf(&t, 2), f, n);
    const uint8_t mc[6] = {0x01, 0x00, 0x5E, 0x01, 0x02, 0x03};
    n = mkframe(f, mc, 0x0800, 80, 4);
    assert_int_equal(rx(&t, f, n), E1K_RX_FILTERED);
    assert_int_equal(peek(&t, E1K_REG_GPRC), 3);
    assert_int_equal(peek(&t, E1K_REG_TPR), 7);
    teardown(&t);
}

/* The hash as SDM 13.5.1 defines it, from the address taken as a 48-bit
 * number whose bits 7:0 are the first byte on the wire. */
static unsigned hash_for(const uint8_t *a, unsigned mo)
{
    uint64_t v = 0;
    for (int i = 5; i >= 0; i--)
        v = v << 8 | a[i];
    static const unsigned low_bit[4] = {36, 35, 34, 32};
    return (unsigned)(v >> low_bit[mo]) & 0xFFF;
}

static void test_rx_filter_multicast_hash(void **state)
{
    /* SDM's example: xx:xx:xx:xx:9x:BC with MO 00 selects row 94, bit 9 */
    const uint8_t ex[6] = {0x01, 0, 0, 0, 0x95, 0xBC};
    assert_int_equal(hash_for(ex, 0) >> 5, 94);
    assert_int_equal(hash_for(ex, 0) & 31, 9);
    const uint8_t mc[6] = {0x01, 0x00, 0x5E, 0x7F, 0xA6, 0xC3};
    for (unsigned mo = 0; mo < 4; mo++) {
        struct rxt t = setup(8, mo << E1K_RCTL_MO_SHIFT);
        uint8_t f[128];
        size_t n = mkframe(f, mc, 0x0800, 80, (uint8_t)mo);
        assert_int_equal(rx(&t, f, n), E1K_RX_FILTERED);
        /* the bits the other offsets would select do not admit it */
        for (unsigned o = 0; o < 4; o++) {
            unsigned h = hash_for(mc, o);
            if (h != hash_for(mc, mo))
                th_wr(t.h, E1K_REG_MTA + 4 * (h >> 5), 1u << (h & 31));
        }
        assert_int_equal(rx(&t, f, n), E1K_RX_FILTERED);
        unsigned h = hash_for(mc, mo);
        th_wr(t.h, E1K_REG_MTA + 4 * (h >> 5),
              th_rd(t.h, E1K_REG_MTA + 4 * (h >> 5)) | 1u << (h & 31));
        assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
        assert_int_equal(desc(&t, 0).status, DD | EOP | IXSM | PIF);
        assert_memory_equal(buf(&t, 0), f, n);
        assert_int_equal(peek(&t, E1K_REG_MPRC), 1);
        /* MPE takes every multicast, and the frame is then not inexact */
        for (unsigned k = 0; k < 128; k++)
            th_wr(t.h, E1K_REG_MTA + 4 * k, 0);
        th_wr(t.h, E1K_REG_RCTL, E1K_RCTL_EN | (mo << E1K_RCTL_MO_SHIFT) | E1K_RCTL_MPE);
        assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
        assert_int_equal(desc(&t, 1).status, DD | EOP | IXSM);
        assert_int_equal(peek(&t, E1K_REG_MPRC), 2);
        teardown(&t);
    }
}

static void test_rx_filter_broadcast(void **state)
{
    struct rxt t = setup(8, 0);
    uint8_t f[128];
    size_t n = mkframe(f, bcast, 0x0806, 60, 1);
    assert_int_equal(rx(&t, f, n), E1K_RX_FILTERED);
    th_wr(t.h, E1K_REG_RCTL, E1K_RCTL_EN | E1K_RCTL_BAM);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(desc(&t, 0).status, DD | EOP | IXSM);
    assert_int_equal(peek(&t, E1K_REG_BPRC), 1);
    assert_int_equal(peek(&t, E1K_REG_MPRC), 0);
    /* without BAM the broadcast address is still a group address for MPE */
    th_wr(t.h, E1K_REG_RCTL, E1K_RCTL_EN | E1K_RCTL_MPE);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(peek(&t, E1K_REG_BPRC), 2);
    teardown(&t);
}

static void test_rx_vlan_filter_and_cfi(void **state)
{
    struct rxt t = setup(8, E1K_RCTL_VFE);
    uint8_t f[128];
    th_wr(t.h, E1K_REG_VFTA + 4 * (5 >> 5), 1u << 5);
    th_wr(t.h, E1K_REG_VFTA + 4 * (1000 >> 5), 1u << (1000 & 31));
    size_t n = mktagged(f, our_mac, 0x2005, 80); /* priority 1, VID 5 */
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    /* VME clear: the tag stays in the buffer, VP clear (table 9-3) */
    assert_int_equal(desc(&t, 0).status, DD | EOP | IXSM);
    assert_int_equal(desc(&t, 0).len, n);
    assert_memory_equal(buf(&t, 0), f, n);
    n = mktagged(f, our_mac, 0x0006, 80);
    assert_int_equal(rx(&t, f, n), E1K_RX_FILTERED);
    n = mktagged(f, our_mac, 1000, 80);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    n = mkframe(f, our_mac, 0x0800, 80, 1); /* untagged: VFTA not consulted */
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    /* another VET: 8100 is then no tag at all */
    th_wr(t.h, E1K_REG_VET, 0x88A8);
    n = mktagged(f, our_mac, 0x0006, 80);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    th_wr(t.h, E1K_REG_VET, 0x8100);
    /* CFIEN: only frames whose CFI equals RCTL.CFI */
    th_wr(t.h, E1K_REG_RCTL, E1K_RCTL_EN | E1K_RCTL_VFE | E1K_RCTL_CFIEN);
    n = mktagged(f, our_mac, 0x1005, 80); /* CFI 1 */
    assert_int_equal(rx(&t, f, n), E1K_RX_FILTERED);
    n = mktagged(f, our_mac, 0x0005, 80);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    th_wr(t.h, E1K_REG_RCTL, E1K_RCTL_EN | E1K_RCTL_VFE | E1K_RCTL_CFIEN | E1K_RCTL_CFI);
    assert_int_equal(rx(&t, f, n), E1K_RX_FILTERED);
    n = mktagged(f, our_mac, 0x1005, 80);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(peek(&t, E1K_REG_GPRC), 6);
    teardown(&t);
}

static void test_rx_vlan_strip_vme(void **state)
{
    struct rxt t = setup(8, 0);
    th_wr(t.h, E1K_REG_CTRL, th_rd(t.h, E1K_REG_CTRL) | E1K_CTRL_VME);
    uint8_t f[256], want[256];
    size_t n = mktagged(f, our_mac, 0xB123, 120);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    memcpy(want, f, 12);
    memcpy(want + 12, f + 16, n - 16);
    struct rdesc r = desc(&t, 0);
    assert_int_equal(r.len, n - 4);
    assert_int_equal(r.status, DD | EOP | IXSM | VP);
    assert_int_equal(r.special, 0xB123);
    assert_memory_equal(buf(&t, 0), want, n - 4);
    assert_int_equal(buf(&t, 0)[n - 4], GUARD);
    assert_int_equal(peek64(&t, E1K_REG_GORCL), n); /* wire octets, tag included */
    /* with SECRC too */
    th_wr(t.h, E1K_REG_RCTL, E1K_RCTL_EN | E1K_RCTL_SECRC);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(desc(&t, 1).len, n - 8);
    assert_memory_equal(buf(&t, 1), want, n - 8);
    assert_int_equal(buf(&t, 1)[n - 8], GUARD);
    /* untagged frames are untouched by VME */
    n = mkframe(f, our_mac, 0x0800, 100, 9);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(desc(&t, 2).status, DD | EOP | IXSM);
    assert_int_equal(desc(&t, 2).special, 0);
    teardown(&t);
}

static void test_rx_secrc(void **state)
{
    struct rxt t = setup(8, E1K_RCTL_SECRC);
    uint8_t f[256];
    size_t n = mkframe(f, our_mac, 0x0800, 200, 5);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(desc(&t, 0).len, n - 4);
    assert_memory_equal(buf(&t, 0), f, n - 4);
    for (size_t i = n - 4; i < n + 8; i++)
        assert_int_equal(buf(&t, 0)[i], GUARD);
    assert_int_equal(peek64(&t, E1K_REG_GORCL), n); /* counted with FCS (13.7.31) */
    teardown(&t);
}

static void test_rx_every_bsize_multi_descriptor(void **state)
{
    static const struct {
        uint32_t size, bsize, bsex;
    } cfg[] = {
        {2048, 0, 0},  {1024, 1, 0}, {512, 2, 0},  {256, 3, 0},
        {16384, 1, 1}, {8192, 2, 1}, {4096, 3, 1},
    };
    static uint8_t f[16384 + 16], got[16384 + 16];
    for (size_t c = 0; c < sizeof(cfg) / sizeof(cfg[0]); c++) {
        uint32_t bs = cfg[c].size;
        struct rxt t = setup(16, E1K_RCTL_LPE | (cfg[c].bsize << E1K_RCTL_BSIZE_SHIFT) |
                                     (cfg[c].bsex ? E1K_RCTL_BSEX : 0));
        size_t n = 2 * bs + bs / 2 + 3;
        if (n > 16384)
            n = 16384;
        n = mkframe(f, our_mac, 0x0800, n - 4, (uint8_t)c);
        assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
        uint32_t nd = (uint32_t)((n + bs - 1) / bs);
        size_t off = 0;
        for (uint32_t i = 0; i < nd; i++) {
            struct rdesc r = desc(&t, i);
            size_t want = n - off < bs ? n - off : bs;
            if (r.len != want)
                fail_msg("bsize %u desc %u: length %u, want %zu", bs, i, r.len, want);
            assert_int_equal(r.status & (DD | EOP), i + 1 == nd ? DD | EOP : DD);
            memcpy(got + off, buf(&t, i), want);
            if (want < STRIDE)
                assert_int_equal(buf(&t, i)[want], GUARD);
            off += want;
        }
        assert_int_equal(off, n);
        assert_memory_equal(got, f, n);
        assert_int_equal(desc(&t, nd).status, 0);
        assert_int_equal(peek(&t, E1K_REG_RDH), nd);
        assert_int_equal(peek(&t, E1K_REG_GPRC), 1);
        assert_int_equal(peek(&t, n >= 1024 ? E1K_REG_PRC1522 : E1K_REG_PRC1023), 1);
        assert_int_equal(t.h->anomalies, 0);
        teardown(&t);
    }
}

static void test_rx_ring_wraps(void **state)
{
    struct rxt t = setup(8, 0);
    uint8_t f[256];
    for (unsigned i = 0; i < 21; i++) {
        size_t n = mkframe(f, our_mac, 0x0800, 60 + i, (uint8_t)i);
        assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
        uint32_t slot = i % 8;
        assert_int_equal(desc(&t, slot).len, n);
        assert_memory_equal(buf(&t, slot), f, n);
        /* the driver recycles the descriptor */
        memset(th_mem(t.h, t.ring + 16 * slot + 8, 8), 0, 8);
        th_wr(t.h, E1K_REG_RDT, slot);
    }
    assert_int_equal(peek(&t, E1K_REG_RDH), 21 % 8);
    assert_int_equal(peek(&t, E1K_REG_RNBC), 0);
    teardown(&t);
}

static void test_rx_long_frames_lpe(void **state)
{
    struct rxt t = setup(8, 0);
    static uint8_t f[4096];
    size_t n = mkframe(f, our_mac, 0x0800, 1518, 1); /* 1522 with FCS: legal */
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(peek(&t, E1K_REG_PRC1522), 1);
    n = mkframe(f, our_mac, 0x0800, 1519, 1);
    assert_int_equal(rx(&t, f, n), E1K_RX_DROPPED);
    assert_int_equal(peek(&t, E1K_REG_ROC), 1);
    assert_int_equal(peek(&t, E1K_REG_RLEC), 1);
    assert_int_equal(peek(&t, E1K_REG_GPRC), 1);
    th_wr(t.h, E1K_REG_RCTL, E1K_RCTL_EN | E1K_RCTL_LPE);
    n = mkframe(f, our_mac, 0x0800, 2000, 2);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(desc(&t, 1).len, 2004);
    assert_int_equal(peek(&t, E1K_REG_GPRC), 2);
    assert_int_equal(peek(&t, E1K_REG_ROC), 1);
    teardown(&t);
}

static void test_rx_crc_errors_and_sbp(void **state)
{
    struct rxt t = setup(8, 0);
    uint8_t f[256];
    size_t n = mkframe(f, our_mac, 0x0800, 100, 1);
    f[20] ^= 0x40;
    assert_int_equal(rx(&t, f, n), E1K_RX_DROPPED);
    assert_int_equal(peek(&t, E1K_REG_CRCERRS), 1);
    assert_int_equal(peek(&t, E1K_REG_RXERRC), 0);
    assert_int_equal(peek(&t, E1K_REG_GPRC), 0);
    assert_int_equal(peek(&t, E1K_REG_TPR), 1);
    assert_int_equal(peek(&t, E1K_REG_RDH), 0);
    /* a bad frame for someone else is not counted (filters come first) */
    const uint8_t other[6] = {0x02, 9, 9, 9, 9, 9};
    size_t m = mkframe(f + 128, other, 0x0800, 100, 1);
    f[128 + 20] ^= 1;
    assert_int_equal(rx(&t, f + 128, m), E1K_RX_FILTERED);
    assert_int_equal(peek(&t, E1K_REG_CRCERRS), 1);
    /* SBP stores it, flagged CE */
    th_wr(t.h, E1K_REG_RCTL, E1K_RCTL_EN | E1K_RCTL_SBP);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(desc(&t, 0).errors, E_CE);
    assert_int_equal(desc(&t, 0).status, DD | EOP | IXSM);
    assert_memory_equal(buf(&t, 0), f, n);
    assert_int_equal(peek(&t, E1K_REG_CRCERRS), 2);
    assert_int_equal(peek(&t, E1K_REG_GPRC), 0);
    teardown(&t);
}

static void test_rx_runts_and_oversize_counters(void **state)
{
    struct rxt t = setup(8, 0);
    static uint8_t f[4096];
    size_t n = mkframe(f, our_mac, 0x0800, 56, 1); /* 60 bytes: undersize */
    assert_int_equal(rx(&t, f, n), E1K_RX_DROPPED);
    assert_int_equal(peek(&t, E1K_REG_RUC), 1);
    f[30] ^= 1;
    assert_int_equal(rx(&t, f, n), E1K_RX_DROPPED);
    assert_int_equal(peek(&t, E1K_REG_RFC), 1);
    assert_int_equal(peek(&t, E1K_REG_CRCERRS), 0); /* < 64 bytes: not a CRC error count */
    n = mkframe(f, our_mac, 0x0800, 1600, 1);
    f[40] ^= 1;
    assert_int_equal(rx(&t, f, n), E1K_RX_DROPPED);
    assert_int_equal(peek(&t, E1K_REG_RJC), 1);
    assert_int_equal(peek(&t, E1K_REG_CRCERRS), 1);
    assert_int_equal(peek(&t, E1K_REG_RLEC), 3);
    assert_int_equal(peek(&t, E1K_REG_ROC), 0);
    /* frames too short for an Ethernet header are not even counted */
    assert_int_equal(rx(&t, f, 13), E1K_RX_DROPPED);
    assert_int_equal(peek(&t, E1K_REG_TPR), 3);
    /* SBP keeps a runt */
    th_wr(t.h, E1K_REG_RCTL, E1K_RCTL_EN | E1K_RCTL_SBP);
    n = mkframe(f, our_mac, 0x0800, 40, 2);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(desc(&t, 0).len, n);
    assert_int_equal(desc(&t, 0).errors, 0);
    assert_memory_equal(buf(&t, 0), f, n);
    assert_int_equal(peek(&t, E1K_REG_RUC), 2);
    assert_int_equal(peek(&t, E1K_REG_GPRC), 0);
    teardown(&t);
}

static void test_rx_checksum_offload(void **state)
{
    struct rxt t = setup(16, 0);
    th_wr(t.h, E1K_REG_RXCSUM, IPOFLD | TUOFLD);
    static uint8_t f[2048];
    uint32_t slot = 0;
    struct {
        unsigned proto;
        size_t pay;
        int corrupt; /* 0 none, 1 IP header, 2 L4 */
        uint16_t frag;
        uint8_t status, errors;
    } cases[] = {
        {6, 100, 0, 0x4000, DD | EOP | IPCS | TCPCS, 0},
        {17, 33, 0, 0, DD | EOP | IPCS | TCPCS, 0},
        {6, 0, 0, 0, DD | EOP | IPCS | TCPCS, 0},
        {6, 100, 1, 0, DD | EOP | IPCS | TCPCS, E_IPE},
        {6, 100, 2, 0, DD | EOP | IPCS | TCPCS, E_TCPE},
        {17, 200, 2, 0, DD | EOP | IPCS | TCPCS, E_TCPE},
        {17, 64, 0, 0x2000, DD | EOP | IPCS, 0}, /* a fragment: no L4 (table 3-5) */
        {1, 64, 0, 0, DD | EOP | IPCS, 0},       /* ICMP: IP only */
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        size_t n = mkipv4(f, cases[c].proto, cases[c].pay, cases[c].frag);
        if (cases[c].corrupt == 1)
            f[14 + 8] ^= 0x01; /* TTL */
        if (cases[c].corrupt == 2)
            f[14 + 20 + (cases[c].proto == 6 ? 20 : 8)] ^= 0x80;
        if (cases[c].corrupt)
            add_fcs(f, n - 4);
        assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
        struct rdesc r = desc(&t, slot++);
        if (r.status != cases[c].status || r.errors != cases[c].errors)
            fail_msg("case %zu: status %02x errors %02x, want %02x %02x", c, r.status, r.errors,
                     cases[c].status, cases[c].errors);
        assert_memory_equal(buf(&t, slot - 1), f, n);
    }
    /* UDP without checksum (0) over IPv4 is valid */
    size_t n = mkipv4(f, 17, 20, 0);
    f[14 + 20 + 6] = f[14 + 20 + 7] = 0;
    add_fcs(f, n - 4);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(desc(&t, slot).status, DD | EOP | IPCS | TCPCS);
    assert_int_equal(desc(&t, slot++).errors, 0);
    /* IPv6 TCP, plain and after a hop-by-hop header; then corrupted */
    for (int hbh = 0; hbh < 2; hbh++) {
        n = mkipv6_tcp(f, 50, hbh);
        assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
        assert_int_equal(desc(&t, slot).status, DD | EOP | TCPCS);
        assert_int_equal(desc(&t, slot++).errors, 0);
    }
    f[14 + 40 + 8 + 25] ^= 1;
    add_fcs(f, n - 4);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(desc(&t, slot++).errors, E_TCPE);
    /* IP only */
    th_wr(t.h, E1K_REG_RXCSUM, IPOFLD);
    n = mkipv4(f, 6, 10, 0);
    f[14 + 40] ^= 1;
    add_fcs(f, n - 4);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(desc(&t, slot).status, DD | EOP | IPCS);
    assert_int_equal(desc(&t, slot++).errors, 0);
    /* nothing enabled, or not IP: ignore-checksum indication */
    th_wr(t.h, E1K_REG_RXCSUM, 0);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(desc(&t, slot++).status, DD | EOP | IXSM);
    th_wr(t.h, E1K_REG_RXCSUM, IPOFLD | TUOFLD);
    n = mkframe(f, our_mac, 0x0806, 60, 1);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(desc(&t, slot++).status, DD | EOP | IXSM);
    teardown(&t);
}

static void test_rx_checksum_offload_vlan_tagged(void **state)
{
    struct rxt t = setup(8, 0);
    th_wr(t.h, E1K_REG_RXCSUM, IPOFLD | TUOFLD);
    static uint8_t f[2048], g[2048];
    size_t n = mkipv4(f, 6, 40, 0);
    /* insert a tag after the addresses */
    memcpy(g, f, 12);
    g[12] = 0x81;
    g[13] = 0x00;
    g[14] = 0x00;
    g[15] = 0x07; /* VID 7 */
    memcpy(g + 16, f + 12, n - 4 - 12);
    size_t m = add_fcs(g, n);
    assert_int_equal(rx(&t, g, m), E1K_RX_ACCEPTED); /* tag left in place */
    assert_int_equal(desc(&t, 0).status, DD | EOP | IPCS | TCPCS);
    assert_int_equal(desc(&t, 0).errors, 0);
    th_wr(t.h, E1K_REG_CTRL, th_rd(t.h, E1K_REG_CTRL) | E1K_CTRL_VME);
    assert_int_equal(rx(&t, g, m), E1K_RX_ACCEPTED); /* tag stripped */
    assert_int_equal(desc(&t, 1).status, DD | EOP | IPCS | TCPCS | VP);
    assert_int_equal(desc(&t, 1).special, 7);
    teardown(&t);
}

static void test_rx_packet_checksum_pcss(void **state)
{
    struct rxt t = setup(8, 0);
    static uint8_t f[2048];
    size_t n = mkframe(f, our_mac, 0x0800, 301, 7); /* odd length */
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    /* default PCSS 0: DA through FCS (3.2.3) */
    assert_int_equal(desc(&t, 0).csum, inet_csum(f, n, 0));
    th_wr(t.h, E1K_REG_RXCSUM, 14);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(desc(&t, 1).csum, inet_csum(f + 14, n - 14, 0));
    th_wr(t.h, E1K_REG_RCTL, E1K_RCTL_EN | E1K_RCTL_SECRC);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(desc(&t, 2).csum, inet_csum(f + 14, n - 18, 0));
    /* in the first descriptor of a multi-descriptor frame, not the others */
    th_wr(t.h, E1K_REG_RCTL, E1K_RCTL_EN | (3u << E1K_RCTL_BSIZE_SHIFT));
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(desc(&t, 3).csum, inet_csum(f + 14, n - 14, 0));
    assert_int_equal(desc(&t, 3).status, DD);
    assert_int_equal(desc(&t, 4).csum, 0);
    assert_int_equal(desc(&t, 4).status, DD | EOP | IXSM);
    teardown(&t);
}

static size_t mkpause(uint8_t *f, const uint8_t *da, uint16_t opcode, uint16_t quanta)
{
    memset(f, 0, 64);
    mkframe(f, da, 0x8808, 60, 0);
    memset(f + 14, 0, 46);
    f[14] = (uint8_t)(opcode >> 8);
    f[15] = (uint8_t)opcode;
    f[16] = (uint8_t)(quanta >> 8);
    f[17] = (uint8_t)quanta;
    return add_fcs(f, 60);
}

static void test_rx_pause_frames(void **state)
{
    struct rxt t = setup(8, E1K_RCTL_DPF);
    th_wr(t.h, E1K_REG_FCAL, 0x00C28001);
    th_wr(t.h, E1K_REG_FCAH, 0x0100);
    th_wr(t.h, E1K_REG_FCT, 0x8808);
    th_wr(t.h, E1K_REG_CTRL, th_rd(t.h, E1K_REG_CTRL) | E1K_CTRL_RFCE);
    uint8_t f[64];
    size_t n = mkpause(f, fc_mcast, 1, 100);
    /* XOFF: the transmitter pauses at once (8.7.3) */
    assert_int_equal(e1k_rx_frame(t.d, f, n), E1K_RX_FILTERED);
    assert_true(peek(&t, E1K_REG_STATUS) & E1K_STATUS_TXOFF);
    assert_int_equal(peek(&t, E1K_REG_XOFFRXC), 1);
    /* XON resumes it */
    n = mkpause(f, fc_mcast, 1, 0);
    assert_int_equal(e1k_rx_frame(t.d, f, n), E1K_RX_FILTERED);
    assert_false(peek(&t, E1K_REG_STATUS) & E1K_STATUS_TXOFF);
    assert_int_equal(peek(&t, E1K_REG_XONRXC), 1);
    /* an XOFF to the station address; its pause time runs out */
    n = mkpause(f, our_mac, 1, 10);
    assert_int_equal(e1k_rx_frame(t.d, f, n), E1K_RX_FILTERED);
    assert_true(peek(&t, E1K_REG_STATUS) & E1K_STATUS_TXOFF);
    th_settle(t.h);
    assert_false(peek(&t, E1K_REG_STATUS) & E1K_STATUS_TXOFF);
    assert_int_equal(peek(&t, E1K_REG_XOFFRXC), 2);
    assert_int_equal(peek(&t, E1K_REG_RDH), 0); /* DPF: none reached the host */
    /* DPF clear: the PAUSE frame is DMA'd too, not a "good packet" */
    th_wr(t.h, E1K_REG_RCTL, E1K_RCTL_EN);
    n = mkpause(f, fc_mcast, 1, 0);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(desc(&t, 0).len, n);
    assert_memory_equal(buf(&t, 0), f, n);
    assert_int_equal(peek(&t, E1K_REG_XONRXC), 2);
    assert_int_equal(peek(&t, E1K_REG_GPRC), 0);
    assert_int_equal(peek(&t, E1K_REG_MPRC), 0);
    /* other MAC control opcodes: FCRUC; passed only with PMCF */
    n = mkpause(f, fc_mcast, 2, 0);
    assert_int_equal(rx(&t, f, n), E1K_RX_FILTERED);
    assert_int_equal(peek(&t, E1K_REG_FCRUC), 1);
    th_wr(t.h, E1K_REG_RCTL, E1K_RCTL_EN | E1K_RCTL_PMCF);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_memory_equal(buf(&t, 1), f, n);
    assert_int_equal(peek(&t, E1K_REG_FCRUC), 2);
    /* a PAUSE with a bad CRC is no PAUSE */
    n = mkpause(f, fc_mcast, 1, 50);
    f[20] ^= 1;
    assert_int_equal(rx(&t, f, n), E1K_RX_FILTERED);
    assert_int_equal(peek(&t, E1K_REG_XOFFRXC), 2);
    assert_false(peek(&t, E1K_REG_STATUS) & E1K_STATUS_TXOFF);
    /* RFCE clear: not recognised, an ordinary multicast frame */
    th_wr(t.h, E1K_REG_CTRL, th_rd(t.h, E1K_REG_CTRL) & ~E1K_CTRL_RFCE);
    n = mkpause(f, fc_mcast, 1, 50);
    assert_int_equal(rx(&t, f, n), E1K_RX_FILTERED);
    th_wr(t.h, E1K_REG_RCTL, E1K_RCTL_EN | E1K_RCTL_MPE);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(peek(&t, E1K_REG_XOFFRXC), 2);
    assert_int_equal(peek(&t, E1K_REG_MPRC), 1);
    assert_false(peek(&t, E1K_REG_STATUS) & E1K_STATUS_TXOFF);
    teardown(&t);
}

static void test_rx_ring_full_then_fifo_overflow(void **state)
{
    struct rxt t = setup(16, 0);
    th_wr(t.h, E1K_REG_RDT, 0); /* no descriptors for the device */
    th_wr(t.h, E1K_REG_PBA, 8); /* 8 KB receive FIFO */
    static uint8_t f[12][1024];
    size_t n[12];
    for (int i = 0; i < 8; i++) {
        n[i] = mkframe(f[i], our_mac, 0x0800, 996, (uint8_t)i);
        assert_int_equal(rx(&t, f[i], n[i]), E1K_RX_ACCEPTED);
    }
    assert_int_equal(e1k_rx_fifo_level(t.d), 8000);
    assert_int_equal(peek(&t, E1K_REG_RNBC), 8);
    assert_int_equal(desc(&t, 0).status, 0);
    assert_false(peek(&t, E1K_REG_ICR) & E1K_ICR_RXO);
    /* the ninth does not fit: missed */
    n[8] = mkframe(f[8], our_mac, 0x0800, 996, 8);
    assert_int_equal(rx(&t, f[8], n[8]), E1K_RX_DROPPED);
    assert_int_equal(peek(&t, E1K_REG_MPC), 1);
    assert_true(peek(&t, E1K_REG_ICR) & E1K_ICR_RXO);
    assert_int_equal(peek(&t, E1K_REG_RNBC), 9);
    assert_int_equal(peek(&t, E1K_REG_GPRC), 8);
    assert_int_equal(peek(&t, E1K_REG_TPR), 9);
    /* a small one still fits */
    n[9] = mkframe(f[9], our_mac, 0x0800, 100, 9);
    assert_int_equal(rx(&t, f[9], n[9]), E1K_RX_ACCEPTED);
    /* descriptors arrive: everything waiting is delivered, in order */
    th_wr(t.h, E1K_REG_RDT, 6);
    th_settle(t.h);
    assert_int_equal(peek(&t, E1K_REG_RDH), 6);
    th_wr(t.h, E1K_REG_RDT, 15);
    th_settle(t.h);
    int idx[9] = {0, 1, 2, 3, 4, 5, 6, 7, 9};
    for (int i = 0; i < 9; i++) {
        assert_int_equal(desc(&t, (uint32_t)i).len, n[idx[i]]);
        assert_memory_equal(buf(&t, (uint32_t)i), f[idx[i]], n[idx[i]]);
    }
    assert_int_equal(peek(&t, E1K_REG_RDH), 9);
    assert_int_equal(e1k_rx_fifo_level(t.d), 0);
    teardown(&t);
}

static void test_rx_frame_waits_mid_way_for_descriptors(void **state)
{
    struct rxt t = setup(8, E1K_RCTL_LPE | (3u << E1K_RCTL_BSIZE_SHIFT)); /* 256-byte buffers */
    static uint8_t f[2048], got[2048];
    th_wr(t.h, E1K_REG_RDT, 2);
    size_t n = mkframe(f, our_mac, 0x0800, 1200, 4); /* 5 descriptors */
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(peek(&t, E1K_REG_RDH), 2);
    assert_int_equal(desc(&t, 1).status, DD);
    assert_false(peek(&t, E1K_REG_ICR) & E1K_ICR_RXT0); /* no EOP yet */
    th_wr(t.h, E1K_REG_RDT, 7);
    th_settle(t.h);
    assert_int_equal(peek(&t, E1K_REG_RDH), 5);
    for (uint32_t i = 0; i < 5; i++)
        memcpy(got + 256 * i, buf(&t, i), desc(&t, i).len);
    assert_memory_equal(got, f, n);
    assert_int_equal(desc(&t, 4).status, DD | EOP | IXSM);
    assert_true(peek(&t, E1K_REG_ICR) & E1K_ICR_RXT0);
    teardown(&t);
}

static void test_rx_rxdmt0(void **state)
{
    static const unsigned at[3] = {7, 11, 13}; /* 15 free; 1/2, 1/4, 1/8 of 16 */
    for (unsigned s = 0; s < 3; s++) {
        struct rxt t = setup(16, s << E1K_RCTL_RDMTS_SHIFT);
        uint8_t f[128];
        size_t n = mkframe(f, our_mac, 0x0800, 60, 1);
        for (unsigned k = 1; k <= 14; k++) {
            assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
            int set = (peek(&t, E1K_REG_ICR) & E1K_ICR_RXDMT0) != 0;
            if (set != (k >= at[s]))
                fail_msg("RDMTS %u: after %u frames RXDMT0 %d", s, k, set);
        }
        teardown(&t);
    }
}

static void test_rx_reset_empties_fifo(void **state)
{
    struct rxt t = setup(8, 0);
    th_wr(t.h, E1K_REG_RDT, 0);
    uint8_t f[128];
    size_t n = mkframe(f, our_mac, 0x0800, 80, 1);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(e1k_rx_fifo_level(t.d), 2 * n);
    th_wr(t.h, E1K_REG_CTRL, E1K_CTRL_RST);
    th_settle(t.h);
    assert_int_equal(e1k_rx_fifo_level(t.d), 0);
    assert_int_equal(peek(&t, E1K_REG_RCTL), 0);
    teardown(&t);
}

/* The host's frame trace (e1k_host.frame_event): per accepted frame, in
 * order, DMA_DONE then WB, or DROP. The harness does not hook it; the test
 * sets the callback on the device directly. */
static int evlog[64];
static int nev;
static void ev_cb(void *ctx, int ev, uint64_t t)
{
    (void)ctx;
    (void)t;
    if (nev < 64)
        evlog[nev++] = ev;
}

static void test_rx_frame_events(void **state)
{
    struct rxt t = setup(8, 0);
    t.d->host.frame_event = ev_cb;
    nev = 0;
    uint8_t f[256];
    size_t n = mkframe(f, our_mac, 0x0800, 100, 1);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    ((uint8_t *)th_mem(t.h, t.ring + 32, 16))[6] = 0x7F; /* descriptor 2: buffer nowhere */
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    const uint8_t other[6] = {0x02, 1, 2, 3, 4, 5};
    size_t m = mkframe(f + 128, other, 0x0800, 100, 1);
    assert_int_equal(rx(&t, f + 128, m), E1K_RX_FILTERED); /* no event */
    th_wr(t.h, E1K_REG_RDT, 3);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED); /* both wait */
    th_wr(t.h, E1K_REG_CTRL, E1K_CTRL_RST);
    th_settle(t.h);
    const int want[] = {E1K_EV_RX_DMA_DONE, E1K_EV_RX_WB,   E1K_EV_RX_DMA_DONE, E1K_EV_RX_WB,
                        E1K_EV_RX_DROP,     E1K_EV_RX_DROP, E1K_EV_RX_DROP};
    assert_int_equal(nev, 7);
    assert_memory_equal(evlog, want, sizeof(want));
    teardown(&t);
}

/* ---- hostile guests ---- */

static void test_rx_hostile_buffer_outside_memory(void **state)
{
    struct rxt t = setup(8, 0);
    uint8_t *d0 = th_mem(t.h, t.ring, 16);
    d0[5] = 0x40; /* buffer address far beyond guest memory */
    uint8_t f[256];
    size_t n = mkframe(f, our_mac, 0x0800, 200, 1);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(e1k_anomaly_count(t.d, E1K_ANOM_DMA), 1);
    struct rdesc r = desc(&t, 0);
    assert_int_equal(r.status & (DD | EOP), DD | EOP);
    assert_int_equal(r.errors & E_RXE, E_RXE);
    assert_int_equal(r.len, 0);
    /* the ring goes on */
    n = mkframe(f, our_mac, 0x0800, 200, 2);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(desc(&t, 1).status, DD | EOP | IXSM);
    assert_memory_equal(buf(&t, 1), f, n);
    assert_int_equal(e1k_rx_fifo_level(t.d), 0);
    /* a buffer straddling the end of guest memory */
    uint64_t a = gmem_size(t.h->mem) - 100;
    uint8_t *d2 = th_mem(t.h, t.ring + 32, 16);
    for (int k = 0; k < 8; k++)
        d2[k] = (uint8_t)(a >> (8 * k));
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(e1k_anomaly_count(t.d, E1K_ANOM_DMA), 2);
    assert_int_equal(desc(&t, 2).errors & E_RXE, E_RXE);
    teardown(&t);
}

static void test_rx_hostile_ring_outside_memory(void **state)
{
    struct rxt t = setup(8, 0);
    th_wr(t.h, E1K_REG_RDBAL, 0xF0000000u);
    uint8_t f[256];
    size_t n = mkframe(f, our_mac, 0x0800, 100, 1);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(e1k_anomaly_count(t.d, E1K_ANOM_DMA), 1);
    assert_int_equal(peek(&t, E1K_REG_RDH), 0);
    /* stalled: the next frame waits without another failed fetch */
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(e1k_anomaly_count(t.d, E1K_ANOM_DMA), 1);
    assert_int_equal(e1k_rx_fifo_level(t.d), 2 * n);
    /* the driver fixes the ring and writes RDT: both arrive */
    th_wr(t.h, E1K_REG_RDBAL, (uint32_t)t.ring);
    th_wr(t.h, E1K_REG_RDT, 7);
    th_settle(t.h);
    assert_int_equal(peek(&t, E1K_REG_RDH), 2);
    assert_memory_equal(buf(&t, 1), f, n);
    assert_int_equal(e1k_rx_fifo_level(t.d), 0);
    teardown(&t);
}

static void test_rx_hostile_head_tail_beyond_ring(void **state)
{
    struct rxt t = setup(8, 0);
    th_wr(t.h, E1K_REG_RDT, 100);
    uint8_t f[256];
    size_t n = mkframe(f, our_mac, 0x0800, 100, 1);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(e1k_anomaly_count(t.d, E1K_ANOM_RING), 1);
    assert_int_equal(peek(&t, E1K_REG_RDH), 0);
    assert_int_equal(desc(&t, 0).status, 0);
    th_wr(t.h, E1K_REG_RDT, 5);
    th_settle(t.h);
    assert_int_equal(peek(&t, E1K_REG_RDH), 1);
    assert_memory_equal(buf(&t, 0), f, n);
    /* RDH beyond the ring */
    th_wr(t.h, E1K_REG_RDH, 9000);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(e1k_anomaly_count(t.d, E1K_ANOM_RING), 2);
    assert_int_equal(peek(&t, E1K_REG_RDH), 9000);
    teardown(&t);
}

static void test_rx_hostile_rdlen(void **state)
{
    struct rxt t = setup(8, 0);
    uint8_t f[256];
    size_t n = mkframe(f, our_mac, 0x0800, 100, 1);
    th_wr(t.h, E1K_REG_RDLEN, 0);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(e1k_anomaly_count(t.d, E1K_ANOM_RING), 1);
    assert_int_equal(peek(&t, E1K_REG_RDH), 0);
    /* the register keeps bits 6:0 zero; a tool may still poke them */
    e1k_reg_poke(t.d, E1K_REG_RDLEN, 0x90);
    th_wr(t.h, E1K_REG_RDT, 7);
    th_settle(t.h);
    assert_int_equal(e1k_anomaly_count(t.d, E1K_ANOM_RING), 2);
    assert_int_equal(peek(&t, E1K_REG_RDH), 0);
    e1k_reg_poke(t.d, E1K_REG_RDLEN, 128); /* bits 6:0 are not guest-writable */
    th_wr(t.h, E1K_REG_RDT, 7);
    th_settle(t.h);
    assert_int_equal(peek(&t, E1K_REG_RDH), 1);
    assert_memory_equal(buf(&t, 0), f, n);
    teardown(&t);
}

/* CVE-2012-6075 class: a frame longer than the buffers with LPE and SBP
 * clear must be dropped, and nothing may be written past a buffer. */
static void test_rx_hostile_oversized_frames(void **state)
{
    struct rxt t = setup(8, 0); /* 2048-byte buffers */
    static uint8_t f[70000];
    size_t n = mkframe(f, our_mac, 0x0800, 16000, 1);
    assert_int_equal(rx(&t, f, n), E1K_RX_DROPPED);
    assert_int_equal(peek(&t, E1K_REG_ROC), 1);
    assert_int_equal(peek(&t, E1K_REG_RDH), 0);
    const uint8_t *b = th_mem(t.h, t.bufs, (size_t)8 * STRIDE);
    for (size_t i = 0; i < (size_t)8 * STRIDE; i++)
        if (b[i] != GUARD)
            fail_msg("byte %zu of the buffer area written", i);
    /* beyond 16384 nothing is stored, even with LPE and SBP */
    th_wr(t.h, E1K_REG_RCTL, E1K_RCTL_EN | E1K_RCTL_LPE | E1K_RCTL_SBP);
    n = mkframe(f, our_mac, 0x0800, 69000, 2);
    assert_int_equal(rx(&t, f, n), E1K_RX_DROPPED);
    n = mkframe(f, our_mac, 0x0800, 16381, 2);
    assert_int_equal(rx(&t, f, n), E1K_RX_DROPPED);
    assert_int_equal(peek(&t, E1K_REG_RDH), 0);
    /* SBP without LPE stores an oversized frame across buffers, bounded */
    th_wr(t.h, E1K_REG_RCTL, E1K_RCTL_EN | E1K_RCTL_SBP);
    n = mkframe(f, our_mac, 0x0800, 2996, 3);
    assert_int_equal(rx(&t, f, n), E1K_RX_ACCEPTED);
    assert_int_equal(desc(&t, 0).len, 2048);
    assert_int_equal(desc(&t, 1).len, n - 2048);
    assert_int_equal(buf(&t, 0)[2048], GUARD);
    assert_memory_equal(buf(&t, 0), f, 2048);
    assert_memory_equal(buf(&t, 1), f + 2048, n - 2048);
    assert_int_equal(buf(&t, 1)[n - 2048], GUARD);
    teardown(&t);
}

/* Random rings, registers and frames: bounded, no sanitizer report. */
static void test_rx_hostile_random_storm(void **state)
{
    struct rxt t = setup(8, 0);
    struct rng r;
    rng_seed(&r, 0x5EED0001);
    static uint8_t f[20000];
    const uint8_t *das[3] = {our_mac, bcast, fc_mcast};
    for (int it = 0; it < 3000; it++) {
        switch (rng_below(&r, 10)) {
        case 0:
            th_wr(t.h, E1K_REG_RDT, (uint32_t)rng_below(&r, 12));
            break;
        case 1:
            th_wr(t.h, E1K_REG_RDH, (uint32_t)rng_below(&r, 12));
            break;
        case 2:
            th_wr(t.h, E1K_REG_RDLEN, (uint32_t)rng_below(&r, 4) * 128);
            break;
        case 3:
            th_wr(t.h, E1K_REG_RCTL, (uint32_t)rng_next(&r) | E1K_RCTL_EN);
            break;
        case 4:
            th_wr(t.h, E1K_REG_RDBAL, rng_below(&r, 2) ? (uint32_t)t.ring : (uint32_t)rng_next(&r));
            break;
        case 5:
            th_wr(t.h, E1K_REG_PBA, (uint32_t)rng_below(&r, 80));
            th_wr(t.h, E1K_REG_RXCSUM, (uint32_t)rng_next(&r));
            th_wr(t.h, E1K_REG_CTRL, th_rd(t.h, E1K_REG_CTRL) ^ E1K_CTRL_VME);
            break;
        default: {
            size_t len = (size_t)rng_below(&r, rng_below(&r, 4) ? 1600 : sizeof(f) - 4);
            for (size_t i = 0; i < len; i++)
                f[i] = (uint8_t)rng_next(&r);
            if (len >= 6)
                memcpy(f, das[rng_below(&r, 3)], 6);
            if (len >= 18 && rng_below(&r, 2)) {
                f[12] = rng_below(&r, 2) ? 0x81 : 0x08;
                f[13] = 0x00;
                f[16] = 0x08;
                f[17] = 0x00;
                f[18] = 0x45;
            }
            if (rng_below(&r, 4) && len >= 4)
                add_fcs(f, len - 4);
            e1k_rx_frame(t.d, f, len);
            th_settle(t.h);
        }
        }
        assert_true(e1k_rx_fifo_level(t.d) <= 64 * 1024);
    }
    teardown(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rx_basic_unicast),
        cmocka_unit_test(test_rx_disabled_and_link_down),
        cmocka_unit_test(test_rx_filter_exact_and_promiscuous),
        cmocka_unit_test(test_rx_filter_multicast_hash),
        cmocka_unit_test(test_rx_filter_broadcast),
        cmocka_unit_test(test_rx_vlan_filter_and_cfi),
        cmocka_unit_test(test_rx_vlan_strip_vme),
        cmocka_unit_test(test_rx_secrc),
        cmocka_unit_test(test_rx_every_bsize_multi_descriptor),
        cmocka_unit_test(test_rx_ring_wraps),
        cmocka_unit_test(test_rx_long_frames_lpe),
        cmocka_unit_test(test_rx_crc_errors_and_sbp),
        cmocka_unit_test(test_rx_runts_and_oversize_counters),
        cmocka_unit_test(test_rx_checksum_offload),
        cmocka_unit_test(test_rx_checksum_offload_vlan_tagged),
        cmocka_unit_test(test_rx_packet_checksum_pcss),
        cmocka_unit_test(test_rx_pause_frames),
        cmocka_unit_test(test_rx_ring_full_then_fifo_overflow),
        cmocka_unit_test(test_rx_frame_waits_mid_way_for_descriptors),
        cmocka_unit_test(test_rx_rxdmt0),
        cmocka_unit_test(test_rx_reset_empties_fifo),
        cmocka_unit_test(test_rx_frame_events),
        cmocka_unit_test(test_rx_hostile_buffer_outside_memory),
        cmocka_unit_test(test_rx_hostile_ring_outside_memory),
        cmocka_unit_test(test_rx_hostile_head_tail_beyond_ring),
        cmocka_unit_test(test_rx_hostile_rdlen),
        cmocka_unit_test(test_rx_hostile_oversized_frames),
        cmocka_unit_test(test_rx_hostile_random_storm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
