/* e1ksim import-qemu: QEMU trace-event log -> register trace. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qemu_import.h"
#include "trace.h"

#define P "1196@1795310745.000000:" /* a fixed prefix where time does not matter */
#define MMIO(rw, addr, val)                                                                        \
    P "memory_region_ops_" rw " cpu 0 mr 0x7f4855481a60 addr " addr " value " val                  \
      " size 4 name 'e1000-mmio'\n"
#define MAP0 P "pci_update_mappings_add e1000 00:03.0 0,0xfebc0000+0x20000\n"
#define MAP1 P "pci_update_mappings_add e1000 00:03.0 1,0xc000+0x40\n"

/* Convert; the trace text (caller frees), or NULL with the error in err. */
static char *conv(const char *log, const struct qimport_opts *o, struct qimport_stats *st,
                  char *err, size_t errlen)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    if (qimport_convert("q.log", log, strlen(log), f, o, st, err, errlen)) {
        fclose(f);
        return NULL;
    }
    long n = ftell(f);
    assert_true(n >= 0);
    char *buf = malloc((size_t)n + 1);
    rewind(f);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static char *conv_ok(const char *log, const struct qimport_opts *o, struct qimport_stats *st)
{
    char err[256] = "";
    char *out = conv(log, o, st, err, sizeof(err));
    if (!out)
        fail_msg("unexpected import error: %s", err);
    return out;
}

static void has(const char *out, const char *want)
{
    if (!strstr(out, want))
        fail_msg("output lacks '%s':\n%s", want, out);
}

static void lacks(const char *out, const char *bad)
{
    if (strstr(out, bad))
        fail_msg("output has '%s':\n%s", bad, out);
}

static struct trace *reparse(const char *out)
{
    struct trace *t = NULL;
    char err[256] = "";
    if (trace_parse("q.e1kt", out, strlen(out), &t, err, sizeof(err)))
        fail_msg("output does not parse: %s\n%s", err, out);
    return t;
}

/* The n-th item of kind k. */
static const struct trace_item *nth(const struct trace *t, enum trace_kind k, size_t n)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->items[i].kind == k && n-- == 0)
            return &t->items[i];
    fail_msg("no item %zu of kind %d", n, (int)k);
    return NULL;
}

static void expect_error(const char *log, const struct qimport_opts *o, const char *want)
{
    char err[256] = "";
    char *out = conv(log, o, NULL, err, sizeof(err));
    if (out)
        fail_msg("expected an error '%s', got:\n%s", want, out);
    if (!strstr(err, want))
        fail_msg("error '%s' lacks '%s'", err, want);
}

