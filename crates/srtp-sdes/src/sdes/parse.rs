//! The `a=crypto` parser: RFC 4568 §9.1 and §9.2, strictly or leniently.
//!
//! A hand-written cursor over the bytes rather than nom: every error names
//! the byte offset of the problem in the caller's text, and the grammar is
//! small and flat. Nothing here indexes, unwraps or panics on input.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use ims_sec_core::SecretBytes;
use zeroize::Zeroize as _;

use super::{
    CryptoAttribute, FecOrder, InlineKey, KeyParam, Lifetime, MkiField, Problem, SdesError,
    SessionParam, Suite, MAX_INLINE_KEY_SALT_LEN, MAX_KDR, MIN_WSH,
};
use crate::suite::CryptoSuite;

/// How strictly [`CryptoAttribute::parse_with`] reads.
///
/// Both modes produce the same canonical value for what they accept, so
/// emitting a leniently parsed attribute gives text the strict parser accepts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ParseMode {
    /// Exactly the grammar of RFC 4568 §9.1/§9.2 with the prose rules of
    /// §4.1, §6.1 and §6.3 (no leading zeroes), the case the RFCs register
    /// names in, and base64 with its padding (RFC 3548 §3). Fields may be
    /// separated by several spaces or tabs (`1*WSP`).
    #[default]
    Strict,
    /// Also what deployed equipment sends:
    ///
    /// - suite names in any letter case (RFC 4568 §4 calls the fields
    ///   case-insensitive), and the historical AES-192/256 spellings with
    ///   `CM` before the key size: `AES_CM_192_HMAC_SHA1_80`,
    ///   `AES_CM_192_HMAC_SHA1_32`, `AES_CM_256_HMAC_SHA1_80`,
    ///   `AES_CM_256_HMAC_SHA1_32` (sent by Bria, Zoiper, Yealink and
    ///   PJSIP-based clients: sipwise/rtpengine issues #588, #657, #736,
    ///   #829), and the swapped `AES_128_CM_HMAC_SHA1_80`/`_32`; all map to
    ///   the registered suite;
    /// - `inline:` in any letter case (`INLINE:`), and session parameter
    ///   names and `FEC_ORDER` values in any letter case (`kdr=4`);
    /// - key ‖ salt base64 without its `=` padding (rtpengine and
    ///   FreeSWITCH omit it for AES-192/256 and GCM keys: rtpengine #1505,
    ///   jambonz/sbc-inbound #159) or with non-zero trailing bits;
    /// - leading zeroes in the tag, lifetime, MKI, `KDR` and `WSH`;
    /// - white space before and after the attribute (including a trailing
    ///   CR LF), after `a=crypto:`, and around the `;` between key
    ///   parameters, and a trailing `;` after the last key parameter.
    Lenient,
}

/// The bytes of `input` from `pos` up to `end`, with the mode.
struct Cursor<'a> {
    input: &'a str,
    pos: usize,
    end: usize,
    lenient: bool,
}

const fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

const fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

const fn is_vchar(b: u8) -> bool {
    matches!(b, 0x21..=0x7e)
}

