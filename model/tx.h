/* Transmit engine (SDM 3.3, 3.4, 3.5, 3.6): descriptor fetch over DMA,
 * legacy / context / data descriptors, checksum offload, TCP segmentation,
 * VLAN insertion, padding, write-back, statistics. Event-driven: each step
 * does its functional work and the next step is scheduled on E1K_TIMER_TX
 * (so that timing can be attached without a rewrite). */
#ifndef E1K_TX_H
#define E1K_TX_H

#include <stddef.h>
#include <stdint.h>

struct e1k_dev;

#define E1K_WIRE_FIRST 1 /* first frame (segment) of its packet */
#define E1K_WIRE_LAST 2  /* last one */

/* The offload context loaded by a context descriptor (SDM 3.3.6). */
struct e1k_tx_ctx {
    uint8_t ipcss, ipcso, tucss, tucso, hdrlen;
    uint16_t ipcse, tucse, mss;
    uint32_t paylen;
    uint8_t tse, ip, tcp; /* TUCMD.TSE, TUCMD.IP (IPv4), TUCMD.TCP */
    uint8_t valid;
};

struct e1k_tx {
    int scheduled;        /* a step is armed on E1K_TIMER_TX */
    struct e1k_tx_ctx ctx;
    /* the packet being gathered from data/legacy descriptors */
    uint8_t *pkt;
    size_t len, cap;
    uint32_t ndesc;       /* descriptors in the packet so far */
    uint8_t popts;        /* POPTS of the first data descriptor (IXSM/TXSM) */
    uint8_t dcmd;         /* DCMD bits accumulated (TSE, VLE, IFCS, ...) */
    uint16_t vlan;        /* special field of the EOP descriptor */
    uint8_t legacy_css, legacy_cso, legacy_ic;
    int is_data;          /* extended (data) descriptors in use for this packet */
    uint64_t frames, tso_segments, descs;

    /* The device keeps the segmentation context (TUCMD.TSE = 1) apart from
     * the checksum context `ctx` (TUCMD.TSE = 0): data descriptors pick one
     * with DCMD.TSE (SDM 3.3.7.1). */
    struct e1k_tx_ctx tso_ctx;
    uint8_t *frame;       /* the frame being put on the wire */
    size_t frame_cap;
    int pkt_tse;          /* the packet is a TCP segmentation send */
    int pkt_bad;          /* drop at EOP (data DMA refused, too large, ...) */
    uint8_t first_cmd;    /* CMD/DCMD of the packet's first descriptor */
    uint16_t first_special;
    uint32_t warned_tdlen; /* last odd TDLEN value reported (once per value) */
    /* A TSO send being cut into segments, one per step; the EOP descriptor
     * stays at TDH until the last segment is out. */
    int seg_active;
    struct e1k_tx_ctx seg_ctx;
    uint32_t seg_hdrlen, seg_mss, seg_total, seg_off, seg_count, seg_limit;
    uint8_t seg_popts, seg_cmd;
    uint16_t seg_vlan;
    uint64_t eop_addr;    /* guest address of that EOP descriptor */
    uint8_t eop_desc[16];

    /* The wire (timing model): frames in the transmit FIFO waiting for their
     * last bit to leave, in order. */
    struct e1k_tx_wire_frame {
        uint8_t *data;
        uint32_t len;
        uint64_t ready;   /* its data is in the FIFO from this time */
        uint8_t flags;    /* E1K_WIRE_FIRST / _LAST: segment of its packet */
    } *wq;
    size_t wq_head, wq_len, wq_cap;
    uint64_t wq_bytes;    /* bytes held in the FIFO */
    uint64_t wire_free;   /* when the wire is next idle (after the gap) */
    /* Completions waiting for the DMA of their step (timing model): the
     * descriptor write-back, its interrupt causes and the host's event take
     * effect when the data fetch they follow is done. */
    struct e1k_tx_done {
        uint64_t t;
        uint64_t addr;
        uint8_t up[4];        /* the status dword to write back */
        uint8_t kind;         /* 0: descriptor, 1: host event */
        uint8_t report, ide;
        int ev;
        uint32_t causes;
    } *dq;
    size_t dq_head, dq_len, dq_cap;
    int on_wire;          /* the head frame is being sent */
    uint8_t wire_flags;   /* flags for the frame send_frame is putting out */
    uint64_t head_start, head_end;
};

void e1k_tx_init(struct e1k_dev *d);
void e1k_tx_free(struct e1k_dev *d);
/* Back to the reset state: context, partial packet dropped, step cancelled. */
void e1k_tx_reset(struct e1k_dev *d);
/* TDT written, TCTL.EN set, link up, pause over: make sure a step will run. */
void e1k_tx_kick(struct e1k_dev *d);
/* E1K_TIMER_TX expired. */
void e1k_tx_step(struct e1k_dev *d);
/* E1K_TIMER_TXDONE expired: completions whose DMA is done take effect. */
void e1k_tx_done(struct e1k_dev *d);
/* E1K_TIMER_WIRE expired: frames whose last bit has left go out. */
void e1k_tx_wire_done(struct e1k_dev *d);
/* A MAC control frame (PAUSE) the MAC itself sends: it goes on the wire
 * right after the frame being sent, ahead of the FIFO (802.3 31B). */
void e1k_tx_send_control(struct e1k_dev *d, const uint8_t *f, size_t len);

#endif
