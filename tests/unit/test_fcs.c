/* The device's FCS (slicing-by-8 CRC-32) against zlib's crc32, the
 * reference implementation, for every length up to two frames and random
 * contents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include <cmocka.h>

#include "e1k/e1k.h"
#include "rng.h"

static void test_fcs_matches_zlib(void **state)
{
    static uint8_t buf[3100];
    struct rng r;
    rng_seed(&r, 99);
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)rng_next(&r);
    for (size_t len = 0; len < sizeof(buf); len++) {
        size_t off = (size_t)rng_below(&r, 8); /* any alignment */
        if (off + len > sizeof(buf))
            off = 0;
        uint32_t want = (uint32_t)crc32(0, buf + off, (uInt)len);
        if (e1k_fcs(buf + off, len) != want)
            fail_msg("length %zu offset %zu: 0x%08x, zlib 0x%08x", len, off,
                     e1k_fcs(buf + off, len), want);
    }
    /* the check value of the standard CRC-32 */
    assert_int_equal(e1k_fcs((const uint8_t *)"123456789", 9), 0xCBF43926);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fcs_matches_zlib),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
