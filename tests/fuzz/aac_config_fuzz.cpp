// Fuzzes the AudioSpecificConfig parser.
#include <cstddef>
#include <cstdint>

#include "validation/aac_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sg::Result<sg::validation::AudioSpecificConfig> asc =
      sg::validation::parse_audio_specific_config(sg::ByteView(data, size));
  if (asc) (void)asc->codec_name();
  return 0;
}
