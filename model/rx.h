/* Receive engine (SDM 3.2, 8.x filtering): frames from the wire pass the
 * address/VLAN filters into the receive FIFO (sized by PBA), then are moved
 * by DMA into the buffers of receive descriptors, with checksum offload,
 * VLAN stripping, CRC stripping, status/error bits and write-back; ring full
 * holds frames in the FIFO, overflow drops them (RXO, MPC). Event-driven on
 * E1K_TIMER_RX. */
#ifndef E1K_RX_H
#define E1K_RX_H

#include <stddef.h>
#include <stdint.h>

struct e1k_dev;

struct e1k_rx_fifo_entry {
    uint8_t *data;
    uint32_t len;   /* bytes as received, FCS included */
    uint32_t flags; /* filter results (match type, VLAN, errors), rx.c's */
    /* What the host will see, fixed when the frame enters the FIFO: `data`
     * holds out_len bytes after VLAN and CRC stripping; the descriptor
     * fields of the frame's first (csum) and last (status, errors,
     * special) descriptor. */
    uint32_t out_len;
    uint16_t csum, special;
    uint8_t status, errors;
};

struct e1k_rx {
    int scheduled;  /* a step is armed on E1K_TIMER_RX */
    struct e1k_rx_fifo_entry *q; /* ring of frames waiting in the FIFO */
    size_t qhead, qlen, qcap;
    uint32_t fifo_bytes;        /* bytes held, against the PBA receive allocation */
    uint32_t cur_off;           /* bytes of the head frame already written (multi-descriptor) */
    int stalled;    /* ring unusable (bad RDLEN/RDH/RDT, descriptor DMA refused):
                     * no step until RDT or RCTL is written again */
    uint64_t frames, dropped;
};

void e1k_rx_init(struct e1k_dev *d);
void e1k_rx_free(struct e1k_dev *d);
/* Back to the reset state: the FIFO is emptied. */
void e1k_rx_reset(struct e1k_dev *d);
/* RDT written, RCTL.EN set: make sure a step will run if frames wait. */
void e1k_rx_kick(struct e1k_dev *d);
/* E1K_TIMER_RX expired. */
void e1k_rx_step(struct e1k_dev *d);
/* FIFO fill in bytes (flow control thresholds). */
uint32_t e1k_rx_fifo_level(const struct e1k_dev *d);

#endif
