//! Structures: the segments and literal pieces a local code is made of
//! (`unit:3 "-" fund:1`).

use crate::check::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::mapping::structure::{Piece, Structure};
use crate::syntax::ast;

/// A segment is at most this many characters wide.
const WIDEST_SEGMENT: u32 = 64;

impl Checker {
    pub(super) fn structure(&mut self, structure: &ast::Structure) -> Structure {
        let mut segments = Vec::new();
        let pieces = self.pieces(&structure.pieces, &mut segments);
        if segments.is_empty() {
            self.error(
                Diagnostic::error(
                    Code::BadMatcher,
                    format!("structure `{}` has no segment", structure.name.text),
                )
                .at(structure.name.span, "declared here")
                .help("name the segments of the code, e.g. `unit:3 \"-\" fund:1`"),
            );
        }
        Structure {
            name: structure.name.text.clone(),
            label: structure.label.value.clone(),
            pieces,
            segments,
            span: structure.name.span,
        }
    }

    /// The pieces of a structure, optional ones nested; `segments` gathers
    /// the names of the segments in order, for the whole structure.
    fn pieces(&mut self, pieces: &[ast::Piece], segments: &mut Vec<String>) -> Vec<Piece> {
        let mut lowered = Vec::new();
        for piece in pieces {
            match piece {
                ast::Piece::Segment { name, width } => {
                    self.segment(name, *width, segments);
                    lowered.push(Piece::Segment {
                        index: segments.len() - 1,
                        width: width.value as usize,
                    });
                }
                ast::Piece::Literal(text) => lowered.push(Piece::Literal(text.value.clone())),
                ast::Piece::Optional(inner, _) => {
                    lowered.push(Piece::Optional(self.pieces(inner, segments)));
                }
            }
        }
        lowered
    }

    /// Adds a segment's name to `segments`, reporting a second segment of
    /// one name and a width out of range.
    fn segment(&mut self, name: &ast::Name, width: ast::Spanned<u32>, segments: &mut Vec<String>) {
        if segments.contains(&name.text) {
            self.error(
                Diagnostic::error(
                    Code::DuplicateName,
                    format!("segment `{}` appears twice", name.text),
                )
                .at(name.span, "again here"),
            );
        }
        if width.value == 0 || width.value > WIDEST_SEGMENT {
            self.error(
                Diagnostic::error(Code::BadMatcher, "a segment is 1 to 64 characters wide")
                    .at(width.span, "width out of range"),
            );
        }
        segments.push(name.text.clone());
    }
}
