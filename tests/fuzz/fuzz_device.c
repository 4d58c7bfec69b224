/* libFuzzer target: the 82540EM model through its guest-facing interface.
 *
 * The input is a byte script. Byte 0 configures the device (timing preset,
 * cable, partner speeds, flash, EEPROM tweaks, determinism check); then each
 * operation is one opcode byte followed by its operands (missing operand
 * bytes read as 0). Besides raw MMIO / I/O / PCI-config accesses and raw
 * guest-memory writes, there are macro operations that a guest driver would
 * do in one go (program a descriptor ring consistently, append a well-formed
 * descriptor, queue a TSO packet, bit-bang an EEPROM command, run an MDIC
 * operation), so that the fuzzer reaches the datapath quickly. The opcode
 * numbers are documented by tests/fuzz/gen_device_seeds.py, which writes the
 * seed corpus.
 *
 * Always bounded: at most MAX_OPS operations per input, and more than
 * MAX_EVENTS events dispatched for one input is reported as a hang (abort).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e1k/e1k.h"
#include "e1k/e1k_bits.h"
#include "e1k/e1k_regs.h"
#include "evq.h"
#include "gmem.h"
#include "nic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OPS 1000
#define MAX_EVENTS 1000000ull

/* Guest memory map (1 MiB). */
#define GMEM_SIZE 0x100000u
#define TXBUF_LO 0x20000u
#define TXBUF_HI 0x80000u
#define RXBUF_LO 0x80000u
#define RXBUF_HI 0xF0000u
#define HOLE_BASE 0xF0000u /* "another device's BAR": DMA there is refused */
#define HOLE_SIZE 0x10000u

static const uint64_t tx_ring_bases[] = { 0x1000, 0x4000, 0x1008, 0xFF000 };
static const uint64_t rx_ring_bases[] = { 0x10000, 0x14000, 0x10010, 0xFFF80 };

enum op {
    OP_MMIO_W,      /* off, width, u32 */
    OP_MMIO_R,      /* off, width */
    OP_IO_ADDR,     /* off: IOADDR <- a register offset */
    OP_IO_DATA_W,   /* u32: IODATA <- value */
    OP_IO_DATA_R,   /* -: read IODATA */
    OP_IO_RAW,      /* sel, width, u32: any I/O offset, read or write */
    OP_PCI_R,       /* u8 off, width */
    OP_PCI_W,       /* u8 off, width, u32 */
    OP_MEM_W,       /* addr, u8 len, bytes */
    OP_TX_SETUP,    /* u8 base, u8 n, u8 flags [, u32 TDLEN, u32 TDBAH] */
    OP_TX_DESC,     /* u8 kind, ...: append a descriptor at the harness's tail */
    OP_TX_DESC_RAW, /* u8 slot, 16 bytes */
    OP_TX_KICK,     /* u8 sel [, u8 tail]: TDT */
    OP_TSO,         /* u8 mode, u16 mss, u16 paylen, u8 nsplit, u8 perturb idx, u8 val */
    OP_RX_SETUP,    /* u8 base, u8 n, u8 flags, u8 rctl-bits [, u32 RDLEN] */
    OP_RX_DESC,     /* u8 flags [, u64 addr]: refill at the harness's RX tail */
    OP_RX_FRAME,    /* u8 len, u8 dst, u8 type, u8 flags, body bytes */
    OP_CABLE,       /* u8 */
    OP_TIME,        /* u8: advance (1 + b&7) << (b>>3) ns */
    OP_EEPROM,      /* u8 mode, operands: Microwire bit-banging through EECD */
    OP_EERD,        /* u8 addr, u8 flags */
    OP_MDIC,        /* u8 flags, u8 reg, u16 data */
    OP_LINK,        /* u8: CTRL with SLU and chosen bits */
    OP_INTR,        /* u8 sel, u32 */
    OP_HOTREG,      /* u8 sel, u32: write one of the registers that matter */
    OP_READ_ALL,    /* -: read every register of the table once */
    OP_PCI_RESET,   /* - */
    OP_COUNT
};

struct in {
    const uint8_t *p;
    size_t n, i;
};

static uint8_t u8(struct in *in) { return in->i < in->n ? in->p[in->i++] : 0; }
static uint16_t u16(struct in *in)
{
    uint16_t v = u8(in);
    return (uint16_t)(v | u8(in) << 8);
}
static uint32_t u32(struct in *in)
{
    uint32_t v = u16(in);
    return v | (uint32_t)u16(in) << 16;
}
static uint64_t u64(struct in *in)
{
    uint64_t v = u32(in);
    return v | (uint64_t)u32(in) << 32;
}

struct fz {
    struct evq *q;
    struct gmem *m;
    struct simnic *nic;
    struct e1k_dev *d;
    uint64_t tx_base, rx_base;
    uint32_t tx_n, tx_tail, rx_n, rx_tail;
    uint64_t txbuf_next, rxbuf_next;
    uint64_t hash; /* everything observable, for the determinism check */
};

/* FUZZ_DEVICE_TRACE=1 in the environment: say what happens (seed crafting). */
static int verbose = -1;
#define SAY(...) do { if (verbose) fprintf(stderr, __VA_ARGS__); } while (0)

static void mix(struct fz *f, uint64_t v)
{
    f->hash = (f->hash ^ v) * 0x100000001b3ull;
}

/* ---- CRC-32 (IEEE 802.3 FCS), our own copy ---- */

static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return ~c;
}

/* ---- host hooks ---- */