static void test_mmio_bar_base_names_sizes(void **state)
{
    const char *log = MAP0 MMIO("read", "0xfebc0008", "0x80783")
        MMIO("write", "0xfebc0000", "0x4140240") MMIO("write", "0xfebc5404", "0x80005634") P
        "memory_region_ops_read cpu 0 mr 0x1 addr 0xfebc0002 value 0x14 size 2 name "
        "'e1000-mmio'\n" P "memory_region_ops_write cpu 0 mr 0x1 addr 0xfebc0003 value 0x4 size 1 "
                           "name 'e1000-mmio'\n" MMIO("read", "0xfebc0004", "0x0");
    struct qimport_stats st;
    char *out = conv_ok(log, NULL, &st);
    has(out, "option source qemu\noption timing functional\n");
    lacks(out, "option mac");
    has(out, "# BAR0 at 0xfebc0000, size 0x20000\n");
    has(out, "mem r32 STATUS 0x00080783\n");
    has(out, "mem w32 CTRL 0x04140240\n");
    has(out, "mem w32 RAH[0] 0x80005634\n");
    has(out, "mem r16 CTRL+2 0x0014\n");
    has(out, "mem w8 CTRL+3 0x04\n");
    has(out, "mem r32 0x00004 0x00000000\n");
    assert_int_equal(st.mmio_reads, 3);
    assert_int_equal(st.mmio_writes, 3);
    assert_int_equal(st.mappings, 1);
    assert_int_equal(st.lines, 7);
    struct trace *t = reparse(out);
    const struct trace_item *a = nth(t, TR_ACCESS, 0);
    assert_int_equal(a->space, TS_MEM);
    assert_int_equal(a->offset, 8);
    assert_int_equal(a->width, 4);
    assert_false(a->is_write);
    assert_true(a->has_expect);
    assert_int_equal(a->value, 0x80783);
    a = nth(t, TR_ACCESS, 2);
    assert_int_equal(a->offset, 0x5404);
    assert_true(a->is_write);
    a = nth(t, TR_ACCESS, 3);
    assert_int_equal(a->offset, 2);
    assert_int_equal(a->width, 2);
    a = nth(t, TR_ACCESS, 4);
    assert_int_equal(a->offset, 3);
    assert_int_equal(a->width, 1);
    assert_int_equal(nth(t, TR_ACCESS, 5)->offset, 4);
    assert_string_equal(trace_option(t, "source"), "qemu");
    assert_string_equal(trace_option(t, "timing"), "functional");
    trace_free(t);
    free(out);

    /* A remapped BAR: the most recent base counts. */
    out = conv_ok(MAP0 P "pci_update_mappings_del e1000 00:03.0 0,0xfebc0000+0x20000\n" P
                         "pci_update_mappings_add e1000 00:03.0 0,0xf0000000+0x20000\n" MMIO(
                             "read", "0xf00000c0", "0x0"),
                  NULL, &st);
    has(out, "mem r32 ICR 0x00000000\n");
    assert_int_equal(st.mappings, 3);
    free(out);

    /* No mapping at all: an address inside the region size is an offset already. */
    out = conv_ok(MMIO("read", "0x8", "0x80783"), NULL, NULL);
    has(out, "mem r32 STATUS 0x00080783\n");
    free(out);
}

static void test_io_window(void **state)
{
#define IO(rw, addr, val)                                                                          \
    P "memory_region_ops_" rw " cpu 0 mr 0x7f4855481b70 addr " addr " value " val                  \
      " size 4 name 'e1000-io'\n"
    const char *log = MAP0 MAP1 IO("read", "0xc004", "0x0") IO("write", "0xc000", "0x0")
        IO("write", "0xc004", "0x4140240") IO("write", "0xc000", "0x8")
            IO("read", "0xc004", "0x80783") P
        "memory_region_ops_write cpu 0 mr 0x1 addr 0xc000 value 0x18 size 1 name 'e1000-io'\n" P
        "memory_region_ops_read cpu 0 mr 0x1 addr 0xc006 value 0x0 size 2 name 'e1000-io'\n" IO(
            "read", "0xc010", "0x0");
    struct qimport_stats st;
    char *out = conv_ok(log, NULL, &st);
    has(out, "io r32 IODATA 0x00000000  # IOADDR not written yet\n");
    has(out, "io w32 IOADDR 0x00000000\n");
    has(out, "io w32 IODATA 0x04140240  # CTRL via I/O window\n");
    has(out, "io w32 IOADDR 0x00000008\n");
    has(out, "io r32 IODATA 0x00080783  # STATUS via I/O window\n");
    has(out, "io w8 IOADDR 0x18\n");
    has(out, "io r16 0x6 0x0000  # CTRL_EXT+2 via I/O window\n"); /* IOADDR now 0x18 */
    has(out, "# io r32 0x10 0x0: outside the 82540EM's 8-byte I/O window, not replayable\n");
    assert_int_equal(st.io_reads, 4);
    assert_int_equal(st.io_writes, 4);
    assert_int_equal(st.unreplayable, 1);
    struct trace *t = reparse(out);
    const struct trace_item *a = nth(t, TR_ACCESS, 2);
    assert_int_equal(a->space, TS_IO);
    assert_int_equal(a->offset, 4);
    assert_true(a->is_write);
    assert_int_equal(a->value, 0x4140240);
    assert_int_equal(nth(t, TR_ACCESS, 6)->offset, 6);
    assert_int_equal(t->accesses, 7);
    trace_free(t);
    free(out);

    /* The I/O BAR is whichever BAR maps the port, here BAR 2. */
    out = conv_ok(
        P "pci_update_mappings_add e1000 00:03.0 2,0xd000+0x40\n" IO("write", "0xd004", "0x1"),
        NULL, NULL);
    has(out, "io w32 IODATA 0x00000001");
    free(out);
    /* ... and once known, a port outside it is an error. */
    expect_error(MAP1 IO("write", "0xc000", "0x0") IO("write", "0xd000", "0x0"), NULL,
                 "q.log:3: e1000-io address 0xd000 is outside the I/O BAR (BAR1");
#undef IO
}

