//! The values v3 computes, bit for bit (contract-v3 §4), so that a Rust adapter and a
//! Next.js app can share one database.

use sha2::{Digest, Sha256};

/// An account's unique key: `sha256_hex(provider_id + ":" + provider_account_id)`.
///
/// Note the collision v3 inherits: `("a:b", "c")` and `("a", "b:c")` give the same id.
pub fn compound_id(provider_id: &str, provider_account_id: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(provider_id.as_bytes());
    hasher.update(b":");
    hasher.update(provider_account_id.as_bytes());
    hex::encode(hasher.finalize())
}

/// How a verification token is stored: `sha256_hex(token + secret)`, token immediately
/// followed by the secret, no separator. Adapters hash with the `secret` *argument* they are
/// given (contract-v3 §10 G3).
pub fn hash_token(token: &str, secret: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(token.as_bytes());
    hasher.update(secret.as_bytes());
    hex::encode(hasher.finalize())
}

/// The number of random bytes in a session or verification token.
pub const TOKEN_BYTES: usize = 32;

/// A fresh token: 32 bytes from the operating system's CSPRNG, as 64 lowercase hex
/// characters (v3's `randomBytes(32).toString('hex')`).
///
/// # Panics
/// Only if the operating system cannot supply randomness at all, in which case no token
/// could be issued safely.
pub fn random_token() -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    hex::encode(bytes)
}

/// Whether `s` has the shape of a v3 token: 64 lowercase hex characters.
pub fn is_token_shaped(s: &str) -> bool {
    s.len() == 2 * TOKEN_BYTES && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The e-mail sign-in link v3 core builds (contract-v3 §4):
/// `{base_url}{base_path}/callback/{provider}?email={email}&token={token}`, each part
/// escaped as JavaScript's `encodeURIComponent` does.
pub fn verification_url(
    base_url: &str,
    base_path: &str,
    provider_id: &str,
    email: &str,
    token: &str,
) -> String {
    format!(
        "{base_url}{base_path}/callback/{}?email={}&token={}",
        encode_uri_component(provider_id),
        encode_uri_component(email),
        encode_uri_component(token)
    )
}

/// JavaScript's `encodeURIComponent`: everything but `A–Z a–z 0–9 - _ . ! ~ * ' ( )` is
/// percent-encoded as UTF-8. Written here rather than taken from `percent-encoding` because
/// it is one exact character set and keeps the contract crate's dependencies minimal.
pub fn encode_uri_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compound_id_test_vectors() {
        assert_eq!(
            compound_id("github", "12345"),
            "2db75fb4d7a8e3005aca09c643b4e6f40142ddcfc18c675509988c1b111d0dcf"
        );
        assert_eq!(
            compound_id("google", "109876543210"),
            "366309513cae601b6b9ee21827d4c84286f186adc34cf3bd92e81851976f04aa"
        );
    }

    #[test]
    fn token_hash_test_vectors() {
        assert_eq!(
            hash_token("000000000000", "VERY SECRET"),
            "0d1b7624f92755c96328b4a06b9dfdb21f003261be253506f512fa2a7f195341"
        );
        assert_eq!(
            hash_token("1111111111111111", "VERY SECRET"),
            "3dffce82fc48a5e94309c88fd981d24749a5886bf43fb7518c066c93b7f3dd5a"
        );
    }

    #[test]
    fn compound_id_collision_is_inherited() {
        assert_eq!(compound_id("a:b", "c"), compound_id("a", "b:c"));
    }

    #[test]
    fn random_tokens_are_64_hex_and_distinct() {
        let tokens: Vec<String> = (0..256).map(|_| random_token()).collect();
        for t in &tokens {
            assert!(is_token_shaped(t), "{t}");
        }
        let mut unique = tokens.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), tokens.len());
    }

    #[test]
    fn token_shape_check() {
        assert!(is_token_shaped(&"a".repeat(64)));
        assert!(!is_token_shaped(&"A".repeat(64)));
        assert!(!is_token_shaped(&"a".repeat(63)));
        assert!(!is_token_shaped("eyJhbGciOiJIUzI1NiJ9.e30.x"));
    }

    #[test]
    fn verification_url_escapes_like_encode_uri_component() {
        assert_eq!(
            verification_url(
                "http://localhost:3000",
                "/api/auth",
                "email",
                "a+b@x.com",
                "t/k"
            ),
            "http://localhost:3000/api/auth/callback/email?email=a%2Bb%40x.com&token=t%2Fk"
        );
        assert_eq!(encode_uri_component("é (x)!"), "%C3%A9%20(x)!");
    }
}
