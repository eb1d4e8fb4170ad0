#!/usr/bin/env bash
# The two-party browser call (two_party_call.mjs) against AuraLink. Unless AURALINK_SERVER_URL
# names a server that is already running, starts `auralink serve --dev` from the repository root
# (signalling and API on 127.0.0.1:7880, key devkey, secret secret), waits for its port, runs the
# driver, stops the server, and prints the tail of the server's log when the test did not pass.
#
#   run_browser_test.sh [--server PATH/auralink] [--local-check] [--expect-signalling v0|v1]
#
# --server      the server binary (default: build/auralink under the repository root)
# --local-check run local_media_check.mjs first (no server needed) and stop if it fails, so a
#               broken browser setup is not blamed on the server
# --expect-signalling  after a passing run, check in the server's log that both participants
#               joined over /rtc/v1 (v1: one peer connection) or that none did (v0: /rtc, two);
#               only with the server this script starts. Pair it with AURALINK_BROWSER_SINGLE_PC.
#
# Exit status: the driver's: 0 passed, 1 failed, 2 passed with skipped parts (the server has no
# bandwidth hook), 77 this machine cannot run it (no Chromium, node packages or server binary).
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
server_binary="$repo/build/auralink"
local_check=0
expect_signalling=""
while [ $# -gt 0 ]; do
  case "$1" in
    --server) server_binary="${2:?--server needs a path}"; shift 2 ;;
    --local-check) local_check=1; shift ;;
    --expect-signalling) expect_signalling="${2:?--expect-signalling needs v0 or v1}"; shift 2 ;;
    *) echo "run_browser_test: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

skip() {
  echo "SKIPPED browser test: $*"
  exit 77
}

command -v node >/dev/null 2>&1 || skip "node is not installed (Debian package nodejs)"

if [ "$local_check" -eq 1 ]; then
  node "$here/local_media_check.mjs"
  rc=$?
  [ "$rc" -eq 0 ] || { echo "browser local media check did not pass (exit $rc)"; exit "$rc"; }
fi

port_open() {  # port_open HOST PORT
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

server_pid=""
log_dir=""
stop_server() {
  [ -n "$server_pid" ] || return 0
  kill -TERM "$server_pid" 2>/dev/null
  for _ in $(seq 50); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$server_pid" 2>/dev/null; then
    echo "run_browser_test: server did not stop within 5 s of SIGTERM; killing it"
    kill -KILL "$server_pid" 2>/dev/null
  fi
  wait "$server_pid" 2>/dev/null
  server_pid=""
}
trap stop_server EXIT

print_server_log() {
  [ -n "$log_dir" ] || return 0
  echo "--- last 80 lines of the server log ($log_dir/server.log, kept)"
  tail -n 80 "$log_dir/server.log"
  echo "---"
}

if [ -z "${AURALINK_SERVER_URL:-}" ]; then
  [ -x "$server_binary" ] ||
    skip "no server binary at $server_binary (build it, pass --server, or set AURALINK_SERVER_URL)"
  if port_open 127.0.0.1 7880; then
    echo "run_browser_test: something already listens on 127.0.0.1:7880; stop it, or set" \
         "AURALINK_SERVER_URL=ws://127.0.0.1:7880 to test it" >&2
    exit 1
  fi
  log_dir="$(mktemp -d -t auralink-browser-server.XXXXXX)" || exit 1
  (cd "$repo" && exec "$server_binary" serve --dev) >"$log_dir/server.log" 2>&1 &
  server_pid=$!
  started=$(date +%s%N)
  # 20 s covers a cold start under the sanitizers on a loaded 2-core machine.
  for _ in $(seq 200); do
    port_open 127.0.0.1 7880 && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
      wait "$server_pid"
      echo "run_browser_test: '$server_binary serve --dev' exited (status $?) before listening" \
           "on 7880"
      server_pid=""
      print_server_log
      exit 1
    fi
    sleep 0.1
  done
  if ! port_open 127.0.0.1 7880; then
    echo "run_browser_test: '$server_binary serve --dev' is not listening on 7880 after 20 s"
    print_server_log
    exit 1
  fi
  echo "run_browser_test: server pid $server_pid listening after" \
       "$(( ($(date +%s%N) - started) / 1000000 )) ms; log $log_dir/server.log"
  export AURALINK_SERVER_URL="ws://127.0.0.1:7880"
fi

node "$here/two_party_call.mjs"
rc=$?
stop_server
# Which signalling the browsers used, as the server saw it (rtc_signalling.cc logs each /rtc/v1
# join); livekit-client falls back from /rtc/v1 to /rtc silently, so the page cannot tell.
if [ "$rc" -eq 0 ] && [ -n "$expect_signalling" ] && [ -n "$log_dir" ]; then
  v1_joins=$(grep -c "over /rtc/v1 (single peer connection)" "$log_dir/server.log")
  echo "run_browser_test: the server saw $v1_joins joins over /rtc/v1"
  if [ "$expect_signalling" = "v1" ] && [ "$v1_joins" -lt 2 ]; then
    echo "run_browser_test: FAILED: expected both participants to join over /rtc/v1"
    rc=1
  elif [ "$expect_signalling" = "v0" ] && [ "$v1_joins" -ne 0 ]; then
    echo "run_browser_test: FAILED: expected every join over /rtc (two peer connections)"
    rc=1
  fi
fi
if [ -n "$log_dir" ]; then
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
    print_server_log
  else
    rm -rf "$log_dir"
  fi
fi
exit "$rc"
