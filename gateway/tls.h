// TLS as a transport: a sans-I/O OpenSSL session over memory BIOs.
//
// The socket code feeds the ciphertext it reads into a TlsSession and writes out whatever
// take_ciphertext() returns; the RTMP code above only ever sees plaintext, so RTMPS is not a mode
// of the protocol code but a different byte pipe under it. Nothing here touches a socket or a loop,
// which is what lets the tests pump a client and a server against each other in memory.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rtmp/bytes.h"
#include "rtmp/status.h"

namespace sg::gw {

// RAII for the two OpenSSL objects this file hands out.
struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslDeleter {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;
using SslPtr = std::unique_ptr<SSL, SslDeleter>;

// Server context for RTMPS ingest: TLS 1.2 minimum, the whole chain from `cert_chain_pem_path`
// (leaf first, then intermediates) served, the key checked against the leaf. Session tickets are
// off because librtmp's GnuTLS path fails on TLS 1.3 tickets that arrive after the handshake.
// Errors: tls.certificate, tls.private_key, tls.context (details never contain key material).
Result<SslCtxPtr> make_server_tls_context(const std::string& cert_chain_pem_path,
                                          const std::string& key_pem_path);

// Client context (relay to an upstream RTMPS server, tests). `ca_file` empty means the system's
// default trust store; `verify` false accepts any certificate (only for explicit opt-in).
// Errors: tls.certificate (CA file unreadable), tls.context.
Result<SslCtxPtr> make_client_tls_context(const std::string& ca_file, bool verify);

struct TlsLimits {
  // Plaintext written but not yet encrypted (before the handshake completes) plus ciphertext not
  // yet taken by the socket code. A peer that does not read must not grow this without bound.
  size_t max_pending_bytes = 16u * 1024 * 1024;
};

// One TLS connection, sans I/O. Errors from feed_ciphertext() are sticky: once it failed every
// later call returns the same error (tls.handshake before the handshake completed, tls.protocol
// after). Alerts OpenSSL produced while failing are still available from take_ciphertext(), so the
// caller can flush them before closing the socket.
class TlsSession {
 public:
  // Both take their own reference on `ctx`; the context may be freed after this returns.
  static Result<std::unique_ptr<TlsSession>> server(SSL_CTX* ctx, TlsLimits limits = {});
  // `sni_host` is sent as SNI (unless it is an IP literal) and, when the context verifies, the
  // certificate must match it (DNS name or IP address). The ClientHello is pending in
  // take_ciphertext() as soon as this returns.
  static Result<std::unique_ptr<TlsSession>> client(SSL_CTX* ctx, std::string sni_host,
                                                    TlsLimits limits = {});

  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // Consumes ciphertext from the peer: drives the handshake and appends whatever plaintext can be
  // decrypted to `plaintext_out`. Handshake replies go to the pending ciphertext.
  Status feed_ciphertext(ByteView in, std::vector<uint8_t>& plaintext_out);
  // Encrypts `in`. Before the handshake completes the bytes are buffered and sent once it does.
  // Errors: tls.backlog (pending bytes would exceed the limit; nothing was taken, not sticky),
  // tls.closed (after shutdown()), or the sticky error.
  Status write_plaintext(ByteView in);
  // Appends everything that must be sent to the peer to `out`.
  void take_ciphertext(std::vector<uint8_t>& out);
  // Bytes take_ciphertext() would return now.
  size_t pending_ciphertext() const;

  bool handshake_done() const;
  // Sends close_notify (after flushing buffered plaintext if the handshake is done). Idempotent.
  void shutdown();
  // The peer sent close_notify: no more plaintext will come.
  bool peer_closed() const { return peer_closed_; }
  bool failed() const { return error_.has_value(); }

  // For logging and inspection (negotiated version, peer certificate); not for I/O.
  SSL* ssl() const { return ssl_.get(); }

 private:
  TlsSession(SslPtr ssl, BIO* rbio, BIO* wbio, TlsLimits limits);
  static Result<std::unique_ptr<TlsSession>> create(SSL_CTX* ctx, TlsLimits limits);

  Status advance_handshake();
  Status read_available(std::vector<uint8_t>& plaintext_out);
  Status flush_plaintext();
  // SSL_write()s `in` until done or OpenSSL wants input first; `done` counts what it took.
  Status ssl_write(ByteView in, size_t& done);
  Status fail(std::string_view reason, int ssl_ret);

  SslPtr ssl_;
  BIO* rbio_;  // owned by ssl_: ciphertext from the peer
  BIO* wbio_;  // owned by ssl_: ciphertext for the peer
  TlsLimits limits_;
  std::vector<uint8_t> pending_plain_;  // written before the handshake (or during a WANT_READ)
  std::optional<Error> error_;
  bool shutdown_sent_ = false;
  bool peer_closed_ = false;
};

}  // namespace sg::gw
