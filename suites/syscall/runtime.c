/*
 * runtime.c - how many system calls the same small task costs in C, in
 * Python and in JavaScript, and how much of it is start-up.
 *
 * Isolates the syscalls of a program run as a child process: the task is
 * reading one 1 MiB text file and printing its count of newlines. C does
 * it four ways (stdio getc, read with a 4 KiB buffer, read with a 1 MiB
 * buffer, mmap) in a re-run of this very binary; python3, node and bun do
 * it idiomatically (read the whole file, count) where they are on PATH,
 * and are skipped with that reason where not. Each program has an empty
 * twin (the same interpreter and flags, no code): its figures are the
 * start-up, reported as their own benchmark, and subtracted.
 *
 * How the figures are made:
 *  - syscalls: a raw_syscalls:sys_enter counter opened with inherit, so
 *    the child, its threads and its children are counted as they exit,
 *    less what this thread did meanwhile (spawn and wait), counted on a
 *    second, non-inherited counter. Exact, no strace.
 *  - time: spawn to reap (manual time), on a second run of the same
 *    program with no counter open: an open raw_syscalls perf event slows
 *    every system call on the machine (crossing.c).
 *  - task_syscalls and task_ns (on each task row): each iteration runs the
 *    empty twin and then the task, back to back, timed; the first
 *    iteration of each run also runs the pair counted. task_ns is the
 *    task's mean time less the twin's over the same iterations, so drift
 *    between iterations cancels; task_syscalls the task's count less the
 *    twin's. empty_syscalls and empty_ns are the twin's figures.
 *
 * The C programs are this benchmark binary re-executed with SC_TASK_ARG:
 * it links libstdc++, libcrypto, hwloc and PAPI, so its start-up is that
 * of a C++ program with those libraries, larger than a minimal C
 * program's; the task figures are what C itself costs.
 *
 * Run just this:  build/O2/bench_syscall --benchmark_filter=runtime
 *
 * Healthy figures (2-vCPU KVM guest, AMD EPYC Zen 5, kernel 6.18): this
 * binary starts with 255 syscalls in about 5 ms; the read loop with
 * 4 KiB adds 260 (one per 4 KiB, then open, close and the print), with
 * 1 MiB 5; python3 3.11 (pyenv) starts with about 1300 in 35 ms and its
 * task adds 13; node 20 starts with about 800 in 65 ms and adds 60-76.
 */
#define _GNU_SOURCE
#include "counters.h"
#include "gbshim.h"
#include "syscall.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define TASK_FILE_SIZE (1u << 20)

/* ---- the task in C (the tests count these calls exactly) ---- */

long sc_task_stdio(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = 0;
	int c;

	if (!f)
		return -1;
	while ((c = getc_unlocked(f)) != EOF)
		n += c == '\n';
	if (ferror(f))
		n = -1;
	fclose(f);
	return n;
}

static long count_newlines(const char *p, size_t len)
{
	const char *end = p + len;
	long n = 0;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

long sc_task_read(const char *path, char *buf, size_t bufsize)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long n = 0;
	ssize_t r;

	if (fd < 0)
		return -1;
	while ((r = read(fd, buf, bufsize)) > 0)
		n += count_newlines(buf, (size_t)r);
	if (r < 0)
		n = -1;
	close(fd);
	return n;
}

long sc_task_mmap(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	long n = -1;
	void *p;

	if (fd < 0)
		return -1;
	if (fstat(fd, &sb))
		goto out;
	if (sb.st_size == 0) {
		n = 0;
		goto out;
	}
	p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		goto out;
	n = count_newlines(p, (size_t)sb.st_size);
	munmap(p, (size_t)sb.st_size);
out:
	close(fd);
	return n;
}

/*
 * The C programs: this binary started as "bench_syscall --syscall_task=X
 * FILE" runs task X here, before main and before any benchmark is
 * registered, prints the count and exits. glibc passes argc and argv to
 * an executable's constructors; priority 101 runs before the others.
 */
