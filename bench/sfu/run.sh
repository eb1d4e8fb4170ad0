#!/usr/bin/env bash
# 1 publisher -> N subscribers through an SFU pinned to one core: SRTP packets forwarded per CPU
# second, one-way latency through the server (p50/p99), server memory per subscriber, CPU; for
# AuraLink (`auralink serve --dev`) and, when it can be driven, Debian's Janus (VideoRoom), then a
# table and the per-core ratio. See README.md.
#
# usage: bench/sfu/run.sh [--build DIR] [--out DIR] [--duration S] [--audio-counts "N ..."]
#                         [--video-counts "N ..."] [--bitrate BPS] [--server-core C]
#                         [--load-cores LIST] [--threads T] [--no-janus] [--quick]
#                         [--tx-only] [--tx-rows-only] [--rooms "RxN ..."] [--normal-priority]
#                         [--repeat K] [--room-witnesses K] [--raw-send]
# --tx-only adds AuraLink rows where every subscriber but the measured ones moves its
# connection to an address routed to an ifb device, which discards what it is sent: the server
# pays the send path a NIC would take, and not the kernel's delivery to receivers on the same
# machine. It needs root (ip link / ip addr, IP_TRANSPARENT) and is skipped without it.
# --tx-rows-only (implies --tx-only) runs only the transmit-only fan-out rows (and --rooms): the
# quick way to compare two builds on the server's own cost per packet.
# --rooms "40x25" adds AuraLink audio rows ("multi") of R rooms with one publisher and N
# subscribers each, joined side by side: the load of many ordinary calls rather than one fan-out,
# for latency at a given server load; with --tx-only also "multitx" rows of the same rooms, the
# unmeasured subscribers sent into the discarding device.
# As root, AuraLink runs SCHED_FIFO (chrt -f 10) in the --rooms rows (latency at a given load), so
# that other programs on the machine do not hold it off its core mid-run; --normal-priority leaves
# it at the default. The rows both servers run are at the default priority.
# --repeat K runs every row K times (in K rounds) and reports each row's median and range: on a
# shared machine single runs vary by ~15% in throughput and more in a p99.
# --room-witnesses K: measured subscribers per room in the --rooms rows (default 1; the rooms
# start them at different positions of their fan-outs, so together they cover every position).
# Each measured subscriber on loopback costs the server the kernel's delivery to it: with 4 in
# each room of 25 they took ~12% of the server's time in the 60 x 25 transmit-only profile.
# --raw-send: AuraLink with rtc.raw_udp_send (root): media to the discarding device leaves as
# frames the server writes through a packet socket (docs/server-config.md). Loopback peers are
# this machine's own, so the loopback rows send through the UDP socket either way.
# Each run clears the earlier run's JSON and logs from the output folder.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$repo/build"
out="$repo/out/sfu"
duration=10
audio_counts="100 400 1000"
video_counts="20 80 200"
bitrate=1500000
server_core=0
load_cores=""
threads=2
janus=1
tx_only=0
loopback_rows=1
room_loads=""
realtime_server=1
sink_ip=10.77.0.2
sink_net=10.77.0.1/24
sink_dev=ifb0
repeat=1
room_witnesses=1
raw_send=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build="$(cd "$2" && pwd)"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --audio-counts) audio_counts="$2"; shift 2 ;;
    --video-counts) video_counts="$2"; shift 2 ;;
    --bitrate) bitrate="$2"; shift 2 ;;
    --server-core) server_core="$2"; shift 2 ;;
    --load-cores) load_cores="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --no-janus) janus=0; shift ;;
    --tx-only) tx_only=1; shift ;;
    --tx-rows-only) tx_only=1; loopback_rows=0; shift ;;
    --rooms) room_loads="$2"; shift 2 ;;
    --normal-priority) realtime_server=0; shift ;;
    --repeat) repeat="$2"; shift 2 ;;
    --room-witnesses) room_witnesses="$2"; shift 2 ;;
    --raw-send) raw_send=true; shift ;;
    --quick) duration=4; audio_counts="20"; video_counts="5"; shift ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$room_witnesses" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --room-witnesses takes a positive count" >&2; exit 2; }

