/* The receive engine (SDM 3.2, 8.7.3-8.7.4, 9, 13.4.22-13.4.32, 13.4.47,
 * 13.5, 13.7).
 *
 * e1k_rx_frame() is the MAC side: a frame from the wire is counted, checked
 * (CRC, length), recognised as a MAC control frame or passed through the
 * address and VLAN filters, and, when accepted, copied into the receive
 * FIFO. At that moment the host-visible form is fixed (VLAN tag and FCS
 * stripped as configured, checksums computed, status/error bits decided):
 * the SDM counts a packet as received once it sits in the packet buffer
 * (13.7 intro), so the good-packet statistics are counted there too.
 *
 * e1k_rx_step() is the DMA side, run on E1K_TIMER_RX: it moves the frame at
 * the FIFO head into the buffers of receive descriptors (legacy format,
 * SDM 3.2.3), one frame per step, and re-arms itself while frames and
 * descriptors remain.
 *
 * Choices where the SDM is silent (see also the comments at each place):
 * - FIFO occupancy is counted as the frame's wire length (DA..FCS); the
 *   real packet buffer adds a small status word per frame.
 * - Frames shorter than 14 bytes cannot hold an Ethernet header: the MAC
 *   discards them uncounted. Frames longer than 16384 bytes are never
 *   stored, even with RCTL.SBP (the LPE limit, 13.7.36).
 * - A descriptor whose buffer DMA is refused ends the frame: that
 *   descriptor is written back with DD, EOP and the RXE error bit and the
 *   rest of the frame is discarded, so the ring keeps moving and a driver
 *   drops the frame. A refused descriptor fetch stalls the ring (frames
 *   wait in the FIFO) until RDT or RCTL is written again. Both are
 *   recorded as E1K_ANOM_DMA by the DMA helpers.
 * - RDLEN of 0 or not a multiple of 128, RDH or RDT beyond the ring:
 *   E1K_ANOM_RING, no descriptor is touched, same stall.
 */
#include <stdlib.h>
#include <string.h>

#include "dev.h"

/* Receive descriptor (SDM 3.2.3, table 3-1): buffer address 0-7, length
 * 8-9, packet checksum 10-11, status 12, errors 13, special 14-15. */
#define RDESC_SIZE 16u

/* RDESC.STATUS (SDM 3.2.3.1, table 3-2) */
#define STA_DD 0x01u
#define STA_EOP 0x02u
#define STA_IXSM 0x04u
#define STA_VP 0x08u
#define STA_TCPCS 0x20u
#define STA_IPCS 0x40u
#define STA_PIF 0x80u

/* RDESC.ERRORS (SDM 3.2.3.2, table 3-3). SE, SEQ and CXE need PHY symbol
 * or carrier-extension events the simulated wire does not carry. */
#define ERR_CE 0x01u
#define ERR_TCPE 0x20u
#define ERR_IPE 0x40u
#define ERR_RXE 0x80u

/* RXCSUM (SDM 13.4.47) */
#define RXCSUM_PCSS_MASK 0xFFu
#define RXCSUM_IPOFLD (1u << 8)
#define RXCSUM_TUOFLD (1u << 9)

/* Frame sizes, DA through FCS (SDM 13.7.15, 13.7.34-37). */
#define FRAME_MIN 64u
#define FRAME_MAX 1522u /* 1518 + an 802.1Q tag, RCTL.LPE clear */
#define FRAME_MAX_LPE 16384u
#define ETH_HDR 14u
#define FCS_LEN 4u

/* entry->flags: how the frame got through (statistics and PIF). */
#define F_BCAST 0x01u
#define F_MCAST 0x02u
#define F_GOOD 0x04u    /* no CRC or length error */
#define F_CONTROL 0x08u /* a MAC control frame passed to the host */

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}
static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* The timing model's hook: how long after now the next step runs: the DMA
 * of the frame at the head of the FIFO, a descriptor fetch (16-byte read),
 * the data (posted writes) and the write-back (a 16-byte posted write)
 * per descriptor it fills (e1k_dma_cost; zero with functional timing). */
