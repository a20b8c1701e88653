#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <string>

#include "rtmp/chunk.h"

namespace sg::rtmp {
namespace {

using Bytes = std::vector<uint8_t>;

// "03 00 03 e8" -> bytes.
Bytes hex(const std::string& s) {
  Bytes out;
  std::istringstream in(s);
  std::string tok;
  while (in >> tok) out.push_back(uint8_t(std::stoul(tok, nullptr, 16)));
  return out;
}

Bytes body(size_t n, uint8_t seed = 0) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = uint8_t(seed + i * 7);
  return b;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes part(const Bytes& b, size_t from, size_t to) {
  return Bytes(b.begin() + long(from), b.begin() + long(to));
}

// A delivered message with its payload by value, so that logs compare with ==.
struct Event {
  uint32_t csid;
  uint8_t type;
  uint32_t stream_id;
  uint64_t timestamp;
  Bytes payload;
  bool operator==(const Event&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Event& e) {
  return os << "{csid " << e.csid << " type " << int(e.type) << " sid " << e.stream_id << " ts 0x"
            << std::hex << e.timestamp << std::dec << " len " << e.payload.size() << "}";
}

Message to_message(const Event& e) {
  return Message{e.csid, e.type, e.stream_id, e.timestamp, make_payload(e.payload)};
}

struct ReadResult {
  std::vector<Event> events;
  std::string_view reason;  // empty when ok
  bool operator==(const ReadResult&) const = default;
};

// Feeds `input` cut into the given piece sizes (the rest in one piece).
std::ostream& operator<<(std::ostream& os, const ReadResult& r) {
  os << "reason '" << r.reason << "' events [";
  for (const auto& e : r.events) os << e << " ";
  return os << "]";
}

ReadResult read_pieces(const Bytes& input, const std::vector<size_t>& cuts,
                       ChunkLimits limits = {}) {
  ChunkReader r(limits);
  ReadResult res;
  auto sink = [&](Message&& m) {
    EXPECT_TRUE(m.payload != nullptr);
    res.events.push_back({m.csid, m.type, m.stream_id, m.timestamp, *m.payload});
    return Status::ok();
  };
  size_t pos = 0;
  for (size_t i = 0; i <= cuts.size() && pos <= input.size(); ++i) {
    const size_t n = i < cuts.size() ? std::min(cuts[i], input.size() - pos) : input.size() - pos;
    Status st = r.feed(ByteView(input).subspan(pos, n), sink);
    pos += n;
    if (!st) {
      res.reason = st.reason();
      // Sticky: the next call fails the same way without delivering anything.
      const size_t before = res.events.size();
      Status again = r.feed(ByteView(input).subspan(pos), sink);
      EXPECT_EQ(again.reason(), st.reason());
      EXPECT_EQ(res.events.size(), before);
      break;
    }
  }
  if (res.reason.empty()) {
    EXPECT_EQ(r.bytes_received(), input.size());
  }
  return res;
}

ReadResult read_all(const Bytes& input, ChunkLimits limits = {}) {
  return read_pieces(input, {}, limits);
}

// The chunk-boundary invariance check: every 2-way split, byte-by-byte, and random chunkings must
// produce exactly the result of one feed().
void expect_split_invariant(const Bytes& input, const ReadResult& expected,
                            ChunkLimits limits = {}) {
  ASSERT_EQ(read_all(input, limits), expected);
  for (size_t cut = 0; cut <= input.size(); ++cut) {
    ASSERT_EQ(read_pieces(input, {cut}, limits), expected) << "split at " << cut;
  }
  ASSERT_EQ(read_pieces(input, std::vector<size_t>(input.size(), 1), limits), expected);
  std::mt19937 rng(uint32_t(input.size()));
  for (int iter = 0; iter < 30; ++iter) {
    std::vector<size_t> cuts;
    for (size_t total = 0; total < input.size();) {
      cuts.push_back(1 + rng() % 40);
      total += cuts.back();
    }
    ASSERT_EQ(read_pieces(input, cuts, limits), expected) << "random chunking " << iter;
  }
}

// Writes events with one ChunkWriter, following Set Chunk Size messages as a peer would.
Bytes write_all(const std::vector<Event>& events) {
  ChunkWriter w;
  OutQueue out;
  for (const auto& e : events) {
    w.write(to_message(e), out);
    if (e.type == kSetChunkSize) w.set_chunk_size(get_be32(e.payload.data()));
  }
  return out.take_all();
}

struct Golden {
  const char* name;
  Bytes wire;
  std::vector<Event> events;
  bool writer_emits;  // ChunkWriter produces exactly `wire` from `events`
};

std::vector<Golden> goldens() {
  const Bytes hello = hex("68 65 6c 6c 6f");
  std::vector<Golden> g;
  g.push_back({"type0_1byte_csid",
               cat({hex("03 00 03 e8 00 00 05 14 01 00 00 00"), hello}),
               {{3, 20, 1, 1000, hello}},
               true});
  g.push_back({"type0_2byte_csid",
               cat({hex("00 00 00 00 01 00 00 01 08 00 00 00 00 aa"),
                    hex("00 24 00 00 02 00 00 01 08 00 00 00 00 bb"),
                    hex("00 ff 00 00 03 00 00 01 08 00 00 00 00 cc")}),
               {{64, 8, 0, 1, {0xaa}}, {100, 8, 0, 2, {0xbb}}, {319, 8, 0, 3, {0xcc}}},
               true});
  g.push_back({"type0_3byte_csid",
               cat({hex("01 00 01 00 00 07 00 00 01 09 05 00 00 00 11"),
                    hex("01 ff ff 00 00 08 00 00 01 09 05 00 00 00 22")}),
               {{320, 9, 5, 7, {0x11}}, {65599, 9, 5, 8, {0x22}}},
               true});
  g.push_back({"3byte_form_for_small_csid_is_accepted",
               hex("01 24 00 00 00 05 00 00 01 08 00 00 00 00 33"),
               {{100, 8, 0, 5, {0x33}}},
               false});  // the writer uses the 2-byte form for csid 100
  g.push_back({"type0_extended_timestamp",
               cat({hex("04 ff ff ff 00 00 02 08 01 00 00 00 01 00 00 00 de ad")}),
               {{4, 8, 1, 0x01000000, {0xde, 0xad}}},
               true});
  g.push_back({"type0_timestamp_just_below_marker",
               hex("04 ff ff fe 00 00 01 08 01 00 00 00 77"),
               {{4, 8, 1, 0xfffffe, {0x77}}},
               true});
  g.push_back(
      {"types_0_1_2_3",
       cat({hex("04 00 03 e8 00 00 03 08 01 00 00 00 aa bb cc"),
            hex("44 00 00 14 00 00 02 09 dd ee"), hex("84 00 00 1e 11 22"), hex("c4 33 44")}),
       {{4, 8, 1, 1000, {0xaa, 0xbb, 0xcc}},
        {4, 9, 1, 1020, {0xdd, 0xee}},
        {4, 9, 1, 1050, {0x11, 0x22}},
        {4, 9, 1, 1080, {0x33, 0x44}}},
       true});
  g.push_back({"three_chunks_at_128",
               cat({hex("06 00 00 00 00 01 2c 09 01 00 00 00"), part(body(300), 0, 128), hex("c6"),
                    part(body(300), 128, 256), hex("c6"), part(body(300), 256, 300)}),
               {{6, 9, 1, 0, body(300)}},
               true});
  g.push_back({"set_chunk_size_then_4096_chunk",
               cat({hex("02 00 00 00 00 00 04 01 00 00 00 00 00 00 10 00"),
                    hex("06 00 00 0a 00 10 00 09 01 00 00 00"), body(4096, 3)}),
               {{2, 1, 0, 0, hex("00 00 10 00")}, {6, 9, 1, 10, body(4096, 3)}},
               true});
  g.push_back({"extended_timestamp_repeated_on_type3_continuation",
               cat({hex("06 ff ff ff 00 00 c8 09 01 00 00 00 01 00 00 00"), part(body(200), 0, 128),
                    hex("c6 01 00 00 00"), part(body(200), 128, 200)}),
               {{6, 9, 1, 0x01000000, body(200)}},
               true});
  g.push_back({"extended_delta_on_type1_and_type3_new_message",
               cat({hex("06 00 00 00 00 00 01 09 01 00 00 00 01"),
                    hex("46 ff ff ff 00 00 01 08 01 23 45 67 02"), hex("86 00 00 05 03"),
                    // type 2 with a delta >= 0xffffff, then a type-3 new message: 4 bytes again
                    hex("86 ff ff ff 01 00 00 00 04"), hex("c6 01 00 00 00 05")}),
               {{6, 9, 1, 0, {1}},
                {6, 8, 1, 0x01234567, {2}},
                {6, 8, 1, 0x0123456c, {3}},
                {6, 8, 1, 0x0223456c, {4}},
                {6, 8, 1, 0x0323456c, {5}}},
               true});
  g.push_back({"empty_message",
               cat({hex("03 00 00 00 00 00 00 14 00 00 00 00"),
                    hex("03 00 00 01 00 00 01 14 00 00 00 00 09")}),
               {{3, 20, 0, 0, {}}, {3, 20, 0, 1, {9}}},
               false});  // the writer would compress the second header
  g.push_back({"interleaved_chunk_streams",
               cat({hex("06 00 00 00 00 00 c8 09 01 00 00 00"), part(body(200), 0, 128),
                    hex("04 00 00 00 00 00 02 08 01 00 00 00 aa bb"), hex("c6"),
                    part(body(200), 128, 200)}),
               {{4, 8, 1, 0, {0xaa, 0xbb}}, {6, 9, 1, 0, body(200)}},
               false});  // the writer sends a message's chunks back to back
  g.push_back({"abort_discards_partial_message",
               cat({hex("06 00 00 00 00 00 c8 09 01 00 00 00"), part(body(200), 0, 128),
                    hex("02 00 00 00 00 00 04 02 00 00 00 00 00 00 00 06"),
                    hex("06 00 00 14 00 00 01 09 01 00 00 00 5a")}),
               {{2, 2, 0, 0, hex("00 00 00 06")}, {6, 9, 1, 20, {0x5a}}},
               false});
  return g;
}

TEST(ChunkReader, GoldenTablesDecodeAtEverySplit) {
  for (const auto& g : goldens()) {
    SCOPED_TRACE(g.name);
    expect_split_invariant(g.wire, ReadResult{g.events, {}});
  }
}

TEST(ChunkWriter, GoldenTablesEncode) {
  for (const auto& g : goldens()) {
    if (!g.writer_emits) continue;
    SCOPED_TRACE(g.name);
    EXPECT_EQ(write_all(g.events), g.wire);
  }
}

TEST(ChunkReader, Type3NewMessageAfterType0UsesType0TimestampAsDelta) {
  // RTMP 1.0 5.3.1.2.4 and ffmpeg: the type-0 timestamp (40) is the delta of a following type 3.
  const Bytes wire =
      cat({hex("03 00 00 28 00 00 01 08 01 00 00 00 01"), hex("c3 02"), hex("c3 03")});
  expect_split_invariant(wire, {{{3, 8, 1, 40, {1}}, {3, 8, 1, 80, {2}}, {3, 8, 1, 120, {3}}}, {}});
}

TEST(ChunkWriter, NeverSendsType3NewMessageRightAfterType0) {
  // Readers disagree on that case, so the writer spells the delta out (type 2).
  const std::vector<Event> ev = {{3, 8, 1, 40, {1}}, {3, 8, 1, 80, {2}}, {3, 8, 1, 120, {3}}};
  EXPECT_EQ(write_all(ev), cat({hex("03 00 00 28 00 00 01 08 01 00 00 00 01"),
                                hex("83 00 00 28 02"), hex("c3 03")}));
}

TEST(ChunkReader, TimestampWrapUnwrapsTo64Bits) {
  // Type-0 absolute timestamps 0xffffff00 then 0x00000100: the second is 2^32 + 0x100.
  const Bytes abs = cat({hex("04 ff ff ff 00 00 01 08 01 00 00 00 ff ff ff 00 01"),
                         hex("04 00 01 00 00 00 01 08 01 00 00 00 02"),
                         // and a later small step backwards stays after the wrap
                         hex("04 00 00 f0 00 00 01 08 01 00 00 00 03")});
  expect_split_invariant(
      abs,
      {{{4, 8, 1, 0xffffff00, {1}}, {4, 8, 1, 0x100000100, {2}}, {4, 8, 1, 0x1000000f0, {3}}}, {}});
  // Deltas accumulate in 64 bits across the wrap.
  const Bytes delta = cat({hex("04 ff ff ff 00 00 01 08 01 00 00 00 ff ff ff f0 01"),
                           hex("84 00 00 20 02"), hex("c4 03")});
  expect_split_invariant(
      delta,
      {{{4, 8, 1, 0xfffffff0, {1}}, {4, 8, 1, 0x100000010, {2}}, {4, 8, 1, 0x100000030, {3}}}, {}});
}

TEST(ChunkWriter, TruncatesTimestampsTo32BitsOnTheWire) {
  ChunkWriter w;
  OutQueue out;
  w.write(to_message({5, 9, 1, 0x100000100, {1}}), out);
  EXPECT_EQ(out.take_all(), hex("05 00 01 00 00 00 01 09 01 00 00 00 01"));
  // A delta across the 32-bit wrap is still a small delta.
  ChunkWriter w2;
  w2.write(to_message({5, 9, 1, 0xffffff00, {1}}), out);
  w2.write(to_message({5, 9, 1, 0x100000100, {2}}), out);
  EXPECT_EQ(out.take_all(), cat({hex("05 ff ff ff 00 00 01 09 01 00 00 00 ff ff ff 00 01"),
                                 hex("85 00 02 00 02")}));
}

TEST(ChunkWriter, HeaderTypeSelection) {
  ChunkWriter w;
  OutQueue out;
  w.write(to_message({3, 20, 0, 0, {1}}), out);
  w.write(to_message({3, 20, 1, 0, {1}}), out);     // other stream id -> type 0
  w.write(to_message({3, 20, 1, 5, {1, 2}}), out);  // other length -> type 1
  w.write(to_message({3, 18, 1, 9, {1, 2}}), out);  // other type -> type 1
  w.write(to_message({3, 18, 1, 3, {1, 2}}), out);  // backwards -> type 0
  EXPECT_EQ(out.take_all(),
            cat({hex("03 00 00 00 00 00 01 14 00 00 00 00 01"),
                 hex("03 00 00 00 00 00 01 14 01 00 00 00 01"),
                 hex("43 00 00 05 00 00 02 14 01 02"), hex("43 00 00 04 00 00 02 12 01 02"),
                 hex("03 00 00 03 00 00 02 12 01 00 00 00 01 02")}));
}

TEST(ChunkWriter, PayloadIsReferencedNotCopied) {
  ChunkWriter w;
  OutQueue out;
  Message m{6, kVideo, 1, 0, make_payload(body(300))};
  w.write(m, out);
  size_t shared = 0;
  for (const auto& s : out.segments()) {
    if (s.owner) {
      EXPECT_EQ(s.owner.get(), m.payload.get());
      shared += s.length;
    }
  }
  EXPECT_EQ(shared, 300u);
  EXPECT_EQ(out.size_bytes(), 300u + 12 + 2);
}

TEST(ChunkRoundTrip, RandomMessagesAndChunkSizes) {
  std::mt19937 rng(12345);
  // Not csid 2: it carries the Set Chunk Size messages, always at timestamp 0.
  const uint32_t csids[] = {3, 4, 5, 63, 64, 200, 319, 320, 1000, 65599};
  for (int round = 0; round < 20; ++round) {
    std::vector<Event> events;
    std::unordered_map<uint32_t, uint64_t> last_ts;
    for (int i = 0; i < 120; ++i) {
      if (rng() % 10 == 0) {
        // A new chunk size between 1 and 20000, announced in-band.
        const uint32_t cs = 1 + rng() % 20000;
        Bytes p;
        put_be32(p, cs);
        events.push_back({2, kSetChunkSize, 0, 0, p});
        continue;
      }
      const uint32_t csid = csids[rng() % std::size(csids)];
      // Half of the chunk streams start just below the 32-bit wrap so that later messages cross it
      // (with deltas and with type-0 headers after a stream id change or a step back).
      // A chunk stream's first message (type 0) cannot carry more than 32 bits.
      const bool first = !last_ts.count(csid);
      if (first) last_ts[csid] = rng() % 2 ? 0xffffff00u : 0;
      const uint64_t prev = last_ts[csid];
      uint64_t ts = prev;
      switch (first ? 5 : rng() % 6) {
        case 0:  // a delta that needs the extended timestamp field
          ts = prev + 0x1000000 + rng() % 100;
          break;
        case 1:  // a small step back (type 0)
          ts = prev > 50 ? prev - rng() % 50 : prev;
          break;
        default:
          ts = prev + rng() % 50;
      }
      last_ts[csid] = ts;
      const size_t len = rng() % 4 == 0 ? 0 : rng() % 3000;
      const uint8_t type = rng() % 2 ? kAudio : kVideo;
      events.push_back({csid, type, uint32_t(rng() % 3), ts, body(len, uint8_t(rng()))});
    }
    const Bytes wire = write_all(events);
    ReadResult expected{events, {}};
    ASSERT_EQ(read_all(wire), expected) << "round " << round;
    std::vector<size_t> cuts;
    for (size_t total = 0; total < wire.size();) {
      cuts.push_back(1 + rng() % 5000);
      total += cuts.back();
    }
    ASSERT_EQ(read_pieces(wire, cuts), expected) << "round " << round;
  }
}

ReadResult read_with(const Bytes& wire, ChunkLimits limits) {
  ReadResult r = read_all(wire, limits);
  // Errors must not depend on how the input was cut either.
  for (size_t cut = 0; cut <= wire.size(); ++cut) EXPECT_EQ(read_pieces(wire, {cut}, limits), r);
  return r;
}

TEST(ChunkReader, ErrorReasons) {
  const Bytes scs_head = hex("02 00 00 00 00 00 04 01 00 00 00 00");
  // Set Chunk Size: 0, top bit set, above the configured bound; and the bound itself is fine.
  EXPECT_EQ(read_with(cat({scs_head, hex("00 00 00 00")}), {}).reason, "rtmp.bad_chunk_size");
  EXPECT_EQ(read_with(cat({scs_head, hex("80 00 10 00")}), {}).reason, "rtmp.bad_chunk_size");
  ChunkLimits small;
  small.max_chunk_size = 4096;
  EXPECT_EQ(read_with(cat({scs_head, hex("00 00 10 01")}), small).reason, "rtmp.bad_chunk_size");
  EXPECT_EQ(read_with(cat({scs_head, hex("00 00 10 00")}), small).reason, "");
  // A bad Set Chunk Size is not delivered; messages before it are.
  auto r =
      read_all(cat({hex("03 00 00 00 00 00 01 14 00 00 00 00 07"), scs_head, hex("00 00 00 00")}));
  EXPECT_EQ(r.events.size(), 1u);

  // Short control payloads.
  EXPECT_EQ(read_with(hex("02 00 00 00 00 00 03 01 00 00 00 00 00 10 00"), {}).reason,
            "rtmp.bad_control_message");
  EXPECT_EQ(read_with(hex("02 00 00 00 00 00 02 02 00 00 00 00 00 06"), {}).reason,
            "rtmp.bad_control_message");

  // Message size bound (checked on the header, before any body byte).
  ChunkLimits msg;
  msg.max_message_size = 100;
  EXPECT_EQ(read_with(hex("03 00 00 00 00 00 65 09 01 00 00 00"), msg).reason,
            "rtmp.message_too_large");
  EXPECT_EQ(read_with(cat({hex("03 00 00 00 00 00 64 09 01 00 00 00"), body(100)}), msg).reason,
            "");
  // ... also for the length a type-1 header announces.
  EXPECT_EQ(
      read_with(
          cat({hex("03 00 00 00 00 00 01 09 01 00 00 00 01"), hex("43 00 00 00 00 00 65 09")}), msg)
          .reason,
      "rtmp.message_too_large");

  // Chunk stream count bound.
  ChunkLimits streams;
  streams.max_chunk_streams = 2;
  const Bytes three = cat({hex("03 00 00 00 00 00 01 09 01 00 00 00 01"),
                           hex("04 00 00 00 00 00 01 09 01 00 00 00 01"),
                           hex("03 00 00 01 00 00 01 09 01 00 00 00 01"),
                           hex("05 00 00 00 00 00 01 09 01 00 00 00 01")});
  auto rs = read_with(three, streams);
  EXPECT_EQ(rs.reason, "rtmp.too_many_chunk_streams");
  EXPECT_EQ(rs.events.size(), 3u);

  // Type 1/2/3 on a chunk stream never opened with type 0.
  for (const char* h : {"43 00 00 00 00 00 01 09 01", "83 00 00 00 01", "c3 01"}) {
    EXPECT_EQ(read_with(hex(h), {}).reason, "rtmp.bad_chunk_header") << h;
  }
  // A new header (type 0/1/2) while a message is still incomplete on that chunk stream.
  const Bytes partial = cat({hex("06 00 00 00 00 00 c8 09 01 00 00 00"), body(128)});
  EXPECT_EQ(read_with(cat({partial, hex("06 00 00 00 00 00 01 09 01 00 00 00 01")}), {}).reason,
            "rtmp.bad_chunk_header");
  EXPECT_EQ(read_with(cat({partial, hex("86 00 00 00 01")}), {}).reason, "rtmp.bad_chunk_header");
}

TEST(ChunkReader, SinkErrorStopsParsingAndIsSticky) {
  const Bytes wire = cat({hex("03 00 00 00 00 00 01 14 00 00 00 00 01"),
                          hex("03 00 00 00 00 00 01 14 00 00 00 00 02")});
  ChunkReader r;
  int calls = 0;
  auto sink = [&](Message&&) -> Status {
    ++calls;
    return make_error("session.refused");
  };
  EXPECT_EQ(r.feed(wire, sink).reason(), "session.refused");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(r.feed(wire, sink).reason(), "session.refused");
  EXPECT_EQ(calls, 1);
}

TEST(ChunkReader, SetChunkSizeAppliesAtTheMessageBoundary) {
  ChunkReader r;
  EXPECT_EQ(r.chunk_size(), 128u);
  const Bytes wire = cat({hex("02 00 00 00 00 00 04 01 00 00 00 00 00 00 10 00"),
                          hex("06 00 00 0a 00 10 00 09 01 00 00 00"), body(4096)});
  std::vector<uint32_t> sizes_seen;
  Status st = r.feed(wire, [&](Message&&) {
    sizes_seen.push_back(r.chunk_size());
    return Status::ok();
  });
  ASSERT_TRUE(st.is_ok());
  // Already applied when the Set Chunk Size itself is delivered.
  EXPECT_EQ(sizes_seen, (std::vector<uint32_t>{4096, 4096}));
}

TEST(OutQueue, AppendCopyNeverMovesBytesAWriteMayHold) {
  // The gateway hands front segments to uv_write and consumes them only on completion; appending in
  // between must not reallocate the bytes under that write.
  OutQueue q;
  q.append_copy(hex("01 02 03"));
  const uint8_t* front = q.segments().front().data();
  for (int i = 0; i < 1000; ++i) q.append_copy(hex("04 05 06 07"));
  EXPECT_EQ(q.segments().front().data(), front);
  EXPECT_EQ(q.size_bytes(), 3u + 4000);
  const Bytes all = q.take_all();
  EXPECT_EQ(part(all, 0, 7), hex("01 02 03 04 05 06 07"));
  EXPECT_EQ(part(all, all.size() - 4, all.size()), hex("04 05 06 07"));
}

}  // namespace
}  // namespace sg::rtmp
