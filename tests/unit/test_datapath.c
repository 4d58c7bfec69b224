/* The whole datapath, end to end: frames go in through a transmit ring and
 * come out of a receive ring (loopback) or onto the wire, PAUSE frames are
 * generated and obeyed, the link gates both engines, and interrupts are
 * moderated. Everything is checked byte for byte, with an FCS reference
 * written here, and against simulated time on the event queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "e1k/e1k.h"
#include "e1k/e1k_bits.h"
#include "e1k/e1k_regs.h"
#include "harness.h"

/* transmit descriptor command bits (SDM 3.3.3.1) */
#define EOP 0x01
#define IFCS 0x02
#define RS 0x08
/* receive descriptor status (SDM 3.2.3.1) */
#define RX_DD 0x01
#define RX_EOP 0x02

/* PHY control register (PHY register 0, SDM 13.x PHY registers) */
#define PHY_CTRL 0
#define PHY_SPEC_STATUS 17
#define PCTRL_LOOPBACK 0x4000

#define NS 1000ull       /* ps */
#define US 1000000ull    /* ps */
#define MS 1000000000ull /* ps */

#define RX_STRIDE 2048u /* RCTL.BSIZE 00b */
#define GUARD 0xA5

static const uint8_t our_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0xAA, 0xBB, 0xCC };
static const uint8_t bcast_mac[6] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
static const uint8_t fc_mcast[6] = { 0x01, 0x80, 0xC2, 0x00, 0x00, 0x01 };

/* ------------------------------------------------------------------------ */
/* the device with both rings, as a driver sets it up */

struct dp {
    struct th *h;
    struct e1k_dev *d;
    uint64_t tring, rring, rbufs;
    uint32_t tn, rn, ttail;
};

static uint32_t peek(struct dp *p, uint32_t off) { return e1k_reg_peek(p->d, off); }
static uint64_t peek64(struct dp *p, uint32_t lo)
{
    return (uint64_t)peek(p, lo) | (uint64_t)peek(p, lo + 4) << 32;
}
static uint64_t now(struct dp *p) { return evq_now(p->h->q); }

/* Harnesses still open when a test fails (cmocka leaves the test function
 * by longjmp): the teardown frees them, so sanitizer runs stay clean. */
static struct th *open_h[4];

static struct th *th_open(const struct e1k_config *cfg)
{
    struct th *h = th_new_cfg(cfg);
    for (unsigned i = 0; i < 4; i++)
        if (!open_h[i]) {
            open_h[i] = h;
            return h;
        }
    fail_msg("too many open harnesses");
    return h;
}

static void th_close(struct th *h)
{
    for (unsigned i = 0; i < 4; i++)
        if (open_h[i] == h)
            open_h[i] = NULL;
    th_free(h);
}

static int teardown(void **state)
{
    for (unsigned i = 0; i < 4; i++)
        if (open_h[i]) {
            th_free(open_h[i]);
            open_h[i] = NULL;
        }
    return 0;
}

/* A device from `cfg` with CTRL.SLU set and everything pending settled
 * (auto-negotiation included). */
static void dp_open(struct dp *p, const struct e1k_config *cfg)
{
    memset(p, 0, sizeof(*p));
    p->h = th_open(cfg);
    assert_non_null(p->h->d);
    p->d = p->h->d;
    th_link_up(p->h);
}

static void cfg_functional(struct e1k_config *cfg, unsigned partner_speeds)
{
    e1k_config_default(cfg);
    e1k_timing_functional(&cfg->timing);
    cfg->partner_speeds = partner_speeds;
}

static void dp_open_functional(struct dp *p)
{
    struct e1k_config cfg;
    cfg_functional(&cfg, 7);
    dp_open(p, &cfg);
    assert_true(peek(p, E1K_REG_STATUS) & E1K_STATUS_LU);
}

static void dp_close(struct dp *p) { th_close(p->h); }

static void dp_tx_ring(struct dp *p, uint32_t n, uint32_t tctl)
{
    struct th *h = p->h;
    p->tn = n;
    p->ttail = 0;
    p->tring = th_tx_ring(h, n);
    assert_true(p->tring != UINT64_MAX);
    th_wr(h, E1K_REG_TIDV, 8);
    th_wr(h, E1K_REG_TCTL, tctl | E1K_TCTL_EN);
}

/* n descriptors with 2 KB buffers filled with GUARD; RDT = rdt. */
static void dp_rx_ring(struct dp *p, uint32_t n, uint32_t rctl, uint32_t rdt)
{
    struct th *h = p->h;
    p->rn = n;
    p->rring = th_rx_ring(h, n, RX_STRIDE, &p->rbufs);
    assert_true(p->rring != UINT64_MAX);
    memset(th_mem(h, p->rbufs, (size_t)n * RX_STRIDE), GUARD, (size_t)n * RX_STRIDE);
    th_wr(h, E1K_REG_RDT, rdt);
    th_wr(h, E1K_REG_RCTL, rctl | E1K_RCTL_EN);
}

/* One legacy descriptor carrying the whole frame (EOP | RS | cmd); TDT is
 * not written. */
static uint32_t dp_queue(struct dp *p, const uint8_t *f, size_t len, uint8_t cmd)
{
    struct th *h = p->h;
    uint64_t a = gmem_alloc(h->mem, len, 16);
    assert_true(a != UINT64_MAX);
    memcpy(th_mem(h, a, len), f, len);
    uint32_t i = p->ttail;
    uint8_t *dsc = th_mem(h, p->tring + 16ull * i, 16);
    memset(dsc, 0, 16);
    for (int k = 0; k < 8; k++)
        dsc[k] = (uint8_t)(a >> (8 * k));
    dsc[8] = (uint8_t)len;
    dsc[9] = (uint8_t)(len >> 8);
    dsc[11] = (uint8_t)(cmd | EOP | RS);
    p->ttail = (p->ttail + 1) % p->tn;
    return i;
}

static void dp_post(struct dp *p) { th_wr(p->h, E1K_REG_TDT, p->ttail); }

static uint8_t tx_sta(struct dp *p, uint32_t i) { return ((uint8_t *)th_mem(p->h, p->tring + 16ull * i, 16))[12]; }
static const uint8_t *rx_buf(struct dp *p, uint32_t i)
{
    return th_mem(p->h, p->rbufs + (uint64_t)i * RX_STRIDE, RX_STRIDE);
}
static uint16_t rx_len(struct dp *p, uint32_t i)
{
    const uint8_t *d = th_mem(p->h, p->rring + 16ull * i, 16);
    return (uint16_t)(d[8] | d[9] << 8);
}
static uint8_t rx_sta(struct dp *p, uint32_t i)
{
    return ((const uint8_t *)th_mem(p->h, p->rring + 16ull * i, 16))[12];
}

/* MDIC to the internal PHY (address 1), completed before returning. */
static uint16_t mdic(struct dp *p, int write, unsigned reg, uint16_t val)
{
    uint32_t v = (write ? E1K_MDIC_OP_WRITE : E1K_MDIC_OP_READ) | (uint32_t)reg << E1K_MDIC_REG_SHIFT |
                 1u << E1K_MDIC_PHY_SHIFT | (write ? val : 0);
    th_wr(p->h, E1K_REG_MDIC, v);
    th_settle(p->h);
    uint32_t r = th_rd(p->h, E1K_REG_MDIC);
    assert_true(r & E1K_MDIC_READY);
    assert_false(r & E1K_MDIC_ERROR);
    return (uint16_t)(r & E1K_MDIC_DATA_MASK);
}

