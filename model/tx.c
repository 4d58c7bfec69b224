/* The transmit engine (SDM 3.3 descriptors, 3.4 transmit path, 3.5 TCP
 * segmentation, 3.6 checksum offload; registers 13.4.33-13.4.45).
 *
 * Event-driven: e1k_tx_kick arms E1K_TIMER_TX when there is work; each step
 * does a bounded amount of it (at most TX_STEP_DESCS descriptors, and at most
 * one frame on the wire) and re-arms itself while work remains and progress
 * was made. The delay of every step comes from tx_step_delay(), the one
 * place a timing model will attach to.
 *
 * Choices where the SDM is silent or the guest is nonsensical (each recorded
 * as an anomaly where it is the guest's doing):
 * - A descriptor fetch the host refuses stalls the ring (TDH stays) until the
 *   guest writes TDT or TCTL again; TDLEN 0, TDH or TDT beyond the ring do
 *   the same. A refused data DMA drops the packet; its descriptors are still
 *   completed (the real device would master-abort).
 * - Descriptors with RS are written back when processed, the EOP descriptor
 *   after its frame (or last segment) left; the write-back is the upper
 *   dword (bytes 12-15) as fetched with STA = DD, as the hardware writes it.
 *   RPS (82544 only, reserved on the 82540EM) is honoured like RS.
 * - A packet spanning a whole ring without EOP is dropped when its descriptor
 *   count reaches the ring size; a packet larger than 16288 bytes (SDM 3.3.3)
 *   or a TSO send whose payload exceeds 256 KiB is dropped at EOP.
 * - A TSO send whose context does not fit its data (MSS 0, HDRLEN beyond the
 *   data, header fields or checksum offsets outside HDRLEN, PAYLEN not the
 *   payload, segment larger than the transmit FIFO allows) is dropped as a
 *   whole and counted in TSCTFC.
 * - IPv6 TSO: the payload length written per segment excludes the 40-byte
 *   fixed header (IPv6 semantics). SDM 3.5.9 prints "MSS + HDRLEN - IPCSS",
 *   which would count it; Linux's e1000 driver never asks for IPv6 TSO. */
#include <stdlib.h>
#include <string.h>

#include "dev.h"

/* CMD (legacy) / DCMD (data) / TUCMD (context) bits, SDM 3.3.3.1, 3.3.7.1,
 * 3.3.6.1. IC (legacy) and TSE (data, context) share bit 2. */
#define TXD_EOP 0x01u
#define TXD_IFCS 0x02u
#define TXD_IC 0x04u
#define TXD_TSE 0x04u
#define TXD_RS 0x08u
#define TXD_RPS 0x10u
#define TXD_DEXT 0x20u
#define TXD_VLE 0x40u
#define TXD_IDE 0x80u
#define TUCMD_TCP 0x01u
#define TUCMD_IP 0x02u
#define TXD_STA_DD 0x01u
#define POPTS_IXSM 0x01u
#define POPTS_TXSM 0x02u
#define DTYP_CONTEXT 0x0u
#define DTYP_DATA 0x1u

#define TCP_FIN 0x01u
#define TCP_PSH 0x08u

#define TX_MAX_PKT 16288u                    /* SDM 3.3.3: largest packet */
#define TX_MAX_PAYLEN (256u * 1024u)          /* largest TSO payload accepted */
#define TX_MAX_GATHER (255u + TX_MAX_PAYLEN) /* HDRLEN is 8 bits */
#define TX_FRAME_CAP (TX_MAX_PKT + 4 + 64 + 4) /* + VLAN tag, padding, FCS */
#define TX_PKT_INIT (16u * 1024u + 128u)
#define TX_STEP_DESCS 64u
#define LWTHRESH_SHIFT 25 /* TXDCTL.LWTHRESH 31:25 (SDM 13.4.43) */

/* ------------------------------------------------------------------------ */
/* small helpers */

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }
static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void put_be16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static void put_be32(uint8_t *p, uint32_t v)
{
    put_be16(p, v >> 16);
    put_be16(p + 2, v);
}

/* The one place the duration of a step is decided: the DMA the step did
 * (descriptor fetches, data, write-backs; e1k_dma_cost), and no earlier than
 * the transmit FIFO has room for another maximum-size frame (the DMA side
 * runs ahead of the wire by at most the FIFO, PBA's TX allocation). */
static uint64_t tx_fifo_bytes(const struct e1k_dev *d)
{
    uint32_t rxa = rd(d, E1K_REG_PBA) & 0x7F;
    return rxa < 64 ? (uint64_t)(64 - rxa) * 1024 : 1024;
}

static uint64_t tx_step_delay(const struct e1k_dev *d, uint64_t dma_ps)
{
    uint64_t delay = dma_ps;
    const struct e1k_tx *t = &d->tx;
    /* room for a standard frame (the DMA fetches a packet only when the FIFO
     * can take it); the queued bytes drain at the line rate from the start
     * of the frame on the wire */
    uint64_t fifo = tx_fifo_bytes(d), need = fifo / 2 < 2048 ? fifo / 2 : 2048;
    if (t->wq_len && t->wq_bytes + need > fifo) {
        uint64_t bt = 8000000ull / e1k_mac_speed(d);
        uint64_t now = e1k_now(d);
        uint64_t from = t->on_wire && t->head_start > now ? t->head_start : now;
        uint64_t t_room = from + (t->wq_bytes + need - fifo) * bt;
        if (t_room > now + delay)
            delay = t_room - now;
    }
    return delay;
}

