/*
 * hot.h - the socket model of the hot-field benchmarks, as the tests see
 * it: the field tables of the three layouts (generated into tcp_sock.c from
 * tcp_sock_fields.tsv) and the helpers hot.c builds on.
 */
#ifndef CL_HOT_H
#define CL_HOT_H

#include <stddef.h>
#include <stdint.h>

/* How a fast path uses a field (the TSV's read_mostly, read_write, -). */
enum cl_use {
	CL_NONE = 0,
	CL_READ,
	CL_WRITE,
};

/* The kernel's access groups, in the order the grouped layouts use. */
enum cl_group {
	CL_G_PREFIX = 0,	/* the embedded inet_connection_sock */
	CL_G_READ_TX,
	CL_G_READ_TXRX,
	CL_G_READ_RX,
	CL_G_WRITE_TX,
	CL_G_WRITE_TXRX,
	CL_G_WRITE_RX,
	CL_G_COLD,
};

enum cl_path {
	CL_TX = 0,
	CL_RX,
	CL_NPATHS,
};

enum cl_layout_id {
	CL_SCATTERED = 0,
	CL_GROUPED,
	CL_GROUPED_ALIGNED,
	CL_NLAYOUTS,
};

struct cl_field {
	const char *name;
	const char *type;	/* as in the TSV: "u32", "u8:2" */
	uint32_t off;	/* byte offset; for a bitfield, its byte */
	uint32_t size;	/* bytes (sizeof the member); 0: bitfield */
	uint32_t elem;	/* bytes per element; 0: bitfield */
	uint32_t nelem;	/* elements (1 for a scalar); 0: bitfield */
	uint8_t bits;	/* bitfield width, 0 otherwise */
	uint8_t bit;	/* lowest bit of a bitfield within its byte */
	uint8_t tx, rx;	/* enum cl_use */
	uint8_t group;	/* enum cl_group */
	uint32_t konst;	/* written element e advances by len+konst+e */
};

struct cl_layout {
	const char *name;
	size_t size;
	size_t align;
	const struct cl_field *fields;	/* CL_NFIELDS, the TSV's order */
	/* One hot-path visit of one object, out of line (for tests). */
	uint64_t (*visit[CL_NPATHS])(void *obj);
	/* Sets bitfield number field through the C member (for tests). */
	void (*set_bits)(void *obj, int field, uint64_t v);
};

extern const struct cl_layout cl_layouts[CL_NLAYOUTS];

/* Field count (CL_NFIELDS of tcp_sock.h) without including it. */
int cl_nfields(void);

/*
 * Distinct cache lines of size line that path touches in one object
 * starting on a line boundary, from the offsets and sizes in the table;
 * *written gets the lines it writes.
 */
int cl_lines_touched(const struct cl_layout *l, enum cl_path path,
		     unsigned line, int *written);

/* Element e of field f of obj (a bitfield's value for e = 0). */
uint64_t cl_get(const struct cl_field *f, const void *obj, uint32_t e);
void cl_set(const struct cl_field *f, void *obj, uint32_t e, uint64_t v);

/*
 * The start value of element e of field f of object idx: a hash of the
 * seed and the field's name and position, the same in every layout.
 */
uint64_t cl_init_value(uint64_t seed, uint64_t idx, int field, uint32_t e);
/*
 * Gives the fields of obj (layout l) their start values: every field if
 * path is -1, else those the path (enum cl_path) uses.
 */
void cl_init_object(const struct cl_layout *l, void *obj, uint64_t seed,
		    uint64_t idx, int path);

/*
 * Checks obj against what visits hot-path visits of path from the start
 * values must leave: every word the path writes advanced visits times by
 * len + its constant (len: the sum of the words it reads, which never
 * change), every other field as it started (with all set; else only the
 * fields the path uses are checked). Returns 0, or -1 and names the first
 * field that differs in why.
 */
int cl_check_object(const struct cl_layout *l, const void *obj,
		    enum cl_path path, int all, uint64_t seed, uint64_t idx,
		    uint64_t visits, char *why, size_t len);

/* The len the hot path computes for obj, from the table. */
uint64_t cl_path_len(const struct cl_layout *l, const void *obj,
		     enum cl_path path);

/*
 * The largest working set of the suite's sweeps (hot and aos_soa, so
 * size:{max} names the same size in both): topo_ws_top(4), four times the
 * last-level cache as measured, capped at the memory budget (topo.h).
 */
uint64_t cl_ws_max(void);

#endif
