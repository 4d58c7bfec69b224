#include "gmem.h"

#include <stdlib.h>
#include <string.h>

struct gmem {
    uint8_t *ram;
    uint64_t size;
    uint64_t brk; /* next free byte for gmem_alloc */
    struct {
        uint64_t base, size;
    } holes[GMEM_MAX_HOLES];
    unsigned nholes;
    struct gmem_counters c;
};

struct gmem *gmem_new(uint64_t size)
{
    if (size == 0 || size > ((uint64_t)1 << 40))
        return NULL;
    struct gmem *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->ram = calloc(1, (size_t)size);
    if (!m->ram) {
        free(m);
        return NULL;
    }
    m->size = size;
    m->brk = 0x1000; /* keep page 0 unused: a zero address is never a valid buffer */
    return m;
}

void gmem_free(struct gmem *m)
{
    if (!m)
        return;
    free(m->ram);
    free(m);
}

uint64_t gmem_size(const struct gmem *m) { return m->size; }

int gmem_add_hole(struct gmem *m, uint64_t base, uint64_t size)
{
    if (m->nholes == GMEM_MAX_HOLES || size == 0)
        return -1;
    m->holes[m->nholes].base = base;
    m->holes[m->nholes].size = size;
    m->nholes++;
    return 0;
}

/* In RAM and in no hole; overflow-safe. */
static int range_ok(const struct gmem *m, uint64_t addr, size_t len)
{
    if (len > m->size || addr > m->size - len)
        return 0;
    for (unsigned i = 0; i < m->nholes; i++) {
        uint64_t hb = m->holes[i].base, hs = m->holes[i].size;
        if (addr < hb + hs && hb < addr + len)
            return 0;
    }
    return 1;
}

static int refuse(struct gmem *m, uint64_t addr, size_t len)
{
    m->c.errors++;
    m->c.last_error_addr = addr;
    m->c.last_error_len = len;
    return -1;
}

int gmem_dma_read(struct gmem *m, enum e1k_dma_kind kind, uint64_t addr, void *buf, size_t len)
{
    if ((unsigned)kind >= E1K_DMA_KINDS || !range_ok(m, addr, len))
        return refuse(m, addr, len);
    memcpy(buf, m->ram + addr, len);
    m->c.transactions[kind]++;
    m->c.bytes[kind] += len;
    return 0;
}

int gmem_dma_write(struct gmem *m, enum e1k_dma_kind kind, uint64_t addr, const void *buf,
                   size_t len)
{
    if ((unsigned)kind >= E1K_DMA_KINDS || !range_ok(m, addr, len))
        return refuse(m, addr, len);
    memcpy(m->ram + addr, buf, len);
    m->c.transactions[kind]++;
    m->c.bytes[kind] += len;
    return 0;
}

const struct gmem_counters *gmem_counters(const struct gmem *m) { return &m->c; }

void *gmem_ptr(struct gmem *m, uint64_t addr, size_t len)
{
    return range_ok(m, addr, len) ? m->ram + addr : NULL;
}

uint64_t gmem_alloc(struct gmem *m, size_t len, size_t align)
{
    if (align == 0 || (align & (align - 1)))
        return UINT64_MAX;
    uint64_t a = (m->brk + align - 1) & ~(uint64_t)(align - 1);
    if (a < m->brk || len > m->size || a > m->size - len)
        return UINT64_MAX;
    m->brk = a + len;
    memset(m->ram + a, 0, len);
    return a;
}

void gmem_reset_alloc(struct gmem *m) { m->brk = 0x1000; }