/* A frame leaves: to the host (or the receiver in loopback). */
static void frame_out(struct e1k_dev *d, const uint8_t *f, size_t len, uint64_t t,
                      uint8_t flags)
{
    e1k_intr_tx_frame(d);
    if (d->host.frame_event && (flags & E1K_WIRE_LAST))
        d->host.frame_event(d->host.ctx, E1K_EV_TX_WIRE, t);
    e1k_mac_tx_out(d, f, len);
}

/* Wire time (timing model): preamble + SFD (8 bytes), the frame with its
 * FCS, then the inter-packet gap of TIPG.IPGT byte times plus the 4 the MAC
 * adds (IPGT 8 gives the 802.3 gap of 96 bit times; SDM 13.4.34). The next
 * frame starts when its data is in the FIFO, the wire is free, the link is
 * up and no PAUSE holds the transmitter; a frame on the wire always
 * completes (SDM 8.7.3: pause takes effect after the current packet). */
static void wire_start(struct e1k_dev *d)
{
    struct e1k_tx *t = &d->tx;
    if (t->on_wire || !t->wq_len)
        return;
    uint64_t now = e1k_now(d);
    if ((!e1k_mac_link_up(d) && !e1k_loopback(d)) || now < d->fc_paused_until)
        return; /* resumed by e1k_tx_kick (link up, XON, pause over) */
    struct e1k_tx_wire_frame *w = &t->wq[t->wq_head];
    uint64_t bt = 8000000ull / e1k_mac_speed(d);
    uint64_t start = w->ready > t->wire_free ? w->ready : t->wire_free;
    if (start < now)
        start = now;
    t->on_wire = 1;
    t->head_start = start;
    if (d->host.frame_event && (w->flags & E1K_WIRE_FIRST))
        d->host.frame_event(d->host.ctx, E1K_EV_TX_WIRE_START, start);
    t->head_end = start + (8 + (uint64_t)w->len) * bt;
    if (d->host.timer_arm)
        d->host.timer_arm(d->host.ctx, E1K_TIMER_WIRE, t->head_end);
}

static int wq_grow(struct e1k_tx *t)
{
    if (t->wq_len < t->wq_cap)
        return 0;
    size_t nc = t->wq_cap ? t->wq_cap * 2 : 16;
    struct e1k_tx_wire_frame *nw = malloc(nc * sizeof(*nw));
    if (!nw)
        return -1;
    for (size_t i = 0; i < t->wq_len; i++)
        nw[i] = t->wq[(t->wq_head + i) % t->wq_cap];
    free(t->wq);
    t->wq = nw;
    t->wq_head = 0;
    t->wq_cap = nc;
    return 0;
}

/* Queue a frame behind the FIFO (`front`: right behind the frame on the
 * wire, for MAC control frames). 0 when there is no wire timing. */
static int wire_queue_at(struct e1k_dev *d, const uint8_t *f, size_t len, int front)
{
    struct e1k_tx *t = &d->tx;
    if (!d->cfg.timing.wire || wq_grow(t))
        return 0;
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return 0;
    memcpy(copy, f, len);
    struct e1k_tx_wire_frame w = { copy, (uint32_t)len, e1k_now(d) + (front ? 0 : d->dma_acc_ps),
                                   front ? 0 : t->wire_flags };
    size_t pos = front ? (t->on_wire ? 1 : 0) : t->wq_len;
    if (pos < t->wq_len) {
        for (size_t i = t->wq_len; i > pos; i--)
            t->wq[(t->wq_head + i) % t->wq_cap] = t->wq[(t->wq_head + i - 1) % t->wq_cap];
    }
    t->wq[(t->wq_head + pos) % t->wq_cap] = w;
    t->wq_len++;
    t->wq_bytes += len;
    wire_start(d);
    return 1;
}

static int wire_queue(struct e1k_dev *d, const uint8_t *f, size_t len)
{
    return wire_queue_at(d, f, len, 0);
}

void e1k_tx_send_control(struct e1k_dev *d, const uint8_t *f, size_t len)
{
    /* no frame events: a PAUSE is no packet of the guest's */
    if (!wire_queue_at(d, f, len, 1))
        e1k_mac_tx_out(d, f, len);
}

void e1k_tx_wire_done(struct e1k_dev *d)
{
    struct e1k_tx *t = &d->tx;
    if (!t->on_wire || !t->wq_len || e1k_now(d) < t->head_end)
        return;
    struct e1k_tx_wire_frame w = t->wq[t->wq_head];
    t->wq_head = (t->wq_head + 1) % t->wq_cap;
    t->wq_len--;
    t->wq_bytes -= w.len;
    t->on_wire = 0;
    uint64_t bt = 8000000ull / e1k_mac_speed(d);
    uint64_t ipg = (rd(d, E1K_REG_TIPG) & 0x3FF) + 4;
    t->wire_free = t->head_end + ipg * bt;
    frame_out(d, w.data, w.len, t->head_end, w.flags);
    free(w.data);
    wire_start(d);
    e1k_tx_kick(d); /* room in the FIFO again */
}

static void wire_flush(struct e1k_tx *t)
{
    while (t->wq_len) {
        free(t->wq[t->wq_head].data);
        t->wq_head = (t->wq_head + 1) % t->wq_cap;
        t->wq_len--;
    }
    t->wq_bytes = 0;
    t->on_wire = 0;
}

static struct e1k_tx_done *done_push(struct e1k_dev *d);

