//! Content key provisioning (TR 33.844 §5.1, Figure 10 steps 3 and 4).
//!
//! The UE sends the CCS a [`ContentKeyRequest`] over PP_s1: the content, its
//! identity, the segments it wants (from the bitmap of steps 1–2) and a
//! key-encryption key (KEK) it chose. The CCS checks an
//! [`EntitlementPolicy`] the application supplies and answers with a
//! [`ContentKeyResponse`]: the content key wrapped under the KEK with AES key
//! wrap (RFC 3394), or a refusal with its reason.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::fmt;

use aes_kw::{KekAes128, KekAes256};
use ims_sec_core::SecretBytes;
use rand_core::CryptoRngCore;
use zeroize::Zeroize;

use crate::bitmap::SegmentBitmap;
use crate::cipher::{CipherSuite, ContentKey};
use crate::codec::{put_header, put_short_bytes, Extensions, Reader};
use crate::error::{Error, KeyError, ParseError};
use crate::ids::{ContentId, PermanentId};

const REQUEST_TYPE: u8 = b'Q';
const RESPONSE_TYPE: u8 = b'K';

/// The key-encryption key a UE supplies: 16 or 32 bytes (AES-128 or AES-256
/// key wrap). Zeroized on drop, redacted in `Debug`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyEncryptionKey(SecretBytes<32>);

impl KeyEncryptionKey {
    /// From 16 or 32 bytes.
    pub fn new(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() != 16 && bytes.len() != 32 {
            return Err(Error::KeyLength(bytes.len()));
        }
        SecretBytes::from_slice(bytes)
            .map(Self)
            .map_err(|e| Error::KeyLength(e.got))
    }

    /// A fresh KEK of `len` bytes (16 or 32) from `rng`.
    pub fn generate(len: usize, rng: &mut impl CryptoRngCore) -> Result<Self, Error> {
        let mut b = [0u8; 32];
        let part = b.get_mut(..len).ok_or(Error::KeyLength(len))?;
        rng.fill_bytes(part);
        let kek = Self::new(part);
        b.zeroize();
        kek
    }

    /// Its length in bytes.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a KEK has 16 or 32 bytes.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Wraps `key` (RFC 3394): `key.len() + 8` bytes.
    pub fn wrap(&self, key: &ContentKey) -> Result<Vec<u8>, KeyError> {
        let data = key.expose_secret();
        let mut out = alloc::vec![0u8; data.len() + 8];
        let kek = self.0.expose_secret();
        let r = match kek.len() {
            16 => KekAes128::try_from(kek).map(|k| k.wrap(data, &mut out)),
            32 => KekAes256::try_from(kek).map(|k| k.wrap(data, &mut out)),
            n => return Err(KeyError::KekLength(n)),
        };
        match r {
            Ok(Ok(())) => Ok(out),
            _ => Err(KeyError::KekLength(kek.len())),
        }
    }

    /// Unwraps a key of `suite` (RFC 3394); refused if the integrity check
    /// fails. Nothing of a failed unwrap is kept.
    pub fn unwrap(&self, suite: CipherSuite, wrapped: &[u8]) -> Result<ContentKey, KeyError> {
        if wrapped.len() != suite.key_len() + 8 {
            return Err(KeyError::WrappedLength(wrapped.len()));
        }
        let mut buf = [0u8; 32];
        let out = buf
            .get_mut(..suite.key_len())
            .ok_or(KeyError::WrappedLength(wrapped.len()))?;
        let kek = self.0.expose_secret();
        let r = match kek.len() {
            16 => KekAes128::try_from(kek).map(|k| k.unwrap(wrapped, out)),
            32 => KekAes256::try_from(kek).map(|k| k.unwrap(wrapped, out)),
            n => return Err(KeyError::KekLength(n)),
        };
        let key = match r {
            Ok(Ok(())) => ContentKey::new(suite, out).map_err(|_| KeyError::Unwrap),
            _ => Err(KeyError::Unwrap),
        };
        buf.zeroize();
        key
    }

    pub(crate) fn expose_secret(&self) -> &[u8] {
        self.0.expose_secret()
    }
}

/// Figure 10 step 3: the UE asks the CCS for a content's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentKeyRequest {
    /// The content.
    pub content_id: ContentId,
    /// The UE's permanent identity. The CCS should check it against the
    /// identity IMS authenticated on PP_s1 before calling
    /// [`ContentKeyServer::handle`].
    pub identity: PermanentId,
    /// The segments the UE wants.
    pub segments: SegmentBitmap,
    /// The KEK the response wraps the content key under.
    pub kek: KeyEncryptionKey,
    /// Extensions, kept for round-trips.
    pub extensions: Extensions,
}

