/*
 * topo.c - see topo.h.
 */
#define _GNU_SOURCE
#include "topo.h"
#include "calib.h"
#include "gbshim.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <hwloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static hwloc_topology_t topo;
static pthread_once_t topo_once = PTHREAD_ONCE_INIT;
static int topo_ok;
static char model[256];
static char summary[512];

static void load(void)
{
	if (hwloc_topology_init(&topo) || hwloc_topology_load(topo)) {
		warn("hwloc cannot load the topology: %s", strerror(errno));
		return;
	}
	topo_ok = 1;
}

void topo_init(void)
{
	pthread_once(&topo_once, load);
}

static int count_type(hwloc_obj_type_t t)
{
	int n;

	topo_init();
	if (!topo_ok)
		return 0;
	n = hwloc_get_nbobjs_by_type(topo, t);
	return n > 0 ? n : 0;
}

int topo_ncpus(void)
{
	int n = count_type(HWLOC_OBJ_PU);

	return n ? n : (int)sysconf(_SC_NPROCESSORS_ONLN);
}

int topo_ncores(void)
{
	int n = count_type(HWLOC_OBJ_CORE);

	return n ? n : topo_ncpus();
}

int topo_numa_nodes(void)
{
	int n = count_type(HWLOC_OBJ_NUMANODE);

	return n ? n : 1;
}

static hwloc_obj_t cache_obj(int level)
{
	static const hwloc_obj_type_t types[] = {
		HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE,
		HWLOC_OBJ_L4CACHE, HWLOC_OBJ_L5CACHE,
	};

	topo_init();
	if (!topo_ok || level < 1 || level > TOPO_MAX_LEVELS)
		return NULL;
	return hwloc_get_obj_by_type(topo, types[level - 1], 0);
}

uint64_t topo_cache_size(int level)
{
	hwloc_obj_t o = cache_obj(level);

	return o && o->attr ? o->attr->cache.size : 0;
}

int topo_cache_levels(void)
{
	int top = 0;

	for (int l = 1; l <= TOPO_MAX_LEVELS; l++)
		if (topo_cache_size(l))
			top = l;
	return top;
}

uint64_t topo_hwloc_llc_size(void)
{
	int l = topo_cache_levels();

	return l ? topo_cache_size(l) : 0;
}

/* ---- sysfs ---- */

static uint64_t sysfs_size[TOPO_MAX_LEVELS + 1];
static pthread_once_t sysfs_once = PTHREAD_ONCE_INIT;

static void sysfs_load(void)
{
	const char *dir = "/sys/devices/system/cpu/cpu0/cache";
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[512], buf[64];
		uint64_t size;
		int level;

		if (strncmp(e->d_name, "index", 5))
			continue;
		snprintf(path, sizeof(path), "%s/%s/type", dir, e->d_name);
		if (read_file_str(path, buf, sizeof(buf)) ||
		    !strcmp(buf, "Instruction"))
			continue;
		snprintf(path, sizeof(path), "%s/%s/level", dir, e->d_name);
		if (read_file_str(path, buf, sizeof(buf)))
			continue;
		level = atoi(buf);
		snprintf(path, sizeof(path), "%s/%s/size", dir, e->d_name);
		if (level < 1 || level > TOPO_MAX_LEVELS ||
		    read_file_str(path, buf, sizeof(buf)) ||
		    parse_bytes(buf, &size))
			continue;
		sysfs_size[level] = size;
	}
	if (d)
		closedir(d);
}

uint64_t topo_sysfs_cache_size(int level)
{
	pthread_once(&sysfs_once, sysfs_load);
	return level >= 1 && level <= TOPO_MAX_LEVELS ? sysfs_size[level] : 0;
}

uint64_t topo_sysfs_llc_size(void)
{
	for (int l = TOPO_MAX_LEVELS; l >= 1; l--)
		if (topo_sysfs_cache_size(l))
			return topo_sysfs_cache_size(l);
	return 0;
}

const char *topo_sysfs_summary(void)
{
	static char s[256];
	size_t n = 0;

	if (s[0])
		return s;
	for (int l = 1; l <= TOPO_MAX_LEVELS; l++) {
		char b[32];

		if (!topo_sysfs_cache_size(l))
			continue;
		n += (size_t)snprintf(s + n, sizeof(s) - n, "%sL%d%s %s",
				      n ? ", " : "", l, l == 1 ? "d" : "",
				      fmt_bytes(b, sizeof(b),
						topo_sysfs_cache_size(l)));
		if (n >= sizeof(s))
			break;
	}
	if (!s[0])
		snprintf(s, sizeof(s), "none");
	return s;
}