static void test_cfg_sizes(void **state)
{
    const char *log =
        P "pci_cfg_read e1000 00:03.0 @0x0 -> 0x8086\n" P
          "memory_region_ops_read cpu 0 mr 0x5 addr 0xcfc value 0x8086 size 2 name "
          "'pci-conf-data'\n" P "pci_cfg_read e1000 00:03.0 @0xe -> 0x0\n" P
          "memory_region_ops_read cpu 0 mr 0x5 addr 0xcfe value 0x0 size 1 name 'pci-conf-data'\n" P
          "memory_region_ops_write cpu 0 mr 0x5 addr 0xcfc value 0xffffffff size 4 name "
          "'pci-conf-data'\n" P "pci_cfg_write e1000 00:03.0 @0x10 <- 0xffffffff\n" P
          "pci_cfg_read e1000 00:03.0 @0x10 -> 0xfffe0000\n" /* no partners from here on */
        P "pci_cfg_write e1000 00:03.0 @0x4 <- 0x103\n" P
          "pci_cfg_read e1000 00:03.0 @0x2 -> 0x100e\n" P
          "pci_cfg_read e1000 00:03.0 @0x3d -> 0x1\n" P
          "memory_region_ops_read cpu 0 mr 0x5 addr 0xcfc value 0x0 size 4 name 'pci-conf-data'\n";
    struct qimport_stats st;
    char *out = conv_ok(log, NULL, &st);
    has(out, "cfg r16 0x00 0x8086\n");
    has(out, "cfg r8 0x0e 0x00\n");
    has(out, "cfg w32 0x10 0xffffffff\n");
    has(out, "cfg r32 0x10 0xfffe0000  # size inferred from the offset\n");
    has(out, "cfg w32 0x04 0x00000103  # size inferred");
    has(out, "cfg r16 0x02 0x100e  # size inferred");
    has(out, "cfg r8 0x3d 0x01  # size inferred"); /* the next line is at 0xcfc, not 0xcfd */
    assert_int_equal(st.cfg_reads, 5);
    assert_int_equal(st.cfg_writes, 2);
    assert_int_equal(st.cfg_sizes_inferred, 4);
    assert_int_equal(st.skipped, 1); /* the unpaired pci-conf-data line */
    struct trace *t = reparse(out);
    const struct trace_item *a = nth(t, TR_ACCESS, 0);
    assert_int_equal(a->space, TS_CFG);
    assert_int_equal(a->width, 2);
    assert_int_equal(a->value, 0x8086);
    assert_int_equal(nth(t, TR_ACCESS, 1)->width, 1);
    assert_int_equal(nth(t, TR_ACCESS, 2)->width, 4);
    assert_true(nth(t, TR_ACCESS, 2)->is_write);
    trace_free(t);
    free(out);
    expect_error(P "pci_cfg_read e1000 00:03.0 @0x2 -> 0x100e8086\n", NULL,
                 "q.log:1: pci_cfg_read: value 0x100e8086 does not fit in 2 bytes");
}

