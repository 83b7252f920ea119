//! The registration flows of `ims_registration`, run in memory and recorded
//! as a trace. The example prints the trace; `tests/ims_registration.rs`
//! walks the same flows and checks each step.
//!
//! Three nodes: the UE (an ISIM and an IPsec stack), the P-CSCF (sec-agree
//! and its SA database) and the S-CSCF with its HSS (Milenage vectors and
//! Digest AKA). What travels between the UE and the P-CSCF are IPv4/UDP
//! packets, turned into ESP by the SA databases once SAs exist; what the
//! P-CSCF and the S-CSCF exchange are SIP messages (their link is protected
//! by network domain security, TS 33.210, outside this example).

#![allow(unreachable_pub, missing_docs, clippy::indexing_slicing)]

use std::error::Error;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use ims_sec::aka::digest::{client, server, AkaNonce, Algorithm, Challenge, Credentials, Qop};
use ims_sec::aka::home::AuthenticationVector;
use ims_sec::aka::milenage::{opc_from_op, Milenage};
use ims_sec::aka::sqn::{FreshnessPolicy, SqnArray, SqnGenerator};
use ims_sec::aka::usim::{Failure, Usim};
use ims_sec::aka::Amf;
use ims_sec::common::sip::{Param, ParamValue};
use ims_sec::common::Secret;
use ims_sec::esp::sad::Unprotected;
use ims_sec::esp::{Role, SaDatabase, SaSet};
use ims_sec::sec_agree::{
    prepare_for_s_cscf, Action, AlgorithmPair, AlgorithmProfile, Event, Headers, Message,
    PcscfAgreement, PcscfPolicy, Release, SaLifecycle, SecurityHeader, SpisAndPorts, UeAgreement,
};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};

/// Anything that can fail in the scenario.
pub type Result<T> = std::result::Result<T, Box<dyn Error>>;

pub const UE_ADDRESS: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10));
pub const PCSCF_ADDRESS: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1));
/// The P-CSCF's unprotected SIP port.
pub const SIP_PORT: u16 = 5060;
/// The UE's protected server port (kept across re-registrations, TS 34.229-1 §8.2).
pub const UE_PORT_S: u16 = 5064;
/// The UE's first protected client port; each new agreement takes the next even one.
pub const UE_PORT_C: u16 = 5066;
pub const IMPI: &str = "001010000000001@ims.mnc001.mcc001.3gppnetwork.org";
pub const IMPU: &str = "sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org";
pub const REALM: &str = "ims.mnc001.mcc001.3gppnetwork.org";
/// How long the S-CSCF registers the contact for.
pub const EXPIRES: Duration = Duration::from_secs(3600);

/// One line of the trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A heading: what the next steps show.
    Scene(String),
    /// A SIP message from one node to another, and how it travelled.
    Sip {
        from: &'static str,
        to: &'static str,
        /// `None` in clear; the SPI and sequence number of its ESP packet.
        esp: Option<(u32, u64)>,
        /// The bytes on the wire between UE and P-CSCF (ESP or plain IP),
        /// empty between P-CSCF and S-CSCF.
        wire: Vec<u8>,
        message: Message,
    },
    /// An SA installed or removed.
    Sa(String),
    /// A decision some node took.
    Decision(String),
}

/// The subscriber's long-term key and OPc (TS 35.208 test set 1), and the
/// home network's sequence numbers.
struct Hss {
    milenage: Milenage,
    sqn: SqnGenerator,
}

/// The S-CSCF: the challenge it is waiting an answer for.
struct Scscf {
    pending: Option<(AuthenticationVector, Challenge)>,
}

pub struct Pcscf {
    policy: PcscfPolicy,
    pub sad: SaDatabase,
    agreement: Option<PcscfAgreement>,
    /// The agreement of the registration in force, for later requests.
    verified: Option<PcscfAgreement>,
    pub lifecycle: SaLifecycle,
    temporary: Option<ims_sec::esp::sad::SaSetHandle>,
}

pub struct Ue {
    isim: Usim<Milenage>,
    profile: AlgorithmProfile,
    pub sad: SaDatabase,
    agreement: Option<UeAgreement>,
    /// The agreement of the registration in force.
    registered: Option<UeAgreement>,
    pub lifecycle: SaLifecycle,
    temporary: Option<ims_sec::esp::sad::SaSetHandle>,
    /// The registration's protected client port, while registered.
    registered_port_c: Option<u16>,
    next_port_c: u16,
    call_id: u32,
    cseq: u32,
}

/// The three nodes, the clock, and the trace.
pub struct World {
    pub now: Duration,
    rng: StdRng,
    hss: Hss,
    scscf: Scscf,
    pub pcscf: Pcscf,
    pub ue: Ue,
    pub trace: Vec<Step>,
    /// Why the P-CSCF last aborted or refused a registration.
    abort: Option<String>,
    /// A man in the middle on the UE–P-CSCF link that strips the first
    /// (strongest) tuple from Security-Client and Security-Server.
    pub strip_strongest_tuple: bool,
}