static uint64_t rx_step_delay(const struct e1k_dev *d)
{
    const struct e1k_rx *rx = &d->rx;
    if (!rx->qlen)
        return 0;
    uint32_t len = rx->q[rx->qhead].len - rx->cur_off;
    uint32_t rctl = rd(d, E1K_REG_RCTL);
    unsigned bs = (rctl & E1K_RCTL_BSIZE_MASK) >> E1K_RCTL_BSIZE_SHIFT;
    uint32_t bsize = !(rctl & E1K_RCTL_BSEX) ? 2048u >> bs : bs ? 32768u >> bs : 2048u;
    uint32_t ndesc = bsize ? (len + bsize - 1) / bsize : 1;
    if (!ndesc)
        ndesc = 1;
    return ndesc * (e1k_dma_cost(d, 1, 16) + e1k_dma_cost(d, 0, 16)) + e1k_dma_cost(d, 0, len);
}

/* The host's optional per-frame trace, in the order frames were accepted:
 * DMA_DONE then WB for each delivered frame, DROP for one that never
 * reaches guest memory (abandoned on a refused buffer, flushed by reset). */
static void rx_event(struct e1k_dev *d, int ev)
{
    if (d->host.frame_event)
        d->host.frame_event(d->host.ctx, ev, e1k_now(d));
}

static void schedule(struct e1k_dev *d)
{
    struct e1k_rx *rx = &d->rx;
    if (rx->scheduled || rx->stalled || !rx->qlen)
        return;
    rx->scheduled = 1;
    e1k_timer_arm_in(d, E1K_TIMER_RX, rx_step_delay(d));
}

/* ------------------------------------------------------------------------ */
/* the FIFO */

static void fifo_drop_all(struct e1k_rx *rx)
{
    for (size_t i = 0; i < rx->qlen; i++)
        free(rx->q[(rx->qhead + i) % rx->qcap].data);
    rx->qhead = rx->qlen = 0;
    rx->fifo_bytes = 0;
    rx->cur_off = 0;
}

/* PBA.RXA: the receive share of the 64 KB packet buffer, in KB (13.4.16). */
static uint32_t fifo_capacity(const struct e1k_dev *d)
{
    uint32_t kb = rd(d, E1K_REG_PBA) & E1K_PBA_RXA_MASK;
    return (kb > 64 ? 64 : kb) * 1024u;
}

static struct e1k_rx_fifo_entry *fifo_push(struct e1k_rx *rx)
{
    if (rx->qlen == rx->qcap) {
        size_t ncap = rx->qcap ? rx->qcap * 2 : 32;
        struct e1k_rx_fifo_entry *nq = malloc(ncap * sizeof(*nq));
        if (!nq)
            return NULL;
        for (size_t i = 0; i < rx->qlen; i++)
            nq[i] = rx->q[(rx->qhead + i) % rx->qcap];
        free(rx->q);
        rx->q = nq;
        rx->qcap = ncap;
        rx->qhead = 0;
    }
    struct e1k_rx_fifo_entry *e = &rx->q[(rx->qhead + rx->qlen) % rx->qcap];
    memset(e, 0, sizeof(*e));
    return e;
}

static void fifo_pop(struct e1k_dev *d)
{
    struct e1k_rx *rx = &d->rx;
    struct e1k_rx_fifo_entry *e = &rx->q[rx->qhead];
    rx->fifo_bytes -= e->len;
    free(e->data);
    e->data = NULL;
    rx->qhead = (rx->qhead + 1) % rx->qcap;
    rx->qlen--;
    rx->cur_off = 0;
    e1k_fc_rx_fifo_changed(d, rx->fifo_bytes);
}

void e1k_rx_init(struct e1k_dev *d)
{
    memset(&d->rx, 0, sizeof(d->rx));
}

void e1k_rx_free(struct e1k_dev *d)
{
    fifo_drop_all(&d->rx);
    free(d->rx.q);
    d->rx.q = NULL;
    d->rx.qcap = 0;
}

void e1k_rx_reset(struct e1k_dev *d)
{
    struct e1k_rx *rx = &d->rx;
    e1k_timer_cancel(d, E1K_TIMER_RX);
    for (size_t i = 0; i < rx->qlen; i++)
        rx_event(d, E1K_EV_RX_DROP);
    fifo_drop_all(rx);
    rx->scheduled = 0;
    rx->stalled = 0;
}

