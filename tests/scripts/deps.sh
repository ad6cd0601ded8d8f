#!/usr/bin/env bash
# deps.sh - scripts/deps with a package missing: as root it installs it,
# as anyone else it prints the exact apt-get line and exits 2. dpkg-query
# and apt-get are stand-ins on PATH, so nothing is installed for real.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
chmod 755 "$w"
mkdir "$w/bin"
cat > "$w/bin/dpkg-query" <<'SH'
#!/bin/sh
# Every package is installed except liburing-dev and jq.
for a; do pkg=$a; done
case $pkg in
liburing-dev|jq) echo "unknown ok not-installed"; exit 1 ;;
*) echo "install ok installed" ;;
esac
SH
cat > "$w/bin/apt-get" <<SH
#!/bin/sh
echo "\$*" >> "$w/apt.log"
SH
chmod +x "$w/bin/dpkg-query" "$w/bin/apt-get"

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	out=$(PATH="$w/bin:$PATH" setpriv --reuid=65534 --regid=65534 --clear-groups \
		bash scripts/deps 2>&1)
	rc=$?
	is "$rc" 2 "a missing package without root: exit 2"
	ok "$(printf '%s\n' "$out" | grep -c 'missing Debian packages: liburing-dev jq')" -eq 1 \
		"naming the missing packages"
	ok "$(printf '%s\n' "$out" | grep -cx '  apt-get update && apt-get install -y --no-install-recommends liburing-dev jq')" -eq 1 \
		"and printing the exact command"
	ok ! -e "$w/apt.log" "without trying to install"

	out=$(PATH="$w/bin:$PATH" bash scripts/deps 2>&1)
	is "$?" 0 "as root, the missing packages are installed"
	ok "$(grep -c 'install -y -qq --no-install-recommends liburing-dev jq' "$w/apt.log")" -eq 1 \
		"with apt-get install"
	ok "$(grep -c '^update' "$w/apt.log")" -eq 1 "after apt-get update"
else
	out=$(PATH="$w/bin:$PATH" bash scripts/deps 2>&1)
	is "$?" 2 "a missing package without root: exit 2"
	ok "$(printf '%s\n' "$out" | grep -c 'apt-get install -y --no-install-recommends liburing-dev jq')" -eq 1 \
		"printing the exact command"
fi
cat > "$w/bin/dpkg-query" <<'SH'
#!/bin/sh
echo "install ok installed"
SH
check "nothing missing: exit 0, nothing installed" env PATH="$w/bin:$PATH" bash scripts/deps

# --test: Chromium for the browser test, never an error.
cat > "$w/bin/dpkg-query" <<'SH'
#!/bin/sh
for a; do pkg=$a; done
[ "$pkg" = chromium ] && { echo "unknown ok not-installed"; exit 1; }
echo "install ok installed"
SH
rm -f "$w/apt.log"
check "nothing required missing: scripts/deps alone installs no test tool" env PATH="$w/bin:$PATH" bash scripts/deps
ok ! -e "$w/apt.log" "(apt-get not run)"
if [ "$(id -u)" -eq 0 ]; then
	check "--test as root: exit 0" env PATH="$w/bin:$PATH" bash scripts/deps --test
	ok "$(grep -c 'install -y -qq --no-install-recommends chromium' "$w/apt.log")" -eq 1 \
		"installing chromium for the browser test"
	printf '#!/bin/sh\nexit 100\n' > "$w/bin/apt-get"
	out=$(PATH="$w/bin:$PATH" bash scripts/deps --test 2>&1)
	is "$?" 0 "an install that fails is not an error"
	ok "$(grep -c 'warning: apt-get could not install chromium.*the tests that need it skip' <<<"$out")" -eq 1 \
		"but a warning that says what follows"
fi
fails "an unknown option: exit 2" 2 env PATH="$w/bin:$PATH" bash scripts/deps --bogus

# --runtime: only what a package needs to run, never a compiler.
rt=$(bash scripts/deps --runtime --list)
ok "$(grep -cx 'libbenchmark1debian\|jq\|python3-jinja2' <<<"$rt")" -eq 3 "--runtime --list names the runtime packages"
ok "$(grep -cE '^(gcc|g\+\+|make|.*-dev)$' <<<"$rt")" -eq 0 "and no compiler, make or headers"
cat > "$w/bin/dpkg-query" <<'SH'
#!/bin/sh
for a; do pkg=$a; done
case $pkg in
jq|libjansson4|gcc) echo "unknown ok not-installed"; exit 1 ;;
*) echo "install ok installed" ;;
esac
SH
printf '#!/bin/sh\necho "$*" >> %s/apt.log\n' "$w" > "$w/bin/apt-get"
rm -f "$w/apt.log"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	out=$(PATH="$w/bin:$PATH" setpriv --reuid=65534 --regid=65534 --clear-groups \
		bash scripts/deps --runtime 2>&1)
	is "$?" 2 "--runtime without root: exit 2"
	ok "$(grep -cx '  apt-get update && apt-get install -y --no-install-recommends libjansson4 jq' <<<"$out")" -eq 1 \
		"with the exact line for the missing runtime packages only"
	check "--runtime as root installs them" env PATH="$w/bin:$PATH" bash scripts/deps --runtime
	ok "$(grep -c 'install -y -qq --no-install-recommends libjansson4 jq$' "$w/apt.log")" -eq 1 \
		"and nothing else (no gcc)"
fi
done_testing