/// How a registration attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 200 OK: registered, with the pair the SAs use.
    Registered(AlgorithmPair),
    /// The P-CSCF aborted the registration (SM7's lists did not match).
    Aborted(String),
}

fn hex16(text: &str) -> Result<[u8; 16]> {
    let bytes = hex::decode(text).map_err(|e| e.to_string())?;
    <[u8; 16]>::try_from(bytes.as_slice()).map_err(|_| "expected 16 bytes".into())
}

impl World {
    /// A UE supporting `ue_release`'s pairs and a P-CSCF following `pcscf`.
    /// `isim_seq` is the highest SEQ the ISIM has accepted in every IND
    /// slot; a value above the HSS's forces a resynchronisation.
    pub fn new(ue_release: Release, pcscf: PcscfPolicy, isim_seq: u64) -> Result<Self> {
        let k = Secret::new(hex16("465b5ce8b199b49faa5f0a2ee238a6bc")?);
        let opc = opc_from_op(&k, &Secret::new(hex16("cdc202d5123e20f62b6d676ac72cb318")?));
        let policy = FreshnessPolicy::default();
        let slots = vec![isim_seq; policy.layout.ind_count()];
        let isim_sqn = SqnArray::from_entries(policy, &slots).ok_or("ISIM SEQ out of range")?;
        let options = pcscf.sa;
        Ok(Self {
            now: Duration::from_secs(1),
            rng: StdRng::seed_from_u64(3329),
            hss: Hss {
                milenage: Milenage::new(&k, &opc),
                sqn: SqnGenerator::new(policy.layout, policy.delta, Default::default()),
            },
            scscf: Scscf { pending: None },
            pcscf: Pcscf {
                policy: pcscf,
                sad: SaDatabase::new(),
                agreement: None,
                verified: None,
                lifecycle: SaLifecycle::new(Role::Pcscf, options),
                temporary: None,
            },
            ue: Ue {
                isim: Usim::new(Milenage::new(&k, &opc), isim_sqn),
                profile: AlgorithmProfile::for_release(ue_release),
                sad: SaDatabase::new(),
                agreement: None,
                registered: None,
                lifecycle: SaLifecycle::new(Role::Ue, options),
                temporary: None,
                registered_port_c: None,
                next_port_c: UE_PORT_C,
                call_id: 0,
                cseq: 0,
            },
            trace: Vec::new(),
            abort: None,
            strip_strongest_tuple: false,
        })
    }

    /// A P-CSCF policy of `release` at the example's address and ports.
    pub fn pcscf_policy(release: Release) -> PcscfPolicy {
        PcscfPolicy::new(release, PCSCF_ADDRESS, 5100, 5101)
    }

    pub fn scene(&mut self, text: impl Into<String>) {
        self.trace.push(Step::Scene(text.into()));
    }

    fn decide(&mut self, text: impl Into<String>) {
        self.trace.push(Step::Decision(text.into()));
    }

    /// The UE registers (or re-registers) until a final outcome.
    pub fn register(&mut self) -> Result<Outcome> {
        let mut register = self.ue_register(None)?;
        loop {
            let response = self.pcscf_receive_register(register)?;
            let Some(response) = response else {
                let reason = self.abort.take().unwrap_or_default();
                return Ok(Outcome::Aborted(reason));
            };
            match self.ue_receive_response(response)? {
                UeNext::Send(next) => register = next,
                UeNext::Done(outcome) => return Ok(outcome),
            }
        }
    }

    // ----- the UE ------------------------------------------------------

    /// Builds a REGISTER with a new Security-Client (new SPIs and protected
    /// client port, TS 24.229 §5.1.1.5.3) and sends it: through the SAs of
    /// the registration in force if there is one, else in clear.
    fn ue_register(&mut self, authorization: Option<Credentials>) -> Result<Wire> {
        let spi_c = self.ue.sad.allocate_spi(&mut self.rng, &[])?;
        let spi_s = self.ue.sad.allocate_spi(&mut self.rng, &[spi_c])?;
        let port_c = self.ue.next_port_c;
        self.ue.next_port_c += 2;
        let own = SpisAndPorts {
            spi_c,
            spi_s,
            port_c,
            port_s: UE_PORT_S,
        };
        let agreement = UeAgreement::new(self.ue.profile.clone(), own)?;
        self.ue.call_id += 1;
        self.ue.cseq += 1;
        let via_port = self.ue.registered_port_c.map_or(port_c, |_| UE_PORT_S);
        let credentials = authorization.unwrap_or_else(|| {
            // TS 24.229 §5.1.1.2.1: an initial REGISTER carries the IMPI
            // with empty nonce and response.
            Credentials::new(IMPI, REALM, "", format!("sip:{REALM}"), "")
        });
        let mut message = self.register_message(via_port, &credentials)?;
        let h = &mut message.headers;
        match &self.ue.registered {
            Some(registered) => agreement.write_reregister(registered, h)?,
            None => agreement.write_register(h),
        }
        self.trace.push(Step::Decision(format!(
            "UE offers {} tuple(s): spi-c={spi_c} spi-s={spi_s} port-c={port_c} port-s={UE_PORT_S}",
            agreement.security_client().len()
        )));
        self.ue.agreement = Some(agreement);
        let protected_from = self.ue.registered_port_c;
        let wire = match protected_from {
            Some(from) => self.ue_send_protected(message, from)?,
            None => self.ue_send_clear(message, port_c)?,
        };
        Ok(wire)
    }