/* ------------------------------------------------------------------------ */
/* frames */

/* IEEE 802.3 CRC-32, bit by bit (independent of the model's table). */
static uint32_t ref_crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int b = 0; b < 8; b++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static size_t add_fcs(uint8_t *f, size_t len)
{
    uint32_t c = ref_crc32(f, len);
    for (int i = 0; i < 4; i++)
        f[len + (size_t)i] = (uint8_t)(c >> (8 * i));
    return len + 4;
}

/* DA, SA, type, patterned payload: `len` bytes, no FCS. */
static size_t mkframe(uint8_t *f, const uint8_t *da, const uint8_t *sa, uint16_t type, size_t len,
                      unsigned seed)
{
    memcpy(f, da, 6);
    memcpy(f + 6, sa, 6);
    f[12] = (uint8_t)(type >> 8);
    f[13] = (uint8_t)type;
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 8));
    return len;
}

/* A frame from the wire: `len` bytes with the FCS. */
static size_t mkwire(uint8_t *f, const uint8_t *da, size_t len, unsigned seed)
{
    mkframe(f, da, peer_mac, 0x0800, len - 4, seed);
    return add_fcs(f, len - 4);
}

/* An 802.3x PAUSE frame (64 bytes with FCS), DA = the MAC control address. */
static size_t mkpause(uint8_t *f, uint16_t quanta)
{
    memset(f, 0, 64);
    memcpy(f, fc_mcast, 6);
    memcpy(f + 6, peer_mac, 6);
    f[12] = 0x88;
    f[13] = 0x08;
    f[15] = 0x01;
    f[16] = (uint8_t)(quanta >> 8);
    f[17] = (uint8_t)quanta;
    return add_fcs(f, 60);
}

/* The PAUSE frame the device must send (SDM 8.7.5): DA = FCAH:FCAL, SA =
 * `sa` (RAL0/RAH0), type 8808h, opcode 0001h, `quanta`, zero pad, FCS. */
static void expect_pause(const struct th_frame *fr, const uint8_t sa[6], uint16_t quanta)
{
    uint8_t exp[64];
    memset(exp, 0, sizeof(exp));
    memcpy(exp, fc_mcast, 6);
    memcpy(exp + 6, sa, 6);
    exp[12] = 0x88;
    exp[13] = 0x08;
    exp[14] = 0x00;
    exp[15] = 0x01;
    exp[16] = (uint8_t)(quanta >> 8);
    exp[17] = (uint8_t)quanta;
    add_fcs(exp, 60);
    assert_int_equal(fr->len, 64);
    assert_memory_equal(fr->data, exp, 64);
}

/* What the receiver wrote in descriptor i: exactly `exp` (len bytes), the
 * rest of the buffer untouched. */
static void expect_rx(struct dp *p, uint32_t i, const uint8_t *exp, size_t len)
{
    assert_int_equal(rx_len(p, i), len);
    assert_int_equal(rx_sta(p, i) & (RX_DD | RX_EOP), RX_DD | RX_EOP);
    const uint8_t *b = rx_buf(p, i);
    assert_memory_equal(b, exp, len);
    for (size_t k = len; k < RX_STRIDE; k++)
        if (b[k] != GUARD)
            fail_msg("descriptor %u: byte %zu beyond the frame written", i, k);
}

static void set_fc_addresses(struct dp *p)
{
    /* As Linux's e1000_setup_link programs them. */
    th_wr(p->h, E1K_REG_FCAL, 0x00C28001);
    th_wr(p->h, E1K_REG_FCAH, 0x0100);
    th_wr(p->h, E1K_REG_FCT, 0x8808);
}

/* ------------------------------------------------------------------------ */
/* interrupts as a driver sees them: each INTA# assertion is serviced at
 * once (ICR read, used receive descriptors handed back). */

#define MAX_EDGES 512

struct irqlog {
    uint64_t t[MAX_EDGES];
    uint32_t icr[MAX_EDGES];
    unsigned n;
    uint64_t seen;
};

static void isr(struct dp *p, struct irqlog *l)
{
    struct th *h = p->h;
    while (l->seen < h->irq_edges) {
        l->seen++;
        uint32_t icr = th_rd(h, E1K_REG_ICR);
        if (l->n < MAX_EDGES) {
            l->t[l->n] = now(p);
            l->icr[l->n] = icr;
            l->n++;
        }
        if (p->rn)
            th_wr(h, E1K_REG_RDT, (th_rd(h, E1K_REG_RDH) + p->rn - 1) % p->rn);
    }
}

/* Run to `until`, one event at a time, servicing every interrupt when it
 * is raised. */
static void run_isr(struct dp *p, uint64_t until, struct irqlog *l)
{
    struct evq *q = p->h->q;
    isr(p, l);
    while (evq_next_time(q) <= until) {
        evq_step(q);
        isr(p, l);
    }
    evq_run_until(q, until);
}

/* ------------------------------------------------------------------------ */
/* loopback */

/* RCTL.LBM = 01b (SDM 13.4.22, 8.x): transmitted frames come back through
 * the receive path, none reaches the wire. */
