//! `Security-Client`, `Security-Server` and `Security-Verify` (RFC 3329 §2.2)
//! with the `ipsec-3gpp` parameters of TS 33.203 Annex H.
//!
//! ```text
//! sec-mechanism    = mechanism-name *(SEMI mech-parameters)
//! mechanism-name   = ( "digest" / "tls" / "ipsec-ike" / "ipsec-man" / token )
//! mech-parameters  = ( preference / digest-algorithm / digest-qop /
//!                      digest-verify / extension )
//! preference       = "q" EQUAL qvalue
//! digest-verify    = "d-ver" EQUAL LDQUOT 32LHEX RDQUOT
//! ; TS 33.203 Annex H, for mechanism-name "ipsec-3gpp":
//! ;   alg, ealg, prot (ah / esp), mod (trans / tun / UDP-enc-tun),
//! ;   spi-c, spi-s (32-bit decimal), port-c, port-s (16-bit decimal)
//! ```
//!
//! Names of mechanisms and parameters compare case-insensitively and
//! exactly: `alg` is the algorithm, `algorithm` or `alg2` are extensions. A
//! typed parameter may appear once per mechanism, so a tuple can never say
//! two things (`alg=hmac-sha-1-96;alg=null` is refused). Unknown mechanisms,
//! unknown parameters and unknown algorithm names are kept, in order, so a
//! list parses and emits back to the same meaning; emitted names are in
//! their canonical lower-case form.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use esp_sa::{EncryptionAlgorithm, IntegrityAlgorithm};
use ims_sec_core::sip::{
    is_bare_value, split_list, Cursor, Param, ParamValue, ParseError, Quoted, Spanned,
};

use crate::message::Headers;

mod scan;

/// What a typed parameter given twice in one mechanism is told.
const ONCE: &str = "each of q, d-alg, d-qop, d-ver and the Annex H parameters at most once";

/// The three header fields of RFC 3329.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecurityHeader {
    /// `Security-Client`: what the client (the UE) supports.
    Client,
    /// `Security-Server`: what the server (the P-CSCF) supports.
    Server,
    /// `Security-Verify`: the client's copy of the server's list.
    Verify,
}

impl SecurityHeader {
    /// The header name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Client => "Security-Client",
            Self::Server => "Security-Server",
            Self::Verify => "Security-Verify",
        }
    }
}

impl fmt::Display for SecurityHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A header line of a SIP message did not parse: which header, which of its
/// lines, and where in that line's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{header} line {line}: {error}")]
pub struct HeaderParseError {
    /// The header.
    pub header: SecurityHeader,
    /// Which of the header's lines (0 for the first).
    pub line: usize,
    /// What was expected, at which byte of the line's value.
    pub error: ParseError,
}

/// A `mechanism-name`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MechanismName {
    /// `digest` (HTTP Digest, RFC 3329 §2.4).
    Digest,
    /// `tls`.
    Tls,
    /// `ipsec-ike`.
    IpsecIke,
    /// `ipsec-man` (manually keyed IPsec).
    IpsecMan,
    /// `ipsec-3gpp` (TS 33.203 Annex H: IPsec keyed by IMS AKA).
    Ipsec3gpp,
    /// Any other token, as written.
    Other(String),
}

impl MechanismName {
    const KNOWN: [(Self, &'static str); 5] = [
        (Self::Digest, "digest"),
        (Self::Tls, "tls"),
        (Self::IpsecIke, "ipsec-ike"),
        (Self::IpsecMan, "ipsec-man"),
        (Self::Ipsec3gpp, "ipsec-3gpp"),
    ];

    /// The name a token means (case-insensitive).
    #[must_use]
    pub fn from_token(token: &str) -> Self {
        Self::KNOWN
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(token))
            .map_or_else(|| Self::Other(token.into()), |(known, _)| known.clone())
    }

    /// The token.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Digest => "digest",
            Self::Tls => "tls",
            Self::IpsecIke => "ipsec-ike",
            Self::IpsecMan => "ipsec-man",
            Self::Ipsec3gpp => "ipsec-3gpp",
            Self::Other(s) => s,
        }
    }
}

