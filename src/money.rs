//! Money: an exact decimal amount with checked arithmetic only.
//!
//! `rust_decimal` operators panic on overflow and its `from_str` rounds
//! silently; this newtype exposes neither. Every operation that can fail
//! returns `None`, and callers turn that into a located diagnostic.

// The raw decimal lives here and nowhere else (clippy.toml disallows it elsewhere).
#![allow(clippy::disallowed_types)]

use rust_decimal::Decimal;
use std::fmt;

/// An exact amount of dollars. Debit-positive in ledgers and in the cube.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(Decimal);

/// The most significant digits an amount can carry.
pub const MAX_DIGITS: usize = 28;

impl Amount {
    pub const ZERO: Amount = Amount(Decimal::ZERO);

    fn from_decimal(value: Decimal) -> Amount {
        Amount(value.normalize())
    }

    /// The number of decimals the amount carries as computed (`1.50` has 2).
    pub fn scale(self) -> u32 {
        self.0.scale()
    }

    /// The number of decimals the value needs (`1.50` needs 1).
    pub fn significant_scale(self) -> u32 {
        self.0.normalize().scale()
    }

    /// Whether the amount is a whole number of dollars (or units).
    pub fn is_integer(self) -> bool {
        self.0.fract().is_zero()
    }

    /// The amount with exactly `decimals` decimals and a point (`1234.50`),
    /// for presentation of an amount already rounded to that many.
    pub fn fixed(self, decimals: u32) -> String {
        format!("{:.*}", decimals as usize, self.0)
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    pub fn abs(self) -> Amount {
        Amount(self.0.abs())
    }

    /// Exact sum, or `None` when it does not fit (`rust_decimal` would
    /// silently round a sum that needs more than 28 significant digits).
    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        let scale = self.0.scale().max(other.0.scale());
        let left = widen(self.0, scale)?;
        let right = widen(other.0, scale)?;
        exact(left.checked_add(right)?, scale)
    }

    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        self.checked_add(other.negated())
    }

    /// Exact product, or `None` when it does not fit. Powers of ten are
    /// taken out of both mantissas first, so `0.1…01 × 10^19` fits.
    pub fn checked_mul(self, other: Amount) -> Option<Amount> {
        let (left, left_tens) = strip_tens(self.0.mantissa());
        let (right, right_tens) = strip_tens(other.0.mantissa());
        let product = left.checked_mul(right)?;
        let exponent =
            i64::from(left_tens + right_tens) - i64::from(self.0.scale() + other.0.scale());
        if exponent >= 0 {
            let factor = 10i128.checked_pow(u32::try_from(exponent).ok()?)?;
            exact(product.checked_mul(factor)?, 0)
        } else {
            exact(product, u32::try_from(-exponent).ok()?)
        }
    }

    /// `None` on overflow or division by zero. A quotient that does not end
    /// (1/3) is carried to 28 significant digits: the only inexact operation.
    pub fn checked_div(self, other: Amount) -> Option<Amount> {
        self.0.checked_div(other.0).map(Amount)
    }

    /// The amount `mantissa × 10^-scale`, exactly; `None` when it needs more
    /// than 28 significant digits. Integer sums come back through here.
    pub fn from_scaled(mantissa: i128, scale: u32) -> Option<Amount> {
        exact(mantissa, scale)
    }

    /// The amount as an integer number of `10^-scale`; `None` when it has
    /// more decimals than `scale` or does not fit.
    pub fn scaled(self, scale: u32) -> Option<i128> {
        widen(self.0, scale)
    }

    /// Negation cannot overflow: the decimal range is symmetric.
    pub fn negated(self) -> Amount {
        Amount(-self.0)
    }

    /// Rounds to a multiple of `unit` (a positive amount such as 1 or 0.01),
    /// exactly: the quotient and remainder are computed on integers, so the
    /// value is never rounded twice. `None` only where the scaled integers
    /// exceed 128 bits, far beyond any amount of money.
    pub fn round_to(self, unit: Amount, method: RoundingMethod) -> Option<Amount> {
        let scale = self.0.scale().max(unit.0.scale());
        let value = widen(self.0, scale)?;
        let step = widen(unit.0, scale)?;
        if step <= 0 {
            return None;
        }
        let quotient = value / step;
        let remainder = value % step;
        let twice = remainder.checked_abs()?.checked_mul(2)?;
        let away = match twice.cmp(&step) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Less => false,
            std::cmp::Ordering::Equal => match method {
                RoundingMethod::HalfUp => true,
                RoundingMethod::HalfEven => quotient % 2 != 0,
            },
        };
        let rounded = if away {
            quotient + value.signum()
        } else {
            quotient
        };
        exact(rounded.checked_mul(step)?, scale)
    }

    /// Parses a plain decimal: optional `-`, ASCII digits, optional `.` and
    /// digits. At most [`MAX_DIGITS`] significant digits; nothing is rounded.
    pub fn parse_plain(text: &str) -> Option<Amount> {
        let digits = text.strip_prefix('-').unwrap_or(text);
        let (whole, fraction) = match digits.split_once('.') {
            Some((whole, fraction)) => (whole, fraction),
            None => (digits, ""),
        };
        let well_formed = !whole.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && (digits.len() == whole.len() || !fraction.is_empty())
            && fraction.bytes().all(|b| b.is_ascii_digit());
        if !well_formed {
            return None;
        }
        let significant = whole.trim_start_matches('0').len() + fraction.len();
        if significant > MAX_DIGITS || fraction.len() > MAX_DIGITS {
            return None;
        }
        Decimal::from_str_exact(text).ok().map(Amount::from_decimal)
    }
}