fn syntax(offset: usize, problem: Problem) -> SdesError {
    SdesError::Syntax { offset, problem }
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        if self.pos < self.end {
            self.input.as_bytes().get(self.pos).copied()
        } else {
            None
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.end
    }

    fn eat_str(&mut self, s: &str) -> bool {
        let rest = self.input.get(self.pos..self.end).unwrap_or("");
        if rest.starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn take_while(&mut self, f: impl Fn(u8) -> bool) -> (usize, &'a str) {
        let start = self.pos;
        while self.peek().is_some_and(&f) {
            self.pos += 1;
        }
        // Only ASCII bytes are taken, so the cut is on a char boundary.
        (start, self.input.get(start..self.pos).unwrap_or(""))
    }

    fn skip_wsp(&mut self) -> bool {
        let (_, taken) = self.take_while(is_wsp);
        !taken.is_empty()
    }

    fn expect_wsp(&mut self, what: &'static str) -> Result<(), SdesError> {
        if self.skip_wsp() {
            Ok(())
        } else {
            Err(syntax(self.pos, Problem::Expected(what)))
        }
    }

    /// Whether `name` is `canonical`: exactly, or in any case when lenient.
    fn name_is(&self, name: &str, canonical: &str) -> bool {
        name == canonical || (self.lenient && name.eq_ignore_ascii_case(canonical))
    }
}

pub(super) fn parse(input: &str, mode: ParseMode) -> Result<CryptoAttribute, SdesError> {
    let lenient = mode == ParseMode::Lenient;
    let mut end = input.len();
    if lenient {
        end = input.trim_end_matches([' ', '\t', '\r', '\n']).len();
    }
    let mut c = Cursor {
        input,
        pos: 0,
        end,
        lenient,
    };
    if lenient {
        c.skip_wsp();
    }
    if (c.eat_str("a=crypto:") || c.eat_str("crypto:")) && lenient {
        c.skip_wsp();
    }

    // tag = 1*9DIGIT, no leading zeroes (§4.1).
    let (start, digits) = c.take_while(|b| b.is_ascii_digit());
    let tag = decimal(digits, start, "a decimal tag", Some(9), lenient)?;
    let tag = u32::try_from(tag).map_err(|_| syntax(start, Problem::OutOfRange("tag")))?;
    c.expect_wsp("white space after the tag")?;

    // crypto-suite = 1*(ALPHA / DIGIT / "_")
    let (start, name) = c.take_while(is_name_char);
    if name.is_empty() {
        return Err(syntax(start, Problem::Expected("a crypto suite")));
    }
    let suite = match CryptoSuite::from_name(name) {
        Some(s) => Suite::Known(s),
        None => match lenient.then(|| lenient_suite(name)).flatten() {
            Some(s) => Suite::Known(s),
            None => Suite::Unknown(name.to_string()),
        },
    };
    c.expect_wsp("white space after the crypto suite")?;

    let key_params = key_params(&mut c, suite.known())?;

    // *(1*WSP session-param)
    let mut session_params: Vec<SessionParam> = Vec::new();
    while !c.at_end() {
        c.expect_wsp("white space before a session parameter")?;
        let (start, token) = c.take_while(is_vchar);
        if token.is_empty() {
            return Err(syntax(start, Problem::Expected("a session parameter")));
        }
        if c.peek().is_some_and(|b| !is_wsp(b)) {
            return Err(syntax(c.pos, Problem::Expected("a visible character")));
        }
        let param = session_param(&c, token, start, suite.known())?;
        let duplicate = !matches!(param, SessionParam::Extension(_))
            && session_params
                .iter()
                .any(|p| core::mem::discriminant(p) == core::mem::discriminant(&param));
        if duplicate {
            return Err(syntax(start, Problem::DuplicateParam));
        }
        session_params.push(param);
    }

    Ok(CryptoAttribute {
        tag,
        suite,
        key_params,
        session_params,
    })
}

/// The lenient spellings of the registered suites (see [`ParseMode::Lenient`]).
fn lenient_suite(name: &str) -> Option<CryptoSuite> {
    const ALIASES: [(&str, CryptoSuite); 6] = [
        ("AES_CM_192_HMAC_SHA1_80", CryptoSuite::AesCm192HmacSha1_80),
        ("AES_CM_192_HMAC_SHA1_32", CryptoSuite::AesCm192HmacSha1_32),
        ("AES_CM_256_HMAC_SHA1_80", CryptoSuite::AesCm256HmacSha1_80),
        ("AES_CM_256_HMAC_SHA1_32", CryptoSuite::AesCm256HmacSha1_32),
        ("AES_128_CM_HMAC_SHA1_80", CryptoSuite::AesCm128HmacSha1_80),
        ("AES_128_CM_HMAC_SHA1_32", CryptoSuite::AesCm128HmacSha1_32),
    ];
    CryptoSuite::ALL
        .into_iter()
        .map(|s| (s.name(), s))
        .chain(ALIASES)
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, s)| s)
}