static void test_datapath_mac_loopback(void **state)
{
    struct dp p;
    dp_open_functional(&p);
    dp_tx_ring(&p, 16, E1K_TCTL_PSP);
    dp_rx_ring(&p, 16, E1K_RCTL_LBM_MAC | E1K_RCTL_BAM, 15);

    static uint8_t a[256], b[256], c[256], exp[256];
    size_t la = mkframe(a, our_mac, our_mac, 0x0800, 100, 1);
    size_t lb = mkframe(b, bcast_mac, our_mac, 0x0806, 42, 2); /* padded to 60 */
    size_t lc = mkframe(c, our_mac, our_mac, 0x0800, 80, 3);
    lc = add_fcs(c, lc); /* the guest's own FCS (IFCS clear) */
    dp_queue(&p, a, la, IFCS);
    dp_queue(&p, b, lb, IFCS);
    dp_queue(&p, c, lc, 0);
    dp_post(&p);
    th_settle(p.h);

    assert_int_equal(p.h->ntx, 0);
    assert_int_equal(peek(&p, E1K_REG_TDH), 3);
    for (uint32_t i = 0; i < 3; i++)
        assert_true(tx_sta(&p, i) & 1); /* DD */
    assert_int_equal(peek(&p, E1K_REG_RDH), 3);
    /* SECRC clear: the FCS is in the buffer */
    memcpy(exp, a, la);
    expect_rx(&p, 0, exp, add_fcs(exp, la));
    memset(exp, 0, sizeof(exp));
    memcpy(exp, b, lb);
    expect_rx(&p, 1, exp, add_fcs(exp, 60));
    expect_rx(&p, 2, c, lc);

    /* statistics, both sides: 104 + 64 + 84 bytes */
    assert_int_equal(peek(&p, E1K_REG_TPT), 3);
    assert_int_equal(peek(&p, E1K_REG_GPTC), 3);
    assert_int_equal(peek64(&p, E1K_REG_GOTCL), 252);
    assert_int_equal(peek64(&p, E1K_REG_TOTL), 252);
    assert_int_equal(peek(&p, E1K_REG_PTC64), 1);
    assert_int_equal(peek(&p, E1K_REG_PTC127), 2);
    assert_int_equal(peek(&p, E1K_REG_BPTC), 1);
    assert_int_equal(peek(&p, E1K_REG_TPR), 3);
    assert_int_equal(peek(&p, E1K_REG_GPRC), 3);
    assert_int_equal(peek64(&p, E1K_REG_GORCL), 252);
    assert_int_equal(peek64(&p, E1K_REG_TORL), 252);
    assert_int_equal(peek(&p, E1K_REG_PRC64), 1);
    assert_int_equal(peek(&p, E1K_REG_PRC127), 2);
    assert_int_equal(peek(&p, E1K_REG_BPRC), 1);
    assert_true(peek(&p, E1K_REG_ICR) & E1K_ICR_RXT0);
    assert_true(peek(&p, E1K_REG_ICR) & E1K_ICR_TXDW);

    /* SECRC set: the host sees the frame exactly as the guest gave it */
    th_wr(p.h, E1K_REG_RCTL, th_rd(p.h, E1K_REG_RCTL) | E1K_RCTL_SECRC);
    dp_queue(&p, a, la, IFCS);
    dp_post(&p);
    th_settle(p.h);
    assert_int_equal(p.h->ntx, 0);
    expect_rx(&p, 3, a, la);
    assert_int_equal(peek64(&p, E1K_REG_GORCL), 252 + 104); /* counted with FCS */

    /* MAC loopback needs no link partner */
    e1k_set_cable(p.d, 0);
    assert_false(peek(&p, E1K_REG_STATUS) & E1K_STATUS_LU);
    dp_queue(&p, b, lb, IFCS);
    dp_post(&p);
    th_settle(p.h);
    assert_int_equal(p.h->ntx, 0);
    memset(exp, 0, sizeof(exp));
    memcpy(exp, b, lb);
    expect_rx(&p, 4, exp, 60); /* SECRC: padded, no FCS */
    e1k_set_cable(p.d, 1);
    th_settle(p.h);
    assert_true(peek(&p, E1K_REG_STATUS) & E1K_STATUS_LU);

    /* loopback off: the same frame goes to the wire */
    th_wr(p.h, E1K_REG_RCTL, th_rd(p.h, E1K_REG_RCTL) & ~E1K_RCTL_LBM_MASK);
    dp_queue(&p, a, la, IFCS);
    dp_post(&p);
    th_settle(p.h);
    assert_int_equal(p.h->ntx, 1);
    memcpy(exp, a, la);
    assert_int_equal(p.h->tx[0].len, add_fcs(exp, la));
    assert_memory_equal(p.h->tx[0].data, exp, la + 4);
    assert_int_equal(peek(&p, E1K_REG_RDH), 5);
    assert_int_equal(e1k_anomaly_total(p.d), 0);
    dp_close(&p);
}

/* PHY loopback (PHY control bit 14 through MDIC), set up as Linux's
 * e1000_integrated_phy_loopback does: forced 1000/full in the PHY and the
 * MAC, then the loopback bit; RCTL.LBM stays 00b. */
static void test_datapath_phy_loopback(void **state)
{
    struct dp p;
    dp_open_functional(&p);
    dp_tx_ring(&p, 16, E1K_TCTL_PSP);
    dp_rx_ring(&p, 16, E1K_RCTL_BAM, 15);

    mdic(&p, 1, PHY_CTRL, 0x9140); /* reset, auto-negotiation on */
    mdic(&p, 1, PHY_CTRL, 0x8140); /* reset, forced 1000 full */
    mdic(&p, 1, PHY_CTRL, 0x4140); /* loopback, 1000 full */
    uint32_t ctrl = th_rd(p.h, E1K_REG_CTRL) & ~E1K_CTRL_SPEED_MASK;
    th_wr(p.h, E1K_REG_CTRL, ctrl | E1K_CTRL_FRCSPD | E1K_CTRL_FRCDPLX | E1K_CTRL_SPEED_1000 |
                                 E1K_CTRL_FD | E1K_CTRL_SLU);
    th_settle(p.h);
    assert_true(mdic(&p, 0, PHY_CTRL, 0) & PCTRL_LOOPBACK);

    /* the ethtool self-test frame: broadcast, 0xFF then a pattern */
    static uint8_t f[1024], exp[1100];
    memset(f, 0xFF, sizeof(f));
    memset(f + 512, 0xAA, 512 / 2 - 1);
    memset(f + 512 + 10, 0xBE, 1);
    memset(f + 512 + 12, 0xAF, 1);
    for (unsigned k = 0; k < 4; k++)
        dp_queue(&p, f, 512 + 64 * k, IFCS);
    dp_post(&p);
    th_settle(p.h);
    assert_int_equal(p.h->ntx, 0);
    assert_int_equal(peek(&p, E1K_REG_RDH), 4);
    uint64_t octets = 0;
    for (unsigned k = 0; k < 4; k++) {
        size_t n = 512 + 64 * k;
        memcpy(exp, f, n);
        expect_rx(&p, k, exp, add_fcs(exp, n));
        octets += n + 4;
    }
    assert_int_equal(peek(&p, E1K_REG_GPTC), 4);
    assert_int_equal(peek(&p, E1K_REG_BPTC), 4);
    assert_int_equal(peek64(&p, E1K_REG_GOTCL), octets);
    assert_int_equal(peek(&p, E1K_REG_GPRC), 4);
    assert_int_equal(peek(&p, E1K_REG_BPRC), 4);
    assert_int_equal(peek64(&p, E1K_REG_GORCL), octets);

    /* loopback bit cleared: frames go out again */
    mdic(&p, 1, PHY_CTRL, 0x0140);
    assert_true(peek(&p, E1K_REG_STATUS) & E1K_STATUS_LU);
    dp_queue(&p, f, 100, IFCS);
    dp_post(&p);
    th_settle(p.h);
    assert_int_equal(p.h->ntx, 1);
    memcpy(exp, f, 100);
    assert_int_equal(p.h->tx[0].len, add_fcs(exp, 100));
    assert_memory_equal(p.h->tx[0].data, exp, 104);
    assert_int_equal(peek(&p, E1K_REG_RDH), 4);
    dp_close(&p);
}

/* ------------------------------------------------------------------------ */
/* the link */

/* Without link the MAC neither sends nor receives (SDM 8.6.5.2: "indication
 * that the link is not up disables MAC operation"); frames queued meanwhile
 * leave once auto-negotiation has brought the link back. */
