//! A small deterministic generator (SplitMix64): the same seed gives the same registry on every
//! platform, without a dependency.

#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut r = Rng(seed ^ 0x9E37_79B9_7F4A_7C15);
        r.next_u64();
        r
    }

    /// A generator derived from this seed and a label (one per county, so counties are independent).
    pub fn derive(seed: u64, label: &str) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in label.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Rng::new(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ h)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// True with probability `percent` / 100.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A value by integer weights.
    pub fn weighted<T: Copy>(&mut self, choices: &[(T, u32)]) -> T {
        let total: u64 = choices.iter().map(|c| u64::from(c.1)).sum();
        let mut x = self.below(total.max(1));
        for (v, w) in choices {
            if x < u64::from(*w) {
                return *v;
            }
            x -= u64::from(*w);
        }
        choices[choices.len() - 1].0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Splits `total` into parts proportional to `weights`, summing exactly to `total` (largest remainder).
pub fn split(total: u64, weights: &[u64]) -> Vec<u64> {
    let sum: u64 = weights.iter().sum();
    if sum == 0 {
        let mut v = vec![0; weights.len()];
        if let Some(f) = v.first_mut() {
            *f = total;
        }
        return v;
    }
    let mut parts: Vec<u64> = weights
        .iter()
        .map(|w| (u128::from(total) * u128::from(*w) / u128::from(sum)) as u64)
        .collect();
    let mut rest: Vec<(u128, usize)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| ((u128::from(total) * u128::from(*w)) % u128::from(sum), i))
        .collect();
    rest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let missing = total - parts.iter().sum::<u64>();
    for (_, i) in rest.iter().take(missing as usize) {
        parts[*i] += 1;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_exact() {
        assert_eq!(split(10, &[1, 1, 1]), vec![4, 3, 3]);
        assert_eq!(split(7, &[0, 0]), vec![7, 0]);
        let p = split(63_425, &[3, 5, 7, 11, 13]);
        assert_eq!(p.iter().sum::<u64>(), 63_425);
    }

    #[test]
    fn same_seed_same_numbers() {
        let a: Vec<u64> = (0..5)
            .map(|_| Rng::derive(7, "140525").next_u64())
            .collect();
        let b: Vec<u64> = (0..5)
            .map(|_| Rng::derive(7, "140525").next_u64())
            .collect();
        assert_eq!(a, b);
        assert_ne!(
            Rng::derive(7, "140525").next_u64(),
            Rng::derive(8, "140525").next_u64()
        );
    }
}