/* ---- the last level, measured ---- */

static struct calib_caches measured;
static int have_measured;	/* loaded from a file, or measured here */
static char caches_file[256];
static pthread_once_t measure_once = PTHREAD_ONCE_INIT;
static uint64_t llc;
static char llc_src[320];
static char disagree[512];

static void decide(void)
{
	uint64_t hw = topo_hwloc_llc_size(), sys = topo_sysfs_llc_size();
	uint64_t fallback = sys ? sys : hw;
	const char *fsrc = sys ? "sysfs" : "hwloc";
	char a[32], b[32], c[32];

	disagree[0] = '\0';
	if (have_measured && measured.llc_bytes) {
		llc = measured.llc_bytes;
		if (caches_file[0])
			snprintf(llc_src, sizeof(llc_src), "measured (%s)",
				 caches_file);
		else
			snprintf(llc_src, sizeof(llc_src), "measured");
		for (int k = 0; k < 2; k++) {
			uint64_t v = k ? hw : sys;
			size_t n = strlen(disagree);

			if (!v || (v <= 2 * llc && 2 * v >= llc))
				continue;
			snprintf(disagree + n, sizeof(disagree) - n,
				 "%s says %s, ", k ? "hwloc" : "sysfs",
				 fmt_bytes(a, sizeof(a), v));
		}
		if (disagree[0]) {
			size_t n = strlen(disagree);

			snprintf(disagree + n, sizeof(disagree) - n,
				 "but the latency curve reaches memory (%.0f ns) "
				 "past %s: sizes use the measured %s",
				 measured.memory_ns,
				 fmt_bytes(b, sizeof(b), llc),
				 fmt_bytes(c, sizeof(c), llc));
		}
		return;
	}
	if (have_measured && measured.npoints) {
		/* Still in cache at the top: the figure below is a floor. */
		uint64_t top = measured.points[measured.npoints - 1].bytes;

		llc = fallback > top ? fallback : top;
		snprintf(llc_src, sizeof(llc_src), "%s (%s)",
			 fallback > top ? fsrc : "measured top of the curve",
			 measured.note);
		snprintf(disagree, sizeof(disagree), "not checked: %s",
			 measured.note);
		return;
	}
	if (fallback) {
		llc = fallback;
		snprintf(llc_src, sizeof(llc_src), "%s (not measured%s%s)", fsrc,
			 measured.note[0] ? ": " : "", measured.note);
		return;
	}
	llc = 64ULL << 20;
	snprintf(llc_src, sizeof(llc_src), "assumed: no cache reported or "
		 "measured%s%s", measured.note[0] ? ": " : "", measured.note);
}

static void measure(void)
{
	if (!have_measured) {
		if (!calib_measure_caches(&measured, 0))
			have_measured = 1;
	}
	decide();
}

int topo_load_caches(const char *path, char *err, size_t len)
{
	struct calib_caches c;

	if (calib_caches_read(path, &c, err, len))
		return -1;
	topo_set_caches(&c);
	snprintf(caches_file, sizeof(caches_file), "%s", path);
	return 0;
}

void topo_set_caches(const struct calib_caches *c)
{
	measured = *c;
	have_measured = 1;
	caches_file[0] = '\0';
}

uint64_t topo_llc_size(void)
{
	pthread_once(&measure_once, measure);
	return llc;
}

const char *topo_llc_source(void)
{
	if (!llc && !have_measured)
		return "not measured: no case asked for the last-level size";
	topo_llc_size();
	return llc_src;
}

const struct calib_caches *topo_measured_caches(void)
{
	return have_measured ? &measured : NULL;
}

const char *topo_cache_disagreement(void)
{
	if (!have_measured)
		return "";
	topo_llc_size();
	return disagree;
}

unsigned topo_line_size(void)
{
	hwloc_obj_t o = cache_obj(1);
	long ls;

	if (o && o->attr && o->attr->cache.linesize)
		return o->attr->cache.linesize;
	ls = sysconf(_SC_LEVEL1_DCACHE_LINESIZE);
	return ls > 0 ? (unsigned)ls : 64;
}

const char *topo_cpu_model(void)
{
	const char *m = NULL;
	hwloc_obj_t pkg;

	if (model[0])
		return model;
	topo_init();
	if (topo_ok) {
		pkg = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, 0);
		if (pkg)
			m = hwloc_obj_get_info_by_name(pkg, "CPUModel");
	}
	if (m) {
		snprintf(model, sizeof(model), "%s", m);
	} else {
		FILE *f = fopen("/proc/cpuinfo", "r");
		char line[512];

		snprintf(model, sizeof(model), "unknown");
		while (f && fgets(line, sizeof(line), f)) {
			char *c = strchr(line, ':');

			if (!strncmp(line, "model name", 10) && c) {
				snprintf(model, sizeof(model), "%s", c + 2);
				model[strcspn(model, "\n")] = '\0';
				break;
			}
		}
		if (f)
			fclose(f);
	}
	return model;
}

