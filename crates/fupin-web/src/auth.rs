//! Passwords (argon2id), session and CSRF tokens, and login throttling.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Hashes a password with argon2id and a random salt (PHC string format).
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).expect("system random");
    let salt = SaltString::encode_b64(&salt).expect("salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2")
        .to_string()
}

/// Checks a password against a stored PHC hash.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A random token of 32 bytes, hex: session ids and CSRF tokens.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    getrandom::getrandom(&mut b).expect("system random");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Compares two tokens in constant time.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Minimum password length for new passwords.
pub const MIN_PASSWORD_LEN: usize = 8;

/// Checks a new password (length only; argon2 does the rest).
pub fn check_new_password(p: &str) -> Result<(), String> {
    if p.chars().count() < MIN_PASSWORD_LEN {
        return Err(format!(
            "密码至少 {MIN_PASSWORD_LEN} 个字符 / a password has at least {MIN_PASSWORD_LEN} characters"
        ));
    }
    Ok(())
}

/// Login throttling: after `max_failures` failed logins for one key (user name or address) within
/// `window`, further attempts are refused until `lockout` has passed.
pub struct Throttle {
    max_failures: u32,
    window: Duration,
    lockout: Duration,
    state: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::new(
            5,
            Duration::from_secs(15 * 60),
            Duration::from_secs(15 * 60),
        )
    }
}

impl Throttle {
    pub fn new(max_failures: u32, window: Duration, lockout: Duration) -> Throttle {
        Throttle {
            max_failures,
            window,
            lockout,
            state: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(wait)` when the key is locked out at `now`.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let state = self.state.lock().expect("throttle lock");
        match state.get(key) {
            Some(&(n, last))
                if n >= self.max_failures && now.duration_since(last) < self.lockout =>
            {
                Err(self.lockout - now.duration_since(last))
            }
            _ => Ok(()),
        }
    }

    /// Records a failed attempt.
    pub fn fail(&self, key: &str, now: Instant) {
        let mut state = self.state.lock().expect("throttle lock");
        let entry = state.entry(key.to_string()).or_insert((0, now));
        if now.duration_since(entry.1) > self.window.max(self.lockout) {
            *entry = (0, now);
        }
        entry.0 += 1;
        entry.1 = now;
    }

    /// Forgets the failures of a key after a successful login.
    pub fn succeed(&self, key: &str) {
        self.state.lock().expect("throttle lock").remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let h = hash_password("correct horse");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct hors", &h));
        assert!(!verify_password("x", "not a hash"));
        assert_ne!(hash_password("correct horse"), h, "salted");
    }

    #[test]
    fn tokens_are_random_and_compared_exactly() {
        let a = random_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_token());
        assert!(same_token(&a, &a.clone()));
        assert!(!same_token(&a, &a[..63]));
    }

    #[test]
    fn five_failures_lock_the_key_out() {
        let t = Throttle::new(5, Duration::from_secs(900), Duration::from_secs(900));
        let now = Instant::now();
        for _ in 0..4 {
            t.fail("alice", now);
        }
        assert!(t.check("alice", now).is_ok());
        t.fail("alice", now);
        assert!(t.check("alice", now + Duration::from_secs(60)).is_err());
        assert!(t.check("bob", now).is_ok());
        assert!(t.check("alice", now + Duration::from_secs(901)).is_ok());
        t.succeed("alice");
        assert!(t.check("alice", now).is_ok());
    }
}