__attribute__((constructor(101))) static void task_child(int argc,
							 char **argv)
{
	static char buf[1 << 20];	/* bss: no system call to get it */
	const size_t plen = strlen(SC_TASK_ARG);
	char out[32];
	const char *v;
	long n = -1;
	int len;

	if (argc < 2 || strncmp(argv[1], SC_TASK_ARG, plen))
		return;
	v = argv[1] + plen;
	if (!strcmp(v, "empty"))
		_exit(0);
	if (argc < 3)
		_exit(2);
	if (!strcmp(v, "stdio"))
		n = sc_task_stdio(argv[2]);
	else if (!strcmp(v, "read_4k"))
		n = sc_task_read(argv[2], buf, 4096);
	else if (!strcmp(v, "read_1m"))
		n = sc_task_read(argv[2], buf, sizeof(buf));
	else if (!strcmp(v, "mmap"))
		n = sc_task_mmap(argv[2]);
	if (n < 0)
		_exit(1);
	len = snprintf(out, sizeof(out), "%ld\n", n);
	_exit(write(1, out, (size_t)len) == len ? 0 : 1);
}

/* ---- child processes ---- */

int sc_out_open(struct sc_child_out *o)
{
	o->text[0] = 0;
	o->fd = memfd_create("syscall-child-out", MFD_CLOEXEC);
	return o->fd < 0 ? -1 : 0;
}

void sc_out_close(struct sc_child_out *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
}

/*
 * Both counters are on around spawn and wait; the inherited one sees the
 * child and this thread, the other this thread alone. Nested as they are
 * (this thread's counter enabled first, disabled last), the outer one
 * also sees the two ioctls that switch the inner one on and off, less
 * the one it subtracts itself: child = all - self + NESTED_IOCTLS.
 */
#define NESTED_IOCTLS 2

int sc_spawn(char *const argv[], struct sc_child_out *o, double *syscalls,
	     uint64_t *ns)
{
	struct ctr_set *self = NULL, *all = NULL;
	posix_spawn_file_actions_t fa;
	int rc, status = -1, err = 0;
	uint64_t t0, t1;
	ssize_t got;
	pid_t pid;

	if (ftruncate(o->fd, 0) || lseek(o->fd, 0, SEEK_SET))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, o->fd, 1);
	posix_spawn_file_actions_adddup2(&fa, o->fd, 2);
	if (syscalls) {
		self = ctr_open("syscalls", 0);
		all = ctr_open("syscalls", CTR_INHERIT);
	}

	ctr_enable(self);
	ctr_enable(all);
	t0 = bench_now_ns();
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	if (!rc)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	t1 = bench_now_ns();
	ctr_disable(all);
	ctr_disable(self);

	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		err = rc;
		status = -1;
	}
	if (syscalls) {
		*syscalls = -1;
		if (ctr_count(all) == 1 && ctr_count(self) == 1)
			*syscalls = ctr_value(all, 0) - ctr_value(self, 0) +
				    NESTED_IOCTLS;
		ctr_close(all);
		ctr_close(self);
	}
	if (ns)
		*ns = t1 - t0;
	got = pread(o->fd, o->text, sizeof(o->text) - 1, 0);
	o->text[got > 0 ? got : 0] = 0;
	errno = err;
	return status;
}

/* ---- cases ---- */

/*
 * Where a runtime lives, found once and shared by its rows, and the
 * syscalls of its empty program, counted once and shared likewise.
 */
struct found {
	int done, ok;
	char exe[PATH_MAX];
	char version[64];
	char why[600];		/* the skip, when not ok */
	double empty_sc;
	int empty_counted;
};

struct runtime {
	const char *name;	/* on PATH; NULL: this binary */
	const char *flag;	/* how code is given on the command line */
	const char *whoami;	/* prints the real executable and version */
	struct found *found;
};