impl fmt::Display for MechanismName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `qvalue` in thousandths: `q=0.1` is 100, `q=1` is 1000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QValue(u16);

impl QValue {
    /// The highest preference, `1`.
    pub const MAX: Self = Self(1000);

    /// A q-value of `thousandths`/1000; `None` above 1000.
    #[must_use]
    pub const fn from_thousandths(thousandths: u16) -> Option<Self> {
        if thousandths <= 1000 {
            Some(Self(thousandths))
        } else {
            None
        }
    }

    /// The value in thousandths.
    #[must_use]
    pub const fn thousandths(self) -> u16 {
        self.0
    }

    /// Parses `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut thousandths: u16 = 0;
        for (i, digit) in fraction.bytes().enumerate() {
            thousandths += u16::from(digit - b'0') * [100, 10, 1].get(i).copied().unwrap_or(0);
        }
        match whole {
            "0" => Some(Self(thousandths)),
            "1" if thousandths == 0 => Some(Self::MAX),
            _ => None,
        }
    }
}

impl fmt::Display for QValue {
    /// The shortest form: `1`, `0`, `0.5`, `0.25`, `0.125`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1000 => f.write_str("1"),
            0 => f.write_str("0"),
            n => {
                let digits = alloc::format!("{n:03}");
                write!(f, "0.{}", digits.trim_end_matches('0'))
            }
        }
    }
}

/// An algorithm parameter's value: one we run, or another name kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Algorithm<A> {
    /// An algorithm esp-sa implements.
    Known(A),
    /// A name we do not know, as written.
    Other(String),
}

impl<A: Copy> Algorithm<A> {
    /// The known algorithm, if it is one.
    #[must_use]
    pub fn known(&self) -> Option<A> {
        match self {
            Self::Known(a) => Some(*a),
            Self::Other(_) => None,
        }
    }
}

impl<A: fmt::Display> fmt::Display for Algorithm<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Known(a) => a.fmt(f),
            Self::Other(s) => f.write_str(s),
        }
    }
}

/// The `prot` parameter (TS 33.203 Annex H); absent means ESP.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// `esp`.
    Esp,
    /// `ah`.
    Ah,
    /// Any other token, as written.
    Other(String),
}

/// The `mod` parameter (TS 33.203 Annex H); absent means transport.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `trans`: transport mode.
    Transport,
    /// `tun`: tunnel mode.
    Tunnel,
    /// `UDP-enc-tun`: UDP-encapsulated tunnel mode for NAT traversal
    /// (RFC 3948, TS 33.203 Annex M).
    UdpEncapsulatedTunnel,
    /// Any other token, as written.
    Other(String),
}

