// Prints the table of bench/sfu/run.sh from its JSON files: one row per server, mode and
// subscriber count, then AuraLink's per-core throughput against Janus's at the same load.
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
const rows = [];
for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const [server, mode, n] = path.basename(name, '.json').split('-');
  const r = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
  // AuraLink's own hop figures (rtc.measure_hop_latency), from the log it wrote when it stopped.
  const log = path.join(dir, name.replace(/\.json$/, '.log'));
  if (fs.existsSync(log)) {
    // The load generator signals the window's start (report 1) and end (report 2).
    const m = fs.readFileSync(log, 'utf8').match(/hop latency \(arrival to send, us\) report 2: count=(\d+) p50=(\d+) p99=(\d+)/);
    if (m) r.hop_us = { count: Number(m[1]), p50: Number(m[2]), p99: Number(m[3]) };
  }
  // "multi" rows are named RxN: R rooms of N subscribers.
  const rooms = r.rooms ?? 1;
  rows.push({ server, mode, n: r.subscribers_per_room ?? Number(n), rooms, r });
}
rows.sort((a, b) => a.server.localeCompare(b.server) || a.mode.localeCompare(b.mode) ||
  a.rooms - b.rooms || a.n - b.n);

const fmt = (v, d = 0) => (v === undefined || v === null || Number.isNaN(v) ? '-' : Number(v).toFixed(d));
const header = ['server', 'mode', 'rooms', 'N', 'recv', 'out pkt/s', 'loss %', 'srv CPU %', 'pkt/CPU-s',
  'p50 us', 'p99 us', 'hop p50', 'hop p99', 'KB/sub'];
const table = [header];
for (const { server, mode, n, rooms, r } of rows) {
  const s = r.server ?? {};
  // A publisher that lost its connection mid-run (consent expired) starves the row: flag it.
  const flag = r.publisher?.connected_at_end === false ? '!' : '';
  // Transmit-only rows: most subscribers' packets went to the discarding device (r.sink).
  const out = r.subscribers.packets_per_second + (r.sink?.rtp_packets_per_second ?? 0);
  table.push([server, mode + flag, rooms, n, r.subscribers_receiving, fmt(out),
    fmt(100 * r.subscribers.loss_fraction, 2), fmt(100 * (s.cpu_utilisation ?? NaN), 1),
    fmt(s.packets_forwarded_per_cpu_second), fmt(r.latency_us.p50), fmt(r.latency_us.p99),
    fmt(r.hop_us?.p50), fmt(r.hop_us?.p99), fmt(s.rss_per_subscriber_kb, 1)]);
}
const txOnly = rows.some(({ r }) => r.sink);
const flagged = rows.some(({ r }) => r.publisher?.connected_at_end === false);
const widths = header.map((_, i) => Math.max(...table.map((row) => String(row[i]).length)));
for (const row of table) console.log(row.map((c, i) => String(c).padStart(widths[i])).join('  '));

if (txOnly) console.log('audiotx/videotx/multitx: transmit-only (every subscriber but the measured four sent into a discarding ifb device, as a NIC would take them; loss and latency from the four)');
if (rows.some(({ mode }) => mode.startsWith('multi'))) console.log('multi: audio, R rooms each of one publisher and N subscribers (N per room; latency from 4 witnesses per room); multitx: the same, transmit-only');
if (rows.some(({ r }) => r.hop_us)) console.log('hop: AuraLink\'s own measure, every datagram from its kernel arrival stamp on the server socket to the return of the sendmmsg that sent what it caused, in the measurement window');
if (flagged) console.log('! the publisher lost its connection during the run (server overloaded); the row is not a throughput figure');

// The ratio at each load both servers ran: packets forwarded per CPU second.
const key = (row) => `${row.mode}-${row.rooms}-${row.n}`;
const janus = new Map(rows.filter((x) => x.server === 'janus').map((x) => [key(x), x]));
const ratios = [];
for (const ours of rows.filter((x) => x.server === 'auralink')) {
  const theirs = janus.get(key(ours));
  const a = ours.r.server?.packets_forwarded_per_cpu_second;
  const b = theirs?.r.server?.packets_forwarded_per_cpu_second;
  if (theirs?.r.publisher?.connected_at_end === false || ours.r.publisher?.connected_at_end === false) continue;
  if (a && b) ratios.push(`  ${ours.mode} N=${ours.n}: AuraLink/Janus per core = ${(a / b).toFixed(2)}`);
}
console.log(ratios.length ? `\nper-core throughput ratio\n${ratios.join('\n')}` : '\n(no Janus rows: no ratio)');
// Half load: the AuraLink row whose server CPU is nearest half a core.
const loaded = rows.filter((x) => x.server === 'auralink' && x.r.server?.cpu_utilisation);
if (loaded.length) {
  const half = loaded.reduce((a, b) =>
    Math.abs(a.r.server.cpu_utilisation - 0.5) <= Math.abs(b.r.server.cpu_utilisation - 0.5) ? a : b);
  console.log(`\nhalf load: ${half.mode} rooms=${half.rooms} N=${half.n} at ${fmt(100 * half.r.server.cpu_utilisation, 1)}% ` +
    `server CPU: p99 ${fmt(half.r.latency_us.p99)} us one-way` +
    (half.r.hop_us ? `, hop through the server p99 ${fmt(half.r.hop_us.p99)} us` : ''));
}
console.log('\ntargets: >= 300000 SRTP packets per CPU second; p99 < 1000 us at half load (the row ' +
  'whose server CPU is nearest 50%); ratio > 1');