    /// A REGISTER of this registration's Call-ID and CSeq, its Via naming
    /// `via_port`, with `credentials` in Authorization.
    fn register_message(&mut self, via_port: u16, credentials: &Credentials) -> Result<Message> {
        let mut message = Message::new(format!("REGISTER sip:{REALM} SIP/2.0"));
        let branch = self.rng.next_u32();
        let tag = self.rng.next_u32();
        message.headers = Headers::new()
            .with(
                "Via",
                format!("SIP/2.0/UDP 192.0.2.10:{via_port};branch=z9hG4bK{branch:08x}"),
            )?
            .with("Max-Forwards", "70")?
            .with("From", format!("<{IMPU}>;tag={tag:08x}"))?
            .with("To", format!("<{IMPU}>"))?
            .with("Call-ID", format!("reg-{}@192.0.2.10", self.ue.call_id))?
            .with("CSeq", format!("{} REGISTER", self.ue.cseq))?
            .with(
                "Contact",
                format!("<sip:192.0.2.10:{UE_PORT_S}>;expires=600000"),
            )?
            .with("Expires", "600000")?
            .with("Authorization", credentials.to_string())?;
        Ok(message)
    }

    fn ue_send_clear(&mut self, message: Message, from_port: u16) -> Result<Wire> {
        let mut message = message;
        if self.strip_strongest_tuple {
            strip_first_tuple(&mut message.headers, SecurityHeader::Client)?;
            self.decide("man in the middle: strongest tuple removed from Security-Client");
        }
        let packet = udp_packet(
            UE_ADDRESS,
            from_port,
            PCSCF_ADDRESS,
            SIP_PORT,
            &message.to_bytes(),
        );
        self.trace.push(Step::Sip {
            from: "UE",
            to: "P-CSCF",
            esp: None,
            wire: packet.clone(),
            message,
        });
        Ok(Wire(packet))
    }

    /// Sends through the UE's SA that the ports select (client port to the
    /// P-CSCF's server port).
    fn ue_send_protected(&mut self, message: Message, from_port: u16) -> Result<Wire> {
        let port_s = self.pcscf.policy.port_s;
        let mut packet = udp_packet(
            UE_ADDRESS,
            from_port,
            PCSCF_ADDRESS,
            port_s,
            &message.to_bytes(),
        );
        self.ue.sad.protect(&mut packet, &mut self.rng, self.now)?;
        let esp = esp_header(&packet);
        self.trace.push(Step::Sip {
            from: "UE",
            to: "P-CSCF",
            esp,
            wire: packet.clone(),
            message,
        });
        Ok(Wire(packet))
    }

    fn ue_receive_response(&mut self, wire: Wire) -> Result<UeNext> {
        let mut packet = wire.0;
        if is_esp(&packet) {
            self.receive_esp(Side::Ue, &mut packet)?;
        }
        let message = Message::parse(udp_payload(&packet).ok_or("not UDP")?)?;
        match message.status() {
            Some(401) => self.ue_challenged(&message),
            Some(200) => {
                let chosen = self.ue_registered()?;
                Ok(UeNext::Done(Outcome::Registered(chosen)))
            }
            other => Err(format!("unexpected response {other:?}").into()),
        }
    }

    /// SM6 at the UE: verify AUTN, then set up the temporary SAs and send
    /// SM7 through them; or answer a synchronisation failure with AUTS.
    fn ue_challenged(&mut self, response: &Message) -> Result<UeNext> {
        let challenge = response
            .headers
            .values("WWW-Authenticate")
            .find_map(|v| Challenge::parse(v).ok())
            .ok_or("401 without a Digest challenge")?;
        let nonce = challenge.aka_nonce(8)?;
        let request = client::ClientRequest {
            username: IMPI,
            method: "REGISTER",
            uri: &format!("sip:{REALM}"),
            body: b"",
            cnonce: &format!("{:016x}", self.rng.next_u64()),
            nc: 1,
            qop: client::QopPreference::Auth,
        };
        let keys = match self.ue.isim.authenticate(&nonce.rand, &nonce.autn) {
            Ok(keys) => keys,
            Err(Failure::Sync { auts, .. }) => {
                self.decide("UE: ISIM refuses the SQN (out of range) and computes AUTS; no temporary SAs (TS 24.229 §5.1.1.5.3)");
                let credentials = client::respond_sync_failure(&challenge, &request, &auts)?;
                return Ok(UeNext::Send(self.ue_register(Some(credentials))?));
            }
            Err(failure) => return Err(format!("ISIM refused the challenge: {failure:?}").into()),
        };
        self.decide("UE: ISIM verifies AUTN (MAC and SQN good), computes RES, CK and IK");
        let ck = Secret::<16>::from_slice(keys.ck.expose_secret())?;
        let ik = Secret::<16>::from_slice(keys.ik.expose_secret())?;
        let agreement = self.ue.agreement.as_mut().ok_or("no agreement")?;
        let chosen = agreement.on_challenge(
            &response.headers,
            &ck,
            &ik,
            (UE_ADDRESS, PCSCF_ADDRESS),
            &self.pcscf.policy.sa,
            self.now,
        )?;
        let own = agreement.own();
        self.decide(format!(
            "UE takes the P-CSCF's most preferred tuple it supports: {} (P-CSCF spi-c={} spi-s={} port-c={} port-s={})",
            chosen.chosen.pair,
            chosen.chosen.spis_and_ports.spi_c,
            chosen.chosen.spis_and_ports.spi_s,
            chosen.chosen.spis_and_ports.port_c,
            chosen.chosen.spis_and_ports.port_s,
        ));
        let handle = install(&mut self.ue.sad, chosen.sa_set, &mut self.trace, "UE")?;
        self.event(Side::Ue, Event::TemporaryInstalled(handle))?;
        self.ue.temporary = Some(handle);

        // SM7: the Digest response, Security-Client and Security-Verify,
        // through the temporary SAs from the new protected client port.
        let credentials = client::respond(&challenge, &request, &(&keys).into())?;
        self.ue.cseq += 1;
        let mut message = self.register_message(UE_PORT_S, &credentials)?;
        let h = &mut message.headers;
        self.ue
            .agreement
            .as_ref()
            .ok_or("no agreement")?
            .write_protected(h)?;
        Ok(UeNext::Send(self.ue_send_protected(message, own.port_c)?))
    }

