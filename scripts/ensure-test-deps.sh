#!/usr/bin/env bash
# Makes sure this machine has what pingan's tests start for real: PostgreSQL's initdb/postgres
# (a temporary cluster per test binary) and Mosquitto (a broker per MQTT test), plus the
# unprivileged user those servers run as when the tests run as root (initdb refuses root).
#
# Idempotent: it checks first and does nothing when all is there. On Debian, as root or with
# passwordless sudo, it installs what is missing (running `apt-get update` once, only if an install
# is needed). Otherwise it prints exactly what to install and exits non-zero.
#
# Usage: scripts/ensure-test-deps.sh [--with browser,gis] [--only browser] [--check]
#   --with LIST   also ensure optional groups (comma-separated; or PINGAN_TEST_DEPS_WITH=LIST):
#                   browser  chromium fonts-wqy-microhei   (browser tests, screenshots)
#                   gis      gdal-bin                      (geography import checks)
#   --only LIST   ensure only these groups (not PostgreSQL, Mosquitto and the test user).
#   --check       only report; never install.
set -euo pipefail

with="${PINGAN_TEST_DEPS_WITH:-}"
check_only=0
base=1
while [ $# -gt 0 ]; do
  case "$1" in
    --only) with="${2:?--only needs a list}"; base=0; shift 2 ;;
    --only=*) with="${1#--only=}"; base=0; shift ;;
    --with) with="${with:+$with,}${2:?--with needs a list}"; shift 2 ;;
    --with=*) with="${with:+$with,}${1#--with=}"; shift ;;
    --check) check_only=1; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "ensure-test-deps: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

say() { echo "ensure-test-deps: $*"; }

# Finds a PostgreSQL server binary on PATH or in Debian's versioned directories.
have_pg_binary() {
  command -v "$1" >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/$1" >/dev/null
}

have_binary() {
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]
}

missing=()
if [ $base -eq 1 ]; then
  if ! have_pg_binary initdb || ! have_pg_binary postgres; then missing+=(postgresql); fi
  if ! have_binary mosquitto || ! have_binary mosquitto_passwd; then missing+=(mosquitto); fi
  if ! have_binary setpriv; then missing+=(util-linux); fi
fi

IFS=',' read -r -a groups <<<"$with"
for group in "${groups[@]}"; do
  case "$group" in
    "") ;;
    browser)
      have_binary chromium || missing+=(chromium)
      compgen -G "/usr/share/fonts/truetype/wqy/wqy-microhei*" >/dev/null || missing+=(fonts-wqy-microhei)
      ;;
    gis) have_binary ogr2ogr || missing+=(gdal-bin) ;;
    *) echo "ensure-test-deps: unknown group '$group' (known: browser, gis)" >&2; exit 2 ;;
  esac
done

# The servers run as this user when the tests run as root.
test_user=pingan-test
need_user=0
if [ $base -eq 1 ] && [ "$(id -u)" -eq 0 ] && ! getent passwd "$test_user" >/dev/null; then need_user=1; fi

if [ ${#missing[@]} -eq 0 ] && [ $need_user -eq 0 ]; then
  if [ $base -eq 1 ]; then say "ok (PostgreSQL, Mosquitto${with:+, $with} present)"; else say "ok ($with present)"; fi
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n); else sudo=(none); fi
fi

if [ $check_only -eq 1 ] || [ "${sudo[*]}" = none ] || ! command -v apt-get >/dev/null 2>&1; then
  if [ ${#missing[@]} -gt 0 ]; then
    echo "ensure-test-deps: missing packages: ${missing[*]}" >&2
    echo "  install them with:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  fi
  if [ $need_user -eq 1 ]; then
    echo "ensure-test-deps: create the test user:  useradd --system --no-create-home --shell /usr/sbin/nologin $test_user" >&2
  fi
  exit 1
fi

if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp)
  if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "ensure-test-deps: apt-get failed (log above)" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
fi

if [ $need_user -eq 1 ]; then
  say "creating system user $test_user"
  "${sudo[@]}" useradd --system --no-create-home --shell /usr/sbin/nologin "$test_user"
fi

say "ok"
