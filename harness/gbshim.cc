/*
 * gbshim.cc - the only C++ in the project: registers the suites' C case
 * tables with Google Benchmark and implements gbshim.h over its State.
 *
 * Every case at every argument becomes one registered benchmark (an
 * "instance") named suite/family/case/arg:value by us, not by Google
 * Benchmark, so names stay stable and readable ("size:64MiB").
 *
 * The run loop is Google Benchmark's own KeepRunningBatch: the first call
 * takes all max_iterations at once (starting the clock), the next finishes
 * (stopping it). The batched form therefore costs what a native
 * `for (auto _ : state)` loop costs; the per-iteration form adds one call.
 */
#include "gbshim.h"
#include "args.h"
#include "context.h"
#include "counters.h"
#include "guard.h"
#include "hist.h"
#include "topo.h"
#include "util.h"

#include <benchmark/benchmark.h>
#include <jansson.h>

#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <set>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

struct instance {
	const bench_family *f;
	const bench_case *c;
	int64_t arg;
	bool has_arg;
	std::string name;
	int threads;

	/* Shared by the threads of a run; written by thread 0 only. */
	void *priv = nullptr;
	bool set_up = false;
	bool setup_failed = false;
	std::string setup_msg;		/* the skip or failure, for every run */
	pthread_barrier_t barrier;
	std::vector<hist *> hists;	/* one per thread, BENCH_HIST only */

	/*
	 * The syscall tracepoint, while it exists, sends every system call
	 * on the machine through the slow tracing path (on one machine a
	 * getppid went from 135 to 257 ns). So syscalls are never counted in
	 * a timed run: a separate untimed pass of the same loop counts them
	 * once per set-up, and every timed run reports that figure.
	 */
	std::string timed_counters;	/* .counters less "syscalls" */
	bool count_syscalls = false;
	bool counted = false;
	uint64_t count_n = 0;		/* iterations of the counting pass */
	std::vector<double> syscalls;	/* per iteration, per thread */
	std::string count_missing;	/* why syscalls are not counted */
	std::atomic<bool> count_failed{ false };	/* any thread's pass */
};

bench_family *families;
std::vector<std::unique_ptr<instance>> instances;
instance *current;		/* the instance whose setup is live */
std::atomic<int> failures{ 0 };
std::string native_name, native_suite;	/* the native reference loop */

enum bench_profile profile = BENCH_PROFILE_QUICK;
int pinning = 1;
std::vector<int> cpu_list;	/* --bench_cpu: thread i on cpu_list[i % n] */
bool user_min_time;		/* --benchmark_min_time was given */
uint64_t seed = 1;
std::string data_dir = ".";

std::string vfmt(const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	return buf;
}

/*
 * bench_register_native_reference's request, for register_all. Plain
 * data, initialised before any constructor runs: the request comes from
 * a suite's constructor, which may run before this file's own.
 */
struct {
	const char *suite;
	int repetitions;
	double min_time;
} native_ref;

/*
 * A case's seconds per repetition, given for the quick profile: scaled as
 * the profile's default is (full 10x; test keeps its own), and never
 * over a --benchmark_min_time from the command line.
 */
void set_min_time(benchmark::internal::Benchmark *b, double quick)
{
	if (quick > 0 && !user_min_time && profile != BENCH_PROFILE_TEST)
		b->MinTime(profile == BENCH_PROFILE_FULL ? quick * 10 : quick);
}

/*
 * Thread tid of a benchmark onto its CPU: --bench_cpu's list if given,
 * else core tid of the allowed ones. Never outside the CPUs the process
 * inherited (topo.h).
 */
void pin_thread(int tid)
{
	if (!cpu_list.empty())
		topo_pin_cpu(cpu_list[(size_t)tid % cpu_list.size()]);
	else
		topo_pin_thread(tid);
}

/*
 * One thread's guard data (guard.h) as plain counters of this run: Google
 * Benchmark sums them over the threads, so they are totals; guard_cpu
 * comes from thread 0 alone. Absent, never 0, where unknown.
 */
void report_guard(benchmark::State &gs, const guard *g, int tid)
{
	if (gs.error_occurred() || !g->valid)
		return;
	if (g->vol_cs >= 0)
		gs.counters["guard_vol_cs"] = g->vol_cs;
	if (g->invol_cs >= 0)
		gs.counters["guard_invol_cs"] = g->invol_cs;
	if (g->migrations >= 0)
		gs.counters["guard_migrations"] = g->migrations;
	if (tid == 0 && g->cpu >= 0)
		gs.counters["guard_cpu"] = g->cpu;
}

/* Whether the case's threads were pinned: a pinned thread never moves. */
void report_pinned(benchmark::State &gs, bool pinned)
{
	if (!gs.error_occurred())
		gs.counters["guard_pinned"] = benchmark::Counter(
			pinned ? 1 : 0, benchmark::Counter::kAvgThreads);
}

} // namespace