/// Token tables for the enumerated parameters: (variant, canonical token).
macro_rules! token_enum {
    ($ty:ident { $($variant:ident => $token:literal),+ }) => {
        impl $ty {
            /// The value a token means (case-insensitive).
            #[must_use]
            pub fn from_token(token: &str) -> Self {
                $(if token.eq_ignore_ascii_case($token) { return Self::$variant; })+
                Self::Other(token.into())
            }

            /// The token, in its canonical form.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $token,)+
                    Self::Other(s) => s,
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

token_enum!(Protocol { Esp => "esp", Ah => "ah" });
token_enum!(Mode { Transport => "trans", Tunnel => "tun", UdpEncapsulatedTunnel => "UDP-enc-tun" });

/// One parameter of a mechanism, typed where RFC 3329 or TS 33.203 Annex H
/// defines it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MechanismParam {
    /// `q`: the preference (RFC 3329).
    Q(QValue),
    /// `d-alg`: the Digest algorithm (RFC 3329).
    DigestAlgorithm(String),
    /// `d-qop`: the Digest qop (RFC 3329).
    DigestQop(String),
    /// `d-ver`: 32 lower-case hex digits, written quoted (RFC 3329).
    DigestVerify(String),
    /// `alg`: the integrity algorithm (Annex H).
    Alg(Algorithm<IntegrityAlgorithm>),
    /// `ealg`: the encryption algorithm (Annex H, Rel-6 on).
    Ealg(Algorithm<EncryptionAlgorithm>),
    /// `prot` (Annex H).
    Prot(Protocol),
    /// `mod` (Annex H).
    Mod(Mode),
    /// `spi-c`: the SPI of the sender's inbound SA on its client port.
    SpiC(u32),
    /// `spi-s`: the SPI of the sender's inbound SA on its server port.
    SpiS(u32),
    /// `port-c`: the sender's protected client port.
    PortC(u16),
    /// `port-s`: the sender's protected server port.
    PortS(u16),
    /// Any other parameter (`extension = generic-param`), as written.
    Extension(Param),
}

impl MechanismParam {
    /// The parameter's name, canonical for typed ones.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Q(_) => "q",
            Self::DigestAlgorithm(_) => "d-alg",
            Self::DigestQop(_) => "d-qop",
            Self::DigestVerify(_) => "d-ver",
            Self::Alg(_) => "alg",
            Self::Ealg(_) => "ealg",
            Self::Prot(_) => "prot",
            Self::Mod(_) => "mod",
            Self::SpiC(_) => "spi-c",
            Self::SpiS(_) => "spi-s",
            Self::PortC(_) => "port-c",
            Self::PortS(_) => "port-s",
            Self::Extension(p) => p.name(),
        }
    }

    fn is_typed(&self) -> bool {
        !matches!(self, Self::Extension(_))
    }

    /// Reads one parameter of a mechanism named `mechanism`; the Annex H
    /// names are typed only on `ipsec-3gpp`.
    fn parse(mechanism: &MechanismName, param: Spanned<Param>) -> Result<Self, ParseError> {
        let Spanned { offset, value } = param;
        let name = value.name().to_ascii_lowercase();
        let ipsec = *mechanism == MechanismName::Ipsec3gpp;
        let text = value.value_str();
        let err = |expected| ParseError { offset, expected };
        let token = |expected| match &value.value {
            Some(ParamValue::Token(t)) => Ok(t.clone()),
            _ => Err(err(expected)),
        };
        Ok(match name.as_str() {
            "q" => Self::Q(text.and_then(QValue::parse).ok_or(err("q=qvalue"))?),
            "d-alg" => Self::DigestAlgorithm(token("d-alg=token")?),
            "d-qop" => Self::DigestQop(token("d-qop=token")?),
            "d-ver" => match &value.value {
                Some(ParamValue::Quoted(v))
                    if v.len() == 32
                        && v.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) =>
                {
                    Self::DigestVerify(v.clone())
                }
                _ => return Err(err("d-ver=\"32 lower-case hex digits\"")),
            },
            "alg" if ipsec => {
                let t = token("alg=token")?;
                Self::Alg(
                    IntegrityAlgorithm::from_token(&t)
                        .map_or(Algorithm::Other(t), Algorithm::Known),
                )
            }
            "ealg" if ipsec => {
                let t = token("ealg=token")?;
                Self::Ealg(
                    EncryptionAlgorithm::from_token(&t)
                        .map_or(Algorithm::Other(t), Algorithm::Known),
                )
            }
            "prot" if ipsec => Self::Prot(Protocol::from_token(&token("prot=token")?)),
            "mod" if ipsec => Self::Mod(Mode::from_token(&token("mod=token")?)),
            "spi-c" if ipsec => Self::SpiC(decimal(text).ok_or(err("spi-c=32-bit decimal"))?),
            "spi-s" if ipsec => Self::SpiS(decimal(text).ok_or(err("spi-s=32-bit decimal"))?),
            "port-c" if ipsec => Self::PortC(decimal(text).ok_or(err("port-c=16-bit decimal"))?),
            "port-s" if ipsec => Self::PortS(decimal(text).ok_or(err("port-s=16-bit decimal"))?),
            _ => Self::Extension(value),
        })
    }

    /// A comparison key: the name, then the value with case folded where
    /// the value is a token (quoted values compare exactly). Values are in
    /// their wire form, quoted strings escaped, so a key can be read back
    /// one way only: a quoted value holding `";y="` is not two parameters.
    fn canonical(&self) -> String {
        match self {
            Self::Extension(p) => {
                let name = p.name().to_ascii_lowercase();
                match &p.value {
                    Some(ParamValue::Token(t)) if is_bare_value(t) => {
                        alloc::format!("{name}={}", t.to_ascii_lowercase())
                    }
                    Some(v) => alloc::format!("{name}={}", Quoted(v.as_str())),
                    None => name,
                }
            }
            Self::DigestVerify(_) => self.to_string(),
            _ => {
                let mut key = self.to_string();
                key.make_ascii_lowercase();
                key
            }
        }
    }
}

