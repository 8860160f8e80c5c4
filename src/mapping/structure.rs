//! Local code structures: splitting a centre's budget code into segments.

use crate::source::Span;

#[derive(Debug)]
pub struct Structure {
    pub name: String,
    pub label: String,
    pub pieces: Vec<Piece>,
    /// Segment names, in order; a segment's index is its position here.
    pub segments: Vec<String>,
    pub span: Span,
}

#[derive(Debug)]
pub enum Piece {
    Segment { index: usize, width: usize },
    Literal(String),
    Optional(Vec<Piece>),
}

impl Structure {
    pub fn segment_index(&self, name: &str) -> Option<usize> {
        self.segments.iter().position(|segment| segment == name)
    }

    /// Splits a code into its segment values (`None` for an absent optional
    /// segment), or `None` when the code does not fit the structure.
    pub fn split<'c>(&self, code: &'c str) -> Option<Vec<Option<&'c str>>> {
        let mut values = vec![None; self.segments.len()];
        let rest = split_pieces(&self.pieces, code, &mut values)?;
        rest.is_empty().then_some(values)
    }

    /// A human description such as `UUU-F-AAAAA-OOO`.
    pub fn shape(&self) -> String {
        describe(&self.pieces, &self.segments)
    }
}

fn split_pieces<'c>(
    pieces: &[Piece],
    mut code: &'c str,
    values: &mut [Option<&'c str>],
) -> Option<&'c str> {
    for piece in pieces {
        match piece {
            Piece::Segment { index, width } => {
                let end = code
                    .char_indices()
                    .nth(*width)
                    .map_or(code.len(), |(i, _)| i);
                let value = &code[..end];
                if value.chars().count() != *width
                    || !value.chars().all(|c| c.is_ascii_alphanumeric())
                {
                    return None;
                }
                values[*index] = Some(value);
                code = &code[end..];
            }
            Piece::Literal(text) => code = code.strip_prefix(text.as_str())?,
            Piece::Optional(inner) => {
                let mut trial = values.to_vec();
                if let Some(rest) = split_pieces(inner, code, &mut trial) {
                    values.copy_from_slice(&trial);
                    code = rest;
                }
            }
        }
    }
    Some(code)
}

fn describe(pieces: &[Piece], segments: &[String]) -> String {
    pieces
        .iter()
        .map(|piece| match piece {
            Piece::Segment { index, width } => {
                let letter = segments[*index]
                    .chars()
                    .next()
                    .map_or('X', |c| c.to_ascii_uppercase());
                letter.to_string().repeat(*width)
            }
            Piece::Literal(text) => text.clone(),
            Piece::Optional(inner) => format!("[{}]", describe(inner, segments)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn structure_b() -> Structure {
        let seg = |index, width| Piece::Segment { index, width };
        let lit = |text: &str| Piece::Literal(text.to_string());
        Structure {
            name: "b".into(),
            label: String::new(),
            pieces: vec![
                seg(0, 1),
                lit("."),
                seg(1, 4),
                lit("."),
                seg(2, 4),
                lit("."),
                seg(3, 3),
                Piece::Optional(vec![lit("-"), seg(4, 5)]),
            ],
            segments: ["fund", "activity", "object", "unit", "mesure"]
                .map(String::from)
                .to_vec(),
            span: Span::new(crate::source::FileId(0), 0, 0),
        }
    }

    #[test]
    fn optional_tail() {
        let b = structure_b();
        let full = b.split("1.1100.0410.052-30811").unwrap_or_default();
        assert_eq!(full.get(4), Some(&Some("30811")));
        let short = b.split("1.1100.0410.052").unwrap_or_default();
        assert_eq!(short.get(4), Some(&None));
        assert!(b.split("1.1100.0410.052-308").is_none());
        assert!(b.split("1.110.0410.052").is_none());
        assert_eq!(b.shape(), "F.AAAA.OOOO.UUU[-MMMMM]");
    }
}
