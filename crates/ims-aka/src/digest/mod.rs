//! HTTP Digest AKA for SIP (RFC 3310, RFC 4169, RFC 8760 algorithm names).
