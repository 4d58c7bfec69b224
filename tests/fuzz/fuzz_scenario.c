/* libFuzzer target: scenario files (sim/scenario.c over libyaml) and --set.
 * The input up to its first NUL byte is YAML for scen_load_text; the part
 * after it is "key=value" lines, each given to scen_set (after the file, as
 * `e1ksim run --set` does; a failed load does not stop them).
 *
 * Oracles besides the sanitizers:
 * - a failure's message is one terminated line: "fuzz.yaml:LINE: KEY: ..."
 *   (KEY may be 'yaml' or '(top)') or "--set: KEY: ..." naming the line's key;
 * - loading the same text twice gives the same result and message;
 * - scen_to_json succeeds in a large buffer with one JSON object whose keys
 *   are those of the defaults, in the same (sorted) order; it reports -1 for
 *   every buffer too small by even one byte, and writes nothing past it;
 * - the JSON is the whole parameter set: setting each of its values with
 *   scen_set over the defaults gives the same JSON. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define JSON_MAX 65536
#define MAX_KEYS 128

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_scenario: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

static void check_one_line(const char *err, size_t errlen)
{
    if (!memchr(err, 0, errlen))
        fail("an error message is not terminated", NULL);
    if (strchr(err, '\n'))
        fail("an error message spans lines", err);
}

/* ---- a strict little JSON reader for what scen_to_json writes ---- */

struct jv {
    char key[128];
    char type;      /* 's' string, 'n' number, 'b' true/false */
    char val[1024]; /* unescaped string, or the token */
};

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* A JSON string at *p; its unescaped bytes (no NUL, \u0000..\u00ff only) into out. */
static int jstring(const char **p, char *out, size_t n)
{
    const char *s = *p;
    size_t k = 0;
    if (*s++ != '"')
        return -1;
    for (;;) {
        unsigned char c = (unsigned char)*s++;
        if (c == '"')
            break;
        if (c < 0x20)
            return -1; /* unescaped control character, or the end */
        if (c == '\\') {
            char e = *s++;
            switch (e) {
            case '"': c = '"'; break;
            case '\\': c = '\\'; break;
            case '/': c = '/'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u': {
                int v = 0;
                for (int i = 0; i < 4; i++) {
                    int h = hexval(s[i]);
                    if (h < 0)
                        return -1;
                    v = v * 16 + h;
                }
                s += 4;
                if (v == 0 || v > 0xFF)
                    return -1; /* scen_to_json escapes only control bytes */
                c = (unsigned char)v;
                break;
            }
            default:
                return -1;
            }
        }
        if (k + 1 >= n)
            return -1;
        out[k++] = (char)c;
    }
    out[k] = 0;
    *p = s;
    return 0;
}

/* Parses a whole object; -1 unless it is exactly one object of scalar values. */
static int jparse(const char *s, struct jv *v, size_t maxv, size_t *nv)
{
    size_t n = 0;
    if (*s++ != '{')
        return -1;
    if (*s == '}')
        return s[1] ? -1 : (*nv = 0, 0);
    for (;;) {
        if (n == maxv)
            return -1;
        if (jstring(&s, v[n].key, sizeof(v[n].key)) || *s++ != ':')
            return -1;
        if (*s == '"') {
            v[n].type = 's';
            if (jstring(&s, v[n].val, sizeof(v[n].val)))
                return -1;
        } else if (!strncmp(s, "true", 4) || !strncmp(s, "false", 5)) {
            v[n].type = 'b';
            size_t l = *s == 't' ? 4 : 5;
            memcpy(v[n].val, s, l);
            v[n].val[l] = 0;
            s += l;
        } else {
            v[n].type = 'n';
            size_t l = 0;
            if (s[l] == '-')
                l++;
            if (s[l] < '0' || s[l] > '9' || (s[l] == '0' && s[l + 1] >= '0' && s[l + 1] <= '9'))
                return -1;
            while (s[l] >= '0' && s[l] <= '9')
                l++;
            if (l > 20)
                return -1;
            memcpy(v[n].val, s, l);
            v[n].val[l] = 0;
            s += l;
        }
        n++;
        if (*s == ',') {
            s++;
            continue;
        }
        if (*s++ != '}' || *s)
            return -1;
        break;
    }
    *nv = n;
    return 0;
}

static struct jv defs[MAX_KEYS];
static size_t ndefs;

static void init_defaults(void)
{
    if (ndefs)
        return;
    struct scenario s;
    scen_defaults(&s);
    static char json[JSON_MAX];
    if (scen_to_json(&s, json, sizeof(json)) <= 0 || jparse(json, defs, MAX_KEYS, &ndefs) ||
        !ndefs)
        fail("the defaults' JSON does not parse", json);
    for (size_t i = 1; i < ndefs; i++)
        if (strcmp(defs[i - 1].key, defs[i].key) >= 0)
            fail("the defaults' JSON keys are not sorted", defs[i].key);
}

/* scen_to_json into `n` bytes of an exact-size allocation: -1 and nothing
 * past the end when n is too small, the same text otherwise. */
