/* The trace parser and the replay engine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "replay.h"
#include "trace.h"

static struct trace *parse_ok(const char *text)
{
    struct trace *t = NULL;
    char err[256] = "";
    if (trace_parse("t.e1kt", text, strlen(text), &t, err, sizeof(err)))
        fail_msg("unexpected parse error: %s", err);
    return t;
}

static void expect_error(const char *text, const char *want)
{
    struct trace *t = NULL;
    char err[256] = "";
    assert_int_equal(trace_parse("bad.e1kt", text, strlen(text), &t, err, sizeof(err)), -1);
    if (!strstr(err, want))
        fail_msg("error '%s' lacks '%s'", err, want);
    assert_null(t);
}

static void test_trace_parse_items(void **state)
{
    struct trace *t = parse_ok("# header\n"
                               "option timing functional\n"
                               "[probe]\n"
                               "cfg r16 0x00 0x8086\n"
                               "mem r32 STATUS 0x2/0x2   # masked\n"
                               "mem w32 ral[1] 0x11223344\n"
                               "mem w16 CTRL+2 0xffff\n"
                               "mem r32 ICR *\n"
                               "mem r32 ICR\n"
                               "io w32 IOADDR 0x100\r\n"
                               "wait 10us\n"
                               "wait 7\n"
                               "irq 0\n"
                               "link down\n");
    assert_int_equal(t->n, 13);
    assert_int_equal(t->items[0].kind, TR_OPTION);
    assert_int_equal(t->items[1].kind, TR_SECTION);
    assert_string_equal(t->items[1].text, "probe");
    const struct trace_item *c = &t->items[2];
    assert_int_equal(c->kind, TR_ACCESS);
    assert_int_equal(c->space, TS_CFG);
    assert_int_equal(c->width, 2);
    assert_true(c->has_expect);
    assert_int_equal(c->value, 0x8086);
    assert_int_equal(c->line, 4);
    assert_int_equal(t->items[3].mask, 2);
    assert_int_equal(t->items[4].offset, 0x5408);
    assert_true(t->items[4].is_write);
    assert_int_equal(t->items[5].offset, 2);
    assert_false(t->items[6].has_expect);
    assert_false(t->items[7].has_expect);
    assert_int_equal(t->items[8].space, TS_IO);
    assert_int_equal(t->items[9].wait_ps, 10000000);
    assert_int_equal(t->items[10].wait_ps, 7000);
    assert_int_equal(t->items[12].level, 0);
    assert_string_equal(trace_option(t, "timing"), "functional");
    assert_int_equal(t->accesses, 7);
    assert_int_equal(t->reads_checked, 3); /* two reads + irq */
    trace_free(t);
}

static void test_trace_errors_name_the_line(void **state)
{
    expect_error("mem r32 CTRL\nbogus line\n", "bad.e1kt:2:");
    expect_error("mem r32 NOSUCHREG 0\n", "bad.e1kt:1:");
    expect_error("mem w32 CTRL\n", "needs a value");
    expect_error("mem w8 CTRL 0x100\n", "fits in 8 bits");
    expect_error("mem r64 CTRL\n", "width");
    expect_error("mem r32 0x20000\n", "offset");
    expect_error("io r32 STATUS\n", "offset");
    expect_error("cfg r32 0xfe\n", "past");
    expect_error("wait 10 parsecs\n", "duration");
    expect_error("wait 10xs\n", "duration");
    expect_error("wait 99999999999999999999s\n", "duration");
    expect_error("irq 2\n", "irq");
    expect_error("[unterminated\n", "section");
    expect_error("mem r32 CTRL\noption timing functional\n", "before the first access");
    expect_error("option color blue\n", "unknown option");
    expect_error("mem r32 CTRL 0x1/0xzz\n", "expected value");
    expect_error("mem r32 CTRL 1 2 3 4 5 6 7 8 9\n", "too many");
    char big[6000];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    expect_error(big, "longer");
    const char nul[] = "mem r32 CTRL\0x\n";
    struct trace *t = NULL;
    char err[128];
    assert_int_equal(trace_parse("n", nul, sizeof(nul) - 1, &t, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "NUL"));
    assert_int_equal(trace_load("/nonexistent/x.e1kt", &t, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/nonexistent/x.e1kt"));
}

static void test_trace_replay_reports_mismatches(void **state)
{
    struct trace *t = parse_ok("option timing functional\n"
                               "[ids]\n"
                               "cfg r16 0x00 0x8086\n"
                               "cfg r16 0x02 0x1234\n" /* wrong on purpose */
                               "[regs]\n"
                               "mem w32 IMC 0xffffffff\n"
                               "mem r32 ICR *\n"
                               "mem w32 ICS 0x4\n"
                               "mem w32 IMS 0x4\n"
                               "irq 1\n"
                               "mem r32 ICR 0x4\n"
                               "irq 1\n" /* wrong: reading ICR dropped it */
                               "mem r32 STATUS 0x0/0x80000000\n");
    struct replay_opts o = { .timing = -1 };
    struct replay_result r;
    char err[128];
    assert_int_equal(replay_run(t, &o, &r, err, sizeof(err)), 0);
    assert_int_equal(r.reads_checked, 6);
    assert_int_equal(r.mismatches, 2);
    assert_int_equal(r.unexplained, 2);
    assert_int_equal(r.nsections, 2);
    assert_int_equal(r.sections[0].failures, 1);
    assert_int_equal(r.sections[1].failures, 1);
    char line[320];
    replay_format_mismatch(t, &r.mm[0], line, sizeof(line));
    assert_non_null(strstr(line, "t.e1kt:4:"));
    assert_non_null(strstr(line, "expected 0x00001234 got 0x0000100e"));
    assert_non_null(strstr(line, "bits 1,3,4,5,9)"));
    replay_format_mismatch(t, &r.mm[1], line, sizeof(line));
    assert_non_null(strstr(line, "t.e1kt:12: interrupt line: expected 1 got 0"));
    const char *junit = "build-test-junit.xml";
    assert_int_equal(replay_write_junit(junit, t, &r, err, sizeof(err)), 0);
    FILE *f = fopen(junit, "r");
    char buf[4096];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = 0;
    fclose(f);
    remove(junit);
    assert_non_null(strstr(buf, "tests=\"2\" failures=\"2\""));
    assert_non_null(strstr(buf, "name=\"ids\""));
    assert_non_null(strstr(buf, "t.e1kt:4:"));
    replay_result_free(&r);
    trace_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace_parse_items),
        cmocka_unit_test(test_trace_errors_name_the_line),
        cmocka_unit_test(test_trace_replay_reports_mismatches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