uint32_t e1k_rx_fifo_level(const struct e1k_dev *d)
{
    return d->rx.fifo_bytes;
}

void e1k_rx_kick(struct e1k_dev *d)
{
    d->rx.stalled = 0;
    if (rd(d, E1K_REG_RCTL) & E1K_RCTL_EN)
        schedule(d);
}

/* ------------------------------------------------------------------------ */
/* filters (SDM 13.5, 9, 8.7.3) */

static int mac_equal(const uint8_t *a, uint32_t lo, uint32_t hi)
{
    return a[0] == (uint8_t)lo && a[1] == (uint8_t)(lo >> 8) && a[2] == (uint8_t)(lo >> 16) &&
           a[3] == (uint8_t)(lo >> 24) && a[4] == (uint8_t)hi && a[5] == (uint8_t)(hi >> 8);
}

/* RAL/RAH[0..15] with AV (13.5.2, 13.5.3). RAH.AS selects which address
 * the entry is compared with: 00b destination, 01b source; 10b and 11b are
 * reserved and such an entry never matches. */
static int exact_match(const struct e1k_dev *d, const uint8_t *f)
{
    for (unsigned i = 0; i < 16; i++) {
        uint32_t rah = rd(d, E1K_REG_RAH + 8 * i);
        if (!(rah & E1K_RAH_AV))
            continue;
        uint32_t ral = rd(d, E1K_REG_RAL + 8 * i);
        unsigned as = (rah & E1K_RAH_AS_MASK) >> E1K_RAH_AS_SHIFT;
        if ((as == 0 && mac_equal(f, ral, rah)) || (as == 1 && mac_equal(f + 6, ral, rah)))
            return 1;
    }
    return 0;
}

/* The 12-bit MTA index from the destination address, taken as a 48-bit
 * number with the first byte on the wire in bits 7:0. RCTL.MO picks
 * bits 47:36, 46:35, 45:34 or 43:32 (13.5.1, figure 13-2). */
static unsigned mta_hash(const uint8_t *da, unsigned mo)
{
    uint32_t top = (uint32_t)da[4] | (uint32_t)da[5] << 8; /* address bits 47:32 */
    static const unsigned shift[4] = {4, 3, 2, 0};
    return (top >> shift[mo & 3]) & 0xFFFu;
}

static int bit_in_table(const struct e1k_dev *d, uint32_t base, unsigned index)
{
    return (rd(d, base + 4 * (index >> 5)) >> (index & 31)) & 1;
}

/* Address filtering: 1 when accepted, with *kind = F_BCAST / F_MCAST / 0
 * and *pif set when only the (inexact) multicast hash let the frame in
 * (3.2.3.1). The broadcast address is a group address: without BAM it may
 * still pass by MPE or the hash. */
static int address_filter(const struct e1k_dev *d, const uint8_t *f, uint32_t rctl, uint32_t *kind,
                          int *pif)
{
    static const uint8_t bcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    int is_bcast = !memcmp(f, bcast, 6);
    int group = f[0] & 1;
    *kind = is_bcast ? F_BCAST : group ? F_MCAST : 0;
    *pif = 0;
    if (is_bcast && (rctl & E1K_RCTL_BAM))
        return 1;
    if (exact_match(d, f))
        return 1;
    if (!group)
        return (rctl & E1K_RCTL_UPE) != 0;
    if (rctl & E1K_RCTL_MPE)
        return 1;
    unsigned mo = (rctl & E1K_RCTL_MO_MASK) >> E1K_RCTL_MO_SHIFT;
    if (bit_in_table(d, E1K_REG_MTA, mta_hash(f, mo))) {
        *pif = 1;
        return 1;
    }
    return 0;
}

/* VLAN filtering (SDM 9.x, table 9-3): a frame whose type matches VET
 * passes only if its VID's VFTA bit is set (RCTL.VFE) and, with
 * RCTL.CFIEN, its CFI equals RCTL.CFI. VFE does not affect stripping. */
