//! The crate's error type.

/// What can go wrong in esp-sa.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A parameter is outside what this implementation supports.
    #[error("invalid parameter: {0}")]
    Parameter(&'static str),
    /// The caller's buffer cannot hold the packet.
    #[error("buffer too short: {needed} bytes needed")]
    Buffer {
        /// The length needed.
        needed: usize,
    },
    /// A hard lifetime limit is reached: the SA must be replaced.
    #[error("SA lifetime expired")]
    LifetimeExpired,
    /// The sequence number would cycle: the SA must be replaced (RFC 4303 §3.3.3).
    #[error("sequence number exhausted: rekey")]
    SequenceExhausted,
    /// A packet too short, or with an encrypted part that is not a whole
    /// number of blocks.
    #[error("ESP packet of {got} bytes has an impossible length")]
    Length {
        /// The length received.
        got: usize,
    },
    /// The packet is for another SA.
    #[error("SPI {got:#010x} is not this SA's")]
    Spi {
        /// The SPI received.
        got: u32,
    },
    /// The sequence number is a replay or too old.
    #[error("{0}")]
    Replay(crate::replay::Replay),
    /// Not an IPv4 or IPv6 packet this crate can handle (bad version, header
    /// or length fields; for unprotect, not ESP).
    #[error("not an IP packet esp-sa can handle")]
    IpHeader,
    /// The ICV does not verify.
    #[error("ICV does not verify")]
    Icv,
    /// The padding is not the default 1, 2, 3, … or longer than the data.
    #[error("bad ESP padding")]
    Padding,
    /// The decrypted packet's addresses or ports are not those of the SA
    /// that accepted it (RFC 4301 §5.2), or it has no ports to select on.
    #[error("packet does not match the SA's selector")]
    Selector,
    /// No outbound SA for the packet's addresses and ports: do not send it.
    #[error("no SA for this traffic")]
    NoSa,
    /// An inbound SA with this SPI is installed already.
    #[error("SPI {spi:#010x} is in use")]
    SpiInUse {
        /// The SPI.
        spi: u32,
    },
    /// An outbound SA for this selector is installed already.
    #[error("an SA for this selector is installed already")]
    SelectorInUse,
    /// The RNG gave no usable SPI (all draws reserved or in use).
    #[error("no free SPI found")]
    NoFreeSpi,
    /// A key has a length its algorithm does not allow.
    #[error("{algorithm} needs a key of another length than {got} bytes")]
    KeyLength {
        /// The algorithm's token.
        algorithm: &'static str,
        /// The length offered.
        got: usize,
    },
}