    fn ue_registered(&mut self) -> Result<AlgorithmPair> {
        self.event(Side::Ue, Event::Registered { expires: EXPIRES })?;
        let agreement = self.ue.agreement.as_ref().ok_or("no agreement")?;
        let chosen = agreement.chosen().ok_or("nothing chosen")?;
        self.ue.registered_port_c = Some(agreement.own().port_c);
        self.ue.registered = Some(agreement.clone());
        self.ue.temporary = None;
        self.decide(format!(
            "UE registered; the new SA set ({chosen}) carries its requests from now on"
        ));
        Ok(chosen)
    }

    /// The registered UE sends a request (a MESSAGE) through the SAs in force.
    pub fn ue_sends_request(&mut self, text: &str) -> Result<Wire> {
        let port_c = self.ue.registered_port_c.ok_or("not registered")?;
        let mut message = Message::new("MESSAGE sip:bob@ims.example.net SIP/2.0");
        let h = &mut message.headers;
        h.push(
            "Via",
            format!(
                "SIP/2.0/UDP 192.0.2.10:{UE_PORT_S};branch=z9hG4bK{:08x}",
                self.rng.next_u32()
            ),
        )?;
        h.push(
            "From",
            format!("<{IMPU}>;tag=m{:06x}", self.rng.next_u32() >> 8),
        )?;
        h.push("To", "<sip:bob@ims.example.net>")?;
        h.push(
            "Call-ID",
            format!("msg-{:08x}@192.0.2.10", self.rng.next_u32()),
        )?;
        h.push("CSeq", "1 MESSAGE")?;
        h.push("Content-Type", "text/plain")?;
        self.ue
            .agreement
            .as_ref()
            .ok_or("no agreement")?
            .write_protected(h)?;
        message.body = text.as_bytes().to_vec();
        self.ue_send_protected(message, port_c)
    }

    // ----- the P-CSCF --------------------------------------------------

    /// A REGISTER from the UE, in clear (SM1) or through ESP (SM7, or a
    /// re-registration's SM1). Returns what goes back to the UE, if anything.
    fn pcscf_receive_register(&mut self, wire: Wire) -> Result<Option<Wire>> {
        let mut packet = wire.0;
        let arrived_on = if is_esp(&packet) {
            let got = self.receive_esp(Side::Pcscf, &mut packet)?;
            self.decide(format!(
                "P-CSCF: ESP SPI {} authenticates the packet",
                got.spi
            ));
            Some(got.spi)
        } else {
            None
        };
        let message = Message::parse(udp_payload(&packet).ok_or("not UDP")?)?;
        let mut headers = message.headers.clone();

        // SM7: the answer to the challenge, through the temporary SAs.
        let in_temporary = arrived_on.is_some_and(|spi| {
            self.pcscf
                .temporary
                .is_some_and(|t| t.inbound.contains(&spi))
        });
        if let (true, Some(spi)) = (in_temporary, arrived_on) {
            let agreement = self.pcscf.agreement.as_mut().ok_or("no agreement")?;
            if let Err(error) = agreement.on_protected_register(&headers, spi) {
                self.decide(format!("P-CSCF aborts the registration: {error}"));
                self.abort = Some(error.to_string());
                self.event(Side::Pcscf, Event::AuthenticationFailed)?;
                self.pcscf.temporary = None;
                return Ok(None);
            }
            self.decide("P-CSCF: Security-Verify equals the Security-Server sent, Security-Client equals SM1's");
            prepare_for_s_cscf(&mut headers, true);
            let response = self.scscf_receive(Message { headers, ..message })?;
            return self.pcscf_forward_response(response, arrived_on).map(Some);
        }

        // SM1 (in clear, or through the SAs in force for a re-registration).
        if arrived_on.is_some() {
            let verified = self
                .pcscf
                .verified
                .as_ref()
                .ok_or("protected REGISTER without a registration")?;
            verified.check_security_verify(&headers)?;
            self.decide(
                "P-CSCF: the re-REGISTER's Security-Verify mirrors the last Security-Server",
            );
        }
        let agreement = match PcscfAgreement::on_register(&self.pcscf.policy, &headers, UE_ADDRESS)
        {
            Ok(agreement) => agreement,
            Err(refusal) => {
                self.decide(format!(
                    "P-CSCF refuses: {} ({})",
                    refusal.status_line, refusal.reason
                ));
                self.abort = Some(refusal.reason.to_string());
                return Ok(None);
            }
        };
        let offered: Vec<String> = agreement.offered_pairs().map(|p| p.to_string()).collect();
        self.decide(format!(
            "P-CSCF stores SM1's Security-Client: {}",
            offered.join(", ")
        ));
        self.pcscf.agreement = Some(agreement);
        prepare_for_s_cscf(&mut headers, arrived_on.is_some());
        let response = self.scscf_receive(Message { headers, ..message })?;
        self.pcscf_forward_response(response, arrived_on).map(Some)
    }