struct bench_state {
	benchmark::State *gs;
	instance *in;
	int tid;
	int phase;		/* 0 before the loop, 1 in it, 2 after */
	uint64_t remaining;	/* per-iteration form */
	ctr_set *ctrs;
	hist *h;
	std::string label;
	std::string notes;	/* appended to the label: missing counters */
	std::string error;	/* the first skip or failure, as recorded */
	guard g;		/* switches and migrations around the clock */

	/* The untimed counting pass: Google Benchmark's state is not used. */
	bool counting;
	uint64_t count_n;
};

extern "C" {

void bench_register_family(struct bench_family *f)
{
	/* Append, so registration order follows link order. */
	struct bench_family **p = &families;

	while (*p)
		p = &(*p)->next;
	f->next = nullptr;
	*p = f;
}

int64_t bench_arg(const struct bench_state *st)
{
	return st->in->arg;
}

const void *bench_data(const struct bench_state *st)
{
	return st->in->c->data;
}

int64_t bench_param(const struct bench_state *st)
{
	return st->in->c->param;
}

const char *bench_name(const struct bench_state *st)
{
	return st->in->name.c_str();
}

void *bench_priv(const struct bench_state *st)
{
	return st->in->priv;
}

void bench_set_priv(struct bench_state *st, void *priv)
{
	st->in->priv = priv;
}

int bench_thread_index(const struct bench_state *st)
{
	return st->tid;
}

int bench_threads(const struct bench_state *st)
{
	return st->in->threads;
}

void bench_thread_barrier(struct bench_state *st)
{
	if (st->in->threads > 1)
		pthread_barrier_wait(&st->in->barrier);
}

uint64_t bench_max_iterations(const struct bench_state *st)
{
	return st->counting ? st->count_n : (uint64_t)st->gs->max_iterations;
}

uint64_t bench_iterations(const struct bench_state *st)
{
	return st->counting ? st->count_n : (uint64_t)st->gs->iterations();
}

static void loop_started(struct bench_state *st)
{
	st->phase = 1;
	/* After the clock started: the counters see the loop only. */
	ctr_enable(st->ctrs);
}

static void loop_finish(struct bench_state *st)
{
	ctr_disable(st->ctrs);
	while (st->gs->KeepRunning())
		;	/* returns false at once: stops the clock */
	guard_end(&st->g);
	st->phase = 2;
}

uint64_t bench_batch(struct bench_state *st)
{
	uint64_t n;

	if (st->counting) {
		if (st->phase == 0 && st->error.empty()) {
			st->phase = 1;
			ctr_enable(st->ctrs);
			return st->count_n;
		}
		if (st->phase == 1)
			ctr_disable(st->ctrs);
		st->phase = 2;
		return 0;
	}
	n = (uint64_t)st->gs->max_iterations;
	if (st->phase == 0) {
		/* Before the clock starts: its cost is not timed. */
		guard_begin(&st->g);
		if (st->gs->KeepRunningBatch((benchmark::IterationCount)n)) {
			loop_started(st);
			return n;
		}
		guard_end(&st->g);
		st->phase = 2;
		return 0;
	}
	if (st->phase == 1)
		loop_finish(st);
	return 0;
}

static __attribute__((noinline)) int keep_running_slow(struct bench_state *st)
{
	uint64_t n = bench_batch(st);

	if (!n)
		return 0;
	st->remaining = n - 1;
	return 1;
}

int bench_keep_running(struct bench_state *st)
{
	if (__builtin_expect(st->remaining != 0, 1)) {
		st->remaining--;
		return 1;
	}
	return keep_running_slow(st);
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void bench_set_iteration_time(struct bench_state *st, double seconds)
{
	if (!st->counting)
		st->gs->SetIterationTime(seconds);
}

void bench_hist_add(struct bench_state *st, uint64_t ns)
{
	if (st->h)
		hist_add(st->h, ns);
}

static benchmark::Counter::Flags ctr_flags(unsigned f)
{
	int g = 0;

	if (f & BENCH_CTR_RATE)
		g |= benchmark::Counter::kIsRate;
	if (f & BENCH_CTR_AVG_THREADS)
		g |= benchmark::Counter::kAvgThreads;
	if (f & BENCH_CTR_PER_ITER)
		g |= benchmark::Counter::kAvgIterations;
	if (f & BENCH_CTR_INVERT)
		g |= benchmark::Counter::kInvert;
	return static_cast<benchmark::Counter::Flags>(g);
}

void bench_counter(struct bench_state *st, const char *name, double value,
		   unsigned flags)
{
	if (st->counting)
		return;
	st->gs->counters[name] = benchmark::Counter(
		value, ctr_flags(flags),
		(flags & BENCH_CTR_1024) ? benchmark::Counter::kIs1024
					 : benchmark::Counter::kIs1000);
}

void bench_set_bytes(struct bench_state *st, int64_t bytes)
{
	if (!st->counting)
		st->gs->SetBytesProcessed(bytes);
}

void bench_set_items(struct bench_state *st, int64_t items)
{
	if (!st->counting)
		st->gs->SetItemsProcessed(items);
}

void bench_label(struct bench_state *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	st->label = vfmt(fmt, ap);
	va_end(ap);
}

static void set_error(struct bench_state *st, const char *kind,
		      const std::string &msg)
{
	std::string m = std::string(kind) + ": " + msg;

	/* The first reason is the one that matters. */
	if (!st->error.empty() || (!st->counting && st->gs->error_occurred()))
		return;
	st->error = m;
	if (!strcmp(kind, "failed")) {
		failures++;
		fprintf(stderr, "%s: %s\n", st->in->name.c_str(), m.c_str());
	}
	if (!st->counting)
		st->gs->SkipWithError(m.c_str());
}

void bench_skip(struct bench_state *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_error(st, "skipped", vfmt(fmt, ap));
	va_end(ap);
}

void bench_fail(struct bench_state *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_error(st, "failed", vfmt(fmt, ap));
	va_end(ap);
}

int bench_counted(const struct bench_state *st, const char *name,
		  double *total)
{
	if (!strcmp(name, "syscalls")) {
		instance *in = st->in;

		if (!in->counted || !in->count_missing.empty())
			return -1;
		*total = in->syscalls[(size_t)st->tid] *
			 (double)bench_iterations(st);
		return 0;
	}
	for (int i = 0; i < ctr_count(st->ctrs); i++) {
		if (!strcmp(ctr_name(st->ctrs, i), name)) {
			*total = ctr_value(st->ctrs, i);
			return 0;
		}
	}
	return -1;
}

void bench_register_native_reference(const char *suite, int repetitions,
				     double min_time)
{
	/* Registered by register_all, once the profile is known. */
	native_ref.suite = suite;
	native_ref.repetitions = repetitions;
	native_ref.min_time = min_time;
}

} // extern "C"

namespace {

void register_native(void)
{
	benchmark::internal::Benchmark *b;
	/*
	 * The same body as the harness suite's C loops: a counter the
	 * compiler must keep (bench_sink), so every form does identical
	 * work per iteration and only the loop machinery differs.
	 */
	std::string name = std::string(native_ref.suite) + "/loop/native";

	native_name = name;
	native_suite = native_ref.suite;
	b = benchmark::RegisterBenchmark(name.c_str(), [](benchmark::State &gs) {
		uint64_t x = 0;
		guard g;

		if (pinning)
			pin_thread(0);
		guard_begin(&g);
		for (auto _ : gs)
			bench_sink(x);
		guard_end(&g);
		if (x != 0)
			gs.SkipWithError("failed: the sink changed its value");
		report_guard(gs, &g, 0);
	});
	if (native_ref.repetitions > 0)
		b->Repetitions(native_ref.repetitions);
	set_min_time(b, native_ref.min_time);
}

} // namespace

extern "C" {

int bench_error_occurred(const struct bench_state *st)
{
	return !st->error.empty() || (!st->counting && st->gs->error_occurred());
}

void bench_context(const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	benchmark::AddCustomContext(key, vfmt(fmt, ap));
	va_end(ap);
}

enum bench_profile bench_profile(void)
{
	return profile;
}

const char *bench_profile_name(void)
{
	static const char *names[] = { "test", "quick", "full" };

	return names[profile];
}

uint64_t bench_seed(void)
{
	return seed;
}

const char *bench_data_dir(void)
{
	return data_dir.c_str();
}

int bench_pinning(void)
{
	return pinning;
}

} // extern "C"

namespace {

/*
 * Teardown of whatever is live; called by thread 0 or at exit only. It
 * may run inside another instance's run, so it gets no Google Benchmark
 * state: a teardown uses bench_priv() and the case's constants only.
 */
void teardown_current(void)
{
	instance *in = current;

	if (!in)
		return;
	current = nullptr;
	if (in->set_up && !in->setup_failed && in->c->teardown) {
		bench_state st{};

		st.in = in;
		in->c->teardown(&st);
	}
	in->set_up = false;
	in->setup_failed = false;
	in->counted = false;
	in->priv = nullptr;
}

void prepare(instance *in, bench_state *st)
{
	if (current != in)
		teardown_current();
	if (in->set_up)
		return;
	current = in;
	in->set_up = true;
	in->setup_failed = false;
	in->setup_msg.clear();
	if (in->c->setup && in->c->setup(st)) {
		in->setup_failed = true;
		if (st->error.empty())
			bench_fail(st, "setup returned an error without a "
				   "reason");
		in->setup_msg = st->error;
	}
}

/*
 * The counting pass (see instance): the case's own run() with a loop of
 * count_n iterations that Google Benchmark does not see, the syscall
 * tracepoint enabled around it. One iteration first, to size a pass of
 * about 10 ms; thread 0 decides, so every thread runs the same passes
 * (a case may wait on bench_thread_barrier inside run()).
 */
void count_pass(instance *in, bench_state *st)
{
	bench_state cs{};
	uint64_t t0 = 0, n = 1;

	cs.in = in;
	cs.tid = st->tid;
	cs.counting = true;
	cs.ctrs = ctr_open("syscalls", 0);
	if (st->tid == 0) {
		in->count_missing = ctr_count(cs.ctrs) ? ""
				    : std::string(ctr_missing(cs.ctrs));
		in->count_failed = false;
	}
	bench_thread_barrier(st);
	for (int pass = 0; pass < 2 && in->count_missing.empty(); pass++) {
		cs.count_n = n;
		cs.phase = 0;
		if (pass == 0)
			t0 = bench_now_ns();
		in->c->run(&cs);
		if (cs.phase == 1)
			ctr_disable(cs.ctrs);
		if (pass == 0 && st->tid == 0) {
			uint64_t dt = bench_now_ns() - t0;

			in->count_n = dt >= 10000000 ? 0 :
				      dt ? 10000000 / dt : 100000;
			if (in->count_n > 100000)
				in->count_n = 100000;
		}
		in->syscalls[(size_t)st->tid] = ctr_value(cs.ctrs, 0) /
						(double)n;
		if (!cs.error.empty())
			in->count_failed = true;
		bench_thread_barrier(st);
		/* Decided after the barrier, so every thread decides alike. */
		n = in->count_n;
		if (n <= 1 || in->count_failed)
			break;
	}
	ctr_close(cs.ctrs);
	if (!cs.error.empty())
		set_error(st, cs.error.substr(0, cs.error.find(':')).c_str(),
			  cs.error.substr(cs.error.find(':') + 2) +
				  " (in the untimed counting pass)");
}

void report_counters(bench_state *st)
{
	std::string missing = ctr_missing(st->ctrs);
	instance *in = st->in;
	int mux = 0;

	if (in->count_syscalls && !in->count_missing.empty())
		missing = in->count_missing +
			  (missing.empty() ? "" : "; " + missing);
	if (!missing.empty())
		st->notes += std::string(st->notes.empty() ? "" : "; ") +
			     "not counted: " + missing;
	if (st->gs->error_occurred())
		return;
	if (in->count_syscalls && in->count_missing.empty() && in->counted)
		st->gs->counters["syscalls"] = benchmark::Counter(
			in->syscalls[(size_t)st->tid],
			benchmark::Counter::kAvgThreads);
	for (int i = 0; i < ctr_count(st->ctrs); i++) {
		/* Per iteration; Google Benchmark sums threads, then divides. */
		st->gs->counters[ctr_name(st->ctrs, i)] = benchmark::Counter(
			ctr_value(st->ctrs, i),
			benchmark::Counter::kAvgIterations);
		mux |= ctr_multiplexed(st->ctrs, i);
	}
	if (mux)
		st->notes += std::string(st->notes.empty() ? "" : "; ") +
			     "counters multiplexed (scaled)";
}

void report_hist(bench_state *st)
{
	instance *in = st->in;
	hist all;

	hist_reset(&all);
	for (hist *h : in->hists)
		hist_merge(&all, h);
	if (st->gs->error_occurred() || !all.count)
		return;
	auto &c = st->gs->counters;
	c["p50_ns"] = (double)hist_quantile(&all, 0.50);
	c["p90_ns"] = (double)hist_quantile(&all, 0.90);
	c["p99_ns"] = (double)hist_quantile(&all, 0.99);
	c["p999_ns"] = (double)hist_quantile(&all, 0.999);
	c["max_ns"] = (double)all.max;
	c["mean_ns"] = hist_mean(&all);
	c["samples"] = (double)all.count;
	if (in->c->flags & BENCH_HIST_DECILES)
		for (int d = 1; d <= 8; d++) {
			char name[16];

			if (d == 5)
				continue;	/* p50_ns, above */
			snprintf(name, sizeof(name), "p%d0_ns", d);
			c[name] = (double)hist_quantile(&all, d / 10.0);
		}
}

void run_instance(benchmark::State &gs, instance *in)
{
	const bench_case *c = in->c;
	bench_state st{};

	st.gs = &gs;
	st.in = in;
	st.tid = gs.thread_index();

	if (pinning && !(c->flags & BENCH_NO_PIN))
		pin_thread(st.tid);
	else
		topo_unpin_thread();

	if (st.tid == 0)
		prepare(in, &st);
	bench_thread_barrier(&st);
	if (in->setup_failed) {
		/* Every run and thread of the instance says why. */
		if (!gs.error_occurred())
			gs.SkipWithError(in->setup_msg.c_str());
		while (gs.KeepRunning())
			;
		return;
	}
	if (in->count_syscalls && !in->counted) {
		count_pass(in, &st);
		bench_thread_barrier(&st);
		if (st.tid == 0)
			in->counted = true;
	}

	st.ctrs = ctr_open(in->timed_counters.c_str(), 0);
	if (c->flags & (BENCH_HIST | BENCH_HIST_DECILES)) {
		st.h = in->hists[(size_t)st.tid];
		hist_reset(st.h);
	}

	c->run(&st);

	if (st.phase != 2) {
		if (st.phase == 0 && !gs.error_occurred())
			bench_fail(&st, "run() returned without running the "
				   "timed loop");
		if (st.phase == 1)
			ctr_disable(st.ctrs);
		while (gs.KeepRunning())
			;
		guard_end(&st.g);
	}
	report_counters(&st);
	report_guard(gs, &st.g, st.tid);
	report_pinned(gs, pinning && !(c->flags & BENCH_NO_PIN));
	bench_thread_barrier(&st);

	if (st.tid == 0) {
		if (st.h)
			report_hist(&st);
		if (c->verify && !gs.error_occurred() && c->verify(&st) &&
		    !gs.error_occurred())
			bench_fail(&st, "verification failed");
		if (c->flags & BENCH_SETUP_EACH_RUN)
			teardown_current();
	}
	ctr_close(st.ctrs);
	if (!st.label.empty() || !st.notes.empty())
		gs.SetLabel(st.label + (st.label.empty() || st.notes.empty()
						? "" : "; ") + st.notes);
}

std::string arg_text(const bench_case *c, int64_t v)
{
	char buf[64];

	if (c->arg_fmt == BENCH_ARG_BYTES && v >= 0)
		fmt_bytes(buf, sizeof(buf), (uint64_t)v);
	else
		snprintf(buf, sizeof(buf), "%" PRId64, v);
	return std::string(c->arg_name ? c->arg_name : "arg") + ":" + buf;
}

std::vector<int64_t> case_args(const bench_case *c)
{
	std::vector<int64_t> v;

	if (c->gen_args) {
		int64_t buf[BENCH_MAX_ARGS];
		int n = c->gen_args(c, buf, BENCH_MAX_ARGS);

		v.assign(buf, buf + (n > 0 ? n : 0));
	} else if (c->nargs) {
		v.assign(c->args, c->args + c->nargs);
	} else if (c->range_mult > 1 && c->range_lo > 0) {
		for (int64_t x = c->range_lo; x <= c->range_hi;
		     x *= c->range_mult) {
			v.push_back(x);
			if (x > INT64_MAX / c->range_mult)
				break;
		}
		if (v.back() != c->range_hi)
			v.push_back(c->range_hi);
	}
	return v;
}

void check_case(const bench_family *f, const bench_case *c)
{
	if (!c->name || !c->run)
		die("%s: a case without a name or run function", f->file);
	if (c->counters) {
		char *list = xstrdup(c->counters), *save = nullptr;

		for (char *t = strtok_r(list, ", ", &save); t;
		     t = strtok_r(nullptr, ", ", &save))
			if (!ctr_known(t))
				die("%s: case %s asks for unknown counter '%s'",
				    f->file, c->name, t);
		free(list);
	}
}

void add_instance(const bench_family *f, const bench_case *c, bool has_arg,
		  int64_t arg, std::set<std::string> &names)
{
	auto in = std::make_unique<instance>();
	benchmark::internal::Benchmark *b;
	instance *raw;

	in->f = f;
	in->c = c;
	in->arg = arg;
	in->has_arg = has_arg;
	in->threads = c->threads > 1 ? c->threads : 1;
	in->name = std::string(f->suite) + "/" + c->name;
	if (has_arg)
		in->name += "/" + arg_text(c, arg);
	if (!names.insert(in->name).second)
		die("%s: benchmark name %s is registered twice", f->file,
		    in->name.c_str());
	pthread_barrier_init(&in->barrier, nullptr, (unsigned)in->threads);
	if (c->counters) {
		char *list = xstrdup(c->counters), *save = nullptr;

		for (char *t = strtok_r(list, ", ", &save); t;
		     t = strtok_r(nullptr, ", ", &save)) {
			if (!strcmp(t, "syscalls"))
				in->count_syscalls = true;
			else
				in->timed_counters += std::string(
					in->timed_counters.empty() ? "" : ",") + t;
		}
		free(list);
	}
	in->syscalls.assign((size_t)in->threads, 0.0);
	if (c->flags & (BENCH_HIST | BENCH_HIST_DECILES))
		for (int t = 0; t < in->threads; t++)
			in->hists.push_back((hist *)xcalloc(1, sizeof(hist)));
	raw = in.get();
	instances.push_back(std::move(in));

	b = benchmark::RegisterBenchmark(
		raw->name.c_str(),
		[raw](benchmark::State &gs) { run_instance(gs, raw); });
	static const benchmark::TimeUnit units[] = {
		benchmark::kNanosecond, benchmark::kMicrosecond,
		benchmark::kMillisecond, benchmark::kSecond,
	};
	b->Unit(units[c->unit]);
	if (raw->threads > 1)
		b->Threads(raw->threads);
	if (c->flags & BENCH_MANUAL_TIME)
		b->UseManualTime();
	else if (c->flags & BENCH_REAL_TIME)
		b->UseRealTime();
	if (c->repetitions > 0)
		b->Repetitions(c->repetitions);
	set_min_time(b, c->min_time);
	if (c->iterations > 0)
		b->Iterations(c->iterations);
}

void register_all(void)
{
	std::set<std::string> names;

	if (native_ref.suite)
		register_native();
	for (const bench_family *f = families; f; f = f->next) {
		for (int i = 0; i < f->ncases; i++) {
			const bench_case *c = &f->cases[i];
			std::vector<int64_t> args;

			check_case(f, c);
			args = case_args(c);
			if (args.empty() && (c->gen_args || c->nargs ||
					     c->range_mult))
				continue;	/* nothing fits this machine */
			if (args.empty())
				add_instance(f, c, false, 0, names);
			for (int64_t a : args)
				add_instance(f, c, true, a, names);
		}
	}
}

void usage_extra(void)
{
	printf("harness options (before Google Benchmark's own):\n"
	       "  --bench_profile=test|quick|full  sizes and times "
	       "(default quick)\n"
	       "  --bench_pin=0|1                  pin benchmark threads "
	       "to cores (default 1)\n"
	       "  --bench_cpu=N[,M...]             pin thread i to the i-th "
	       "CPU listed\n"
	       "  --bench_seed=N                   seed of every input "
	       "(default 1)\n"
	       "  --bench_data_dir=DIR             where benchmarks create "
	       "files (default .)\n"
	       "  --bench_caches=FILE              cache sizes measured by "
	       "tools/calibrate\n"
	       "  --bench_list                     list benchmarks with "
	       "their descriptions\n\n");
}

bool starts(const char *s, const char *prefix, const char **val)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n))
		return false;
	*val = s + n;
	return true;
}