/// A decimal number of at most 10 digits that fits `T`.
fn decimal<T: TryFrom<u64>>(text: Option<&str>) -> Option<T> {
    let text = text?;
    if text.is_empty() || text.len() > 10 {
        return None;
    }
    // At most 10 digits: no u64 overflow.
    let mut n: u64 = 0;
    for b in text.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    T::try_from(n).ok()
}

impl fmt::Display for MechanismParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Q(q) => write!(f, "q={q}"),
            Self::DigestAlgorithm(v) | Self::DigestQop(v) => {
                write!(f, "{}={}", self.name(), ParamValue::Token(v.clone()))
            }
            Self::DigestVerify(v) => write!(f, "d-ver={}", Quoted(v)),
            Self::Alg(a) => write!(f, "alg={}", ParamValue::Token(a.to_string())),
            Self::Ealg(a) => write!(f, "ealg={}", ParamValue::Token(a.to_string())),
            Self::Prot(p) => write!(f, "prot={}", ParamValue::Token(p.to_string())),
            Self::Mod(m) => write!(f, "mod={}", ParamValue::Token(m.to_string())),
            Self::SpiC(n) | Self::SpiS(n) => write!(f, "{}={n}", self.name()),
            Self::PortC(n) | Self::PortS(n) => write!(f, "{}={n}", self.name()),
            Self::Extension(p) => p.fmt(f),
        }
    }
}

/// One `sec-mechanism`: a name and its parameters, in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mechanism {
    name: MechanismName,
    params: Vec<MechanismParam>,
}