server_bin="$build/auralink"
load_bin="$build/auralink-load"
janus_load_bin="$build/auralink-janus-load"
for bin in "$server_bin" "$load_bin"; do
  [[ -x "$bin" ]] || { echo "run.sh: $bin is not built (ninja -C $build auralink auralink_load)" >&2; exit 2; }
done
cores=$(nproc)
if [[ -z "$load_cores" ]]; then
  # Every core but the server's; on a one-core machine the load shares it.
  others=()
  for (( c = 0; c < cores; c++ )); do (( c != server_core )) && others+=("$c"); done
  if (( ${#others[@]} == 0 )); then load_cores="$server_core"; else load_cores="$(IFS=,; echo "${others[*]}")"; fi
fi
# The publishers' thread runs SCHED_FIFO where it may (root), so that it sends at its timers'
# instants like independent senders instead of in bunches whenever the core it shares with the
# subscribers' thread comes free (the same for both servers).
load_flags=()
if (( threads > 1 )) && [[ "$(id -u)" == 0 ]]; then
  load_flags=(--realtime-publishers)
else
  echo "run.sh: publishers at normal priority (not root, or one thread): their packets may leave in bunches" >&2
fi
# The servers' scheduling: on a shared machine, whatever else wakes on the server's core (on the
# development VMs, the VM agent's runtime and the kernel's memory monitor, for up to 6.6 ms at a
# time) would otherwise preempt it, and its packets wait that long; that delay is the machine's,
# not the server's.
server_prio=()
prio=()
if (( realtime_server )) && [[ "$(id -u)" == 0 ]] && command -v chrt >/dev/null; then
  server_prio=(chrt -f 10)
  [[ -n "$room_loads" ]] && echo "run.sh: the --rooms rows run the server SCHED_FIFO priority 10 (--normal-priority for the default)" >&2
elif (( realtime_server )); then
  [[ -n "$room_loads" ]] && echo "run.sh: the server at normal priority (not root, or no chrt): other programs on its core may hold it off" >&2
fi
# Each subscriber holds a WebSocket and a UDP socket on both sides.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[[ "$repeat" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --repeat takes a count of runs (1 or more)" >&2; exit 2; }
mkdir -p "$out"
# The report reads every JSON file in $out: an earlier run's rows would be mixed into this one's.
rm -f "$out"/*.json "$out"/*.json.tmp "$out"/*.log
work="$(mktemp -d)"
server_pid=""
sink_added_address=0
sink_added_device=0
cleanup() {
  if (( sink_added_address )); then ip addr del "$sink_net" dev "$sink_dev" 2>/dev/null || true; fi
  if (( sink_added_device )); then ip link del "$sink_dev" 2>/dev/null || true; fi
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# wait_for_port PORT: until something listens on TCP PORT on loopback (10 s).
wait_for_port() {
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

stop_server() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}

# The discarding device for --tx-only: an ifb device (Linux drops what is sent to one that no
# traffic-control rule redirects) with an address whose subnet routes there.
setup_sink() {
  [[ "$(id -u)" == 0 ]] || { echo "run.sh: --tx-only needs root; skipped" >&2; return 1; }
  command -v ip >/dev/null || { echo "run.sh: --tx-only needs iproute2's ip; skipped" >&2; return 1; }
  if ! ip link show "$sink_dev" >/dev/null 2>&1; then
    ip link add "$sink_dev" type ifb 2>/dev/null || { echo "run.sh: no $sink_dev device and none can be made; --tx-only skipped" >&2; return 1; }
    sink_added_device=1
  fi
  ip link set "$sink_dev" up || return 1
  if ! ip -4 addr show dev "$sink_dev" | grep -q "${sink_net%/*}"; then
    ip addr add "$sink_net" dev "$sink_dev" || return 1
    sink_added_address=1
  fi
  # ifb takes UDP GSO messages whole and would count a server's run of a subscriber's packets as
  # one drop. With the offload off, the kernel cuts them in software before the device, as for a
  # NIC without UDP segmentation offload (the costlier case), and each packet is counted.
  command -v ethtool >/dev/null || { echo "run.sh: --tx-only needs ethtool; skipped" >&2; return 1; }
  ethtool -K "$sink_dev" tx-udp-segmentation off >/dev/null 2>&1 || { echo "run.sh: cannot turn off UDP segmentation offload on $sink_dev; --tx-only skipped" >&2; return 1; }
  ethtool -k "$sink_dev" | grep -q "^tx-udp-segmentation: off" || { echo "run.sh: $sink_dev still takes UDP GSO; --tx-only skipped" >&2; return 1; }
}

remove_sink_address() {
  if (( sink_added_address )); then
    ip addr del "$sink_net" dev "$sink_dev" 2>/dev/null || true
    sink_added_address=0
  fi
}

# Ports of their own, so a development server already on 7880-7882 does not get in the way.
auralink_port=17880
# start_auralink [any]: on loopback, or with "any" on every address, so that its UDP socket can
# also send to the sink's subnet.
start_auralink() {
  cat >"$work/auralink.yaml" <<YAML
rtc:
  udp_port: 17882
  tcp_port: 0
  measure_hop_latency: true
  raw_udp_send: $raw_send
YAML
  local bind=(--bind 127.0.0.1)
  [[ "${1:-}" == any ]] && bind=()
  "${prio[@]}" taskset -c "$server_core" "$server_bin" serve --dev --config "$work/auralink.yaml" \
    "${bind[@]}" --port "$auralink_port" >"$work/auralink.log" 2>&1 &
  server_pid=$!
  wait_for_port "$auralink_port" || { echo "run.sh: auralink serve did not open $auralink_port:" >&2; cat "$work/auralink.log" >&2; exit 1; }
}

# Janus with only the VideoRoom plugin and the WebSocket transport, on loopback, configured in a
# temporary folder so the system's /etc/janus is left alone.
start_janus() {
  local conf="$work/janus"
  mkdir -p "$conf"
  local libdir
  libdir="$(dirname "$(find /usr/lib -path '*janus/plugins/libjanus_videoroom.so' | head -1)")/.."
  cat >"$conf/janus.jcfg" <<JCFG
general: { configs_folder = "$conf" plugins_folder = "$libdir/plugins"
  transports_folder = "$libdir/transports" events_folder = "$libdir/events"
  loggers_folder = "$libdir/loggers" debug_level = 3 admin_secret = "bench"
  session_timeout = 120 }
media: { ipv6 = false rtp_port_range = "20000-60000" }
nat: { ice_lite = false ice_tcp = false full_trickle = false ice_enforce_list = "lo" }
plugins: { disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so" }
transports: { disable = "libjanus_http.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so" }
events: { broadcast = false }
loggers: { disable = "libjanus_jsonlog.so" }
JCFG
  cat >"$conf/janus.transport.websockets.jcfg" <<JCFG
general: { json = "compact" ws = true ws_port = 8188 ws_ip = "127.0.0.1" wss = false }
admin: { admin_ws = false admin_wss = false }
JCFG
  cat >"$conf/janus.plugin.videoroom.jcfg" <<JCFG
general: { }
room-1234: { description = "bench" publishers = 4 bitrate = 0 fir_freq = 10
  audiocodec = "opus" videocodec = "vp8" record = false }
JCFG
  taskset -c "$server_core" janus --configs-folder="$conf" --disable-colors \
    >"$work/janus.log" 2>&1 &
  server_pid=$!
  wait_for_port 8188 || { echo "run.sh: janus did not open 8188:" >&2; tail -20 "$work/janus.log" >&2; return 1; }
}

# run_case SERVER MODE N [RUN]: one server start, one load run, one JSON file. Mode "multi" takes
# N as RxN (rooms x subscribers per room). With --repeat, RUN numbers the file (-rRUN).
run_case() {
  local server="$1" mode="$2" n="$3" run="${4:-}"
  local file="$out/$server-$mode-$n${run:+-r$run}.json"
  local mode_flags=(--audio-only)
  local rooms=1
  if [[ "$mode" == multi* ]]; then
    rooms="${n%x*}"
    n="${n#*x}"
  fi
  [[ "$mode" == video* ]] && mode_flags=(--video --bitrate "$bitrate")
  [[ "$mode" == multi* ]] && mode_flags=(--audio-only --rooms "${rooms}" --measured "$room_witnesses")
  # Realtime only for the latency rows, which Janus has no counterpart of: under SCHED_FIFO on one
  # core Janus answered no ICE check in our runs (SCHED_RR neither), and the rows both
  # servers run are compared at the same, default, priority.
  prio=()
  [[ "$mode" == multi* ]] && prio=("${server_prio[@]}")
  if [[ "$server" == auralink ]]; then
    if [[ "$mode" == *tx ]]; then
      start_auralink any
      mode_flags+=(--sink "$sink_ip" --sink-interface "$sink_dev")
    else
      start_auralink
    fi
    taskset -c "$load_cores" "$load_bin" --url "ws://127.0.0.1:$auralink_port" "${mode_flags[@]}" \
      --subscribers "$n" --duration "$duration" --threads "$threads" --server-pid "$server_pid" \
      --server-core "$server_core" "${load_flags[@]}" --signal-window >"$file.tmp" 2>"$work/load.err" || { cat "$work/load.err" >&2; stop_server; return 1; }
  else
    start_janus || return 1
    taskset -c "$load_cores" "$janus_load_bin" --url ws://127.0.0.1:8188 "${mode_flags[@]}" \
      --subscribers "$n" --duration "$duration" --threads "$threads" --server-pid "$server_pid" \
      --server-core "$server_core" "${load_flags[@]}" >"$file.tmp" 2>"$work/load.err" || { cat "$work/load.err" >&2; stop_server; return 1; }
  fi
  stop_server
  mv "$file.tmp" "$file"
  [[ "$server" == auralink ]] && cp "$work/auralink.log" "${file%.json}.log"
  echo "  $server $mode N=$n -> $file"
}

servers=(auralink)
if (( janus )); then
  if [[ -x "$janus_load_bin" ]] && command -v janus >/dev/null; then
    servers+=(janus)
  else
    echo "run.sh: Janus skipped (needs the janus package and $janus_load_bin)" >&2
  fi
fi
# With --repeat K, every row runs once per round, K rounds, so that the machine's drift over the
# minutes of a run falls on all rows alike.
sink_ok=$tx_only
for (( round = 1; round <= repeat; round++ )); do
  run=""
  (( repeat > 1 )) && run=$round
  for server in "${servers[@]}"; do
    (( loopback_rows )) || continue
    for n in $audio_counts; do run_case "$server" audio "$n" $run || echo "  $server audio N=$n failed" >&2; done
    for n in $video_counts; do run_case "$server" video "$n" $run || echo "  $server video N=$n failed" >&2; done
  done
  sink_ready=0
  if (( sink_ok )); then
    if setup_sink; then
      sink_ready=1
      for n in $audio_counts; do run_case auralink audiotx "$n" $run || echo "  auralink audiotx N=$n failed" >&2; done
      for n in $video_counts; do run_case auralink videotx "$n" $run || echo "  auralink videotx N=$n failed" >&2; done
    else
      sink_ok=0
    fi
  fi
  for load in $room_loads; do
    run_case auralink multi "$load" $run || echo "  auralink multi $load failed" >&2
    if (( sink_ready )); then
      run_case auralink multitx "$load" $run || echo "  auralink multitx $load failed" >&2
    fi
  done
  # Janus's clients bind to the machine's first non-loopback address, which the sink's would be.
  remove_sink_address
done
node "$repo/bench/sfu/report.mjs" "$out"