static int vlan_filter(const struct e1k_dev *d, const uint8_t *f, size_t len, uint32_t rctl)
{
    if (len < ETH_HDR + 4 || be16(f + 12) != (uint16_t)rd(d, E1K_REG_VET))
        return 1;
    uint16_t tci = be16(f + 14);
    if ((rctl & E1K_RCTL_VFE) && !bit_in_table(d, E1K_REG_VFTA, tci & 0xFFFu))
        return 0;
    if ((rctl & E1K_RCTL_CFIEN) && !!(tci & 0x1000) != !!(rctl & E1K_RCTL_CFI))
        return 0;
    return 1;
}

/* MAC control frames (SDM 8.7.3): destination = the flow-control multicast
 * address in FCAH/FCAL or the station address (RAL0/RAH0), type = FCT.
 * Recognised only with CTRL.RFCE set; otherwise they are ordinary frames
 * for the address filters (as later Intel manuals state explicitly). */
static int is_mac_control(const struct e1k_dev *d, const uint8_t *f, size_t len)
{
    if (len < ETH_HDR + 2 + FCS_LEN || !(rd(d, E1K_REG_CTRL) & E1K_CTRL_RFCE))
        return 0;
    if (be16(f + 12) != (uint16_t)rd(d, E1K_REG_FCT))
        return 0;
    if (mac_equal(f, rd(d, E1K_REG_FCAL), rd(d, E1K_REG_FCAH)))
        return 1;
    uint32_t rah = rd(d, E1K_REG_RAH);
    return (rah & E1K_RAH_AV) && mac_equal(f, rd(d, E1K_REG_RAL), rah);
}

/* ------------------------------------------------------------------------ */
/* checksums (SDM 3.2.9, table 3-5; 13.4.47) */

/* Ones'-complement sum of big-endian 16-bit words; an odd last byte is the
 * high half of a word padded with zero. Not folded. */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t acc)
{
    size_t i = 0;
    for (; i + 1 < n; i += 2) {
        acc += (uint32_t)p[i] << 8 | p[i + 1];
        if (acc & 0x80000000u)
            acc = (acc & 0xFFFF) + (acc >> 16);
    }
    if (i < n)
        acc += (uint32_t)p[i] << 8;
    return acc;
}

static uint16_t fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xFFFF) + (acc >> 16);
    return (uint16_t)acc;
}

/* TCP (6) or UDP (17) checksum over [l4, l4+n) given the pseudo-header sum.
 * Sets TCPCS, and TCPE when wrong. UDP's 0 means "no checksum" over IPv4
 * (RFC 768) and is reported as checked and good; over IPv6 it is illegal
 * (RFC 2460 8.1) and reported as an error. */
static void l4_check(const uint8_t *l4, size_t n, unsigned proto, uint32_t pseudo, int v6,
                     uint8_t *status, uint8_t *errors)
{
    if ((proto == 6 && n < 20) || (proto == 17 && n < 8))
        return;
    *status |= STA_TCPCS;
    if (proto == 17 && be16(l4 + 6) == 0) {
        if (v6)
            *errors |= ERR_TCPE;
        return;
    }
    if (fold(sum16(l4, n, pseudo)) != 0xFFFF)
        *errors |= ERR_TCPE;
}

/* Header checksums on the frame as the host will see it (after VLAN
 * stripping), `end` excluding the FCS. Ethernet II and SNAP, at most one
 * 802.1Q tag left in place (3.2.9.2). IPv4: header checksum (IPOFLD), and
 * TCP/UDP unless a fragment (TUOFLD). IPv6: TCP/UDP after hop-by-hop,
 * routing and destination-option headers; a fragment header ends the
 * search. Table 3-5 gives IPv6 TCP/UDP offload to every 8254x but the
 * 82544 (table 3-6), so the 82540EM does it. The pseudo-header uses the
 * IPv6 destination field even when a routing header is present. */