impl ContentKeyRequest {
    /// A request without extensions.
    #[must_use]
    pub fn new(
        content_id: ContentId,
        identity: PermanentId,
        segments: SegmentBitmap,
        kek: KeyEncryptionKey,
    ) -> Self {
        Self {
            content_id,
            identity,
            segments,
            kek,
            extensions: Extensions::new(),
        }
    }

    /// Parses `Q`, version, content ID, identity (u8 length + bytes each),
    /// bitmap (u32 bit count + bits), KEK (u8 length + 16 or 32 bytes),
    /// extensions.
    pub fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let mut r = Reader::new(bytes);
        r.header(REQUEST_TYPE, "key request type")?;
        let content_id = ContentId::read(&mut r, "content ID")?;
        let identity = PermanentId::read(&mut r, "identity")?;
        let segments = SegmentBitmap::read(&mut r)?;
        let at = r.position();
        let kek = KeyEncryptionKey::new(r.short_bytes("key-encryption key")?)
            .map_err(|_| ParseError::new(at, "key-encryption key length"))?;
        let extensions = Extensions::parse(&mut r)?;
        r.finish()?;
        Ok(Self {
            content_id,
            identity,
            segments,
            kek,
            extensions,
        })
    }

    /// Appends the encoding (it holds the KEK: send it only over PP_s1).
    pub fn emit(&self, out: &mut Vec<u8>) {
        put_header(out, REQUEST_TYPE);
        self.content_id.emit(out);
        self.identity.emit(out);
        self.segments.emit(out);
        put_short_bytes(out, self.kek.expose_secret());
        self.extensions.emit(out);
    }

    /// The encoding in a new vector; zeroize it after sending.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.emit(&mut out);
        out
    }
}

/// Why the CCS refused a key request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// The CCS holds no key for this content.
    UnknownContent,
    /// The identity may not have this content at all.
    NotEntitled,
    /// The identity may not have some of the segments asked for.
    SegmentsNotEntitled,
    /// The bitmap does not fit the content, or asks for nothing.
    BadSegments,
    /// The KEK is shorter than the content key it would wrap.
    KekTooWeak,
    /// A reason this version does not know, by code.
    Other(u8),
}

impl Refusal {
    /// Its code on the wire (never 0, which means "granted").
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::UnknownContent => 1,
            Self::NotEntitled => 2,
            Self::SegmentsNotEntitled => 3,
            Self::BadSegments => 4,
            Self::KekTooWeak => 5,
            Self::Other(c) => c,
        }
    }

    /// The refusal with code `code` (not 0).
    #[must_use]
    pub const fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => return None,
            1 => Self::UnknownContent,
            2 => Self::NotEntitled,
            3 => Self::SegmentsNotEntitled,
            4 => Self::BadSegments,
            5 => Self::KekTooWeak,
            c => Self::Other(c),
        })
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownContent => f.write_str("unknown content"),
            Self::NotEntitled => f.write_str("not entitled to this content"),
            Self::SegmentsNotEntitled => f.write_str("not entitled to some requested segments"),
            Self::BadSegments => f.write_str("segment bitmap does not fit the content or is empty"),
            Self::KekTooWeak => f.write_str("key-encryption key shorter than the content key"),
            Self::Other(c) => write!(f, "refused (reason {c})"),
        }
    }
}

/// Figure 10 step 4: the CCS's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContentKeyResponse {
    /// The content key, wrapped under the request's KEK.
    Granted {
        /// The content.
        content_id: ContentId,
        /// The content's cipher.
        suite: CipherSuite,
        /// RFC 3394 wrap of the key: key length + 8 bytes.
        wrapped_key: Vec<u8>,
    },
    /// No key, and why.
    Refused {
        /// The content.
        content_id: ContentId,
        /// The reason.
        reason: Refusal,
    },
}

impl ContentKeyResponse {
    /// The content the response is about.
    #[must_use]
    pub const fn content_id(&self) -> &ContentId {
        match self {
            Self::Granted { content_id, .. } | Self::Refused { content_id, .. } => content_id,
        }
    }

    /// The UE's side: the content key of a grant for `request`, unwrapped
    /// with the request's KEK.
    pub fn content_key(&self, request: &ContentKeyRequest) -> Result<ContentKey, KeyError> {
        if self.content_id() != &request.content_id {
            return Err(KeyError::OtherContent);
        }
        match self {
            Self::Granted {
                suite, wrapped_key, ..
            } => request.kek.unwrap(*suite, wrapped_key),
            Self::Refused { reason, .. } => Err(KeyError::Refused(*reason)),
        }
    }

