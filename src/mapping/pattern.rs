//! Wildcard patterns over local codes: `?` is one character, `*` any run.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    text: Vec<char>,
    has_wildcards: bool,
}

impl std::fmt::Display for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.text.iter().try_for_each(|c| write!(f, "{c}"))
    }
}

impl Pattern {
    pub fn new(text: &str) -> Pattern {
        Pattern {
            text: text.chars().collect(),
            has_wildcards: text.contains(['?', '*']),
        }
    }

    pub fn is_exact(&self) -> bool {
        !self.has_wildcards
    }

    /// Characters the pattern fixes (everything but `?` and `*`).
    pub fn literal_count(&self) -> u32 {
        self.text.iter().filter(|c| !matches!(c, '?' | '*')).count() as u32
    }

    pub fn matches(&self, candidate: &str) -> bool {
        if !self.has_wildcards {
            return self.text.iter().copied().eq(candidate.chars());
        }
        let candidate: Vec<char> = candidate.chars().collect();
        glob(&self.text, &candidate)
    }
}

/// Classic wildcard matching with one backtrack point: linear in practice,
/// O(n·m) at worst, never recursive.
fn glob(pattern: &[char], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        let p = Pattern::new("000-1-91???-*");
        assert!(p.matches("000-1-91000-010"));
        assert!(p.matches("000-1-91999-"));
        assert!(!p.matches("000-1-9100-010"));
        assert_eq!(p.literal_count(), 9);
        assert!(Pattern::new("a*b*c").matches("aXXbYc"));
        assert!(!Pattern::new("a*b*c").matches("aXXbY"));
        assert!(Pattern::new("*").matches(""));
        assert!(Pattern::new("é?").matches("éa"));
    }

    /// A `*` that must give back characters it first took: the matcher
    /// returns to the star and tries one character further, as often as
    /// needed, and fails when no split works.
    #[test]
    fn a_star_backtracks() {
        let cases = [
            ("*b", "aab", true),
            ("*ab", "aaab", true),
            ("a*bc", "abcbcbc", true),
            ("a*b?d", "abxbcd", true),
            ("*-1*-9", "000-1-91-9", true),
            ("*b", "aba", false),
            ("a*bc", "abcbcb", false),
            ("*-1*-9", "000-1-91-8", false),
            ("?*?", "a", false),
            ("?*?", "ab", true),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(
                Pattern::new(pattern).matches(text),
                expected,
                "{pattern} on {text}"
            );
        }
    }
}
