/*
 * machine.h - what the machine was doing and how its kernel was set up
 * when a binary started: load, the busiest processes, DAMON, page-table
 * isolation and every CPU vulnerability's mitigation. Two runs that
 * differ here may differ for that reason, not the code's (on one VM a
 * null syscall went from 133 ns to 1-3 us within an hour of boot).
 */
#ifndef BENCH_MACHINE_H
#define BENCH_MACHINE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Adds loadavg, busy_processes, damon, pti and cpu_vuln_<name> to the
 * context (docs/results-schema.md). Costs about 35 ms.
 */
void machine_context(void);

/*
 * The processes that used the most CPU over window_ms (schedstat,
 * nanosecond resolution), as "name (pid N) 97%, ..." in shares of one
 * CPU, this process left out; every kdamond thread into kdamonds.
 */
void machine_busy(unsigned window_ms, char *buf, size_t len, char *kdamonds,
		  size_t klen);
/*
 * DAMON in one line from its sysfs admin directory ("threads: kdamond.0
 * (pid 83); kdamond 0 on, paddr scheme pageout"), threads being the
 * kdamond threads seen in /proc, or "".
 */
const char *machine_damon(const char *admin, const char *threads, char *buf,
			  size_t len);
/* Page-table isolation and PCID from a cpuinfo file's flags. */
const char *machine_pti(const char *cpuinfo, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
