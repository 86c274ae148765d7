//! Every binary frame a peer sends the relay goes through `Message::decode` and then the
//! relay's sync session. Whatever the bytes: no panic, no unbounded allocation, and a frame
//! that decodes survives a round trip and is handled by the session without panicking.
#![no_main]

use crm_core::sync::{Message, Session};
use crm_core::VersionVector;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match Message::decode(data) {
        Ok(msg) => {
            let again = Message::decode(&msg.encode()).expect("a decoded frame encodes to a decodable one");
            assert_eq!(again, msg, "round trip");
            let mut relay = Session::new();
            let _ = relay.receive(msg, &VersionVector::new());
        }
        Err(e) => {
            // the reason a peer is told must be printable
            let _ = e.to_string();
        }
    }
});
