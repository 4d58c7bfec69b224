/* e1ksim merge: merge results files by run key. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "progress.h"
#include "recorder.h"
#include "sweep.h"

void help_merge(void)
{
    printf("usage: e1ksim merge [--quiet] OUT.db IN.db|DIR...\n\n"
           "Merges results files (e.g. the per-job files of 'e1ksim sweep --emit-jobs') into\n"
           "OUT.db (created if missing), each input in one transaction. Runs are matched by\n"
           "their run key (scenario name, resolved parameters, seed, version): a complete\n"
           "run in OUT.db is never replaced, an incomplete or failed one is replaced by a\n"
           "complete one, and a run already present is not added again, so merging twice\n"
           "changes nothing. Packets, interrupts, histograms, counters, register accesses\n"
           "and anomalies follow their run under its new id. A DIR argument stands for\n"
           "every *.db file in it.\n\n"
           "  --quiet   print nothing but errors\n\n"
           "Exit status: 0 ok, 1 a merge failed, 2 bad input (a file missing or not an\n"
           "e1ksim results file; the other inputs are still merged).\n");
}

static int is_db(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return d->d_name[0] != '.' && n > 3 && !strcmp(d->d_name + n - 3, ".db");
}

struct mtotals {
    uint64_t files, added, replaced, skipped;
    int rc;
};

static void merge_one(struct rec *out, const char *out_path, const char *in,
                      struct progress *pg, struct mtotals *t)
{
    struct merge_stats ms;
    char err[1024];
    int rc = sweep_merge_file(out, out_path, in, &ms, err, sizeof(err));
    if (rc) {
        progress_clear(pg);
        fprintf(stderr, "e1ksim merge: %s\n", err);
        if (rc == -1 || t->rc == CLI_OK)
            t->rc = rc == -1 ? CLI_FAIL : CLI_USAGE;
        return;
    }
    t->files++;
    t->added += ms.added;
    t->replaced += ms.replaced;
    t->skipped += ms.skipped;
    if (progress_due(pg))
        progress_draw(pg, "merge: %llu files, %llu runs added, %llu replaced, %llu present",
                      (unsigned long long)t->files, (unsigned long long)t->added,
                      (unsigned long long)t->replaced, (unsigned long long)t->skipped);
}

int cmd_merge(int argc, char **argv)
{
    static const struct option opts[] = {
        { "quiet", no_argument, 0, 'q' },
        { 0, 0, 0, 0 },
    };
    int quiet = 0, c;
    while ((c = cli_getopt("merge", argc, argv, "", opts)) != -1) {
        switch (c) {
        case 'q': quiet = 1; break;
        default: return CLI_USAGE;
        }
    }
    if (argc - optind < 2)
        return cli_usage_error("merge", "needs an output file and at least one input");
    const char *out_path = argv[optind];
    struct rec *out;
    char err[1024];
    if (rec_open(out_path, &out, err, sizeof(err))) {
        fprintf(stderr, "e1ksim merge: %s\n", err);
        return CLI_USAGE;
    }
    struct progress pg;
    progress_init(&pg, quiet);
    struct mtotals t = { 0, 0, 0, 0, CLI_OK };
    for (int i = optind + 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) || !S_ISDIR(sb.st_mode)) {
            merge_one(out, out_path, argv[i], &pg, &t);
            continue;
        }
        struct dirent **ents;
        int n = scandir(argv[i], &ents, is_db, alphasort);
        if (n < 0) {
            fprintf(stderr, "e1ksim merge: %s: cannot read the directory\n", argv[i]);
            t.rc = CLI_USAGE;
            continue;
        }
        for (int k = 0; k < n; k++) {
            char path[PATH_MAX];
            snprintf(path, sizeof(path), "%s/%s", argv[i], ents[k]->d_name);
            merge_one(out, out_path, path, &pg, &t);
            free(ents[k]);
        }
        free(ents);
    }
    progress_clear(&pg);
    if (rec_close(out)) {
        fprintf(stderr, "e1ksim merge: %s: cannot commit the results\n", out_path);
        return CLI_FAIL;
    }
    if (!quiet)
        printf("merge: %llu file%s into %s: %llu runs added (%llu replacing incomplete ones), "
               "%llu already present or superseded\n",
               (unsigned long long)t.files, t.files == 1 ? "" : "s", out_path,
               (unsigned long long)t.added, (unsigned long long)t.replaced,
               (unsigned long long)t.skipped);
    return t.rc;
}
