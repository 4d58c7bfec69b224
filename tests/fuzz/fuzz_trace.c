/* libFuzzer target: the register-trace parser, then a replay of whatever
 * parses (functional timing, no recorder, no report). Traces whose waits add
 * up to more than MAX_WAIT of simulated time are parsed but not replayed, so
 * that one input stays cheap. Every input is replayed twice and the results
 * must agree: a replay is deterministic. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "simtime.h"
#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_WAIT (10 * SIMT_S)

static int same(const struct replay_result *a, const struct replay_result *b)
{
    if (a->accesses != b->accesses || a->reads_checked != b->reads_checked ||
        a->mismatches != b->mismatches || a->intended != b->intended ||
        a->unverifiable != b->unverifiable || a->unexplained != b->unexplained ||
        a->anomalies != b->anomalies || a->sim_time_ps != b->sim_time_ps || a->nmm != b->nmm ||
        a->nsections != b->nsections)
        return 0;
    for (size_t i = 0; i < a->nmm; i++)
        if (a->mm[i].line != b->mm[i].line || a->mm[i].got != b->mm[i].got)
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct trace *t = NULL;
    char err[512];
    memset(err, 'x', sizeof(err)); /* a failure must write a terminated message */
    if (trace_parse("fuzz.e1kt", (const char *)data, size, &t, err, sizeof(err))) {
        if (t || !memchr(err, 0, sizeof(err)))
            abort(); /* a failed parse hands back nothing and a terminated message */
        return 0;
    }
    if (!t)
        abort();
    if (t->accesses > t->n)
        abort();
    simtime_t waited = 0;
    for (size_t i = 0; i < t->n; i++) {
        const struct trace_item *it = &t->items[i];
        if (it->kind == TR_WAIT)
            waited = simt_add(waited, it->wait_ps);
        if (it->kind == TR_ACCESS && it->width != 1 && it->width != 2 && it->width != 4)
            abort(); /* the parser promises widths of 1, 2 or 4 bytes */
        if ((it->kind == TR_SECTION || it->kind == TR_OPTION) && !it->text)
            abort();
    }
    (void)trace_option(t, "timing");
    if (waited <= MAX_WAIT) {
        struct replay_opts o = { .timing = 0, .rec = NULL, .report = NULL, .verbose = 0 };
        struct replay_result r1, r2;
        int rc1 = replay_run(t, &o, &r1, err, sizeof(err));
        int rc2 = replay_run(t, &o, &r2, err, sizeof(err));
        if (rc1 != rc2 || (rc1 == 0 && !same(&r1, &r2))) {
            fprintf(stderr, "fuzz_trace: two replays of the same trace differ\n");
            abort();
        }
        if (rc1 == 0 && r1.nmm) {
            char line[512];
            replay_format_mismatch(t, &r1.mm[r1.nmm - 1], line, sizeof(line));
        }
        replay_result_free(&r1);
        replay_result_free(&r2);
    }
    trace_free(t);
    return 0;
}