    /// A response from the S-CSCF on its way to the UE: a 401 gets the
    /// P-CSCF's Security-Server and temporary SAs; a 200 OK promotes them.
    fn pcscf_forward_response(
        &mut self,
        mut response: Message,
        arrived_on: Option<u32>,
    ) -> Result<Wire> {
        match response.status() {
            Some(401) => {
                let (ck, ik) = take_ck_ik(&mut response.headers)?;
                self.decide(
                    "P-CSCF removes ck and ik from the 401's WWW-Authenticate (TS 24.229 §5.2.2.2)",
                );
                let agreement = self.pcscf.agreement.as_mut().ok_or("no agreement")?;
                let challenge = agreement.on_challenge(
                    &self.pcscf.policy,
                    &self.pcscf.sad,
                    &ck,
                    &ik,
                    &mut self.rng,
                    self.now,
                )?;
                self.trace.push(Step::Decision(format!(
                    "P-CSCF chooses the first pair on its list that the UE offered: {} (its spi-c={} spi-s={})",
                    challenge.chosen, challenge.pcscf.spi_c, challenge.pcscf.spi_s
                )));
                challenge.write_to(&mut response.headers);
                let handle = install(
                    &mut self.pcscf.sad,
                    challenge.sa_set,
                    &mut self.trace,
                    "P-CSCF",
                )?;
                self.event(Side::Pcscf, Event::TemporaryInstalled(handle))?;
                self.pcscf.temporary = Some(handle);
                if self.strip_strongest_tuple {
                    strip_first_tuple(&mut response.headers, SecurityHeader::Server)?;
                }
            }
            Some(200) => {
                self.event(Side::Pcscf, Event::Registered { expires: EXPIRES })?;
                self.pcscf.verified = self.pcscf.agreement.take();
                self.pcscf.temporary = None;
                self.decide(format!(
                    "P-CSCF: registration complete; SA lifetime = registration ({} s) + 30 s",
                    EXPIRES.as_secs()
                ));
            }
            _ => {}
        }
        // The response goes back the way the request came (TS 24.229 §5.2.2).
        self.pcscf_send(response, arrived_on)
    }

    fn pcscf_send(&mut self, message: Message, arrived_on: Option<u32>) -> Result<Wire> {
        let strip = self.strip_strongest_tuple && message.status() == Some(401);
        let payload = message.to_bytes();
        let step = |esp, wire| Step::Sip {
            from: "P-CSCF",
            to: "UE",
            esp,
            wire,
            message: message.clone(),
        };
        match arrived_on {
            None => {
                let to_port = self
                    .ue
                    .agreement
                    .as_ref()
                    .map_or(UE_PORT_C, |a| a.own().port_c);
                let packet = udp_packet(PCSCF_ADDRESS, SIP_PORT, UE_ADDRESS, to_port, &payload);
                if strip {
                    self.decide("man in the middle: strongest tuple removed from Security-Server");
                }
                self.trace.push(step(None, packet.clone()));
                Ok(Wire(packet))
            }
            Some(spi) => {
                let selector = *self.pcscf.sad.inbound_selector(spi).ok_or("no SA")?;
                // Reply from the port the request reached to the port it left.
                let mut packet = udp_packet(
                    selector.destination,
                    selector.destination_port,
                    selector.source,
                    selector.source_port,
                    &payload,
                );
                self.pcscf
                    .sad
                    .protect(&mut packet, &mut self.rng, self.now)?;
                self.trace.push(step(esp_header(&packet), packet.clone()));
                Ok(Wire(packet))
            }
        }
    }

