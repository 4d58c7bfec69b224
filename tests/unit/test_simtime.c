#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "simtime.h"

static void test_simtime_domains(void **state)
{
    assert_int_equal(simt_pci_cycles(1, SIMT_PCI_33MHZ), 30000);
    assert_int_equal(simt_pci_cycles(4, SIMT_PCI_66MHZ), 60000);
    /* A 64-byte frame + 8 preamble/SFD + 12 IFG = 84 bytes = 672 ns at 1 Gb/s. */
    assert_int_equal(simt_bytes(84, 1000), 672 * SIMT_NS);
    assert_int_equal(simt_bytes(84, 100), 6720 * SIMT_NS);
    assert_int_equal(simt_bytes(84, 10), 67200 * SIMT_NS);
    /* ITR=488 (Linux's 8000 ints/s) is 124.928 us. */
    assert_int_equal(simt_itr(488), 124928 * SIMT_NS);
    /* RDTR=0x20 (Linux's default 32 units... ) -> 32.768 us. */
    assert_int_equal(simt_delay(32), 32768 * SIMT_NS);
    assert_int_equal(simt_delay(0xffff), (uint64_t)0xffff * 1024000);
    assert_true(simt_add(SIMT_NEVER - 5, 10) == SIMT_NEVER);
    assert_int_equal(simt_add(5, 10), 15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simtime_domains),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
