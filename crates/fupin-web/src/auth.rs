//! Passwords (argon2id, off the async workers), session and CSRF tokens (and the hash a session is
//! stored under), and login throttling.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
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

/// The SHA-256 of a session token (hex): what the database keeps instead of the token.
pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// An argon2id hash of a random password nobody knows: an unknown or disabled account's password
/// is checked against it, so that it costs what a known account's costs.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_token()))
}

/// Where argon2 runs: on tokio's blocking threads (never on the async workers, where one
/// verification holds a worker for tens of milliseconds), at most as many at once as the machine
/// has cores (each takes 19 MiB), the rest waiting their turn. Counts the verifications (the tests
/// check that an unknown name costs one, as a known one does).
pub struct Hasher {
    permits: tokio::sync::Semaphore,
    verified: AtomicU64,
}

impl Default for Hasher {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Hasher {
            permits: tokio::sync::Semaphore::new(cores),
            verified: AtomicU64::new(0),
        }
    }
}

impl Hasher {
    /// Checks a password against a stored hash, or against [`dummy_hash`] when there is none (the
    /// answer is then false, after the same work).
    pub async fn verify(&self, password: &str, phc: Option<&str>) -> bool {
        let _permit = self.permits.acquire().await.expect("hasher open");
        self.verified.fetch_add(1, Ordering::Relaxed);
        let (password, known) = (password.to_string(), phc.map(str::to_string));
        tokio::task::spawn_blocking(move || {
            let ok = verify_password(&password, known.as_deref().unwrap_or(dummy_hash()));
            ok && known.is_some()
        })
        .await
        .unwrap_or(false)
    }

    /// Hashes a new password off the async workers.
    pub async fn hash(&self, password: &str) -> String {
        let _permit = self.permits.acquire().await.expect("hasher open");
        let password = password.to_string();
        tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .expect("argon2")
    }

    /// How many passwords were verified so far.
    pub fn verified(&self) -> u64 {
        self.verified.load(Ordering::Relaxed)
    }
}

/// One limit of the login throttle: `free` failures, then each further failure closes the key for
/// `base` × 2^(failures − free) (at most `max`); a key forgets its failures after `forget` without one.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub free: u32,
    pub base: Duration,
    pub max: Duration,
    pub forget: Duration,
}

impl Limit {
    fn backoff(&self, failures: u32) -> Duration {
        if failures < self.free {
            return Duration::ZERO;
        }
        let doublings = (failures - self.free).min(20);
        self.base.saturating_mul(1 << doublings).min(self.max)
    }
}

/// Login throttling, per (name, address), per address and per name. An attempt is counted when it
/// starts ([`Throttle::begin`], under one lock), before its password is checked, so that 80
/// attempts at once count as 80: those beyond a limit are refused without checking. A (name,
/// address) pair and an address are closed for exponentially growing windows after their free
/// failures; a name is never closed (else anyone could lock anyone out): its failures from every
/// address only slow its attempts ([`Attempt::delay`], at most `name_max_delay`), so that its owner
/// can log in from an address of its own. A success forgets the pair's failures.
pub struct Throttle {
    pub pair: Limit,
    pub address: Limit,
    /// A name's failures (all addresses) before its attempts are slowed.
    pub name_free: u32,
    pub name_max_delay: Duration,
    state: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            pair: Limit {
                free: 5,
                base: Duration::from_secs(30),
                max: Duration::from_secs(3600),
                forget: Duration::from_secs(24 * 3600),
            },
            address: Limit {
                free: 20,
                base: Duration::from_secs(30),
                max: Duration::from_secs(3600),
                forget: Duration::from_secs(24 * 3600),
            },
            name_free: 10,
            name_max_delay: Duration::from_secs(2),
            state: Mutex::new(HashMap::new()),
        }
    }
}

/// A login attempt under way: counted as a failure unless [`Throttle::succeeded`] says otherwise.
#[derive(Debug, Clone)]
pub struct Attempt {
    pair: String,
    address: String,
    name: String,
    /// How long to wait before checking the password (the name's failures).
    pub delay: Duration,
}

