// Video rate-quality benchmark driver (see bench/video_rd). Every number comes from
// `auralink video baseline|encode|decode|compare --json`. Quality is viewer-side: decode restores
// one picture per source frame (a skipped frame repeats the previous picture, smaller pictures are
// scaled up), and compare scores it against the source.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';

import { parseBenchArgs, pool, run, runJson } from './bench_lib.mjs';

const args = parseBenchArgs('video_rd', process.argv.slice(2));
const bin = args.bin;
const videoDir = path.join(args.shared, 'media', 'video');
if (!fs.existsSync(videoDir)) { console.error(`video_rd: no clips in ${videoDir}`); process.exit(2); }
const work = path.join(args.out, 'work');
fs.mkdirSync(work, { recursive: true });

const CODECS = ['vp8', 'vp9', 'av1', 'h264'];
const MODES = ['conservative', 'adaptive', 'aggressive'];
const CBR_FACTORS = args.quick ? [0.2, 0.5, 1.0] : [0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5];

const auralink = (...a) => runJson(bin, ...a);

async function clips() {
  const list = [
    { name: 'talking head', kind: 'talking_head', file: path.join(videoDir, 'talkinghead_hdtf_KatieHill_512x512_25fps_75f_decoded.y4m') },
    { name: 'high motion', kind: 'high_motion', file: path.join(videoDir, 'highmotion_foreman_cif_352x288_30fps_f160-249_decoded.y4m') },
    { name: 'screen content', kind: 'screen', file: path.join(videoDir, 'screen_pdf_reader_scroll_1024x768_25fps_f24-48_decoded.y4m') },
  ];
  // 720p webcam: decoded from the shared H.264 stream by AuraLink's own openh264 decoder.
  const h264 = path.join(videoDir, 'src_openh264_Zhling_1280x720.264');
  if (fs.existsSync(h264)) {
    const y4m = path.join(work, 'zhling_1280x720_25fps.y4m');
    await auralink('video', 'decode', h264, y4m, '--fps', '25', '--json');
    list.push({ name: '720p webcam', kind: 'webcam_720p', file: y4m });
  }
  return (args.quick ? list.slice(0, 2) : list).filter((c) => fs.existsSync(c.file));
}

async function score(clip, encodedPath, tag) {
  const decoded = path.join(work, `${tag}.y4m`);
  const dec = await auralink('video', 'decode', encodedPath, decoded, '--json');
  const cmp = await auralink('video', 'compare', clip.file, decoded, '--json');
  fs.rmSync(decoded);
  fs.rmSync(encodedPath);
  return { ssim_y: cmp.ssim_y, psnr_y: cmp.psnr_y, ms_ssim_y: cmp.ms_ssim_y, decoded_frames: dec.frames,
    decode_errors: dec.decode_errors, per_frame_ssim: cmp.per_frame.map((f) => f.ssim_y) };
}

async function measure(clip, cfg) {
  const tag = `${clip.kind}_${cfg.label.replace(/[^a-z0-9]+/gi, '_')}`;
  const out = path.join(work, `${tag}.ivf`);
  const enc = cfg.baseline
    ? await auralink('video', 'baseline', clip.file, out, '--json')
    : await auralink('video', 'encode', clip.file, out, ...(cfg.codec ? ['--codec', cfg.codec] : []),
      '--mode', cfg.mode, ...(cfg.bitrate ? ['--bitrate', String(cfg.bitrate)] : []), '--json');
  const q = await score(clip, out, tag);
  return { clip: clip.name, kind: clip.kind, label: cfg.label, mode: cfg.baseline ? 'baseline' : cfg.mode,
    codec: enc.codec, bitrate_kbps: enc.bitrate_kbps, frames: enc.frames, encode_fps: enc.encode_fps,
    encode_ms_median: enc.encode_ms_median, encode_ms_p95: enc.encode_ms_p95, fallbacks: enc.fallbacks,
    ...q };
}


const clipList = await clips();
const rows = [];
for (const clip of clipList) {
  // Baseline first: its bitrate scales this clip's CBR sweep.
  const base = await measure(clip, { baseline: true, label: 'baseline (VP8 CBR, LiveKit preset)' });
  rows.push(base);
  const jobs = [];
  for (const mode of MODES) {
    jobs.push(() => measure(clip, { mode, label: `AIC ${mode} (codec chosen by AIC)` }));
    for (const codec of CODECS) jobs.push(() => measure(clip, { mode, codec, label: `AIC ${mode} ${codec}` }));
  }
  for (const codec of CODECS) {
    for (const f of CBR_FACTORS) {
      const bitrate = Math.max(20, Math.round(base.bitrate_kbps * f));
      jobs.push(() => measure(clip, { mode: 'off', codec, bitrate, label: `CBR ${codec} ${bitrate} kbps` }));
    }
  }
  console.error(`video_rd: ${clip.name}: ${jobs.length + 1} encodes`);
  rows.push(...await pool(jobs, Math.max(1, Math.min(2, os.cpus().length))));
}