/*
 * Every CPU of --bench_cpu must be one the process may use. 0, or -1
 * after saying why on stderr.
 */
int check_cpu_list(const struct bench_args *a, const char *v)
{
	char allowed[256];

	topo_cpus_allowed(allowed, sizeof(allowed));
	cpu_list.clear();
	for (int i = 0; i < a->ncpus; i++) {
		if (!topo_cpu_allowed(a->cpus[i])) {
			fprintf(stderr, "error: --bench_cpu=%s: CPU %d is not "
				"one this process may run on (allowed: %s)\n",
				v, a->cpus[i], allowed);
			return -1;
		}
		cpu_list.push_back(a->cpus[i]);
	}
	return 0;
}

/* How threads are placed, for the context. */
std::string pinning_text(void)
{
	std::string s;
	char allowed[256];
	int n = topo_cpus_allowed(allowed, sizeof(allowed));

	if (!cpu_list.empty()) {
		s = "thread i on CPU i mod " + std::to_string(cpu_list.size()) +
		    " of --bench_cpu=";
		for (size_t i = 0; i < cpu_list.size(); i++)
			s += (i ? "," : "") + std::to_string(cpu_list[i]);
		return s;
	}
	if (pinning)
		return "thread i on core i mod n of the " + std::to_string(n) +
		       " allowed CPUs (" + allowed + ")";
	return std::string("off: threads may run on any allowed CPU (") +
	       allowed + ")";
}