static void check_small(const struct scenario *s, const char *json, int len, size_t n)
{
    char *b = malloc(n ? n : 1);
    if (!b)
        abort();
    int r = scen_to_json(s, b, n);
    if (n <= (size_t)len) {
        if (r != -1)
            fail("scen_to_json does not report a buffer too small", NULL);
    } else if (r != len || memcmp(b, json, (size_t)len + 1)) {
        fail("scen_to_json writes differently into a smaller buffer", NULL);
    }
    free(b);
}

static void check_json(const struct scenario *s, size_t seed)
{
    static char json[JSON_MAX], again[JSON_MAX];
    static struct jv v[MAX_KEYS];
    int len = scen_to_json(s, json, sizeof(json));
    if (len <= 0 || (size_t)len != strlen(json))
        fail("scen_to_json failed in a large buffer", NULL);
    if (json[0] != '{' || json[len - 1] != '}')
        fail("scen_to_json wrote no object", json);
    size_t nv = 0;
    if (jparse(json, v, MAX_KEYS, &nv))
        fail("scen_to_json wrote invalid JSON", json);
    if (nv != ndefs)
        fail("scen_to_json wrote a different number of keys than for the defaults", json);
    for (size_t i = 0; i < nv; i++)
        if (strcmp(v[i].key, defs[i].key) || v[i].type != defs[i].type)
            fail("scen_to_json wrote a different key or type than for the defaults", v[i].key);
    check_small(s, json, len, (size_t)len + 1);
    check_small(s, json, len, (size_t)len);
    check_small(s, json, len, seed % ((size_t)len + 1));

    /* Every value back through scen_set, over the defaults. */
    struct scenario r;
    scen_defaults(&r);
    for (size_t i = 0; i < nv; i++) {
        static char a[2048];
        char err[512];
        if (v[i].type == 's')
            snprintf(a, sizeof(a), "%.127s=\"%.1023s\"", v[i].key, v[i].val);
        else
            snprintf(a, sizeof(a), "%.127s=%.1023s", v[i].key, v[i].val);
        if (scen_set(&r, a, err, sizeof(err))) {
            /* durations are written in picoseconds and set with a unit */
            snprintf(a, sizeof(a), "%.127s=%.1023sps", v[i].key, v[i].val);
            if (v[i].type != 'n' || scen_set(&r, a, err, sizeof(err)))
                fail("a value of scen_to_json does not set back", err);
        }
    }
    int len2 = scen_to_json(&r, again, sizeof(again));
    if (len2 != len || memcmp(json, again, (size_t)len))
        fail("the JSON's values set over the defaults give a different JSON", again);
}

/* "fuzz.yaml:LINE: KEY: message" or "fuzz.yaml: KEY: message" */
static void check_load_err(const char *err, size_t errlen)
{
    check_one_line(err, errlen);
    const char *p = err;
    if (strncmp(p, "fuzz.yaml:", 10))
        fail("a load error does not name the file", err);
    p += 10;
    if (*p >= '0' && *p <= '9') {
        while (*p >= '0' && *p <= '9')
            p++;
        if (*p++ != ':')
            fail("a load error's line number is malformed", err);
    }
    if (*p++ != ' ' || !strstr(p, ": ")) /* the key may be empty: "": 1 */
        fail("a load error names no key (or 'yaml')", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_defaults();
    const uint8_t *nul = memchr(data, 0, size);
    size_t ylen = nul ? (size_t)(nul - data) : size;

    struct scenario s, s2;
    char err[512], err2[512];
    scen_defaults(&s);
    scen_defaults(&s2);
    memset(err, 'x', sizeof(err));
    memset(err2, 'y', sizeof(err2));
    int rc = scen_load_text("fuzz.yaml", (const char *)data, ylen, &s, err, sizeof(err));
    int rc2 = scen_load_text("fuzz.yaml", (const char *)data, ylen, &s2, err2, sizeof(err2));
    if (rc != 0 && rc != -1)
        fail("scen_load_text returned neither 0 nor -1", NULL);
    if (rc != rc2 || (rc && strcmp(err, err2)) || memcmp(&s, &s2, sizeof(s)))
        fail("two loads of the same text differ", rc ? err : NULL);
    if (rc)
        check_load_err(err, sizeof(err));
    else if (strcmp(s.path, "fuzz.yaml"))
        fail("a loaded scenario does not record its name", s.path);

    if (nul) {
        const char *p = (const char *)nul + 1, *end = (const char *)data + size;
        while (p <= end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
            char *line = malloc(l + 1);
            if (!line)
                abort();
            memcpy(line, p, l);
            line[l] = 0;
            memset(err, 'x', sizeof(err));
            if (scen_set(&s, line, err, sizeof(err))) {
                check_one_line(err, sizeof(err));
                if (strncmp(err, "--set: ", 7))
                    fail("a --set error does not start with '--set: '", err);
                const char *eq = strchr(line, '=');
                size_t kl = eq ? (size_t)(eq - line) : strlen(line);
                if (kl && kl < 128) {
                    char key[128];
                    memcpy(key, line, kl);
                    key[kl] = 0;
                    for (char *c = key; *c; c++) /* messages show control bytes as '?' */
                        if ((unsigned char)*c < 0x20 || *c == 0x7f)
                            *c = '?';
                    if (!strstr(err, key))
                        fail("a --set error does not name the key", err);
                }
            }
            free(line);
            p += l + 1;
        }
    }
    check_json(&s, size);
    return 0;
}
