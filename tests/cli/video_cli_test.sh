#!/usr/bin/env bash
# End-to-end tests of `auralink video ...` as a user runs it: the LiveKit baseline, decode, compare,
# JSON keys, and clear one-line errors with exit status 2 (and no output file) on bad input.
#   tests/cli/video_cli_test.sh BUILD_DIR
set -u
bin="$(cd "$1" && pwd)/auralink"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/assertions.sh"

# A moving test pattern, 4:3, 25 fps: livekit-client would send VP8 at 330 kbps, 20 fps.
ffmpeg -loglevel error -f lavfi -i testsrc=size=352x288:rate=25 -frames:v 50 -pix_fmt yuv420p "$work/src.y4m"

enc=$("$bin" video baseline "$work/src.y4m" "$work/base.ivf" --json)
check "baseline exits 0" test $? -eq 0
for key in codec mode frames fps bytes bitrate_kbps encode_ms_median encode_ms_p95 fallbacks; do
  check "baseline json has $key" json "$enc" "$key" >/dev/null
done
check "baseline uses livekit's h360 4:3 preset" test "$(json "$enc" preset)" = "h360 (4:3)"
check "baseline sends 20 of 25 fps: 40 of 50 frames" test "$(json "$enc" encoded_frames)" -eq 40
check "baseline CBR stays under 330 kbps + 15% (got $(json "$enc" bitrate_kbps))" \
  node -e "const b=$(json "$enc" bitrate_kbps); process.exit(b > 50 && b < 380 ? 0 : 1)"

dec=$("$bin" video decode "$work/base.ivf" "$work/base.y4m" --json)
check "decode restores one frame per source frame" test "$(json "$dec" frames)" -eq 50
check "decode repeats the 10 skipped frames" test "$(json "$dec" repeated_frames)" -eq 10
cmp=$("$bin" video compare "$work/src.y4m" "$work/base.y4m" --json)
for key in psnr_y ssim_y ms_ssim_y per_frame; do
  check "compare json has $key" json "$cmp" "$key" >/dev/null
done
check "baseline SSIM-Y is plausible ($(json "$cmp" ssim_y))" above "$(json "$cmp" ssim_y)" 0.7
same=$("$bin" video compare "$work/src.y4m" "$work/src.y4m" --json)
check "identical clips: SSIM-Y 1" above "$(json "$same" ssim_y)" 0.999999
"$bin" video compare "$work/src.y4m" "$work/base.y4m" --per-frame | grep -q "SSIM-Y"
check "compare prints a per-frame table" test $? -eq 0

# AIC encodes: every codec, the mode off path, and the JSON contract.
aic=$("$bin" video encode "$work/src.y4m" "$work/aic.ivf" --mode adaptive --json)
check "AIC adaptive exits 0" test $? -eq 0
for key in codec mode frames fps bytes bitrate_kbps encode_ms_median encode_ms_p95 fallbacks; do
  check "encode json has $key" json "$aic" "$key" >/dev/null
done
dec=$("$bin" video decode "$work/aic.ivf" "$work/aic.y4m" --json)
check "AIC stream decodes to 50 frames" test "$(json "$dec" frames)" -eq 50
for codec in vp8 vp9 av1 h264; do
  ext=ivf
  enc=$("$bin" video encode "$work/src.y4m" "$work/c.$ext" --codec $codec --mode aggressive --no-roi --json)
  check "AIC aggressive with $codec writes $codec" test "$(json "$enc" codec)" = $codec
  "$bin" video decode "$work/c.$ext" "$work/c.y4m" --fps 25 >/dev/null
  cmp=$("$bin" video compare "$work/src.y4m" "$work/c.y4m" --json)
  check "$codec AIC output is a recognisable picture (SSIM $(json "$cmp" ssim_y))" above "$(json "$cmp" ssim_y)" 0.6
