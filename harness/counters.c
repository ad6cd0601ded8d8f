/*
 * counters.c - PAPI hardware events and perf_event software events.
 *
 * Costs, so a reader knows what wraps the timed loop: enabling a software
 * event is one ioctl (about a microsecond); PAPI_start/PAPI_stop are tens of
 * microseconds. Both happen once per run, not per iteration.
 */
#define _GNU_SOURCE
#include "counters.h"
#include "util.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <papi.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

enum ctr_src { SRC_PERF, SRC_PAPI };

struct ctr_def {
	const char *name;
	enum ctr_src src;
	uint32_t type;		/* perf: PERF_TYPE_*; 0 for the tracepoint */
	uint64_t config;
	const char *papi[2];	/* PAPI presets, first that exists wins */
	const char *how;
};

#define TRACEPOINT_SYSCALLS UINT32_MAX

static const struct ctr_def defs[] = {
	{ "syscalls", SRC_PERF, TRACEPOINT_SYSCALLS, 0, { 0 },
	  "perf_event tracepoint raw_syscalls:sys_enter" },
	{ "page_faults", SRC_PERF, PERF_TYPE_SOFTWARE,
	  PERF_COUNT_SW_PAGE_FAULTS, { 0 }, "perf_event software" },
	{ "minor_faults", SRC_PERF, PERF_TYPE_SOFTWARE,
	  PERF_COUNT_SW_PAGE_FAULTS_MIN, { 0 }, "perf_event software" },
	{ "major_faults", SRC_PERF, PERF_TYPE_SOFTWARE,
	  PERF_COUNT_SW_PAGE_FAULTS_MAJ, { 0 }, "perf_event software" },
	{ "ctx_switches", SRC_PERF, PERF_TYPE_SOFTWARE,
	  PERF_COUNT_SW_CONTEXT_SWITCHES, { 0 }, "perf_event software" },
	{ "cpu_migrations", SRC_PERF, PERF_TYPE_SOFTWARE,
	  PERF_COUNT_SW_CPU_MIGRATIONS, { 0 }, "perf_event software" },
	{ "task_clock_ns", SRC_PERF, PERF_TYPE_SOFTWARE,
	  PERF_COUNT_SW_TASK_CLOCK, { 0 }, "perf_event software" },
	{ "cycles", SRC_PAPI, 0, 0, { "PAPI_TOT_CYC" }, "PAPI" },
	{ "instructions", SRC_PAPI, 0, 0, { "PAPI_TOT_INS" }, "PAPI" },
	{ "l1d_misses", SRC_PAPI, 0, 0, { "PAPI_L1_DCM" }, "PAPI" },
	{ "llc_misses", SRC_PAPI, 0, 0, { "PAPI_L3_TCM", "PAPI_L2_TCM" },
	  "PAPI" },
	{ "dtlb_misses", SRC_PAPI, 0, 0, { "PAPI_TLB_DM" }, "PAPI" },
	{ "branch_misses", SRC_PAPI, 0, 0, { "PAPI_BR_MSP" }, "PAPI" },
};
#define NDEFS (int)(sizeof(defs) / sizeof(defs[0]))

