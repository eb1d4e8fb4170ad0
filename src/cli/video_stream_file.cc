#include "cli/video_stream_file.h"

#include <cstring>
#include <fstream>

namespace auralink::cli {
namespace {

video::IvfCodec IvfCodecFor(video::VideoCodecType codec) {
  switch (codec) {
    case video::VideoCodecType::kVp8: return video::IvfCodec::kVp8;
    case video::VideoCodecType::kVp9: return video::IvfCodec::kVp9;
    case video::VideoCodecType::kAv1: return video::IvfCodec::kAv1;
    case video::VideoCodecType::kH264: return video::IvfCodec::kH264;
  }
  return video::IvfCodec::kVp8;
}

bool NamesAnnexB(const std::string& path) {
  for (const char* suffix : {".264", ".h264"}) {
    const size_t n = std::strlen(suffix);
    if (path.size() >= n && path.compare(path.size() - n, n, suffix) == 0) return true;
  }
  return false;
}

video::VideoCodecType CodecFor(video::IvfCodec codec) {
  switch (codec) {
    case video::IvfCodec::kVp8: return video::VideoCodecType::kVp8;
    case video::IvfCodec::kVp9: return video::VideoCodecType::kVp9;
    case video::IvfCodec::kAv1: return video::VideoCodecType::kAv1;
    case video::IvfCodec::kH264: return video::VideoCodecType::kH264;
  }
  return video::VideoCodecType::kVp8;
}

}  // namespace

StatusOr<std::unique_ptr<EncodedVideoWriter>> EncodedVideoWriter::Create(
    const std::string& path, video::VideoCodecType codec, int width, int height, int fps_numerator,
    int fps_denominator) {
  auto writer = std::make_unique<EncodedVideoWriter>();
  if (codec == video::VideoCodecType::kH264 && NamesAnnexB(path)) {
    auto annexb = video::AnnexBWriter::Create(path);
    if (!annexb.ok()) return annexb.status();
    writer->annexb_ = std::move(*annexb);
  } else {
    video::IvfHeader header;
    header.codec = IvfCodecFor(codec);
    header.width = width;
    header.height = height;
    // IVF's timebase is seconds per tick: one tick per source frame.
    header.timebase_numerator = static_cast<uint32_t>(fps_denominator);
    header.timebase_denominator = static_cast<uint32_t>(fps_numerator);
    auto ivf = video::IvfWriter::Create(path, header);
    if (!ivf.ok()) return ivf.status();
    writer->ivf_ = std::move(*ivf);
  }
  return writer;
}

Status EncodedVideoWriter::Write(const video::EncodedFrame& frame) {
  payload_bytes_ += frame.data.size();
  if (ivf_) return ivf_->WriteFrame(frame.data, frame.pts);
  return annexb_->WriteAccessUnit(frame.data);
}

Status EncodedVideoWriter::Close() { return ivf_ ? ivf_->Close() : annexb_->Close(); }

StatusOr<std::unique_ptr<EncodedVideoReader>> EncodedVideoReader::Create(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(path + ": file not found or unreadable");
  char magic[4] = {};
  in.read(magic, 4);
  if (in.gcount() == 0) return Status::Error(path + ": empty file");
  auto reader = std::make_unique<EncodedVideoReader>();
  if (in.gcount() == 4 && std::string_view(magic, 4) == "DKIF") {
    auto ivf = video::IvfReader::Create(path);
    if (!ivf.ok()) return ivf.status();
    reader->ivf_ = std::move(*ivf);
    const video::IvfHeader& header = reader->ivf_->header();
    reader->codec_ = CodecFor(header.codec);
    reader->width_ = header.width;
    reader->height_ = header.height;
    // One tick per frame at a plausible rate: the CLI's own files. Else timestamps are not frames.
    const double rate = static_cast<double>(header.timebase_denominator) /
                        std::max<uint32_t>(1, header.timebase_numerator);
    if (rate >= 1.0 && rate <= 240.0) {
      reader->fps_numerator_ = static_cast<int>(header.timebase_denominator);
      reader->fps_denominator_ = static_cast<int>(header.timebase_numerator);
    }
    return reader;
  }
  auto annexb = video::AnnexBReader::Create(path);
  if (!annexb.ok()) {
    return Status::Error(path + ": not an IVF or H.264 Annex-B file (" +
                         annexb.status().message() + ")");
  }
  reader->annexb_ = std::move(*annexb);
  reader->codec_ = video::VideoCodecType::kH264;
  return reader;
}

StatusOr<bool> EncodedVideoReader::Read(EncodedVideoUnit* unit) {
  if (ivf_) {
    video::IvfFrame frame;
    auto more = ivf_->ReadFrame(&frame);
    if (!more.ok() || !*more) return more;
    unit->data = std::move(frame.data);
    unit->pts = fps_numerator_ > 0 ? frame.pts : -1;
    return true;
  }
  unit->pts = -1;
  return annexb_->ReadAccessUnit(&unit->data);
}

}  // namespace auralink::cli
