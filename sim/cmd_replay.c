/* e1ksim replay: play a register-access trace against the model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "recorder.h"
#include "replay.h"
#include "trace.h"

void help_replay(void)
{
    printf("usage: e1ksim replay TRACE... [--timing functional|default] [--db FILE]\n"
           "                              [--junit FILE] [--verbose] [--quiet]\n\n"
           "Replays register-access traces (format: docs/trace-format.md) against the\n"
           "82540EM model and reports every read whose value differs from the trace's\n"
           "expectation: line, register, expected, got, and the differing bits.\n"
           "Mismatches in traces marked 'option source qemu' are classified as intended\n"
           "divergences from QEMU (docs/qemu-divergences.md) or unexplained.\n\n"
           "  --timing P     device timing preset (default: the trace's option, else default)\n"
           "  --db FILE      record the run, every access and anomaly in SQLite\n"
           "  --junit FILE   write a JUnit XML report (one test case per [section])\n"
           "  --verbose      also print intended divergences\n"
           "  --quiet        print only mismatches\n\n"
           "Exit status: 0 all expectations hold, 1 unexplained mismatches, 2 bad input.\n");
}

int cmd_replay(int argc, char **argv)
{
    static const struct option opts[] = {
        { "timing", required_argument, 0, 't' }, { "db", required_argument, 0, 'd' },
        { "junit", required_argument, 0, 'j' },  { "verbose", no_argument, 0, 'v' },
        { "quiet", no_argument, 0, 'q' },        { 0, 0, 0, 0 },
    };
    struct replay_opts ro = { .timing = -1, .report = stdout };
    const char *db = NULL, *junit = NULL;
    int quiet = 0, c;
    while ((c = cli_getopt("replay", argc, argv, "", opts)) != -1) {
        switch (c) {
        case 't':
            if (!strcmp(optarg, "functional"))
                ro.timing = 0;
            else if (!strcmp(optarg, "default"))
                ro.timing = 1;
            else
                return cli_usage_error("replay", "--timing must be functional or default, not '%s'",
                                       optarg);
            break;
        case 'd': db = optarg; break;
        case 'j': junit = optarg; break;
        case 'v': ro.verbose = 1; break;
        case 'q': quiet = 1; break;
        default: return CLI_USAGE;
        }
    }
    if (optind >= argc)
        return cli_usage_error("replay", "needs a trace file");
    if (junit && argc - optind > 1)
        return cli_usage_error("replay", "--junit takes one trace at a time");
    char err[512];
    struct rec *rec = NULL;
    if (db && rec_open(db, &rec, err, sizeof(err))) {
        fprintf(stderr, "e1ksim replay: %s\n", err);
        return CLI_USAGE;
    }
    ro.rec = rec;
    int status = CLI_OK;
    for (int i = optind; i < argc; i++) {
        struct trace *t;
        if (trace_load(argv[i], &t, err, sizeof(err))) {
            fprintf(stderr, "e1ksim replay: %s\n", err);
            status = CLI_USAGE;
            break;
        }
        struct replay_result r;
        if (replay_run(t, &ro, &r, err, sizeof(err))) {
            fprintf(stderr, "e1ksim replay: %s\n", err);
            replay_result_free(&r);
            trace_free(t);
            status = CLI_USAGE;
            break;
        }
        if (!quiet) {
            printf("%s: %zu accesses, %zu checks, %zu mismatches", t->name, r.accesses,
                   r.reads_checked, r.mismatches);
            if (r.from_qemu)
                printf(" (%zu intended divergences from QEMU, %zu unexplained)", r.intended,
                       r.unexplained);
            printf(", %llu anomalies, %.3f ms simulated\n", (unsigned long long)r.anomalies,
                   (double)r.sim_time_ps / 1e9);
        }
        if (junit && replay_write_junit(junit, t, &r, err, sizeof(err))) {
            fprintf(stderr, "e1ksim replay: %s\n", err);
            status = CLI_USAGE;
        }
        if (r.unexplained && status == CLI_OK)
            status = CLI_FAIL;
        replay_result_free(&r);
        trace_free(t);
    }
    if (rec && rec_close(rec)) {
        fprintf(stderr, "e1ksim replay: %s\n", err);
        status = CLI_USAGE;
    }
    if (db && !quiet && status != CLI_USAGE)
        printf("results: %s (sqlite3 %s 'select * from mismatches')\n", db, db);
    return status;
}
