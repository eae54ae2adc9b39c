//! Whether a sample of tokens could have come from a cryptographic generator: the statistics
//! behind `security.session.tokens-unpredictable` (specification H12).
//!
//! A fair generator draws every token as 32 independent uniform bytes, so each of a token's 64
//! hex digits is uniform on `0..16` and independent of every other digit of the sample. The
//! checks below look for what a counter, a clock or a generator with little entropy leaves
//! behind, each with a threshold that a fair sample crosses with a probability bounded here in
//! code (a union bound over every event; [`false_failure_bound`]), below 10⁻⁹ in total for
//! [`SAMPLE`] tokens of each kind:
//!
//! - **repeats**: no run of [`WINDOW`] hex digits occurs twice anywhere in the sample (two
//!   tokens, or two places in one token): a repeated token, a shared prefix or suffix, a fixed
//!   part, a token built by repeating a shorter random string;
//! - **digits**: each kind's 16 digit totals are within two-sided Chernoff bounds;
//! - **positions**: at each of the 64 positions, each digit's count over the kind's tokens is
//!   within its bounds (a fixed digit, the slowly moving high digits of a counter or a clock);
//! - **steps**: from each token to the next of its kind, the digit-wise differences (mod 16)
//!   have even counts at every position (a counter in any digit), and no two differences of the
//!   tokens read as 256-bit integers are equal (a counter with any stride);
//! - **pairs**: the same two checks between the tokens of different kinds that one call
//!   returned (an access token that is the session token plus or xor a constant).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// Tokens of each kind the rule draws: 512 session tokens and 512 access tokens.
pub const SAMPLE: usize = 512;

/// Hex digits in a token.
pub const DIGITS: usize = 64;

/// The length of a run of hex digits that must not occur twice in the sample.
pub const WINDOW: usize = 16;

/// The false-failure probability each one-sided count bound allows a fair generator.
pub const COUNT_BUDGET: f64 = 5e-14;

/// What the judged sample must keep a fair generator's false failures below, in total.
pub const FALSE_FAILURE_LIMIT: f64 = 1e-9;

/// The chance a fair generator gives one hex digit value.
const P: f64 = 1.0 / 16.0;

/// The tokens of one kind, in the order the adapter issued them.
#[derive(Debug, Clone, Copy)]
pub struct Kind<'a> {
    /// What they are, as failures name them: `session token`, `access token`.
    pub name: &'static str,
    /// The tokens, each 64 lowercase hex digits.
    pub tokens: &'a [String],
}

/// The counts a fair generator keeps within, for one count over `trials` draws of a digit
/// value of chance 1/16: below `min` or above `max` each has a chance at most
/// [`COUNT_BUDGET`] (Chernoff: `P(X ≥ k) ≤ exp(−n·D(k/n ‖ p))` above the mean, and the same
/// below it, `D` the Bernoulli relative entropy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// The fewest a fair generator is allowed (0: no lower check).
    pub min: usize,
    /// The most a fair generator is allowed.
    pub max: usize,
}

impl Bounds {
    /// The bounds for a count over `trials` draws.
    pub fn for_trials(trials: usize) -> Bounds {
        let mean = trials as f64 * P;
        let mut above = mean.ceil() as usize;
        while chernoff(trials, above) > COUNT_BUDGET {
            above += 1;
        }
        let mut below = mean.floor() as usize;
        let min = loop {
            if chernoff(trials, below) <= COUNT_BUDGET {
                break below + 1;
            }
            match below.checked_sub(1) {
                Some(b) => below = b,
                None => break 0,
            }
        };
        Bounds {
            min,
            max: above - 1,
        }
    }

    /// The sum of the Chernoff bounds of the two failing sides: at most 2 × [`COUNT_BUDGET`].
    fn false_failure(self, trials: usize) -> f64 {
        let low = match self.min {
            0 => 0.0,
            m => chernoff(trials, m - 1),
        };
        low + chernoff(trials, self.max + 1)
    }

    fn holds(self, count: usize) -> bool {
        (self.min..=self.max).contains(&count)
    }
}

/// Chernoff's bound on the chance that a count over `trials` draws of chance 1/16 is `k` or
/// further from the mean (on `k`'s side).
fn chernoff(trials: usize, k: usize) -> f64 {
    let n = trials as f64;
    (-n * relative_entropy(k as f64 / n, P)).exp()
}

/// `D(q ‖ p)` of two Bernoulli distributions, in nats.
fn relative_entropy(q: f64, p: f64) -> f64 {
    let term = |a: f64, b: f64| if a > 0.0 { a * (a / b).ln() } else { 0.0 };
    term(q, p) + term(1.0 - q, 1.0 - p)
}

