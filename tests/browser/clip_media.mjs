// The shared clips as Chromium's fake capture files: each participant gets its own video clip,
// scaled to the capture size (so that Chromium sends all three simulcast layers), and its own
// speech clip as 48 kHz mono WAV. ffmpeg converts them into a scratch folder at test time
// (nothing lands in the repository). The luma grids of every frame of each source clip, made as
// the page makes them, let the driver check that what a subscriber decodes is the publisher's
// clip and not the other one.

import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import {kGridHeight, kGridScale, kGridWidth, lumaGridFromRgb} from './frame_match.mjs';
import {kRepositoryRoot} from './page_server.mjs';

export const kSharedDir =
    process.env.AURALINK_SHARED || path.resolve(kRepositoryRoot, '..', 'shared');

// Two clips per participant, chosen to look and sound unlike each other.
const kParticipantClips = [
  {
    video: 'media/video/talkinghead_hdtf_KatieHill_512x512_25fps_75f_decoded.y4m',
    audio: 'media/speech/ljspeech_LJ001-0001.wav',
  },
  {
    video: 'media/video/highmotion_foreman_cif_352x288_30fps_f160-249_decoded.y4m',
    audio: 'media/speech/vctk_p226_003.wav',
  },
];

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {stdio: ['ignore', 'pipe', 'pipe']});
    const stdout = [];
    let stderr = '';
    child.stdout.on('data', (chunk) => stdout.push(chunk));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', (error) => reject(new Error(`${command}: ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(stdout));
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.trim()}`));
    });
  });
}

// Why the clips cannot be used here, or null when they can.
export function clipsUnavailable() {
  for (const clip of kParticipantClips) {
    for (const file of [clip.video, clip.audio]) {
      if (!fs.existsSync(path.join(kSharedDir, file))) {
        return `no ${file} under ${kSharedDir} (set AURALINK_SHARED)`;
      }
    }
  }
  return null;
}

async function sourceGrids(videoFile) {
  const width = kGridWidth * kGridScale;
  const height = kGridHeight * kGridScale;
  const rgb = await run('ffmpeg', [
    '-v', 'error', '-i', videoFile, '-vf', `scale=${width}:${height}:flags=area`,
    '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-',
  ]);
  const frameBytes = width * height * 3;
  const grids = [];
  for (let offset = 0; offset + frameBytes <= rgb.length; offset += frameBytes) {
    grids.push(lumaGridFromRgb(rgb.subarray(offset, offset + frameBytes), width, height));
  }
  if (grids.length === 0) throw new Error(`ffmpeg decoded no frames from ${videoFile}`);
  return grids;
}

// Luma grids of every frame of participant `index`'s video clip, scaled straight from the source.
export function participantClipGrids(index) {
  return sourceGrids(path.join(kSharedDir, kParticipantClips[index].video));
}

// Converts participant `index`'s clips into `workDir`; resolves to
// {videoFile, audioFile, sourceVideo, sourceAudio, grids}.
export async function prepareParticipantClips(index, workDir, capture) {
  const clip = kParticipantClips[index];
  const sourceVideo = path.join(kSharedDir, clip.video);
  const sourceAudio = path.join(kSharedDir, clip.audio);
  const videoFile = path.join(workDir, `participant${index}.y4m`);
  const audioFile = path.join(workDir, `participant${index}.wav`);
  await run('ffmpeg', [
    '-v', 'error', '-y', '-i', sourceVideo,
    '-vf', `scale=${capture.width}:${capture.height}:flags=bicubic,format=yuv420p`,
    '-f', 'yuv4mpegpipe', videoFile,
  ]);
  await run('ffmpeg', [
    '-v', 'error', '-y', '-i', sourceAudio, '-ac', '1', '-ar', '48000', '-c:a', 'pcm_s16le',
    audioFile,
  ]);
  return {videoFile, audioFile, sourceVideo, sourceAudio, grids: await sourceGrids(sourceVideo)};
}

function hasFfmpeg() {
  return spawnSync('ffmpeg', ['-version'], {stdio: 'ignore'}).status === 0;
}

// Which capture the run uses: AURALINK_BROWSER_MEDIA=clips (the shared clips, required),
// fake (Chromium's built-in pattern and beep) or auto (the default: clips when they and ffmpeg
// are there). Returns {mode, reason} or {unavailable} when clips were required but cannot be had.
export function chooseCaptureMedia(requested = process.env.AURALINK_BROWSER_MEDIA || 'auto') {
  if (!['auto', 'clips', 'fake'].includes(requested)) {
    return {unavailable: `AURALINK_BROWSER_MEDIA must be auto, clips or fake, not '${requested}'`};
  }
  if (requested === 'fake') return {mode: 'fake', reason: 'AURALINK_BROWSER_MEDIA=fake'};
  const why = clipsUnavailable() ?? (hasFfmpeg() ? null : 'ffmpeg is not installed');
  if (!why) return {mode: 'clips', reason: `shared clips under ${kSharedDir}`};
  if (requested === 'clips') return {unavailable: why};
  return {mode: 'fake', reason: `Chromium's test pattern, because ${why}`};
}
