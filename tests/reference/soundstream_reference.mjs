// Runs the Lyra v2 SoundStream graphs (encoder, residual vector quantizer, LyraGAN decoder) on
// Google's LiteRT.js WebAssembly runtime (@litertjs/core, CPU/XNNPACK) and dumps every
// intermediate result, so that AuraLink's own TFLite engine can be compared against it
// (soundstream_reference_compare.cc).
//
// Usage:
//   node soundstream_reference.mjs --models DIR --input IN.f32 --out DIR [--quantizers 16,30,46]
//                                  [--verbose]
//
// IN.f32 is raw little-endian float32 mono 16 kHz audio on the int16/32768 scale; floor(n/320)
// 20 ms frames are processed in order. Written to --out:
//   features.f32            frames x 64 float32   encoder output
//   indices_q{N}.i32        frames x 46 int32     quantizer `encode` with num_quantizers = N
//   dequantized_q{N}.f32    frames x 64 float32   quantizer `decode` of those indices
//   decoded_q{N}.f32        frames x 320 float32  decoder fed with dequantized_q{N}
//   meta.json               frame count, quantizers, LiteRT version, median ms per call
//
// The encoder and decoders carry causal context in TFLite resource variables, so each graph is
// one long-lived compiled model whose state persists across frames, as in the reference
// implementation (lyra/lyra_encoder.cc and lyra/lyra_decoder.cc never reset it). There is one
// decoder instance per bitrate because each bitrate is a separate decoded stream.
//
// Node shims (LiteRT.js targets browsers and web workers):
//   - @litertjs/wasm-utils loads the Emscripten glue with `importScripts` when it exists (the
//     web-worker path). We provide `self` and an `importScripts` that evaluates the glue file
//     as CommonJS from node_modules/@litertjs/core/wasm/ and exposes its factory as
//     `self.ModuleFactory`, which is where the worker path expects it.
//   - The same shim sets `self.Module` with the .wasm bytes read from that local folder
//     (`wasmBinary`), so nothing is ever fetched; `fetch` is also disabled while loading.
//   - Node 20 has no `navigator`, so LiteRT.js's attempt to open a WebGPU device fails; the
//     resulting warning is filtered and every model is compiled for the 'wasm' accelerator.
//   - LiteRT's native INFO/WARNING log lines are dropped unless --verbose.

import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import os from 'node:os';
import {createRequire} from 'node:module';
import {performance} from 'node:perf_hooks';

const kFrameSamples = 320;
const kFeatureDims = 64;
const kQuantizerLevels = 46;
const kMaxQuantizers = 46;

function usage(message) {
  if (message) console.error(`soundstream_reference: ${message}`);
  console.error(
      'usage: node soundstream_reference.mjs --models DIR --input IN.f32 --out DIR ' +
      '[--quantizers 16,30,46] [--verbose]');
  process.exit(2);
}