struct prog {
	const struct runtime *rt;
	const char *task;	/* the program text, or C's SC_TASK_ARG variant */
	int empty;		/* the empty twin alone */
};

static struct found found_c, found_python, found_node, found_bun;

static const struct runtime rt_c = { .name = NULL, .found = &found_c };

static const struct runtime rt_python = {
	.name = "python3", .flag = "-c",
	.whoami = "import sys; print(sys.executable); "
		  "print(sys.version.split()[0])",
	.found = &found_python,
};

/* The idiomatic whole-file read: one read(2) of the file's size. */
#define PY_TASK								\
	"import sys\n"							\
	"with open(sys.argv[1], 'rb') as f:\n"				\
	"    print(f.read().count(b'\\n'))\n"

/* Read by read, as C's 4 KiB loop: unbuffered, one read(2) per call. */
#define PY_TASK_4K							\
	"import sys\n"							\
	"n = 0\n"							\
	"with open(sys.argv[1], 'rb', buffering=0) as f:\n"		\
	"    while b := f.read(4096):\n"					\
	"        n += b.count(b'\\n')\n"					\
	"print(n)\n"

static const struct runtime rt_node = {
	.name = "node", .flag = "-e",
	.whoami = "console.log(process.execPath); console.log(process.version)",
	.found = &found_node,
};

static const struct runtime rt_bun = {
	.name = "bun", .flag = "-e",
	.whoami = "console.log(process.execPath); console.log(Bun.version)",
	.found = &found_bun,
};

#define JS_TASK								\
	"const b = require('fs').readFileSync("				\
	"process.argv[process.argv.length - 1]);\n"			\
	"let n = 0;\n"							\
	"for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1))\n" \
	"\tn++;\n"							\
	"console.log(n);\n"

/* readSync at the current position (null): one read(2) per call. */
#define JS_TASK_4K							\
	"const fs = require('fs');\n"					\
	"const fd = fs.openSync(process.argv[process.argv.length - 1], "	\
	"'r');\n"							\
	"const b = Buffer.alloc(4096);\n"				\
	"let n = 0, r;\n"						\
	"while ((r = fs.readSync(fd, b, 0, 4096, null)) > 0) {\n"	\
	"\tconst s = b.subarray(0, r);\n"				\
	"\tfor (let i = s.indexOf(10); i !== -1; i = s.indexOf(10, i + 1))\n" \
	"\t\tn++;\n"							\
	"}\n"								\
	"fs.closeSync(fd);\n"						\
	"console.log(n);\n"

struct rt {
	const struct prog *p;
	char exe[PATH_MAX];
	char version[64];
	char path[PATH_MAX];	/* the task's file */
	char arg[64];
	char want[32];		/* the task's expected output */
	char *argv_empty[5], *argv_task[5];
	struct sc_child_out out;
	/* one run: syscalls of one counted pair, times summed */
	double task_sc, empty_sc;
	uint64_t task_ns, empty_ns, runs;
	int counted;
};

/* Text lines of 0 to 99 letters, from the run's seed. */
struct text_gen {
	struct rng r;
	unsigned left;		/* letters before the next newline */
	long newlines;
};

static void text_fill(void *buf, size_t len, uint64_t off, void *arg)
{
	struct text_gen *g = arg;
	char *b = buf;

	for (size_t i = 0; i < len; i++) {
		if (!g->left) {
			b[i] = '\n';
			g->newlines++;
			g->left = (unsigned)rng_below(&g->r, 100) + 1;
			continue;
		}
		b[i] = (char)('a' + rng_below(&g->r, 26));
		g->left--;
	}
}

/*
 * Finds the runtime's real executable and version into f, or says in
 * f->why why it cannot run here. Once per runtime: a spawn of node costs
 * tens of milliseconds.
 */
