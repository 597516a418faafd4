# Sourced by scripts/gale and scripts/test: finds a JDK >= 25 and sets GALE_JAVA_HOME, or explains what to install.
# Search order: $JAVA_HOME, then ${GALE_JDK_SEARCH_PATH:-/usr/lib/jvm}/*, then `java` on PATH.

gale_java_major() { # $1 = path to a java binary; prints its feature version (17, 25…) or nothing
  local v
  v=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1)
  case "$v" in 1.*) v=${v#1.}; v=${v%%.*} ;; esac
  case "$v" in ''|*[!0-9]*) return 1 ;; esac
  echo "$v"
}

gale_find_jdk() {
  local candidates=() seen="" c major java_bin
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  local dir=${GALE_JDK_SEARCH_PATH:-/usr/lib/jvm}
  if [ -d "$dir" ]; then
    for c in "$dir"/*; do [ -d "$c" ] && candidates+=("$c"); done
  fi
  java_bin=$(command -v java 2>/dev/null || true)
  if [ -n "$java_bin" ]; then
    java_bin=$(readlink -f "$java_bin" 2>/dev/null || echo "$java_bin")
    candidates+=("${java_bin%/bin/java}")
  fi
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    major=$(gale_java_major "$c/bin/java") || continue
    seen="$seen $major"
    if [ "$major" -ge 25 ]; then GALE_JAVA_HOME=$c; export GALE_JAVA_HOME; return 0; fi
  done
  if [ -n "$seen" ]; then
    echo "gale: needs a JDK >= 25 (with javac); found only Java$seen. Install one (e.g. Temurin 25: apt-get install temurin-25-jdk, or unpack it and set JAVA_HOME)." >&2
  else
    echo "gale: no JDK found (looked at JAVA_HOME, ${GALE_JDK_SEARCH_PATH:-/usr/lib/jvm}/* and PATH). Install a JDK >= 25 (e.g. Temurin 25) and set JAVA_HOME." >&2
  fi
  return 1
}