static void test_irq(void **state)
{
    const char *log = P
        "ioapic_set_irq vector: 10 level: 0\n" /* before the Interrupt Line is written */
        P
        "memory_region_ops_write cpu 0 mr 0x5 addr 0xcfc value 0xa size 1 name 'pci-conf-data'\n" P
        "pci_cfg_write e1000 00:03.0 @0x3c <- 0xa\n" P "ioapic_set_irq vector: 11 level: 1\n" P
        "ioapic_set_irq vector: 10 level: 1\n";
    struct qimport_stats st;
    char *out = conv_ok(log, NULL, &st);
    has(out, "# irq 0 (QEMU)\n");
    has(out, "# irq 1 (QEMU)\n");
    has(out, "cfg w8 0x3c 0x0a\n");
    assert_int_equal(st.irq_pin, 10);
    assert_string_equal(st.irq_pin_from, "cfg 0x3c");
    assert_int_equal(st.irq_events, 2);
    assert_int_equal(st.skipped, 1);
    struct trace *t = reparse(out);
    assert_int_equal(t->reads_checked, 0);
    trace_free(t);
    free(out);

    struct qimport_opts o = {.irq = 1, .irq_pin = -1, .mac = "52:54:00:12:34:56"};
    out = conv_ok(log, &o, &st);
    has(out, "option mac 52:54:00:12:34:56\n");
    has(out, "\nirq 0\n");
    has(out, "\nirq 1\n");
    t = reparse(out);
    assert_int_equal(nth(t, TR_IRQ, 0)->level, 0);
    assert_int_equal(nth(t, TR_IRQ, 1)->level, 1);
    assert_string_equal(trace_option(t, "mac"), "52:54:00:12:34:56");
    trace_free(t);
    free(out);

    o.irq_pin = 11;
    out = conv_ok(log, &o, &st);
    assert_int_equal(st.irq_events, 1);
    assert_string_equal(st.irq_pin_from, "--irq-pin");
    free(out);

    /* No Interrupt Line in the log: pin 11. */
    out = conv_ok(P "ioapic_set_irq vector: 11 level: 1\n", NULL, &st);
    assert_int_equal(st.irq_pin, 11);
    assert_string_equal(st.irq_pin_from, "default");
    assert_int_equal(st.irq_events, 1);
    free(out);
    expect_error(P "ioapic_set_irq vector: 11 level: 2\n", NULL,
                 "q.log:1: ioapic_set_irq: level 2");
    expect_error(P "ioapic_set_irq vector: x level: 1\n", NULL, "q.log:1: ioapic_set_irq: want");
}

static void test_markers_sections(void **state)
{
#define DBG(ch)                                                                                    \
    P "memory_region_ops_write cpu 0 mr 0x9 addr 0xe9 value " ch " size 1 name 'isa-debugcon'\n"
#define MARK_INSMOD                                                                                \
    DBG("0x4d")                                                                                    \
    DBG("0x41") DBG("0x52") DBG("0x4b") DBG("0x20") DBG("0x69") DBG("0x6e") DBG("0x73")            \
        DBG("0x6d") DBG("0x6f") DBG("0x64") DBG("0xa")
    const char *log = P
        "pci_cfg_read e1000 00:03.0 @0x0 -> 0x100e8086\n" P
        "memory_region_ops_write cpu 0 mr 0x2 addr 0x518 value 0x1 size 4 name 'fwcfg.dma'\n" P
        "memory_region_ops_write cpu 0 mr 0x2 addr 0x518 value 0x6efc size 4 name 'fwcfg.dma'\n" P
        "pci_cfg_read e1000 00:03.0 @0x8 -> 0x2000003\n" MARK_INSMOD MMIO("read", "0x8", "0x80783")
            DBG("0x4d") DBG("0x41") DBG("0x52") DBG("0x4b") DBG("0x20") DBG("0x78") DBG("0x23")
                DBG("0xd") DBG("0xa")      /* "MARK x#\r" */
        DBG("0x68") DBG("0x69") DBG("0xa") /* "hi": not a marker */
        DBG("0x4d") DBG("0x41");           /* incomplete */
    struct qimport_stats st;
    char *out = conv_ok(log, NULL, &st);
    const char *b = strstr(out, "\n[bios]\ncfg r32 0x00 0x100e8086");
    const char *k = strstr(out, "\n[kernel]\ncfg r32 0x08 0x02000003");
    const char *i = strstr(out, "\n[insmod]\nmem r32 STATUS 0x00080783");
    const char *x = strstr(out, "\n[x_]\n# debugcon: hi\n");
    assert_non_null(b);
    assert_non_null(k);
    assert_non_null(i);
    assert_non_null(x);
    assert_true(b < k && k < i && i < x);
    has(out, "# debugcon line without its newline at the end of the log: MA\n");
    assert_int_equal(st.markers, 2);
    assert_int_equal(st.sections, 4);
    assert_int_equal(st.skipped, 1); /* the first fwcfg.dma line */
    struct trace *t = reparse(out);
    assert_string_equal(nth(t, TR_SECTION, 0)->text, "bios");
    assert_string_equal(nth(t, TR_SECTION, 1)->text, "kernel");
    assert_string_equal(nth(t, TR_SECTION, 2)->text, "insmod");
    assert_string_equal(nth(t, TR_SECTION, 3)->text, "x_");
    trace_free(t);
    free(out);

    /* No fwcfg.dma line: what precedes the first marker is [boot]; an empty
     * implicit section is not written. */
    out = conv_ok(MMIO("read", "0x8", "0x0") MARK_INSMOD, NULL, &st);
    has(out, "\n[boot]\nmem r32 STATUS");
    free(out);
    out = conv_ok(MARK_INSMOD MMIO("read", "0x8", "0x0"), NULL, &st);
    lacks(out, "[boot]");
    has(out, "[insmod]");
    assert_int_equal(st.sections, 1);
    free(out);
#undef DBG
#undef MARK_INSMOD
}