impl Throttle {
    /// Starts an attempt of `name` from `address` at `now`: `Err(wait)` when the pair or the address
    /// is closed, else the attempt, already counted as a failure.
    pub fn begin(&self, name: &str, address: &str, now: Instant) -> Result<Attempt, Duration> {
        let name = name.trim().to_lowercase();
        let a = Attempt {
            pair: format!("p:{name}\u{0}{address}"),
            address: format!("a:{address}"),
            name: format!("n:{name}"),
            delay: Duration::ZERO,
        };
        let mut state = self.state.lock().expect("throttle lock");
        if state.len() > 100_000 {
            let forget = self.pair.forget.max(self.address.forget);
            state.retain(|_, (_, last)| now.duration_since(*last) < forget);
        }
        let mut wait = Duration::ZERO;
        for (key, limit) in [(&a.pair, &self.pair), (&a.address, &self.address)] {
            if let Some((n, last)) = state.get(key) {
                let since = now.duration_since(*last);
                if since < limit.forget {
                    wait = wait.max(limit.backoff(*n).saturating_sub(since));
                }
            }
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        let forget = self.pair.forget;
        let mut count = |key: &str| {
            let e = state.entry(key.to_string()).or_insert((0, now));
            if now.duration_since(e.1) >= forget {
                *e = (0, now);
            }
            e.0 += 1;
            e.1 = now;
            e.0
        };
        count(&a.pair);
        count(&a.address);
        let by_name = count(&a.name);
        let over = by_name.saturating_sub(self.name_free + 1).min(10);
        let delay = Duration::from_millis(100)
            .saturating_mul(1 << over)
            .min(self.name_max_delay);
        Ok(Attempt {
            delay: if by_name > self.name_free {
                delay
            } else {
                Duration::ZERO
            },
            ..a
        })
    }

    /// The attempt succeeded: the pair's failures are forgotten, and the attempt no longer counts
    /// against the address and the name.
    pub fn succeeded(&self, a: &Attempt) {
        let mut state = self.state.lock().expect("throttle lock");
        state.remove(&a.pair);
        for key in [&a.address, &a.name] {
            if let Some(e) = state.get_mut(key) {
                e.0 = e.0.saturating_sub(1);
            }
        }
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
    fn failures_close_the_pair_and_the_address_but_only_slow_the_name() {
        let t = Throttle::default();
        let now = Instant::now();
        // Five failures of (alice, 10.0.0.1) are free; the sixth attempt waits 30 s, then 60 s.
        for _ in 0..5 {
            t.begin("alice", "10.0.0.1", now).unwrap();
        }
        assert_eq!(
            t.begin("Alice", "10.0.0.1", now).unwrap_err(),
            Duration::from_secs(30)
        );
        let later = now + Duration::from_secs(31);
        t.begin("alice", "10.0.0.1", later).unwrap();
        assert_eq!(
            t.begin("alice", "10.0.0.1", later).unwrap_err(),
            Duration::from_secs(60)
        );
        // The owner from another address is not closed out, only slowed once the name has had
        // more than 10 failures from everywhere.
        for i in 0..4 {
            t.begin("alice", &format!("10.0.1.{i}"), later).unwrap();
        }
        let a = t.begin("alice", "192.168.1.9", later).unwrap();
        assert_eq!(a.delay, Duration::from_millis(100));
        t.succeeded(&a);
        for i in 0..40 {
            let a = t.begin("alice", &format!("10.0.2.{i}"), later).unwrap();
            assert!(a.delay <= Duration::from_secs(2));
        }
        // An address: 20 free failures over any names, then closed.
        for i in 0..20 {
            t.begin(&format!("u{i}"), "10.9.9.9", now).unwrap();
        }
        assert!(t.begin("someone", "10.9.9.9", now).is_err());
        assert!(t.begin("someone", "10.9.9.8", now).is_ok());
        // A success forgets the pair's failures.
        for _ in 0..4 {
            t.begin("bob", "10.0.0.2", now).unwrap();
        }
        let ok = t.begin("bob", "10.0.0.2", now).unwrap();
        t.succeeded(&ok);
        assert!(t.begin("bob", "10.0.0.2", now).is_ok());
    }
}
