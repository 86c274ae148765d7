//! Random 16-byte identifiers, shown and stored as lowercase hex.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Fills `buf` from the platform's secure RNG (the browser's `crypto.getRandomValues` on
/// wasm32). Failure means the platform has no usable entropy source; nothing sensible can
/// continue without one.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("no secure random source available on this platform");
    buf
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a valid id: expected 32 hex digits, got {0:?}")]
pub struct IdParseError(pub String);

pub fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

pub(crate) fn from_hex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let s = s.as_bytes();
    if s.len() != N * 2 {
        return None;
    }
    let nib = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for i in 0..N {
        out[i] = (nib(s[2 * i])? << 4) | nib(s[2 * i + 1])?;
    }
    Some(out)
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub [u8; 16]);

        /// Hex in human-readable formats (JSON map keys must be strings), raw bytes on the wire.
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                if s.is_human_readable() {
                    s.serialize_str(&to_hex(&self.0))
                } else {
                    self.0.serialize(s)
                }
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                if d.is_human_readable() {
                    let s = String::deserialize(d)?;
                    s.parse().map_err(serde::de::Error::custom)
                } else {
                    <[u8; 16]>::deserialize(d).map(Self)
                }
            }
        }

        impl $name {
            pub fn random() -> Self {
                Self(random_bytes())
            }
            pub fn as_bytes(&self) -> &[u8; 16] {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&to_hex(&self.0))
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), &to_hex(&self.0)[..8])
            }
        }
        impl FromStr for $name {
            type Err = IdParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                from_hex(s).map(Self).ok_or_else(|| IdParseError(s.chars().take(40).collect()))
            }
        }
    };
}

id_type!(
    /// One browser profile in one workspace; owns an append-only chunk log.
    DeviceId
);
id_type!(
    /// One customer document.
    DocId
);
id_type!(
    /// A workspace (a team's shared set of customers); derived from the workspace secret.
    WorkspaceId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_hex() {
        let d = DeviceId::random();
        assert_eq!(d.to_string().parse::<DeviceId>().unwrap(), d);
        assert!("xyz".parse::<DocId>().is_err());
        assert!("zz".repeat(16).parse::<DocId>().is_err());
    }

    #[test]
    fn ids_are_hex_in_json_and_bytes_on_the_wire() {
        let mut v = crate::VersionVector::new();
        v.0.insert(DeviceId([0xab; 16]), 3);
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(json, format!("{{\"{}\":3}}", "ab".repeat(16)));
        assert_eq!(serde_json::from_str::<crate::VersionVector>(&json).unwrap(), v);
        let wire = postcard::to_stdvec(&v).unwrap();
        assert_eq!(wire.len(), 1 + 16 + 1);
        assert_eq!(postcard::from_bytes::<crate::VersionVector>(&wire).unwrap(), v);
    }
}