/*
 * The suite binaries' JSON: Google Benchmark's own JSONReporter writes
 * every entry, field for field (so its compare.py still reads our files),
 * and each entry then gains the structure the shim already holds, so that
 * no later layer has to parse a name back: suite, family, case,
 * description, base_name (the name without Google Benchmark's suffixes),
 * param {name, value} for a case with an argument, timed_on (cpu_time,
 * real_time or manual_time: what Google Benchmark's time is), status (ok,
 * skipped, failed) and reason. Google Benchmark writes into a buffer; each batch of
 * entries is parsed (jansson), extended and written to the real stream at
 * once, so a binary that dies mid-run leaves every finished entry behind.
 *
 * Google Benchmark 1.7.1 also computes the coefficient of variation of a
 * counter that is 0 in every repetition as 0/0 and writes the NaN bare,
 * which is not JSON; the guard counters are 0 in most repetitions. Later
 * versions report 0 there, and so does this reporter.
 */
class json_reporter : public benchmark::JSONReporter {
public:
	bool ReportContext(const Context &ctx) override
	{
		bool ok;

		out_ = &GetOutputStream();
		SetOutputStream(&buf_);
		ok = benchmark::JSONReporter::ReportContext(ctx);
		flush_text();
		return ok;
	}

	void ReportRuns(const std::vector<Run> &runs) override
	{
		std::vector<Run> v(runs);
		std::string text;
		size_t off = 0;

		for (Run &r : v)
			if (r.run_type == Run::RT_Aggregate &&
			    r.aggregate_name == "cv")
				for (auto &c : r.counters)
					if (std::isnan(c.second.value))
						c.second.value = 0;
		benchmark::JSONReporter::ReportRuns(v);
		text = buf_.str();
		buf_.str("");
		for (const Run &r : v) {
			json_t *e = next_entry(text, &off);

			if (!e) {
				/* Not parseable (a bare NaN): as written. */
				*out_ << (any_ ? ",\n" : "") << text.substr(
					text.find_first_not_of(",\n"));
				any_ = true;
				break;
			}
			add_structure(e, r);
			write_entry(e);
			json_decref(e);
		}
		out_->flush();
	}