static void test_datapath_link_gating(void **state)
{
    struct e1k_config cfg;
    e1k_config_default(&cfg); /* default timing: auto-negotiation takes its time */
    struct dp p;
    dp_open(&p, &cfg);
    assert_true(peek(&p, E1K_REG_STATUS) & E1K_STATUS_LU);
    dp_tx_ring(&p, 8, E1K_TCTL_PSP);
    dp_rx_ring(&p, 8, 0, 7);
    th_rd(p.h, E1K_REG_ICR);

    e1k_set_cable(p.d, 0);
    assert_false(peek(&p, E1K_REG_STATUS) & E1K_STATUS_LU);
    assert_true(peek(&p, E1K_REG_ICR) & E1K_ICR_LSC);

    static uint8_t f[200], exp[256], w[256];
    size_t n = mkframe(f, peer_mac, our_mac, 0x0800, 150, 5);
    dp_queue(&p, f, n, IFCS);
    dp_post(&p);
    th_run(p.h, 10 * MS);
    assert_int_equal(p.h->ntx, 0);
    assert_int_equal(peek(&p, E1K_REG_TDH), 0);
    assert_int_equal(tx_sta(&p, 0), 0);
    assert_int_equal(peek(&p, E1K_REG_TPT), 0);

    size_t wn = mkwire(w, our_mac, 128, 9);
    assert_int_equal(e1k_rx_frame(p.d, w, wn), E1K_RX_DROPPED);
    th_run(p.h, 1 * MS);
    assert_int_equal(peek(&p, E1K_REG_RDH), 0);
    assert_int_equal(peek(&p, E1K_REG_TPR), 0);
    assert_int_equal(peek(&p, E1K_REG_GPRC), 0);

    /* plugged again: still nothing until auto-negotiation completes */
    uint64_t t_plug = now(&p);
    e1k_set_cable(p.d, 1);
    th_run(p.h, cfg.timing.autoneg_ps / 2);
    assert_false(peek(&p, E1K_REG_STATUS) & E1K_STATUS_LU);
    assert_int_equal(p.h->ntx, 0);
    th_settle(p.h);
    assert_true(peek(&p, E1K_REG_STATUS) & E1K_STATUS_LU);
    assert_int_equal(p.h->ntx, 1);
    assert_true(p.h->tx[0].t >= t_plug + cfg.timing.autoneg_ps);
    memcpy(exp, f, n);
    assert_int_equal(p.h->tx[0].len, add_fcs(exp, n));
    assert_memory_equal(p.h->tx[0].data, exp, n + 4);
    assert_int_equal(peek(&p, E1K_REG_TDH), 1);
    assert_int_equal(peek(&p, E1K_REG_TPT), 1);

    assert_int_equal(e1k_rx_frame(p.d, w, wn), E1K_RX_ACCEPTED);
    th_settle(p.h);
    expect_rx(&p, 0, w, wn);
    assert_int_equal(peek(&p, E1K_REG_GPRC), 1);
    dp_close(&p);
}

/* A partner that can only do 100 Mb/s: auto-negotiation resolves 100/full
 * and STATUS.SPEED says so (SDM 13.4.2, 8.6.2.2: speed from the PHY). */
static void test_datapath_link_speed_100(void **state)
{
    struct e1k_config cfg;
    e1k_config_default(&cfg);
    cfg.partner_speeds = 2;
    struct dp p;
    memset(&p, 0, sizeof(p));
    p.h = th_open(&cfg);
    p.d = p.h->d;
    th_wr(p.h, E1K_REG_CTRL, th_rd(p.h, E1K_REG_CTRL) | E1K_CTRL_SLU);
    th_run(p.h, cfg.timing.autoneg_ps / 2);
    assert_false(peek(&p, E1K_REG_STATUS) & E1K_STATUS_LU);
    th_settle(p.h);
    assert_true(now(&p) >= cfg.timing.autoneg_ps);
    uint32_t st = peek(&p, E1K_REG_STATUS);
    assert_true(st & E1K_STATUS_LU);
    assert_true(st & E1K_STATUS_FD);
    assert_int_equal(st & E1K_STATUS_SPEED_MASK, E1K_STATUS_SPEED_100);
    assert_int_equal(mdic(&p, 0, PHY_SPEC_STATUS, 0) & 0xC000, 0x4000); /* PSSTAT: 100 */

    dp_tx_ring(&p, 8, E1K_TCTL_PSP);
    static uint8_t f[128], exp[128];
    size_t n = mkframe(f, peer_mac, our_mac, 0x0800, 70, 1);
    dp_queue(&p, f, n, IFCS);
    dp_post(&p);
    th_settle(p.h);
    assert_int_equal(p.h->ntx, 1);
    memcpy(exp, f, n);
    assert_int_equal(p.h->tx[0].len, add_fcs(exp, n));
    assert_memory_equal(p.h->tx[0].data, exp, n + 4);
    dp_close(&p);
}

/* ------------------------------------------------------------------------ */
/* flow control */

/* Transmit side (SDM 8.7.5, 13.4.23, 13.4.24): the receive FIFO reaching
 * FCRTH sends XOFF with FCTTV; falling below FCRTL afterwards sends XON. */
