/* The 82540EM model wired into the simulator: its timers become events on
 * the engine's queue, its DMA goes to guest memory (when there is one), and
 * its interrupt line and anomalies are observed here. */
#ifndef E1K_NIC_H
#define E1K_NIC_H

#include <stdint.h>

#include "e1k/e1k.h"
#include "evq.h"

struct simnic;

struct simnic_hooks {
    void *ctx;
    void (*irq)(void *ctx, int level, uint64_t t_ps);
    void (*anomaly)(void *ctx, const struct e1k_anomaly *a, uint64_t t_ps);
    void (*tx_frame)(void *ctx, const uint8_t *frame, size_t len, uint64_t t_ps);
    void (*frame_event)(void *ctx, int ev, uint64_t t_ps);
    int (*dma_read)(void *ctx, enum e1k_dma_kind kind, uint64_t addr, void *buf, size_t len);
    int (*dma_write)(void *ctx, enum e1k_dma_kind kind, uint64_t addr, const void *buf,
                     size_t len);
};

struct simnic *simnic_new(struct evq *q, const struct e1k_config *cfg,
                          const struct simnic_hooks *hooks);
void simnic_free(struct simnic *n);
struct e1k_dev *simnic_dev(struct simnic *n);
uint64_t simnic_irq_edges(const struct simnic *n);

#endif