	void Finalize() override
	{
		benchmark::JSONReporter::Finalize();
		flush_text();
		SetOutputStream(out_);
	}

private:
	std::ostringstream buf_;
	std::ostream *out_ = nullptr;
	bool any_ = false;

	void flush_text(void)
	{
		*out_ << buf_.str();
		buf_.str("");
		out_->flush();
	}

	static json_t *next_entry(const std::string &t, size_t *off)
	{
		json_error_t err;
		json_t *e;

		while (*off < t.size() && strchr(" \t\r\n,", t[*off]))
			(*off)++;
		if (*off >= t.size())
			return nullptr;
		e = json_loadb(t.data() + *off, t.size() - *off,
			       JSON_DISABLE_EOF_CHECK, &err);
		if (e)
			*off += err.position;
		return e;
	}

	void write_entry(json_t *e)
	{
		char *s = json_dumps(e, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		if (!s)
			return;
		*out_ << (any_ ? ",\n" : "") << s;
		any_ = true;
		free(s);
	}

	static void add_structure(json_t *e, const Run &r)
	{
		auto it = by_name.find(r.run_name.function_name);
		const std::string &msg = r.error_message;
		const char *slash;

		if (r.error_occurred) {
			size_t colon = msg.find(": ");
			bool skip = !msg.compare(0, 9, "skipped: ");

			json_object_set_new(e, "status",
					    json_string(skip ? "skipped" : "failed"));
			json_object_set_new(e, "reason", json_string(
				colon != std::string::npos &&
				(skip || !msg.compare(0, 8, "failed: "))
					? msg.c_str() + colon + 2 : msg.c_str()));
		} else {
			json_object_set_new(e, "status", json_string("ok"));
		}
		json_object_set_new(e, "base_name",
				    json_string(r.run_name.function_name.c_str()));
		if (it == by_name.end()) {
			/* The native reference loop is no case of a table. */
			if (r.run_name.function_name == native_name) {
				json_object_set_new(e, "suite",
						    json_string(native_suite.c_str()));
				json_object_set_new(e, "family", json_string("loop"));
				json_object_set_new(e, "case", json_string("native"));
				json_object_set_new(e, "timed_on",
						    json_string("cpu_time"));
			}
			return;
		}
		const instance *in = it->second;
		slash = strchr(in->c->name, '/');
		json_object_set_new(e, "suite", json_string(in->f->suite));
		json_object_set_new(e, "timed_on", json_string(
			in->c->flags & BENCH_MANUAL_TIME ? "manual_time"
			: in->c->flags & BENCH_REAL_TIME ? "real_time"
							 : "cpu_time"));
		json_object_set_new(e, "family", json_stringn(in->c->name,
			slash ? (size_t)(slash - in->c->name) : strlen(in->c->name)));
		json_object_set_new(e, "case", json_string(slash ? slash + 1 : ""));
		if (in->c->desc)
			json_object_set_new(e, "description",
					    json_string(in->c->desc));
		if (in->has_arg)
			json_object_set_new(e, "param", json_pack("{s:s,s:I}",
				"name", in->c->arg_name ? in->c->arg_name : "arg",
				"value", (json_int_t)in->arg));
	}

public:
	static std::map<std::string, const instance *> by_name;
};
std::map<std::string, const instance *> json_reporter::by_name;

/* The last value of a --flag=value on the command line, or def. */
std::string flag_value(int argc, char **argv, const char *prefix,
		       const char *def)
{
	std::string v = def;
	const char *p;

	for (int i = 1; i < argc; i++)
		if (starts(argv[i], prefix, &p))
			v = p;
	return v;
}

bool has_flag(int argc, char **argv, const char *prefix)
{
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], prefix, strlen(prefix)))
			return true;
	return false;
}

} // namespace