/// A decimal number: `what` names it in errors; `max_digits` is the
/// grammar's limit on significant digits.
fn decimal(
    digits: &str,
    offset: usize,
    what: &'static str,
    max_digits: Option<usize>,
    lenient: bool,
) -> Result<u64, SdesError> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(syntax(offset, Problem::Expected(what)));
    }
    let significant = digits.trim_start_matches('0');
    if !lenient && digits.len() > 1 && digits.starts_with('0') {
        return Err(syntax(offset, Problem::LeadingZero(what)));
    }
    if max_digits.is_some_and(|max| significant.len() > max) {
        return Err(syntax(offset, Problem::OutOfRange(what)));
    }
    digits
        .bytes()
        .try_fold(0u64, |acc, b| {
            acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        })
        .ok_or(syntax(offset, Problem::OutOfRange(what)))
}

/// `key-params = key-param *(";" key-param)`, up to white space or the end.
fn key_params(c: &mut Cursor<'_>, suite: Option<CryptoSuite>) -> Result<Vec<KeyParam>, SdesError> {
    let first = c.pos;
    let mut keys = Vec::new();
    loop {
        // key-method ":" key-info
        let (start, method) = c.take_while(is_name_char);
        if method.is_empty() {
            return Err(syntax(start, Problem::Expected("a key method")));
        }
        if !c.eat_str(":") {
            return Err(syntax(c.pos, Problem::Expected("':' after the key method")));
        }
        // key-info = 1*(%x21-3A / %x3C-7E): visible characters except ";"
        let (info_start, info) = c.take_while(|b| is_vchar(b) && b != b';');
        if info.is_empty() {
            return Err(syntax(info_start, Problem::Expected("key info")));
        }
        if c.name_is(method, "inline") {
            keys.push(KeyParam::Inline(inline_key(c, info, info_start, suite)?));
        } else {
            keys.push(KeyParam::Other {
                method: method.to_string(),
                info: info.to_string(),
            });
        }

        let before = c.pos;
        if c.lenient {
            c.skip_wsp();
        }
        if !c.eat_str(";") {
            c.pos = before;
            break;
        }
        let after_semicolon = c.pos;
        if c.lenient {
            // A trailing ";" (then white space, session parameters or the
            // end) ends the key parameters; so does ";" before something
            // that is no `key-method ":"`.
            c.skip_wsp();
            let probe = c.pos;
            let (_, name) = c.take_while(is_name_char);
            let is_key = !name.is_empty() && c.peek() == Some(b':');
            c.pos = probe;
            if !is_key {
                c.pos = after_semicolon;
                break;
            }
        }
    }

    // RFC 4568 §6.1: with several (inline) keys, every key has an MKI, all of one
    // length; packets select keys by MKI, so each MKI names one key.
    let inline: Vec<&InlineKey> = keys
        .iter()
        .filter_map(|k| match k {
            KeyParam::Inline(key) => Some(key),
            KeyParam::Other { .. } => None,
        })
        .collect();
    if inline.len() > 1 {
        let mkis: Vec<MkiField> = inline.iter().filter_map(|k| k.mki).collect();
        let lengths_agree = mkis
            .first()
            .is_none_or(|m| mkis.iter().all(|n| n.length() == m.length()));
        let distinct = mkis
            .iter()
            .enumerate()
            .all(|(i, m)| mkis.iter().skip(i + 1).all(|n| n.value() != m.value()));
        if mkis.len() != inline.len() || !lengths_agree || !distinct {
            return Err(syntax(first, Problem::MkiRules));
        }
    }
    Ok(keys)
}

