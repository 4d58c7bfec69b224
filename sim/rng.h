/* Deterministic random numbers: xoshiro256** seeded through splitmix64
 * (Blackman & Vigna, 2018). Every random choice in a run draws from an rng
 * derived from the run's seed; nothing reads the host's entropy. */
#ifndef E1K_RNG_H
#define E1K_RNG_H

#include <stdint.h>

struct rng {
    uint64_t s[4];
};

uint64_t rng_splitmix64(uint64_t *state);
void rng_seed(struct rng *r, uint64_t seed);
/* An independent stream for a named purpose, derived from (seed, stream). */
void rng_seed_stream(struct rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, bound) without modulo bias (Lemire 2019); bound 0 gives 0. */
uint64_t rng_below(struct rng *r, uint64_t bound);
/* Uniform in [lo, hi]. */
uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi);

#endif
