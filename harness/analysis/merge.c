/*
 * merge.c - a run folder's raw Google Benchmark files into run.json.
 *
 *   benchstat merge RUN_DIR [CLAIMS.json...] [--status S] [--started ISO]
 *                   [--profile P] [--args JSON-ARRAY]
 *
 * Reads RUN_DIR/logs/suites.jsonl (one record per binary run, written by
 * scripts/run) and each record's raw file. Google Benchmark's output is
 * not always JSON: it writes bare NaN and Infinity, and a binary that
 * crashes or is stopped leaves its file cut off. Both are repaired here by
 * parsing, never by editing text: non-finite numbers become null, and a
 * file cut short keeps every benchmark entry that was written whole. Each
 * repair is a note in the suite's record. Then the anomaly guards of the
 * claims files mark unstable results (guards.c), and run.json is written
 * by rename. A second merge of the same folder keeps the run's status,
 * start, profile and flags.
 */
#define _GNU_SOURCE
#include "analysis.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n + 65536 > cap) {
			cap = (cap + 65536) * 2;
			buf = realloc(buf, cap + 1);
			if (!buf)
				break;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	if (buf)
		buf[n] = '\0';
	*len = n;
	return buf;
}

/*
 * Bare NaN, nan, Infinity, inf (with a sign) where a value stands, outside
 * strings, become null. Returns the repaired copy (its length in *len)
 * and how many in *count.
 */
static char *null_nonfinite(const char *s, size_t *len, int *count)
{
	static const char *words[] = { "-Infinity", "Infinity", "-inf", "inf",
				       "-nan", "NaN", "nan", "-NaN" };
	/* "NaN" (3) becomes "null" (4): at most a third longer. */
	char *out = xmalloc(*len + *len / 3 + 8);
	int in_str = 0;
	size_t o = 0;

	*count = 0;
	for (size_t i = 0; i < *len;) {
		char c = s[i];

		if (in_str) {
			out[o++] = s[i++];
			if (c == '\\' && i < *len)
				out[o++] = s[i++];
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"') {
			in_str = 1;
			out[o++] = s[i++];
			continue;
		}
		if (c == '-' || isalpha((unsigned char)c)) {
			size_t k;

			for (k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
				size_t wl = strlen(words[k]);

				if (i + wl <= *len && !strncmp(s + i, words[k], wl) &&
				    (i + wl == *len ||
				     !isalnum((unsigned char)s[i + wl])))
					break;
			}
			if (k < sizeof(words) / sizeof(words[0])) {
				memcpy(out + o, "null", 4);
				o += 4;
				i += strlen(words[k]);
				(*count)++;
				continue;
			}
			/* A word that is not one of them: copied whole. */
			while (i < *len && (isalnum((unsigned char)s[i]) ||
					    s[i] == '-' || s[i] == '.' ||
					    s[i] == '+'))
				out[o++] = s[i++];
			continue;
		}
		out[o++] = s[i++];
	}
	out[o] = '\0';
	*len = o;
	return out;
}

static size_t skip_ws(const char *s, size_t i, size_t len, const char *also)
{
	while (i < len && (isspace((unsigned char)s[i]) ||
			   (also && s[i] && strchr(also, s[i]))))
		i++;
	return i;
}

/* One JSON value at s + *off; advances *off past it. */
static json_t *value_at(const char *s, size_t len, size_t *off)
{
	json_error_t err;
	json_t *v;

	if (*off >= len)
		return NULL;
	v = json_loadb(s + *off, len - *off,
		       JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, &err);
	if (v)
		*off += err.position;
	return v;
}

/*
 * A Google Benchmark file cut short: its top-level members one at a time,
 * and of "benchmarks" every entry written whole.
 */