/// A mantissa without its trailing zeros, and how many there were.
fn strip_tens(mut mantissa: i128) -> (i128, u32) {
    let mut tens = 0;
    while mantissa != 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        tens += 1;
    }
    (mantissa, tens)
}

/// The mantissa of `value` at a larger `scale`.
fn widen(value: Decimal, scale: u32) -> Option<i128> {
    let factor = 10i128.checked_pow(scale.checked_sub(value.scale())?)?;
    value.mantissa().checked_mul(factor)
}

/// `mantissa × 10^-scale` as an amount, dropping only trailing zeros; `None`
/// when it cannot be held exactly (more than 28 digits or scale above 28).
fn exact(mut mantissa: i128, mut scale: u32) -> Option<Amount> {
    const LIMIT: i128 = (1i128 << 96) - 1;
    while scale > 0 && (mantissa.abs() > LIMIT || scale > 28) && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    if mantissa.abs() > LIMIT || scale > 28 {
        return None;
    }
    Some(Amount::from_decimal(Decimal::from_i128_with_scale(
        mantissa, scale,
    )))
}

/// An amount as a whole number of millionths of a dollar: the money of the
/// fast path. Every amount a ledger cell may hold (six decimals at most) is
/// exact at this scale, and summing is an integer addition, checked like
/// every other operation on money.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Millionths(i128);

impl Millionths {
    /// The decimals of a millionth.
    pub const SCALE: u32 = 6;
    pub const ZERO: Millionths = Millionths(0);

    /// `count` millionths of a dollar.
    #[inline]
    pub const fn new(count: i128) -> Millionths {
        Millionths(count)
    }

    /// The number of millionths.
    #[inline]
    pub const fn count(self) -> i128 {
        self.0
    }

    /// The amount in millionths; `None` when it has more than six decimals
    /// or does not fit.
    pub fn from_amount(amount: Amount) -> Option<Millionths> {
        amount.scaled(Millionths::SCALE).map(Millionths)
    }

    /// The exact amount; `None` beyond 28 significant digits.
    pub fn to_amount(self) -> Option<Amount> {
        Amount::from_scaled(self.0, Millionths::SCALE)
    }

    #[inline]
    pub fn checked_add(self, other: Millionths) -> Option<Millionths> {
        self.0.checked_add(other.0).map(Millionths)
    }

    #[inline]
    pub fn checked_sub(self, other: Millionths) -> Option<Millionths> {
        self.0.checked_sub(other.0).map(Millionths)
    }

    #[inline]
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    #[inline]
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// The debit side of a signed amount: itself when positive, else zero.
    #[inline]
    pub fn debit(self) -> Millionths {
        Millionths(self.0.max(0))
    }

