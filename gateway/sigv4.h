// Server-side verification of AWS Signature Version 4 (header form), as the unmodified AWS CLI and
// boto3 sign control API requests. Pure: no I/O, no clock reads (`now` is a parameter), so every
// rule is testable against golden requests captured from botocore.
//
// Canonicalisation follows botocore/auth.py SigV4Auth (the client we must accept), which for a
// non-S3 service such as "ivs" encodes the already percent-encoded path a second time.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rtmp/status.h"

namespace sg::gw {

struct SigV4Credential {
  std::string access_key_id;
  std::string secret_access_key;
};

struct SigV4Request {
  std::string_view method;
  std::string_view path;   // raw as received, percent-encoded
  std::string_view query;  // raw, without '?'
  const std::vector<std::pair<std::string, std::string>>& headers;  // names as sent
  std::string_view body;
};

struct SigV4Outcome {
  bool ok = false;
  int http_status = 403;      // 200 when ok
  std::string error_type;     // x-amzn-ErrorType, e.g. "InvalidSignatureException"
  std::string message;        // never holds a secret key or a full signature
  std::string access_key_id;  // as claimed in the Credential scope, once parsed (for logs)
  std::string_view reason;    // stable id for counters, e.g. "sigv4.expired"; empty when ok
};

SigV4Outcome verify_sigv4(const SigV4Request& req, const std::vector<SigV4Credential>& credentials,
                          std::string_view region, std::string_view service /*"ivs"*/,
                          std::chrono::system_clock::time_point now,
                          std::chrono::seconds max_skew = std::chrono::minutes(5));

// ---- Building blocks, public so tests compare each one with botocore's output. ----

// The parsed `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.
struct SigV4Authorization {
  std::string access_key_id;
  std::string scope_date;  // yyyymmdd
  std::string scope_region;
  std::string scope_service;
  std::string scope_terminator;             // "aws4_request" when well-formed
  std::vector<std::string> signed_headers;  // lowercased, sorted, unique, non-empty
  std::string signature;                    // as sent
};

// Errors carry reason "sigv4.incomplete_signature" and an AWS-style message in `detail`.
Result<SigV4Authorization> parse_sigv4_authorization(std::string_view value);

// quote(remove_dot_segments(raw_path), safe='/~'): dot segments and empty segments removed, then
// every byte outside A-Za-z0-9-_.~/ percent-encoded (so "%3A" becomes "%253A"). "" becomes "/".
std::string sigv4_canonical_uri(std::string_view raw_path);

// Pairs split on '&' and the first '=', each key and value percent-decoded ('+' stays '+') and
// re-encoded with the AWS set (A-Za-z0-9-_.~ kept, uppercase %XY otherwise), sorted by key then
// value; "k" without '=' becomes "k=".
std::string sigv4_canonical_query(std::string_view raw_query);

// The canonical request for the given signed header names (lowercase, sorted). Fails with
// "sigv4.missing_signed_header" when a signed header is not in the request.
Result<std::string> sigv4_canonical_request(const SigV4Request& req,
                                            const std::vector<std::string>& signed_headers,
                                            std::string_view payload_hash);

// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256(canonical_request)>".
std::string sigv4_string_to_sign(std::string_view amz_date, std::string_view scope,
                                 std::string_view canonical_request);

// Lowercase hex HMAC chain: kDate, kRegion, kService, kSigning, then the signature.
std::string sigv4_signature(std::string_view secret_access_key, std::string_view scope_date,
                            std::string_view region, std::string_view service,
                            std::string_view string_to_sign);

// Lowercase hex SHA-256.
std::string sha256_hex(std::string_view data);

}  // namespace sg::gw