static void tx_event(struct e1k_dev *d, int ev)
{
    if (!d->host.frame_event)
        return;
    if (ev == E1K_EV_TX_WB && (d->dma_acc_ps || d->tx.dq_len)) {
        struct e1k_tx_done *e = done_push(d); /* in order with the write-back */
        if (e) {
            e->kind = 1;
            e->ev = ev;
            return;
        }
    }
    d->host.frame_event(d->host.ctx, ev, e1k_now(d) + d->dma_acc_ps);
}

static uint64_t ring_base(const struct e1k_dev *d)
{
    return (uint64_t)rd(d, E1K_REG_TDBAH) << 32 | (rd(d, E1K_REG_TDBAL) & ~0xFu);
}

/* Descriptors in the ring, or 0 (recorded) when TDLEN describes none. LEN is
 * bits 19:7 (SDM 13.4.38): the ring is a multiple of 128 bytes, and other
 * bits (reachable only by poking the register) are not seen. */
static uint32_t ring_size(struct e1k_dev *d)
{
    struct e1k_tx *t = &d->tx;
    uint32_t tdlen = rd(d, E1K_REG_TDLEN);
    uint32_t len = tdlen & 0x000FFF80u;
    if (len != tdlen && t->warned_tdlen != tdlen) {
        t->warned_tdlen = tdlen;
        e1k_anomaly(d, E1K_ANOM_RING, E1K_REG_TDLEN, tdlen,
                    "TDLEN 0x%x is not a multiple of 128 bytes: ring of %u descriptors used",
                    tdlen, len / 16);
    }
    if (!len)
        e1k_anomaly(d, E1K_ANOM_RING, E1K_REG_TDLEN, tdlen,
                    "TDLEN 0x%x: no transmit descriptors, ring stalled", tdlen);
    return len / 16;
}

/* Descriptors given to the hardware and not yet consumed. */
static uint32_t pending(const struct e1k_dev *d, uint32_t n, uint32_t head)
{
    uint32_t tail = rd(d, E1K_REG_TDT);
    return (tail + n - head) % n;
}

/* ------------------------------------------------------------------------ */
/* descriptor completion: write-back, head, causes */

/* Descriptor `desc` (fetched from `addr`, at TDH) is done. */
/* Queue a completion for when the step's DMA so far is done (timing
 * model); with no DMA time it takes effect at once. */
static struct e1k_tx_done *done_push(struct e1k_dev *d)
{
    struct e1k_tx *t = &d->tx;
    if (t->dq_len == t->dq_cap) {
        size_t nc = t->dq_cap ? t->dq_cap * 2 : 32;
        struct e1k_tx_done *nq = malloc(nc * sizeof(*nq));
        if (!nq)
            return NULL;
        for (size_t i = 0; i < t->dq_len; i++)
            nq[i] = t->dq[(t->dq_head + i) % t->dq_cap];
        free(t->dq);
        t->dq = nq;
        t->dq_head = 0;
        t->dq_cap = nc;
    }
    struct e1k_tx_done *e = &t->dq[(t->dq_head + t->dq_len) % t->dq_cap];
    memset(e, 0, sizeof(*e));
    e->t = e1k_now(d) + d->dma_acc_ps;
    if (t->dq_len++ == 0 && d->host.timer_arm)
        d->host.timer_arm(d->host.ctx, E1K_TIMER_TXDONE, e->t);
    return e;
}

static void done_apply(struct e1k_dev *d, const struct e1k_tx_done *e)
{
    if (e->kind == 1) {
        if (d->host.frame_event)
            d->host.frame_event(d->host.ctx, e->ev, e->t);
        return;
    }
    if (e->report) {
        e1k_dma_write(d, E1K_DMA_DESC_WB, e->addr + 12, e->up, sizeof(e->up),
                      "TX descriptor write-back");
        e1k_intr_tx_desc(d, e->ide);
    }
    if (e->causes)
        e1k_intr_cause(d, e->causes);
}

void e1k_tx_done(struct e1k_dev *d)
{
    struct e1k_tx *t = &d->tx;
    uint64_t now = e1k_now(d);
    while (t->dq_len && t->dq[t->dq_head].t <= now) {
        struct e1k_tx_done e = t->dq[t->dq_head];
        t->dq_head = (t->dq_head + 1) % t->dq_cap;
        t->dq_len--;
        done_apply(d, &e);
    }
    if (t->dq_len && d->host.timer_arm)
        d->host.timer_arm(d->host.ctx, E1K_TIMER_TXDONE, t->dq[t->dq_head].t);
}

/* A descriptor is done: TDH moves on at once (the engine's own state; SDM
 * 13.4.39 warns the head is no reliable sign of completion), while the
 * write-back of DD, the interrupt and the TXD_LOW / TXQE causes follow the
 * DMA of the data they report on. */