done
plain=$("$bin" video encode "$work/src.y4m" "$work/p.ivf" --mode off --codec vp9 --bitrate 150 --json)
check "mode off + vp9 at 150 kbps is plain CBR (got $(json "$plain" bitrate_kbps) kbps)" \
  node -e "const b=$(json "$plain" bitrate_kbps); process.exit(b > 30 && b < 175 ? 0 : 1)"
capped=$("$bin" video encode "$work/src.y4m" "$work/cap.ivf" --mode conservative --max-kbps 60 --json)
check "--max-kbps 60 caps AIC (got $(json "$capped" bitrate_kbps) kbps)" \
  node -e "process.exit($(json "$capped" bitrate_kbps) < 60 * 1.3 ? 0 : 1)"
expect_error "unknown AIC mode" "$work/x.ivf" "$bin" video encode "$work/src.y4m" "$work/x.ivf" --mode turbo
expect_error "target SSIM out of range" "$work/x.ivf" "$bin" video encode "$work/src.y4m" "$work/x.ivf" --target-ssim 2
expect_error "unknown video codec" "$work/x.ivf" "$bin" video encode "$work/src.y4m" "$work/x.ivf" --codec mp3

# H.264 in IVF keeps timestamps: frames openh264's CBR skips are shown as repeats, in place.
"$bin" video encode "$work/src.y4m" "$work/skip.ivf" --mode off --codec h264 --bitrate 40 --json >/dev/null
dec=$("$bin" video decode "$work/skip.ivf" "$work/skip.y4m" --json)
check "H.264 in IVF decodes to one picture per source frame" test "$(json "$dec" frames)" -eq 50
"$bin" video encode "$work/src.y4m" "$work/bare.264" --codec h264 --json >/dev/null
dec=$("$bin" video decode "$work/bare.264" "$work/bare.y4m" --fps 25 --json)
check "a .264 name writes a bare Annex-B stream that decodes" test "$(json "$dec" codec)" = h264
check "the bare stream starts with a start code" test "$(head -c 4 "$work/bare.264" | od -An -tx1 | tr -d ' ')" = 00000001

# Regression: AIC on screen content resizes VP9 mid-stream, which crashed inside libvpx 1.12 when
# the encoder was resized in place.
screen="${AURALINK_SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/../shared}/media/video/screen_pdf_reader_scroll_1024x768_25fps_f24-48_decoded.y4m"
if [ -f "$screen" ]; then
  "$bin" video encode "$screen" "$work/screen.ivf" --codec vp9 --mode aggressive --json >/dev/null
  check "AIC VP9 on screen content (resizes mid-stream) exits 0" test $? -eq 0
else
  echo "skip - screen-content regression: shared clip absent"
fi

# Bad input.
expect_error "missing y4m" "$work/x.ivf" "$bin" video baseline "$work/nope.y4m" "$work/x.ivf"
: >"$work/empty.y4m"
expect_error "empty y4m" "$work/x.ivf" "$bin" video baseline "$work/empty.y4m" "$work/x.ivf"
head -c 200000 "$work/src.y4m" >"$work/truncated.y4m"
expect_error "truncated y4m" "$work/x.ivf" "$bin" video baseline "$work/truncated.y4m" "$work/x.ivf"
echo "YUV4MPEG2 W-5 H0 F25:1" >"$work/badheader.y4m"
expect_error "malformed y4m header" "$work/x.ivf" "$bin" video baseline "$work/badheader.y4m" "$work/x.ivf"
expect_error "missing encoded file" "$work/x.y4m" "$bin" video decode "$work/nope.ivf" "$work/x.y4m"
head -c 3000 "$work/base.ivf" >"$work/truncated.ivf"
expect_error "truncated ivf" "$work/x.y4m" "$bin" video decode "$work/truncated.ivf" "$work/x.y4m"
head -c 4000 /dev/urandom >"$work/random.bin"
expect_error "random bytes as video" "$work/x.y4m" "$bin" video decode "$work/random.bin" "$work/x.y4m"
expect_error "compare against a missing file" "$work/none" "$bin" video compare "$work/src.y4m" "$work/nope.y4m"
expect_error "unknown video command" "$work/none" "$bin" video frobnicate

finish