const char *topo_cache_summary(void)
{
	static const hwloc_obj_type_t types[] = {
		HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE,
		HWLOC_OBJ_L4CACHE, HWLOC_OBJ_L5CACHE,
	};
	size_t len = 0;

	if (summary[0])
		return summary;
	for (int l = 1; l <= TOPO_MAX_LEVELS; l++) {
		hwloc_obj_t o = cache_obj(l);
		char sz[32];

		if (!o)
			continue;
		fmt_bytes(sz, sizeof(sz), o->attr->cache.size);
		len += snprintf(summary + len, sizeof(summary) - len,
				"%sL%d%s %s/%uB (x%d)", len ? ", " : "", l,
				o->attr->cache.type == HWLOC_OBJ_CACHE_DATA ?
					"d" : "",
				sz, o->attr->cache.linesize,
				count_type(types[l - 1]));
		if (len >= sizeof(summary))
			break;
	}
	if (!summary[0])
		snprintf(summary, sizeof(summary), "no caches reported");
	return summary;
}

uint64_t topo_total_memory(void)
{
	hwloc_obj_t root;

	topo_init();
	if (!topo_ok)
		return 0;
	root = hwloc_get_root_obj(topo);
	return root ? root->total_memory : 0;
}

/*
 * The CPUs this process may run on, read once before the harness pins
 * anything: what it inherited (taskset, a cgroup cpuset, a container's
 * limit), within what hwloc allows. Pinning chooses inside this set and
 * unpinning returns to it, so a process started on CPU 1 never widens
 * itself to CPUs 0-1.
 */
static pthread_once_t allowed_once = PTHREAD_ONCE_INIT;
static hwloc_bitmap_t allowed;

static void allowed_load(void)
{
	cpu_set_t cs;

	topo_init();
	allowed = hwloc_bitmap_alloc();
	if (!allowed)
		die("cannot allocate a CPU set");
	if (topo_ok &&
	    !hwloc_get_cpubind(topo, allowed, HWLOC_CPUBIND_THREAD)) {
		hwloc_bitmap_and(allowed, allowed,
				 hwloc_topology_get_allowed_cpuset(topo));
		if (!hwloc_bitmap_iszero(allowed))
			return;
	}
	/* No hwloc: the kernel's own view of the thread's affinity. */
	hwloc_bitmap_zero(allowed);
	if (!sched_getaffinity(0, sizeof(cs), &cs))
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &cs))
				hwloc_bitmap_set(allowed, (unsigned)c);
}

static hwloc_const_bitmap_t allowed_set(void)
{
	pthread_once(&allowed_once, allowed_load);
	return allowed;
}

int topo_cpus_allowed(char *buf, size_t len)
{
	hwloc_const_bitmap_t a = allowed_set();

	hwloc_bitmap_list_snprintf(buf, len, a);
	return hwloc_bitmap_weight(a);
}

int topo_cpu_allowed(int cpu)
{
	return cpu >= 0 && hwloc_bitmap_isset(allowed_set(), (unsigned)cpu);
}

static int bind_to(hwloc_const_bitmap_t set)
{
	cpu_set_t cs;
	int c;

	if (topo_ok)
		return hwloc_set_cpubind(topo, set, HWLOC_CPUBIND_THREAD);
	CPU_ZERO(&cs);
	hwloc_bitmap_foreach_begin(c, set)
		if (c < CPU_SETSIZE)
			CPU_SET(c, &cs);
	hwloc_bitmap_foreach_end();
	return sched_setaffinity(0, sizeof(cs), &cs);
}

int topo_pin_thread(int idx)
{
	hwloc_const_bitmap_t a = allowed_set();
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	hwloc_obj_t core = NULL;
	int n = 0, k, rc;

	if (!set) {
		errno = ENOMEM;
		return -1;
	}
	/* Cores with at least one allowed processing unit, in order. */
	if (topo_ok)
		while ((core = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_CORE,
							  core)))
			n += hwloc_bitmap_intersects(core->cpuset, a);
	if (n) {
		k = idx % n;
		while ((core = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_CORE,
							  core)))
			if (hwloc_bitmap_intersects(core->cpuset, a) && !k--)
				break;
		hwloc_bitmap_and(set, core->cpuset, a);
	} else {
		/* No cores in the topology: the idx-th allowed CPU. */
		int w = hwloc_bitmap_weight(a), c = -1;

		if (w <= 0) {
			hwloc_bitmap_free(set);
			errno = ENOENT;
			return -1;
		}
		for (k = idx % w; k >= 0; k--)
			c = hwloc_bitmap_next(a, c);
		hwloc_bitmap_only(set, (unsigned)c);
	}
	hwloc_bitmap_singlify(set);	/* one hardware thread of the core */
	rc = bind_to(set);
	hwloc_bitmap_free(set);
	return rc;
}

