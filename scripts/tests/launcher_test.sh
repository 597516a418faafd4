#!/usr/bin/env bash
# Tests of scripts/gale itself: JDK discovery errors, --version, devices --json. Prints "N passed, N failed".
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
pass=0; fail=0
check() { # name, condition-result(0/1), detail
  if [ "$2" = 0 ]; then pass=$((pass+1)); echo "ok   $1"; else fail=$((fail+1)); echo "FAIL $1: $3"; fi
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# A PATH with the tools the launcher uses but no java.
mkdir -p "$tmp/bin"
for t in bash dirname readlink sed head find mktemp cat rm touch env grep; do
  p=$(command -v "$t") && ln -s "$p" "$tmp/bin/$t"
done

# 1. No JDK anywhere.
out=$(env -i PATH="$tmp/bin" HOME="$tmp" GALE_JDK_SEARCH_PATH="$tmp/none" bash "$root/scripts/gale" --version 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "no JDK found" ; check "no JDK: clear error" $? "rc=$rc out=$out"

# 2. Only JDK 17 (a fake JAVA_HOME whose java reports 17; a real one if the machine has it).
fake="$tmp/jdk17"; mkdir -p "$fake/bin"
cat > "$fake/bin/java" <<'J'
#!/bin/bash
echo "    java.specification.version = 17" >&2
J
cp "$fake/bin/java" "$fake/bin/javac"; chmod +x "$fake/bin/java" "$fake/bin/javac"
out=$(env -i PATH="$tmp/bin" HOME="$tmp" JAVA_HOME="$fake" GALE_JDK_SEARCH_PATH="$tmp/none" bash "$root/scripts/gale" --version 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "needs a JDK >= 25" && echo "$out" | grep -q "17"; check "only JDK 17 (fake): clear error" $? "rc=$rc out=$out"
if [ -x /usr/lib/jvm/java-17-openjdk-amd64/bin/javac ]; then
  out=$(env -i PATH="$tmp/bin" HOME="$tmp" JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 GALE_JDK_SEARCH_PATH="$tmp/none" bash "$root/scripts/gale" --version 2>&1); rc=$?
  [ $rc -ne 0 ] && echo "$out" | grep -q "found only Java 17"; check "only JDK 17 (real): clear error" $? "rc=$rc out=$out"
fi

# 3. --version and devices --json with the real JDK.
out=$("$root/scripts/gale" --version 2>/dev/null); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q "^gale "; check "gale --version" $? "rc=$rc out=$out"
out=$("$root/scripts/gale" devices --json 2>/dev/null); rc=$?
[ $rc -eq 0 ] && echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert any(x["id"]=="jvm" for x in d["devices"])'
check "gale devices --json lists the jvm" $? "rc=$rc out=$out"

# 4. scripts/gpu-check: usage, and a clear error when the packed JRE is missing.
out=$(bash "$root/scripts/gpu-check" 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q "usage: scripts/gpu-check pack"; check "gpu-check: usage" $? "rc=$rc out=$out"
out=$(bash "$root/scripts/gpu-check" run "$tmp/no-pack" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "run 'scripts/gpu-check pack"; check "gpu-check run without pack: clear error" $? "rc=$rc out=$out"

echo "launcher: $pass passed, $fail failed"
[ $fail -eq 0 ]