/// Finds the value of a typed parameter.
macro_rules! getter {
    ($(#[$doc:meta])* $fn:ident, $variant:ident, $ty:ty) => {
        $(#[$doc])*
        #[must_use]
        pub fn $fn(&self) -> Option<$ty> {
            self.params.iter().find_map(|p| match p {
                MechanismParam::$variant(v) => Some(v.clone()),
                _ => None,
            })
        }
    };
}

impl Mechanism {
    /// A mechanism with no parameters.
    #[must_use]
    pub fn new(name: MechanismName) -> Self {
        Self {
            name,
            params: Vec::new(),
        }
    }

    /// Adds a parameter; a typed one replaces any parameter of the same name.
    #[must_use]
    pub fn with(mut self, param: MechanismParam) -> Self {
        if param.is_typed() {
            if let Some(existing) = self.params.iter_mut().find(|p| p.name() == param.name()) {
                *existing = param;
                return self;
            }
        }
        self.params.push(param);
        self
    }

    /// Removes the typed parameters named `name` (canonical name, such as `q`).
    #[must_use]
    pub fn without(mut self, name: &str) -> Self {
        self.params.retain(|p| !(p.is_typed() && p.name() == name));
        self
    }

    /// Parses one `sec-mechanism`; `base` is its offset in the header value.
    pub fn parse(text: &str, base: usize) -> Result<Self, ParseError> {
        let items = split_list(text, b';', base)?;
        let mut items = items.into_iter();
        let first = items.next().ok_or(ParseError {
            offset: base,
            expected: "mechanism-name",
        })?;
        let mut cursor = Cursor::with_base(first.value, first.offset);
        let name = MechanismName::from_token(cursor.token()?);
        cursor.end("';' or ','")?;
        let mut mechanism = Self::new(name);
        for item in items {
            let offset = item.offset;
            let mut cursor = Cursor::with_base(item.value, offset);
            let param = cursor.param()?;
            cursor.end("';' or ','")?;
            let param = MechanismParam::parse(
                &mechanism.name,
                Spanned {
                    offset,
                    value: param,
                },
            )?;
            if param.is_typed() && mechanism.params.iter().any(|p| p.name() == param.name()) {
                return Err(ParseError {
                    offset,
                    expected: ONCE,
                });
            }
            mechanism.params.push(param);
        }
        Ok(mechanism)
    }

    /// The mechanism's name.
    #[must_use]
    pub fn name(&self) -> &MechanismName {
        &self.name
    }

    /// The parameters, in order.
    #[must_use]
    pub fn params(&self) -> &[MechanismParam] {
        &self.params
    }

    getter!(/// `q`.
        q, Q, QValue);
    getter!(/// `alg`.
        alg, Alg, Algorithm<IntegrityAlgorithm>);
    getter!(/// `ealg`.
        ealg, Ealg, Algorithm<EncryptionAlgorithm>);
    getter!(/// `prot`.
        prot, Prot, Protocol);
    getter!(/// `mod`.
        mode, Mod, Mode);
    getter!(/// `spi-c`.
        spi_c, SpiC, u32);
    getter!(/// `spi-s`.
        spi_s, SpiS, u32);
    getter!(/// `port-c`.
        port_c, PortC, u16);
    getter!(/// `port-s`.
        port_s, PortS, u16);
    getter!(/// `d-alg`.
        d_alg, DigestAlgorithm, String);
    getter!(/// `d-qop`.
        d_qop, DigestQop, String);
    getter!(/// `d-ver`.
        d_ver, DigestVerify, String);

    /// The parameters no specification here defines, in order.
    pub fn extensions(&self) -> impl Iterator<Item = &Param> {
        self.params.iter().filter_map(|p| match p {
            MechanismParam::Extension(e) => Some(e),
            _ => None,
        })
    }

    /// The mechanism reduced to its meaning: names and tokens in lower
    /// case, parameters sorted. Two mechanisms mean the same when their
    /// canonical forms are equal.
    #[must_use]
    pub fn canonical(&self) -> String {
        let mut params: Vec<String> = self.params.iter().map(MechanismParam::canonical).collect();
        params.sort_unstable();
        let mut out = self.name.as_str().to_ascii_lowercase();
        for p in params {
            out.push(';');
            out.push_str(&p);
        }
        out
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name.as_str())?;
        for p in &self.params {
            write!(f, ";{p}")?;
        }
        Ok(())
    }
}

/// The mechanisms of one of the three headers, from all its lines, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct MechanismList {
    mechanisms: Vec<Mechanism>,
}

impl MechanismList {
    /// The mechanisms, in order.
    #[must_use]
    pub fn new(mechanisms: Vec<Mechanism>) -> Self {
        Self { mechanisms }
    }