static void h_irq(void *ctx, int level, uint64_t t)
{
    struct fz *f = ctx;
    if (level != 0 && level != 1)
        abort();
    mix(f, (uint64_t)level << 63 ^ t);
    SAY("  %llu ps: irq %d\n", (unsigned long long)t, level);
}

static void h_anomaly(void *ctx, const struct e1k_anomaly *a, uint64_t t)
{
    struct fz *f = ctx;
    if ((unsigned)a->kind >= E1K_ANOM_COUNT || !a->msg)
        abort();
    mix(f, a->kind ^ (uint64_t)a->offset << 8 ^ strlen(a->msg) << 40);
    SAY("  %llu ps: anomaly %s: %s\n", (unsigned long long)t, e1k_anomaly_name(a->kind), a->msg);
}

static void h_tx(void *ctx, const uint8_t *frame, size_t len, uint64_t t)
{
    struct fz *f = ctx;
    if (len && !frame)
        abort();
    /* Touch every byte: an overread of the model's buffer shows up here. */
    uint64_t h = len;
    for (size_t i = 0; i < len; i++)
        h = (h ^ frame[i]) * 0x100000001b3ull;
    mix(f, h ^ t);
    SAY("  %llu ps: tx frame of %zu bytes\n", (unsigned long long)t, len);
}

static int h_dma_read(void *ctx, enum e1k_dma_kind kind, uint64_t addr, void *buf, size_t len)
{
    struct fz *f = ctx;
    return gmem_dma_read(f->m, kind, addr, buf, len);
}

static int h_dma_write(void *ctx, enum e1k_dma_kind kind, uint64_t addr, const void *buf,
                       size_t len)
{
    struct fz *f = ctx;
    return gmem_dma_write(f->m, kind, addr, buf, len);
}

/* ---- time ---- */

/* Dispatch every event due by `until`, one at a time, so that a device that
 * schedules events forever at one instant is caught instead of spinning. */
static void run_until(struct fz *f, simtime_t until)
{
    while (evq_next_time(f->q) <= until) {
        evq_step(f->q);
        if (evq_dispatched(f->q) > MAX_EVENTS) {
            fprintf(stderr, "fuzz_device: more than %llu events for one input (now %llu ps): "
                            "the device does not settle\n",
                    MAX_EVENTS, (unsigned long long)evq_now(f->q));
            abort();
        }
    }
    evq_run_until(f->q, until);
}

static void run_due(struct fz *f) { run_until(f, evq_now(f->q)); }
static void advance(struct fz *f, simtime_t d) { run_until(f, simt_add(evq_now(f->q), d)); }

/* ---- register access helpers ---- */

static void wreg(struct fz *f, uint32_t off, uint32_t v)
{
    e1k_mmio_write(f->d, off, v, 4);
    run_due(f);
}

static uint32_t rreg(struct fz *f, uint32_t off)
{
    uint32_t v = e1k_mmio_read(f->d, off, 4);
    mix(f, v);
    run_due(f);
    return v;
}

/* A memory-BAR offset, biased towards the register table. */
static uint32_t pick_off(struct in *in)
{
    uint8_t sel = u8(in);
    size_t n = e1k_reg_count();
    if (sel >= 0xF0)
        return u32(in) & 0x3FFFFu; /* raw, may be past the 128 KiB BAR */
    const struct e1k_reg_info *r = e1k_reg_at(sel % n);
    uint32_t off = r->offset;
    if (r->count > 1)
        off += (uint32_t)(u16(in) % r->count) * r->stride;
    return off;
}

/* Width and byte lane: mostly dwords, then words, bytes, then nonsense. */
static unsigned pick_width(struct in *in, uint32_t *off)
{
    static const unsigned odd[] = { 0, 3, 5, 8 };
    uint8_t b = u8(in);
    if (b < 0xC0)
        return 4;
    if (b < 0xE0) {
        *off += b & 2;
        return 2;
    }
    if (b < 0xF0) {
        *off += b & 3;
        return 1;
    }
    *off += (b >> 2) & 3;
    return odd[b & 3];
}

/* A guest-physical address the harness writes to, biased towards the rings. */
static uint64_t pick_addr(struct fz *f, struct in *in)
{
    uint8_t sel = u8(in);
    switch (sel >> 6) {
    case 0:
        return f->tx_base + (uint64_t)(u8(in) % (f->tx_n ? f->tx_n : 8)) * 16 + (sel & 15);
    case 1:
        return f->rx_base + (uint64_t)(u8(in) % (f->rx_n ? f->rx_n : 8)) * 16 + (sel & 15);
    case 2:
        return TXBUF_LO + (uint64_t)(u16(in) % ((RXBUF_HI - TXBUF_LO) / 16)) * 16 + (sel & 15);
    default:
        return u32(in) & (GMEM_SIZE * 2 - 1);
    }
}

/* A buffer address the device will DMA to or from: mostly fresh buffers,
 * sometimes anything at all (outside RAM, in the hole, near 2^64). */
static uint64_t buf_alloc(uint64_t *next, uint64_t lo, uint64_t hi, size_t len)
{
    if (len > hi - lo)
        len = hi - lo;
    if (*next < lo || *next + len > hi)
        *next = lo;
    uint64_t a = *next;
    *next = (a + len + 15) & ~(uint64_t)15;
    return a;
}

