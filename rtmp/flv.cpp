#include "rtmp/flv.h"

namespace sg::flv {

namespace {

// E-RTMP packet type values shared by the audio and video ExHeaders.
constexpr uint8_t kExVideoModEx = 7;
constexpr uint8_t kExVideoMultitrack = 6;
constexpr uint8_t kExVideoMetadata = 4;
constexpr uint8_t kExAudioModEx = 7;
constexpr uint8_t kExAudioMultitrack = 5;
constexpr uint8_t kManyTracksManyCodecs = 2;
constexpr uint8_t kLegacyCommandFrame = 5;

Error truncated(const char* what) {
  return make_error("flv.truncated", std::string(what) + " tag body truncated");
}

Error bad_packet_type(const char* what, unsigned t) {
  return make_error("flv.bad_packet_type",
                    std::string(what) + " packet type " + std::to_string(t) + " is not defined");
}

// A bounds-checked cursor over a tag body.
struct Cursor {
  ByteView body;
  size_t pos = 0;
  bool have(size_t n) const { return body.size() - pos >= n; }
  uint8_t u8() { return body[pos++]; }
  uint32_t be16() {
    uint32_t v = get_be16(&body[pos]);
    pos += 2;
    return v;
  }
  uint32_t be24() {
    uint32_t v = get_be24(&body[pos]);
    pos += 3;
    return v;
  }
  uint32_t be32() {
    uint32_t v = get_be32(&body[pos]);
    pos += 4;
    return v;
  }
  ByteView rest() const { return body.subspan(pos); }
};

int32_t si24(uint32_t v) {
  return int32_t(v << 8) >> 8;
}

// Skips E-RTMP v2 ModEx prefixes: [size-1 (UI8, or 0xFF then UI16 size-1)] [data] [modExType:4 |
// packetType:4], repeated while the packet type is still ModEx. Returns the final packet type.
Result<uint8_t> skip_mod_ex(Cursor& c, uint8_t packet_type, uint8_t mod_ex, const char* what) {
  while (packet_type == mod_ex) {
    if (!c.have(1)) return truncated(what);
    size_t size = size_t(c.u8()) + 1;
    if (size == 256) {
      if (!c.have(2)) return truncated(what);
      size = size_t(c.be16()) + 1;
    }
    if (!c.have(size + 1)) return truncated(what);
    c.pos += size;
    packet_type = c.u8() & 0x0F;
  }
  return packet_type;
}

VideoCodec video_codec_from_fourcc(uint32_t fcc) {
  switch (fcc) {
    case fourcc("avc1"):
      return VideoCodec::kH264;
    case fourcc("hvc1"):
      return VideoCodec::kHevc;
    case fourcc("av01"):
      return VideoCodec::kAv1;
    case fourcc("vp09"):
      return VideoCodec::kVp9;
    default:
      return VideoCodec::kUnknown;
  }
}

VideoCodec video_codec_from_id(uint8_t id) {
  switch (id) {
    case 2:
      return VideoCodec::kH263;
    case 3:
      return VideoCodec::kScreen;
    case 4:
      return VideoCodec::kVp6;
    case 5:
      return VideoCodec::kVp6Alpha;
    case 6:
      return VideoCodec::kScreen2;
    case 7:
      return VideoCodec::kH264;
    case 12:
      return VideoCodec::kHevc;
    default:
      return VideoCodec::kUnknown;
  }
}

AudioCodec audio_codec_from_fourcc(uint32_t fcc) {
  switch (fcc) {
    case fourcc("mp4a"):
      return AudioCodec::kAac;
    case fourcc("Opus"):
      return AudioCodec::kOpus;
    case fourcc("fLaC"):
      return AudioCodec::kFlac;
    case fourcc("ac-3"):
      return AudioCodec::kAc3;
    case fourcc("ec-3"):
      return AudioCodec::kEac3;
    case fourcc(".mp3"):
      return AudioCodec::kMp3;
    default:
      return AudioCodec::kUnknown;
  }
}

AudioCodec audio_codec_from_format(uint8_t f) {
  switch (f) {
    case 0:
      return AudioCodec::kPcm;
    case 1:
      return AudioCodec::kAdpcm;
    case 2:
      return AudioCodec::kMp3;
    case 3:
      return AudioCodec::kPcmLe;
    case 4:
    case 5:
    case 6:
      return AudioCodec::kNellymoser;
    case 7:
      return AudioCodec::kG711A;
    case 8:
      return AudioCodec::kG711U;
    case 10:
      return AudioCodec::kAac;
    case 11:
      return AudioCodec::kSpeex;
    case 14:
      return AudioCodec::kMp3_8k;
    default:
      return AudioCodec::kUnknown;
  }
}

Result<VideoTag> parse_enhanced_video(Cursor& c, VideoTag t, uint8_t b0) {
  auto pt = skip_mod_ex(c, b0 & 0x0F, kExVideoModEx, "video");
  if (!pt) return pt.error();
  uint8_t packet_type = *pt;

  if (packet_type != kExVideoMetadata && uint8_t(t.frame_type) == kLegacyCommandFrame) {
    // A command frame carries one command byte and no FourCC.
    if (!c.have(1)) return truncated("video");
    t.packet_type = VideoPacketType::kCommand;
    t.command = c.u8();
    t.data = c.rest();
    return t;
  }
  if (packet_type == kExVideoMultitrack) {
    if (!c.have(1)) return truncated("video");
    const uint8_t b = c.u8();
    t.multitrack_type = b >> 4;
    const uint8_t inner = b & 0x0F;
    if (inner == kExVideoMultitrack || inner == kExVideoModEx || inner > 7) {
      return bad_packet_type("multitrack video", inner);
    }
    if (t.multitrack_type != kManyTracksManyCodecs) {
      if (!c.have(4)) return truncated("video");
      t.fourcc = c.be32();
      t.codec = video_codec_from_fourcc(t.fourcc);
    }
    t.packet_type = VideoPacketType::kMultitrack;
    t.data = c.rest();
    return t;
  }
  if (!c.have(4)) return truncated("video");
  t.fourcc = c.be32();
  t.codec = video_codec_from_fourcc(t.fourcc);
  switch (packet_type) {
    case 0:
      t.packet_type = VideoPacketType::kSequenceHeader;
      break;
    case 1:
      t.packet_type = VideoPacketType::kCodedFrames;
      // Only the codecs with reordering (AVC, HEVC) carry a composition time here.
      if (t.fourcc == fourcc("avc1") || t.fourcc == fourcc("hvc1")) {
        if (!c.have(3)) return truncated("video");
        t.composition_time = si24(c.be24());
      }
      break;
    case 2:
      t.packet_type = VideoPacketType::kEndOfSequence;
      break;
    case 3:
      t.packet_type = VideoPacketType::kCodedFrames;  // CodedFramesX: composition time 0
      break;
    case 4:
      t.packet_type = VideoPacketType::kMetadata;
      break;
    case 5:
      t.packet_type = VideoPacketType::kMpeg2TsSequenceStart;
      break;
    default:
      return bad_packet_type("video", packet_type);
  }
  t.data = c.rest();
  return t;
}

}  // namespace

std::string fourcc_to_string(uint32_t fcc) {
  std::string s(4, '?');
  for (int i = 0; i < 4; ++i) {
    const char ch = char(fcc >> (24 - 8 * i));
    if (ch >= 0x20 && ch < 0x7F) s[size_t(i)] = ch;
  }
  return s;
}

Result<VideoTag> parse_video(ByteView body) {
  Cursor c{body};
  if (!c.have(1)) return truncated("video");
  const uint8_t b0 = c.u8();
  VideoTag t;
  if (b0 & 0x80) {
    t.enhanced = true;
    t.frame_type = VideoFrameType((b0 >> 4) & 0x07);
    return parse_enhanced_video(c, t, b0);
  }
  t.frame_type = VideoFrameType(b0 >> 4);
  t.legacy_codec_id = b0 & 0x0F;
  t.codec = video_codec_from_id(t.legacy_codec_id);
  if (uint8_t(t.frame_type) == kLegacyCommandFrame) {
    if (!c.have(1)) return truncated("video");
    t.packet_type = VideoPacketType::kCommand;
    t.command = c.u8();
    t.data = c.rest();
    return t;
  }
  if (t.codec == VideoCodec::kH264 || t.codec == VideoCodec::kHevc) {
    if (!c.have(4)) return truncated("video");
    const uint8_t avc_packet_type = c.u8();
    t.composition_time = si24(c.be24());
    switch (avc_packet_type) {
      case 0:
        t.packet_type = VideoPacketType::kSequenceHeader;
        break;
      case 1:
        t.packet_type = VideoPacketType::kCodedFrames;
        break;
      case 2:
        t.packet_type = VideoPacketType::kEndOfSequence;
        break;
      default:
        return bad_packet_type("AVC", avc_packet_type);
    }
  }
  t.data = c.rest();
  return t;
}

Result<AudioTag> parse_audio(ByteView body) {
  Cursor c{body};
  if (!c.have(1)) return truncated("audio");
  const uint8_t b0 = c.u8();
  AudioTag t;
  t.sound_format = b0 >> 4;
  if (t.sound_format == 9) {
    // ExAudioTagHeader: the low nibble is the packet type, not rate/size/type.
    t.enhanced = true;
    auto pt = skip_mod_ex(c, b0 & 0x0F, kExAudioModEx, "audio");
    if (!pt) return pt.error();
    uint8_t packet_type = *pt;
    if (packet_type == kExAudioMultitrack) {
      if (!c.have(1)) return truncated("audio");
      const uint8_t b = c.u8();
      t.multitrack_type = b >> 4;
      packet_type = b & 0x0F;
      if (packet_type == kExAudioMultitrack || packet_type == kExAudioModEx) {
        return bad_packet_type("multitrack audio", packet_type);
      }
      if (t.multitrack_type != kManyTracksManyCodecs) {
        if (!c.have(4)) return truncated("audio");
        t.fourcc = c.be32();
        t.codec = audio_codec_from_fourcc(t.fourcc);
      }
      t.packet_type = AudioPacketType::kMultitrack;
      t.data = c.rest();
      return t;
    }
    if (!c.have(4)) return truncated("audio");
    t.fourcc = c.be32();
    t.codec = audio_codec_from_fourcc(t.fourcc);
    switch (packet_type) {
      case 0:
        t.packet_type = AudioPacketType::kSequenceHeader;
        break;
      case 1:
        t.packet_type = AudioPacketType::kRaw;
        break;
      case 2:
        t.packet_type = AudioPacketType::kSequenceEnd;
        break;
      case 4:
        t.packet_type = AudioPacketType::kMultichannelConfig;
        break;
      default:
        return bad_packet_type("audio", packet_type);
    }
    t.data = c.rest();
    return t;
  }
  t.sound_rate = (b0 >> 2) & 0x03;
  t.sound_size = (b0 >> 1) & 0x01;
  t.sound_type = b0 & 0x01;
  t.codec = audio_codec_from_format(t.sound_format);
  if (t.codec == AudioCodec::kAac) {
    if (!c.have(1)) return truncated("audio");
    const uint8_t aac_packet_type = c.u8();
    if (aac_packet_type > 1) return bad_packet_type("AAC", aac_packet_type);
    t.packet_type = aac_packet_type == 0 ? AudioPacketType::kSequenceHeader : AudioPacketType::kRaw;
  }
  t.data = c.rest();
  return t;
}

Result<std::vector<AggregateTag>> split_aggregate(ByteView body) {
  constexpr size_t kTagHeader = 11;
  std::vector<AggregateTag> tags;
  Cursor c{body};
  while (c.have(1)) {
    if (!c.have(kTagHeader)) {
      return make_error("flv.bad_aggregate", "aggregate sub-message header truncated");
    }
    AggregateTag t;
    t.type = c.u8() & 0x1F;  // the top bits are reserved / the FLV filter flag
    const uint32_t size = c.be24();
    const uint32_t ts_low = c.be24();
    t.timestamp = uint32_t(c.u8()) << 24 | ts_low;
    t.stream_id = c.be24();
    if (!c.have(size)) {
      return make_error("flv.bad_aggregate", "aggregate sub-message body truncated");
    }
    t.body = body.subspan(c.pos, size);
    c.pos += size;
    if (c.have(4)) {
      c.pos += 4;  // back pointer
    } else if (c.have(1)) {
      return make_error("flv.bad_aggregate", "aggregate back pointer truncated");
    }
    tags.push_back(t);
  }
  return tags;
}

}  // namespace sg::flv
