/* libFuzzer target: the QEMU trace-event log importer. Convert with no
 * output (count only); when that succeeds, convert again into memory: the
 * second run must succeed with the same statistics, and what it wrote must
 * parse as a register trace (import-qemu's output feeds replay). */
#define _GNU_SOURCE /* open_memstream */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_import.h"
#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The options vary with the input's length, so that all of them are
     * exercised without taking bytes away from the log text. */
    struct qimport_opts o = {
        .irq = (int)(size & 1),
        .irq_pin = size & 2 ? -1 : (int)(size % 24),
        .mac = size & 4 ? "52:54:00:12:34:56" : NULL,
    };
    struct qimport_stats st1, st2;
    char err[512];
    memset(err, 'x', sizeof(err));
    const char *text = (const char *)data;
    if (qimport_convert("fuzz.log", text, size, NULL, &o, &st1, err, sizeof(err))) {
        if (!memchr(err, 0, sizeof(err)))
            abort(); /* a failure must write a terminated message */
        return 0;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return 0;
    int rc = qimport_convert("fuzz.log", text, size, f, &o, &st2, err, sizeof(err));
    if (fclose(f))
        abort();
    if (rc) {
        fprintf(stderr, "fuzz_qemu_import: the second conversion failed: %s\n", err);
        abort();
    }
    if (memcmp(&st1.lines, &st2.lines,
               offsetof(struct qimport_stats, irq_pin) - offsetof(struct qimport_stats, lines)) ||
        st1.irq_pin != st2.irq_pin) {
        fprintf(stderr, "fuzz_qemu_import: the two conversions counted differently\n");
        abort();
    }
    struct trace *t = NULL;
    if (trace_parse("fuzz.e1kt", buf, len, &t, err, sizeof(err))) {
        fprintf(stderr, "fuzz_qemu_import: import-qemu wrote a trace that does not parse: %s\n",
                err);
        abort();
    }
    trace_free(t);
    free(buf);
    return 0;
}