static void test_waits(void **state)
{
    const char *log = "1@100.000000:"
                      "ioapic_set_irq vector: 11 level: 0\n"
                      "1@100.000999:"
                      "ioapic_set_irq vector: 11 level: 0\n" /* 999 us: no wait yet */
                      "1@100.002000:"
                      "ioapic_set_irq vector: 11 level: 0\n" /* 2 ms since the last wait */
                      "1@100.003000:"
                      "ioapic_set_irq vector: 11 level: 0\n" /* 1000 us = 1 ms */
                      "1@100.003000:"
                      "ioapic_set_irq vector: 10 level: 0\n" /* skipped: no item */
                      "1@102.500000:"
                      "ioapic_set_irq vector: 11 level: 0\n" /* 2.497 s */
                      "1@102.000000:"
                      "ioapic_set_irq vector: 11 level: 0\n" /* backwards */
                      "ioapic_set_irq vector: 11 level: 0\n" /* no prefix: no time */
                      "1@102.0015:"
                      "ioapic_set_irq vector: 11 level: 1\n" /* .0015 s: behind the clock */
                      "1@9000.0:"
                      "ioapic_set_irq vector: 11 level: 0\n"; /* a clock jump: no wait */
    struct qimport_opts o = {.irq = 1, .irq_pin = -1};
    struct qimport_stats st;
    char *out = conv_ok(log, &o, &st);
    /* Sub-millisecond gaps accumulate, so the trace's clock keeps up with
     * the log's; after a backward step it waits for the log to catch up. */
    has(out, "irq 0\nirq 0\nwait 2ms\nirq 0\nwait 1ms\nirq 0\nwait 2497ms\nirq 0\nirq 0\n"
             "irq 0\nirq 1\nirq 0\n");
    assert_int_equal(st.waits, 3);
    assert_int_equal(st.backwards, 1);
    assert_int_equal(st.time_jumps, 1);
    struct trace *t = reparse(out);
    assert_int_equal(nth(t, TR_WAIT, 0)->wait_ps, 2000000000ull);
    assert_int_equal(nth(t, TR_WAIT, 1)->wait_ps, 1000000000ull);
    assert_int_equal(nth(t, TR_WAIT, 2)->wait_ps, 2497000000000ull);
    trace_free(t);
    free(out);
}

