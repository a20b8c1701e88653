"""Each media rule of SPEC section 5: a violating stream is disconnected and leaves PUBLISH_ERROR."""
import unittest

from harness import GatewayTestCase, clip, wait

DEMO = {"demo": [{"name": "obs", "user_id": "studio-a"}]}


class MediaRuleTest(GatewayTestCase):
    def assert_violation(self, source, code, config=None, started=None):
        d = self.daemon(config=config, stages=DEMO)
        rc, err = wait(d.push("obs", source))
        self.assertNotEqual(rc, 0, "the encoder must be disconnected")
        events = d.wait_events("obs", 4)
        names = [e[0] for e in events]
        self.assertEqual(events[-3:], [("PUBLISH_ERROR", code), ("PUBLISH_STOPPED", ""), ("LEFT", "")],
                         events)
        self.assertEqual(names[0], "JOINED")
        if started is not None:
            self.assertEqual("PUBLISH_STARTED" in names, started, events)
        return d

    def test_high_profile_is_invalid_video_codec(self):
        self.assert_violation(clip("high_360p", profile="high", bf=0), "INVALID_VIDEO_CODEC",
                              started=False)

    def test_b_frames_are_detected_from_slice_types(self):
        self.assert_violation(clip("high_bf3_360p", profile="high", bf=3), "B_FRAME_PRESENT",
                              config={"media": {"video": {"profiles": ["baseline", "main", "high"]}}})

    def test_1080p_is_resolution_exceeded(self):
        self.assert_violation(clip("baseline_1080p", size="1920x1080", seconds=3, vbitrate="2000k"),
                              "RESOLUTION_EXCEEDED", started=False)

    def test_portrait_720x1280_is_accepted(self):
        d = self.daemon(stages=DEMO)
        rc, err = wait(d.push("obs", clip("baseline_portrait", size="720x1280", seconds=3,
                                          vbitrate="1500k")))
        self.assertEqual(rc, 0, err)
        self.assertEqual([e[0] for e in d.wait_events("obs", 4)],
                         ["JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"])

    def test_too_small_is_invalid_input(self):
        self.assert_violation(clip("baseline_128x96", size="128x96", vbitrate="200k"),
                              "INVALID_INPUT", started=False)

    def test_video_over_the_bitrate_limit_is_bitrate_exceeded(self):
        self.assert_violation(clip("baseline_360p_2m", vbitrate="2000k", seconds=6),
                              "BITRATE_EXCEEDED",
                              config={"media": {"video": {"max_bitrate_kbps": 500}}}, started=True)

    def test_audio_over_the_bitrate_limit_is_bitrate_exceeded(self):
        self.assert_violation(clip("valid_360p_6s", seconds=6), "BITRATE_EXCEEDED",
                              config={"media": {"audio": {"max_bitrate_kbps": 32}}}, started=True)

    def test_mp3_is_invalid_audio_codec(self):
        self.assert_violation(clip("mp3_audio", audio="libmp3lame", abitrate="128k", arate=44100),
                              "INVALID_AUDIO_CODEC", started=False)

    def test_aac_at_22050_hz_is_invalid_audio_codec(self):
        self.assert_violation(clip("aac_22050", arate=22050), "INVALID_AUDIO_CODEC", started=False)

    def test_missing_audio_track_is_invalid_input(self):
        self.assert_violation(clip("video_only_6s", seconds=6, audio=None), "INVALID_INPUT",
                              config={"media": {"track_grace": "2s"}}, started=False)

    def test_publish_longer_than_max_duration_is_stream_duration_exceeded(self):
        self.assert_violation(clip("valid_360p_8s", seconds=8), "STREAM_DURATION_EXCEEDED",
                              config={"media": {"max_duration": "3s"}}, started=True)


if __name__ == "__main__":
    unittest.main()
