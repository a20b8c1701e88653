// AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1), the AAC sequence header. Parsed by hand: it is a
// few bit fields, and libavcodec's parser for it (avpriv_mpeg4audio_get_config2) is not part of the
// public, installed API.
#pragma once

#include <cstdint>
#include <string>

#include "rtmp/bytes.h"
#include "rtmp/status.h"

namespace sg::validation {

struct AudioSpecificConfig {
  uint32_t object_type = 0;       // as signalled first: 2 = AAC-LC, 5 = SBR, 29 = PS, ...
  uint32_t core_object_type = 0;  // the underlying type when SBR/PS is signalled hierarchically
  uint32_t sample_rate = 0;       // core sampling rate in Hz
  uint8_t channel_config = 0;     // 0 = defined by a program config element
  uint32_t channels = 0;          // 0 when channel_config == 0
  bool sbr = false;               // HE-AAC: explicit SBR (hierarchical or backward-compatible)
  bool ps = false;                // HE-AACv2: explicit parametric stereo

  // "aac_lc", "he_aac", "he_aac_v2", else "aac_ot<N>"; the names config rules use.
  std::string codec_name() const;
};

// Reason ids: aac.truncated, aac.bad_sample_rate, aac.bad_channel_config.
Result<AudioSpecificConfig> parse_audio_specific_config(ByteView asc);

}  // namespace sg::validation