static void test_datapath_fc_transmit_xoff_xon(void **state)
{
    struct dp p;
    dp_open_functional(&p);
    /* a station address other than the EEPROM's, to see where SA comes from */
    static const uint8_t sta[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
    th_wr(p.h, E1K_REG_RAL, 0x33221102);
    th_wr(p.h, E1K_REG_RAH, 0x5544 | E1K_RAH_AV);
    set_fc_addresses(&p);
    th_wr(p.h, E1K_REG_FCTTV, 0x0100);
    th_wr(p.h, E1K_REG_FCRTH, 8000);
    th_wr(p.h, E1K_REG_FCRTL, 4000 | 0x80000000u); /* XONE, as Linux writes it */
    th_wr(p.h, E1K_REG_CTRL, th_rd(p.h, E1K_REG_CTRL) | E1K_CTRL_TFCE);
    dp_tx_ring(&p, 8, E1K_TCTL_PSP);
    dp_rx_ring(&p, 16, 0, 0); /* starved: RDT == RDH */

    static uint8_t w[10][1000];
    size_t wn = 0;
    for (unsigned k = 0; k < 10; k++) {
        wn = mkwire(w[k], sta, 1000, k);
        assert_int_equal(e1k_rx_frame(p.d, w[k], wn), E1K_RX_ACCEPTED);
        th_settle(p.h);
        /* 8 x 1000 bytes reach FCRTH = 8000: XOFF then, and only once */
        assert_int_equal(p.h->ntx, k >= 7 ? 1 : 0);
    }
    expect_pause(&p.h->tx[0], sta, 0x0100);
    assert_int_equal(peek(&p, E1K_REG_XOFFTXC), 1);
    assert_int_equal(peek(&p, E1K_REG_XONTXC), 0);
    assert_int_equal(peek(&p, E1K_REG_TPT), 1);
    assert_int_equal(peek64(&p, E1K_REG_TOTL), 64);
    /* flow-control frames are not good packets (SDM 13.7.30, 13.7.32) */
    assert_int_equal(peek(&p, E1K_REG_GPTC), 0);
    assert_int_equal(peek64(&p, E1K_REG_GOTCL), 0);
    assert_int_equal(peek(&p, E1K_REG_RNBC), 10);

    /* 5 frames drained: 5000 bytes left, still above FCRTL */
    th_wr(p.h, E1K_REG_RDT, 5);
    th_settle(p.h);
    assert_int_equal(peek(&p, E1K_REG_RDH), 5);
    assert_int_equal(p.h->ntx, 1);
    /* 2 more: 3000 < 4000, XON */
    uint64_t t_xon = now(&p);
    th_wr(p.h, E1K_REG_RDT, 7);
    th_settle(p.h);
    assert_int_equal(p.h->ntx, 2);
    expect_pause(&p.h->tx[1], sta, 0);
    assert_true(p.h->tx[1].t >= t_xon);
    assert_int_equal(peek(&p, E1K_REG_XONTXC), 1);
    assert_int_equal(peek(&p, E1K_REG_XOFFTXC), 1);
    /* the rest; every frame in order, unchanged */
    th_wr(p.h, E1K_REG_RDT, 15);
    th_settle(p.h);
    assert_int_equal(peek(&p, E1K_REG_RDH), 10);
    for (uint32_t k = 0; k < 10; k++)
        expect_rx(&p, k, w[k], wn);
    assert_int_equal(p.h->ntx, 2);
    assert_int_equal(peek(&p, E1K_REG_GPRC), 10);
    dp_close(&p);
}

/* SDM 8.7.5: "Hardware sends one more PAUSE frame if it has previously sent
 * one and the FIFO overflows." */
static void test_datapath_fc_xoff_repeated_on_overflow(void **state)
{
    struct dp p;
    dp_open_functional(&p);
    set_fc_addresses(&p);
    th_wr(p.h, E1K_REG_FCTTV, 0x0200);
    th_wr(p.h, E1K_REG_PBA, 8); /* 8 KB receive FIFO */
    th_wr(p.h, E1K_REG_FCRTH, 6000);
    th_wr(p.h, E1K_REG_FCRTL, 2000);
    th_wr(p.h, E1K_REG_CTRL, th_rd(p.h, E1K_REG_CTRL) | E1K_CTRL_TFCE);
    dp_tx_ring(&p, 8, E1K_TCTL_PSP);
    dp_rx_ring(&p, 16, 0, 0);
    static uint8_t w[1000];
    size_t wn = mkwire(w, our_mac, 1000, 1);
    for (unsigned k = 0; k < 8; k++)
        assert_int_equal(e1k_rx_frame(p.d, w, wn), E1K_RX_ACCEPTED);
    th_settle(p.h);
    assert_int_equal(p.h->ntx, 1);
    expect_pause(&p.h->tx[0], our_mac, 0x0200);
    /* 9000 > 8192: missed, and the XOFF goes out again */
    assert_int_equal(e1k_rx_frame(p.d, w, wn), E1K_RX_DROPPED);
    th_settle(p.h);
    assert_int_equal(peek(&p, E1K_REG_MPC), 1);
    assert_int_equal(p.h->ntx, 2);
    expect_pause(&p.h->tx[1], our_mac, 0x0200);
    assert_int_equal(peek(&p, E1K_REG_XOFFTXC), 2);
    dp_close(&p);
}

/* Receive side (SDM 8.7.3): an XOFF with pause time N holds the transmitter
 * for N slot times (64 byte times = 512 bit times at the link speed) with
 * STATUS.TXOFF set; an XON releases it at once. */
static void fc_receive_at(unsigned partner_speeds, unsigned mbps, int functional)
{
    struct e1k_config cfg;
    cfg_functional(&cfg, partner_speeds);
    if (!functional)
        e1k_timing_default(&cfg.timing); /* DMA and wire costs */
    struct dp p;
    dp_open(&p, &cfg);
    uint32_t st = peek(&p, E1K_REG_STATUS);
    assert_true(st & E1K_STATUS_LU);
    assert_int_equal(st & E1K_STATUS_SPEED_MASK,
                     mbps == 1000 ? E1K_STATUS_SPEED_1000 : E1K_STATUS_SPEED_100);
    set_fc_addresses(&p);
    th_wr(p.h, E1K_REG_CTRL, th_rd(p.h, E1K_REG_CTRL) | E1K_CTRL_RFCE);
    dp_tx_ring(&p, 8, E1K_TCTL_PSP);
    dp_rx_ring(&p, 8, E1K_RCTL_DPF, 7);

    const uint64_t bit_ps = 1000000ull / mbps;
    const uint16_t quanta = 100;
    const uint64_t pause = quanta * 512ull * bit_ps;
    static uint8_t x[64], f[128];
    size_t xn = mkpause(x, quanta);
    size_t n = mkframe(f, peer_mac, our_mac, 0x0800, 90, 7);

    th_run(p.h, 3 * US);
    uint64_t t0 = now(&p);
    assert_int_equal(e1k_rx_frame(p.d, x, xn), E1K_RX_FILTERED); /* DPF */
    assert_true(peek(&p, E1K_REG_STATUS) & E1K_STATUS_TXOFF);
    assert_int_equal(peek(&p, E1K_REG_XOFFRXC), 1);
    dp_queue(&p, f, n, IFCS);
    dp_post(&p);
    for (unsigned k = 1; k <= 4; k++) {
        evq_run_until(p.h->q, t0 + pause * k / 4 - 1);
        assert_int_equal(p.h->ntx, 0);
        assert_true(peek(&p, E1K_REG_STATUS) & E1K_STATUS_TXOFF);
        assert_int_equal(peek(&p, E1K_REG_TDH), 0);
    }
    evq_run_until(p.h->q, t0 + pause + 50 * US);
    assert_int_equal(p.h->ntx, 1);
    assert_true(p.h->tx[0].t >= t0 + pause);
    assert_true(p.h->tx[0].t <= t0 + pause + 20 * US);
    assert_false(peek(&p, E1K_REG_STATUS) & E1K_STATUS_TXOFF);
    assert_int_equal(peek(&p, E1K_REG_RDH), 0); /* DPF: no PAUSE reached memory */

    /* the longest pause, then XON */
    xn = mkpause(x, 0xFFFF);
    assert_int_equal(e1k_rx_frame(p.d, x, xn), E1K_RX_FILTERED);
    dp_queue(&p, f, n, IFCS);
    dp_post(&p);
    th_run(p.h, 100 * US);
    assert_int_equal(p.h->ntx, 1);
    assert_true(peek(&p, E1K_REG_STATUS) & E1K_STATUS_TXOFF);
    uint64_t t_xon = now(&p);
    xn = mkpause(x, 0);
    assert_int_equal(e1k_rx_frame(p.d, x, xn), E1K_RX_FILTERED);
    assert_false(peek(&p, E1K_REG_STATUS) & E1K_STATUS_TXOFF);
    th_run(p.h, 50 * US);
    assert_int_equal(p.h->ntx, 2);
    assert_true(p.h->tx[1].t >= t_xon && p.h->tx[1].t <= t_xon + 20 * US);
    uint8_t exp[128];
    memcpy(exp, f, n);
    add_fcs(exp, n);
    for (unsigned k = 0; k < 2; k++) {
        assert_int_equal(p.h->tx[k].len, n + 4);
        assert_memory_equal(p.h->tx[k].data, exp, n + 4);
    }
    assert_int_equal(peek(&p, E1K_REG_XOFFRXC), 2);
    assert_int_equal(peek(&p, E1K_REG_XONRXC), 1);
    /* PAUSE frames are no good packets (SDM 13.7.29) */
    assert_int_equal(peek(&p, E1K_REG_GPRC), 0);
    assert_int_equal(peek(&p, E1K_REG_TPR), 3);
    th_settle(p.h);
    dp_close(&p);
}

static void test_datapath_fc_receive_pause_1000(void **state) { fc_receive_at(7, 1000, 1); }
static void test_datapath_fc_receive_pause_100(void **state) { fc_receive_at(2, 100, 1); }
static void test_datapath_fc_receive_pause_timed(void **state)
{
    fc_receive_at(7, 1000, 0);
    fc_receive_at(2, 100, 0);
}

/* STATUS.TXOFF shows the transmitter paused until the pause timer runs out
 * or an XON arrives (SDM 8.7.3, 13.4.2); a driver writing CTRL meanwhile
 * (Linux does, e.g. e1000_config_fc_after_link_up, VLAN mode changes) must
 * not clear it. */
static void test_datapath_fc_txoff_kept_across_ctrl_write(void **state)
{
    struct dp p;
    dp_open_functional(&p);
    set_fc_addresses(&p);
    th_wr(p.h, E1K_REG_CTRL, th_rd(p.h, E1K_REG_CTRL) | E1K_CTRL_RFCE);
    dp_tx_ring(&p, 8, E1K_TCTL_PSP);
    dp_rx_ring(&p, 8, E1K_RCTL_DPF, 7);
    static uint8_t x[64], f[128];
    size_t xn = mkpause(x, 1000); /* 512 us at 1 Gb/s */
    assert_int_equal(e1k_rx_frame(p.d, x, xn), E1K_RX_FILTERED);
    assert_true(peek(&p, E1K_REG_STATUS) & E1K_STATUS_TXOFF);
    th_wr(p.h, E1K_REG_CTRL, th_rd(p.h, E1K_REG_CTRL));
    size_t n = mkframe(f, peer_mac, our_mac, 0x0800, 90, 7);
    dp_queue(&p, f, n, IFCS);
    dp_post(&p);
    th_run(p.h, 100 * US);
    assert_int_equal(p.h->ntx, 0);
    assert_true(peek(&p, E1K_REG_STATUS) & E1K_STATUS_TXOFF);
    th_settle(p.h);
    assert_int_equal(p.h->ntx, 1);
    assert_false(peek(&p, E1K_REG_STATUS) & E1K_STATUS_TXOFF);
    dp_close(&p);
}

/* ------------------------------------------------------------------------ */
/* the wire with the timing model (default timing, 100 Mb/s so that frames
 * queue in the transmit FIFO: PCI at 33 MHz fetches a full frame in ~15 us,
 * the wire takes ~122 us to send it) */

static void open_timed_100(struct dp *p)
{
    struct e1k_config cfg;
    e1k_config_default(&cfg);
    cfg.partner_speeds = 2;
    dp_open(p, &cfg);
    assert_int_equal(peek(p, E1K_REG_STATUS) & E1K_STATUS_SPEED_MASK, E1K_STATUS_SPEED_100);
}

/* One frame at a time on the wire: each captured frame (reported when its
 * last bit left) ends at least its own length in byte times after the one
 * before it. */
static void expect_serialized(struct dp *p, uint64_t byte_ps)
{
    for (size_t i = 1; i < p->h->ntx; i++) {
        uint64_t a = p->h->tx[i - 1].t, b = p->h->tx[i].t;
        uint64_t need = (8 + p->h->tx[i].len) * byte_ps; /* preamble + frame */
        if (b < a || b - a < need)
            fail_msg("frames %zu (%zu bytes, ends %llu ps) and %zu (%zu bytes, ends %llu ps) "
                     "overlap on the wire",
                     i - 1, p->h->tx[i - 1].len, (unsigned long long)a, i, p->h->tx[i].len,
                     (unsigned long long)b);
    }
}

/* Back-to-back full-size frames fill the wire: the transmit FIFO (PBA.TXA,
 * 16 KB by default, SDM 13.4.16, 3.4) lets descriptor and data fetches run
 * ahead of the wire, so consecutive frames are separated only by the
 * inter-packet gap (TIPG.IPGT + 4 byte times = 96 bit times, SDM 13.4.34). */
static void test_datapath_wire_line_rate_timed(void **state)
{
    struct dp p;
    open_timed_100(&p);
    th_wr(p.h, E1K_REG_TIPG, 8 | 8u << 10 | 6u << 20); /* as Linux programs copper */
    dp_tx_ring(&p, 16, E1K_TCTL_PSP);
    static uint8_t f[1514];
    for (unsigned k = 0; k < 8; k++)
        dp_queue(&p, f, mkframe(f, peer_mac, our_mac, 0x0800, sizeof(f), k), IFCS);
    dp_post(&p);
    th_settle(p.h);
    assert_int_equal(p.h->ntx, 8);
    expect_serialized(&p, 80 * NS);
    const uint64_t slot = (8 + 1518 + 12) * 80 * NS; /* preamble, frame, gap */
    for (size_t i = 1; i < p.h->ntx; i++) {
        uint64_t d = p.h->tx[i].t - p.h->tx[i - 1].t;
        if (d > slot + slot / 20)
            fail_msg("frame %zu ended %llu ps after frame %zu: the wire idled %llu ps "
                     "(line rate: %llu ps per frame)",
                     i, (unsigned long long)d, i - 1, (unsigned long long)(d - slot),
                     (unsigned long long)slot);
    }
    dp_close(&p);
}

/* An XOFF the receive FIFO triggers while a data frame is on the wire goes
 * out after that frame, not on top of it (SDM 8.7.5: the PAUSE frame is
 * transmitted by the MAC like any frame; 802.3 31B: between frames). */
static void test_datapath_wire_pause_frame_serialized_timed(void **state)
{
    struct dp p;
    open_timed_100(&p);
    set_fc_addresses(&p);
    th_wr(p.h, E1K_REG_FCTTV, 0x0010);
    th_wr(p.h, E1K_REG_FCRTH, 3000);
    th_wr(p.h, E1K_REG_FCRTL, 1000);
    th_wr(p.h, E1K_REG_CTRL, th_rd(p.h, E1K_REG_CTRL) | E1K_CTRL_TFCE);
    dp_tx_ring(&p, 16, E1K_TCTL_PSP);
    dp_rx_ring(&p, 16, 0, 0);
    static uint8_t f[1514], w[1000];
    for (unsigned k = 0; k < 4; k++)
        dp_queue(&p, f, mkframe(f, peer_mac, our_mac, 0x0800, sizeof(f), k), IFCS);
    dp_post(&p);
    th_run(p.h, 60 * US); /* the first frame is on the wire */
    size_t wn = mkwire(w, our_mac, sizeof(w), 1);
    for (unsigned k = 0; k < 3; k++)
        assert_int_equal(e1k_rx_frame(p.d, w, wn), E1K_RX_ACCEPTED);
    th_wr(p.h, E1K_REG_RDT, 15);
    th_settle(p.h);
    assert_int_equal(peek(&p, E1K_REG_XOFFTXC), 1);
    assert_int_equal(p.h->ntx, 6); /* 4 frames, XOFF, XON */
    expect_serialized(&p, 80 * NS);
    dp_close(&p);
}

/* A received XOFF stops transmission after the frame in progress (SDM
 * 8.7.3); frames already fetched into the transmit FIFO wait for the pause
 * to end like the rest. */
static void test_datapath_fc_pause_holds_fifo_timed(void **state)
{
    struct dp p;
    open_timed_100(&p);
    set_fc_addresses(&p);
    th_wr(p.h, E1K_REG_CTRL, th_rd(p.h, E1K_REG_CTRL) | E1K_CTRL_RFCE);
    dp_tx_ring(&p, 16, E1K_TCTL_PSP);
    dp_rx_ring(&p, 8, E1K_RCTL_DPF, 7);
    static uint8_t f[1514], x[64];
    for (unsigned k = 0; k < 8; k++)
        dp_queue(&p, f, mkframe(f, peer_mac, our_mac, 0x0800, sizeof(f), k), IFCS);
    dp_post(&p);
    th_run(p.h, 60 * US);
    const uint64_t pause = 1000 * 512ull * 10 * NS; /* 1000 quanta at 100 Mb/s */
    uint64_t t_x = now(&p);
    assert_int_equal(e1k_rx_frame(p.d, x, mkpause(x, 1000)), E1K_RX_FILTERED);
    th_run(p.h, pause - 1 * US);
    unsigned during = 0;
    for (size_t i = 0; i < p.h->ntx; i++)
        during += p.h->tx[i].t > t_x;
    if (during > 1)
        fail_msg("%u frames left during the pause (at most the one in progress may)", during);
    th_settle(p.h);
    assert_int_equal(p.h->ntx, 8);
    expect_serialized(&p, 80 * NS);
    dp_close(&p);
}

/* Without link nothing reaches the wire (SDM 8.6.5.2), frames already in
 * the transmit FIFO included: at most the frame in progress when the cable
 * is pulled can still be reported. */
static void test_datapath_link_loss_stops_fifo_timed(void **state)
{
    struct dp p;
    open_timed_100(&p);
    dp_tx_ring(&p, 16, E1K_TCTL_PSP);
    static uint8_t f[1514];
    for (unsigned k = 0; k < 8; k++)
        dp_queue(&p, f, mkframe(f, peer_mac, our_mac, 0x0800, sizeof(f), k), IFCS);
    dp_post(&p);
    th_run(p.h, 60 * US);
    uint64_t t_pull = now(&p);
    e1k_set_cable(p.d, 0);
    th_run(p.h, 5 * MS);
    unsigned after = 0;
    for (size_t i = 0; i < p.h->ntx; i++)
        after += p.h->tx[i].t > t_pull;
    if (after > 1)
        fail_msg("%u frames reached the wire after the link went down", after);
    dp_close(&p);
}

/* ------------------------------------------------------------------------ */
/* interrupt moderation */

/* ITR (SDM 13.4.18): INTA# assertions at least INTERVAL x 256 ns apart; with
 * a steady stream of frames the device interrupts once per interval. */
static void itr_spacing(int functional)
{
    struct e1k_config cfg;
    cfg_functional(&cfg, 7);
    if (!functional)
        e1k_timing_default(&cfg.timing);
    struct dp p;
    dp_open(&p, &cfg);
    const uint32_t itr = 488; /* Linux's 8000 interrupts/s */
    const uint64_t gap = itr * 256ull * NS;
    const uint64_t every = 10 * US;
    const unsigned frames = 300;
    dp_rx_ring(&p, 64, 0, 63);
    th_wr(p.h, E1K_REG_ITR, itr);
    th_wr(p.h, E1K_REG_IMS, E1K_ICR_RXT0);
    th_rd(p.h, E1K_REG_ICR);
    static struct irqlog l;
    memset(&l, 0, sizeof(l));
    l.seen = p.h->irq_edges;
    static uint8_t w[200];
    size_t wn = mkwire(w, our_mac, 200, 3);
    uint64_t t0 = now(&p) + 1 * US;
    for (unsigned k = 0; k < frames; k++) {
        run_isr(&p, t0 + k * every, &l);
        assert_int_equal(e1k_rx_frame(p.d, w, wn), E1K_RX_ACCEPTED);
        isr(&p, &l);
    }
    run_isr(&p, now(&p) + 2 * MS, &l);
    assert_int_equal(peek(&p, E1K_REG_GPRC), frames);
    assert_int_equal(peek(&p, E1K_REG_MPC), 0);
    uint64_t span = (frames - 1) * every;
    assert_true(l.n >= span / gap - 1);
    assert_true(l.n <= span / gap + 2);
    if (functional)
        assert_int_equal(l.t[0], t0); /* the first one is not held */
    else
        assert_true(l.t[0] >= t0 && l.t[0] < t0 + every);
    for (unsigned i = 0; i < l.n; i++) {
        assert_true(l.icr[i] & E1K_ICR_RXT0);
        if (i && l.t[i] - l.t[i - 1] < gap)
            fail_msg("assertions %u and %u only %llu ps apart (ITR %llu ps)", i - 1, i,
                     (unsigned long long)(l.t[i] - l.t[i - 1]), (unsigned long long)gap);
        /* traffic is continuous: the held assertion comes when the interval ends */
        if (i && i + 1 < l.n && l.t[i] - l.t[i - 1] > gap + every)
            fail_msg("assertion %u held %llu ps after the previous", i,
                     (unsigned long long)(l.t[i] - l.t[i - 1]));
    }
    dp_close(&p);
}

static void test_datapath_itr_spacing(void **state) { itr_spacing(1); }
static void test_datapath_itr_spacing_timed(void **state) { itr_spacing(0); }

/* RDTR + RADV (SDM 3.2.7.1, 13.4.30, 13.4.31): frames arriving closer than
 * RDTR keep restarting the packet timer; RADV caps the delay at RADV x
 * 1.024 us after the first frame; when the stream stops, RDTR fires. */
static void test_datapath_rdtr_radv(void **state)
{
    struct dp p;
    dp_open_functional(&p);
    const uint64_t unit = 1024 * NS;
    const uint32_t rdtr = 32, radv = 64;
    const uint64_t every = 8 * US;
    const unsigned frames = 40;
    dp_rx_ring(&p, 64, 0, 63);
    th_wr(p.h, E1K_REG_RDTR, rdtr);
    th_wr(p.h, E1K_REG_RADV, radv);
    th_wr(p.h, E1K_REG_IMS, E1K_ICR_RXT0);
    th_rd(p.h, E1K_REG_ICR);
    static struct irqlog l;
    memset(&l, 0, sizeof(l));
    l.seen = p.h->irq_edges;
    static uint8_t w[128];
    size_t wn = mkwire(w, our_mac, 128, 4);
    uint64_t arr[64];
    uint64_t t0 = now(&p) + 1 * US;
    for (unsigned k = 0; k < frames; k++) {
        arr[k] = t0 + k * every;
        run_isr(&p, arr[k], &l);
        assert_int_equal(e1k_rx_frame(p.d, w, wn), E1K_RX_ACCEPTED);
        isr(&p, &l);
        if (k == 0)
            assert_int_equal(l.n, 0); /* delayed, not immediate */
    }
    run_isr(&p, now(&p) + 1 * MS, &l);
    assert_int_equal(peek(&p, E1K_REG_GPRC), frames);
    assert_true(l.n >= 2);
    assert_true(l.n <= frames / 4);
    unsigned first = 0; /* first frame not yet covered by an interrupt */
    for (unsigned i = 0; i < l.n; i++) {
        assert_true(l.icr[i] & E1K_ICR_RXT0);
        assert_true(first < frames);
        if (l.t[i] > arr[first] + radv * unit)
            fail_msg("RXT0 %u at %llu ps, more than RADV after the frame at %llu ps", i,
                     (unsigned long long)l.t[i], (unsigned long long)arr[first]);
        if (i + 1 < l.n && l.t[i] < arr[first] + rdtr * unit)
            fail_msg("RXT0 %u at %llu ps, before any timer could expire", i,
                     (unsigned long long)l.t[i]);
        while (first < frames && arr[first] <= l.t[i])
            first++;
    }
    assert_int_equal(first, frames);
    /* the stream ended: the packet timer ran out RDTR after the last frame */
    assert_true(l.t[l.n - 1] <= arr[frames - 1] + rdtr * unit);
    dp_close(&p);
}

/* ------------------------------------------------------------------------ */
/* determinism */

struct digest {
    uint8_t *b;
    size_t n, cap;
};

static void dg_put(struct digest *g, const void *p, size_t n)
{
    if (g->n + n > g->cap) {
        size_t cap = g->cap ? g->cap : 4096;
        while (cap < g->n + n)
            cap *= 2;
        g->b = realloc(g->b, cap);
        assert_non_null(g->b);
        g->cap = cap;
    }
    memcpy(g->b + g->n, p, n);
    g->n += n;
}

static void dg_u64(struct digest *g, uint64_t v) { dg_put(g, &v, sizeof(v)); }

/* A mixed run with the default timing: transmit and receive, an XOFF from
 * the partner, an XON, moderation timers, a cable pull. Everything
 * observable goes into the digest. */
static void determinism_run(struct digest *g)
{
    struct e1k_config cfg;
    e1k_config_default(&cfg);
    struct dp p;
    dp_open(&p, &cfg);
    set_fc_addresses(&p);
    th_wr(p.h, E1K_REG_FCTTV, 0x0080);
    th_wr(p.h, E1K_REG_FCRTH, 6000);
    th_wr(p.h, E1K_REG_FCRTL, 3000);
    th_wr(p.h, E1K_REG_CTRL, th_rd(p.h, E1K_REG_CTRL) | E1K_CTRL_RFCE | E1K_CTRL_TFCE);
    dp_tx_ring(&p, 16, E1K_TCTL_PSP);
    dp_rx_ring(&p, 16, E1K_RCTL_BAM | E1K_RCTL_SECRC | E1K_RCTL_DPF, 15);
    th_wr(p.h, E1K_REG_ITR, 200);
    th_wr(p.h, E1K_REG_RDTR, 10);
    th_wr(p.h, E1K_REG_RADV, 20);
    th_wr(p.h, E1K_REG_IMS, E1K_ICR_RXT0 | E1K_ICR_TXDW | E1K_ICR_LSC);
    static struct irqlog l;
    memset(&l, 0, sizeof(l));
    l.seen = p.h->irq_edges;
    static uint8_t f[1600], w[1600], x[64];
    for (unsigned i = 0; i < 40; i++) {
        size_t n = mkframe(f, i % 3 ? peer_mac : bcast_mac, our_mac, 0x0800, 60 + 37 * i, i);
        dp_queue(&p, f, n, IFCS);
        dp_post(&p);
        run_isr(&p, now(&p) + 7 * US + i * 3 * US, &l);
        size_t wn = mkwire(w, i % 4 ? our_mac : bcast_mac, 64 + 35 * i, i);
        e1k_rx_frame(p.d, w, wn);
        if (i == 5 || i == 20)
            e1k_rx_frame(p.d, x, mkpause(x, 300));
        if (i == 12)
            e1k_rx_frame(p.d, x, mkpause(x, 0));
        if (i == 30)
            e1k_set_cable(p.d, 0);
        if (i == 31)
            e1k_set_cable(p.d, 1);
        run_isr(&p, now(&p) + 5 * US, &l);
    }
    run_isr(&p, now(&p) + 3000 * MS, &l);
    assert_true(p.h->ntx > 30);
    dg_u64(g, p.h->ntx);
    for (size_t i = 0; i < p.h->ntx; i++) {
        dg_u64(g, p.h->tx[i].t);
        dg_u64(g, p.h->tx[i].len);
        dg_put(g, p.h->tx[i].data, p.h->tx[i].len);
    }
    dg_u64(g, l.n);
    dg_put(g, l.t, sizeof(l.t[0]) * l.n);
    dg_put(g, l.icr, sizeof(l.icr[0]) * l.n);
    for (size_t r = 0; r < e1k_reg_count(); r++) {
        const struct e1k_reg_info *e = e1k_reg_at(r);
        for (unsigned k = 0; k < e->count; k++) {
            uint32_t v = peek(&p, e->offset + k * e->stride);
            dg_put(g, &v, sizeof(v));
        }
    }
    dg_put(g, th_mem(p.h, p.rring, 16u * p.rn), 16u * p.rn);
    dg_put(g, th_mem(p.h, p.rbufs, (size_t)p.rn * RX_STRIDE), (size_t)p.rn * RX_STRIDE);
    dg_u64(g, now(&p));
    dg_u64(g, evq_dispatched(p.h->q));
    dg_u64(g, p.h->irq_edges);
    dg_u64(g, e1k_anomaly_total(p.d));
    dp_close(&p);
}

static struct digest dg_a, dg_b;

static int determinism_teardown(void **state)
{
    free(dg_a.b);
    free(dg_b.b);
    memset(&dg_a, 0, sizeof(dg_a));
    memset(&dg_b, 0, sizeof(dg_b));
    return teardown(state);
}

static void test_datapath_determinism(void **state)
{
    determinism_run(&dg_a);
    determinism_run(&dg_b);
    assert_true(dg_a.n > 0);
    assert_int_equal(dg_a.n, dg_b.n);
    assert_memory_equal(dg_a.b, dg_b.b, dg_a.n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_datapath_mac_loopback, teardown),
        cmocka_unit_test_teardown(test_datapath_phy_loopback, teardown),
        cmocka_unit_test_teardown(test_datapath_link_gating, teardown),
        cmocka_unit_test_teardown(test_datapath_link_speed_100, teardown),
        cmocka_unit_test_teardown(test_datapath_fc_transmit_xoff_xon, teardown),
        cmocka_unit_test_teardown(test_datapath_fc_xoff_repeated_on_overflow, teardown),
        cmocka_unit_test_teardown(test_datapath_fc_receive_pause_1000, teardown),
        cmocka_unit_test_teardown(test_datapath_fc_receive_pause_100, teardown),
        cmocka_unit_test_teardown(test_datapath_fc_receive_pause_timed, teardown),
        cmocka_unit_test_teardown(test_datapath_fc_txoff_kept_across_ctrl_write, teardown),
        cmocka_unit_test_teardown(test_datapath_wire_line_rate_timed, teardown),
        cmocka_unit_test_teardown(test_datapath_wire_pause_frame_serialized_timed, teardown),
        cmocka_unit_test_teardown(test_datapath_fc_pause_holds_fifo_timed, teardown),
        cmocka_unit_test_teardown(test_datapath_link_loss_stops_fifo_timed, teardown),
        cmocka_unit_test_teardown(test_datapath_itr_spacing, teardown),
        cmocka_unit_test_teardown(test_datapath_itr_spacing_timed, teardown),
        cmocka_unit_test_teardown(test_datapath_rdtr_radv, teardown),
        cmocka_unit_test_teardown(test_datapath_determinism, determinism_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