static uint64_t odd_addr(struct in *in)
{
    static const uint64_t special[] = {
        0, GMEM_SIZE - 8, GMEM_SIZE - 1, GMEM_SIZE, HOLE_BASE - 4, HOLE_BASE + 0x100,
        0xFFFFFFFFFFFFFFF0ull, 0x100000000ull, TXBUF_LO + 1,
    };
    uint8_t s = u8(in);
    if (s < 2 * (sizeof(special) / sizeof(special[0])))
        return special[s / 2];
    return u64(in);
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void gwrite(struct fz *f, uint64_t addr, const void *src, size_t len)
{
    void *p = gmem_ptr(f->m, addr, len);
    if (p)
        memcpy(p, src, len);
}

/* Ethernet + IPv4 + TCP (or UDP) header template, 54 (42) bytes. */
static size_t make_headers(uint8_t *h, int udp, size_t paylen, const uint8_t dst[6])
{
    static const uint8_t src[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
    memcpy(h, dst, 6);
    memcpy(h + 6, src, 6);
    h[12] = 0x08;
    h[13] = 0x00;
    uint8_t *ip = h + 14;
    size_t l4 = udp ? 8 : 20;
    size_t tot = 20 + l4 + paylen;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    ip[2] = (uint8_t)(tot >> 8);
    ip[3] = (uint8_t)tot;
    ip[4] = 0x12;
    ip[5] = 0x34;
    ip[6] = 0x40;
    ip[8] = 64;
    ip[9] = udp ? 17 : 6;
    ip[12] = 10, ip[15] = 1;
    ip[16] = 10, ip[19] = 2;
    uint8_t *l = ip + 20;
    memset(l, 0, l4);
    l[0] = 0x04, l[1] = 0xD2; /* port 1234 */
    l[2] = 0x00, l[3] = 0x50; /* port 80 */
    if (udp) {
        l[4] = (uint8_t)((8 + paylen) >> 8);
        l[5] = (uint8_t)(8 + paylen);
    } else {
        l[7] = 1;      /* seq */
        l[12] = 0x50;  /* data offset 5 */
        l[13] = 0x18;  /* PSH ACK */
        l[14] = 0xFF;  /* window */
    }
    return 14 + 20 + l4;
}

static void fill_pattern(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 31);
}

/* ---- transmit ---- */

static void tx_ring_default(struct fz *f)
{
    if (!f->tx_n) {
        f->tx_base = tx_ring_bases[0];
        f->tx_n = 8;
    }
}

static void tx_put(struct fz *f, const uint8_t desc[16])
{
    tx_ring_default(f);
    gwrite(f, f->tx_base + (uint64_t)f->tx_tail * 16, desc, 16);
    mix(f, f->tx_tail);
    f->tx_tail = (f->tx_tail + 1) % f->tx_n;
}

static void tx_kick(struct fz *f) { wreg(f, E1K_REG_TDT, f->tx_tail); }

static void op_tx_setup(struct fz *f, struct in *in)
{
    uint8_t b = u8(in), n = u8(in), fl = u8(in);
    f->tx_base = b >= 0xF0 ? (u32(in) & ~3u) : tx_ring_bases[b % 4];
    f->tx_n = (uint32_t)(n % 32 + 1) * 8; /* TDLEN is a multiple of 128 bytes */
    f->tx_tail = 0;
    uint32_t tdlen = fl & 1 ? u32(in) : f->tx_n * 16;
    if (fl & 2)
        wreg(f, E1K_REG_TDBAH, u32(in));
    else
        wreg(f, E1K_REG_TDBAH, 0);
    wreg(f, E1K_REG_TDBAL, (uint32_t)f->tx_base);
    wreg(f, E1K_REG_TDLEN, tdlen);
    wreg(f, E1K_REG_TDH, 0);
    wreg(f, E1K_REG_TDT, 0);
    if (fl & 4)
        wreg(f, E1K_REG_TIPG, 0x00602008);
    if (fl & 8) /* IFS / delay-interrupt settings the Linux driver uses */
        wreg(f, E1K_REG_TIDV, 8);
    if (fl & 16)
        wreg(f, E1K_REG_TADV, 32);
    if (fl & 32)
        wreg(f, E1K_REG_CTRL, e1k_reg_peek(f->d, E1K_REG_CTRL) | E1K_CTRL_SLU | E1K_CTRL_FD);
    if (fl & 64)
        wreg(f, E1K_REG_IMS, 0x1FAD7);
    if (!(fl & 128))
        wreg(f, E1K_REG_TCTL, E1K_TCTL_EN | E1K_TCTL_PSP | (0x0Fu << E1K_TCTL_CT_SHIFT) |
                                  (0x40u << E1K_TCTL_COLD_SHIFT));
}

/* Fill a TX data buffer: a header template or a pattern. */
static uint64_t tx_buffer(struct fz *f, size_t len, uint8_t style)
{
    uint64_t a = buf_alloc(&f->txbuf_next, TXBUF_LO, TXBUF_HI, len ? len : 1);
    uint8_t *p = gmem_ptr(f->m, a, len);
    if (p && len) {
        fill_pattern(p, len, style);
        if (len >= 54 && (style & 1)) {
            static const uint8_t dst[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
            make_headers(p, style & 2, len - 54, dst);
        }
    }
    return a;
}

static void op_tx_desc(struct fz *f, struct in *in)
{
    uint8_t kind = u8(in);
    uint8_t d[16] = { 0 };
    switch (kind & 3) {
    case 0: { /* legacy (SDM 3.3.3) */
        uint16_t len = u16(in) % 2048;
        uint8_t cmd = u8(in), cso = u8(in), css = u8(in);
        uint64_t a = kind & 0x40 ? odd_addr(in) : tx_buffer(f, len, cmd);
        put_le(d, a, 8);
        put_le(d + 8, len, 2);
        d[10] = cso;
        d[11] = (uint8_t)((cmd & ~0x20u) | 0x01u * !(kind & 0x20)); /* DEXT off; EOP usually */
        d[13] = css;
        put_le(d + 14, u16(in), 2);
        break;
    }
    case 1: /* context (SDM 3.3.6): all fields from the input */
        for (int i = 0; i < 16; i++)
            d[i] = u8(in);
        d[10] = (uint8_t)(d[10] & 0x0F); /* DTYP 0 (context) */
        d[11] |= 0x20;                   /* DEXT */
        break;
    case 2: { /* data (SDM 3.3.7) */
        uint32_t len = u16(in) % 16384;
        uint8_t dcmd = u8(in), popts = u8(in);
        uint64_t a = kind & 0x40 ? odd_addr(in) : tx_buffer(f, len, dcmd);
        put_le(d, a, 8);
        put_le(d + 8, len | 1u << 20 | (uint32_t)(dcmd | 0x20 | !(kind & 0x20)) << 24, 4);
        d[13] = popts;
        put_le(d + 14, u16(in), 2);
        break;
    }
    default:
        for (int i = 0; i < 16; i++)
            d[i] = u8(in);
        break;
    }
    tx_put(f, d);
    if (kind & 0x80)
        tx_kick(f);
}

static void op_tx_desc_raw(struct fz *f, struct in *in)
{
    tx_ring_default(f);
    uint32_t slot = u8(in) % f->tx_n;
    uint8_t d[16];
    for (int i = 0; i < 16; i++)
        d[i] = u8(in);
    gwrite(f, f->tx_base + (uint64_t)slot * 16, d, 16);
}

/* A TCP/UDP segmentation (or checksum-offload) packet: one context
 * descriptor, then the header and payload over `nsplit` data descriptors
 * (SDM 3.5). `mode` bends it: UDP, no TSE, VLAN, IDE/RS, no IFCS, no EOP;
 * `perturb` overwrites one byte of the context descriptor. */
static void op_tso(struct fz *f, struct in *in)
{
    uint8_t mode = u8(in);
    uint16_t mss = u16(in);
    uint32_t paylen = u16(in);
    unsigned nsplit = u8(in) % 4 + 1;
    uint8_t pidx = u8(in), pval = u8(in);
    int udp = mode & 1, tse = !(mode & 2);
    size_t hdrlen = udp ? 42 : 54;
    size_t total = hdrlen + paylen;
    uint64_t a = buf_alloc(&f->txbuf_next, TXBUF_LO, TXBUF_HI, total);
    uint8_t *p = gmem_ptr(f->m, a, total);
    if (p) {
        static const uint8_t dst[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
        fill_pattern(p + hdrlen, paylen, mode);
        make_headers(p, udp, paylen, dst);
    }
    uint8_t c[16] = { 0 };
    c[0] = 14;                        /* IPCSS */
    c[1] = 14 + 10;                   /* IPCSO */
    put_le(c + 2, 14 + 20 - 1, 2);    /* IPCSE */
    c[4] = 34;                        /* TUCSS */
    c[5] = (uint8_t)(34 + (udp ? 6 : 16)); /* TUCSO */
    put_le(c + 6, 0, 2);              /* TUCSE: to the end */
    uint8_t tucmd = (uint8_t)(0x20 | (tse ? 0x04 : 0) | 0x02 | (udp ? 0 : 0x01) |
                              (mode & 0x10 ? 0x80 : 0) | (mode & 0x20 ? 0x08 : 0));
    put_le(c + 8, (tse ? paylen : 0) & 0xFFFFF, 4); /* PAYLEN, DTYP 0 */
    c[11] = tucmd;
    c[13] = (uint8_t)hdrlen;
    put_le(c + 14, mss, 2);
    if (mode & 4)
        c[pidx & 15] = pval;
    tx_put(f, c);
    size_t off = 0;
    for (unsigned i = 0; i < nsplit; i++) {
        size_t len = i + 1 == nsplit ? total - off : (i == 0 ? hdrlen : (total - off) / 2);
        uint8_t d[16] = { 0 };
        uint8_t dcmd = (uint8_t)(0x20 | (tse ? 0x04 : 0) | (mode & 0x40 ? 0 : 0x02) |
                                 (mode & 0x08 ? 0x40 : 0) | (mode & 0x20 ? 0x08 : 0) |
                                 (mode & 0x10 ? 0x80 : 0));
        if (i + 1 == nsplit && !(mode & 0x80))
            dcmd |= 0x01; /* EOP */
        put_le(d, a + off, 8);
        put_le(d + 8, (uint32_t)(len & 0xFFFFF) | 1u << 20 | (uint32_t)dcmd << 24, 4);
        d[13] = 0x03; /* POPTS: IXSM | TXSM */
        put_le(d + 14, 0x0123, 2);
        tx_put(f, d);
        off += len;
    }
    tx_kick(f);
}

/* ---- receive ---- */

static void rx_put(struct fz *f, uint64_t buf, uint8_t status)
{
    uint8_t d[16] = { 0 };
    put_le(d, buf, 8);
    d[12] = status;
    gwrite(f, f->rx_base + (uint64_t)f->rx_tail * 16, d, 16);
}

static void op_rx_setup(struct fz *f, struct in *in)
{
    uint8_t b = u8(in), n = u8(in), fl = u8(in), rb = u8(in);
    f->rx_base = b >= 0xF0 ? (u32(in) & ~3u) : rx_ring_bases[b % 4];
    f->rx_n = (uint32_t)(n % 16 + 1) * 8;
    uint32_t rdlen = fl & 1 ? u32(in) : f->rx_n * 16;
    /* Every descriptor gets a 2 KiB buffer (16 KiB ones would overlap; fine). */
    for (f->rx_tail = 0; f->rx_tail < f->rx_n; f->rx_tail++)
        rx_put(f, buf_alloc(&f->rxbuf_next, RXBUF_LO, RXBUF_HI, 2048), 0);
    f->rx_tail = f->rx_n - 1;
    wreg(f, E1K_REG_RDBAH, 0);
    wreg(f, E1K_REG_RDBAL, (uint32_t)f->rx_base);
    wreg(f, E1K_REG_RDLEN, rdlen);
    wreg(f, E1K_REG_RDH, 0);
    wreg(f, E1K_REG_RDT, fl & 2 ? 0 : f->rx_tail);
    if (fl & 4)
        wreg(f, E1K_REG_RXCSUM, 0x300 | 14); /* IPOFL TUOFL, PCSS 14 */
    if (fl & 8)
        wreg(f, E1K_REG_RDTR, 0);
    if (fl & 16)
        wreg(f, E1K_REG_RADV, 8);
    if (fl & 32)
        wreg(f, E1K_REG_CTRL, e1k_reg_peek(f->d, E1K_REG_CTRL) | E1K_CTRL_SLU | E1K_CTRL_FD);
    if (fl & 64)
        wreg(f, E1K_REG_IMS, 0x1FAD7);
    /* RCTL: EN, and from rb: SBP UPE MPE LPE, LBM, RDMTS, BAM, BSIZE/BSEX, VFE, SECRC. */
    uint32_t rctl = E1K_RCTL_EN;
    rctl |= (uint32_t)(rb & 0x0F) << 2;               /* SBP UPE MPE LPE */
    rctl |= rb & 0x10 ? E1K_RCTL_BAM : 0;
    rctl |= rb & 0x20 ? E1K_RCTL_SECRC : 0;
    rctl |= (uint32_t)((rb >> 6) & 3) << E1K_RCTL_BSIZE_SHIFT;
    if (fl & 128)
        rctl |= E1K_RCTL_LBM_MAC | E1K_RCTL_VFE | E1K_RCTL_BSEX;
    wreg(f, E1K_REG_RCTL, rctl);
}

static void op_rx_desc(struct fz *f, struct in *in)
{
    uint8_t fl = u8(in);
    if (!f->rx_n) {
        f->rx_base = rx_ring_bases[0];
        f->rx_n = 8;
    }
    uint64_t a = fl & 1 ? odd_addr(in) : buf_alloc(&f->rxbuf_next, RXBUF_LO, RXBUF_HI, 2048);
    rx_put(f, a, fl & 2 ? u8(in) : 0);
    f->rx_tail = (f->rx_tail + 1) % f->rx_n;
    if (!(fl & 4))
        wreg(f, E1K_REG_RDT, f->rx_tail);
}

static void op_rx_frame(struct fz *f, struct in *in)
{
    static const uint16_t lens[] = { 0,    1,    4,    13,   14,   18,    59,    60,
                                     63,   64,   65,   68,   100,  512,   1514,  1518,
                                     1519, 1522, 1523, 2048, 2049, 4096,  9018,  16384,
                                     16385, 16388 };
    uint8_t ls = u8(in), ds = u8(in), ts = u8(in), fl = u8(in);
    size_t nl = sizeof(lens) / sizeof(lens[0]);
    size_t len = ls < 2 * nl ? lens[ls / 2] : u16(in) % 16400;
    uint8_t *fr = malloc(len ? len : 1); /* exactly len: the model must not read past it */
    if (!fr)
        return;
    uint8_t tmp[64 + 1600];
    size_t body = len >= 4 ? len - 4 : len;
    memset(tmp, 0, sizeof(tmp));
    uint8_t dst[6];
    uint32_t ral = e1k_reg_peek(f->d, E1K_REG_RAL), rah = e1k_reg_peek(f->d, E1K_REG_RAH);
    switch (ds % 6) {
    case 0: put_le(dst, ral, 4), put_le(dst + 4, rah, 2); break;
    case 1: memset(dst, 0xFF, 6); break;
    case 2: memcpy(dst, (const uint8_t[]){ 0x01, 0x00, 0x5E, 0x00, 0x00, 0x01 }, 6);
            dst[5] = (uint8_t)(ds >> 3); break;
    case 3: memcpy(dst, (const uint8_t[]){ 0x01, 0x80, 0xC2, 0x00, 0x00, 0x01 }, 6); break;
    case 4: for (int i = 0; i < 6; i++) dst[i] = u8(in); break;
    default: memcpy(dst, (const uint8_t[]){ 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 }, 6); break;
    }
    size_t payload = len > 60 ? len - 58 : 0;
    switch (ts % 6) {
    case 0: make_headers(tmp, 0, payload, dst); break;
    case 1: make_headers(tmp, 1, payload, dst); break;
    case 2: /* 802.1Q tagged IPv4 */
        make_headers(tmp + 4, 0, payload, dst);
        memmove(tmp, tmp + 4, 12);
        tmp[12] = 0x81, tmp[13] = 0x00, tmp[14] = ts, tmp[15] = 0x05;
        break;
    case 3: /* PAUSE (802.3 Annex 31B) */
        memcpy(tmp, dst, 6);
        tmp[12] = 0x88, tmp[13] = 0x08, tmp[14] = 0x00, tmp[15] = 0x01;
        tmp[16] = u8(in), tmp[17] = u8(in);
        break;
    case 4: /* ARP-ish */
        memcpy(tmp, dst, 6);
        tmp[12] = 0x08, tmp[13] = 0x06;
        break;
    default: /* raw bytes after the destination */
        memcpy(tmp, dst, 6);
        for (size_t i = 6; i < 64; i++)
            tmp[i] = u8(in);
        break;
    }
    size_t ncopy = body < sizeof(tmp) ? body : sizeof(tmp);
    memcpy(fr, tmp, ncopy);
    if (body > ncopy)
        fill_pattern(fr + ncopy, body - ncopy, fl);
    /* A few fuzzer bytes anywhere in the frame. */
    for (unsigned k = 0; k < (fl >> 5) && body; k++) {
        size_t at = u16(in) % body;
        fr[at] = u8(in);
    }
    if (len >= 4) {
        uint32_t fcs = crc32_ieee(fr, body);
        if (fl & 1)
            fcs ^= 1u << (fl >> 1 & 31); /* a CRC error */
        put_le(fr + body, fcs, 4);
    }
    enum e1k_rx_result r = e1k_rx_frame(f->d, fr, len);
    free(fr);
    if ((unsigned)r > E1K_RX_DROPPED)
        abort();
    SAY("  rx frame of %zu bytes: %s\n", len,
        r == E1K_RX_ACCEPTED ? "accepted" : r == E1K_RX_FILTERED ? "filtered" : "dropped");
    mix(f, r);
    run_due(f);
}

/* ---- EEPROM over EECD (93C46 Microwire, SDM 5.3, 13.4.3) ---- */

struct ee {
    struct fz *f;
    uint32_t base; /* REQ (or not), held through the command */
};

static void ee_w(struct ee *e, uint32_t v) { wreg(e->f, E1K_REG_EECD, e->base | v); }

static void ee_out(struct ee *e, uint32_t bits, unsigned n)
{
    for (unsigned i = n; i-- > 0;) {
        uint32_t di = (bits >> i) & 1 ? E1K_EECD_DI : 0;
        ee_w(e, E1K_EECD_CS | di);
        ee_w(e, E1K_EECD_CS | di | E1K_EECD_SK);
        ee_w(e, E1K_EECD_CS | di);
    }
}

static uint32_t ee_in(struct ee *e, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        ee_w(e, E1K_EECD_CS | E1K_EECD_SK);
        v = v << 1 | !!(rreg(e->f, E1K_REG_EECD) & E1K_EECD_DO);
        ee_w(e, E1K_EECD_CS);
    }
    return v;
}

static void ee_cs_cycle(struct ee *e)
{
    ee_w(e, 0);
    ee_w(e, E1K_EECD_CS);
}

static void op_eeprom(struct fz *f, struct in *in)
{
    uint8_t mode = u8(in);
    struct ee e = { f, mode & 0x10 ? 0 : E1K_EECD_REQ };
    ee_w(&e, 0);
    if (e.base)
        rreg(f, E1K_REG_EECD); /* look for the grant like the driver does */
    ee_w(&e, E1K_EECD_CS);
    uint8_t addr = u8(in) & 0x3F;
    switch (mode & 3) {
    case 0: /* READ: 1 10 A5..A0, then 16 data bits (or more: sequential read) */
        ee_out(&e, 0x180u | addr, 9);
        ee_in(&e, mode & 0x20 ? 48 : 16);
        break;
    case 1: /* EWEN, WRITE A <- data, then poll ready */
        ee_out(&e, 0x130, 9);
        ee_cs_cycle(&e);
        ee_out(&e, 0x140u | addr, 9);
        ee_out(&e, u16(in), 16);
        ee_cs_cycle(&e);
        ee_in(&e, 2);
        if (mode & 0x20) { /* EWDS */
            ee_cs_cycle(&e);
            ee_out(&e, 0x100, 9);
        }
        break;
    case 2: { /* raw bits out, then some in */
        unsigned n = u8(in) % 32 + 1;
        ee_out(&e, u32(in), n);
        ee_in(&e, u8(in) % 20);
        break;
    }
    default: { /* ERASE / ERAL / WRAL / EWDS, preceded by EWEN */
        static const uint32_t cmds[] = { 0x1C0, 0x120, 0x110, 0x100 };
        ee_out(&e, 0x130, 9);
        ee_cs_cycle(&e);
        uint32_t c = cmds[(mode >> 2) & 3];
        ee_out(&e, c == 0x1C0 ? c | addr : c, 9);
        if (c == 0x110)
            ee_out(&e, u16(in), 16);
        ee_cs_cycle(&e);
        ee_in(&e, 2);
        break;
    }
    }
    if (!(mode & 0x40))
        ee_w(&e, 0); /* CS low */
    if (!(mode & 0x80))
        wreg(f, E1K_REG_EECD, 0); /* release the request */
}

static void op_eerd(struct fz *f, struct in *in)
{
    uint8_t a = u8(in), fl = u8(in);
    uint32_t addr = fl & 1 ? a : a & 0x3F;
    wreg(f, E1K_REG_EERD, E1K_EERD_START | addr << E1K_EERD_ADDR_SHIFT);
    if (fl & 2)
        rreg(f, E1K_REG_EERD); /* before DONE */
    if (!(fl & 4))
        advance(f, 30 * SIMT_US);
    rreg(f, E1K_REG_EERD);
}

/* ---- MDIC ---- */

static void op_mdic(struct fz *f, struct in *in)
{
    uint8_t fl = u8(in), reg = u8(in);
    uint16_t data = u16(in);
    uint32_t phy = fl & 0x80 ? (uint32_t)(reg >> 5) : 1;
    uint32_t opc = fl & 0x40 ? (uint32_t)(fl & 3) : (fl & 1 ? 1u : 2u); /* write / read */
    uint32_t v = data | (uint32_t)(reg & 31) << E1K_MDIC_REG_SHIFT | phy << E1K_MDIC_PHY_SHIFT |
                 opc << E1K_MDIC_OP_SHIFT | (fl & 4 ? E1K_MDIC_INT_EN : 0);
    wreg(f, E1K_REG_MDIC, v);
    if (fl & 8)
        rreg(f, E1K_REG_MDIC); /* before READY */
    if (!(fl & 16))
        advance(f, 30 * SIMT_US);
    rreg(f, E1K_REG_MDIC);
}

/* ---- misc ---- */

static void op_link(struct fz *f, struct in *in)
{
    uint8_t b = u8(in);
    uint32_t v = E1K_CTRL_SLU;
    v |= b & 1 ? E1K_CTRL_FD : 0;
    v |= b & 2 ? E1K_CTRL_ASDE : 0;
    v |= b & 4 ? E1K_CTRL_FRCSPD | E1K_CTRL_FRCDPLX : 0;
    v |= (uint32_t)((b >> 3) & 3) << 8; /* SPEED */
    v |= b & 0x20 ? E1K_CTRL_RFCE | E1K_CTRL_TFCE : 0;
    v |= b & 0x40 ? E1K_CTRL_VME : 0;
    if (b == 0xFF)
        v = E1K_CTRL_RST;
    else if (b == 0xFE)
        v |= E1K_CTRL_PHY_RST;
    wreg(f, E1K_REG_CTRL, v);
}

static void op_intr(struct fz *f, struct in *in)
{
    static const uint32_t regs[] = { E1K_REG_IMS, E1K_REG_IMC,  E1K_REG_ICS,  E1K_REG_ICR,
                                     E1K_REG_ITR, E1K_REG_RDTR, E1K_REG_RADV, E1K_REG_TIDV,
                                     E1K_REG_TADV };
    uint8_t s = u8(in);
    uint32_t v = u32(in);
    uint32_t off = regs[s % (sizeof(regs) / sizeof(regs[0]))];
    if (off == E1K_REG_ICR && (s & 0x80))
        rreg(f, off);
    else
        wreg(f, off, off == E1K_REG_ITR || off >= E1K_REG_RDTR ? v & 0x8000FFFFu : v);
}

static void op_hotreg(struct fz *f, struct in *in)
{
    static const uint32_t regs[] = {
        E1K_REG_CTRL,  E1K_REG_TCTL,  E1K_REG_RCTL,   E1K_REG_RXCSUM, E1K_REG_RAL,
        E1K_REG_RAH,   E1K_REG_MTA,   E1K_REG_VFTA,   E1K_REG_FCRTH,  E1K_REG_FCRTL,
        E1K_REG_FCTTV, E1K_REG_PBA,   E1K_REG_TIPG,   E1K_REG_TXDCTL, E1K_REG_RXDCTL,
        E1K_REG_VET,   E1K_REG_FCAL,  E1K_REG_FCAH,   E1K_REG_FCT,    E1K_REG_TDH,
        E1K_REG_RDH,   E1K_REG_TDLEN, E1K_REG_RDLEN,  E1K_REG_CTRL_EXT, E1K_REG_MANC,
        E1K_REG_WUC,   E1K_REG_WUFC,  E1K_REG_RSRPD,  E1K_REG_TSPMT,  E1K_REG_AIT,
    };
    uint8_t s = u8(in);
    wreg(f, regs[s % (sizeof(regs) / sizeof(regs[0]))], u32(in));
}

static void op_read_all(struct fz *f)
{
    for (size_t i = 0; i < e1k_reg_count(); i++) {
        const struct e1k_reg_info *r = e1k_reg_at(i);
        rreg(f, r->offset);
        if (r->count > 1)
            rreg(f, r->offset + (uint32_t)(r->count - 1) * r->stride);
    }
}

/* ---- one run ---- */

static uint64_t run(const uint8_t *data, size_t size)
{
    struct in in = { data, size, 0 };
    if (verbose < 0)
        verbose = getenv("FUZZ_DEVICE_TRACE") != NULL;
    struct fz f;
    memset(&f, 0, sizeof(f));
    f.hash = 0xcbf29ce484222325ull;
    uint8_t c0 = u8(&in);
    struct e1k_config cfg;
    e1k_config_default(&cfg);
    if (c0 & 1)
        e1k_timing_functional(&cfg.timing);
    cfg.cable_connected = !(c0 & 2);
    cfg.partner_speeds = (c0 >> 2) & 7 ? (c0 >> 2) & 7 : 7;
    if (c0 & 0x20)
        cfg.flash_size = 64u << 10;
    uint16_t img[64];
    if (c0 & 0x40) { /* a few EEPROM words changed (ICW1/ICW2, LED, checksum...) */
        e1k_eeprom_default_image(&cfg, img);
        unsigned k = u8(&in) % 5;
        for (unsigned i = 0; i < k; i++) {
            uint8_t a = u8(&in);
            img[a & 63] = u16(&in);
        }
        cfg.eeprom_image = img;
    }

    f.q = evq_new();
    f.m = gmem_new(GMEM_SIZE);
    if (!f.q || !f.m || gmem_add_hole(f.m, HOLE_BASE, HOLE_SIZE))
        abort();
    struct simnic_hooks hooks = {
        .ctx = &f, .irq = h_irq, .anomaly = h_anomaly, .tx_frame = h_tx,
        .dma_read = h_dma_read, .dma_write = h_dma_write,
    };
    f.nic = simnic_new(f.q, &cfg, &hooks);
    if (!f.nic)
        abort();
    f.d = simnic_dev(f.nic);
    /* as firmware and the driver leave it: decoding and bus mastering on
     * (the PCI config operations may turn them off again) */
    e1k_pci_write(f.d, 0x04, 0x0007, 2);
    f.txbuf_next = TXBUF_LO;
    f.rxbuf_next = RXBUF_LO;
    run_due(&f);

    for (unsigned ops = 0; ops < MAX_OPS && in.i < in.n; ops++) {
        uint8_t op = u8(&in) % OP_COUNT;
        SAY("%llu ps: op %u at byte %zu\n", (unsigned long long)evq_now(f.q), op, in.i - 1);
        switch ((enum op)op) {
        case OP_MMIO_W: {
            uint32_t off = pick_off(&in);
            unsigned w = pick_width(&in, &off);
            e1k_mmio_write(f.d, off, u32(&in), w);
            break;
        }
        case OP_MMIO_R: {
            uint32_t off = pick_off(&in);
            unsigned w = pick_width(&in, &off);
            mix(&f, e1k_mmio_read(f.d, off, w));
            break;
        }
        case OP_IO_ADDR:
            e1k_io_write(f.d, 0, pick_off(&in), 4);
            break;
        case OP_IO_DATA_W:
            e1k_io_write(f.d, 4, u32(&in), 4);
            break;
        case OP_IO_DATA_R:
            mix(&f, e1k_io_read(f.d, 4, 4));
            break;
        case OP_IO_RAW: {
            uint8_t s = u8(&in);
            uint32_t off = s & 0x0F;
            if (s & 0x10)
                off |= u32(&in);
            unsigned w = pick_width(&in, &off);
            if (s & 0x80)
                e1k_io_write(f.d, off, u32(&in), w);
            else
                mix(&f, e1k_io_read(f.d, off, w));
            break;
        }
        case OP_PCI_R: {
            uint32_t off = u8(&in);
            unsigned w = pick_width(&in, &off);
            mix(&f, e1k_pci_read(f.d, off, w));
            break;
        }
        case OP_PCI_W: {
            uint32_t off = u8(&in);
            unsigned w = pick_width(&in, &off);
            if (off == 0xFF) /* an offset past the config space */
                off = u32(&in);
            e1k_pci_write(f.d, off, u32(&in), w);
            break;
        }
        case OP_MEM_W: {
            uint64_t a = pick_addr(&f, &in);
            size_t n = u8(&in);
            if (n > in.n - in.i)
                n = in.n - in.i;
            gwrite(&f, a, in.p + in.i, n);
            in.i += n;
            break;
        }
        case OP_TX_SETUP: op_tx_setup(&f, &in); break;
        case OP_TX_DESC: op_tx_desc(&f, &in); break;
        case OP_TX_DESC_RAW: op_tx_desc_raw(&f, &in); break;
        case OP_TX_KICK: {
            uint8_t s = u8(&in);
            if (s & 1)
                wreg(&f, E1K_REG_TDT, u8(&in));
            else
                tx_kick(&f);
            break;
        }
        case OP_TSO: op_tso(&f, &in); break;
        case OP_RX_SETUP: op_rx_setup(&f, &in); break;
        case OP_RX_DESC: op_rx_desc(&f, &in); break;
        case OP_RX_FRAME: op_rx_frame(&f, &in); break;
        case OP_CABLE: e1k_set_cable(f.d, u8(&in) & 1); break;
        case OP_TIME: {
            uint8_t b = u8(&in);
            advance(&f, ((simtime_t)(1 + (b & 7)) << (b >> 3)) * SIMT_NS);
            break;
        }
        case OP_EEPROM: op_eeprom(&f, &in); break;
        case OP_EERD: op_eerd(&f, &in); break;
        case OP_MDIC: op_mdic(&f, &in); break;
        case OP_LINK: op_link(&f, &in); break;
        case OP_INTR: op_intr(&f, &in); break;
        case OP_HOTREG: op_hotreg(&f, &in); break;
        case OP_READ_ALL: op_read_all(&f); break;
        case OP_PCI_RESET: e1k_pci_reset(f.d); break;
        case OP_COUNT: break;
        }
        run_due(&f);
    }
    /* Let what was started finish: frames on the wire, timers. */
    advance(&f, 10 * SIMT_MS);
    mix(&f, e1k_irq_level(f.d));
    mix(&f, e1k_anomaly_total(f.d));
    const struct gmem_counters *gc = gmem_counters(f.m);
    for (int k = 0; k < E1K_DMA_KINDS; k++)
        mix(&f, gc->bytes[k]);
    uint64_t h = f.hash;
    simnic_free(f.nic);
    gmem_free(f.m);
    evq_free(f.q);
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t h = run(data, size);
    /* Byte 0 bit 7: run twice and compare everything observable. */
    if (size && (data[0] & 0x80) && run(data, size) != h) {
        fprintf(stderr, "fuzz_device: two runs of the same input differ (nondeterminism)\n");
        abort();
    }
    return 0;
}