    /// A request from the UE through ESP (not a REGISTER): check its
    /// Security-Verify and let the lifecycle know which set carried it.
    pub fn pcscf_receive_request(&mut self, wire: Wire) -> Result<Message> {
        let mut packet = wire.0;
        let got = self.receive_esp(Side::Pcscf, &mut packet)?;
        let message = Message::parse(udp_payload(&packet).ok_or("not UDP")?)?;
        let verified = self.pcscf.verified.as_ref().ok_or("not registered")?;
        verified.check_security_verify(&message.headers)?;
        self.decide(format!(
            "P-CSCF accepts the {} through SPI {} (Security-Verify checked)",
            message.start_line.split(' ').next().unwrap_or("request"),
            got.spi
        ));
        Ok(message)
    }

    /// The old set's transactions have ended at both ends: delete it now.
    pub fn old_transactions_done(&mut self) -> Result<()> {
        self.event(Side::Pcscf, Event::OldSetIdle)?;
        self.event(Side::Ue, Event::OldSetIdle)?;
        Ok(())
    }

    /// The P-CSCF answers a request 200 OK through the SA pair it arrived
    /// on (a request from the UE's client port reaches the P-CSCF's spi-s).
    pub fn pcscf_answers(&mut self, request: &Message) -> Result<Wire> {
        let spi = self
            .pcscf
            .lifecycle
            .sending_set()
            .map(|set| set.inbound[0])
            .ok_or("no SAs")?;
        let ok = response_to(request, "SIP/2.0 200 OK")?;
        self.pcscf_send(ok, Some(spi))
    }

    /// The UE receives a message through ESP.
    pub fn ue_receives(&mut self, wire: Wire) -> Result<Message> {
        let mut packet = wire.0;
        self.receive_esp(Side::Ue, &mut packet)?;
        Ok(Message::parse(udp_payload(&packet).ok_or("not UDP")?)?)
    }

    /// Moves the clock and lets both lifecycles act on what is due.
    pub fn advance(&mut self, by: Duration) {
        self.now += by;
        self.timeout(Side::Pcscf);
        self.timeout(Side::Ue);
    }

    // ----- the S-CSCF and HSS ------------------------------------------

    /// The S-CSCF: challenge a REGISTER without a valid response (with a
    /// fresh vector, resynchronising first if the UE sent AUTS), register
    /// one with a valid response.
    fn scscf_receive(&mut self, register: Message) -> Result<Message> {
        self.trace.push(Step::Sip {
            from: "P-CSCF",
            to: "S-CSCF",
            esp: None,
            wire: Vec::new(),
            message: register.clone(),
        });
        let credentials = register
            .headers
            .first("Authorization")
            .map(Credentials::parse)
            .transpose()?
            .ok_or("REGISTER without Authorization")?;
        if let Some((av, challenge)) = self.scscf.pending.take() {
            match server::verify(&challenge, &credentials, "REGISTER", b"", &(&av).into())? {
                server::Verdict::Authenticated => {
                    self.decide("S-CSCF: RES matches XRES; the user is authenticated");
                    let mut ok = response_to(&register, "SIP/2.0 200 OK")?;
                    ok.headers.push(
                        "Contact",
                        format!("<sip:192.0.2.10:{UE_PORT_S}>;expires={}", EXPIRES.as_secs()),
                    )?;
                    ok.headers
                        .push("Service-Route", "<sip:orig@scscf.ims.example.net;lr>")?;
                    self.trace.push(Step::Sip {
                        from: "S-CSCF",
                        to: "P-CSCF",
                        esp: None,
                        wire: Vec::new(),
                        message: ok.clone(),
                    });
                    return Ok(ok);
                }
                server::Verdict::SyncFailure(auts) => {
                    let resync = self
                        .hss
                        .sqn
                        .resynchronise(&self.hss.milenage, &av.rand, &auts)?;
                    self.decide(format!(
                        "HSS: AUTS verified, SQN_HE reset to the ISIM's SQN_MS = {:?}",
                        resync.sqn_ms
                    ));
                }
                other => return Err(format!("authentication failed: {other:?}").into()),
            }
        }
        let mut rand = [0u8; 16];
        self.rng.fill_bytes(&mut rand);
        let sqn = self.hss.sqn.next_sqn()?;
        let av = AuthenticationVector::generate(&self.hss.milenage, rand, sqn, Amf([0x80, 0]));
        self.decide(format!("HSS: Milenage vector with SQN {sqn:?}"));
        let nonce = AkaNonce::new(av.rand, av.autn);
        let mut challenge = server::challenge(
            REALM,
            &nonce,
            Algorithm::from_name("AKAv1-MD5"),
            vec![Qop::Auth],
        )?;
        // TS 24.229 §5.4.1.2.1: to the P-CSCF, the 401 also carries CK and IK.
        let mut with_keys = challenge.clone();
        with_keys.extensions.push(Param::new(
            "ck",
            Some(ParamValue::Quoted(hex::encode(av.ck.expose_secret()))),
        )?);
        with_keys.extensions.push(Param::new(
            "ik",
            Some(ParamValue::Quoted(hex::encode(av.ik.expose_secret()))),
        )?);
        challenge.extensions.clear();
        let mut unauthorized = response_to(&register, "SIP/2.0 401 Unauthorized")?;
        unauthorized
            .headers
            .push("WWW-Authenticate", with_keys.to_string())?;
        self.trace.push(Step::Sip {
            from: "S-CSCF",
            to: "P-CSCF",
            esp: None,
            wire: Vec::new(),
            message: unauthorized.clone(),
        });
        self.scscf.pending = Some((av, challenge));
        Ok(unauthorized)
    }
}

