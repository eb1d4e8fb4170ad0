// Speech rate-quality benchmark driver (see bench/speech_rd). Runs build/auralink on every shared
// speech clip; all numbers come from `auralink audio encode|decode|compare --json`.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';

import { parseBenchArgs, pool, run, runJson } from './bench_lib.mjs';

const args = parseBenchArgs('speech_rd', process.argv.slice(2));
const bin = args.bin;
const speechDir = path.join(args.shared, 'media', 'speech');
if (!fs.existsSync(speechDir)) { console.error(`speech_rd: no clips in ${speechDir}`); process.exit(2); }
fs.mkdirSync(path.join(args.out, 'work'), { recursive: true });

const SUPPORTED_RATES = new Set([8000, 16000, 32000, 44100, 48000]);
const CLEAN = [
  ...[3200, 6000, 9200].map((b) => ({ codec: 'soundstream', bitrate: b })),
  ...[6000, 8000, 12000, 16000, 24000, 32000].map((b) => ({ codec: 'opus', bitrate: b })),
];
const LOSS_CODECS = [
  { codec: 'soundstream', bitrate: 6000 },
  { codec: 'opus', bitrate: 12000, fec: true },
  { codec: 'opus', bitrate: 32000, fec: true },
];
const LOSSES = [
  { name: '5% random', loss: 5, burstMs: 20 },
  { name: '10% random', loss: 10, burstMs: 20 },
  { name: '20% random', loss: 20, burstMs: 20 },
  { name: '10% in 60 ms bursts', loss: 10, burstMs: 60 },
  { name: '20% in 60 ms bursts', loss: 20, burstMs: 60 },
];

const auralink = (...a) => runJson(bin, ...a);

async function sampleRate(file) {
  const { stdout } = await run('soxi', ['-r', file]);
  return Number(stdout.trim());
}

async function prepareClips() {
  let files = fs.readdirSync(speechDir).filter((f) => /\.(wav|flac)$/.test(f)).sort();
  if (args.quick) files = files.filter((f) => f.startsWith('lyra_') || f.startsWith('vctk_'));
  const clips = [];
  for (const f of files) {
    const src = path.join(speechDir, f);
    let ref = src;
    if (!SUPPORTED_RATES.has(await sampleRate(src))) {
      // e.g. LJ Speech at 22.05 kHz: converted once to 16 kHz, which is then the reference.
      ref = path.join(args.out, 'work', f.replace(/\.\w+$/, '_16k.wav'));
      await run('sox', [src, '-r', '16000', '-c', '1', '-b', '16', ref]);
    }
    clips.push({ name: f.replace(/\.\w+$/, ''), ref });
  }
  return clips;
}

async function measure(clip, cfg, loss) {
  const tag = `${clip.name}_${cfg.codec}${cfg.bitrate}${cfg.fec ? 'fec' : ''}_${loss ? `${loss.loss}_${loss.burstMs}` : 'clean'}`;
  const aus = path.join(args.out, 'work', `${tag}.aus`);
  const wav = path.join(args.out, 'work', `${tag}.wav`);
  const enc = await auralink('audio', 'encode', '--codec', cfg.codec, '--bitrate', String(cfg.bitrate),
    ...(cfg.fec ? ['--fec'] : []), clip.ref, aus, '--json');
  const dec = await auralink('audio', 'decode', aus, wav, '--rate', '16000', '--json',
    ...(loss ? ['--loss', String(loss.loss), '--burst-ms', String(loss.burstMs), '--loss-seed', '7'] : []));
  const cmp = await auralink('audio', 'compare', clip.ref, wav, '--json');
  fs.rmSync(aus); fs.rmSync(wav);
  const expectedSamples = dec.frames * 320;
  return {
    clip: clip.name, codec: cfg.codec, bitrate_bps: cfg.bitrate, fec: !!cfg.fec,
    condition: loss ? loss.name : 'clean',
    payload_kbps: enc.payload_bitrate_bps / 1000, frames: enc.frames,
    lost_frames: dec.lost_frames, output_length_exact: dec.samples === expectedSamples,
    mos: cmp.mos, stoi: cmp.stoi, lsd_db: cmp.lsd_db, snr_db: cmp.snr_db,
  };
}


const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const label = (r) => `${r.codec === 'soundstream' ? 'SoundStream' : 'Opus'} ${r.bitrate_bps / 1000} kbps${r.fec ? ' +FEC' : ''}`;

