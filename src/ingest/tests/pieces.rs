//! Reading an export piece by piece is reading it whole: the same postings,
//! the same summary, the same diagnostics at the same lines, whatever the
//! size of the pieces.

use super::*;
use proptest::prelude::*;

/// What a read gave, as text: the postings, then the summary or the
/// rendered diagnostics.
fn read_in_pieces(bytes: &[u8], pluriel: bool, piece: usize) -> String {
    let mut f = Fixture::new();
    let (dialect, layout) = if pluriel { f.pluriel_b() } else { f.grics_a() };
    let limits = crate::limits::Limits::default();
    let export = Export {
        name: "gl.csv",
        dialect: &dialect,
        layout: &layout,
        limits: &limits,
    };
    let mut postings = Vec::new();
    let mut source = std::io::Cursor::new(bytes);
    let result = read_export_from(&export, &mut source, piece, &mut f.sources, &mut |p| {
        postings.push(format!(
            "{}:{} {} {} {} r={} d={:?}",
            p.line, p.account_column, p.date, p.account, p.amount, p.reference, p.description
        ));
        Ok(())
    });
    let end = match &result {
        Ok(summary) => format!("{summary:?}"),
        Err(errors) => diagnostic::render(&f.sources, errors, false),
    };
    format!("{}\n{end}", postings.join("\n"))
}

const GRICS: &str = "Date,Poste,Montant,Journal,Pièce,Description\n";
const PLURIEL: &str = "Date;Compte;Débit;Crédit;No pièce;Libellé;Type mvt\n";

#[test]
fn a_sample_export_in_pieces_of_every_size() {
    let text = format!(
        "{GRICS}2024-07-01,5100,10.00,J,R1,\"a\nb\"\r\n\r\n2024-07-02,5100,-10.00,J,R1,x\r2024-07-03,5100,1,J,R2,\"q\"\"\"\n2024-07-0x,5100,1,J,R2,bad date\n"
    );
    let whole = read_in_pieces(text.as_bytes(), false, PIECE_BYTES);
    for piece in 1..=text.len() + 1 {
        assert_eq!(
            read_in_pieces(text.as_bytes(), false, piece),
            whole,
            "pieces of {piece} bytes"
        );
    }
}

proptest! {
    #[test]
    fn pieces_read_as_the_whole(
        body in "[0-9a-z,;\"\r\n .\\-/é]{0,160}",
        pluriel in any::<bool>(),
        piece in 1usize..48,
    ) {
        let header = if pluriel { PLURIEL } else { GRICS };
        let mut bytes = header.as_bytes().to_vec();
        bytes.extend_from_slice(body.as_bytes());
        if pluriel {
            // The windows-1252 dialect: é as one byte.
            bytes = bytes
                .split(|b| *b == 0xC3)
                .enumerate()
                .flat_map(|(i, part)| {
                    let mut part = part.to_vec();
                    if i > 0 && part.first() == Some(&0xA9) {
                        part[0] = 0xE9;
                    }
                    part
                })
                .collect();
        }
        let whole = read_in_pieces(&bytes, pluriel, PIECE_BYTES);
        prop_assert_eq!(read_in_pieces(&bytes, pluriel, piece), whole);
    }
}