extern "C" int bench_main(int argc, char **argv)
{
	std::vector<char *> args;
	std::vector<std::string> injected;
	struct bench_args ba;
	bool list;
	char allowed[256], err[512];
	int n;

	if (bench_args_parse(argc, argv, &ba, err, sizeof(err))) {
		fprintf(stderr, "error: %s\n", err);
		if (!strncmp(err, "unknown harness option", 22))
			usage_extra();
		bench_args_free(&ba);
		return 2;
	}
	if (ba.help)
		usage_extra();
	profile = (enum bench_profile)ba.profile;
	pinning = ba.pinning;
	seed = ba.seed;
	list = ba.list;
	args.assign(ba.pass, ba.pass + ba.npass);
	bench_args_free(&ba);
	if (ba.ncpus &&
	    check_cpu_list(&ba, flag_value(argc, argv, "--bench_cpu=", "").c_str()))
		return 2;
	if (ba.data_dir) {
		struct stat sb;

		if (stat(ba.data_dir, &sb) || !S_ISDIR(sb.st_mode) ||
		    access(ba.data_dir, W_OK)) {
			fprintf(stderr, "error: data directory '%s' is not a "
				"writable directory\n", ba.data_dir);
			return 2;
		}
		data_dir = ba.data_dir;
	}
	if (ba.caches) {
		/* One calibration for the whole run (tools/calibrate). */
		if (topo_load_caches(ba.caches, err, sizeof(err))) {
			fprintf(stderr, "error: --bench_caches: %s\n", err);
			return 2;
		}
	}

	/*
	 * Profile defaults, unless the command line says otherwise. Quick
	 * repetitions of 10 ms: rounds (separate processes) are the samples
	 * the statistics count, and a longer repetition buys little but time
	 * (the quick profile of every suite runs in about three minutes).
	 */
	static const char *min_time[] = { "0.001", "0.01", "0.2" };
	static const char *reps[] = { "1", "5", "10" };
	user_min_time = has_flag(argc, argv, "--benchmark_min_time");
	if (!user_min_time)
		injected.push_back(std::string("--benchmark_min_time=") +
				   min_time[profile]);
	if (!has_flag(argc, argv, "--benchmark_repetitions"))
		injected.push_back(std::string("--benchmark_repetitions=") +
				   reps[profile]);
	for (auto &s : injected)
		args.insert(args.begin() + 1, const_cast<char *>(s.c_str()));
	args.push_back(nullptr);
	n = (int)args.size() - 1;

	benchmark::Initialize(&n, args.data());
	if (benchmark::ReportUnrecognizedArguments(n, args.data()))
		return 2;

	ctr_init();
	topo_init();
	/* Read what the process inherited before pinning changes it. */
	topo_cpus_allowed(allowed, sizeof(allowed));
	if (pinning)
		pin_thread(0);
	register_all();

	if (list) {
		for (auto &in : instances)
			printf("%s\t%s\n", in->name.c_str(),
			       in->c->desc ? in->c->desc : "");
		return 0;
	}
	bench_context("cpus_allowed", "%s", allowed);
	bench_context("bench_pinning", "%s", pinning_text().c_str());
	bench_context("guard_migrations_source", "%s",
		      guard_migrations_source());
	context_collect();
	/* JSON, to the screen or the --benchmark_out file, with structure. */
	{
		std::unique_ptr<json_reporter> display, file;

		for (auto &in : instances)
			json_reporter::by_name[in->name] = in.get();
		if (flag_value(argc, argv, "--benchmark_format=", "console") ==
		    "json")
			display = std::make_unique<json_reporter>();
		if (!flag_value(argc, argv, "--benchmark_out=", "").empty() &&
		    flag_value(argc, argv, "--benchmark_out_format=",
			       "json") == "json")
			file = std::make_unique<json_reporter>();
		benchmark::RunSpecifiedBenchmarks(display.get(), file.get());
	}
	teardown_current();
	benchmark::Shutdown();
	if (failures) {
		fprintf(stderr, "error: %d benchmark(s) failed verification\n",
			failures.load());
		return 1;
	}
	return 0;
}
