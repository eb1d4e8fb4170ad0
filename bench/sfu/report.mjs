// Prints the table of bench/sfu/run.sh from its JSON files: one row per server, mode and
// subscriber count, then AuraLink's per-core throughput against Janus's at the same load.
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
const rows = [];
for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  // <server>-<mode>-<N>[-r<run>]: run.sh --repeat K numbers the runs of each row.
  const [server, mode, n, runTag] = path.basename(name, '.json').split('-');
  const run = runTag?.startsWith('r') ? Number(runTag.slice(1)) : 1;
  const r = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
  // AuraLink's own hop figures (rtc.measure_hop_latency), from the log it wrote when it stopped.
  const log = path.join(dir, name.replace(/\.json$/, '.log'));
  if (fs.existsSync(log)) {
    // The load generator signals the window's start (report 1) and end (report 2).
    const text = fs.readFileSync(log, 'utf8');
    const m = text.match(/hop latency \(arrival to send, us\) report 2: count=(\d+) p50=(\d+) p99=(\d+)/);
    if (m) r.hop_us = { count: Number(m[1]), p50: Number(m[2]), p99: Number(m[3]) };
    // rtc.raw_udp_send (run.sh --raw-send): the frames the server wrote itself.
    const raw = text.match(/raw UDP send: (\d+) frames/);
    if (raw) r.raw_frames = Number(raw[1]);
  }
  // "multi" rows are named RxN: R rooms of N subscribers.
  const rooms = r.rooms ?? 1;
  rows.push({ server, mode, n: r.subscribers_per_room ?? Number(n), rooms, run, r });
}
rows.sort((a, b) => a.server.localeCompare(b.server) || a.mode.localeCompare(b.mode) ||
  a.rooms - b.rooms || a.n - b.n || a.run - b.run);

const fmt = (v, d = 0) => (v === undefined || v === null || Number.isNaN(v) ? '-' : Number(v).toFixed(d));
const repeated = rows.some((x) => x.run > 1);
// The server core's steal time in the window (auralink-load --server-core): the hypervisor ran
// something else while the server wanted its core.
const stealShown = rows.some(({ r }) => r.server?.core_steal_ms !== undefined);
const header = ['server', 'mode', 'rooms', 'N', ...(repeated ? ['run'] : []), 'recv', 'out pkt/s', 'loss %', 'srv CPU %', 'pkt/CPU-s',
  'p50 us', 'p99 us', 'hop p50', 'hop p99', 'KB/sub', ...(stealShown ? ['steal ms'] : [])];
const table = [header];
for (const { server, mode, n, rooms, run, r } of rows) {
  const s = r.server ?? {};
  // A publisher that lost its connection mid-run (consent expired) starves the row: flag it.
  const flag = (r.publisher?.connected_at_end === false ? '!' : '') + (r.raw_frames ? '*' : '');
  // Transmit-only rows: most subscribers' packets went to the discarding device (r.sink).
  const out = r.subscribers.packets_per_second + (r.sink?.rtp_packets_per_second ?? 0);
  table.push([server, mode + flag, rooms, n, ...(repeated ? [run] : []), r.subscribers_receiving, fmt(out),
    fmt(100 * r.subscribers.loss_fraction, 2), fmt(100 * (s.cpu_utilisation ?? NaN), 1),
    fmt(s.packets_forwarded_per_cpu_second), fmt(r.latency_us.p50), fmt(r.latency_us.p99),
    fmt(r.hop_us?.p50), fmt(r.hop_us?.p99), fmt(s.rss_per_subscriber_kb, 1),
    ...(stealShown ? [fmt(s.core_steal_ms)] : [])]);
}
const txOnly = rows.some(({ r }) => r.sink);
const flagged = rows.some(({ r }) => r.publisher?.connected_at_end === false);
const widths = header.map((_, i) => Math.max(...table.map((row) => String(row[i]).length)));
for (const row of table) console.log(row.map((c, i) => String(c).padStart(widths[i])).join('  '));

// Measured subscribers ("witnesses") per room: 4 unless the JSON says (older files do not).
const witnesses = (modes) => [...new Set(rows.filter(({ mode }) => modes(mode))
  .map(({ r }) => r.measured_per_room ?? 4))].join(' or ');
if (txOnly) console.log(`audiotx/videotx/multitx: transmit-only (every subscriber but the measured ones sent into a discarding ifb device, as a NIC would take them; loss and latency from the measured subscribers: ${witnesses((m) => /tx$/.test(m))} per room)`);
if (rows.some(({ mode }) => mode.startsWith('multi'))) console.log(`multi: audio, R rooms each of one publisher and N subscribers (N per room; latency from the measured subscribers, ${witnesses((m) => m.startsWith('multi'))} per room, at a different position of the fan-out in each room); multitx: the same, transmit-only`);
if (rows.some(({ r }) => r.hop_us)) console.log('hop: AuraLink\'s own measure, every datagram from its kernel arrival stamp on the server socket to the return of the sendmmsg that sent what it caused, in the measurement window');
if (stealShown) console.log('steal ms: the server core\'s steal time in the window (/proc/stat): the hypervisor gave the core to something else while the server wanted it');
if (rows.some(({ r }) => r.raw_frames)) console.log('* rtc.raw_udp_send: the server wrote frames for its non-local peers through a packet socket (run.sh --raw-send)');
if (flagged) console.log('! the publisher lost its connection during the run (server overloaded); the row is not a throughput figure');