static void rx_checksums(const struct e1k_dev *d, const uint8_t *p, size_t end, uint8_t *status,
                         uint8_t *errors)
{
    uint32_t rxcsum = rd(d, E1K_REG_RXCSUM);
    if (!(rxcsum & (RXCSUM_IPOFLD | RXCSUM_TUOFLD)) || end < ETH_HDR)
        return;
    size_t off = 12;
    uint16_t type = be16(p + off);
    if (type == (uint16_t)rd(d, E1K_REG_VET) && off + 6 <= end) {
        off += 4;
        type = be16(p + off);
    }
    off += 2;
    if (type < 0x0600) { /* 802.3 length: SNAP with a zero OUI carries a type */
        static const uint8_t snap[6] = {0xAA, 0xAA, 0x03, 0, 0, 0};
        if (off + 8 > end || memcmp(p + off, snap, 6))
            return;
        type = be16(p + off + 6);
        off += 8;
    }
    const uint8_t *ip = p + off;
    size_t avail = end - off;
    if (type == 0x0800) {
        if (avail < 20 || (ip[0] >> 4) != 4)
            return;
        size_t ihl = (size_t)(ip[0] & 0xF) * 4;
        if (ihl < 20 || ihl > avail)
            return;
        if (rxcsum & RXCSUM_IPOFLD) {
            *status |= STA_IPCS;
            if (fold(sum16(ip, ihl, 0)) != 0xFFFF)
                *errors |= ERR_IPE;
        }
        if (!(rxcsum & RXCSUM_TUOFLD))
            return;
        unsigned proto = ip[9];
        size_t tot = be16(ip + 2);
        if ((proto != 6 && proto != 17) || (be16(ip + 6) & 0x3FFF) || tot < ihl || tot > avail)
            return;
        size_t n = tot - ihl;
        uint32_t pseudo = sum16(ip + 12, 8, 0) + proto + (uint32_t)n;
        l4_check(ip + ihl, n, proto, pseudo, 0, status, errors);
    } else if (type == 0x86DD) {
        if (!(rxcsum & RXCSUM_TUOFLD) || avail < 40 || (ip[0] >> 4) != 6)
            return;
        size_t plen = be16(ip + 4);
        if (plen == 0 || 40 + plen > avail)
            return; /* jumbogram or truncated */
        size_t pend = 40 + plen, h = 40;
        unsigned nh = ip[6];
        for (int hops = 0; hops < 8 && (nh == 0 || nh == 43 || nh == 60); hops++) {
            if (h + 8 > pend)
                return;
            size_t elen = ((size_t)ip[h + 1] + 1) * 8;
            nh = ip[h];
            h += elen;
            if (h > pend)
                return;
        }
        if (nh != 6 && nh != 17)
            return;
        size_t n = pend - h;
        uint32_t pseudo = sum16(ip + 8, 32, 0) + (uint32_t)(n >> 16) + (uint32_t)(n & 0xFFFF) + nh;
        l4_check(ip + h, n, nh, pseudo, 1, status, errors);
    }
}

/* ------------------------------------------------------------------------ */
/* the MAC side */

static void count_good(struct e1k_dev *d, size_t len, uint32_t flags)
{
    e1k_stat_inc(d, E1K_REG_GPRC, 1);
    e1k_stat_add64(d, E1K_REG_GORCL, len);
    if (flags & F_BCAST)
        e1k_stat_inc(d, E1K_REG_BPRC, 1);
    if (flags & F_MCAST)
        e1k_stat_inc(d, E1K_REG_MPRC, 1);
    uint32_t off = len <= 64     ? E1K_REG_PRC64
                   : len <= 127  ? E1K_REG_PRC127
                   : len <= 255  ? E1K_REG_PRC255
                   : len <= 511  ? E1K_REG_PRC511
                   : len <= 1023 ? E1K_REG_PRC1023
                                 : E1K_REG_PRC1522;
    e1k_stat_inc(d, off, 1);
}

static enum e1k_rx_result dropped(struct e1k_dev *d)
{
    d->rx.dropped++;
    return E1K_RX_DROPPED;
}