static void complete_desc(struct e1k_dev *d, uint64_t addr, const uint8_t desc[16], uint8_t cmd)
{
    struct e1k_tx *t = &d->tx;
    struct e1k_tx_done c = { 0 };
    c.report = (cmd & (TXD_RS | TXD_RPS)) != 0;
    c.ide = (cmd & TXD_IDE) != 0;
    c.addr = addr;
    /* SDM 3.3.3.2: only DD means anything on a full-duplex link (EC, LC are
     * half-duplex collisions, TU is the 82544's). */
    c.up[0] = (uint8_t)((desc[12] & 0xF0u) | TXD_STA_DD);
    c.up[1] = desc[13];
    c.up[2] = desc[14];
    c.up[3] = desc[15];
    t->descs++;
    uint32_t n = (rd(d, E1K_REG_TDLEN) & 0x000FFF80u) / 16;
    uint32_t head = rd(d, E1K_REG_TDH);
    if (n) {
        uint32_t before = pending(d, n, head % n);
        uint32_t next = (head + 1) % n;
        wr(d, E1K_REG_TDH, next);
        /* SDM 13.4.43: TXD_LOW when the descriptors left go from
         * 8*LWTHRESH + 1 to 8*LWTHRESH (LWTHRESH 0: when the ring empties). */
        uint32_t thr = 8u * (rd(d, E1K_REG_TXDCTL) >> LWTHRESH_SHIFT);
        if (before == thr + 1)
            c.causes |= E1K_ICR_TXD_LOW;
        if (next == rd(d, E1K_REG_TDT))
            c.causes |= E1K_ICR_TXQE; /* SDM 13.4.17: the ring ran empty */
    } else {
        c.report = 0; /* no ring: nothing to write back */
    }
    struct e1k_tx_done *e = d->dma_acc_ps || t->dq_len ? done_push(d) : NULL;
    if (e) {
        uint64_t when = e->t;
        *e = c;
        e->t = when;
    } else {
        c.t = e1k_now(d);
        done_apply(d, &c);
    }
}

static void pkt_clear(struct e1k_tx *t)
{
    t->len = 0;
    t->ndesc = 0;
    t->pkt_bad = 0;
    t->pkt_tse = 0;
    t->is_data = 0;
    t->popts = 0;
    t->dcmd = 0;
    t->vlan = 0;
    t->first_cmd = 0;
    t->first_special = 0;
    t->legacy_css = t->legacy_cso = t->legacy_ic = 0;
}

/* ------------------------------------------------------------------------ */
/* frames out */

/* SDM 13.7.30-13.7.52: sizes from destination address through CRC. */
static void count_frame(struct e1k_dev *d, const uint8_t *f, size_t len)
{
    e1k_stat_inc(d, E1K_REG_TPT, 1);
    e1k_stat_add64(d, E1K_REG_TOTL, len);
    if (len >= 64) { /* a good packet is 64 bytes or more (13.7.30) */
        e1k_stat_inc(d, E1K_REG_GPTC, 1);
        e1k_stat_add64(d, E1K_REG_GOTCL, len);
    }
    if (len == 64)
        e1k_stat_inc(d, E1K_REG_PTC64, 1);
    else if (len > 64 && len < 128)
        e1k_stat_inc(d, E1K_REG_PTC127, 1);
    else if (len >= 128 && len < 256)
        e1k_stat_inc(d, E1K_REG_PTC255, 1);
    else if (len >= 256 && len < 512)
        e1k_stat_inc(d, E1K_REG_PTC511, 1);
    else if (len >= 512 && len < 1024)
        e1k_stat_inc(d, E1K_REG_PTC1023, 1);
    else if (len >= 1024)
        e1k_stat_inc(d, E1K_REG_PTC1522, 1); /* "1024 bytes or greater" */
    if (len >= 6) {
        static const uint8_t bcast[6] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
        if (!memcmp(f, bcast, 6))
            e1k_stat_inc(d, E1K_REG_BPTC, 1);
        else if (f[0] & 1)
            e1k_stat_inc(d, E1K_REG_MPTC, 1);
    }
}

/* Put f[0..len) on the wire: VLAN tag, padding, FCS, statistics. `f` has
 * room for TX_FRAME_CAP bytes and len <= TX_MAX_PKT. */
static void send_frame(struct e1k_dev *d, uint8_t *f, size_t len, uint8_t cmd, uint16_t vlan)
{
    int fcs = (cmd & TXD_IFCS) != 0;
    /* VLE counts only with CTRL.VME; the tag follows the source address, the
     * FCS is then always inserted (SDM 3.3.3.1, 3.3.7.1). Offloaded
     * checksums were computed before, without the tag (SDM 3.3.3 note 2). */
    if ((cmd & TXD_VLE) && (rd(d, E1K_REG_CTRL) & E1K_CTRL_VME)) {
        if (len < 12) {
            e1k_anomaly(d, E1K_ANOM_DESC, 0, len,
                        "VLAN insertion asked for a %zu-byte packet: no tag inserted", len);
        } else {
            memmove(f + 16, f + 12, len - 12);
            put_be16(f + 12, rd(d, E1K_REG_VET));
            put_be16(f + 14, vlan);
            len += 4;
            fcs = 1;
        }
    }
    /* TCTL.PSP: "padding makes the packet 64 bytes long" (SDM 13.4.33).
     * Without FCS insertion the guest's last 4 bytes are the FCS, and the
     * padding still brings the frame to 64 bytes. */
    if (rd(d, E1K_REG_TCTL) & E1K_TCTL_PSP) {
        size_t min = fcs ? 60 : 64;
        if (len < min) {
            memset(f + len, 0, min - len);
            len = min;
        }
    }
    if (fcs) {
        uint32_t crc = e1k_crc32(f, len);
        for (int i = 0; i < 4; i++)
            f[len + (size_t)i] = (uint8_t)(crc >> (8 * i));
        len += 4;
    }
    d->tx.frames++;
    count_frame(d, f, len);
    if (!wire_queue(d, f, len)) {
        uint64_t t = e1k_now(d) + d->dma_acc_ps;
        if (d->host.frame_event && (d->tx.wire_flags & E1K_WIRE_FIRST))
            d->host.frame_event(d->host.ctx, E1K_EV_TX_WIRE_START, t);
        frame_out(d, f, len, t, d->tx.wire_flags);
    }
}

