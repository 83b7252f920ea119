//! The MIKEY wire format: payloads, messages and the SDP attribute.