/// The chance that a fair generator fails [`judge`] with `per_kind` tokens of each of `kinds`
/// kinds, by the union bound over every event the checks test.
pub fn false_failure_bound(kinds: usize, per_kind: usize) -> f64 {
    let k = kinds as f64;
    // Repeats: every pair of windows of the pooled sample agrees with chance 16^-WINDOW
    // (overlapping windows of one token too: a shift by s < WINDOW fixes WINDOW digits).
    let windows = k * per_kind as f64 * (DIGITS - WINDOW + 1) as f64;
    let repeats = windows * (windows - 1.0) / 2.0 * 16f64.powi(-(WINDOW as i32));
    // Counts, per kind: 16 digit totals, 64 × 16 per position, 64 × 16 per position's step;
    // per pair of kinds, 64 × 16 per position's difference.
    let per_position =
        |trials: usize| (DIGITS * 16) as f64 * Bounds::for_trials(trials).false_failure(trials);
    let totals = 16.0 * Bounds::for_trials(DIGITS * per_kind).false_failure(DIGITS * per_kind);
    let gaps = per_kind.saturating_sub(1);
    // Integer differences: two of `m` agree with chance 2^-256 (see `Differences`).
    let agree = |m: usize| m as f64 * (m as f64 - 1.0) / 2.0 * 2f64.powi(-256);
    let one_kind = totals + per_position(per_kind) + per_position(gaps) + agree(gaps);
    let pairs = k * (k - 1.0) / 2.0;
    repeats + k * one_kind + pairs * (per_position(per_kind) + agree(per_kind))
}

/// What in `kinds` a fair generator would not show, one line per finding; empty when the
/// sample looks fair. Every token must be 64 lowercase hex digits, and the `i`th token of every
/// kind must come from the same call.
pub fn judge(kinds: &[Kind<'_>]) -> Vec<String> {
    let mut problems = Vec::new();
    problems.extend(repeated_window(kinds));
    for kind in kinds {
        problems.extend(uneven_digits(kind));
        problems.extend(uneven_positions(kind));
        let n = kind.tokens.len().saturating_sub(1);
        let steps = Differences {
            what: format!("from each {} to the next", kind.name),
            from: &kind.tokens[..n],
            to: &kind.tokens[kind.tokens.len() - n..],
        };
        problems.extend(steps.uneven_digits());
        problems.extend(steps.repeated());
    }
    for (i, first) in kinds.iter().enumerate() {
        for second in &kinds[i + 1..] {
            let n = first.tokens.len().min(second.tokens.len());
            let pairs = Differences {
                what: format!("from each call's {} to its {}", first.name, second.name),
                from: &first.tokens[..n],
                to: &second.tokens[..n],
            };
            problems.extend(pairs.uneven_digits());
            problems.extend(pairs.repeated());
        }
    }
    problems
}

/// Where a window of the sample is, for the failure message.
#[derive(Debug, Clone, Copy)]
struct At {
    kind: &'static str,
    token: usize,
    offset: usize,
}

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} #{} at digit {}",
            self.kind,
            self.token + 1,
            self.offset
        )
    }
}