/* ------------------------------------------------------------------------ */
/* checksums (SDM 3.6): 16-bit one's complement over an inclusive range */

static uint64_t sum16(const uint8_t *p, size_t n, uint64_t acc)
{
    size_t i = 0;
    for (; i + 1 < n; i += 2)
        acc += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        acc += (uint32_t)p[n - 1] << 8;
    return acc;
}

static uint16_t fold(uint64_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xFFFF) + (acc >> 16);
    return (uint16_t)acc;
}

struct csum_job {
    int ok;
    size_t at;
    uint16_t value;
};

/* The checksum of f[css..cse] (cse 0: to the end) plus `extra`, to be stored
 * at cso. Offsets outside the packet: not inserted (SDM 3.3.3.1 IC, 3.6). */
static struct csum_job csum_prepare(struct e1k_dev *d, const uint8_t *f, size_t len, size_t css,
                                    size_t cse, size_t cso, uint64_t extra, const char *what)
{
    struct csum_job j = { 0, 0, 0 };
    if (css >= len || cso + 2 > len) {
        e1k_anomaly(d, E1K_ANOM_DESC, 0, css << 16 | cso,
                    "%s checksum start %zu / offset %zu outside the %zu-byte packet: not inserted",
                    what, css, cso, len);
        return j;
    }
    size_t end = cse ? cse : len - 1;
    if (end >= len) {
        e1k_anomaly(d, E1K_ANOM_DESC, 0, cse,
                    "%s checksum end %zu beyond the %zu-byte packet: stops at its end", what, cse,
                    len);
        end = len - 1;
    }
    if (end < css) {
        e1k_anomaly(d, E1K_ANOM_DESC, 0, cse,
                    "%s checksum end %zu before its start %zu: not inserted", what, cse, css);
        return j;
    }
    j.ok = 1;
    j.at = cso;
    j.value = (uint16_t)~fold(sum16(f + css, end - css + 1, extra));
    return j;
}

static void csum_store(uint8_t *f, const struct csum_job *j)
{
    if (j->ok)
        put_be16(f + j->at, j->value);
}

/* IXSM / TXSM of a packet (or segment) with context `c`: both sums are taken
 * over the data as fetched, then inserted. `l4len` is added to the TCP/UDP
 * sum (TSO: the driver's pseudo-header sum leaves the length out). */
static void offload_csums(struct e1k_dev *d, uint8_t *f, size_t len, const struct e1k_tx_ctx *c,
                          uint8_t popts, uint64_t l4len)
{
    struct csum_job ip = { 0, 0, 0 }, tu = { 0, 0, 0 };
    if (popts & POPTS_IXSM)
        ip = csum_prepare(d, f, len, c->ipcss, c->ipcse, c->ipcso, 0, "IP");
    if (popts & POPTS_TXSM)
        tu = csum_prepare(d, f, len, c->tucss, c->tucse, c->tucso, l4len, "TCP/UDP");
    csum_store(f, &ip);
    csum_store(f, &tu);
}

/* ------------------------------------------------------------------------ */
/* TCP segmentation (SDM 3.5) */

/* Largest HDRLEN + MSS: a whole segment must fit the transmit FIFO with 80
 * bytes to spare (SDM 3.3.6 note 2), and no packet exceeds TX_MAX_PKT. */
static uint32_t seg_limit(const struct e1k_dev *d)
{
    uint32_t rxa = rd(d, E1K_REG_PBA) & 0x7Fu;
    uint32_t txa_kb = rxa < 64 ? 64 - rxa : 0; /* TXA = 64 KB - RXA (13.4.16) */
    uint32_t fifo = txa_kb * 1024u;
    uint32_t lim = fifo > 80 ? fifo - 80 : 0;
    return lim < TX_MAX_PKT ? lim : TX_MAX_PKT;
}

/* Whether the context fits the gathered send; a reason when it does not. */
static const char *tso_check(const struct e1k_dev *d, const struct e1k_tx_ctx *c, size_t len,
                             uint8_t popts)
{
    if (!c->mss)
        return "MSS is 0";
    if (c->hdrlen > len)
        return "HDRLEN is beyond the data";
    if (len - c->hdrlen != c->paylen)
        return "PAYLEN is not the payload the descriptors carry";
    if (!c->paylen)
        return "no payload";
    if ((uint32_t)c->hdrlen + c->mss > seg_limit(d))
        return "HDRLEN + MSS exceeds the transmit FIFO";
    if ((uint32_t)c->ipcss + (c->ip ? 20u : 40u) > c->hdrlen)
        return "IP header (IPCSS) is not within HDRLEN";
    if ((uint32_t)c->tucss + (c->tcp ? 20u : 8u) > c->hdrlen)
        return "TCP/UDP header (TUCSS) is not within HDRLEN";
    if ((popts & POPTS_IXSM) && (uint32_t)c->ipcso + 2 > c->hdrlen)
        return "IPCSO is not within HDRLEN";
    if ((popts & POPTS_TXSM) && (uint32_t)c->tucso + 2 > c->hdrlen)
        return "TUCSO is not within HDRLEN";
    return NULL;
}

/* Build and send the next segment (SDM 3.5.9). Returns 1 when it was the
 * last one. */
