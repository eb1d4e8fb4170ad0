#!/usr/bin/env bash
# End-to-end tests of `auralink audio ...` as a user runs it: round trips, JSON keys, exact output
# lengths, and clear one-line errors with exit status 2 (and no output file) on bad input.
#   tests/cli/audio_cli_test.sh BUILD_DIR
set -u
bin="$(cd "$1" && pwd)/auralink"
shared="${AURALINK_SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/../shared}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/assertions.sh"

sox -n -r 16000 -c 1 -b 16 "$work/tone16k.wav" synth 2 sine 300:3000 gain -6
sox -n -r 48000 -c 2 -b 16 "$work/stereo48k.wav" synth 1.5 sine 440 sine 660 gain -6
sox -n -r 44100 -c 1 -e floating-point -b 32 "$work/float441.wav" synth 1 sine 500 gain -6

# Opus round trip at three input rates, float WAV included.
for input in tone16k stereo48k float441; do
  enc=$("$bin" audio encode --codec opus --bitrate 24000 "$work/$input.wav" "$work/$input.aus" --json)
  check "opus encode $input exits 0" test $? -eq 0
  frames=$(json "$enc" frames)
  for key in codec bitrate_bps frames bytes duration_s; do
    check "encode json has $key" json "$enc" "$key" >/dev/null
  done
  dec=$("$bin" audio decode "$work/$input.aus" "$work/$input.out.wav" --rate 16000 --json)
  check "opus decode $input: $frames frames -> $((frames * 320)) samples" \
    test "$(json "$dec" samples)" -eq $((frames * 320))
done
cmp=$("$bin" audio compare "$work/tone16k.wav" "$work/tone16k.out.wav" --json)
check "compare json has mos" json "$cmp" mos >/dev/null
check "compare json has stoi" json "$cmp" stoi >/dev/null
same=$("$bin" audio compare "$work/tone16k.wav" "$work/tone16k.wav" --json)
check "identical files score MOS >= 4.5" node -e "process.exit(($(json "$same" mos)) >= 4.5 ? 0 : 1)"

# Loss keeps the output length exact.
dec=$("$bin" audio decode "$work/tone16k.aus" "$work/lossy.wav" --loss 20 --loss-seed 3 --json)
check "decode with 20% loss: exact length" test "$(json "$dec" samples)" -eq $((100 * 320))
check "decode with 20% loss: lost some frames" test "$(json "$dec" lost_frames)" -gt 0
dec=$("$bin" audio decode "$work/tone16k.aus" "$work/burst.wav" --loss 20 --burst-ms 60 --json)
check "decode with 60 ms bursts: exact length" test "$(json "$dec" samples)" -eq $((100 * 320))

# Bad input: missing, empty, truncated, wrong format, bad options.
expect_error "missing input" "$work/x.aus" "$bin" audio encode --codec opus "$work/nope.wav" "$work/x.aus"
: >"$work/empty.wav"
expect_error "empty input" "$work/x.aus" "$bin" audio encode --codec opus "$work/empty.wav" "$work/x.aus"
head -c 20000 "$work/tone16k.wav" >"$work/truncated.wav"
expect_error "truncated WAV" "$work/x.aus" "$bin" audio encode --codec opus "$work/truncated.wav" "$work/x.aus"
echo "this is not audio at all, just some text that goes on for a while" >"$work/text.wav"
expect_error "text file as WAV" "$work/x.aus" "$bin" audio encode --codec opus "$work/text.wav" "$work/x.aus"
expect_error "unknown codec" "$work/x.aus" "$bin" audio encode --codec mp3 "$work/tone16k.wav" "$work/x.aus"
expect_error "unknown option" "$work/x.aus" "$bin" audio encode --frobnicate "$work/tone16k.wav" "$work/x.aus"
expect_error "missing .aus" "$work/x.wav" "$bin" audio decode "$work/nope.aus" "$work/x.wav"
head -c 100 "$work/tone16k.aus" >"$work/truncated.aus"
expect_error "truncated .aus" "$work/x.wav" "$bin" audio decode "$work/truncated.aus" "$work/x.wav"
expect_error "WAV given as .aus" "$work/x.wav" "$bin" audio decode "$work/tone16k.wav" "$work/x.wav"
expect_error "unsupported output rate" "$work/x.wav" "$bin" audio decode "$work/tone16k.aus" "$work/x.wav" --rate 22050
expect_error "compare with a missing file" "$work/none" "$bin" audio compare "$work/tone16k.wav" "$work/nope.wav"
sox -n -r 22050 -c 1 -b 16 "$work/rate22k.wav" synth 1 sine 440
expect_error "unsupported input rate" "$work/x.aus" "$bin" audio encode --codec opus "$work/rate22k.wav" "$work/x.aus"

# SoundStream: needs the weights.
if "$bin" audio encode --codec soundstream --bitrate 6000 "$work/tone16k.wav" "$work/probe.aus" >/dev/null 2>&1; then
  for bitrate in 3200 6000 9200; do
    case $bitrate in 3200) size=8 ;; 6000) size=15 ;; 9200) size=23 ;; esac
    enc=$("$bin" audio encode --codec soundstream --bitrate $bitrate "$work/stereo48k.wav" "$work/ss$bitrate.aus" --json)
    frames=$(json "$enc" frames)
    check "soundstream $bitrate bps: $size-byte packets" test "$(json "$enc" bytes)" -eq $((frames * size))
    dec=$("$bin" audio decode "$work/ss$bitrate.aus" "$work/ss$bitrate.wav" --json)
    check "soundstream $bitrate bps decodes to 48 kHz, exact length" \
      test "$(json "$dec" samples)" -eq $((frames * 960))
  done
  expect_error "soundstream at an unsupported bitrate" "$work/x.aus" \
    "$bin" audio encode --codec soundstream --bitrate 8000 "$work/tone16k.wav" "$work/x.aus"
  expect_error "soundstream with a bad model directory" "$work/x.aus" \
    "$bin" audio encode --codec soundstream --models "$work" "$work/tone16k.wav" "$work/x.aus"
  clip="$shared/media/speech/lyra_sample1_16kHz.wav"
  if [ -f "$clip" ]; then
    "$bin" audio encode --codec soundstream --bitrate 9200 "$clip" "$work/speech.aus" >/dev/null
    "$bin" audio decode "$work/speech.aus" "$work/speech.wav" >/dev/null
    cmp=$("$bin" audio compare "$clip" "$work/speech.wav" --json)
    check "soundstream 9.2 kbps on real speech: STOI > 0.85 (got $(json "$cmp" stoi))" \
      node -e "process.exit(($(json "$cmp" stoi)) > 0.85 ? 0 : 1)"

  else
    echo "skip - real-speech checks: $clip absent"
  fi
else
  echo "skip - SoundStream checks: model weights not found (run ./scripts/setup --models DIR)"
fi

finish
