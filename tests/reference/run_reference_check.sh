#!/usr/bin/env bash
# Reference check of AuraLink's TFLite engine against Google's LiteRT.js on the shared 16 kHz
# speech clips: for each clip, soundstream_reference.mjs dumps LiteRT.js's encoder features,
# quantizer indices and decoded PCM, and soundstream_reference_compare runs AuraLink's engine the
# same way and judges the agreement. Fails if any clip fails; exits 77 (CTest: skipped) when node,
# the npm packages, sox, the shared clips or the weights are missing.
#
#   run_reference_check.sh --compare PATH/soundstream_reference_compare [--work DIR]
#                          [--seconds S] [--quantizers 16,30,46]
#
# Environment: AURALINK_SHARED (default: the `shared` folder beside the repository),
# AURALINK_MODELS (default: $AURALINK_SHARED/models/lyra-v1.3.2).
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

compare=""
work=""
# The first seconds of each clip keep CI time small; 6 s is 300 frames, enough for the 99% rule
# to tolerate up to 3 frames with a flipped near-tie index.
seconds=6
quantizers="16,30,46"
while [ $# -gt 0 ]; do
  case "$1" in
    --compare) compare="${2:?--compare needs a path}"; shift 2 ;;
    --work) work="${2:?--work needs a directory}"; shift 2 ;;
    --seconds) seconds="${2:?--seconds needs a number}"; shift 2 ;;
    --quantizers) quantizers="${2:?--quantizers needs a list}"; shift 2 ;;
    *) echo "run_reference_check: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
if [ -z "$compare" ] || [ ! -x "$compare" ]; then
  echo "run_reference_check: --compare must name the built soundstream_reference_compare" >&2
  exit 2
fi

skip() {
  echo "SKIPPED reference check: $*"
  exit 77
}

shared="${AURALINK_SHARED:-$repo/../shared}"
models="${AURALINK_MODELS:-$shared/models/lyra-v1.3.2}"
speech="$shared/media/speech"

command -v node >/dev/null 2>&1 || skip "node is not installed (Debian package nodejs)"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
  skip "node $(node --version) is older than 20"
[ -f "$here/node_modules/@litertjs/core/package.json" ] ||
  skip "@litertjs/core is not installed; run: npm ci --prefix tests/reference"
command -v sox >/dev/null 2>&1 && command -v soxi >/dev/null 2>&1 ||
  skip "sox is not installed (Debian package sox)"
[ -d "$speech" ] || skip "no speech clips at $speech (set AURALINK_SHARED)"
for graph in soundstream_encoder quantizer lyragan; do
  [ -f "$models/$graph.tflite" ] || skip "no $graph.tflite in $models (set AURALINK_MODELS)"
done

clips=()
for file in "$speech"/*.wav "$speech"/*.flac; do
  [ -f "$file" ] || continue
  # SoundStream runs at 16 kHz; clips at other rates would need resampling, which would make
  # them a test of the resampler rather than of the graphs.
  [ "$(soxi -r "$file" 2>/dev/null)" = "16000" ] && clips+=("$file")
done
[ ${#clips[@]} -gt 0 ] || skip "no 16 kHz clips in $speech"

if [ -z "$work" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work" || exit 2

# Checks that sox's float output is exactly int16 / 32768, the scale the graphs were trained on.
same_scale() {  # same_scale FLOAT32_FILE INT16_FILE
  node -e '
    const fs = require("fs");
    const f = fs.readFileSync(process.argv[1]), s = fs.readFileSync(process.argv[2]);
    const a = new Float32Array(f.buffer, f.byteOffset, f.length / 4);
    const b = new Int16Array(s.buffer, s.byteOffset, s.length / 2);
    if (a.length !== b.length) process.exit(1);
    for (let i = 0; i < a.length; ++i) if (a[i] !== b[i] / 32768) process.exit(1);' "$1" "$2"
}

failed=()
names=()
for file in "${clips[@]}"; do
  name="$(basename "${file%.*}")"
  dir="$work/$name"
  names+=("$name")
  rm -rf "$dir" && mkdir -p "$dir" || exit 2
  echo "== $name"
  if ! sox -V1 -D "$file" -t f32 -r 16000 -c 1 "$dir/input.f32" trim 0 "$seconds" ||
     ! sox -V1 -D "$file" -t s16 -r 16000 -c 1 "$dir/input.s16" trim 0 "$seconds"; then
    echo "   sox could not convert $file"; failed+=("$name"); continue
  fi
  if ! same_scale "$dir/input.f32" "$dir/input.s16"; then
    echo "   sox's float32 output of $file is not int16/32768"; failed+=("$name"); continue
  fi
  if ! node "$here/soundstream_reference.mjs" --models "$models" --input "$dir/input.f32" \
       --out "$dir/reference" --quantizers "$quantizers"; then
    echo "   LiteRT.js reference run failed"; failed+=("$name"); continue
  fi
  "$compare" --models "$models" --input "$dir/input.f32" --reference "$dir/reference" \
    --clip "$name" --json-out "$dir/compare.json"
  rc=$?
  if [ "$rc" -ne 0 ]; then
    [ "$rc" -ne 1 ] && echo "   soundstream_reference_compare failed to run (exit $rc)"
    failed+=("$name")
  fi
done

# One line per clip, from the comparison JSON files.
node -e '
  const fs = require("fs"), path = require("path");
  const work = process.argv[1];
  const fmt = (x, d) => (typeof x === "number" ? x.toFixed(d) : "-");
  console.log("\nclip                            feat.rel.err  N: identical%/decoder dB/e2e dB");
  for (const name of process.argv.slice(2)) {
    const file = path.join(work, name, "compare.json");
    if (!fs.existsSync(file)) { console.log(`${name.padEnd(32)}(no result)`); continue; }
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    const q = r.quantizers.map((b) => `${b.num_quantizers}: ${fmt(100 * b.identical_index_fraction, 1)}/` +
        `${fmt(b.decoder_snr_db, 1)}/${fmt(b.end_to_end_snr_db, 1)}`).join("  ");
    console.log(`${name.padEnd(32)}${r.features.clip_relative_error.toExponential(2).padEnd(14)}${q}` +
        `${r.pass ? "" : "  FAIL"}`);
  }' "$work" "${names[@]}" || true

if [ ${#failed[@]} -gt 0 ]; then
  echo "reference check FAILED on ${#failed[@]} of ${#clips[@]} clips: ${failed[*]}"
  exit 1
fi
echo "reference check passed on ${#clips[@]} clips"
