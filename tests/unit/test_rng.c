#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rng.h"

static void test_rng_known_values(void **state)
{
    /* splitmix64 reference outputs for seed 0 (Vigna's splitmix64.c). */
    uint64_t s = 0;
    assert_true(rng_splitmix64(&s) == UINT64_C(0xe220a8397b1dcdaf));
    assert_true(rng_splitmix64(&s) == UINT64_C(0x6e789e6aa1b965f4));
}

static void test_rng_reproducible(void **state)
{
    struct rng a, b, c;
    rng_seed(&a, 123);
    rng_seed(&b, 123);
    rng_seed_stream(&c, 123, 1);
    int same_c = 1;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = rng_next(&a);
        assert_true(x == rng_next(&b));
        if (x != rng_next(&c))
            same_c = 0;
    }
    assert_false(same_c);
}

static void test_rng_bounds(void **state)
{
    struct rng r;
    rng_seed(&r, 5);
    uint64_t hist[7] = { 0 };
    for (int i = 0; i < 70000; i++) {
        uint64_t v = rng_below(&r, 7);
        assert_true(v < 7);
        hist[v]++;
    }
    for (int i = 0; i < 7; i++)
        assert_true(hist[i] > 9000 && hist[i] < 11000);
    assert_int_equal(rng_below(&r, 0), 0);
    assert_int_equal(rng_below(&r, 1), 0);
    for (int i = 0; i < 1000; i++) {
        uint64_t v = rng_range(&r, 10, 12);
        assert_true(v >= 10 && v <= 12);
    }
    assert_int_equal(rng_range(&r, 9, 9), 9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng_known_values),
        cmocka_unit_test(test_rng_reproducible),
        cmocka_unit_test(test_rng_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