// The runs of one row (run.sh --repeat): single runs on a shared machine vary, and a p99 the
// most, so the figures below are each row's median with its range. A run whose publisher lost its
// connection is left out.
const key = (row) => `${row.server}-${row.mode}-${row.rooms}-${row.n}`;
const groups = new Map();
for (const row of rows) {
  if (row.r.publisher?.connected_at_end === false) continue;
  if (!groups.has(key(row))) groups.set(key(row), { ...row, runs: [] });
  groups.get(key(row)).runs.push(row.r);
}
const median = (values) => {
  const v = values.filter((x) => x !== undefined && x !== null && !Number.isNaN(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const stat = (g, pick) => {
  const values = g.runs.map(pick).filter((x) => x !== undefined && x !== null && !Number.isNaN(x));
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), count: values.length };
};
const ranged = (st, d = 0) => (st.count > 1 ? `${fmt(st.median, d)} (${fmt(st.min, d)}-${fmt(st.max, d)})` : fmt(st.median, d));
const cpuOf = (r) => 100 * (r.server?.cpu_utilisation ?? NaN);
const rateOf = (r) => r.server?.packets_forwarded_per_cpu_second;
const p99Of = (r) => r.latency_us?.p99;
const hopOf = (r) => r.hop_us?.p99;
if (repeated) {
  const summary = [['server', 'mode', 'rooms', 'N', 'runs', 'srv CPU %', 'pkt/CPU-s', 'p99 us', 'hop p99',
    ...(stealShown ? ['steal ms'] : [])]];
  for (const g of groups.values()) {
    summary.push([g.server, g.mode, g.rooms, g.n, g.runs.length, ranged(stat(g, cpuOf), 1),
      ranged(stat(g, rateOf)), ranged(stat(g, p99Of)), ranged(stat(g, hopOf)),
      ...(stealShown ? [ranged(stat(g, (r) => r.server?.core_steal_ms))] : [])]);
  }
  const w = summary[0].map((_, i) => Math.max(...summary.map((row) => String(row[i]).length)));
  console.log('\nmedian over the runs of each row (min-max)');
  for (const row of summary) console.log(row.map((c, i) => String(c).padStart(w[i])).join('  '));
}

// The ratio at each load both servers ran: packets forwarded per CPU second (medians).
const ratios = [];
for (const ours of [...groups.values()].filter((x) => x.server === 'auralink')) {
  const theirs = groups.get(key({ ...ours, server: 'janus' }));
  const a = stat(ours, rateOf).median;
  const b = theirs ? stat(theirs, rateOf).median : NaN;
  if (a && b) ratios.push(`  ${ours.mode} N=${ours.n}: AuraLink/Janus per core = ${(a / b).toFixed(2)}`);
}
console.log(ratios.length ? `\nper-core throughput ratio\n${ratios.join('\n')}` : '\n(no Janus rows: no ratio)');
// Half load: the AuraLink row whose (median) server CPU is nearest half a core, among the rooms
// rows when there are any: in a single fan-out of N the last subscriber waits for the N - 1
// before it, whatever the load, so those rows measure the fan-out, not the load.
const measured = [...groups.values()].filter((x) => x.server === 'auralink' && !Number.isNaN(stat(x, cpuOf).median));
const roomRows = measured.filter((x) => x.mode.startsWith('multi'));
const loaded = roomRows.length ? roomRows : measured;
if (loaded.length) {
  const distance = (g) => Math.abs(stat(g, cpuOf).median - 50);
  const half = loaded.reduce((a, b) => (distance(a) <= distance(b) ? a : b));
  const hop = stat(half, hopOf);
  const runs = half.runs.length > 1 ? ` (median of ${half.runs.length} runs, range in brackets)` : '';
  console.log(`\nhalf load: ${half.mode} rooms=${half.rooms} N=${half.n} at ${ranged(stat(half, cpuOf), 1)}% ` +
    `server CPU: p99 ${ranged(stat(half, p99Of))} us one-way` +
    (hop.count ? `, hop through the server p99 ${ranged(hop)} us` : '') + runs);
}
console.log('\ntargets: >= 300000 SRTP packets per CPU second; p99 < 1000 us at half load (the rooms row ' +
  'whose server CPU is nearest 50%); ratio > 1');
