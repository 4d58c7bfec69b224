/* Growable arrays: the one place that doubles a capacity. */
#ifndef E1K_SIM_VEC_H
#define E1K_SIM_VEC_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for element n of the array *pp (any object pointer, passed by
 * address), which has room for *cap elements of elem bytes: when n == *cap
 * the capacity doubles (to `first` from empty). Returns 0, or -1 when out of
 * memory or the size would overflow; the array is then left as it was. */
static inline int vec_reserve(void *pp, size_t *cap, size_t n, size_t elem, size_t first)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : first;
    if (nc < *cap || nc > SIZE_MAX / elem)
        return -1;
    void *old;
    memcpy(&old, pp, sizeof(old));
    void *p = realloc(old, nc * elem);
    if (!p)
        return -1;
    memcpy(pp, &p, sizeof(p));
    *cap = nc;
    return 0;
}

#endif
