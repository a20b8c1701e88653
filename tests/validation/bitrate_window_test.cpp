#include "validation/bitrate_window.h"

#include <gtest/gtest.h>

namespace sg::validation {
namespace {

using std::chrono::milliseconds;

TEST(BitrateWindow, FilledOnlyAfterOneWindowOfMediaTime) {
  BitrateWindow w(milliseconds(2000));
  EXPECT_FALSE(w.filled());
  w.add(1000, 100);
  w.add(2999, 100);
  EXPECT_FALSE(w.filled());
  w.add(3000, 100);
  EXPECT_TRUE(w.filled());
}

TEST(BitrateWindow, RateOverTheLastWindow) {
  BitrateWindow w(milliseconds(2000));
  for (uint64_t t = 0; t <= 3000; t += 100) w.add(t, 1000);
  // (1000, 3000] holds 20 messages: 20000 bytes * 8 / 2000 ms = 80 kbit/s.
  EXPECT_EQ(w.count(), 20u);
  EXPECT_EQ(w.kbps(), 80u);
  EXPECT_EQ(w.span_ms(), 1900u);
}

TEST(BitrateWindow, GapInMediaTimeEmptiesTheWindow) {
  BitrateWindow w(milliseconds(1000));
  w.add(0, 1'000'000);
  w.add(5000, 100);
  EXPECT_EQ(w.count(), 1u);
  EXPECT_EQ(w.kbps(), 0u);  // 800 bits / 1000 ms rounds down
}

TEST(BitrateWindow, BackwardsTimestampsCountAsNewest) {
  BitrateWindow w(milliseconds(1000));
  w.add(5000, 100);
  w.add(10, 100);  // a reset timestamp must not evict or extend anything
  EXPECT_EQ(w.count(), 2u);
  EXPECT_EQ(w.span_ms(), 0u);
  EXPECT_EQ(w.kbps(), 1u);
}

}  // namespace
}  // namespace sg::validation