fn repeated_window(kinds: &[Kind<'_>]) -> Option<String> {
    let mut seen: HashMap<&str, At> = HashMap::new();
    for kind in kinds {
        for (token, t) in kind.tokens.iter().enumerate() {
            for offset in 0..=t.len().saturating_sub(WINDOW) {
                let here = At {
                    kind: kind.name,
                    token,
                    offset,
                };
                match seen.entry(&t[offset..offset + WINDOW]) {
                    Entry::Occupied(first) => {
                        return Some(format!(
                            "the {WINDOW} hex digits {:?} occur twice: {} and {here}",
                            first.key(),
                            first.get()
                        ));
                    }
                    Entry::Vacant(v) => {
                        v.insert(here);
                    }
                }
            }
        }
    }
    None
}

/// The value of a lowercase hex digit (0 for anything else; tokens are checked for shape
/// before they are judged).
fn nibble(b: u8) -> usize {
    match b {
        b'0'..=b'9' => usize::from(b - b'0'),
        b'a'..=b'f' => usize::from(b - b'a' + 10),
        _ => 0,
    }
}

fn digit_char(d: usize) -> char {
    char::from_digit(d as u32, 16).unwrap_or('?')
}

/// The first count outside `bounds`, described.
fn first_outside(counts: &[usize; 16], bounds: Bounds) -> Option<String> {
    let (digit, count) = counts
        .iter()
        .enumerate()
        .find(|(_, c)| !bounds.holds(**c))?;
    Some(format!(
        "'{}' {count} times (a fair generator: {} to {})",
        digit_char(digit),
        bounds.min,
        bounds.max
    ))
}

fn uneven_digits(kind: &Kind<'_>) -> Option<String> {
    let mut counts = [0usize; 16];
    for t in kind.tokens {
        for b in t.bytes() {
            counts[nibble(b)] += 1;
        }
    }
    let trials = counts.iter().sum();
    first_outside(&counts, Bounds::for_trials(trials))
        .map(|what| format!("{}s: of their {trials} hex digits, {what}", kind.name))
}

/// Per position, the counts of `digit(i, position)` over `i`.
fn per_position(
    positions: usize,
    items: usize,
    digit: impl Fn(usize, usize) -> usize,
) -> Vec<[usize; 16]> {
    (0..positions)
        .map(|p| {
            let mut counts = [0usize; 16];
            for i in 0..items {
                counts[digit(i, p)] += 1;
            }
            counts
        })
        .collect()
}

/// The first position whose counts leave the bounds of `items` draws, described.
fn first_uneven_position(counts: &[[usize; 16]], items: usize) -> Option<(usize, String)> {
    let bounds = Bounds::for_trials(items);
    counts
        .iter()
        .enumerate()
        .find_map(|(p, c)| first_outside(c, bounds).map(|what| (p, what)))
}

fn digits_of(tokens: &[String]) -> Vec<Vec<usize>> {
    tokens
        .iter()
        .map(|t| t.bytes().map(nibble).collect())
        .collect()
}

fn uneven_positions(kind: &Kind<'_>) -> Option<String> {
    let digits = digits_of(kind.tokens);
    let width = digits.iter().map(Vec::len).min().unwrap_or(0);
    let counts = per_position(width, digits.len(), |i, p| digits[i][p]);
    let (position, what) = first_uneven_position(&counts, digits.len())?;
    Some(format!(
        "{}s: at digit {position}, {what} among {} tokens",
        kind.name,
        digits.len()
    ))
}

/// Token `to[i]` minus token `from[i]`, for every `i`: digit by digit (mod 16) and as 256-bit
/// integers (mod 2^256).
///
/// For a fair generator both kinds of difference are uniform and independent across `i`
/// whenever every `to[i]` is a token drawn after, and apart from, everything before it: the
/// next token of a kind (given the first token, the steps determine the rest one to one) or
/// the other token of one call. So each position's digit counts are binomial over `from.len()`
/// draws, and two integer differences agree with chance 2^-256.
struct Differences<'a> {
    what: String,
    from: &'a [String],
    to: &'a [String],
}

impl Differences<'_> {
    fn uneven_digits(&self) -> Option<String> {
        let from = digits_of(self.from);
        let to = digits_of(self.to);
        let width = from.iter().chain(&to).map(Vec::len).min().unwrap_or(0);
        let counts = per_position(width, from.len(), |i, p| (to[i][p] + 16 - from[i][p]) % 16);
        let (position, what) = first_uneven_position(&counts, from.len())?;
        Some(format!(
            "{}, the difference at digit {position} (mod 16) is {what} among {} differences",
            self.what,
            from.len()
        ))
    }

    fn repeated(&self) -> Option<String> {
        let mut seen: HashMap<[u8; 32], usize> = HashMap::new();
        for (i, (from, to)) in self.from.iter().zip(self.to).enumerate() {
            let d = difference(&integer(to), &integer(from));
            if let Some(first) = seen.insert(d, i) {
                return Some(format!(
                    "{}, read as 256-bit integers, the difference is the same twice (numbers {} and {}): {}",
                    self.what,
                    first + 1,
                    i + 1,
                    hex(&d).trim_start_matches('0')
                ));
            }
        }
        None
    }
}

/// A 64-hex token as a 256-bit big-endian integer.
fn integer(token: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, pair) in token.as_bytes().chunks(2).take(32).enumerate() {
        let hi = pair.first().copied().map_or(0, nibble);
        let lo = pair.get(1).copied().map_or(0, nibble);
        out[i] = (hi * 16 + lo) as u8;
    }
    out
}

/// `a − b` mod 2^256.
fn difference(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        out[i] = d as u8;
    }
    out
}

