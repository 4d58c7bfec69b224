/* Simulated guest-physical memory: what the model's DMA reaches. Every access
 * is bounds-checked; an access outside RAM, or into a hole such as the
 * device's own BARs, is refused and recorded with its address and length. */
#ifndef E1K_GMEM_H
#define E1K_GMEM_H

#include <stddef.h>
#include <stdint.h>

#include "e1k/e1k.h"

#define GMEM_DEFAULT_SIZE (64u << 20)
#define GMEM_MAX_HOLES 8

struct gmem_counters {
    uint64_t transactions[E1K_DMA_KINDS];
    uint64_t bytes[E1K_DMA_KINDS];
    uint64_t errors;
    uint64_t last_error_addr;
    size_t last_error_len;
};

struct gmem;

/* RAM of `size` bytes at guest-physical 0. NULL when out of memory. */
struct gmem *gmem_new(uint64_t size);
void gmem_free(struct gmem *m);
uint64_t gmem_size(const struct gmem *m);

/* Declare [base, base+size) not RAM (MMIO of a device): DMA there fails. */
int gmem_add_hole(struct gmem *m, uint64_t base, uint64_t size);

/* Device DMA: 0, or -1 when refused (counted as an error, nothing moved). */
int gmem_dma_read(struct gmem *m, enum e1k_dma_kind kind, uint64_t addr, void *buf, size_t len);
int gmem_dma_write(struct gmem *m, enum e1k_dma_kind kind, uint64_t addr, const void *buf,
                   size_t len);
const struct gmem_counters *gmem_counters(const struct gmem *m);

/* The guest's own view (the simulated driver): direct pointer to a range,
 * NULL when the range is not all RAM. */
void *gmem_ptr(struct gmem *m, uint64_t addr, size_t len);

/* A bump allocator for the driver's rings and buffers: `align` must be a
 * power of two. Returns the guest-physical address, or UINT64_MAX when RAM
 * is exhausted. Allocations are zeroed. */
uint64_t gmem_alloc(struct gmem *m, size_t len, size_t align);
/* Free everything allocated (the driver is being torn down). */
void gmem_reset_alloc(struct gmem *m);

#endif
