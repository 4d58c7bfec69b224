/* e1ksim report: an HTML report (runs table + gnuplot plots) over a results file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"
#include "vec.h"

void help_report(void)
{
    printf("usage: e1ksim report DB [--runs ID,ID,...|--runs all] -o FILE [--title TEXT]\n\n"
           "Writes one self-contained HTML file (no external resources, the same bytes for\n"
           "the same database) about runs recorded by 'e1ksim run': a table of the runs\n"
           "with the parameters that vary across them and their results (frames, drops,\n"
           "interrupts/s, frames/interrupt, p50/p99/p99.9/max latency, VM exits per frame,\n"
           "CPU busy), and five plots drawn by gnuplot as inline SVG: latency CDF with its\n"
           "tail, interrupts per second over time, frames per interrupt, latency against\n"
           "interrupt rate with the Pareto front, and VM exits per frame.\n\n"
           "  --runs LIST    run ids, e.g. 3,5,7-9, in the order wanted; 'all' (default):\n"
           "                 every scenario run in DB\n"
           "  -o, --output FILE  the HTML file ('-' for standard output)\n"
           "  --title TEXT   the report's title (default: e1ksim report: DB)\n\n"
           "Needs gnuplot (Debian: gnuplot-nox). SQL recipes for the same numbers:\n"
           "docs/queries.md.\n"
           "Exit status: 0 ok, 1 failed (gnuplot error), 2 bad input (database, run ids,\n"
           "options, output path, gnuplot missing).\n");
}

/* "all", or ids and ranges separated by commas. */
static int parse_runs(const char *s, int64_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!strcmp(s, "all"))
        return 0;
    size_t cap = 0;
    const char *p = s;
    for (;;) {
        char *end;
        errno = 0;
        long long a = strtoll(p, &end, 10), b;
        if (end == p || a <= 0 || errno)
            return -1;
        p = end;
        b = a;
        if (*p == '-') {
            p++;
            b = strtoll(p, &end, 10);
            if (end == p || b < a || errno || b - a > 1000000)
                return -1;
            p = end;
        }
        for (long long v = a; v <= b; v++) {
            if (vec_reserve(out, &cap, *n, sizeof(**out), 16))
                return -1;
            (*out)[(*n)++] = v;
        }
        if (!*p)
            return 0;
        if (*p++ != ',')
            return -1;
    }
}

static void warn(const char *msg) { fprintf(stderr, "e1ksim report: warning: %s\n", msg); }

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        { "runs", required_argument, 0, 'r' },
        { "output", required_argument, 0, 'o' },
        { "title", required_argument, 0, 't' },
        { 0, 0, 0, 0 },
    };
    const char *runs = "all", *out = NULL, *title = NULL;
    int c;
    while ((c = cli_getopt("report", argc, argv, "o:", opts)) != -1) {
        switch (c) {
        case 'r': runs = optarg; break;
        case 'o': out = optarg; break;
        case 't': title = optarg; break;
        default: return CLI_USAGE;
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("report", optind >= argc ? "needs a results database"
                                                        : "takes one results database");
    if (!out || !out[0])
        return cli_usage_error("report", "needs -o FILE");
    struct report_opts o = { .db = argv[optind], .out = out, .title = title };
    int64_t *ids;
    size_t n;
    if (parse_runs(runs, &ids, &n)) {
        free(ids);
        return cli_usage_error("report", "--runs: '%s' is not 'all' or a list of run ids",
                               runs);
    }
    o.runs = ids;
    o.nruns = n;
    char err[1024];
    int rc = report_write(&o, err, sizeof(err), warn);
    free(ids);
    if (rc) {
        fprintf(stderr, "e1ksim report: %s\n", err);
        return rc == REPORT_EINPUT ? CLI_USAGE : CLI_FAIL;
    }
    return CLI_OK;
}