    /// Parses `K`, version, content ID (u8 length + bytes), status (0 granted,
    /// else the refusal code); a grant continues with the suite code and the
    /// wrapped key (u8 length + bytes). Then extensions, which this version
    /// sends empty and skips.
    pub fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let mut r = Reader::new(bytes);
        r.header(RESPONSE_TYPE, "key response type")?;
        let content_id = ContentId::read(&mut r, "content ID")?;
        let status = r.u8("status")?;
        let out = match Refusal::from_code(status) {
            Some(reason) => Self::Refused { content_id, reason },
            None => {
                let at = r.position();
                let suite = CipherSuite::from_code(r.u8("cipher suite")?)
                    .ok_or(ParseError::new(at, "cipher suite"))?;
                let at = r.position();
                let wrapped_key = r.short_bytes("wrapped key")?.to_vec();
                if wrapped_key.len() != suite.key_len() + 8 {
                    return Err(ParseError::new(at, "wrapped key length"));
                }
                Self::Granted {
                    content_id,
                    suite,
                    wrapped_key,
                }
            }
        };
        let at = r.position();
        if !Extensions::parse(&mut r)?.as_slice().is_empty() {
            return Err(ParseError::new(
                at,
                "key response extensions (none defined)",
            ));
        }
        r.finish()?;
        Ok(out)
    }

    /// Appends the encoding.
    pub fn emit(&self, out: &mut Vec<u8>) {
        put_header(out, RESPONSE_TYPE);
        self.content_id().emit(out);
        match self {
            Self::Granted {
                suite, wrapped_key, ..
            } => {
                out.push(0);
                out.push(suite.code());
                put_short_bytes(out, wrapped_key);
            }
            Self::Refused { reason, .. } => out.push(reason.code()),
        }
        Extensions::new().emit(out);
    }

    /// The encoding in a new vector.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.emit(&mut out);
        out
    }
}

/// The application's entitlement rules, which the CCS consults for every
/// request that is otherwise well formed.
pub trait EntitlementPolicy {
    /// Whether `identity` may have the key of `content` for `segments`;
    /// return the refusal to send otherwise.
    fn check(
        &self,
        identity: &PermanentId,
        content: &ContentId,
        segments: &SegmentBitmap,
    ) -> Result<(), Refusal>;
}

impl<F> EntitlementPolicy for F
where
    F: Fn(&PermanentId, &ContentId, &SegmentBitmap) -> Result<(), Refusal>,
{
    fn check(
        &self,
        identity: &PermanentId,
        content: &ContentId,
        segments: &SegmentBitmap,
    ) -> Result<(), Refusal> {
        self(identity, content, segments)
    }
}

/// The CCS's key store: the key the CSS used for each content, brought in out
/// of band (TR 33.844 §5.1).
#[derive(Debug, Default)]
pub struct ContentKeyServer {
    contents: BTreeMap<ContentId, (ContentKey, u32)>,
}

impl ContentKeyServer {
    /// An empty store.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            contents: BTreeMap::new(),
        }
    }

    /// Stores the key of a content of `segment_count` segments (replacing
    /// any earlier one).
    pub fn add_content(&mut self, content_id: ContentId, segment_count: u32, key: ContentKey) {
        self.contents.insert(content_id, (key, segment_count));
    }

    /// Answers a request: unknown content, a bitmap that does not fit or asks
    /// for nothing, a KEK shorter than the content key, and the policy's
    /// refusals are refused in that order; otherwise the key is wrapped.
    #[must_use]
    pub fn handle(
        &self,
        request: &ContentKeyRequest,
        policy: &impl EntitlementPolicy,
    ) -> ContentKeyResponse {
        let refuse = |reason| ContentKeyResponse::Refused {
            content_id: request.content_id.clone(),
            reason,
        };
        let Some((key, segments)) = self.contents.get(&request.content_id) else {
            return refuse(Refusal::UnknownContent);
        };
        if request.segments.len() != *segments || request.segments.is_clear() {
            return refuse(Refusal::BadSegments);
        }
        if request.kek.len() < key.suite().key_len() {
            return refuse(Refusal::KekTooWeak);
        }
        if let Err(reason) = policy.check(&request.identity, &request.content_id, &request.segments)
        {
            return refuse(reason);
        }
        match request.kek.wrap(key) {
            Ok(wrapped_key) => ContentKeyResponse::Granted {
                content_id: request.content_id.clone(),
                suite: key.suite(),
                wrapped_key,
            },
            Err(_) => refuse(Refusal::KekTooWeak),
        }
    }
}