enum e1k_rx_result e1k_rx_frame(struct e1k_dev *d, const uint8_t *f, size_t len)
{
    uint32_t rctl = rd(d, E1K_REG_RCTL);
    /* Receiver off or no link: nothing is received, nothing counted
     * (every receive statistic needs receives enabled, 13.7). */
    if (!(rctl & E1K_RCTL_EN) || (!e1k_mac_link_up(d) && !e1k_loopback(d)) || !f)
        return dropped(d);
    if (len < ETH_HDR)
        return dropped(d);
    /* TPR/TOR: every frame, whatever its length, errors or kind (13.7.41, 13.7.43). */
    e1k_stat_inc(d, E1K_REG_TPR, 1);
    e1k_stat_add64(d, E1K_REG_TORL, len);

    uint32_t fcs = (uint32_t)f[len - 4] | (uint32_t)f[len - 3] << 8 | (uint32_t)f[len - 2] << 16 |
                   (uint32_t)f[len - 1] << 24;
    int crc_ok = e1k_crc32(f, len - FCS_LEN) == fcs;
    uint32_t flags = 0;
    int pif = 0;

    if (crc_ok && is_mac_control(d, f, len)) {
        uint16_t opcode = be16(f + 14);
        if (opcode == 0x0001) {
            uint16_t quanta = be16(f + 16);
            e1k_stat_inc(d, quanta ? E1K_REG_XOFFRXC : E1K_REG_XONRXC, 1);
            e1k_fc_pause_received(d, quanta);
            /* DPF: the MAC consumes it; else it is DMA'd too (8.7.4). */
            if (rctl & E1K_RCTL_DPF)
                return E1K_RX_FILTERED;
        } else {
            e1k_stat_inc(d, E1K_REG_FCRUC, 1);
            /* PMCF passes MAC control frames that are not PAUSE (8.7.4). */
            if (!(rctl & E1K_RCTL_PMCF))
                return E1K_RX_FILTERED;
        }
        flags = F_CONTROL | (f[0] & 1 ? F_MCAST : 0);
    } else {
        if (!address_filter(d, f, rctl, &flags, &pif) || !vlan_filter(d, f, len, rctl))
            return E1K_RX_FILTERED;
        /* Length and CRC errors are counted only for frames that passed
         * the filters (13.7.1, 13.7.15, 13.7.34-37); without RCTL.SBP the
         * frame is then dropped (13.4.22). */
        uint32_t max = (rctl & E1K_RCTL_LPE) ? FRAME_MAX_LPE : FRAME_MAX;
        int bad = 0;
        if (len < FRAME_MIN) {
            e1k_stat_inc(d, E1K_REG_RLEC, 1);
            e1k_stat_inc(d, crc_ok ? E1K_REG_RUC : E1K_REG_RFC, 1);
            bad = 1;
        } else if (len > max) {
            e1k_stat_inc(d, E1K_REG_RLEC, 1);
            e1k_stat_inc(d, crc_ok ? E1K_REG_ROC : E1K_REG_RJC, 1);
            bad = 1;
        }
        if (!crc_ok && len >= FRAME_MIN)
            e1k_stat_inc(d, E1K_REG_CRCERRS, 1);
        if (!crc_ok)
            bad = 1;
        if (bad && !(rctl & E1K_RCTL_SBP))
            return dropped(d);
        /* Nothing beyond the LPE limit is stored, SBP or not: no buffer
         * chain or FIFO share is meant for it (CVE-2012-6075 class). */
        if (len > FRAME_MAX_LPE)
            return dropped(d);
        if (!bad)
            flags |= F_GOOD;
    }

    /* RNBC: the frame found no free descriptor, whether or not the FIFO
     * still takes it (13.7.33); flow-control frames are not counted. */
    if (!(flags & F_CONTROL) && rd(d, E1K_REG_RDH) == rd(d, E1K_REG_RDT))
        e1k_stat_inc(d, E1K_REG_RNBC, 1);
    /* The receive FIFO (3.2.7.4): a frame that does not fit is missed. */
    struct e1k_rx *rx = &d->rx;
    uint32_t cap = fifo_capacity(d); /* PBA may have shrunk below the fill */
    if (rx->fifo_bytes > cap || len > cap - rx->fifo_bytes) {
        e1k_stat_inc(d, E1K_REG_MPC, 1);
        e1k_intr_cause(d, E1K_ICR_RXO);
        e1k_fc_rx_overflow(d);
        return dropped(d);
    }
    struct e1k_rx_fifo_entry *e = fifo_push(rx);
    uint8_t *buf = e ? malloc(len) : NULL;
    if (!buf)
        return dropped(d);
    memcpy(buf, f, len);

