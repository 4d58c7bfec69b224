/* Scenario files: defaults, YAML loading, --set, errors naming file:line:key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "scenario.h"

static void load_ok(struct scenario *s, const char *text)
{
    char err[256] = "";
    scen_defaults(s);
    if (scen_load_text("s.yaml", text, strlen(text), s, err, sizeof(err)))
        fail_msg("unexpected error: %s", err);
}

static void expect_err(const char *text, const char *want)
{
    struct scenario s;
    char err[256] = "";
    scen_defaults(&s);
    assert_int_equal(scen_load_text("bad.yaml", text, strlen(text), &s, err, sizeof(err)), -1);
    if (!strstr(err, want))
        fail_msg("error '%s' lacks '%s'", err, want);
}

static void test_scenario_defaults(void **state)
{
    struct scenario s;
    scen_defaults(&s);
    assert_string_equal(s.name, "default");
    assert_int_equal(s.seed, 1);
    assert_int_equal(s.duration_ps, 100000000000ull);
    assert_int_equal(s.driver.itr, 3);
    assert_int_equal(s.driver.rx_ring, 256);
    assert_int_equal(s.driver.napi_budget, 64);
    assert_int_equal(s.driver.tx_int_delay, 8);
    assert_int_equal(s.driver.tx_abs_int_delay, 32);
    assert_int_equal(s.driver.rx_abs_int_delay, 8);
    assert_int_equal(s.traffic.rx.source, SCEN_SRC_NONE);
    assert_int_equal(s.record.level, SCEN_LEVEL_PACKETS);
    assert_int_equal(s.device.autoneg_ps, 2000000000000ull);
}

static void test_scenario_load(void **state)
{
    struct scenario s;
    load_ok(&s, "name: low-load\n"
                "seed: 42\n"
                "duration: 2s\n"
                "device:\n"
                "  timing: functional\n"
                "  mac: 02:00:00:00:00:01\n"
                "driver:\n"
                "  itr: 8000\n"
                "  rx_ring: 512\n"
                "traffic:\n"
                "  rx:\n"
                "    source: generator\n"
                "    rate_pps: 100000\n"
                "    process: poisson\n"
                "    length_mix: 60:7,590:4,1514:1\n"
                "record:\n"
                "  level: summary\n"
                "  reg_accesses: true\n");
    assert_string_equal(s.name, "low-load");
    assert_int_equal(s.seed, 42);
    assert_int_equal(s.duration_ps, 2000000000000ull);
    assert_int_equal(s.device.timing, SCEN_TIMING_FUNCTIONAL);
    assert_string_equal(s.device.mac, "02:00:00:00:00:01");
    assert_int_equal(s.driver.itr, 8000);
    assert_int_equal(s.driver.rx_ring, 512);
    assert_int_equal(s.traffic.rx.source, SCEN_SRC_GENERATOR);
    assert_int_equal(s.traffic.rx.rate_pps, 100000);
    assert_int_equal(s.traffic.rx.process, SCEN_PROC_POISSON);
    assert_int_equal(s.record.level, SCEN_LEVEL_SUMMARY);
    assert_int_equal(s.record.reg_accesses, 1);
    load_ok(&s, ""); /* an empty file is all defaults */
    assert_string_equal(s.name, "default");
}

static void test_scenario_errors_name_file_line_key(void **state)
{
    expect_err("seed: 1\nbogus: 3\n", "bad.yaml:2: bogus: unknown key");
    expect_err("driver:\n  itr: fast\n", "bad.yaml:2: driver.itr:");
    expect_err("driver:\n  itr: 2\n", "driver.itr");
    expect_err("driver:\n  itr: 50\n", "driver.itr");
    expect_err("driver:\n  rx_ring: 100\n", "multiple of 8");
    expect_err("driver:\n  rx_ring: 4\n", "out of range");
    expect_err("duration: 10\n", "duration");
    expect_err("duration: 10 parsecs\n", "duration");
    expect_err("device:\n  timing: slow\n", "not one of: default, functional");
    expect_err("device:\n  mac: 1:2:3\n", "device.mac");
    expect_err("traffic:\n  rx:\n    length_mix: 60:0\n", "length_mix");
    expect_err("traffic:\n  rx:\n    rate_pps: -5\n", "traffic.rx.rate_pps");
    expect_err("nosuch:\n  x: 1\n", "bad.yaml:1: nosuch: unknown section");
    expect_err("driver: 3\n", "unknown key");
    expect_err("driver:\n  itr: [1, 2]\n", "single value");
    expect_err("seed: [\n", "bad.yaml:");
    expect_err("- 1\n- 2\n", "mapping");
    expect_err("record:\n  reg_accesses: yes\n", "true or false");
    expect_err("seed: 99999999999999999999999\n", "seed");
}

static void test_scenario_set_overrides(void **state)
{
    struct scenario s;
    char err[256];
    scen_defaults(&s);
    assert_int_equal(scen_set(&s, "driver.itr=3", err, sizeof(err)), 0);
    assert_int_equal(scen_set(&s, "traffic.rx.rate_pps=100000", err, sizeof(err)), 0);
    assert_int_equal(s.traffic.rx.rate_pps, 100000);
    assert_int_equal(scen_set(&s, "name='two words'", err, sizeof(err)), 0);
    assert_string_equal(s.name, "two words");
    assert_int_equal(scen_set(&s, "driver.nope=1", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "driver.nope: unknown key"));
    assert_int_equal(scen_set(&s, "driver.itr", err, sizeof(err)), -1);
    assert_int_equal(scen_set(&s, "duration=5", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "--set: duration:"));
}

static void test_scenario_json_canonical(void **state)
{
    struct scenario a, b;
    char ja[8192], jb[8192], err[128];
    scen_defaults(&a);
    scen_defaults(&b);
    scen_set(&b, "name=x\"y", err, sizeof(err));
    int na = scen_to_json(&a, ja, sizeof(ja));
    int nb = scen_to_json(&b, jb, sizeof(jb));
    assert_true(na > 100 && nb > 100);
    assert_non_null(strstr(ja, "\"driver.itr\":3"));
    assert_non_null(strstr(ja, "\"device.timing\":\"default\""));
    assert_non_null(strstr(jb, "\"name\":\"x\\\"y\""));
    assert_true(strcmp(ja, jb) != 0);
    scen_defaults(&b);
    scen_to_json(&b, jb, sizeof(jb));
    assert_string_equal(ja, jb);
    assert_int_equal(scen_to_json(&a, ja, 10), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scenario_defaults),
        cmocka_unit_test(test_scenario_load),
        cmocka_unit_test(test_scenario_errors_name_file_line_key),
        cmocka_unit_test(test_scenario_set_overrides),
        cmocka_unit_test(test_scenario_json_canonical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