/// Which end of the Gm link.
#[derive(Debug, Clone, Copy)]
enum Side {
    Ue,
    Pcscf,
}

impl World {
    /// A node's lifecycle, SA database and name, for the helpers below.
    fn ipsec(
        &mut self,
        side: Side,
    ) -> (
        &mut SaLifecycle,
        &mut SaDatabase,
        &mut Vec<Step>,
        &'static str,
    ) {
        match side {
            Side::Ue => (
                &mut self.ue.lifecycle,
                &mut self.ue.sad,
                &mut self.trace,
                "UE",
            ),
            Side::Pcscf => (
                &mut self.pcscf.lifecycle,
                &mut self.pcscf.sad,
                &mut self.trace,
                "P-CSCF",
            ),
        }
    }

    /// Tells a node's lifecycle what happened and carries out its actions.
    fn event(&mut self, side: Side, event: Event) -> Result<()> {
        let now = self.now;
        let (lifecycle, sad, trace, node) = self.ipsec(side);
        lifecycle.handle(now, event)?;
        apply(lifecycle, sad, trace, node);
        Ok(())
    }

    /// Lets a node's lifecycle act on what is due now.
    fn timeout(&mut self, side: Side) {
        let now = self.now;
        let (lifecycle, sad, trace, node) = self.ipsec(side);
        lifecycle.handle_timeout(now);
        apply(lifecycle, sad, trace, node);
    }

    /// Removes the ESP of a packet a node received, and tells its lifecycle
    /// which set carried it.
    fn receive_esp(&mut self, side: Side, packet: &mut Vec<u8>) -> Result<Unprotected> {
        let now = self.now;
        let (lifecycle, sad, _, _) = self.ipsec(side);
        let got = sad.unprotect(packet, now)?;
        let set = lifecycle.set_with_spi(got.spi).ok_or("SA without a set")?;
        self.event(side, Event::ProtectedReceived(set))?;
        Ok(got)
    }
}

/// What the UE does next.
enum UeNext {
    Send(Wire),
    Done(Outcome),
}

/// Bytes on the UE–P-CSCF link.
#[derive(Debug, Clone)]
pub struct Wire(pub Vec<u8>);

/// Installs a set and records its SAs in the trace.
fn install(
    sad: &mut SaDatabase,
    set: SaSet,
    trace: &mut Vec<Step>,
    node: &str,
) -> Result<ims_sec::esp::sad::SaSetHandle> {
    for (selector, sa) in set.inbound() {
        trace.push(Step::Sa(format!(
            "{node} installs inbound  SPI {:>10}  {}:{} -> {}:{}  {} / {}",
            sa.spi(),
            selector.source,
            selector.source_port,
            selector.destination,
            selector.destination_port,
            sa.transform().integrity_algorithm(),
            sa.transform().encryption_algorithm(),
        )));
    }
    for (selector, sa) in set.outbound() {
        trace.push(Step::Sa(format!(
            "{node} installs outbound SPI {:>10}  {}:{} -> {}:{}  {} / {}",
            sa.spi(),
            selector.source,
            selector.source_port,
            selector.destination,
            selector.destination_port,
            sa.transform().integrity_algorithm(),
            sa.transform().encryption_algorithm(),
        )));
    }
    Ok(sad.insert_set(set)?)
}

/// Carries out a lifecycle's actions on an SA database.
fn apply(lifecycle: &mut SaLifecycle, sad: &mut SaDatabase, trace: &mut Vec<Step>, node: &str) {
    while let Some(action) = lifecycle.poll_action() {
        match action {
            Action::SetLifetime { set, lifetime } => {
                sad.set_set_lifetime(&set, lifetime);
                let secs = lifetime.hard.time.map_or(0, |t| t.as_secs());
                trace.push(Step::Sa(format!(
                    "{node} sets the lifetime of set {:?} to {secs} s after installation",
                    set.inbound
                )));
            }
            Action::UseForSending(set) => {
                sad.use_set_for_sending(&set);
                trace.push(Step::Sa(format!(
                    "{node} sends through set {:?} from now on",
                    set.inbound
                )));
            }
            Action::Delete { set, reason } => {
                let removed = sad.remove_set(&set);
                trace.push(Step::Sa(format!(
                    "{node} deletes set {:?} ({removed} SAs): {reason:?}",
                    set.inbound
                )));
            }
        }
    }
}

