/* Model-internal access to the register table. */
#ifndef E1K_REGS_INTERNAL_H
#define E1K_REGS_INTERNAL_H

#include <stdint.h>

/* Table index of the entry decoding `off`, and the array index; -1 if none. */
int e1k_reg_index_of(uint32_t off, unsigned *index);

#endif
