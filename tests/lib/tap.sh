# tap.sh - Test Anything Protocol for the bash tests (sourced).
#
#	. tests/lib/tap.sh
#	ok "$(( 1 + 1 ))" -eq 2 "addition"      # test(1) expression, then a name
#	check "merge succeeds" scripts/merge "$dir"
#	done_testing

TAP_N=0
TAP_FAILED=0
BENCH_TOP=${BENCH_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=${BUILD:-$BENCH_TOP/build}
case $BUILD in /*) ;; *) BUILD=$BENCH_TOP/$BUILD ;; esac
export BUILD BENCH_TOP

_tap_result() {
	local pass=$1 name=$2
	TAP_N=$((TAP_N + 1))
	if [ "$pass" -eq 1 ]; then
		echo "ok $TAP_N - $name"
	else
		echo "not ok $TAP_N - $name"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

# ok EXPR... NAME: passes when test(1) says EXPR is true.
ok() {
	local name=${*: -1}
	local expr=("${@:1:$#-1}")
	if test "${expr[@]}"; then
		_tap_result 1 "$name"
	else
		_tap_result 0 "$name"
		echo "#   test ${expr[*]} was false"
	fi
}

# is GOT WANT NAME
is() {
	if [ "$1" = "$2" ]; then
		_tap_result 1 "$3"
	else
		_tap_result 0 "$3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2"
	fi
}

# check NAME CMD...: passes when CMD exits 0; its output is shown on failure.
check() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		_tap_result 1 "$name"
	else
		_tap_result 0 "$name"
		echo "#   exit $rc: $*"
		printf '%s\n' "$out" | head -20 | sed 's/^/#   /'
	fi
}

# fails NAME STATUS CMD...: passes when CMD exits with STATUS.
fails() {
	local name=$1 want=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq "$want" ]; then
		_tap_result 1 "$name"
	else
		_tap_result 0 "$name"
		echo "#   exit $rc, want $want: $*"
		printf '%s\n' "$out" | head -20 | sed 's/^/#   /'
	fi
}

diag() { printf '# %s\n' "$*"; }

done_testing() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}

# skip_all REASON: the whole test is skipped (one SKIP result), and exits.
skip_all() {
	ok 1 "# SKIP $*"
	done_testing
	exit 0
}
