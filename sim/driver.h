/* The simulated guest driver: the Linux e1000 driver's behaviour towards an
 * 82540EM (drivers/net/ethernet/intel/e1000: probe, open, interrupt handler,
 * NAPI poll, transmit, watchdog, adaptive ITR), written from its facts, and
 * a poll-mode driver in the manner of DPDK's e1000 PMD. The guest has one
 * vCPU; every action costs CPU time from a cost model (VM exits for MMIO,
 * interrupt injection and handling, per-packet stack work), and the vCPU
 * does one thing at a time. */
#ifndef E1K_DRIVER_H
#define E1K_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "e1k/e1k.h"
#include "evq.h"
#include "gmem.h"

enum drv_model { DRV_LINUX, DRV_POLL };

struct drv_params {
    enum drv_model model;
    int64_t itr;                 /* InterruptThrottleRate: 0, 1, 3, 4 or a rate */
    unsigned rx_int_delay, rx_abs_int_delay, tx_int_delay, tx_abs_int_delay;
    unsigned rx_ring, tx_ring;
    unsigned napi_budget;
    unsigned rx_buffer_write;    /* E1000_RX_BUFFER_WRITE */
    unsigned tx_batch;           /* frames per TDT write (1: every frame) */
    uint64_t poll_interval_ps;   /* poll driver: idle loop period */
    uint64_t mmio_exit_ps, irq_cost_ps, pkt_cost_ps, poll_cost_ps;
    uint64_t mmio_read_ps, mmio_write_ps; /* the bus's own cost (device timing) */
    uint64_t irq_latency_ps;     /* line assertion to handler start on an idle vCPU */
    unsigned txq_len;            /* the stack's transmit queue (txqueuelen) */
};

void drv_params_default(struct drv_params *p);

struct drv_hooks {
    void *ctx;
    /* The carrier came up (or went down). */
    void (*carrier)(void *ctx, int up, uint64_t t_ps);
    /* A received frame reaches the stack: its bytes (FCS removed), when
     * the handler that took it started, and now. `frame` is NULL when the
     * driver discarded it (descriptor errors, not EOP). */
    void (*rx_deliver)(void *ctx, const uint8_t *frame, size_t len, uint64_t handler_ps,
                       uint64_t t_ps);
    /* Transmit stages of frame `id` (given to drv_xmit). */
    void (*tx_queued)(void *ctx, uint64_t id, uint64_t t_ps);    /* descriptor written */
    void (*tx_doorbell)(void *ctx, uint64_t id, uint64_t t_ps);  /* TDT covering it written */
    void (*tx_cleaned)(void *ctx, uint64_t id, uint64_t t_ps);   /* reclaimed after DD */
    void (*tx_dropped)(void *ctx, uint64_t id, uint64_t t_ps);   /* stack queue full */
    /* The interrupt handler ran (ICR value read). */
    void (*isr)(void *ctx, uint32_t icr, uint64_t t_ps);
    /* Every register access the driver makes (optional). */
    void (*mmio)(void *ctx, int is_write, uint32_t off, uint32_t val, uint64_t t_ps);
};

struct drv_stats {
    uint64_t mmio_reads, mmio_writes, io_accesses;
    uint64_t irqs, spurious_irqs, polls, watchdogs;
    uint64_t rx_frames, rx_bytes, rx_errors;
    uint64_t tx_frames, tx_cleaned, tx_dropped, tx_ring_full;
    uint64_t cpu_busy_ps;
    uint64_t itr_writes;
    uint32_t itr_rate;           /* current interrupts/s setting (0: off) */
    uint64_t link_up_ps;         /* when the carrier came up (0: never) */
};

struct driver;

struct driver *drv_new(struct evq *q, struct e1k_dev *dev, struct gmem *mem,
                       const struct drv_params *p, const struct drv_hooks *h);
void drv_free(struct driver *d);
/* Probe and open the device, starting at the current time. Probe runs with
 * time passing as it waits (EEPROM, MDIC, resets); returns -1 with a message
 * if the device does not answer like an 82540EM. */
int drv_start(struct driver *d, char *err, size_t errlen);
/* The interrupt line changed (from the device). */
void drv_irq(struct driver *d, int level);
/* The stack sends a frame (no FCS) at the current time. Returns 0 when
 * queued, -1 when the stack's queue is full (dropped). */
int drv_xmit(struct driver *d, const uint8_t *frame, size_t len, uint64_t id);
/* Stop: disable interrupts and the units, as e1000_close does. */
void drv_stop(struct driver *d);
const struct drv_stats *drv_stats(const struct driver *d);

#endif