/// `srtp-key-info = key-salt ["|" lifetime] ["|" mki]` (RFC 4568 §9.2).
fn inline_key(
    c: &Cursor<'_>,
    info: &str,
    offset: usize,
    suite: Option<CryptoSuite>,
) -> Result<InlineKey, SdesError> {
    let mut parts = info.split('|');
    let mut part_offset = offset;
    let key_text = parts.next().unwrap_or("");
    let key_salt = decode_key_salt(key_text, offset, suite, c.lenient)?;
    let mut key = InlineKey {
        key_salt,
        lifetime: None,
        mki: None,
    };
    part_offset += key_text.len() + 1;

    let mut seen_mki = false;
    for part in parts {
        if seen_mki {
            return Err(syntax(
                part_offset.saturating_sub(1),
                Problem::Expected("nothing after the MKI"),
            ));
        }
        if let Some((value, length)) = part.split_once(':') {
            key.mki = Some(mki(value, length, part_offset, c.lenient)?);
            seen_mki = true;
        } else if key.lifetime.is_none() {
            key.lifetime = Some(lifetime(part, part_offset, suite, c.lenient)?);
        } else {
            return Err(syntax(
                part_offset,
                Problem::Expected("an MKI (value:length)"),
            ));
        }
        part_offset += part.len() + 1;
    }
    Ok(key)
}

fn decode_key_salt(
    text: &str,
    offset: usize,
    suite: Option<CryptoSuite>,
    lenient: bool,
) -> Result<SecretBytes<MAX_INLINE_KEY_SALT_LEN>, SdesError> {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let expected = suite.map_or(MAX_INLINE_KEY_SALT_LEN, CryptoSuite::key_salt_len);
    if text.is_empty() {
        return Err(syntax(offset, Problem::Expected("base64 key ‖ salt")));
    }
    // Never more than the longest key: 96 bytes are 128 base64 characters.
    if text.len() > MAX_INLINE_KEY_SALT_LEN.div_ceil(3) * 4 {
        return Err(syntax(
            offset,
            Problem::KeyLength {
                got: text.len() / 4 * 3,
                expected,
            },
        ));
    }
    let mut buf = [0u8; MAX_INLINE_KEY_SALT_LEN + 3];
    let decoded = if lenient {
        LENIENT.decode_slice(text, &mut buf)
    } else {
        STANDARD.decode_slice(text, &mut buf)
    };
    let result = match decoded {
        Ok(n) => {
            let bytes = buf.get(..n).unwrap_or(&[]);
            let fits = match suite {
                Some(_) => n == expected,
                None => n > 0 && n <= MAX_INLINE_KEY_SALT_LEN,
            };
            if fits {
                SecretBytes::from_slice(bytes)
                    .map_err(|_| syntax(offset, Problem::KeyLength { got: n, expected }))
            } else {
                Err(syntax(offset, Problem::KeyLength { got: n, expected }))
            }
        }
        Err(base64::DecodeSliceError::DecodeError(
            base64::DecodeError::InvalidByte(i, _) | base64::DecodeError::InvalidLastSymbol(i, _),
        )) => Err(syntax(offset + i, Problem::Base64)),
        Err(_) => Err(syntax(offset, Problem::Base64)),
    };
    buf.zeroize();
    result
}

/// `lifetime = ["2^"] 1*(DIGIT)`: at most the suite's 2^48 packets, not zero (§6.1).
fn lifetime(
    text: &str,
    offset: usize,
    suite: Option<CryptoSuite>,
    lenient: bool,
) -> Result<Lifetime, SdesError> {
    let max = suite.map_or(u64::MAX, CryptoSuite::max_srtp_lifetime);
    if let Some(exp) = text.strip_prefix("2^") {
        let n = decimal(exp, offset + 2, "a lifetime exponent", None, lenient)?;
        if n > 63 || 1u64 << n > max {
            return Err(syntax(offset, Problem::OutOfRange("lifetime")));
        }
        Ok(Lifetime::PowerOfTwo(n as u8))
    } else {
        let v = decimal(text, offset, "a lifetime (decimal or 2^n)", None, lenient)?;
        if v == 0 || v > max {
            return Err(syntax(offset, Problem::OutOfRange("lifetime")));
        }
        Ok(Lifetime::Decimal(v))
    }
}

