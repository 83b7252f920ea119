//! MIKEY cryptography: PRFs, key derivations, KEMAC protection, freshness.