fn hex(bytes: &[u8; 32]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fair(n: usize) -> Vec<String> {
        (0..n)
            .map(|_| nextauth_adapter::formulas::random_token())
            .collect()
    }

    fn judged(tokens: &[String]) -> Vec<String> {
        judge(&[Kind {
            name: "session token",
            tokens,
        }])
    }

    #[test]
    fn the_thresholds_are_the_specifications() {
        // docs/specification.md H12 quotes these for 512 tokens of each kind.
        assert_eq!(
            Bounds::for_trials(DIGITS * SAMPLE),
            Bounds {
                min: 1715,
                max: 2399
            }
        );
        assert_eq!(Bounds::for_trials(SAMPLE), Bounds { min: 1, max: 82 });
        assert_eq!(Bounds::for_trials(SAMPLE - 1), Bounds { min: 1, max: 82 });
        // The specification's total: 2.8 × 10⁻¹⁰.
        let bound = false_failure_bound(2, SAMPLE);
        assert!(bound < FALSE_FAILURE_LIMIT, "{bound:e}");
        assert!((2.75e-10..2.8e-10).contains(&bound), "{bound:e}");
    }

    /// `ln P(X ≥ k)` (or `≤ k`, `upper` false) for X ~ Bin(n, 1/16), summed exactly in log space.
    fn exact_log_tail(n: usize, k: usize, upper: bool) -> f64 {
        let mut log_pmf = Vec::with_capacity(n + 1);
        let mut cur = n as f64 * (1.0 - P).ln();
        log_pmf.push(cur);
        for i in 0..n {
            cur += ((n - i) as f64 / (i + 1) as f64).ln() + (P / (1.0 - P)).ln();
            log_pmf.push(cur);
        }
        let tail = if upper { &log_pmf[k..] } else { &log_pmf[..=k] };
        let top = tail.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        top + tail.iter().map(|l| (l - top).exp()).sum::<f64>().ln()
    }

    #[test]
    fn chernoff_bounds_the_exact_binomial_tails() {
        for trials in [SAMPLE - 1, SAMPLE, DIGITS * SAMPLE, 255, 256] {
            let b = Bounds::for_trials(trials);
            assert!(exact_log_tail(trials, b.max + 1, true) <= COUNT_BUDGET.ln());
            if b.min > 0 {
                assert!(exact_log_tail(trials, b.min - 1, false) <= COUNT_BUDGET.ln());
            }
        }
    }

    #[test]
    fn fair_samples_pass() {
        for _ in 0..20 {
            let (s, a) = (fair(SAMPLE), fair(SAMPLE));
            let problems = judge(&[
                Kind {
                    name: "session token",
                    tokens: &s,
                },
                Kind {
                    name: "access token",
                    tokens: &a,
                },
            ]);
            assert!(problems.is_empty(), "{problems:?}");
        }
    }

    #[test]
    fn a_counter_fails_every_check_it_touches() {
        let start = integer(&nextauth_adapter::formulas::random_token());
        let minus_one = integer(&"f".repeat(64));
        let tokens: Vec<String> = (0..SAMPLE)
            .scan(start, |v, _| {
                let t = hex(v);
                *v = difference(v, &minus_one);
                Some(t)
            })
            .collect();
        let problems = judged(&tokens);
        assert!(
            problems.iter().any(|p| p.contains("occur twice")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("same twice")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("(mod 16)")),
            "{problems:?}"
        );
    }

    #[test]
    fn structure_without_repeats_is_caught() {
        // Decimal digits only: every token distinct, no shared runs, but no a–f.
        let decimal: Vec<String> = (0..SAMPLE)
            .map(|_| {
                nextauth_adapter::formulas::random_token()
                    .bytes()
                    .map(|b| char::from(b'0' + (nibble(b) % 10) as u8))
                    .collect()
            })
            .collect();
        let problems = judged(&decimal);
        assert!(
            problems.iter().any(|p| p.contains("hex digits, '")),
            "{problems:?}"
        );
        // One fixed digit (a UUID's version nibble).
        let fixed: Vec<String> = fair(SAMPLE)
            .into_iter()
            .map(|t| format!("{}4{}", &t[..12], &t[13..]))
            .collect();
        let problems = judged(&fixed);
        assert!(
            problems.iter().any(|p| p.contains("at digit 12")),
            "{problems:?}"
        );
        // An 8-byte random value written four times.
        let repeated: Vec<String> = fair(SAMPLE)
            .into_iter()
            .map(|t| t[..16].repeat(4))
            .collect();
        assert!(judged(&repeated).iter().any(|p| p.contains("occur twice")));
    }

    #[test]
    fn an_access_token_derived_from_the_session_token_is_caught() {
        let session = fair(SAMPLE);
        for derive in [
            |t: &str| hex(&difference(&integer(t), &integer(&"f".repeat(64)))),
            |t: &str| t.bytes().map(|b| digit_char(nibble(b) ^ 5)).collect(),
        ] {
            let access: Vec<String> = session.iter().map(|t| derive(t)).collect();
            let problems = judge(&[
                Kind {
                    name: "session token",
                    tokens: &session,
                },
                Kind {
                    name: "access token",
                    tokens: &access,
                },
            ]);
            assert!(
                problems.iter().any(|p| p.contains("its access token")),
                "{problems:?}"
            );
        }
    }

    #[test]
    fn differences_wrap_around() {
        let one = integer(&format!("{:064x}", 1));
        let zero = integer(&"0".repeat(64));
        assert_eq!(hex(&difference(&zero, &one)), "f".repeat(64));
        assert_eq!(difference(&one, &zero), one);
    }
}
