//! IP address ranges of the service partner table (seed 004 §5.2.1).

use core::fmt;
use core::net::IpAddr;
use core::str::FromStr;

/// Why text is not an [`AddressRange`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AddressRangeError {
    /// The part before `/` is not an IPv4 or IPv6 address.
    #[error("not an IP address")]
    Address,
    /// The part after `/` is not a decimal prefix length.
    #[error("prefix length is not a decimal number")]
    PrefixLength,
    /// The prefix is longer than the address (32 bits for IPv4, 128 for IPv6).
    #[error("prefix length {prefix_len} is longer than {max} bits")]
    PrefixTooLong {
        /// The prefix length given.
        prefix_len: u16,
        /// The address length in bits.
        max: u8,
    },
    /// The address has bits set after the prefix (`192.0.2.1/24`); refused
    /// rather than masked, since it is most likely a typing error.
    #[error("address has bits set after the prefix")]
    HostBitsSet,
}

/// An IPv4 or IPv6 CIDR prefix, such as `192.0.2.0/24` or `2001:db8::/32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddressRange {
    network: IpAddr,
    prefix_len: u8,
}

impl AddressRange {
    /// The range of `prefix_len` leading bits of `network`; refused if the
    /// prefix is longer than the address or `network` has host bits set.
    pub fn new(network: IpAddr, prefix_len: u8) -> Result<Self, AddressRangeError> {
        let max = match network {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        if prefix_len > max {
            return Err(AddressRangeError::PrefixTooLong {
                prefix_len: prefix_len.into(),
                max,
            });
        }
        let range = Self {
            network,
            prefix_len,
        };
        if range.masked(network) == Some(network) {
            Ok(range)
        } else {
            Err(AddressRangeError::HostBitsSet)
        }
    }

    /// The first address of the range.
    #[must_use]
    pub fn network(&self) -> IpAddr {
        self.network
    }

    /// The number of leading bits that are fixed.
    #[must_use]
    pub fn prefix_len(&self) -> u8 {
        self.prefix_len
    }

    /// Whether `address` is in the range. An IPv4-mapped IPv6 address
    /// (`::ffff:192.0.2.1`, as a dual-stack socket reports an IPv4 peer) is
    /// also matched as the IPv4 address it carries.
    #[must_use]
    pub fn contains(&self, address: IpAddr) -> bool {
        let hit = |a| self.masked(a) == Some(self.network);
        hit(address) || hit(address.to_canonical())
    }

    /// `address` with the bits after the prefix cleared; `None` when it is
    /// of the other address family.
    fn masked(&self, address: IpAddr) -> Option<IpAddr> {
        // checked_shl: a /0 mask shifts by the full width, which is no mask at all.
        let shift = |width: u32| width.saturating_sub(u32::from(self.prefix_len));
        match (self.network, address) {
            (IpAddr::V4(_), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(shift(32)).unwrap_or(0);
                Some(IpAddr::V4((u32::from(a) & mask).into()))
            }
            (IpAddr::V6(_), IpAddr::V6(a)) => {
                let mask = u128::MAX.checked_shl(shift(128)).unwrap_or(0);
                Some(IpAddr::V6((u128::from(a) & mask).into()))
            }
            _ => None,
        }
    }
}

impl FromStr for AddressRange {
    type Err = AddressRangeError;

    /// `address/prefix-length`; a bare address is the range of that one
    /// address (`/32` or `/128`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (address, prefix) = match s.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (s, None),
        };
        let network: IpAddr = address.parse().map_err(|_| AddressRangeError::Address)?;
        let max: u8 = if network.is_ipv4() { 32 } else { 128 };
        let prefix_len = match prefix {
            // One to three digits: `from_str` would also take a leading `+`.
            Some(p) if (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()) => p
                .parse::<u16>()
                .map_err(|_| AddressRangeError::PrefixLength)?,
            Some(_) => return Err(AddressRangeError::PrefixLength),
            None => max.into(),
        };
        match u8::try_from(prefix_len) {
            Ok(prefix_len) => Self::new(network, prefix_len),
            Err(_) => Err(AddressRangeError::PrefixTooLong { prefix_len, max }),
        }
    }
}

impl fmt::Display for AddressRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix_len)
    }
}