static void test_skips_and_no_prefix(void **state)
{
    const char *log =
        "memory_region_ops_read cpu 0 mr 0x1 addr 0xfebc0008 value 0x80783 size 4 name "
        "'e1000-mmio'\n"
        "memory_region_ops_read cpu 0 mr 0x1 addr 0x3f8 value 0x60 size 1 name 'serial'\n"
        "memory_region_ops_read cpu 0 mr 0x1 addr 0x3f8 value BAD size 1 name 'serial'\n"
        "pci_cfg_read piix3-ide 00:01.1 @0x0 -> 0x70108086\n"
        "pci_cfg_read e1000 00:04.0 @0x0 -> 0x100e8086\n" /* a second e1000: not followed */
        "pci_update_mappings_add e1000 00:04.0 0,0xfeb00000+0x20000\n"
        "qemu-system-x86_64: warning: something\n"
        "\n"
        "kvm_run_exit cpu_index 0, reason 2\n";
    struct qimport_stats st;
    char err[256] = "";
    /* The mmio line comes before any mapping of the followed e1000. */
    char *out = conv(log, NULL, &st, err, sizeof(err));
    assert_null(out);
    assert_non_null(
        strstr(err, "q.log:1: e1000-mmio address 0xfebc0008 but no pci_update_mappings_add"));
    out = conv_ok(MAP0
                  "pci_cfg_read e1000 00:03.0 @0x0 -> 0x100e8086\n"
                  "memory_region_ops_read cpu 0 mr 0x5 addr 0xcfc value 0x100e8086 size 4 name "
                  "'pci-conf-data'\n"
                  "pci_update_mappings_add e1000 00:04.0 0,0xfeb00000+0x20000\n"
                  "memory_region_ops_read cpu 0 mr 0x1 addr 0x3f8 value 0x60 size 1 name 'serial'\n"
                  "memory_region_ops_read cpu 0 mr 0x1 addr 0x3f8 value BAD size 1 name 'serial'\n"
                  "pci_cfg_read piix3-ide 00:01.1 @0x0 -> 0x70108086\n"
                  "pci_cfg_read e1000 00:04.0 @0x0 -> 0x100e8086\n"
                  "qemu-system-x86_64: warning: something\n"
                  "\n"
                  "kvm_run_exit cpu_index 0, reason 2\n"
                  "memory_region_ops_read cpu 0 mr 0x1 addr 0xfebc0008 value 0x80783 size 4 name "
                  "'e1000-mmio'\n",
                  NULL, &st);
    has(out, "cfg r32 0x00 0x100e8086\n");
    has(out, "mem r32 STATUS 0x00080783\n");
    lacks(out, "\nwait ");
    assert_int_equal(st.skipped, 8);
    assert_int_equal(st.cfg_reads, 1);
    assert_int_equal(st.mmio_reads, 1);
    assert_int_equal(st.lines, 12);
    free(out);
}

