# common.sh - shared by the scripts (sourced). Messages follow git's style:
# "error: ..." / "warning: ..." on stderr, lower case, no full stop.

BENCH_TOP=${BENCH_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BENCH_LIB=$BENCH_TOP/scripts/lib

err() { printf 'error: %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
# die MSG [STATUS]: error and exit (2 by default: bad input or environment).
die() { err "$1"; exit "${2:-2}"; }

# bjq ARGS...: jq with the project's definitions (include "bench") on its path.
bjq() { jq -L "$BENCH_LIB" "$@"; }

# validate_run FILE: scripts/validate FILE (exit 2 when it fails), unless
# FILE is byte for byte the run.json scripts/run has just validated: the
# run passes its sha256 as BENCH_VALIDATED to the plot and report it
# starts (never read from a results folder), so a quick run checks its
# 10 MB once instead of once per reader.
validate_run() {
	local sum
	if [ -n "${BENCH_VALIDATED:-}" ]; then
		sum=$(sha256sum <"$1" | cut -d' ' -f1)
		[ "$sum" = "$BENCH_VALIDATED" ] && return 0
	fi
	"$BENCH_TOP/scripts/validate" "$1" >&2 || exit 2
}

# The statistics tool, built by bench.mk.
benchstat() {
	local bin=${BUILD:-$BENCH_TOP/build}/O2/tools/benchstat
	[ -x "$bin" ] || die "$bin is missing: run make first"
	"$bin" "$@"
}

# now_iso: the current time, ISO 8601 with offset.
now_iso() { date +%Y-%m-%dT%H:%M:%S%z | sed -E 's/([0-9]{2})([0-9]{2})$/\1:\2/'; }

# write_atomic FILE: stdin to FILE through a temporary file and rename, so a
# reader never sees half a file and an interrupted write leaves none.
write_atomic() {
	local f=$1 tmp
	tmp=$(mktemp "$f.tmp.XXXXXX") || return 1
	# mktemp makes it 0600; results are for reading: the umask decides.
	chmod "$(printf '%o' $((0666 & ~$(umask))))" "$tmp"
	if cat > "$tmp"; then
		mv -f "$tmp" "$f"
	else
		rm -f "$tmp"
		return 1
	fi
}