    /* The host-visible frame: 802.1Q tag stripped with CTRL.VME (VP, tag in
     * the special field, 9.x table 9-3), FCS stripped with RCTL.SECRC. */
    uint8_t status = 0, errors = crc_ok ? 0 : ERR_CE;
    uint16_t special = 0;
    size_t out = len;
    if ((rd(d, E1K_REG_CTRL) & E1K_CTRL_VME) && len >= ETH_HDR + 4 + FCS_LEN &&
        be16(buf + 12) == (uint16_t)rd(d, E1K_REG_VET)) {
        special = be16(buf + 14);
        status |= STA_VP;
        memmove(buf + 12, buf + 16, len - 16);
        out -= 4;
    }
    if (rctl & E1K_RCTL_SECRC)
        out -= FCS_LEN;
    rx_checksums(d, buf, (rctl & E1K_RCTL_SECRC) ? out : out - FCS_LEN, &status, &errors);
    if (!(status & (STA_IPCS | STA_TCPCS)))
        status |= STA_IXSM;
    if (pif)
        status |= STA_PIF;
    /* Packet checksum (3.2.3, 13.4.47): from PCSS to the end of what is
     * written, the FCS included unless stripped; stored as the complement
     * of the ones'-complement sum of big-endian words. */
    size_t pcss = rd(d, E1K_REG_RXCSUM) & RXCSUM_PCSS_MASK;
    uint16_t csum = (uint16_t)~fold(pcss < out ? sum16(buf + pcss, out - pcss, 0) : 0);

    e->data = buf;
    e->len = (uint32_t)len;
    e->flags = flags;
    e->out_len = (uint32_t)out;
    e->csum = csum;
    e->special = special;
    e->status = status;
    e->errors = errors;
    rx->qlen++;
    rx->fifo_bytes += (uint32_t)len;

    /* Good-packet statistics exclude flow-control frames (13.7.21-31). */
    if (flags & F_GOOD)
        count_good(d, len, flags);
    e1k_fc_rx_fifo_changed(d, rx->fifo_bytes);
    schedule(d);
    return E1K_RX_ACCEPTED;
}

/* ------------------------------------------------------------------------ */
/* the DMA side */

/* RCTL.BSIZE/BSEX (13.4.22). BSEX with BSIZE 00b is reserved: 2048 is used
 * and the setting recorded. */
static uint32_t buffer_size(struct e1k_dev *d, uint32_t rctl)
{
    unsigned bs = (rctl & E1K_RCTL_BSIZE_MASK) >> E1K_RCTL_BSIZE_SHIFT;
    if (!(rctl & E1K_RCTL_BSEX))
        return 2048u >> bs;
    if (bs == 0) {
        e1k_anomaly(d, E1K_ANOM_RING, E1K_REG_RCTL, rctl,
                    "RCTL.BSEX with BSIZE 00b is reserved: using 2048-byte buffers");
        return 2048u;
    }
    return 32768u >> bs;
}

/* The ring as programmed, or -1 (recorded) when it cannot be used. */
static int ring_check(struct e1k_dev *d, uint32_t *n)
{
    uint32_t rdlen = rd(d, E1K_REG_RDLEN);
    uint32_t rdh = rd(d, E1K_REG_RDH), rdt = rd(d, E1K_REG_RDT);
    if (rdlen == 0 || rdlen % 128) {
        e1k_anomaly(d, E1K_ANOM_RING, E1K_REG_RDLEN, rdlen,
                    "RDLEN %u is not a non-zero multiple of 128: receive ring unusable", rdlen);
        return -1;
    }
    *n = rdlen / RDESC_SIZE;
    if (rdh >= *n || rdt >= *n) {
        e1k_anomaly(d, E1K_ANOM_RING, rdh >= *n ? E1K_REG_RDH : E1K_REG_RDT, rdh >= *n ? rdh : rdt,
                    "RDH %u / RDT %u beyond the %u-descriptor receive ring", rdh, rdt, *n);
        return -1;
    }
    return 0;
}