function parseArgs(argv) {
  const args = {quantizers: [16, 30, 46], verbose: false};
  for (let i = 0; i < argv.length; ++i) {
    const flag = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${flag} needs a value`);
      return argv[++i];
    };
    switch (flag) {
      case '--models': args.models = value(); break;
      case '--input': args.input = value(); break;
      case '--out': args.out = value(); break;
      case '--quantizers': {
        const text = value();
        args.quantizers = text.split(',').map((s) => Number(s.trim()));
        for (const n of args.quantizers) {
          if (!Number.isInteger(n) || n < 1 || n > kMaxQuantizers) {
            usage(`--quantizers: '${text}' is not a list of integers in 1..${kMaxQuantizers}`);
          }
        }
        break;
      }
      case '--verbose': args.verbose = true; break;
      case '--help': case '-h': usage(); break;
      default: usage(`unknown argument '${flag}'`);
    }
  }
  if (!args.models || !args.input || !args.out) usage('--models, --input and --out are required');
  return args;
}

// Installs the shims described at the top of the file. Returns a record filled in with the
// name of the glue file that LiteRT.js chose (it picks the relaxed-SIMD build when the engine
// supports it and the plain-SIMD "compat" build otherwise).
function installNodeShims(verbose) {
  const loaded = {glue: null};
  globalThis.self = globalThis;
  globalThis.importScripts = (url) => {
    const file = url instanceof URL ? url.pathname : String(url);
    const source = fs.readFileSync(file, 'utf8');
    const wrapper = vm.runInThisContext(
        `(function (exports, require, module, __filename, __dirname) {${source}\n})`,
        {filename: file});
    const module = {exports: {}};
    wrapper(module.exports, createRequire(file), module, file, path.dirname(file));
    if (typeof module.exports !== 'function') {
      throw new Error(`${file} did not export an Emscripten module factory`);
    }
    globalThis.ModuleFactory = module.exports;
    const dropLine = () => {};
    globalThis.Module = {
      wasmBinary: fs.readFileSync(file.replace(/\.js$/, '.wasm')),
      print: verbose ? (line) => console.error(line) : dropLine,
      printErr: verbose ? (line) => console.error(line) : dropLine,
    };
    loaded.glue = path.basename(file);
  };
  return loaded;
}

async function loadRuntime(verbose) {
  const require = createRequire(import.meta.url);
  const packageDir = path.dirname(path.dirname(require.resolve('@litertjs/core')));
  const packageJson = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  const wasmDir = path.join(packageDir, 'wasm') + path.sep;

  const loaded = installNodeShims(verbose);
  const litert = await import('@litertjs/core');

  const realFetch = globalThis.fetch;
  const realWarn = console.warn;
  globalThis.fetch = () => {
    throw new Error('soundstream_reference: LiteRT.js tried to fetch; only local files are allowed');
  };
  console.warn = (...parts) => {
    if (!verbose && String(parts[0]).startsWith('Failed to create default WebGPU device')) return;
    realWarn(...parts);
  };
  try {
    await litert.loadLiteRt(wasmDir);
  } finally {
    globalThis.fetch = realFetch;
    console.warn = realWarn;
  }
  return {litert, version: packageJson.version, glue: loaded.glue};
}

class ReferenceGraphs {
  constructor(litert, modelsDir) {
    this.litert = litert;
    this.bytes = {};
    for (const name of ['soundstream_encoder', 'quantizer', 'lyragan']) {
      const file = path.join(modelsDir, `${name}.tflite`);
      if (!fs.existsSync(file)) throw new Error(`model file ${file} not found`);
      this.bytes[name] = new Uint8Array(fs.readFileSync(file));
    }
  }

  // Each call compiles a fresh instance, which owns its own resource variables.
  async compile(name) {
    return this.litert.loadAndCompile(this.bytes[name], {accelerator: 'wasm'});
  }
}

// Runs one signature, copies the named outputs to JS arrays and frees every wasm-side tensor.
async function runSignature(litert, signature, inputs, outputNames) {
  const inputTensors = {};
  const outputs = {};
  let results = null;
  try {
    for (const [name, {data, shape}] of Object.entries(inputs)) {
      inputTensors[name] = new litert.Tensor(data, shape);
    }
    results = await signature.run(inputTensors);
    for (const name of outputNames) {
      if (!(name in results)) throw new Error(`signature ${signature.key} has no output ${name}`);
      outputs[name] = results[name].toTypedArray();
    }
  } finally {
    for (const tensor of Object.values(inputTensors)) tensor.delete();
    if (results) for (const tensor of Object.values(results)) tensor.delete();
  }
  return outputs;
}

class TimedStage {
  constructor() { this.ms = []; }
  async time(fn) {
    const start = performance.now();
    const result = await fn();
    this.ms.push(performance.now() - start);
    return result;
  }
  median() {
    if (this.ms.length === 0) return null;
    const sorted = [...this.ms].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}

function encoderSignature(model) { return model.signatures['serving_default'] ?? model.defaultSignature; }
function decoderSignature(model) { return model.signatures['serving_default'] ?? model.defaultSignature; }

async function runEncoder(litert, model, frame) {
  const out = await runSignature(
      litert, encoderSignature(model), {input_audio: {data: frame, shape: [1, kFrameSamples]}},
      ['output_0']);
  return expectLength(out.output_0, kFeatureDims, 'encoder output');
}

async function runDecoder(litert, model, features) {
  const out = await runSignature(
      litert, decoderSignature(model),
      {input_audio: {data: features, shape: [1, 1, kFeatureDims]}}, ['output_0']);
  return expectLength(out.output_0, kFrameSamples, 'decoder output');
}

async function runQuantizerEncode(litert, model, features, numQuantizers) {
  const out = await runSignature(
      litert, model.signatures['encode'],
      {
        input_frames: {data: features, shape: [1, 1, kFeatureDims]},
        num_quantizers: {data: Int32Array.of(numQuantizers), shape: []},
      },
      ['output_0']);
  return expectLength(out.output_0, kQuantizerLevels, 'quantizer encode output');
}

async function runQuantizerDecode(litert, model, indices) {
  const out = await runSignature(
      litert, model.signatures['decode'],
      {encoding_indices: {data: indices, shape: [kQuantizerLevels, 1, 1]}}, ['output_0']);
  return expectLength(out.output_0, kFeatureDims, 'quantizer decode output');
}

function expectLength(array, length, what) {
  if (array.length !== length) {
    throw new Error(`${what} has ${array.length} elements, expected ${length}`);
  }
  return array;
}

function maxAbsDifference(a, b) {
  let max = 0;
  for (let i = 0; i < a.length; ++i) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

// The comparison is only meaningful if LiteRT.js keeps the resource variables of one compiled
// model alive between run() calls and separate compiled models do not share them. Checked on
// throwaway instances with a synthetic voiced frame, so it does not disturb the real run.
async function verifyStatefulness(litert, graphs) {
  const frame = new Float32Array(kFrameSamples);
  for (let i = 0; i < kFrameSamples; ++i) {
    frame[i] = 0.2 * Math.sin(2 * Math.PI * 220 * i / 16000) +
        0.05 * Math.sin(2 * Math.PI * 1370 * i / 16000);
  }
  const encoderA = await graphs.compile('soundstream_encoder');
  const encoderB = await graphs.compile('soundstream_encoder');
  const decoderA = await graphs.compile('lyragan');
  const decoderB = await graphs.compile('lyragan');
  try {
    const first = await runEncoder(litert, encoderA, frame);
    const second = await runEncoder(litert, encoderA, frame);
    const fresh = await runEncoder(litert, encoderB, frame);
    const decodedFirst = await runDecoder(litert, decoderA, first);
    const decodedSecond = await runDecoder(litert, decoderA, first);
    const decodedFresh = await runDecoder(litert, decoderB, first);
    const check = {
      encoder_repeat_max_abs_diff: maxAbsDifference(first, second),
      encoder_fresh_instance_max_abs_diff: maxAbsDifference(first, fresh),
      decoder_repeat_max_abs_diff: maxAbsDifference(decodedFirst, decodedSecond),
      decoder_fresh_instance_max_abs_diff: maxAbsDifference(decodedFirst, decodedFresh),
    };
    if (!(check.encoder_repeat_max_abs_diff > 0) || !(check.decoder_repeat_max_abs_diff > 0)) {
      throw new Error(
          'LiteRT.js did not keep the graphs\' state between calls (same frame twice gave the ' +
          `same output): ${JSON.stringify(check)}`);
    }
    if (check.encoder_fresh_instance_max_abs_diff !== 0 ||
        check.decoder_fresh_instance_max_abs_diff !== 0) {
      throw new Error(
          'two fresh LiteRT.js instances disagreed on their first frame, so state is shared ' +
          `between instances or the runtime is not deterministic: ${JSON.stringify(check)}`);
    }
    return check;
  } finally {
    for (const model of [encoderA, encoderB, decoderA, decoderB]) model.delete();
  }
}

function readInput(file) {
  const bytes = fs.readFileSync(file);
  if (bytes.byteLength % 4 !== 0) {
    throw new Error(`${file}: ${bytes.byteLength} bytes is not a whole number of float32 samples`);
  }
  const samples = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(samples.buffer).set(bytes);
  return samples;
}

function writeArray(dir, name, typedArray) {
  fs.writeFileSync(
      path.join(dir, name),
      new Uint8Array(typedArray.buffer, typedArray.byteOffset, typedArray.byteLength));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (os.endianness() !== 'LE') throw new Error('the dump format is little-endian only');

  const samples = readInput(args.input);
  const frames = Math.floor(samples.length / kFrameSamples);
  if (frames === 0) throw new Error(`${args.input} is shorter than one ${kFrameSamples}-sample frame`);

  const {litert, version, glue} = await loadRuntime(args.verbose);
  const graphs = new ReferenceGraphs(litert, args.models);
  const stateCheck = await verifyStatefulness(litert, graphs);

  const encoder = await graphs.compile('soundstream_encoder');
  const quantizer = await graphs.compile('quantizer');
  const decoders = [];
  for (let q = 0; q < args.quantizers.length; ++q) decoders.push(await graphs.compile('lyragan'));

  const features = new Float32Array(frames * kFeatureDims);
  const perN = args.quantizers.map(() => ({
    indices: new Int32Array(frames * kQuantizerLevels),
    dequantized: new Float32Array(frames * kFeatureDims),
    decoded: new Float32Array(frames * kFrameSamples),
  }));
  const timing = {
    encoder: new TimedStage(),
    quantizer_encode: new TimedStage(),
    quantizer_decode: new TimedStage(),
    decoder: new TimedStage(),
  };

  for (let f = 0; f < frames; ++f) {
    const frame = samples.subarray(f * kFrameSamples, (f + 1) * kFrameSamples);
    const frameFeatures = await timing.encoder.time(() => runEncoder(litert, encoder, frame));
    features.set(frameFeatures, f * kFeatureDims);
    for (let q = 0; q < args.quantizers.length; ++q) {
      const indices = await timing.quantizer_encode.time(
          () => runQuantizerEncode(litert, quantizer, frameFeatures, args.quantizers[q]));
      const dequantized =
          await timing.quantizer_decode.time(() => runQuantizerDecode(litert, quantizer, indices));
      const decoded =
          await timing.decoder.time(() => runDecoder(litert, decoders[q], dequantized));
      perN[q].indices.set(indices, f * kQuantizerLevels);
      perN[q].dequantized.set(dequantized, f * kFeatureDims);
      perN[q].decoded.set(decoded, f * kFrameSamples);
    }
  }
  for (const model of [encoder, quantizer, ...decoders]) model.delete();

  fs.mkdirSync(args.out, {recursive: true});
  writeArray(args.out, 'features.f32', features);
  args.quantizers.forEach((n, q) => {
    writeArray(args.out, `indices_q${n}.i32`, perN[q].indices);
    writeArray(args.out, `dequantized_q${n}.f32`, perN[q].dequantized);
    writeArray(args.out, `decoded_q${n}.f32`, perN[q].decoded);
  });
  const medianMs = Object.fromEntries(
      Object.entries(timing).map(([stage, timer]) => [stage, timer.median()]));
  const meta = {
    frames,
    frame_samples: kFrameSamples,
    feature_dims: kFeatureDims,
    quantizer_levels: kQuantizerLevels,
    quantizers: args.quantizers,
    input: path.resolve(args.input),
    models: path.resolve(args.models),
    litert: {package: '@litertjs/core', version, wasm: glue, accelerator: 'wasm'},
    node: process.version,
    median_ms_per_frame: medianMs,
    state_check: stateCheck,
  };
  fs.writeFileSync(path.join(args.out, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  console.log(
      `soundstream_reference: ${frames} frames, LiteRT.js ${version} (${glue}); median ms per ` +
      `call: encoder ${medianMs.encoder.toFixed(3)}, quantizer encode ` +
      `${medianMs.quantizer_encode.toFixed(3)}, quantizer decode ` +
      `${medianMs.quantizer_decode.toFixed(3)}, decoder ${medianMs.decoder.toFixed(3)}`);
}

main().catch((error) => {
  console.error(`soundstream_reference: ${error?.stack ?? error}`);
  process.exit(1);
});
