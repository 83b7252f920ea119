//! A whole IMS registration in memory: UE, P-CSCF and S-CSCF/HSS.
//!
//! ```text
//! cargo run --example ims_registration
//! ```
//!
//! 1. The UE sends REGISTER with Security-Client; the S-CSCF takes a
//!    Milenage vector from the HSS and answers 401 with a Digest AKA nonce;
//!    the P-CSCF adds Security-Server and installs its temporary SAs from
//!    CK and IK; the UE verifies AUTN, installs its SAs and sends the second
//!    REGISTER (Security-Verify, the Digest response) through ESP; the
//!    P-CSCF decapsulates it, checks the lists and forwards it; the 200 OK
//!    comes back through ESP.
//! 2. A re-registration sets up a new SA set while the old one still
//!    carries traffic, and retires the old one once the new one is in use.
//! 3. A Rel-5 UE (integrity only) registers with a Rel-6 P-CSCF.
//! 4. A man in the middle strips the strongest tuple from Security-Client
//!    and Security-Server: the SAs still match, but the P-CSCF sees the
//!    lists differ and aborts the registration.
//! 5. The ISIM finds the HSS's SQN stale: it answers with AUTS, the HSS
//!    resynchronises and the second challenge succeeds.
//!
//! The output is the trace: every SIP message, every SA (SPI, algorithms,
//! ports) and every decision.
#![allow(clippy::print_stdout)]

mod scenario;

use std::time::Duration;

use ims_sec::sec_agree::Release;
use scenario::{render, Outcome, World};

fn main() -> scenario::Result<()> {
    // 1 and 2: a Rel-13 UE and P-CSCF; registration, traffic, re-registration.
    let mut world = World::new(Release::Rel13, World::pcscf_policy(Release::Rel13), 0)?;
    world.scene("Initial registration (Rel-13 UE, Rel-13 P-CSCF)");
    let first = world.register()?;
    world.scene("A request through the new SAs");
    let wire = world.ue_sends_request("hello over ESP")?;
    world.pcscf_receive_request(wire)?;

    world.scene("Re-registration 30 minutes later: a new SA set next to the old one");
    world.advance(Duration::from_secs(1800));
    let second = world.register()?;
    let wire = world.ue_sends_request("first request on the new set")?;
    let request = world.pcscf_receive_request(wire)?;
    let answer = world.pcscf_answers(&request)?;
    world.ue_receives(answer)?;
    world.old_transactions_done()?;
    print!("{}", render(&world.trace));
    println!("\nresult: {first:?}, then {second:?}");
    println!(
        "P-CSCF SAs: {}, UE SAs: {}",
        world.pcscf.sad.len(),
        world.ue.sad.len()
    );

    // 3: a Rel-5 UE with a Rel-6 P-CSCF.
    let mut world = World::new(Release::Rel5, World::pcscf_policy(Release::Rel6), 0)?;
    world.scene("A Rel-5 UE (integrity only) and a Rel-6 P-CSCF");
    let outcome = world.register()?;
    print!("{}", render(&world.trace));
    println!("\nresult: {outcome:?}");

    // 4: a man in the middle removes the strongest tuple from both lists.
    let mut world = World::new(Release::Rel13, World::pcscf_policy(Release::Rel13), 0)?;
    world.strip_strongest_tuple = true;
    world.scene("A man in the middle strips the strongest tuple (downgrade attempt)");
    let outcome = world.register()?;
    print!("{}", render(&world.trace));
    println!("\nresult: {outcome:?}");
    if !matches!(outcome, Outcome::Aborted(_)) {
        return Err("the downgrade was not detected".into());
    }

    // 5: the ISIM has seen a higher SQN than the HSS (a restored HSS).
    let mut world = World::new(Release::Rel6, World::pcscf_policy(Release::Rel6), 1000)?;
    world.scene("AUTS: the ISIM refuses a stale SQN and the HSS resynchronises");
    let outcome = world.register()?;
    print!("{}", render(&world.trace));
    println!("\nresult: {outcome:?}");
    Ok(())
}