function aggregate(rows) {
  const groups = new Map();
  for (const r of rows) {
    const key = `${label(r)}|${r.condition}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  }
  return [...groups.values()].map((g) => ({
    label: label(g[0]), codec: g[0].codec, bitrate_bps: g[0].bitrate_bps, condition: g[0].condition,
    clips: g.length, payload_kbps: mean(g.map((r) => r.payload_kbps)),
    mos: mean(g.map((r) => r.mos)), stoi: mean(g.map((r) => r.stoi)), lsd_db: mean(g.map((r) => r.lsd_db)),
    exact: g.every((r) => r.output_length_exact),
  }));
}

// The Opus payload bitrate (kbps) at which Opus's mean `measure` first reaches `value`, linearly
// interpolated between tested rates; null if no tested rate reaches it.
function opusKbpsAt(opus, measure, value) {
  for (let i = 0; i < opus.length; i++) {
    if (opus[i][measure] >= value) {
      if (i === 0) return { kbps: opus[0].payload_kbps, atMost: true };
      const a = opus[i - 1], b = opus[i];
      return { kbps: a.payload_kbps + (value - a[measure]) / (b[measure] - a[measure]) * (b.payload_kbps - a.payload_kbps), atMost: false };
    }
  }
  return null;
}

async function plot(clean) {
  const dat = path.join(args.out, 'clean.dat');
  const lines = [];
  for (const codec of ['soundstream', 'opus']) {
    lines.push(`# ${codec}`);
    for (const a of clean.filter((x) => x.codec === codec)) {
      lines.push(`${a.payload_kbps.toFixed(3)} ${a.mos.toFixed(4)} ${a.stoi.toFixed(4)} ${a.lsd_db.toFixed(3)}`);
    }
    lines.push('', '');
  }
  fs.writeFileSync(dat, lines.join('\n'));
  const script = `
set terminal pngcairo size 1500,450 font ",11"
set output '${path.join(args.out, 'speech_rd.png')}'
set multiplot layout 1,3 title "Speech quality vs bitrate (mean over ${clean[0].clips} clips)"
set logscale x 2
set xrange [2.5:40]
set xtics (3,4,6,8,12,16,24,32)
set grid
set key bottom right
set xlabel "payload bitrate (kbps)"
set ylabel "MOS (AuraLink ViSQOL-style, speech mode)"
plot '${dat}' index 0 using 1:2 with linespoints lw 2 pt 7 title "SoundStream (AuraLink engine)", \\
     '${dat}' index 1 using 1:2 with linespoints lw 2 pt 5 title "Opus (libopus, VOIP)"
set ylabel "STOI"
plot '${dat}' index 0 using 1:3 with linespoints lw 2 pt 7 title "SoundStream (AuraLink engine)", \\
     '${dat}' index 1 using 1:3 with linespoints lw 2 pt 5 title "Opus (libopus, VOIP)"
set ylabel "log-spectral distance (dB, lower is better)"
set key top right
plot '${dat}' index 0 using 1:4 with linespoints lw 2 pt 7 title "SoundStream (AuraLink engine)", \\
     '${dat}' index 1 using 1:4 with linespoints lw 2 pt 5 title "Opus (libopus, VOIP)"
unset multiplot
`;
  const gp = path.join(args.out, 'speech_rd.gp');
  fs.writeFileSync(gp, script);
  await run('gnuplot', [gp]);
}

const clips = await prepareClips();
const jobs = [];
for (const clip of clips) {
  for (const cfg of CLEAN) jobs.push(() => measure(clip, cfg, null));
  for (const cfg of LOSS_CODECS) for (const loss of LOSSES) jobs.push(() => measure(clip, cfg, loss));
}
console.error(`speech_rd: ${jobs.length} runs over ${clips.length} clips`);
const rows = await pool(jobs, Math.max(1, os.cpus().length));
const agg = aggregate(rows);
const clean = agg.filter((a) => a.condition === 'clean');
const lossy = agg.filter((a) => a.condition !== 'clean');

const md = [];
md.push(`Clean channel, mean over ${clips.length} clips (scored at 16 kHz against the original):`, '');
md.push('| codec | payload kbps | MOS | STOI | LSD dB |', '|---|---|---|---|---|');
for (const a of clean) md.push(`| ${a.label} | ${a.payload_kbps.toFixed(2)} | ${a.mos.toFixed(2)} | ${a.stoi.toFixed(3)} | ${a.lsd_db.toFixed(2)} |`);
md.push('', 'Packet loss (seeded, same pattern for every codec; output length exact in every run: ' +
  `${lossy.every((a) => a.exact) && clean.every((a) => a.exact) ? 'yes' : 'NO'}):`, '');
md.push('| codec | condition | MOS | STOI | LSD dB |', '|---|---|---|---|---|');
for (const a of lossy) md.push(`| ${a.label} | ${a.condition} | ${a.mos.toFixed(2)} | ${a.stoi.toFixed(3)} | ${a.lsd_db.toFixed(2)} |`);

const opus = clean.filter((a) => a.codec === 'opus').sort((x, y) => x.bitrate_bps - y.bitrate_bps);
const opus32 = opus.find((a) => a.bitrate_bps === 32000);
md.push('');
for (const s of clean.filter((a) => a.codec === 'soundstream')) {
  const vs32 = 100 * (1 - s.payload_kbps / opus32.payload_kbps);
  const equal = (measure, digits) => {
    const at = opusKbpsAt(opus, measure, s[measure]);
    if (at === null) return `Opus reaches its ${measure.toUpperCase()} at no tested rate`;
    const saving = `${(100 * (1 - s.payload_kbps / at.kbps)).toFixed(0)}%`;
    return `${at.atMost ? 'at most ' : ''}${saving} against Opus at equal ${measure.toUpperCase()} ` +
      `(Opus needs ${at.atMost ? 'at most ' : '~'}${at.kbps.toFixed(1)} kbps for ${measure.toUpperCase()} ${s[measure].toFixed(digits)})`;
  };
  md.push(`- ${s.label} (MOS ${s.mos.toFixed(2)}, STOI ${s.stoi.toFixed(3)}): ${vs32.toFixed(0)}% fewer bits than ` +
    `Opus 32 kbps (MOS ${opus32.mos.toFixed(2)}, STOI ${opus32.stoi.toFixed(3)}); ${equal('mos', 2)}; ${equal('stoi', 3)}.`);
}
const table = md.join('\n');
fs.writeFileSync(path.join(args.out, 'table.md'), table + '\n');
fs.writeFileSync(path.join(args.out, 'results.json'), JSON.stringify({ clips: clips.map((c) => c.name), aggregate: agg, rows }, null, 1));
await plot(clean);
console.log(table);
console.log(`\nwritten: ${path.join(args.out, 'table.md')}, results.json, speech_rd.png`);
if (!rows.every((r) => r.output_length_exact)) process.exit(1);