static int tso_emit_segment(struct e1k_dev *d)
{
    struct e1k_tx *t = &d->tx;
    const struct e1k_tx_ctx *c = &t->seg_ctx;
    uint32_t left = t->seg_total - t->seg_off;
    uint32_t chunk = left < t->seg_mss ? left : t->seg_mss;
    int last = chunk == left;
    uint8_t *f = t->frame;
    size_t hl = t->seg_hdrlen;
    memcpy(f, t->pkt, hl);
    memcpy(f + hl, t->pkt + hl + t->seg_off, chunk);
    size_t len = hl + chunk;
    if (c->ip) { /* IPv4: total length, identification + segment number */
        put_be16(f + c->ipcss + 2, (uint32_t)(len - c->ipcss));
        put_be16(f + c->ipcss + 4, be16(f + c->ipcss + 4) + t->seg_count);
    } else { /* IPv6: payload length after the fixed header */
        put_be16(f + c->ipcss + 4, (uint32_t)(len - c->ipcss - 40));
    }
    size_t l4len = len - c->tucss;
    if (c->tcp) { /* sequence number advanced by the payload sent; FIN, PSH last only */
        put_be32(f + c->tucss + 4, be32(f + c->tucss + 4) + t->seg_off);
        if (!last)
            f[c->tucss + 13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
    } else {
        put_be16(f + c->tucss + 4, (uint32_t)l4len); /* UDP length */
    }
    offload_csums(d, f, len, c, t->seg_popts, l4len);
    t->seg_off += chunk;
    t->wire_flags = (uint8_t)((t->seg_count == 0 ? E1K_WIRE_FIRST : 0) | (last ? E1K_WIRE_LAST : 0));
    t->seg_count++;
    t->tso_segments++;
    send_frame(d, f, len, t->seg_cmd, t->seg_vlan);
    return last;
}

/* The last segment of a TSO send is out (or the send failed): complete its
 * EOP descriptor. */
static void tso_finish(struct e1k_dev *d)
{
    struct e1k_tx *t = &d->tx;
    t->seg_active = 0;
    complete_desc(d, t->eop_addr, t->eop_desc, t->eop_desc[11]);
    tx_event(d, E1K_EV_TX_WB);
    pkt_clear(t);
}

/* ------------------------------------------------------------------------ */
/* packets */

static void gather(struct e1k_dev *d, uint64_t addr, uint32_t len)
{
    struct e1k_tx *t = &d->tx;
    /* SDM 3.3.3: a null address or zero length transfers no data. */
    if (!addr || !len || t->pkt_bad)
        return;
    size_t max = t->pkt_tse ? TX_MAX_GATHER : TX_MAX_PKT;
    if (len > max - t->len) {
        e1k_anomaly(d, E1K_ANOM_DESC, 0, t->len + (uint64_t)len,
                    "TX packet of more than %zu bytes%s: dropped", max,
                    t->pkt_tse ? " (TSO payload beyond 256 KiB)" : "");
        t->pkt_bad = 1;
        return;
    }
    if (t->len + len > t->cap) {
        size_t cap = t->cap ? t->cap : TX_PKT_INIT;
        while (cap < t->len + len)
            cap *= 2;
        if (cap > TX_MAX_GATHER + 128)
            cap = TX_MAX_GATHER + 128;
        uint8_t *p = realloc(t->pkt, cap);
        if (!p) {
            e1k_anomaly(d, E1K_ANOM_DESC, 0, cap, "no memory for a %zu-byte TX packet: dropped",
                        t->len + len);
            t->pkt_bad = 1;
            return;
        }
        t->pkt = p;
        t->cap = cap;
    }
    if (e1k_dma_read(d, E1K_DMA_DATA, addr, t->pkt + t->len, len, "TX buffer") < 0) {
        t->pkt_bad = 1; /* the DMA anomaly is recorded */
        return;
    }
    t->len += len;
}


/* The packet ends without a frame: its last descriptor completes, the
 * host hears that nothing was sent; a failed segmentation send counts in
 * TSCTFC (SDM 13.7.54). */
static int drop_packet(struct e1k_dev *d, uint64_t addr, const uint8_t desc[16], uint8_t cmd)
{
    struct e1k_tx *t = &d->tx;
    if (t->pkt_tse)
        e1k_stat_inc(d, E1K_REG_TSCTFC, 1);
    complete_desc(d, addr, desc, cmd);
    tx_event(d, E1K_EV_TX_DROP);
    tx_event(d, E1K_EV_TX_WB);
    pkt_clear(t);
    return 0;
}

/* The EOP descriptor arrived: send the packet (or start its segmentation).
 * Returns 1 when a frame went out. */
static int finish_packet(struct e1k_dev *d, uint64_t addr, const uint8_t desc[16], uint8_t cmd)
{
    struct e1k_tx *t = &d->tx;
    if (!t->frame)
        t->pkt_bad = 1;
    if (t->pkt_tse && !t->pkt_bad) {
        const struct e1k_tx_ctx *c = &t->tso_ctx;
        const char *why = tso_check(d, c, t->len, t->popts);
        if (why) {
            e1k_anomaly(d, E1K_ANOM_DESC, 0, t->len,
                        "TSO send of %zu bytes (HDRLEN %u, MSS %u, PAYLEN %u): %s; dropped",
                        t->len, c->hdrlen, c->mss, c->paylen, why);
            t->pkt_bad = 1;
        } else {
            /* VLE, IFCS and the VLAN field of a TSO send come from its first
             * data descriptor (SDM 3.3.7.1 note). */
            t->seg_active = 1;
            t->seg_ctx = *c;
            t->seg_hdrlen = c->hdrlen;
            t->seg_mss = c->mss;
            t->seg_total = c->paylen;
            t->seg_off = 0;
            t->seg_count = 0;
            t->seg_popts = t->popts;
            t->seg_cmd = t->first_cmd;
            t->seg_vlan = t->first_special;
            t->eop_addr = addr;
            memcpy(t->eop_desc, desc, 16);
            if (tso_emit_segment(d)) {
                e1k_stat_inc(d, E1K_REG_TSCTC, 1);
                tso_finish(d);
            }
            return 1;
        }
    }
    if (t->pkt_bad)
        return drop_packet(d, addr, desc, cmd);
    if (!t->len) {
        e1k_anomaly(d, E1K_ANOM_DESC, 0, 0, "TX packet with no data: nothing sent");
        return drop_packet(d, addr, desc, cmd);
    }
    uint8_t *f = t->frame;
    size_t len = t->len;
    memcpy(f, t->pkt, len);
    if (t->is_data) {
        if (t->popts & (POPTS_IXSM | POPTS_TXSM)) {
            if (t->ctx.valid)
                offload_csums(d, f, len, &t->ctx, t->popts, 0);
            else
                e1k_anomaly(d, E1K_ANOM_DESC, 0, t->popts,
                            "checksum offload asked (POPTS 0x%x) with no context loaded",
                            t->popts);
        }
    } else if (t->legacy_ic) {
        /* SDM 3.3.3: from CSS to the end, at CSO; ignored when
         * CSS >= length or CSO >= length - 1. */
        struct csum_job j =
            csum_prepare(d, f, len, t->legacy_css, 0, t->legacy_cso, 0, "legacy (IC)");
        csum_store(f, &j);
    }
    t->wire_flags = E1K_WIRE_FIRST | E1K_WIRE_LAST;
    send_frame(d, f, len, t->dcmd, t->vlan);
    complete_desc(d, addr, desc, cmd);
    tx_event(d, E1K_EV_TX_WB);
    pkt_clear(t);
    return 1;
}

/* A descriptor that carries data (legacy or data type). Returns 1 when a
 * frame went out. */
static int data_desc(struct e1k_dev *d, uint32_t n, uint64_t addr, const uint8_t desc[16],
                     int is_data)
{
    struct e1k_tx *t = &d->tx;
    uint8_t cmd = desc[11];
    uint16_t special = le16(desc + 14);
    uint32_t len = is_data ? le32(desc + 8) & 0xFFFFFu : le16(desc + 8);
    if (!t->ndesc) {
        tx_event(d, E1K_EV_TX_FETCH);
        t->is_data = is_data;
        t->first_cmd = cmd;
        t->first_special = special;
        if (is_data) {
            t->popts = desc[13]; /* POPTS: first data descriptor only (3.3.7.3) */
            t->pkt_tse = (cmd & TXD_TSE) != 0;
            if (t->pkt_tse && !t->tso_ctx.valid) {
                e1k_anomaly(d, E1K_ANOM_DESC, 0, cmd,
                            "TSE data descriptor with no segmentation context loaded: dropped");
                t->pkt_bad = 1;
            }
        } else {
            t->legacy_css = desc[13]; /* CSS: set in the first descriptor (3.3.3) */
        }
    } else if (t->is_data != is_data) {
        e1k_anomaly(d, E1K_ANOM_DESC, 0, cmd,
                    "legacy and data descriptors mixed in one packet: handled as the first");
    }
    gather(d, le64(desc), len);
    t->ndesc++;
    if (cmd & TXD_EOP) {
        /* IFCS, VLE, IC, CSO and the VLAN field are EOP-qualified (3.3.3.1). */
        t->dcmd = cmd;
        t->vlan = special;
        if (!is_data) {
            t->legacy_cso = desc[10];
            t->legacy_ic = (cmd & TXD_IC) != 0;
        }
        return finish_packet(d, addr, desc, cmd);
    }
    if (t->ndesc >= n) {
        e1k_anomaly(d, E1K_ANOM_DESC, 0, t->ndesc,
                    "TX packet spans the whole %u-descriptor ring without EOP: dropped", n);
        return drop_packet(d, addr, desc, cmd);
    }
    complete_desc(d, addr, desc, cmd);
    return 0;
}

/* SDM 3.3.6: a context descriptor loads the checksum or the segmentation
 * context; it carries no data. */
static void context_desc(struct e1k_dev *d, uint64_t addr, const uint8_t desc[16])
{
    struct e1k_tx *t = &d->tx;
    uint8_t tucmd = desc[11];
    struct e1k_tx_ctx c;
    c.ipcss = desc[0];
    c.ipcso = desc[1];
    c.ipcse = le16(desc + 2);
    c.tucss = desc[4];
    c.tucso = desc[5];
    c.tucse = le16(desc + 6);
    c.paylen = le32(desc + 8) & 0xFFFFFu;
    c.hdrlen = desc[13];
    c.mss = le16(desc + 14);
    c.tse = (tucmd & TXD_TSE) != 0;
    c.ip = (tucmd & TUCMD_IP) != 0;
    c.tcp = (tucmd & TUCMD_TCP) != 0;
    c.valid = 1;
    if (t->ndesc)
        e1k_anomaly(d, E1K_ANOM_DESC, 0, tucmd,
                    "context descriptor in the middle of a packet (after %u descriptors)",
                    t->ndesc);
    if (c.tse) {
        if (c.paylen > TX_MAX_PAYLEN)
            e1k_anomaly(d, E1K_ANOM_DESC, 0, c.paylen,
                        "TSO context PAYLEN %u beyond 256 KiB: the send will be dropped",
                        c.paylen);
        t->tso_ctx = c;
    } else {
        t->ctx = c;
    }
    /* TUCMD bit 4 is reserved (no RPS here). */
    complete_desc(d, addr, desc, tucmd & (uint8_t)~TXD_RPS);
}

/* Fetch and handle the descriptor at TDH. Returns -1 when the fetch was
 * refused (the ring stalls), 1 when a frame went out, else 0. */
static int process_desc(struct e1k_dev *d, uint32_t n)
{
    uint64_t addr = ring_base(d) + 16ull * rd(d, E1K_REG_TDH);
    uint8_t desc[16];
    if (e1k_dma_read(d, E1K_DMA_DESC_FETCH, addr, desc, sizeof(desc), "TX descriptor fetch") < 0)
        return -1;
    uint8_t cmd = desc[11];
    if (!(cmd & TXD_DEXT))
        return data_desc(d, n, addr, desc, 0);
    unsigned dtyp = desc[10] >> 4;
    if (dtyp == DTYP_DATA)
        return data_desc(d, n, addr, desc, 1);
    if (dtyp == DTYP_CONTEXT) {
        context_desc(d, addr, desc);
        return 0;
    }
    e1k_anomaly(d, E1K_ANOM_DESC, 0, dtyp,
                "TX descriptor with reserved type DTYP %u: skipped", dtyp);
    complete_desc(d, addr, desc, cmd);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* the engine */

static int has_work(const struct e1k_dev *d)
{
    return d->tx.seg_active || rd(d, E1K_REG_TDH) != rd(d, E1K_REG_TDT);
}

/* `dma_ps`: the DMA time of the step that just ran (0 from a kick). */
static void arm(struct e1k_dev *d, uint64_t dma_ps)
{
    d->tx.scheduled = 1;
    e1k_timer_arm_in(d, E1K_TIMER_TX, tx_step_delay(d, dma_ps));
}

void e1k_tx_kick(struct e1k_dev *d)
{
    wire_start(d); /* link back, pause over: the FIFO drains again */
    if (d->tx.scheduled || !e1k_mac_can_tx(d) || !has_work(d))
        return;
    arm(d, 0);
}

void e1k_tx_step(struct e1k_dev *d)
{
    struct e1k_tx *t = &d->tx;
    t->scheduled = 0;
    d->dma_acc_ps = 0;
    if (!e1k_mac_can_tx(d))
        return; /* resumed by the kick that comes with TCTL, link or XON */
    int progressed = 0;
    if (t->seg_active) {
        if (tso_emit_segment(d)) {
            e1k_stat_inc(d, E1K_REG_TSCTC, 1);
            tso_finish(d);
        }
        progressed = 1;
    } else {
        uint32_t n = ring_size(d);
        if (!n)
            return;
        uint32_t head = rd(d, E1K_REG_TDH), tail = rd(d, E1K_REG_TDT);
        uint64_t base = ring_base(d);
        if (base > UINT64_MAX - 16ull * n) {
            e1k_anomaly(d, E1K_ANOM_RING, E1K_REG_TDBAL, base,
                        "transmit ring at 0x%llx wraps the address space: ring stalled",
                        (unsigned long long)base);
            return;
        }
        if (head >= n || tail >= n) {
            e1k_anomaly(d, E1K_ANOM_RING, head >= n ? E1K_REG_TDH : E1K_REG_TDT,
                        head >= n ? head : tail,
                        "TDH %u / TDT %u outside the %u-descriptor ring: ring stalled", head,
                        tail, n);
            return;
        }
        for (uint32_t i = 0; i < TX_STEP_DESCS && rd(d, E1K_REG_TDH) != rd(d, E1K_REG_TDT);
             i++) {
            int r = process_desc(d, n);
            if (r < 0)
                break; /* descriptor fetch refused: stalled until the next kick */
            progressed = 1;
            if (r > 0 || t->seg_active || !e1k_mac_can_tx(d))
                break;
        }
    }
    if (progressed && has_work(d) && e1k_mac_can_tx(d))
        arm(d, d->dma_acc_ps);
}

void e1k_tx_reset(struct e1k_dev *d)
{
    struct e1k_tx *t = &d->tx;
    e1k_timer_cancel(d, E1K_TIMER_TX);
    e1k_timer_cancel(d, E1K_TIMER_WIRE);
    e1k_timer_cancel(d, E1K_TIMER_TXDONE);
    t->scheduled = 0;
    wire_flush(t);
    t->dq_head = t->dq_len = 0;
    t->wire_free = 0;
    memset(&t->ctx, 0, sizeof(t->ctx));
    memset(&t->tso_ctx, 0, sizeof(t->tso_ctx));
    memset(&t->seg_ctx, 0, sizeof(t->seg_ctx));
    t->seg_active = 0;
    t->warned_tdlen = 0;
    pkt_clear(t);
}

void e1k_tx_init(struct e1k_dev *d)
{
    struct e1k_tx *t = &d->tx;
    memset(t, 0, sizeof(*t));
    t->pkt = malloc(TX_PKT_INIT);
    t->cap = t->pkt ? TX_PKT_INIT : 0;
    t->frame = malloc(TX_FRAME_CAP);
    t->frame_cap = t->frame ? TX_FRAME_CAP : 0;
}

void e1k_tx_free(struct e1k_dev *d)
{
    struct e1k_tx *t = &d->tx;
    wire_flush(t);
    free(t->wq);
    t->wq = NULL;
    t->wq_cap = 0;
    free(t->dq);
    t->dq = NULL;
    t->dq_cap = t->dq_len = t->dq_head = 0;
    free(t->pkt);
    free(t->frame);
    t->pkt = t->frame = NULL;
    t->cap = t->frame_cap = 0;
}