int topo_pin_cpu(int cpu)
{
	hwloc_bitmap_t set;
	int rc;

	if (!topo_cpu_allowed(cpu)) {
		errno = EINVAL;
		return -1;
	}
	set = hwloc_bitmap_alloc();
	if (!set) {
		errno = ENOMEM;
		return -1;
	}
	hwloc_bitmap_only(set, (unsigned)cpu);
	rc = bind_to(set);
	hwloc_bitmap_free(set);
	return rc;
}

int topo_unpin_thread(void)
{
	return bind_to(allowed_set());
}

int topo_current_cpu(void)
{
	return sched_getcpu();
}

uint64_t topo_mem_budget(void)
{
	uint64_t avail = mem_available();

	return avail ? avail / 4 : (uint64_t)1 << 30;
}

int topo_sweep(int64_t *out, int max, uint64_t lo, uint64_t hi,
	       int points_per_octave, uint64_t align)
{
	uint64_t cap = topo_mem_budget();
	int n = 0;

	if (points_per_octave < 1)
		points_per_octave = 1;
	if (!align)
		align = 1;
	if (hi > cap)
		hi = cap;
	if (lo < align)
		lo = align;
	for (uint64_t base = lo; base <= hi && n < max; base *= 2) {
		for (int k = 0; k < points_per_octave && n < max; k++) {
			/* Points at 2^(k/ppo) within the octave, exact for k=0. */
			static const double f[4][4] = {
				{ 1 }, { 1, 1.5 }, { 1, 4.0 / 3, 5.0 / 3 },
				{ 1, 1.25, 1.5, 1.75 },
			};
			int ppo = points_per_octave > 4 ? 4 : points_per_octave;
			uint64_t v = (uint64_t)((double)base * f[ppo - 1][k]);

			v = v / align * align;
			if (v < lo || v > hi)
				continue;
			if (n && (uint64_t)out[n - 1] >= v)
				continue;
			out[n++] = (int64_t)v;
		}
	}
	/* The sweep ends at its upper bound, whatever the step. */
	hi = hi / align * align;
	if (n && n < max && (uint64_t)out[n - 1] < hi && hi >= lo)
		out[n++] = (int64_t)hi;
	return n;
}

uint64_t topo_ws_top(int llc_mult)
{
	uint64_t hi = topo_llc_size() * (uint64_t)(llc_mult > 0 ? llc_mult : 4);
	uint64_t cap = topo_mem_budget();

	if (hi > cap)
		hi = cap;
	hi = hi / 4096 * 4096;
	return hi ? hi : 4096;
}

int topo_ws_points(int64_t *out, int max, int profile, uint64_t lo,
		   uint64_t top)
{
	uint64_t p = 4096;
	int n = 0;

	if (profile == BENCH_PROFILE_TEST) {
		if (max < 2)
			return 0;
		out[0] = 4 << 10;
		out[1] = 64 << 10;
		return 2;
	}
	while (p * 2 <= lo)
		p *= 2;
	for (; p < top && n < max; p *= 2) {
		out[n++] = (int64_t)p;
		if (profile == BENCH_PROFILE_FULL && p + p / 2 < top && n < max)
			out[n++] = (int64_t)(p + p / 2);
	}
	if (n < max && top)
		out[n++] = (int64_t)top;
	return n;
}

int topo_ws_sizes_from(int64_t *out, int max, int profile, uint64_t lo,
		       int max_llc_mult)
{
	/* The test profile's sizes are fixed: no measuring for them. */
	if (profile == BENCH_PROFILE_TEST)
		return topo_ws_points(out, max, profile, lo, 0);
	return topo_ws_points(out, max, profile, lo,
			      topo_ws_top(max_llc_mult));
}

int topo_ws_sizes(int64_t *out, int max, int profile, int max_llc_mult)
{
	uint64_t l1 = topo_cache_size(1);

	return topo_ws_sizes_from(out, max, profile, (l1 ? l1 : 32 << 10) / 2,
				  max_llc_mult);
}
