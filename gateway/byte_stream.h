// The byte pipe under an RTMP session: plain TCP or TLS over TCP, chosen by the listener (or the
// relay URL's scheme) and invisible to the code above. The owner writes plaintext into out() and
// calls flush(); it reads plaintext through the OnRead callback. Both implementations live on the
// libuv loop and free nothing themselves: the owner is deleted from the callback passed to close().
#pragma once

#include <openssl/ssl.h>
#include <uv.h>

#include <functional>
#include <memory>
#include <string>

#include "rtmp/bytes.h"
#include "rtmp/status.h"

namespace sg::gw {

class ByteStream {
 public:
  using OnRead = std::function<void(ByteView)>;
  // The stream ended: the peer closed it, an I/O error, or a TLS failure. `why` is one line for
  // the log (never key material).
  using OnEnd = std::function<void(std::string why)>;

  virtual ~ByteStream() = default;

  // Plaintext waiting to be sent: the RTMP session writes here.
  virtual OutQueue& out() = 0;

  virtual int accept_from(uv_stream_t* server) = 0;
  virtual int connect(const sockaddr* addr, std::function<void(int status)> on_connected) = 0;
  virtual int start_reading(OnRead on_read, OnEnd on_end) = 0;
  virtual void stop_reading() = 0;
  // Sends what out() holds (encrypting it first for TLS).
  virtual void flush() = 0;
  // Runs `cb` once everything written so far has reached the socket.
  virtual void when_drained(std::function<void()> cb) = 0;
  // Bytes not yet handed to the kernel (plaintext and ciphertext): what a slow peer costs.
  virtual size_t pending_bytes() const = 0;
  // Adds every byte written to the socket to `*counter` (a metric of the owner's).
  virtual void count_bytes_written(uint64_t* counter) = 0;
  virtual void close(std::function<void()> on_closed) = 0;

  // "RTMPS" transports: TLS. The ingest policy and the participant's protocol follow this.
  virtual bool secure() const = 0;
  // For the log: "" for plain TCP, "TLSv1.3 TLS_AES_256_GCM_SHA384" once a TLS handshake is done.
  virtual std::string security() const = 0;
  // True once a TLS handshake failed (garbage, plain RTMP on the TLS port, a client refusing the
  // certificate): counted apart from other ends, since an expired certificate shows up here.
  virtual bool tls_handshake_failed() const = 0;
  virtual std::string peer_address() const = 0;
  virtual std::string peer_ip() const = 0;
};

// Plain TCP.
std::unique_ptr<ByteStream> make_plain_stream(uv_loop_t* loop);
// TLS server side (RTMPS listener) with `ctx` (the stream keeps its own reference, so a reloaded
// certificate never affects a live connection). Errors: tls.session.
Result<std::unique_ptr<ByteStream>> make_tls_server_stream(uv_loop_t* loop, SSL_CTX* ctx);
// TLS client side (RTMPS relay): SNI and certificate name checked against `host`.
Result<std::unique_ptr<ByteStream>> make_tls_client_stream(uv_loop_t* loop, SSL_CTX* ctx,
                                                           std::string host);

}  // namespace sg::gw