    /// The credit side of a signed amount, as a positive amount.
    #[inline]
    pub fn credit(self) -> Millionths {
        Millionths(self.0.saturating_neg().max(0))
    }

    /// The count in 64 bits (up to 9 trillion dollars), for compact tables.
    #[inline]
    pub fn to_i64(self) -> Option<i64> {
        i64::try_from(self.0).ok()
    }
}

impl From<i64> for Millionths {
    #[inline]
    fn from(count: i64) -> Millionths {
        Millionths(i128::from(count))
    }
}

/// How a presentation amount is rounded.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum RoundingMethod {
    /// Banker's rounding: 0.5 goes to the even neighbour.
    #[default]
    HalfEven,
    /// 0.5 goes away from zero.
    HalfUp,
}

impl RoundingMethod {
    /// Its name in the language: `half_even`, `half_up`.
    pub fn as_str(self) -> &'static str {
        match self {
            RoundingMethod::HalfEven => "half_even",
            RoundingMethod::HalfUp => "half_up",
        }
    }
}

impl fmt::Display for Amount {
    /// The exact value as a plain decimal string, never `-0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_zero() {
            return f.write_str("0");
        }
        write!(f, "{}", self.0.normalize())
    }
}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Sums amounts, `None` on overflow.
pub fn checked_sum(amounts: impl IntoIterator<Item = Amount>) -> Option<Amount> {
    amounts
        .into_iter()
        .try_fold(Amount::ZERO, |total, amount| total.checked_add(amount))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(text: &str) -> Amount {
        Amount::parse_plain(text).unwrap_or_default()
    }

    #[test]
    fn parse_plain_is_strict() {
        assert_eq!(amount("-1234.50").to_string(), "-1234.5");
        for bad in ["", "-", "1.", ".5", "+1", "1_000", "1e3", "1 000", "١٢"] {
            assert!(Amount::parse_plain(bad).is_none(), "{bad}");
        }
        assert!(Amount::parse_plain(&"9".repeat(29)).is_none());
        assert!(Amount::parse_plain(&"9".repeat(28)).is_some());
    }

    #[test]
    fn twenty_nine_digits_are_refused_even_when_they_would_fit() {
        // 1.1 × 10^28 fits in 96 bits, but has 29 significant digits.
        assert!(Amount::parse_plain(&"1".repeat(29)).is_none());
        assert!(Amount::parse_plain(&format!("0.{}", "1".repeat(29))).is_none());
    }

    #[test]
    fn scales_and_whole_numbers() {
        assert_eq!(amount("1.25").scale(), 2);
        assert_eq!(amount("1.250").significant_scale(), 2);
        assert_eq!(amount("12").scale(), 0);
        assert_eq!(amount("0.001").significant_scale(), 3);
        assert!(amount("12").is_integer());
        assert!(!amount("12.5").is_integer());
        assert_eq!(format!("{:?}", amount("-3.5")), "-3.5");
    }

    #[test]
    fn products_and_quotients_keep_their_powers_of_ten() {
        let product = |a: &str, b: &str| amount(a).checked_mul(amount(b)).map(|p| p.to_string());
        assert_eq!(product("1.5", "200"), Some("300".to_string()));
        assert_eq!(product("0.25", "0.4"), Some("0.1".to_string()));
        assert_eq!(product("1000", "1000"), Some("1000000".to_string()));
        assert_eq!(product("120", "0.05"), Some("6".to_string()));
        let quotient = amount("1").checked_div(amount("4")).map(|q| q.to_string());
        assert_eq!(quotient, Some("0.25".to_string()));
        assert_eq!(amount("1").checked_div(Amount::ZERO), None);
    }

    #[test]
    fn trailing_zeros_are_counted_and_dropped_only_when_needed() {
        assert_eq!(strip_tens(1200), (12, 2));
        assert_eq!(strip_tens(-50), (-5, 1));
        assert_eq!(strip_tens(7), (7, 0));
        assert_eq!(strip_tens(0), (0, 0));
        let limit = (1i128 << 96) - 1;
        let shown = |mantissa: i128, scale: u32| exact(mantissa, scale).map(|a| a.to_string());
        // Over 96 bits, a trailing zero is dropped to fit; without one, no.
        assert_eq!(shown(limit * 10, 1), Some(limit.to_string()));
        assert_eq!(shown(-limit * 100, 2), Some((-limit).to_string()));
        assert_eq!(shown(limit * 10 + 1, 1), None);
        assert_eq!(shown(limit, 0), Some(limit.to_string()));
        assert_eq!(shown(limit + 1, 0), None);
        // A whole number has no decimals to drop.
        assert_eq!(shown(limit * 10, 0), None);
        // Past 28 decimals likewise.
        assert_eq!(shown(50, 29), Some(format!("0.{}5", "0".repeat(27))));
        assert_eq!(shown(5, 29), None);
        assert_eq!(shown(120, 2), Some("1.2".to_string()));
    }

    #[test]
    fn millionths_count_exactly() {
        let half = Millionths::from_amount(amount("1.5")).unwrap_or_default();
        assert_eq!(half.to_i64(), Some(1_500_000));
        assert!(!half.is_zero());
        assert!(Millionths::from(0).is_zero());
        assert!(!half.is_negative());
        assert!(!Millionths::from(0).is_negative());
        assert!(Millionths::from(-1).is_negative());
        assert_eq!(half.checked_sub(half), Some(Millionths::from(0)));
        assert_eq!(
            Millionths::from(2_000_000)
                .to_amount()
                .map(|a| a.to_string()),
            Some("2".to_string())
        );
        assert_eq!(Millionths::from(3).to_i64(), Some(3));
    }

    #[test]
    fn overflow_is_none_not_a_panic() {
        let big = amount(&"9".repeat(28));
        assert!(big.checked_mul(big).is_none());
        let seven_times = big.checked_mul(amount("7"));
        assert!(seven_times.is_some());
        assert!(seven_times.and_then(|a| a.checked_add(big)).is_none());
        assert!(big.checked_div(Amount::ZERO).is_none());
    }

    #[test]
    fn sums_are_exact_or_refused() {
        let big = amount("9999999999999999999999999998");
        let half = amount("0.5");
        assert_eq!(
            big.checked_add(half),
            None,
            "29 significant digits cannot be held"
        );
        assert_eq!(
            amount("0.1").checked_add(amount("0.2")),
            Some(amount("0.3"))
        );
        assert_eq!(
            amount("-1.25").checked_sub(amount("0.75")),
            Some(amount("-2"))
        );
        assert_eq!(amount("1.5").checked_mul(amount("2")), Some(amount("3")));
        assert_eq!(
            amount("0.0000000000000000000000000001").checked_mul(amount("0.1")),
            None
        );
    }

    #[test]
    fn millionths_are_exact_and_checked() {
        let cents = Millionths::from_amount(amount("-12.34")).unwrap_or_default();
        assert_eq!(cents, Millionths::new(-12_340_000));
        assert_eq!(cents.to_amount(), Some(amount("-12.34")));
        assert_eq!(Millionths::from_amount(amount("0.0000001")), None);
        assert_eq!(
            (cents.debit(), cents.credit()),
            (Millionths::ZERO, Millionths::new(12_340_000))
        );
        assert_eq!(
            Millionths::new(i128::MAX).checked_add(Millionths::new(1)),
            None
        );
        assert_eq!(Millionths::new(i128::from(i64::MAX) + 1).to_i64(), None);
    }

    #[test]
    fn rounding_methods() {
        let one = amount("1");
        assert_eq!(
            amount("2.5").round_to(one, RoundingMethod::HalfEven),
            Some(amount("2"))
        );
        assert_eq!(
            amount("2.5").round_to(one, RoundingMethod::HalfUp),
            Some(amount("3"))
        );
        assert_eq!(
            amount("-2.5").round_to(one, RoundingMethod::HalfUp),
            Some(amount("-3"))
        );
        assert_eq!(
            amount("-0.4")
                .round_to(one, RoundingMethod::HalfUp)
                .map(|a| a.to_string()),
            Some("0".to_string())
        );
    }
}
