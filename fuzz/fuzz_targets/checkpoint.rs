//! Checkpoint notes as fetched from a store: note parsing, signature checking and the strict
//! text parser. A text that parses must sign and open again to the same checkpoint.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use trailscope::segment::checkpoint::{Checkpoint, note_signers, open};
use trailscope::segment::keys::{Signer, Verifier, generate_with, parse_signer, parse_verifier};

/// The demo store's public key (`trailscope demo` derives it from a fixed seed), so the demo's
/// notes in the seed corpus verify and the fuzzer starts from signed notes.
const DEMO_PUB: &str = "demo.trailscope+3de396d8+AU94C15XHd9Lkd8alHUSKyrczSlAwM78jLh9AFf7b/Gb";

fn keys() -> &'static (Verifier, Signer, Verifier) {
    static KEYS: OnceLock<(Verifier, Signer, Verifier)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let demo = parse_verifier(DEMO_PUB).expect("demo key parses");
        let kp = generate_with(&mut ChaCha20Rng::seed_from_u64(1), "fuzz.example")
            .expect("fixed name is valid");
        let signer = parse_signer(&kp.private).expect("generated key parses");
        let verifier = parse_verifier(&kp.public).expect("generated key parses");
        (demo, signer, verifier)
    })
}

fuzz_target!(|data: &[u8]| {
    let (demo, signer, verifier) = keys();
    let _ = note_signers(data);
    let _ = open(data, demo);
    let _ = open(data, verifier);
    // The note's text part (everything up to the blank line), and the whole input, as text.
    let text = match data.windows(2).position(|w| w == b"\n\n") {
        Some(i) => &data[..=i],
        None => data,
    };
    for t in [text, data] {
        if let Ok(cp) = Checkpoint::parse_text(t) {
            let note = cp.sign(signer);
            assert_eq!(
                open(&note, verifier).as_ref(),
                Ok(&cp),
                "sign/open round trip"
            );
            assert_eq!(
                Checkpoint::parse_text(cp.text().as_bytes()).as_ref(),
                Ok(&cp)
            );
        }
    }
});
