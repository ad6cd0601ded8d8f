#!/usr/bin/env bash
# san-probe.sh FLAVOR - why the sanitizer flavor (asan, tsan) cannot be
# built here: the compiler's first complaint, or nothing if it can.
case ${1:-} in
asan) flags=(-fsanitize=address,undefined) ;;
tsan) flags=(-fsanitize=thread) ;;
*) echo "usage: san-probe.sh asan|tsan" >&2; exit 2 ;;
esac
cc=${CC:-gcc}
out=$(printf 'int main(void){return 0;}\n' | "$cc" "${flags[@]}" -x c - -o /dev/null 2>&1) ||
	echo "$cc cannot build with ${flags[*]}: $(echo "$out" | head -1)"
exit 0