static void rt_find(struct rt *r, struct found *f)
{
	char found[PATH_MAX];
	char *argv[] = { found, (char *)r->p->rt->flag,
			 (char *)r->p->rt->whoami, NULL };
	char *nl, *ver;
	int rc;

	f->done = 1;
	if (!sc_find_on_path(r->p->rt->name, found, sizeof(found))) {
		snprintf(f->why, sizeof(f->why), "%s is not installed (not on "
			 "PATH)", r->p->rt->name);
		return;
	}
	/*
	 * Run the interpreter itself, not a wrapper on PATH (pyenv's shim
	 * is a shell script that would add a shell's start-up to each run).
	 */
	rc = sc_spawn(argv, &r->out, NULL, NULL);
	if (rc != 0) {
		snprintf(f->why, sizeof(f->why), "%.200s does not run (exit status "
			 "%d): %.200s", found, rc, r->out.text);
		return;
	}
	nl = strchr(r->out.text, '\n');
	if (!nl || r->out.text[0] != '/') {
		snprintf(f->why, sizeof(f->why), "%.200s did not say where it "
			 "lives: %.200s", found, r->out.text);
		return;
	}
	*nl = 0;
	ver = nl + 1;
	ver[strcspn(ver, "\n")] = 0;
	snprintf(f->exe, sizeof(f->exe), "%s", r->out.text);
	snprintf(f->version, sizeof(f->version), "%s", ver);
	f->ok = 1;
}

static int rt_whoami(struct bench_state *st, struct rt *r)
{
	struct found *f = r->p->rt->found;

	if (!r->p->rt->name) {
		ssize_t n = readlink("/proc/self/exe", r->exe,
				     sizeof(r->exe) - 1);

		if (n < 0) {
			bench_skip(st, "cannot find this binary: "
				   "/proc/self/exe: %s", strerror(errno));
			return -1;
		}
		r->exe[n] = 0;
		snprintf(r->version, sizeof(r->version), "this binary");
		return 0;
	}
	if (!f->done)
		rt_find(r, f);
	if (!f->ok) {
		bench_skip(st, "%s", f->why);
		return -1;
	}
	snprintf(r->exe, sizeof(r->exe), "%s", f->exe);
	snprintf(r->version, sizeof(r->version), "%s", f->version);
	return 0;
}

static int rt_check(struct bench_state *st, struct rt *r, int rc, int empty)
{
	const char *want = empty ? "" : r->want;

	if (rc == 0 && !strcmp(r->out.text, want))
		return 0;
	bench_fail(st, "%s %s: exit status %d, printed '%.200s', expected "
		   "'%s'", r->exe, empty ? "(empty)" : "(task)", rc,
		   r->out.text, want);
	return -1;
}

/* Spawns one program, counted or timed; -1 after bench_fail(). */
static int rt_one(struct bench_state *st, struct rt *r, int empty,
		  double *sc, uint64_t *ns)
{
	int rc;

	rc = sc_spawn(empty ? r->argv_empty : r->argv_task, &r->out, sc, ns);
	if (rt_check(st, r, rc, empty))
		return -1;
	if (sc && *sc < 0)
		r->counted = 0;
	return 0;
}