static json_t *salvage(const char *s, size_t len, int *kept)
{
	json_t *doc = json_object(), *list = NULL;
	size_t i = skip_ws(s, 0, len, NULL);

	*kept = 0;
	if (i >= len || s[i] != '{')
		goto fail;
	i++;
	for (;;) {
		json_t *key, *v;

		i = skip_ws(s, i, len, ",");
		if (i >= len || s[i] == '}')
			break;
		key = value_at(s, len, &i);
		if (!json_is_string(key)) {
			json_decref(key);
			break;
		}
		i = skip_ws(s, i, len, NULL);
		if (i >= len || s[i] != ':') {
			json_decref(key);
			break;
		}
		i = skip_ws(s, i + 1, len, NULL);
		if (!strcmp(json_string_value(key), "benchmarks") && i < len &&
		    s[i] == '[') {
			list = json_array();
			i++;
			for (;;) {
				i = skip_ws(s, i, len, ",");
				if (i >= len || s[i] == ']' ||
				    !(v = value_at(s, len, &i)))
					break;
				json_array_append_new(list, v);
			}
			json_object_set_new(doc, "benchmarks", list);
			json_decref(key);
			break;	/* whatever follows was cut */
		}
		v = value_at(s, len, &i);
		if (!v) {
			json_decref(key);
			break;
		}
		json_object_set_new(doc, json_string_value(key), v);
		json_decref(key);
	}
	if (!list)
		goto fail;
	*kept = (int)json_array_size(list);
	return doc;
fail:
	json_decref(doc);
	return NULL;
}

json_t *raw_repair(const char *text, size_t len, json_t *notes)
{
	char note[256], *s;
	json_t *doc;
	int bad, kept;

	if (!len) {
		json_array_append_new(notes, json_string(
			"no output file: the binary wrote no results"));
		return NULL;
	}
	s = null_nonfinite(text, &len, &bad);
	if (bad) {
		snprintf(note, sizeof(note),
			 "replaced %d NaN/Infinity values with null", bad);
		json_array_append_new(notes, json_string(note));
	}
	doc = json_loadb(s, len, 0, NULL);
	if (json_is_object(doc) &&
	    json_is_array(json_object_get(doc, "benchmarks"))) {
		free(s);
		return doc;
	}
	json_decref(doc);
	doc = salvage(s, len, &kept);
	free(s);
	if (!doc) {
		json_array_append_new(notes, json_string(
			"output is not valid JSON and could not be repaired"));
		return NULL;
	}
	snprintf(note, sizeof(note), "output was cut short (crashed or "
		 "stopped): kept %d complete benchmark entries", kept);
	json_array_append_new(notes, json_string(note));
	return doc;
}

/* The raw file of one record, repaired; notes[] says what was done. */
static json_t *read_raw(const char *path, json_t *notes)
{
	size_t len = 0;
	char *s = slurp(path, &len);
	json_t *doc = raw_repair(s ? s : "", s ? len : 0, notes);

	free(s);
	return doc;
}

/* "size:64KiB" -> {"name": "size", "value": 65536}; NULL if none. */
static json_t *param_of(const char *base)
{
	const char *last = strrchr(base, '/'), *colon;
	char name[64];
	uint64_t b;
	char *end;
	double d;
	size_t n;

	last = last ? last + 1 : base;
	colon = strchr(last, ':');
	n = colon ? (size_t)(colon - last) : 0;
	if (!n || n >= sizeof(name) || !(isalpha((unsigned char)last[0]) ||
					 last[0] == '_'))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)last[i]) && last[i] != '_')
			return NULL;
	memcpy(name, last, n);
	name[n] = '\0';
	if (!colon[1])
		return NULL;
	if (!parse_bytes(colon + 1, &b) && strpbrk(colon + 1, "BKMGT"))
		return json_pack("{s:s,s:I}", "name", name, "value", (json_int_t)b);
	d = strtod(colon + 1, &end);
	if (end != colon + 1 && !*end)
		return json_pack("{s:s,s:o}", "name", name, "value",
				 d == floor(d) && fabs(d) < 9e15
					 ? json_integer((json_int_t)d)
					 : json_real(d));
	return json_pack("{s:s,s:s}", "name", name, "value", colon + 1);
}

/*
 * Adds suite, flavor, round and rerun. The suite binaries write the rest
 * themselves (status, reason, base_name, param: gbshim.cc's reporter); a
 * Google Benchmark file from elsewhere gets them from its names, the only
 * place a name is read back.
 */
void merge_annotate(json_t *e, json_t *rec)
{
	int round = jint(rec, "round", 0);

	json_object_set(e, "suite", json_object_get(rec, "suite"));
	json_object_set(e, "flavor", json_object_get(rec, "flavor"));
	if (!json_is_string(json_object_get(e, "status"))) {
		const char *msg = jstr(e, "error_message", "");

		if (json_is_true(json_object_get(e, "error_occurred"))) {
			int skip = !strncmp(msg, "skipped: ", 9);

			json_object_set_new(e, "status", json_string(
				skip ? "skipped" : "failed"));
			json_object_set_new(e, "reason", json_string(
				skip ? msg + 9 : !strncmp(msg, "failed: ", 8)
				? msg + 8 : msg));
		} else {
			json_object_set_new(e, "status", json_string("ok"));
		}
	}
	if (!json_is_string(json_object_get(e, "base_name"))) {
		int rt;
		char *base = base_name_of(jstr(e, "run_name", jstr(e, "name", "")),
					  &rt);
		json_t *p = param_of(base);

		if (p)
			json_object_set_new(e, "param", p);
		json_object_set_new(e, "base_name", json_string(base));
		free(base);
	}
	if (round > 0)
		json_object_set_new(e, "round", json_integer(round));
	if (json_is_true(json_object_get(rec, "rerun")))
		json_object_set_new(e, "rerun", json_true());
}