struct ctr_set {
	int n;
	const struct ctr_def *def[CTR_MAX];
	int fd[CTR_MAX];		/* perf events; -1 for PAPI ones */
	int papi_idx[CTR_MAX];		/* index in the PAPI event set */
	double base[CTR_MAX];		/* enable/disable overhead */
	double val[CTR_MAX];
	int mux[CTR_MAX];
	int papi_set;			/* PAPI_NULL when none */
	int papi_n;
	int papi_mux;
	long long papi_vals[CTR_MAX];
	int running;
	char missing[512];		/* "name: why; ..." for events not opened */
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static char status[NDEFS][256];
static char papi_status[1400];
static char perf_status[256];
static int papi_ok;
static int papi_nhw;
static long tp_syscalls = -1;

static int def_index(const char *name)
{
	for (int i = 0; i < NDEFS; i++)
		if (!strcmp(defs[i].name, name))
			return i;
	return -1;
}

int ctr_known(const char *name)
{
	return def_index(name) >= 0;
}

/* Written once, by do_init() under pthread_once; read-only after. */
static void set_status(int i, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_status(int i, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(status[i], sizeof(status[i]), fmt, ap);
	va_end(ap);
}

/*
 * Where tracefs may be: its own mount point, and under debugfs, where
 * kernels before 4.1 had it and where mounting debugfs still puts it.
 */
static const char *const tracefs_roots[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};
static char tp_why[320];

const char *ctr_tracefs_root(int i)
{
	return i >= 0 && i < (int)(sizeof(tracefs_roots) /
				   sizeof(tracefs_roots[0])) ?
		tracefs_roots[i] : NULL;
}

long ctr_tracepoint_id_in(const char *root, const char *event)
{
	char path[512], buf[64];

	snprintf(path, sizeof(path), "%s/events/%s/id", root, event);
	if (read_file_str(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

static long find_tracepoint(const char *event)
{
	int denied = 0;
	long id;

	for (int r = 0; ctr_tracefs_root(r); r++) {
		id = ctr_tracepoint_id_in(ctr_tracefs_root(r), event);
		if (id >= 0)
			return id;
		denied |= errno == EACCES;
	}
	if (denied)
		snprintf(tp_why, sizeof(tp_why), "tracefs is not readable by "
			 "this user (as root: mount -o remount,gid=<group>,"
			 "mode=0750 /sys/kernel/tracing; scripts/setup says "
			 "the exact line)");
	else
		snprintf(tp_why, sizeof(tp_why), "tracefs is not mounted at "
			 "%s or %s (as root: mount -t tracefs nodev "
			 "/sys/kernel/tracing, as scripts/setup does)",
			 tracefs_roots[0], tracefs_roots[1]);
	return -1;
}

long ctr_syscall_tracepoint_id(void)
{
	ctr_init();
	return tp_syscalls;
}

static int perf_open(const struct ctr_def *d, unsigned flags)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.disabled = 1;
	a.inherit = !!(flags & CTR_INHERIT);
	a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED |
			PERF_FORMAT_TOTAL_TIME_RUNNING;
	if (d->type == TRACEPOINT_SYSCALLS) {
		if (tp_syscalls < 0) {
			errno = ENOENT;
			return -1;
		}
		a.type = PERF_TYPE_TRACEPOINT;
		a.config = (uint64_t)tp_syscalls;
	} else {
		a.type = d->type;
		a.config = d->config;
	}
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1,
			    PERF_FLAG_FD_CLOEXEC);
}

static unsigned long papi_thread_id(void)
{
	return (unsigned long)pthread_self();
}

static void init_papi(void)
{
	const PAPI_component_info_t *ci;
	int rc = PAPI_library_init(PAPI_VER_CURRENT);

	if (rc != PAPI_VER_CURRENT) {
		snprintf(papi_status, sizeof(papi_status),
			 "unavailable: PAPI_library_init: %s",
			 rc < 0 ? PAPI_strerror(rc) : "version mismatch");
		return;
	}
	if (PAPI_thread_init(papi_thread_id) != PAPI_OK) {
		snprintf(papi_status, sizeof(papi_status),
			 "unavailable: PAPI_thread_init failed");
		return;
	}
	if (PAPI_multiplex_init() != PAPI_OK) {
		snprintf(papi_status, sizeof(papi_status),
			 "unavailable: PAPI_multiplex_init failed");
		return;
	}
	ci = PAPI_get_component_info(0);
	if (!ci) {
		snprintf(papi_status, sizeof(papi_status),
			 "unavailable: PAPI has no CPU component");
		return;
	}
	if (ci->disabled) {
		snprintf(papi_status, sizeof(papi_status),
			 "unavailable: PAPI %d.%d component %s disabled: %s",
			 PAPI_VERSION_MAJOR(PAPI_VERSION),
			 PAPI_VERSION_MINOR(PAPI_VERSION), ci->name,
			 ci->disabled_reason);
		return;
	}
	papi_nhw = PAPI_num_cmp_hwctrs(0);
	if (papi_nhw <= 0) {
		snprintf(papi_status, sizeof(papi_status),
			 "unavailable: PAPI %d.%d reports 0 hardware counters "
			 "(no PMU exposed to this machine)",
			 PAPI_VERSION_MAJOR(PAPI_VERSION),
			 PAPI_VERSION_MINOR(PAPI_VERSION));
		return;
	}
	papi_ok = 1;
	snprintf(papi_status, sizeof(papi_status),
		 "ok: PAPI %d.%d, component %s, %d hardware counters",
		 PAPI_VERSION_MAJOR(PAPI_VERSION),
		 PAPI_VERSION_MINOR(PAPI_VERSION), ci->name, papi_nhw);
}

static void init_perf(void)
{
	static const struct ctr_def probe = {
		"task_clock_ns", SRC_PERF, PERF_TYPE_SOFTWARE,
		PERF_COUNT_SW_TASK_CLOCK, { 0 }, NULL,
	};
	char paranoid[32] = "?";
	int fd;

	read_file_str("/proc/sys/kernel/perf_event_paranoid", paranoid,
		      sizeof(paranoid));
	fd = perf_open(&probe, 0);
	if (fd < 0) {
		snprintf(perf_status, sizeof(perf_status),
			 "unavailable: perf_event_open: %s "
			 "(perf_event_paranoid=%s)", strerror(errno), paranoid);
		return;
	}
	close(fd);
	snprintf(perf_status, sizeof(perf_status),
		 "ok: software events (perf_event_paranoid=%s)%s", paranoid,
		 tp_syscalls < 0 ? "; raw_syscalls:sys_enter not found in tracefs"
				 : "; raw_syscalls:sys_enter tracepoint");
}

static void do_init(void)
{
	tp_syscalls = find_tracepoint("raw_syscalls/sys_enter");
	init_perf();
	init_papi();
	for (int i = 0; i < NDEFS; i++) {
		const struct ctr_def *d = &defs[i];

		if (d->src == SRC_PAPI) {
			if (papi_ok)
				set_status(i, "ok: %s %s", d->how, d->papi[0]);
			else
				set_status(i, "%s", papi_status);
		} else if (d->type == TRACEPOINT_SYSCALLS && tp_syscalls < 0) {
			set_status(i, "unavailable: tracepoint raw_syscalls/"
				   "sys_enter not found: %s", tp_why);
		} else if (!strncmp(perf_status, "ok", 2)) {
			set_status(i, "ok: %s", d->how);
		} else {
			set_status(i, "%s", perf_status);
		}
	}
}

void ctr_init(void)
{
	pthread_once(&init_once, do_init);
}

const char *ctr_status(const char *name)
{
	int i = def_index(name);

	ctr_init();
	return i < 0 ? "unavailable: unknown counter name" : status[i];
}

const char *ctr_papi_status(void)
{
	ctr_init();
	return papi_status;
}

const char *ctr_perf_status(void)
{
	ctr_init();
	return perf_status;
}

static void add_missing(struct ctr_set *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_missing(struct ctr_set *s, const char *fmt, ...)
{
	size_t len = strlen(s->missing);
	va_list ap;

	if (len && len + 2 < sizeof(s->missing)) {
		strcat(s->missing, "; ");
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(s->missing + len, sizeof(s->missing) - len, fmt, ap);
	va_end(ap);
}

static int papi_add(struct ctr_set *s, const struct ctr_def *d)
{
	int code, rc = PAPI_ENOEVNT;

	if (s->papi_set == PAPI_NULL) {
		if ((rc = PAPI_register_thread()) != PAPI_OK ||
		    (rc = PAPI_create_eventset(&s->papi_set)) != PAPI_OK ||
		    (rc = PAPI_assign_eventset_component(s->papi_set, 0)) !=
			    PAPI_OK) {
			add_missing(s, "%s: PAPI event set: %s", d->name,
				    PAPI_strerror(rc));
			s->papi_set = PAPI_NULL;
			return -1;
		}
	}
	for (int k = 0; k < 2 && d->papi[k]; k++) {
		if (PAPI_event_name_to_code(d->papi[k], &code) != PAPI_OK)
			continue;
		rc = PAPI_add_event(s->papi_set, code);
		if (rc == PAPI_ECNFLCT && !s->papi_mux) {
			/* More events than counters: multiplex the set. */
			if (PAPI_set_multiplex(s->papi_set) == PAPI_OK) {
				s->papi_mux = 1;
				rc = PAPI_add_event(s->papi_set, code);
			}
		}
		if (rc == PAPI_OK)
			return s->papi_n++;
	}
	add_missing(s, "%s: PAPI %s: %s", d->name, d->papi[0],
		    PAPI_strerror(rc));
	return -1;
}

static void read_perf(int fd, double *val, int *mux)
{
	uint64_t buf[3] = { 0, 0, 0 };

	*val = 0;
	*mux = 0;
	if (read(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
		return;
	if (buf[2] && buf[2] < buf[1]) {
		/* Time-shared with other events: scale up, and say so. */
		*val = (double)buf[0] * (double)buf[1] / (double)buf[2];
		*mux = 1;
	} else {
		*val = (double)buf[0];
	}
}

static void collect(struct ctr_set *s)
{
	for (int i = 0; i < s->n; i++) {
		if (s->fd[i] >= 0) {
			read_perf(s->fd[i], &s->val[i], &s->mux[i]);
		} else {
			s->val[i] = (double)s->papi_vals[s->papi_idx[i]];
			s->mux[i] = s->papi_mux;
		}
	}
}

static void reset(struct ctr_set *s);

void ctr_enable(struct ctr_set *s)
{
	if (!s || s->running)
		return;
	reset(s);	/* while disabled: the ioctl itself is not counted */
	s->running = 1;
	if (s->papi_set != PAPI_NULL && s->papi_n)
		PAPI_start(s->papi_set);
	/* The syscall tracepoint is enabled last and disabled first. */
	for (int i = s->n - 1; i >= 0; i--)
		if (s->fd[i] >= 0)
			ioctl(s->fd[i], PERF_EVENT_IOC_ENABLE, 0);
}

void ctr_disable(struct ctr_set *s)
{
	if (!s || !s->running)
		return;
	for (int i = 0; i < s->n; i++)
		if (s->fd[i] >= 0)
			ioctl(s->fd[i], PERF_EVENT_IOC_DISABLE, 0);
	if (s->papi_set != PAPI_NULL && s->papi_n)
		PAPI_stop(s->papi_set, s->papi_vals);
	s->running = 0;
	collect(s);
	for (int i = 0; i < s->n; i++)
		s->val[i] = s->val[i] > s->base[i] ? s->val[i] - s->base[i] : 0;
}

static void reset(struct ctr_set *s)
{
	for (int i = 0; i < s->n; i++)
		if (s->fd[i] >= 0)
			ioctl(s->fd[i], PERF_EVENT_IOC_RESET, 0);
	if (s->papi_set != PAPI_NULL && s->papi_n)
		PAPI_reset(s->papi_set);
}

/*
 * What an empty enable/disable pair counts (on one machine: one syscall,
 * the disabling ioctl). Smallest of a few tries, so a stray page fault
 * during calibration does not become a negative count later.
 */
static void calibrate(struct ctr_set *s)
{
	double best[CTR_MAX];

	for (int i = 0; i < s->n; i++)
		s->base[i] = 0;
	for (int t = 0; t < 5; t++) {
		reset(s);
		ctr_enable(s);
		ctr_disable(s);
		for (int i = 0; i < s->n; i++)
			if (!t || s->val[i] < best[i])
				best[i] = s->val[i];
	}
	for (int i = 0; i < s->n; i++) {
		int is_time = s->def[i]->src == SRC_PERF &&
			      s->def[i]->type == PERF_TYPE_SOFTWARE &&
			      s->def[i]->config == PERF_COUNT_SW_TASK_CLOCK;

		/* Time is not an event count; PAPI's start/stop is not seen. */
		s->base[i] = (s->fd[i] < 0 || is_time) ? 0 : best[i];
	}
	reset(s);
}

struct ctr_set *ctr_open(const char *names, unsigned flags)
{
	struct ctr_set *s;
	char *list, *tok, *save = NULL;

	if (!names || !*names)
		return NULL;
	ctr_init();
	s = xcalloc(1, sizeof(*s));
	s->papi_set = PAPI_NULL;
	list = xstrdup(names);
	for (tok = strtok_r(list, ", ", &save); tok && s->n < CTR_MAX;
	     tok = strtok_r(NULL, ", ", &save)) {
		int di = def_index(tok);
		const struct ctr_def *d;

		if (di < 0)
			continue;	/* bench_main rejects unknown names */
		d = &defs[di];
		s->def[s->n] = d;
		s->fd[s->n] = -1;
		if (d->src == SRC_PERF) {
			int fd = perf_open(d, flags);

			if (fd < 0 && d->type == TRACEPOINT_SYSCALLS &&
			    tp_syscalls < 0) {
				add_missing(s, "%s: tracepoint raw_syscalls/"
					    "sys_enter not found: %s", d->name,
					    tp_why);
				continue;
			}
			if (fd < 0) {
				add_missing(s, "%s: perf_event_open: %s",
					    d->name, strerror(errno));
				continue;
			}
			s->fd[s->n++] = fd;
		} else if (!papi_ok) {
			add_missing(s, "%s: %s", d->name, papi_status);
		} else if (flags & CTR_INHERIT) {
			add_missing(s, "%s: hardware events are not counted "
				    "across child processes", d->name);
		} else {
			int idx = papi_add(s, d);

			if (idx < 0)
				continue;
			s->papi_idx[s->n++] = idx;
		}
	}
	free(list);
	calibrate(s);
	return s;
}

void ctr_close(struct ctr_set *s)
{
	if (!s)
		return;
	ctr_disable(s);
	for (int i = 0; i < s->n; i++)
		if (s->fd[i] >= 0)
			close(s->fd[i]);
	if (s->papi_set != PAPI_NULL) {
		PAPI_cleanup_eventset(s->papi_set);
		PAPI_destroy_eventset(&s->papi_set);
		/* Google Benchmark's threads end after each run. */
		PAPI_unregister_thread();
	}
	free(s);
}

int ctr_count(const struct ctr_set *s)
{
	return s ? s->n : 0;
}

const char *ctr_name(const struct ctr_set *s, int i)
{
	return s->def[i]->name;
}

double ctr_value(const struct ctr_set *s, int i)
{
	return s->val[i];
}

int ctr_multiplexed(const struct ctr_set *s, int i)
{
	return s->mux[i];
}

const char *ctr_missing(const struct ctr_set *s)
{
	return s ? s->missing : "";
}