static int rt_setup(struct bench_state *st)
{
	const struct prog *p = bench_data(st);
	struct found *f = p->rt->found;
	struct rt *r = xcalloc(1, sizeof(*r));
	struct text_gen g;
	int fd = -1, i = 0;

	r->p = p;
	r->out.fd = -1;
	if (sc_out_open(&r->out)) {
		bench_skip(st, "memfd_create: %s", strerror(errno));
		goto fail;
	}
	if (rt_whoami(st, r))
		goto fail;

	fd = sc_file_named(bench_data_dir(), "runtime", O_WRONLY, r->path,
			   sizeof(r->path));
	rng_seed(&g.r, bench_seed() ^ 0x72756e74696d65ull);
	g.left = 0;
	g.newlines = 0;
	if (fd < 0 || sc_file_fill(fd, TASK_FILE_SIZE, text_fill, &g)) {
		bench_skip(st, "cannot create the task's file in %s (%s): %s",
			   bench_data_dir(), sc_data_fs(), strerror(errno));
		goto fail;
	}
	close(fd);
	fd = -1;
	snprintf(r->want, sizeof(r->want), "%ld\n", g.newlines);

	r->argv_empty[i] = r->argv_task[i] = r->exe;
	i++;
	if (p->rt->name) {
		r->argv_empty[i] = (char *)p->rt->flag;
		r->argv_task[i] = (char *)p->rt->flag;
		i++;
		r->argv_empty[i] = "";
		r->argv_task[i] = (char *)(p->task ? p->task : "");
	} else {
		snprintf(r->arg, sizeof(r->arg), "%s%s", SC_TASK_ARG,
			 p->task ? p->task : "empty");
		r->argv_empty[i] = SC_TASK_ARG "empty";
		r->argv_task[i] = r->arg;
	}
	i++;
	r->argv_empty[i] = r->argv_task[i] = r->path;

	/*
	 * Once each, untimed and counted: the counts every repetition
	 * reports (a program's syscalls barely vary from run to run, and
	 * each spawn of an interpreter costs tens of milliseconds), a check
	 * of what it prints, and the program's files into the page cache.
	 * The empty twin is the same program for every row of a runtime:
	 * counted once, by whichever row comes first.
	 */
	r->counted = 1;
	if (!p->empty && !f->empty_counted) {
		if (rt_one(st, r, 1, &f->empty_sc, NULL))
			goto fail;
		f->empty_counted = r->counted;
	}
	if (rt_one(st, r, p->empty, &r->task_sc, NULL))
		goto fail;
	if (p->empty && r->counted) {
		f->empty_sc = r->task_sc;
		f->empty_counted = 1;
	}
	r->empty_sc = f->empty_sc;
	if (!p->empty && !f->empty_counted)
		r->counted = 0;
	bench_set_priv(st, r);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	if (r->path[0])
		sc_file_remove(r->path);
	sc_out_close(&r->out);
	free(r);
	return -1;
}

static void rt_teardown(struct bench_state *st)
{
	struct rt *r = bench_priv(st);

	sc_file_remove(r->path);
	sc_out_close(&r->out);
	free(r);
}

/*
 * Each iteration runs the program (on a task row, its empty twin first,
 * then the program) timed, with no counter open: an open raw_syscalls
 * perf event slows every system call the child makes (crossing.c) and
 * would tax the programs that make many. The counts are set-up's.
 */
static void rt_run(struct bench_state *st)
{
	struct rt *r = bench_priv(st);
	const int twin = !r->p->empty;
	int failed = 0;

	r->task_ns = r->empty_ns = 0;
	r->runs = 0;
	while (bench_keep_running(st)) {
		uint64_t ns = 1000, ens = 0;

		if (!failed)
			failed = (twin && rt_one(st, r, 1, NULL, &ens)) ||
				 rt_one(st, r, r->p->empty, NULL, &ns);
		r->runs++;
		r->task_ns += ns;
		r->empty_ns += ens;
		/* The program's own time (the twin's is a counter). */
		bench_set_iteration_time(st, (double)ns * 1e-9);
	}
	if (failed)
		return;
	if (r->counted)
		bench_counter(st, "syscalls", r->task_sc, BENCH_CTR_TOTAL);
	if (twin) {
		if (r->counted) {
			bench_counter(st, "empty_syscalls", r->empty_sc,
				      BENCH_CTR_TOTAL);
			bench_counter(st, "task_syscalls",
				      r->task_sc - r->empty_sc,
				      BENCH_CTR_TOTAL);
		}
		bench_counter(st, "empty_ns", (double)r->empty_ns,
			      BENCH_CTR_PER_ITER);
		bench_counter(st, "task_ns",
			      (double)r->task_ns - (double)r->empty_ns,
			      BENCH_CTR_PER_ITER);
	}
	bench_label(st, "%s %s (%s)%s%s", r->p->rt->name ? r->p->rt->name : "C",
		    r->version, r->exe,
		    twin ? "; task_* = program - empty twin" : "",
		    r->counted ? "" : "; syscalls not counted: "
				      "raw_syscalls tracepoint unavailable");
}