/* RCTL.RDMTS (13.4.22): 1/2, 1/4, 1/8 of the ring; 11b reserved (none). */
static uint32_t rdmt_threshold(uint32_t rctl, uint32_t n)
{
    unsigned s = (rctl & E1K_RCTL_RDMTS_MASK) >> E1K_RCTL_RDMTS_SHIFT;
    return s == 3 ? 0 : n >> (s + 1);
}

void e1k_rx_step(struct e1k_dev *d)
{
    struct e1k_rx *rx = &d->rx;
    rx->scheduled = 0;
    uint32_t rctl = rd(d, E1K_REG_RCTL);
    if (!rx->qlen || rx->stalled || !(rctl & E1K_RCTL_EN))
        return;
    uint32_t n;
    if (ring_check(d, &n) < 0) {
        rx->stalled = 1;
        return;
    }
    uint64_t base = (uint64_t)rd(d, E1K_REG_RDBAH) << 32 | (rd(d, E1K_REG_RDBAL) & ~0xFu);
    uint32_t rdh = rd(d, E1K_REG_RDH), rdt = rd(d, E1K_REG_RDT);
    uint32_t bsize = buffer_size(d, rctl);
    uint32_t thresh = rdmt_threshold(rctl, n);
    struct e1k_rx_fifo_entry *e = &rx->q[rx->qhead];
    int done = 0, abandoned = 0;

    /* One frame per step; at most one pass over the ring. */
    for (uint32_t k = 0; k < n && rdh != rdt && !done; k++) {
        uint64_t da = base + (uint64_t)rdh * RDESC_SIZE;
        uint8_t desc[RDESC_SIZE];
        if (e1k_dma_read(d, E1K_DMA_DESC_FETCH, da, desc, sizeof(desc), "RX descriptor") < 0) {
            rx->stalled = 1;
            break;
        }
        uint64_t addr = 0;
        for (int i = 7; i >= 0; i--)
            addr = addr << 8 | desc[i];
        uint32_t chunk = e->out_len - rx->cur_off;
        if (chunk > bsize)
            chunk = bsize;
        uint8_t wb[8] = {0};
        uint8_t status = STA_DD, errors = 0;
        if (e1k_dma_write(d, E1K_DMA_DATA, addr, e->data + rx->cur_off, chunk, "RX buffer") < 0) {
            /* The frame is abandoned on this descriptor (see the top). */
            chunk = 0;
            errors = ERR_RXE;
            done = abandoned = 1;
            rx_event(d, E1K_EV_RX_DROP);
        } else {
            done = rx->cur_off + chunk == e->out_len;
            if (done)
                rx_event(d, E1K_EV_RX_DMA_DONE);
        }
        if (rx->cur_off == 0)
            put_le16(wb + 2, e->csum); /* always in the first descriptor (3.2.3) */
        if (done) {
            status |= STA_EOP | e->status;
            errors |= e->errors;
            put_le16(wb + 6, e->special);
        }
        put_le16(wb, (uint16_t)chunk);
        wb[4] = status;
        wb[5] = errors;
        rx->cur_off += chunk;
        e1k_dma_write(d, E1K_DMA_DESC_WB, da + 8, wb, sizeof(wb), "RX descriptor write-back");
        if (done && !abandoned)
            rx_event(d, E1K_EV_RX_WB);
        rdh = (rdh + 1) % n;
        wr(d, E1K_REG_RDH, rdh);
        /* RXDMT0 when the free descriptors fall to the threshold (3.2.7.3). */
        if (thresh && (rdt + n - rdh) % n == thresh)
            e1k_intr_cause(d, E1K_ICR_RXDMT0);
    }
    if (done) {
        uint32_t out_len = e->out_len;
        rx->frames++;
        fifo_pop(d);
        /* RSRPD compares the size with its CRC even when SECRC strips it,
         * without a stripped VLAN tag (SDM 13.4.32). */
        e1k_intr_rx_frame(d, out_len + ((rd(d, E1K_REG_RCTL) & E1K_RCTL_SECRC) ? 4 : 0));
    }
    if (rx->qlen && !rx->stalled && rdh != rdt)
        schedule(d);
}
