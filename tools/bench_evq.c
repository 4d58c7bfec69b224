/* Event-queue benchmark: schedule+dispatch pairs per second with a queue
 * holding 1, 1k and 100k pending events. Each dispatched event re-schedules
 * itself a pseudo-random delay ahead, so the queue size stays constant.
 * Prints figures; asserts nothing (speed is measured, never tested). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "evq.h"
#include "rng.h"

struct ctx {
    struct rng rg;
};

static void fn(struct evq *q, struct evq_event *ev, void *arg)
{
    struct ctx *c = arg;
    evq_schedule_in(q, ev, 1 + (rng_next(&c->rg) & 0xfffff), EVQ_PRIO_DEFAULT);
}

static double host_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double run(size_t pending, uint64_t pairs)
{
    struct evq *q = evq_new();
    struct ctx c;
    rng_seed(&c.rg, 1);
    struct evq_event *evs = calloc(pending, sizeof(*evs));
    for (size_t i = 0; i < pending; i++) {
        evq_event_init(&evs[i], fn, &c);
        evq_schedule(q, &evs[i], rng_next(&c.rg) & 0xfffff, EVQ_PRIO_DEFAULT);
    }
    /* warm up, then measure */
    for (uint64_t i = 0; i < pairs / 10; i++)
        evq_step(q);
    double t0 = host_seconds();
    for (uint64_t i = 0; i < pairs; i++)
        evq_step(q);
    double dt = host_seconds() - t0;
    evq_free(q);
    free(evs);
    return (double)pairs / dt;
}

int main(int argc, char **argv)
{
    uint64_t pairs = argc > 1 ? strtoull(argv[1], NULL, 10) : 20000000;
    size_t sizes[] = { 1, 1000, 100000 };
    printf("evq benchmark: %llu schedule+dispatch pairs per size\n", (unsigned long long)pairs);
    double base = 0;
    for (int i = 0; i < 3; i++) {
        double r = run(sizes[i], pairs);
        if (i == 0)
            base = r;
        printf("  pending %6zu: %8.2f M pairs/s  (%.2fx of the 1-pending baseline)\n", sizes[i],
               r / 1e6, r / base);
    }
    return 0;
}
