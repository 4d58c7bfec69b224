/* The register table and its look-ups, generated from e1k_regs.def. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "e1k/e1k.h"
#include "e1k/e1k_regs.h"
#include "regs_internal.h"

#define E1K_REG(n, o, c, s, a, r, w, d, x) { #n, (o), (c), (s), E1K_ACC_##a, (r), (w), (d), (x) },
static const struct e1k_reg_info table[] = {
#include "e1k/e1k_regs.def"
};
#undef E1K_REG

_Static_assert(sizeof(table) / sizeof(table[0]) == E1K_RI_COUNT, "table and enum agree");

/* dword index -> table index + 1 (0: nothing decodes there). Built once. */
static uint16_t by_dword[E1K_MMIO_SIZE / 4];
static pthread_once_t by_dword_once = PTHREAD_ONCE_INIT;

static void build_by_dword(void)
{
    for (size_t i = 0; i < E1K_RI_COUNT; i++) {
        const struct e1k_reg_info *e = &table[i];
        for (unsigned k = 0; k < e->count; k++) {
            uint32_t off = e->offset + k * e->stride;
            if (off / 4 < E1K_MMIO_SIZE / 4)
                by_dword[off / 4] = (uint16_t)(i + 1);
        }
    }
}

size_t e1k_reg_count(void) { return E1K_RI_COUNT; }

const struct e1k_reg_info *e1k_reg_at(size_t i)
{
    return i < E1K_RI_COUNT ? &table[i] : NULL;
}

int e1k_reg_index_of(uint32_t off, unsigned *index)
{
    if (off >= E1K_MMIO_SIZE)
        return -1;
    pthread_once(&by_dword_once, build_by_dword);
    unsigned t = by_dword[off / 4];
    if (!t)
        return -1;
    const struct e1k_reg_info *e = &table[t - 1];
    if (index)
        *index = e->count > 1 ? ((off & ~3u) - e->offset) / e->stride : 0;
    return (int)(t - 1);
}

const struct e1k_reg_info *e1k_reg_lookup(uint32_t off, unsigned *index)
{
    int t = e1k_reg_index_of(off, index);
    return t < 0 ? NULL : &table[t];
}

static int parse_uint(const char *s, const char *end, unsigned long *out)
{
    if (s == end)
        return -1;
    char buf[32];
    size_t n = (size_t)(end - s);
    if (n >= sizeof(buf))
        return -1;
    memcpy(buf, s, n);
    buf[n] = 0;
    char *e;
    unsigned long v = strtoul(buf, &e, 0);
    if (*e || !isdigit((unsigned char)buf[0]))
        return -1;
    *out = v;
    return 0;
}

int e1k_reg_parse(const char *name, uint32_t *off)
{
    size_t len = strlen(name);
    const char *idx_start = NULL, *idx_end = NULL;
    size_t base_len = len;
    const char *br = strchr(name, '[');
    if (br) {
        const char *close = strchr(br, ']');
        if (!close || close[1] != 0)
            return -1;
        base_len = (size_t)(br - name);
        idx_start = br + 1;
        idx_end = close;
    }
    for (size_t i = 0; i < E1K_RI_COUNT; i++) {
        const struct e1k_reg_info *e = &table[i];
        size_t nl = strlen(e->name);
        unsigned long idx = 0;
        if (idx_start) {
            if (nl != base_len || strncasecmp(name, e->name, nl))
                continue;
            if (parse_uint(idx_start, idx_end, &idx))
                return -1;
        } else if (nl == len && !strcasecmp(name, e->name)) {
            idx = 0;
        } else if (e->count > 1 && len > nl && !strncasecmp(name, e->name, nl) &&
                   isdigit((unsigned char)name[nl])) {
            /* "RAL3": only when no other register is named like that (e.g. RAH vs RA) */
            if (parse_uint(name + nl, name + len, &idx))
                continue;
        } else {
            continue;
        }
        if (idx >= e->count)
            return -1;
        *off = e->offset + (uint32_t)idx * e->stride;
        return 0;
    }
    return -1;
}

const char *e1k_reg_name(uint32_t off, char *buf, size_t n)
{
    unsigned idx;
    const struct e1k_reg_info *e = e1k_reg_lookup(off, &idx);
    if (!e)
        snprintf(buf, n, "0x%05x", off);
    else if (e->count > 1)
        snprintf(buf, n, "%s[%u]", e->name, idx);
    else
        snprintf(buf, n, "%s", e->name);
    return buf;
}

const char *e1k_access_name(enum e1k_access a)
{
    switch (a) {
    case E1K_ACC_RW: return "RW";
    case E1K_ACC_RO: return "RO";
    case E1K_ACC_WO: return "WO";
    case E1K_ACC_RC: return "RC";
    case E1K_ACC_RW1C: return "RW1C";
    case E1K_ACC_RCW: return "RCW";
    }
    return "?";
}