/// Removes ck and ik from the 401's WWW-Authenticate and returns them.
fn take_ck_ik(headers: &mut Headers) -> Result<(Secret<16>, Secret<16>)> {
    let value = headers
        .first("WWW-Authenticate")
        .ok_or("401 without WWW-Authenticate")?;
    let mut challenge = Challenge::parse(value)?;
    let mut take = |name: &str| -> Result<Secret<16>> {
        let index = challenge
            .extensions
            .iter()
            .position(|p| p.name_is(name))
            .ok_or("401 without ck/ik")?;
        let param = challenge.extensions.remove(index);
        Ok(Secret::new(hex16(param.value_str().unwrap_or_default())?))
    };
    let (ck, ik) = (take("ck")?, take("ik")?);
    headers.remove("WWW-Authenticate");
    headers.push("WWW-Authenticate", challenge.to_string())?;
    Ok((ck, ik))
}

/// A response to `request` with its Via, From, To, Call-ID and CSeq.
fn response_to(request: &Message, status_line: &str) -> Result<Message> {
    let mut response = Message::new(status_line);
    for name in ["Via", "From", "To", "Call-ID", "CSeq"] {
        for value in request.headers.values(name) {
            let value = if name == "To" && !value.contains("tag=") {
                format!("{value};tag=scscf")
            } else {
                value.to_owned()
            };
            response.headers.push(name, value)?;
        }
    }
    Ok(response)
}

/// What an attacker on the link does: drop the first mechanism of a
/// Security-Client or Security-Server.
fn strip_first_tuple(headers: &mut Headers, header: SecurityHeader) -> Result<()> {
    let list =
        ims_sec::sec_agree::MechanismList::from_headers(headers, header)?.ok_or("no list")?;
    let rest =
        ims_sec::sec_agree::MechanismList::new(list.mechanisms().iter().skip(1).cloned().collect());
    rest.write_to(headers, header);
    Ok(())
}

/// An IPv4/UDP packet (UDP checksum 0, allowed over IPv4).
pub fn udp_packet(src: IpAddr, sport: u16, dst: IpAddr, dport: u16, payload: &[u8]) -> Vec<u8> {
    let (IpAddr::V4(src), IpAddr::V4(dst)) = (src, dst) else {
        unreachable!("the example runs over IPv4");
    };
    let total = 20 + 8 + payload.len();
    let mut p = Vec::with_capacity(total + 64);
    p.extend_from_slice(&[0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0]);
    p[2..4].copy_from_slice(&(total as u16).to_be_bytes());
    p.extend_from_slice(&src.octets());
    p.extend_from_slice(&dst.octets());
    let sum = ipv4_checksum(&p[..20]);
    p[10..12].copy_from_slice(&sum.to_be_bytes());
    p.extend_from_slice(&sport.to_be_bytes());
    p.extend_from_slice(&dport.to_be_bytes());
    p.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    p.extend_from_slice(&[0, 0]);
    p.extend_from_slice(payload);
    p
}

fn ipv4_checksum(header: &[u8]) -> u16 {
    let mut sum: u32 = header
        .chunks(2)
        .map(|w| u32::from(u16::from_be_bytes([w[0], w[1]])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// The UDP payload of an IPv4 packet.
pub fn udp_payload(packet: &[u8]) -> Option<&[u8]> {
    let ihl = usize::from(packet.first()? & 0x0f) * 4;
    (packet.get(9) == Some(&17)).then_some(())?;
    packet.get(ihl + 8..)
}

/// Whether an IPv4 packet carries ESP (protocol 50).
pub fn is_esp(packet: &[u8]) -> bool {
    packet.get(9) == Some(&50)
}

/// The SPI and sequence number of an ESP packet.
pub fn esp_header(packet: &[u8]) -> Option<(u32, u64)> {
    let ihl = usize::from(packet.first()? & 0x0f) * 4;
    let spi = u32::from_be_bytes(packet.get(ihl..ihl + 4)?.try_into().ok()?);
    let seq = u32::from_be_bytes(packet.get(ihl + 4..ihl + 8)?.try_into().ok()?);
    Some((spi, u64::from(seq)))
}

/// The trace as text: each SIP message in full with how it travelled,
/// each SA and each decision.
pub fn render(trace: &[Step]) -> String {
    let mut out = String::new();
    for step in trace {
        match step {
            Step::Scene(text) => {
                let _ = writeln!(out, "\n=== {text} ===\n");
            }
            Step::Sip {
                from,
                to,
                esp,
                wire,
                message,
            } => {
                let how = match esp {
                    Some((spi, seq)) => {
                        format!("ESP SPI {spi} seq {seq}, {} bytes on the wire", wire.len())
                    }
                    None if wire.is_empty() => "inside the network".to_owned(),
                    None => format!("in clear, {} bytes", wire.len()),
                };
                let _ = writeln!(out, "--- {from} -> {to} ({how})");
                if esp.is_some() {
                    let head: String = wire
                        .iter()
                        .skip(20)
                        .take(24)
                        .map(|b| format!("{b:02x}"))
                        .collect();
                    let _ = writeln!(out, "    ESP: {head}…");
                }
                for line in message.to_string().lines() {
                    let _ = writeln!(out, "    {line}");
                }
            }
            Step::Sa(text) => {
                let _ = writeln!(out, "  [SA] {text}");
            }
            Step::Decision(text) => {
                let _ = writeln!(out, "  >> {text}");
            }
        }
    }
    out
}