// Tables.
const md = [];
const targets = [];
for (const clip of clipList) {
  const base = rows.find((r) => r.clip === clip.name && r.mode === 'baseline');
  md.push(`### ${clip.name} (\`${path.basename(clip.file)}\`)`, '');
  md.push('| encode | kbps | SSIM-Y | PSNR-Y dB | saving vs baseline | SSIM vs baseline | encode fps (one core) | fallbacks |');
  md.push('|---|---|---|---|---|---|---|---|');
  for (const r of rows.filter((x) => x.clip === clip.name && !x.label.startsWith('CBR'))) {
    const saving = r.mode === 'baseline' ? '-' : `${(100 * (1 - r.bitrate_kbps / base.bitrate_kbps)).toFixed(0)}%`;
    const dssim = r.mode === 'baseline' ? '-' : (r.ssim_y - base.ssim_y >= 0 ? '+' : '') + (r.ssim_y - base.ssim_y).toFixed(4);
    md.push(`| ${r.label}${r.codec && r.label.includes('chosen') ? ` -> ${r.codec}` : ''} | ${r.bitrate_kbps.toFixed(1)} | ${r.ssim_y.toFixed(4)} | ${r.psnr_y.toFixed(2)} | ${saving} | ${dssim} | ${r.encode_fps.toFixed(0)} | ${r.fallbacks ?? 0} |`);
  }
  md.push('');
  const adaptive = rows.find((r) => r.clip === clip.name && r.label === 'AIC adaptive (codec chosen by AIC)');
  if (adaptive) {
    const saving = 100 * (1 - adaptive.bitrate_kbps / base.bitrate_kbps);
    const held = adaptive.ssim_y >= base.ssim_y - 0.005;
    if (clip.kind === 'talking_head') targets.push(`talking head: adaptive saves ${saving.toFixed(0)}% (target >= 80%) at SSIM ${adaptive.ssim_y.toFixed(4)} vs baseline ${base.ssim_y.toFixed(4)} (held within 0.005: ${held ? 'yes' : 'no'}) -> ${saving >= 80 && held ? 'MET' : 'NOT MET'}`);
    if (clip.kind === 'high_motion') targets.push(`high motion: adaptive saves ${saving.toFixed(0)}% (target >= 40%) at SSIM ${adaptive.ssim_y.toFixed(4)} vs baseline ${base.ssim_y.toFixed(4)} (held within 0.005: ${held ? 'yes' : 'no'}) -> ${saving >= 40 && held ? 'MET' : 'NOT MET'}`);
    if (clip.kind === 'webcam_720p') targets.push(`720p: the default AIC path encodes at ${adaptive.encode_fps.toFixed(0)} fps on one core (target >= 30) -> ${adaptive.encode_fps >= 30 ? 'MET' : 'NOT MET'}`);
  }
}
md.push('Targets:', '', ...targets.map((t) => `- ${t}`));

// Plots: SSIM vs kbps per clip, CBR curves per codec, baseline and AIC adaptive points.
const pngs = [];
for (const clip of clipList) {
  const dat = path.join(args.out, `${clip.kind}.dat`);
  const blocks = [];
  for (const codec of CODECS) {
    blocks.push(rows.filter((r) => r.clip === clip.name && r.label.startsWith(`CBR ${codec} `))
      .sort((a, b) => a.bitrate_kbps - b.bitrate_kbps).map((r) => `${r.bitrate_kbps} ${r.ssim_y}`).join('\n'));
  }
  blocks.push(rows.filter((r) => r.clip === clip.name && r.mode === 'baseline').map((r) => `${r.bitrate_kbps} ${r.ssim_y}`).join('\n'));
  blocks.push(rows.filter((r) => r.clip === clip.name && r.label.includes('chosen')).map((r) => `${r.bitrate_kbps} ${r.ssim_y} "${r.mode}"`).join('\n'));
  fs.writeFileSync(dat, blocks.join('\n\n\n') + '\n');
  const png = path.join(args.out, `video_rd_${clip.kind}.png`);
  const gp = `
set terminal pngcairo size 800,520 font ",11"
set output '${png}'
set title "${clip.name}: SSIM-Y vs bitrate (viewer-side)"
set logscale x 2
set grid
set key bottom right
set xlabel "kbps"
set ylabel "SSIM-Y"
plot for [i=0:3] '${dat}' index i using 1:2 with linespoints lw 2 title word("VP8 VP9 AV1 H.264", i+1)." CBR", \\
     '${dat}' index 4 using 1:2 with points pt 9 ps 2.5 lc rgb "black" title "baseline (LiveKit VP8 preset)", \\
     '${dat}' index 5 using 1:2 with points pt 7 ps 2 lc rgb "red" title "AIC modes", \\
     '${dat}' index 5 using 1:2:3 with labels offset 0,1 notitle
`;
  fs.writeFileSync(path.join(args.out, `${clip.kind}.gp`), gp);
  await run('gnuplot', [path.join(args.out, `${clip.kind}.gp`)]);
  pngs.push(png);
}

const table = md.join('\n');
fs.writeFileSync(path.join(args.out, 'table.md'), table + '\n');
fs.writeFileSync(path.join(args.out, 'results.json'), JSON.stringify({ clips: clipList.map((c) => c.name), rows }, null, 1));
console.log(table);
console.log(`\nwritten: ${path.join(args.out, 'table.md')}, results.json, ${pngs.map((p) => path.basename(p)).join(', ')}`);
