/* Scenario files (YAML): everything a run needs, each key with a default,
 * documented units and a range. The only module that includes libyaml.
 *
 * Keys are dotted paths ("driver.itr", "traffic.rx.rate_pps"). A file sets
 * any subset; `--set key=value` overrides after the file. Unknown keys,
 * wrong types and out-of-range values are errors naming the file, line and
 * key. The key table in scenario.c is the single source of truth; `e1ksim run
 * --list-keys` prints it (docs/scenario.md is generated from it). */
#ifndef E1K_SCENARIO_H
#define E1K_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#define SCEN_STR 256

enum scen_timing { SCEN_TIMING_DEFAULT, SCEN_TIMING_FUNCTIONAL };
enum scen_mitigation { SCEN_MIT_SDM, SCEN_MIT_QEMU };
enum scen_driver { SCEN_DRV_LINUX, SCEN_DRV_POLL };
enum scen_src { SCEN_SRC_NONE, SCEN_SRC_GENERATOR, SCEN_SRC_PCAP };
enum scen_pcap_timing { SCEN_PT_RECORDED, SCEN_PT_RATE, SCEN_PT_LINE };
enum scen_process { SCEN_PROC_CONSTANT, SCEN_PROC_POISSON };
enum scen_level { SCEN_LEVEL_SUMMARY, SCEN_LEVEL_PACKETS };

struct scen_traffic {
    int source;            /* enum scen_src */
    char pcap[SCEN_STR];   /* path, relative to the scenario file */
    int pcap_timing;       /* enum scen_pcap_timing */
    uint64_t rate_pps;     /* frames per second (generator, pcap re-timed) */
    uint64_t loop;         /* pcap: times to play it */
    uint64_t length;       /* generator: frame length in bytes without FCS (60..16380) */
    char length_mix[SCEN_STR]; /* generator: "60:7,590:4,1514:1" (length:weight,...) */
    int process;           /* enum scen_process */
    uint64_t burst;        /* generator: frames per arrival */
    uint64_t count;        /* stop after this many frames (0: until the run ends) */
    uint64_t start_ps;     /* first frame at this time */
};

struct scenario {
    char name[SCEN_STR];
    char path[SCEN_STR];   /* the file it came from ("" for built-in defaults) */
    uint64_t seed;
    uint64_t duration_ps;
    uint64_t warmup_ps;    /* frames before this are not in latency statistics */
    struct {
        char mac[32];
        int timing;        /* enum scen_timing */
        uint64_t autoneg_ps;
        int mitigation;    /* enum scen_mitigation */
        uint64_t partner_speeds; /* 1=10 2=100 4=1000 bitmask */
        uint64_t pci_mhz;  /* 33 or 66 */
        uint64_t dma_read_latency_ps;
        uint64_t subsystem_vendor_id, subsystem_id; /* EEPROM words 0Ch, 0Bh */
    } device;
    struct {
        int model;         /* enum scen_driver */
        int64_t itr;       /* InterruptThrottleRate: 0, 1, 3, 4, or 100..100000 ints/s */
        uint64_t rx_int_delay, rx_abs_int_delay, tx_int_delay, tx_abs_int_delay; /* 1.024 us */
        uint64_t rx_ring, tx_ring; /* descriptors */
        uint64_t napi_budget;
        uint64_t rx_buffer_write; /* refill batch: RDT written every N buffers */
        uint64_t tx_batch;        /* TDT written every N frames (1: per frame) */
        uint64_t poll_interval_ps; /* poll-mode driver */
        uint64_t mmio_exit_ps;     /* CPU cost of a trapped MMIO access (VM exit) */
        uint64_t irq_cost_ps;      /* interrupt injection + handler entry/exit */
        uint64_t pkt_cost_ps;      /* per-packet stack cost */
        uint64_t poll_cost_ps;     /* per NAPI poll / poll-loop iteration */
    } driver;
    struct {
        struct scen_traffic rx, tx;
    } traffic;
    struct {
        char db[SCEN_STR];
        int level;         /* enum scen_level */
        char pcap_rx[SCEN_STR]; /* frames delivered to the guest stack */
        char pcap_tx[SCEN_STR]; /* frames on the wire from the guest */
        int reg_accesses;  /* record every register access */
    } record;
};

const char *scen_lib_version(void);

/* Built-in defaults for every key. */
void scen_defaults(struct scenario *s);
/* Load a file over the defaults. 0, or -1 with "FILE:LINE: key: message". */
int scen_load(const char *path, struct scenario *s, char *err, size_t errlen);
/* Parse YAML text (for tests and fuzzing). */
int scen_load_text(const char *name, const char *text, size_t len, struct scenario *s, char *err,
                   size_t errlen);
/* Apply "key=value" (value in YAML scalar syntax). 0, or -1 with a message. */
int scen_set(struct scenario *s, const char *assignment, char *err, size_t errlen);
/* The resolved parameter set as one canonical JSON object (sorted keys):
 * stored with every run, hashed for run identity. Returns bytes written
 * (excluding NUL) or -1 when `n` is too small. */
int scen_to_json(const struct scenario *s, char *buf, size_t n);
/* Print the key table (Markdown when md). */
void scen_print_keys(int md);

#endif
