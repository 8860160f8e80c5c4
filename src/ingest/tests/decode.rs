use super::*;

fn decode_str(bytes: &[u8], encoding: Encoding) -> Result<String, (String, String)> {
    let mut sources = Sources::default();
    let origin = Origin {
        name: "gl.csv",
        first_line: 0,
    };
    match decode(origin, bytes, encoding, &mut sources) {
        Ok(text) => Ok(text.into_owned()),
        Err(diagnostic) => {
            let span = diagnostic.primary_span().unwrap();
            let excerpt = sources.get(span.file).text.clone();
            Err((sources.location(span), excerpt))
        }
    }
}

#[test]
fn utf8_skips_the_bom() {
    assert_eq!(
        decode_str(b"\xEF\xBB\xBFDate,Montant\n", Encoding::Utf8).unwrap(),
        "Date,Montant\n"
    );
    assert_eq!(
        decode_str("Crédit\n".as_bytes(), Encoding::Utf8).unwrap(),
        "Crédit\n"
    );
}

#[test]
fn invalid_utf8_is_located() {
    // "Cr\xE9dit" written in windows-1252, on line 3 after an accented line.
    let bytes = b"Date;Compte\r\n\xC3\xA9t\xC3\xA9;1\r\nx;Cr\xE9dit\r\n";
    let (location, excerpt) = decode_str(bytes, Encoding::Utf8).unwrap_err();
    assert_eq!(location, "gl.csv:3:5");
    assert_eq!(excerpt, "x;Cr\\xE9dit");
    let (location, _) = decode_str(b"\xEF\xBB\xBFab\xFF", Encoding::Utf8).unwrap_err();
    assert_eq!(location, "gl.csv:1:3");
    let (location, _) = decode_str(b"a\rb\r\n\xC3", Encoding::Utf8).unwrap_err();
    assert_eq!(location, "gl.csv:3:1");
}

#[test]
fn cp1252_decodes_accented_headers() {
    let bytes =
        b"Date;D\xE9bit;Cr\xE9dit;Libell\xE9\r\n01/07/2024;1\xA0234,50;;Caf\xE9 \x80 \x96\r\n";
    let text = decode_str(bytes, Encoding::Windows1252).unwrap();
    assert_eq!(
        text,
        "Date;Débit;Crédit;Libellé\r\n01/07/2024;1\u{a0}234,50;;Café € –\r\n"
    );
}

#[test]
fn cp1252_refuses_undefined_bytes() {
    for byte in CP1252_UNDEFINED {
        let bytes = [b'a', b'\n', b'b', b'c', byte, b'\n'];
        let (location, excerpt) = decode_str(&bytes, Encoding::Windows1252).unwrap_err();
        assert_eq!(location, "gl.csv:2:3");
        assert_eq!(excerpt, format!("bc\\x{byte:02X}"));
    }
}

#[test]
fn utf8_declared_cp1252_is_refused() {
    let (location, excerpt) =
        decode_str("Date;Débit\n".as_bytes(), Encoding::Windows1252).unwrap_err();
    assert_eq!(location, "gl.csv:1:7");
    assert_eq!(excerpt, "Date;Débit");
    let (location, _) =
        decode_str("\u{feff}Date;Debit\n".as_bytes(), Encoding::Windows1252).unwrap_err();
    assert_eq!(location, "gl.csv:1:1");
    // Plain ASCII is the same in both.
    assert_eq!(
        decode_str(b"Date;Debit\n", Encoding::Windows1252).unwrap(),
        "Date;Debit\n"
    );
}

#[test]
fn c1_controls_in_utf8_are_refused() {
    // U+0096 is what a windows-1252 en dash becomes when read as Latin-1.
    let (location, excerpt) = decode_str("a\nx \u{96} y\n".as_bytes(), Encoding::Utf8).unwrap_err();
    assert_eq!(location, "gl.csv:2:3");
    assert_eq!(excerpt, "x \\xC2\\x96 y");
}

#[test]
fn non_text_files() {
    for bytes in [
        &b"\xFF\xFED\x00a\x00"[..],
        b"PK\x03\x04rest",
        b"a,b\nc\x00,d\n",
    ] {
        assert!(decode_str(bytes, Encoding::Utf8).is_err());
        assert!(decode_str(bytes, Encoding::Windows1252).is_err());
    }
}

#[test]
fn lines_end_like_csv_lines() {
    let bytes = b"ab\r\ncd\ref\ngh";
    assert_eq!(line_around(bytes, 0), (1, 0, 2));
    assert_eq!(line_around(bytes, 2), (1, 0, 2));
    assert_eq!(line_around(bytes, 3), (1, 0, 2));
    assert_eq!(line_around(bytes, 4), (2, 4, 6));
    assert_eq!(line_around(bytes, 7), (3, 7, 9));
    assert_eq!(line_around(bytes, 12), (4, 10, 12));
}
