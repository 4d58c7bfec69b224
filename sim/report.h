/* HTML reports over a results file: a table of runs (the parameters that
 * vary across them, their results) and plots drawn by gnuplot, embedded
 * inline as SVG, in one self-contained, deterministic HTML file.
 *
 * Reads the database through the recorder's SQL interface (never SQLite
 * directly) and runs gnuplot as a child process on data files in a private
 * temporary directory, removed afterwards. */
#ifndef E1K_REPORT_H
#define E1K_REPORT_H

#include <stddef.h>
#include <stdint.h>

struct report_opts {
    const char *db;      /* results file (opened read-only) */
    const char *out;     /* HTML file to write; "-" for stdout */
    const char *title;   /* NULL: "e1ksim report: <db file name>" */
    const int64_t *runs; /* run ids in the order wanted; NULL: every run of kind "run" */
    size_t nruns;
};

enum {
    REPORT_EFAIL = -1,  /* could not produce the report (gnuplot failed, out of memory) */
    REPORT_EINPUT = -2, /* bad input: database, run ids, output path, gnuplot missing */
};

/* Writes the report. 0, or REPORT_EFAIL / REPORT_EINPUT with a one-line
 * message in err. Warnings (nothing to plot) go to `warn` when non-NULL. */
int report_write(const struct report_opts *o, char *err, size_t errlen,
                 void (*warn)(const char *msg));

#endif