#define PROG(rt_, task_, empty_) (&(const struct prog){ .rt = (rt_), \
	.task = (task_), .empty = (empty_) })

/*
 * One iteration (a program, or a program and its twin) per repetition:
 * a start-up is milliseconds (C) to tens of milliseconds (node), already
 * far above the clock's resolution, and the repetitions and rounds give
 * the spread.
 */
#define RT_COMMON							\
	.setup = rt_setup, .run = rt_run, .teardown = rt_teardown,	\
	.flags = BENCH_MANUAL_TIME | BENCH_NO_PIN, .unit = BENCH_UNIT_MS, \
	.iterations = 1

static const struct bench_case cases[] = {
	{
		.name = "runtime/c/empty",
		.desc = "this binary started with nothing to do: C start-up",
		.data = PROG(&rt_c, NULL, 1), RT_COMMON,
	},
	{
		.name = "runtime/c/stdio",
		.desc = "C: fopen and getc_unlocked to the end",
		.data = PROG(&rt_c, "stdio", 0), RT_COMMON,
	},
	{
		.name = "runtime/c/read_4k",
		.desc = "C: read(2) loop with a 4 KiB buffer",
		.data = PROG(&rt_c, "read_4k", 0), RT_COMMON,
	},
	{
		.name = "runtime/c/read_1m",
		.desc = "C: read(2) loop with a 1 MiB buffer: the whole file in "
			"one call, as the runtimes' whole-file reads",
		.data = PROG(&rt_c, "read_1m", 0), RT_COMMON,
	},
	{
		.name = "runtime/c/mmap",
		.desc = "C: mmap the file and scan it",
		.data = PROG(&rt_c, "mmap", 0), RT_COMMON,
	},
	{
		.name = "runtime/python3/empty",
		.desc = "python3 -c '': interpreter start-up",
		.data = PROG(&rt_python, NULL, 1), RT_COMMON,
	},
	{
		.name = "runtime/python3/read",
		.desc = "python3: open(...).read().count(b'\\n')",
		.data = PROG(&rt_python, PY_TASK, 0), RT_COMMON,
	},
	{
		.name = "runtime/python3/read_4k",
		.desc = "python3: unbuffered f.read(4096) loop, as C's read_4k",
		.data = PROG(&rt_python, PY_TASK_4K, 0), RT_COMMON,
	},
	{
		.name = "runtime/node/empty",
		.desc = "node -e '': runtime start-up",
		.data = PROG(&rt_node, NULL, 1), RT_COMMON,
	},
	{
		.name = "runtime/node/read",
		.desc = "node: fs.readFileSync and indexOf",
		.data = PROG(&rt_node, JS_TASK, 0), RT_COMMON,
	},
	{
		.name = "runtime/node/read_4k",
		.desc = "node: fs.readSync loop with a 4 KiB buffer, as C's "
			"read_4k",
		.data = PROG(&rt_node, JS_TASK_4K, 0), RT_COMMON,
	},
	{
		.name = "runtime/bun/empty",
		.desc = "bun -e '': runtime start-up",
		.data = PROG(&rt_bun, NULL, 1), RT_COMMON,
	},
	{
		.name = "runtime/bun/read",
		.desc = "bun: fs.readFileSync and indexOf",
		.data = PROG(&rt_bun, JS_TASK, 0), RT_COMMON,
	},
	{
		.name = "runtime/bun/read_4k",
		.desc = "bun: fs.readSync loop with a 4 KiB buffer, as C's "
			"read_4k",
		.data = PROG(&rt_bun, JS_TASK_4K, 0), RT_COMMON,
	},
};
BENCH_FAMILY(cases);