    /// Parses one header value: `sec-mechanism *(COMMA sec-mechanism)`.
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let mut list = Self::default();
        list.extend_from(value)?;
        if list.mechanisms.is_empty() {
            return Err(ParseError {
                offset: 0,
                expected: "sec-mechanism",
            });
        }
        Ok(list)
    }

    fn extend_from(&mut self, value: &str) -> Result<(), ParseError> {
        // The common form (no quoted strings, no folds) in one pass; the
        // general path for everything else, and for any element the fast
        // path is unsure of.
        if let Some(elements) = scan::applies(value) {
            self.mechanisms.reserve(elements);
            for (offset, text) in scan::elements(value) {
                let mechanism = match scan::mechanism(text, offset) {
                    Some(parsed) => parsed?,
                    None => Mechanism::parse(text, offset)?,
                };
                self.mechanisms.push(mechanism);
            }
            return Ok(());
        }
        // RFC 3261's quoted-pair may escape a NUL, but no header line can
        // carry one ([`Headers`] refuses it, as C SIP stacks end strings
        // there): refused here too, so any list that parsed can be written
        // back with `write_to`.
        if let Some(offset) = value.bytes().position(|b| b == 0) {
            return Err(ParseError {
                offset,
                expected: "text without NUL",
            });
        }
        for item in split_list(value, b',', 0)? {
            self.mechanisms
                .push(Mechanism::parse(item.value, item.offset)?);
        }
        Ok(())
    }

    /// The mechanisms of every line of `header` in `headers`, in order;
    /// `None` if there is no such line.
    pub fn from_headers(
        headers: &Headers,
        header: SecurityHeader,
    ) -> Result<Option<Self>, HeaderParseError> {
        let mut list = Self::default();
        let mut found = false;
        for (line, value) in headers.values(header.name()).enumerate() {
            found = true;
            list.extend_from(value).map_err(|error| HeaderParseError {
                header,
                line,
                error,
            })?;
        }
        Ok(found.then_some(list))
    }

    /// Writes the list as one line of `header`, replacing any there were.
    pub fn write_to(&self, headers: &mut Headers, header: SecurityHeader) {
        headers.remove(header.name());
        // A list we emit never breaks its line: names are tokens, values
        // are tokens or quoted strings with line breaks escaped.
        if headers.push(header.name(), self.to_string()).is_err() {
            debug_assert!(false, "an emitted mechanism list broke its line");
        }
    }

    /// The mechanisms, in order.
    #[must_use]
    pub fn mechanisms(&self) -> &[Mechanism] {
        &self.mechanisms
    }

    /// Appends a mechanism.
    pub fn push(&mut self, mechanism: Mechanism) {
        self.mechanisms.push(mechanism);
    }

    /// The number of mechanisms.
    #[must_use]
    pub fn len(&self) -> usize {
        self.mechanisms.len()
    }

    /// Whether the list is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.mechanisms.is_empty()
    }

    /// Whether two lists mean the same: the same mechanisms, each compared
    /// by [`Mechanism::canonical`] (case, white space and parameter order
    /// do not matter), as a multiset (the order of mechanisms does not
    /// matter either, as TS 33.203 §7.2 compares them; RFC 3329's stricter
    /// same-order rule implies this one).
    #[must_use]
    pub fn same_meaning(&self, other: &Self) -> bool {
        // Equal values mean the same: the usual SM7, a Security-Verify
        // written as the Security-Server was, needs no keys.
        if self == other {
            return true;
        }
        let sorted = |list: &Self| {
            let mut c: Vec<String> = list.mechanisms.iter().map(Mechanism::canonical).collect();
            c.sort_unstable();
            c
        };
        self.len() == other.len() && sorted(self) == sorted(other)
    }
}

impl fmt::Display for MechanismList {
    /// The header value: mechanisms separated by `", "`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, m) in self.mechanisms.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            m.fmt(f)?;
        }
        Ok(())
    }
}

impl<'a> IntoIterator for &'a MechanismList {
    type Item = &'a Mechanism;
    type IntoIter = core::slice::Iter<'a, Mechanism>;
    fn into_iter(self) -> Self::IntoIter {
        self.mechanisms.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qvalues_follow_the_grammar() {
        for (text, q) in [
            ("0", 0),
            ("0.1", 100),
            ("0.25", 250),
            ("0.125", 125),
            ("1", 1000),
            ("1.000", 1000),
            ("0.", 0),
        ] {
            assert_eq!(QValue::parse(text), Some(QValue(q)), "{text}");
        }
        for bad in ["1.5", "2", "0.1234", "", ".5", "0.a", "-0", "1.01"] {
            assert_eq!(QValue::parse(bad), None, "{bad}");
        }
        assert_eq!(QValue(100).to_string(), "0.1");
        assert_eq!(QValue(250).to_string(), "0.25");
        assert_eq!(QValue(1000).to_string(), "1");
    }

    #[test]
    fn names_match_exactly_not_by_prefix() {
        let m =
            Mechanism::parse("ipsec-3gpp; algorithm=null; alg=hmac-sha-1-96; ALG2=x", 0).unwrap();
        assert_eq!(
            m.alg(),
            Some(Algorithm::Known(IntegrityAlgorithm::HmacSha196))
        );
        assert_eq!(m.extensions().count(), 2);
    }

    #[test]
    fn a_tuple_cannot_say_two_things() {
        let err = Mechanism::parse("ipsec-3gpp;alg=hmac-sha-1-96;ALG=null", 10).unwrap_err();
        assert_eq!(err.offset, 39);
    }
}