static void test_errors_name_the_line(void **state)
{
    expect_error(MAP0 MMIO("read", "0xfebc0008", "0xzz"), NULL,
                 "q.log:2: memory_region_ops_read of 'e1000-mmio': bad value '0xzz'");
    expect_error(MAP0 P
                 "memory_region_ops_read cpu 0 mr 0x1 addr 0xfebc0008 size 4 name 'e1000-mmio'\n",
                 NULL, "q.log:2: memory_region_ops_read of 'e1000-mmio': no 'value' field");
    expect_error(MAP0 P "memory_region_ops_read cpu 0 mr 0x1 addr 0xfebc0008 value 0x1 size\n",
                 NULL, "q.log:2: memory_region_ops_read: no \"name '<region>'\"");
    expect_error(
        MAP0 P
        "memory_region_ops_read cpu 0 mr 0x1 addr 0xfebc0008 value 0x1 size 8 name 'e1000-mmio'\n",
        NULL, "q.log:2: memory_region_ops_read of 'e1000-mmio': size 8");
    expect_error(MAP0 P "memory_region_ops_read cpu 0 mr 0x1 addr 0xfebc0008 value 0x100 size 1 "
                        "name 'e1000-mmio'\n",
                 NULL, "does not fit in 1 bytes");
    expect_error(MAP0 MMIO("read", "0xfebe0000", "0x0"), NULL,
                 "q.log:2: e1000-mmio address 0xfebe0000 is outside BAR0 (0xfebc0000+0x20000)");
    expect_error(MMIO("read", "0xfebc0008", "0x0"), NULL,
                 "q.log:1: e1000-mmio address 0xfebc0008 but no");
    expect_error(
        "1196@17953107x45.1:"
        "memory_region_ops_read cpu 0 mr 0x1 addr 0x8 value 0x1 size 4 name 'e1000-mmio'\n",
        NULL, "q.log:1: malformed 'PID@SEC.USEC:' prefix");
    expect_error(P "pci_cfg_read e1000 00:03.0 @0x100 -> 0x0\n", NULL,
                 "q.log:1: pci_cfg_read: bad config-space offset '@0x100'");
    expect_error(P "pci_cfg_write e1000 00:03.0 @0x4 -> 0x0\n", NULL,
                 "q.log:1: pci_cfg_write: want");
    expect_error(P "pci_cfg_read e1000\n", NULL, "q.log:1: pci_cfg_read: missing device");
    expect_error(
        P "pci_cfg_read e1000 00:03.0 @0xff -> 0x0\n" P
          "memory_region_ops_read cpu 0 mr 0x5 addr 0xcff value 0x0 size 4 name 'pci-conf-data'\n",
        NULL, "q.log:1: pci_cfg_read: 4 bytes at 0xff run past");
    expect_error(P "pci_update_mappings_add e1000 00:03.0 9,0xfebc0000+0x20000\n", NULL,
                 "q.log:1: pci_update_mappings_add: bad BAR number");
    expect_error(P "pci_update_mappings_add e1000 00:03.0 0,0xfebc0000+0x0\n", NULL,
                 "q.log:1: pci_update_mappings_add: bad BAR0 base or size");
    expect_error(P "pci_update_mappings_add e1000 00:03.0 0,0xfebc0000\n", NULL,
                 "q.log:1: pci_update_mappings_add: want BAR,0xBASE+0xSIZE");
    const char nul[] = "x\nab\0c\n";
    char err[256] = "";
    assert_int_equal(
        qimport_convert("q.log", nul, sizeof(nul) - 1, NULL, NULL, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "q.log:2: NUL byte"));
    size_t big = QIMPORT_MAX_LINE + 10;
    char *huge = malloc(big + 3);
    memcpy(huge, "a\n", 2);
    memset(huge + 2, 'x', big);
    huge[big + 2] = 0;
    assert_int_equal(qimport_convert("q.log", huge, big + 2, NULL, NULL, NULL, err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "q.log:2: line longer than 65536 bytes"));
    free(huge);
    struct qimport_opts o = {.irq_pin = -1, .mac = "52:54:00:12:34"};
    expect_error("", &o, "--mac");
    o.mac = NULL;
    o.irq_pin = 300;
    expect_error("", &o, "--irq-pin 300");
    assert_int_equal(qimport_file("/nonexistent/q.log", "-", NULL, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/nonexistent/q.log: cannot open"));
}

/* Deterministic mutations of valid lines: the importer must never crash. */
static void test_never_crashes(void **state)
{
    static const char *const seeds[] = {
        MAP0,
        MAP1,
        MMIO("read", "0xfebc0008", "0x80783"),
        P "memory_region_ops_write cpu 0 mr 0x7f4855481b70 addr 0xc004 value 0x4140240 size 4 name "
          "'e1000-io'\n",
        P "pci_cfg_read e1000 00:03.0 @0x0 -> 0x8086\n",
        P
        "memory_region_ops_read cpu 0 mr 0x5 addr 0xcfc value 0x8086 size 2 name 'pci-conf-data'\n",
        P "ioapic_set_irq vector: 11 level: 1\n",
        P "memory_region_ops_write cpu 0 mr 0x9 addr 0xe9 value 0xa size 1 name 'isa-debugcon'\n",
    };
    static const char junk[] = " \n@:.,+'x0-9\r\t#[]";
    uint32_t rng = 12345;
    char log[2048];
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = 0;
        int lines = 1 + (int)((rng >> 3) % 6);
        for (int l = 0; l < lines; l++) {
            rng = rng * 1103515245u + 12345u;
            const char *s = seeds[(rng >> 8) % (sizeof(seeds) / sizeof(seeds[0]))];
            size_t sl = strlen(s);
            if (n + sl >= sizeof(log))
                break;
            memcpy(log + n, s, sl);
            n += sl;
        }
        for (int m = 0; m < 3 && n; m++) {
            rng = rng * 1103515245u + 12345u;
            size_t at = (rng >> 4) % n;
            int what = (int)((rng >> 20) % 3);
            if (what == 0)
                log[at] = junk[(rng >> 24) % (sizeof(junk) - 1)];
            else if (what == 1)
                log[at] = (char)(rng >> 24);
            else
                n = at; /* truncate */
        }
        char err[256];
        struct qimport_stats st;
        FILE *f = tmpfile();
        if (qimport_convert("fz.log", log, n, f, NULL, &st, err, sizeof(err)) == 0) {
            /* whatever converted must parse */
            long sz = ftell(f);
            char *buf = malloc((size_t)sz + 1);
            rewind(f);
            assert_int_equal(fread(buf, 1, (size_t)sz, f), (size_t)sz);
            buf[sz] = 0;
            struct trace *t = NULL;
            if (trace_parse("fz.e1kt", buf, (size_t)sz, &t, err, sizeof(err)))
                fail_msg("converted output does not parse: %s\n--- log:\n%.*s\n--- trace:\n%s", err,
                         (int)n, log, buf);
            trace_free(t);
            free(buf);
        } else {
            assert_non_null(strstr(err, "fz.log:"));
        }
        fclose(f);
    }
}

/* The real capture: counts as in traces/README.md. */
static void test_real_capture(void **state)
{
    const char *path = "traces/qemu/linux-e1000-6.1.0-56-amd64.log";
    FILE *f = fopen(path, "rb");
    if (!f)
        skip();
    fclose(f);
    struct qimport_stats st;
    char err[256] = "";
    const char *out = "build-test-qemu-import.e1kt";
    if (qimport_file(path, out, NULL, &st, err, sizeof(err)))
        fail_msg("%s", err);
    assert_int_equal(st.lines, 14559);
    assert_int_equal(st.mmio_reads, 7314);
    assert_int_equal(st.mmio_writes, 6678);
    assert_int_equal(st.io_writes, 6);
    assert_int_equal(st.cfg_reads, 110);
    assert_int_equal(st.cfg_writes, 53);
    assert_int_equal(st.cfg_sizes_inferred, 0);
    assert_int_equal(st.irq_events, 66);
    assert_int_equal(st.irq_pin, 11);
    assert_int_equal(st.mappings, 30);
    assert_int_equal(st.skipped, 0);
    struct trace *t = NULL;
    if (trace_load(out, &t, err, sizeof(err)))
        fail_msg("%s", err);
    remove(out);
    assert_int_equal(t->accesses, 7314 + 6678 + 6 + 110 + 53);
    assert_string_equal(nth(t, TR_SECTION, 0)->text, "bios");
    assert_string_equal(nth(t, TR_SECTION, 1)->text, "kernel");
    assert_string_equal(nth(t, TR_SECTION, 2)->text, "init");
    assert_string_equal(nth(t, TR_SECTION, 3)->text, "insmod");
    trace_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mmio_bar_base_names_sizes),
        cmocka_unit_test(test_io_window),
        cmocka_unit_test(test_cfg_sizes),
        cmocka_unit_test(test_irq),
        cmocka_unit_test(test_markers_sections),
        cmocka_unit_test(test_waits),
        cmocka_unit_test(test_skips_and_no_prefix),
        cmocka_unit_test(test_errors_name_the_line),
        cmocka_unit_test(test_never_crashes),
        cmocka_unit_test(test_real_capture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