/// `mki = mki-value ":" mki-length`, length `1*3DIGIT` from 1 to 128 (§6.1, §9.2).
fn mki(value: &str, length: &str, offset: usize, lenient: bool) -> Result<MkiField, SdesError> {
    let v = decimal(value, offset, "a decimal MKI value", None, lenient)?;
    let length_offset = offset + value.len() + 1;
    let len = decimal(
        length,
        length_offset,
        "a decimal MKI length",
        Some(3),
        lenient,
    )?;
    let len = u8::try_from(len)
        .ok()
        .filter(|l| (1..=128).contains(l))
        .ok_or(syntax(length_offset, Problem::OutOfRange("MKI length")))?;
    MkiField::new(v, len).map_err(|_| syntax(offset, Problem::OutOfRange("MKI value")))
}

/// One `srtp-session-param` (RFC 4568 §6.3, §9.2).
fn session_param(
    c: &Cursor<'_>,
    token: &str,
    offset: usize,
    suite: Option<CryptoSuite>,
) -> Result<SessionParam, SdesError> {
    let (name, value) = match token.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (token, None),
    };
    let value_offset = offset + name.len() + 1;
    let needs_value = |what: &'static str| value.ok_or(syntax(offset, Problem::Expected(what)));
    let no_value = |param: SessionParam| match value {
        None => Ok(param),
        Some(_) => Err(syntax(offset + name.len(), Problem::Expected("no value"))),
    };

    if c.name_is(name, "KDR") {
        let v = needs_value("KDR=n")?;
        let n = decimal(v, value_offset, "a decimal KDR", Some(2), c.lenient)?;
        if n > u64::from(MAX_KDR) {
            return Err(syntax(value_offset, Problem::OutOfRange("KDR")));
        }
        Ok(SessionParam::Kdr(n as u8))
    } else if c.name_is(name, "UNENCRYPTED_SRTP") {
        no_value(SessionParam::UnencryptedSrtp)
    } else if c.name_is(name, "UNENCRYPTED_SRTCP") {
        no_value(SessionParam::UnencryptedSrtcp)
    } else if c.name_is(name, "UNAUTHENTICATED_SRTP") {
        no_value(SessionParam::UnauthenticatedSrtp)
    } else if c.name_is(name, "FEC_ORDER") {
        let v = needs_value("FEC_ORDER=FEC_SRTP or SRTP_FEC")?;
        if c.name_is(v, "FEC_SRTP") {
            Ok(SessionParam::FecOrder(FecOrder::FecSrtp))
        } else if c.name_is(v, "SRTP_FEC") {
            Ok(SessionParam::FecOrder(FecOrder::SrtpFec))
        } else {
            Err(syntax(
                value_offset,
                Problem::Expected("FEC_SRTP or SRTP_FEC"),
            ))
        }
    } else if c.name_is(name, "FEC_KEY") {
        needs_value("FEC_KEY=key-params")?;
        let mut sub = Cursor {
            input: c.input,
            pos: value_offset,
            end: offset + token.len(),
            lenient: c.lenient,
        };
        let keys = key_params(&mut sub, suite)?;
        if !sub.at_end() {
            return Err(syntax(
                sub.pos,
                Problem::Expected("';' or the end of FEC_KEY"),
            ));
        }
        Ok(SessionParam::FecKey(keys))
    } else if c.name_is(name, "WSH") {
        let v = needs_value("WSH=n")?;
        // wsh = "WSH=" 2*DIGIT, at least 64 (§6.3.6).
        let n = decimal(v, value_offset, "a decimal WSH", None, c.lenient)?;
        let n = u32::try_from(n)
            .ok()
            .filter(|n| *n >= MIN_WSH)
            .ok_or(syntax(value_offset, Problem::OutOfRange("WSH")))?;
        Ok(SessionParam::Wsh(n))
    } else {
        Ok(SessionParam::Extension(String::from(token)))
    }
}