/* Distinct run names in entries, all or of one status. */
static int distinct(json_t *entries, const char *status)
{
	json_t *seen = json_object(), *e;
	size_t i;
	int n;

	json_array_foreach(entries, i, e)
		if (!status || !strcmp(jstr(e, "status", ""), status))
			json_object_set_new(seen, jstr(e, "run_name",
						       jstr(e, "name", "")),
					    json_true());
	n = (int)json_object_size(seen);
	json_decref(seen);
	return n;
}

static void now_iso(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	char z[8];

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(z, sizeof(z), "%z", &tm);
	/* +0000 -> +00:00 */
	snprintf(buf + strlen(buf), len - strlen(buf), "%.3s:%.2s", z, z + 3);
}

static json_t *load_object(const char *path)
{
	json_t *v = json_load_file(path, 0, NULL);

	if (v && !json_is_object(v)) {
		json_decref(v);
		v = NULL;
	}
	return v;
}

int json_write_atomic(json_t *doc, const char *path)
{
	char *tmp;
	int rc;

	if (asprintf(&tmp, "%s.tmp.%d", path, (int)getpid()) < 0)
		return -1;
	rc = json_dump_file(doc, tmp, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	if (!rc && rename(tmp, path))
		rc = -1;
	if (rc) {
		fprintf(stderr, "error: cannot write %s: %s\n", path,
			strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

int cmd_merge(int argc, char **argv)
{
	char path[4096], finished[40], host[256] = "", *dirc;
	json_t *old, *head, *suites, *benchmarks, *ctx = NULL, *line, *cal;
	json_t *args = NULL, *doc, *report;
	struct run r;
	FILE *f;
	int rc = 2, nfiles = argc - 1;
	char buf[65536];

	if (argc < 1) {
		fprintf(stderr, "usage: benchstat merge RUN_DIR [CLAIMS.json...] "
			"[--status S] [--started ISO] [--profile P] "
			"[--args JSON]\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/logs/suites.jsonl", argv[0]);
	if (!(f = fopen(path, "r"))) {
		fprintf(stderr, "error: %s is missing: not a run folder\n", path);
		return 2;
	}
	if (opt.args && !json_is_array(args = json_loads(opt.args, 0, NULL))) {
		fprintf(stderr, "error: --args must be a JSON array of strings\n");
		json_decref(args);
		fclose(f);
		return 2;
	}
	/* What only the run knew survives a second merge. */
	snprintf(path, sizeof(path), "%s/run.json", argv[0]);
	old = load_object(path);
	suites = json_array();
	benchmarks = json_array();
	while (fgets(buf, sizeof(buf), f)) {
		json_t *rec, *raw, *notes = json_array(), *entries, *e, *mine;
		size_t i;

		if (!buf[strspn(buf, " \t\r\n")])
			continue;
		rec = json_loads(buf, 0, NULL);
		if (!json_is_object(rec) || !json_is_string(json_object_get(rec, "raw")) ||
		    !json_is_string(json_object_get(rec, "suite")) ||
		    !json_is_string(json_object_get(rec, "flavor"))) {
			fprintf(stderr, "error: %s/logs/suites.jsonl: a line is "
				"not a suite record\n", argv[0]);
			json_decref(rec);
			json_decref(notes);
			goto out;
		}
		snprintf(path, sizeof(path), "%s/%s", argv[0], jstr(rec, "raw", ""));
		raw = read_raw(path, notes);
		entries = json_object_get(raw, "benchmarks");
		mine = json_array();
		json_array_foreach(entries, i, e) {
			if (!json_is_object(e))
				continue;
			merge_annotate(e, rec);
			json_array_append(mine, e);
			json_array_append(benchmarks, e);
		}
		e = json_object_get(raw, "context");
		json_object_set_new(rec, "context", json_is_object(e)
				    ? json_incref(e) : json_object());
		if (!ctx && json_object_size(json_object_get(rec, "context")))
			ctx = json_incref(json_object_get(rec, "context"));
		json_object_set_new(rec, "benchmarks", json_integer(distinct(mine, NULL)));
		json_object_set_new(rec, "skipped", json_integer(distinct(mine, "skipped")));
		json_object_set_new(rec, "failed", json_integer(distinct(mine, "failed")));
		if (json_array_size(notes) && !strcmp(jstr(rec, "status", ""), "ok"))
			json_object_set_new(rec, "status", json_string("repaired"));
		if (jnum(rec, "steal_share", 0) >= 0.05) {
			char note[200];

			snprintf(note, sizeof(note), "%.0f%% of CPU time was stolen "
				 "by the hypervisor while it ran: real times "
				 "include it, CPU times do not",
				 100 * jnum(rec, "steal_share", 0));
			json_array_append_new(notes, json_string(note));
		}
		json_array_foreach(notes, i, e)
			fprintf(stderr, "merge: %s (%s): %s\n",
				jstr(rec, "suite", ""), jstr(rec, "flavor", ""),
				json_string_value(e));
		json_object_set_new(rec, "notes", notes);
		json_array_append_new(suites, rec);
		json_decref(mine);
		json_decref(raw);
	}
	now_iso(finished, sizeof(finished));
	gethostname(host, sizeof(host) - 1);
	host[strcspn(host, ".")] = '\0';	/* as hostname -s */
	dirc = xstrdup(argv[0]);
	head = json_pack("{s:s,s:s,s:s}", "schema", "bench-run/1", "run_id",
			 basename(dirc), "status",
			 opt.status ? opt.status : jstr(old, "status", "complete"));
	free(dirc);
	if (opt.started || jstr(old, "started", NULL))
		json_object_set_new(head, "started", json_string(
			opt.started ? opt.started : jstr(old, "started", "")));
	else
		json_object_set_new(head, "started", json_null());
	json_object_set_new(head, "finished", json_string(finished));
	if (opt.profile || jstr(old, "profile", NULL))
		json_object_set_new(head, "profile", json_string(
			opt.profile ? opt.profile : jstr(old, "profile", "")));
	else
		json_object_set_new(head, "profile", json_null());
	json_object_set_new(head, "host", json_string(host));
	json_object_set_new(head, "args", args ? json_incref(args)
		: json_is_array(json_object_get(old, "args"))
			? json_incref(json_object_get(old, "args")) : json_array());
	json_object_set_new(head, "context", ctx ? ctx : json_object());
	json_object_set_new(head, "suites", suites);
	json_object_set_new(head, "benchmarks", benchmarks);
	suites = benchmarks = NULL;
	/* The machine's calibration before and after, where it was taken. */
	cal = json_object();
	for (int k = 0; k < 2; k++) {
		const char *when = k ? "end" : "start";

		snprintf(path, sizeof(path), "%s/calibration-%s.json", argv[0], when);
		if ((line = load_object(path)))
			json_object_set_new(cal, when, line);
		else if (!access(path, F_OK))
			fprintf(stderr, "warning: ignoring %s: not a JSON object\n",
				path);
	}
	if (json_object_size(cal))
		json_object_set(head, "calibration", cal);
	json_decref(cal);
	/* The caches the suites sized their working sets from. */
	snprintf(path, sizeof(path), "%s/caches.json", argv[0]);
	if ((line = load_object(path)))
		json_object_set_new(head, "caches", line);
	/* The host's last A/A self-test (scripts/aa), beside the runs. */
	dirc = xstrdup(argv[0]);
	snprintf(path, sizeof(path), "%s/.aa/%.200s.json", dirname(dirc), host);
	free(dirc);
	if ((line = load_object(path)))
		json_object_set_new(head, "aa", line);

	/* Unstable results, marked in the run itself. */
	snprintf(path, sizeof(path), "%s/run.json", argv[0]);
	doc = head;
	run_from_root(&r, json_incref(doc), path);
	report = json_object();
	if (!guards_apply(&r, nfiles, argv + 1, report)) {
		guards_mark(&r, report);
		rc = json_write_atomic(doc, path) ? 2 : 0;
	}
	json_decref(report);
	run_free(&r);
	json_decref(doc);
out:
	json_decref(suites);
	json_decref(benchmarks);
	json_decref(old);
	json_decref(args);
	fclose(f);
	return rc;
}
