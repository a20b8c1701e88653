#include "validation/aac_config.h"

#include <array>

#include "validation/bit_reader.h"

namespace sg::validation {
namespace {

constexpr std::array<uint32_t, 13> kSampleRates = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                                   22050, 16000, 12000, 11025, 8000,  7350};

uint32_t read_object_type(BitReader& r) {
  uint32_t type = r.bits(5);
  return type == 31 ? 32 + r.bits(6) : type;  // the 5-bit escape
}

// Index 15 means an explicit 24-bit rate follows; 13 and 14 are reserved (returns 0).
uint32_t read_sample_rate(BitReader& r) {
  uint32_t index = r.bits(4);
  if (index == 15) return r.bits(24);
  return index < kSampleRates.size() ? kSampleRates[index] : 0;
}

// channelConfiguration -> channel count (14496-3 table 1.19 plus the 23001-8 additions);
// -1 for reserved values.
int channels_for(uint32_t config) {
  constexpr std::array<int, 16> kChannels = {0, 1, 2, 3, 4, 5, 6, 8, -1, -1, -1, 7, 8, 24, 8, -1};
  return kChannels[config & 15];
}

// Object types whose payload is a GASpecificConfig, after which a backward-compatible SBR/PS
// sync extension may follow.
bool is_ga_type(uint32_t t) {
  return t == 1 || t == 2 || t == 3 || t == 4 || t == 6 || t == 7 || t == 17 || t == 19 ||
         t == 20 || t == 21 || t == 22 || t == 23;
}

}  // namespace

std::string AudioSpecificConfig::codec_name() const {
  if (ps) return "he_aac_v2";
  if (sbr) return "he_aac";
  if (object_type == 2) return "aac_lc";
  return "aac_ot" + std::to_string(object_type);
}

Result<AudioSpecificConfig> parse_audio_specific_config(ByteView asc) {
  BitReader r(asc);
  AudioSpecificConfig c;
  c.object_type = read_object_type(r);
  c.core_object_type = c.object_type;
  c.sample_rate = read_sample_rate(r);
  c.channel_config = uint8_t(r.bits(4));
  if (!r.ok()) return make_error("aac.truncated", "AudioSpecificConfig is truncated");
  if (c.sample_rate == 0) return make_error("aac.bad_sample_rate", "reserved sampling frequency");
  int channels = channels_for(c.channel_config);
  if (channels < 0) {
    return make_error("aac.bad_channel_config",
                      "reserved channelConfiguration " + std::to_string(c.channel_config));
  }
  c.channels = uint32_t(channels);

  // Explicit hierarchical signalling: SBR (5) or PS (29) first, then the core type.
  if (c.object_type == 5 || c.object_type == 29) {
    c.sbr = true;
    c.ps = c.object_type == 29;
    read_sample_rate(r);  // extensionSamplingFrequency
    c.core_object_type = read_object_type(r);
    if (!r.ok()) return make_error("aac.truncated", "AudioSpecificConfig SBR part is truncated");
    return c;
  }

  // Explicit backward-compatible signalling: a sync extension after the GASpecificConfig. Only
  // read when the GASpecificConfig has no program config element (channel_config != 0), whose
  // length is not worth parsing here.
  if (is_ga_type(c.object_type) && c.channel_config != 0) {
    r.bits(1);                     // frameLengthFlag
    if (r.bit()) r.bits(14);       // dependsOnCoreCoder -> coreCoderDelay
    uint32_t extension = r.bit();  // extensionFlag
    if (c.object_type == 6 || c.object_type == 20) r.bits(3);  // layerNr
    if (extension) {
      if (c.object_type == 22) r.bits(16);  // numOfSubFrame, layer_length
      if (c.object_type == 17 || c.object_type == 19 || c.object_type == 20 ||
          c.object_type == 23) {
        r.bits(3);  // the three resilience flags
      }
      r.bits(1);  // extensionFlag3
    }
    if (!r.ok()) return make_error("aac.truncated", "GASpecificConfig is truncated");
    if (asc.size() * 8 >= r.position() + 16 && r.bits(11) == 0x2b7) {
      uint32_t ext_type = read_object_type(r);
      if (ext_type == 5 && r.bit()) {  // sbrPresentFlag
        c.sbr = true;
        read_sample_rate(r);
        if (asc.size() * 8 >= r.position() + 12 && r.bits(11) == 0x548) c.ps = r.bit() == 1;
      }
      // A sync extension cut short is not an error: decoders treat it as absent.
      if (!r.ok()) c.sbr = c.ps = false;
    }
  }
  return c;
}

}  // namespace sg::validation
