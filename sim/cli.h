/* e1ksim command-line interface: one function per subcommand. */
#ifndef E1K_CLI_H
#define E1K_CLI_H

#include <getopt.h>

/* Exit codes shared by every subcommand. */
enum {
    CLI_OK = 0,
    CLI_FAIL = 1,  /* ran, but the result is a failure (e.g. trace mismatches) */
    CLI_USAGE = 2, /* bad command line or malformed input file */
};

struct cli_cmd {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
    void (*help)(void);
};

extern const struct cli_cmd cli_cmds[];

/* getopt_long with e1ksim's error convention: one line on stderr naming the
 * subcommand and the bad option; returns '?' for the caller to exit 2. */
int cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
               const struct option *longopts);
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

int cmd_version(int argc, char **argv);
int cmd_run(int argc, char **argv);
void help_run(void);
int cmd_regs(int argc, char **argv);
void help_regs(void);
int cmd_replay(int argc, char **argv);
void help_replay(void);
int cmd_import_qemu(int argc, char **argv);
void help_import_qemu(void);
int cmd_report(int argc, char **argv);
void help_report(void);
int cmd_sweep(int argc, char **argv);
void help_sweep(void);
int cmd_merge(int argc, char **argv);
void help_merge(void);

#endif
