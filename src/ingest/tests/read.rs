//! `read_export` end to end: dialects, line accounting, structure and cell errors.

use super::*;
use crate::diagnostic::{self, Code};
use crate::source::FileId;

/// The format declarations the column spans point into.
const SPEC: &str = r#"format grics_a "DOFIN" {
  columns { date "Date" account "Poste" amount "Montant" journal "Journal" reference "Pièce" description "Description" }
}
format pluriel_b "Pluriel" {
  columns { date "Date" account "Compte" debit "Débit" credit "Crédit" reference "No pièce" description "Libellé" movement "Type mvt" }
}
format joined "GL" {
  columns { account "GL Account", "Cost Centre" joined "/" }
}
"#;

struct Fixture {
    sources: Sources,
    spec: FileId,
}

impl Fixture {
    fn new() -> Fixture {
        let mut sources = Sources::default();
        let spec = sources.add("formats.rdn", SPEC);
        Fixture { sources, spec }
    }

    fn column(&self, headers: &[&str]) -> ColumnRef {
        let first = format!("\"{}\"", headers[0]);
        let start = SPEC.find(&first).unwrap_or(0);
        ColumnRef {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            joined: "/".to_string(),
            span: Span::new(self.spec, start, start + first.len()),
        }
    }

    /// Comma-separated, decimal point, signed amounts, movements from the journal.
    fn grics_a(&self) -> (Dialect, Layout) {
        let layout = Layout {
            date: self.column(&["Date"]),
            account: self.column(&["Poste"]),
            amounts: Amounts::Signed(self.column(&["Montant"])),
            journal: Some(self.column(&["Journal"])),
            reference: Some(self.column(&["Pièce"])),
            description: Some(self.column(&["Description"])),
            movement: None,
            counterparty: None,
            movements: Some(MovementRule {
                from: MovementFrom::Journal,
                cases: vec![
                    ("IMM-ACQ".to_string(), Movement::Acquisition),
                    ("DLT-EMP".to_string(), Movement::Borrowing),
                ],
            }),
        };
        (Dialect::default(), layout)
    }

    /// Semicolons, decimal comma, space thousands, windows-1252, debit/credit.
    fn pluriel_b(&self) -> (Dialect, Layout) {
        let dialect = Dialect {
            delimiter: b';',
            quote: b'"',
            decimal: DecimalMark::Comma,
            thousands: Some(' '),
            encoding: Encoding::Windows1252,
            date: DateFormat::parse("%d/%m/%Y").unwrap_or_default(),
        };
        let layout = Layout {
            date: self.column(&["Date"]),
            account: self.column(&["Compte"]),
            amounts: Amounts::DebitCredit {
                debit: self.column(&["Débit"]),
                credit: self.column(&["Crédit"]),
            },
            journal: None,
            reference: Some(self.column(&["No pièce"])),
            description: Some(self.column(&["Libellé"])),
            movement: Some(self.column(&["Type mvt"])),
            counterparty: None,
            movements: Some(MovementRule {
                from: MovementFrom::MovementColumn,
                cases: vec![
                    ("ACQ".to_string(), Movement::Acquisition),
                    ("DISP".to_string(), Movement::Disposal),
                ],
            }),
        };
        (dialect, layout)
    }

    fn read(&mut self, bytes: &[u8], dialect: &Dialect, layout: &Layout) -> Outcome {
        self.read_with(bytes, dialect, layout, &mut |_| Ok(()))
    }

    fn read_with(
        &mut self,
        bytes: &[u8],
        dialect: &Dialect,
        layout: &Layout,
        check: &mut dyn FnMut(&Posting<'_>) -> Result<(), Diagnostic>,
    ) -> Outcome {
        let mut postings = Vec::new();
        let result = read_export(
            "gl.csv",
            bytes,
            dialect,
            layout,
            &mut self.sources,
            &mut |p| {
                postings.push(format!(
                    "{}:{} {} {} {} j={} r={} d={:?} m={}",
                    p.line,
                    p.account_column,
                    p.date,
                    p.account,
                    p.amount,
                    p.journal,
                    p.reference,
                    p.description,
                    p.movement.map_or("-", Movement::as_str)
                ));
                check(p)
            },
        );
        Outcome { result, postings }
    }

    /// `code file:line:column message` of each error.
    fn errors(&self, outcome: &Outcome) -> Vec<String> {
        let Err(errors) = &outcome.result else {
            panic!("expected errors, read {:?}", outcome.postings);
        };
        errors
            .iter()
            .map(|d| {
                let at = d
                    .primary_span()
                    .map_or("?".to_string(), |s| self.sources.location(s));
                format!("{} {} {}", d.code.as_str(), at, d.message)
            })
            .collect()
    }

    fn render(&self, outcome: &Outcome) -> String {
        match &outcome.result {
            Err(errors) => diagnostic::render(&self.sources, errors, false),
            Ok(_) => panic!("expected errors"),
        }
    }
}

struct Outcome {
    result: Result<ReadSummary, Vec<Diagnostic>>,
    postings: Vec<String>,
}

impl Outcome {
    fn summary(&self) -> &ReadSummary {
        match &self.result {
            Ok(summary) => summary,
            Err(errors) => panic!("unexpected errors: {errors:#?}"),
        }
    }
}

fn amount(text: &str) -> Amount {
    Amount::parse_plain(text).unwrap_or_default()
}

const GRICS: &str = "\
Date,Poste,Montant,Journal,Pièce,Description
2024-07-01,12100,1500.00,VEN,F-1,Taxe scolaire

2024-07-01,52000,-1500.00,VEN,F-1,\"Taxe, tranche 1\"
2024-08-15,31100,250000,IMM-ACQ,A-7,\"Autobus
scolaire no 12\"
2024-08-15,11000,-250000,IMM-ACQ,A-7,Paiement
";

#[test]
fn reads_a_signed_export_and_accounts_for_every_line() {
    let mut f = Fixture::new();
    let (dialect, layout) = f.grics_a();
    let outcome = f.read(GRICS.as_bytes(), &dialect, &layout);
    assert_eq!(
        outcome.postings,
        [
            "2:12 2024-07-01 12100 1500 j=VEN r=F-1 d=\"Taxe scolaire\" m=-",
            "4:12 2024-07-01 52000 -1500 j=VEN r=F-1 d=\"Taxe, tranche 1\" m=-",
            "5:12 2024-08-15 31100 250000 j=IMM-ACQ r=A-7 d=\"Autobus\\nscolaire no 12\" m=acquisition",
            "7:12 2024-08-15 11000 -250000 j=IMM-ACQ r=A-7 d=\"Paiement\" m=acquisition",
        ]
    );
    let summary = outcome.summary();
    assert_eq!(
        *summary,
        ReadSummary {
            physical_lines: 7,
            header_lines: 1,
            blank_lines: 1,
            records: 4,
            debit_total: amount("251500"),
            credit_total: amount("251500"),
        }
    );
    // header + blank + records, the description of line 5 spanning two lines.
    assert_eq!(summary.physical_lines, 1 + 1 + 3 + 2);
}

#[test]
fn reads_a_windows_1252_debit_credit_export() {
    let mut f = Fixture::new();
    let (dialect, layout) = f.pluriel_b();
    // Written byte by byte as Excel saves "CSV (séparateur: point-virgule)".
    let bytes = b"Date;Compte;D\xE9bit;Cr\xE9dit;No pi\xE8ce;Libell\xE9;Type mvt\r\n\
01/07/2024;\"31100\";1\xA0234\xA0567,89;;P-1;\xC9cole \x96 toit;ACQ\r\n\
01/07/2024;21500;;1 234 567,89;P-1;Emprunt \x80;\r\n\
;;;;;;\r\n\
30/06/2025;51000;0,00;;P-2;Z\xE9ro;\r\n";
    let outcome = f.read(bytes, &dialect, &layout);
    assert_eq!(
        outcome.postings,
        [
            "2:12 2024-07-01 31100 1234567.89 j= r=P-1 d=\"École – toit\" m=acquisition",
            "3:12 2024-07-01 21500 -1234567.89 j= r=P-1 d=\"Emprunt €\" m=-",
            "5:12 2025-06-30 51000 0 j= r=P-2 d=\"Zéro\" m=-",
        ]
    );
    let summary = outcome.summary();
    assert_eq!(
        (summary.records, summary.blank_lines, summary.physical_lines),
        (3, 1, 5)
    );
    assert_eq!(summary.debit_total, amount("1234567.89"));
    assert_eq!(summary.credit_total, amount("1234567.89"));
}

#[test]
fn account_column_counts_characters() {
    let mut f = Fixture::new();
    let (dialect, mut layout) = f.grics_a();
    layout.description = None;
    layout.account = f.column(&["Poste"]);
    let text = "Pièce,Date,Poste,Montant,Journal\nÉté-1,2024-07-01,\"12100\",1,J\n";
    let outcome = f.read(text.as_bytes(), &dialect, &layout);
    assert_eq!(
        outcome.postings,
        ["2:18 2024-07-01 12100 1 j=J r=Été-1 d=\"\" m=-"]
    );
}

#[test]
fn joins_columns() {
    let mut f = Fixture::new();
    let (dialect, mut layout) = f.grics_a();
    layout.account = f.column(&["GL Account", "Cost Centre"]);
    layout.journal = None;
    layout.reference = None;
    layout.description = None;
    let text =
        "Date,GL Account,Montant,Cost Centre\n2024-07-01, 5100 ,10, 231\n2024-07-01,5100,-10,\n";
    let outcome = f.read(text.as_bytes(), &dialect, &layout);
    assert_eq!(
        outcome.postings,
        [
            "2:12 2024-07-01 5100/231 10 j= r= d=\"\" m=-",
            "3:12 2024-07-01 5100/ -10 j= r= d=\"\" m=-",
        ]
    );
}

fn five_lines(third: &str) -> String {
    format!(
        "Date,Poste,Montant,Journal,Pièce,Description\n\
         2024-07-01,12100,10,J,R1,ok\n\
         {third}\n\
         2024-07-02,12100,30,J,R3,ok\n\
         2024-07-03,12100,-60,J,R4,ok\n"
    )
}

#[test]
fn unterminated_quote_in_an_amount_is_an_error_at_its_line() {
    let mut f = Fixture::new();
    let (dialect, layout) = f.grics_a();
    let text = five_lines("2024-07-01,12100,\"20,J,R2,ok");
    let outcome = f.read(text.as_bytes(), &dialect, &layout);
    assert_eq!(
        f.errors(&outcome),
        ["E0403 gl.csv:3:18 quote opened on line 3 is never closed"]
    );
    assert_eq!(outcome.postings.len(), 1);
    // The next quote of the file, on line 4, would close it.
    let text = five_lines("2024-07-01,12100,\"20,J,R2,ok").replace("R3,ok", "R3,\"ok\"");
    let outcome = f.read(text.as_bytes(), &dialect, &layout);
    assert_eq!(
        f.errors(&outcome),
        ["E0403 gl.csv:3:18 quote opened on line 3 is not closed on that line"]
    );
    assert_eq!(outcome.postings.len(), 2);
}

#[test]
fn unterminated_quote_at_the_end_swallows_nothing_silently() {
    let mut f = Fixture::new();
    let (dialect, layout) = f.grics_a();
    // A quote opened in the last field of line 3 is never closed: the csv crate
    // alone would read lines 3 to 5 as one record with the right field count.
    let text = five_lines("2024-07-01,12100,20,J,R2,\"Écran 24");
    let outcome = f.read(text.as_bytes(), &dialect, &layout);
    assert_eq!(
        f.errors(&outcome),
        ["E0403 gl.csv:3:26 quote opened on line 3 is never closed"]
    );
    assert_eq!(outcome.postings.len(), 1);
}

#[test]
fn a_quote_closing_on_a_later_line_mid_field_is_an_error() {
    let mut f = Fixture::new();
    let (dialect, layout) = f.grics_a();
    let text = "Date,Poste,Montant,Journal,Pièce,Description\n\
                2024-07-01,12100,20,J,R2,\"Écran 24\n\
                2024-07-02,12100,-20,J,R3,\"Autre\"\n";
    let outcome = f.read(text.as_bytes(), &dialect, &layout);
    assert_eq!(
        f.errors(&outcome),
        ["E0403 gl.csv:3:28 unexpected text after a closing quote in column `Description`"]
    );
}

#[test]
fn quotes_in_the_header_and_text_after_a_quote() {
    let mut f = Fixture::new();
    let (dialect, layout) = f.grics_a();
    let text = "Date,\"Poste\nx\",Montant\n";
    let outcome = f.read(text.as_bytes(), &dialect, &layout);
    assert_eq!(
        f.errors(&outcome),
        ["E0403 gl.csv:1:6 quote opened on line 1 is not closed on that line"]
    );
    let text = five_lines("2024-07-01,12100,\"20\"0,J,R2,ok");
    let outcome = f.read(text.as_bytes(), &dialect, &layout);
    assert_eq!(
        f.errors(&outcome),
        ["E0403 gl.csv:3:22 unexpected text after a closing quote in column `Montant`"]
    );
}

#[test]
fn wrong_field_counts() {
    let mut f = Fixture::new();
    let (dialect, layout) = f.grics_a();
    let text = "Date,Poste,Montant,Journal,Pièce,Description\n\
                2024-07-01,12100,1,234.00,J,R1,ok\n\
                2024-07-01,12100,-1\n\
                2024-07-01,12100,-233,J,R1,\"long\ntext\",x\n";
    let outcome = f.read(text.as_bytes(), &dialect, &layout);
    assert_eq!(
        f.errors(&outcome),
        [
            "E0403 gl.csv:2:32 expected 6 fields, found 7",
            "E0403 gl.csv:3:18 expected 6 fields, found 3",
            "E0403 gl.csv:5:7 expected 6 fields, found 7",
        ]
    );
}

#[test]
fn debit_credit_rules() {
    let mut f = Fixture::new();
    let (mut dialect, layout) = f.pluriel_b();
    dialect.encoding = Encoding::Utf8;
    let text = "Date;Compte;Débit;Crédit;No pièce;Libellé;Type mvt\n\
                01/07/2024;1;;;R;;\n\
                01/07/2024;1;5,00;5,00;R;;\n\
                01/07/2024;1;-5,00;;R;;\n\
                01/07/2024;1;;-5,00;R;;\n\
                01/07/2024;1;0;0;R;;\n\
                01/07/2024;1;;12,34,5;R;;\n\
                01/07/2024;1;3;0,00;R;;\n";
    let outcome = f.read(text.as_bytes(), &dialect, &layout);
    assert_eq!(
        f.errors(&outcome),
        [
            "E0405 gl.csv:2:14 a line must have a debit or a credit",
            "E0405 gl.csv:3:14 a line has a debit or a credit, not both",
            "E0405 gl.csv:4:14 debit `-5,00` is negative",
            "E0405 gl.csv:5:15 credit `-5,00` is negative",
            "E0405 gl.csv:7:15 credit `12,34,5` is not a number in this format",
        ]
    );
    assert_eq!(
        outcome.postings,
        [
            "6:12 2024-07-01 1 0 j= r=R d=\"\" m=-",
            "8:12 2024-07-01 1 3 j= r=R d=\"\" m=-",
        ]
    );
}

#[test]
fn signed_amount_and_date_errors() {
    let mut f = Fixture::new();
    let (dialect, layout) = f.grics_a();
    let text = "Date,Poste,Montant,Journal,Pièce,Description\n\
                2024-07-01,12100,,J,R,\n\
                2024-07-01,12100,1e5,J,R,\n\
                2024-02-30,12100,+1,J,R,\n\
                1/7/2024,12100,1,J,R,\n\
                ,12100,1,J,R,\n";
    let outcome = f.read(text.as_bytes(), &dialect, &layout);
    assert_eq!(
        f.errors(&outcome),
        [
            "E0405 gl.csv:2:18 the amount is empty",
            "E0405 gl.csv:3:18 amount `1e5` is not a number in this format",
            "E0406 gl.csv:4:1 date `2024-02-30` is not a calendar date",
            "E0405 gl.csv:4:18 amount `+1` is not a number in this format",
            "E0406 gl.csv:5:1 date `1/7/2024` is not in the format `%Y-%m-%d`",
            "E0406 gl.csv:6:1 the date is empty",
        ]
    );
}

#[test]
fn movement_lookups() {
    let mut f = Fixture::new();
    let (mut dialect, layout) = f.pluriel_b();
    dialect.encoding = Encoding::Utf8;
    let text = "Date;Compte;Débit;Crédit;No pièce;Libellé;Type mvt\n\
                01/07/2024;1;1;;R;;ACQ\n\
                01/07/2024;1;1;;R;; DISP \n\
                01/07/2024;1;1;;R;;\n\
                01/07/2024;1;1;;R;;acq\n";
    let outcome = f.read(text.as_bytes(), &dialect, &layout);
    assert_eq!(
        f.errors(&outcome),
        ["E0409 gl.csv:5:20 movement `acq` is not listed in the format"]
    );
    assert!(outcome.postings[0].ends_with("m=acquisition"));
    assert!(outcome.postings[1].ends_with("m=disposal"));
    assert!(outcome.postings[2].ends_with("m=-"));
    // From the journal: an unlisted journal is no movement, never an error.
    let (dialect, layout) = f.grics_a();
    let text = "Date,Poste,Montant,Journal,Pièce,Description\n2024-07-01,1,1,DLT-EMP,R,\n2024-07-01,1,-1,AUTRE,R,\n";
    let outcome = f.read(text.as_bytes(), &dialect, &layout);
    assert!(outcome.postings[0].ends_with("m=borrowing"));
    assert!(outcome.postings[1].ends_with("m=-"));
}

#[test]
fn missing_columns_list_the_header() {
    let mut f = Fixture::new();
    let (mut dialect, layout) = f.pluriel_b();
    dialect.encoding = Encoding::Utf8;
    let text = "Date;Compte;Debit;Crédit;No pièce;Libellé\n01/07/2024;1;1;;R;\n";
    let outcome = f.read(text.as_bytes(), &dialect, &layout);
    assert_eq!(
        f.errors(&outcome),
        [
            "E0404 gl.csv:1:1 column `Débit` not found in the header",
            "E0404 gl.csv:1:1 column `Type mvt` not found in the header",
        ]
    );
    let Err(errors) = &outcome.result else {
        unreachable!()
    };
    assert_eq!(
        errors[0].notes,
        ["the header has 6 columns: `Date`, `Compte`, `Debit`, `Crédit`, `No pièce`, `Libellé`"]
    );
    assert_eq!(
        errors[0].help.as_deref(),
        Some("a column is named `Debit`; the format must name it exactly")
    );
    // The wrong delimiter makes the header a single column.
    let text = "Date,Compte,Débit,Crédit,No pièce,Libellé,Type mvt\n";
    let outcome = f.read(text.as_bytes(), &dialect, &layout);
    let Err(errors) = &outcome.result else {
        unreachable!()
    };
    assert_eq!(
        errors[0].help.as_deref(),
        Some("the header is a single column containing `,`: is the format's delimiter `,`?")
    );
}

#[test]
fn empty_files_and_headers_only() {
    let mut f = Fixture::new();
    let (dialect, layout) = f.grics_a();
    let outcome = f.read(b"", &dialect, &layout);
    assert_eq!(
        f.errors(&outcome),
        ["E0403 gl.csv:1:1 the file is empty: expected a header line"]
    );
    let outcome = f.read(b"\n\nDate,Poste,Montant\n", &dialect, &layout);
    assert_eq!(
        f.errors(&outcome),
        ["E0403 gl.csv:1:1 line 1 is empty: the first line must be the header"]
    );
    let header = "Date,Poste,Montant,Journal,Pièce,Description\r\n\r\n";
    let outcome = f.read(header.as_bytes(), &dialect, &layout);
    assert_eq!(
        *outcome.summary(),
        ReadSummary {
            physical_lines: 2,
            header_lines: 1,
            blank_lines: 1,
            ..ReadSummary::default()
        }
    );
}

#[test]
fn invalid_utf8_through_read_export() {
    let mut f = Fixture::new();
    let (dialect, layout) = f.grics_a();
    let bytes = b"Date,Poste,Montant,Journal,Pi\xE8ce,Description\n";
    let outcome = f.read(bytes, &dialect, &layout);
    assert_eq!(
        f.errors(&outcome),
        ["E0402 gl.csv:1:30 the file is not valid UTF-8"]
    );
}

#[test]
fn sink_diagnostics_are_put_on_cells() {
    let mut f = Fixture::new();
    let (dialect, layout) = f.grics_a();
    let text = "Date,Poste,Montant,Journal,Pièce,Description\n2024-07-01,12-100,1,J,R,\n1999-07-01,12100,-1,J,R,\n";
    let outcome = f.read_with(text.as_bytes(), &dialect, &layout, &mut |p| {
        if p.account.contains('-') {
            Err(Diagnostic::error(
                Code::CodeShape,
                format!("code `{}` does not fit", p.account),
            ))
        } else if p.date.to_string().starts_with("1999") {
            Err(Diagnostic::error(Code::DateOutOfRange, "too old").at(p.span(Role::Date), ""))
        } else {
            Ok(())
        }
    });
    assert_eq!(
        f.errors(&outcome),
        [
            "E0408 gl.csv:2:12 code `12-100` does not fit",
            "E0407 gl.csv:3:1 too old",
        ]
    );
    let Err(errors) = &outcome.result else {
        unreachable!()
    };
    assert_eq!(errors[1].labels[0].text, "in column `Date`");
}

#[test]
fn reading_stops_after_100_errors() {
    let mut f = Fixture::new();
    let (dialect, layout) = f.grics_a();
    let mut text = String::from("Date,Poste,Montant,Journal,Pièce,Description\n");
    for _ in 0..150 {
        text.push_str("2024-07-01,1,x,J,R,\n");
    }
    let outcome = f.read(text.as_bytes(), &dialect, &layout);
    let Err(errors) = &outcome.result else {
        unreachable!()
    };
    assert_eq!(errors.len(), MAX_ERRORS);
    assert_eq!(
        errors[MAX_ERRORS - 1].notes.last().map(String::as_str),
        Some("reading of `gl.csv` stopped after 100 errors")
    );
}

#[test]
fn totals_overflow_is_an_error() {
    let mut f = Fixture::new();
    let (dialect, layout) = f.grics_a();
    let big = "9".repeat(28);
    let mut text = String::from("Date,Poste,Montant,Journal,Pièce,Description\n");
    for _ in 0..9 {
        text.push_str(&format!("2024-07-01,1,{big},J,R,\n"));
    }
    let outcome = f.read(text.as_bytes(), &dialect, &layout);
    assert_eq!(
        f.errors(&outcome),
        ["E0410 gl.csv:9:14 the total of debits exceeds 28 significant digits"]
    );
}

#[test]
fn bad_dialects_are_refused_before_reading() {
    let mut f = Fixture::new();
    let (mut dialect, layout) = f.grics_a();
    dialect.quote = b',';
    let outcome = f.read(b"Date\n", &dialect, &layout);
    let Err(errors) = &outcome.result else {
        unreachable!()
    };
    assert_eq!(errors[0].code, Code::BadFormat);
    dialect.quote = b'"';
    dialect.delimiter = 0xA7;
    assert!(dialect.validate().is_err());
}

#[test]
fn renders_a_located_diagnostic() {
    let mut f = Fixture::new();
    let (mut dialect, layout) = f.pluriel_b();
    dialect.encoding = Encoding::Utf8;
    let text = "Date;Compte;Débit;Crédit;No pièce;Libellé;Type mvt\n\
                01/07/2024;31100;12,34,5;;P-1;Écran;ACQ\n";
    let outcome = f.read(text.as_bytes(), &dialect, &layout);
    insta::assert_snapshot!(f.render(&outcome), @r#"
    error[E0405]: debit `12,34,5` is not a number in this format
      ┌─ gl.csv:2:18
      │
    2 │ 01/07/2024;31100;12,34,5;;P-1;Écran;ACQ
      │                  ^^^^^^^ in column `Débit`
      │
      = help: expected digits with ',' as decimal mark and ' ' between thousands (or a no-break space), like 1 234 567,89 or -1 234 567,89
    "#);
}

#[test]
fn renders_an_unterminated_quote() {
    let mut f = Fixture::new();
    let (dialect, layout) = f.grics_a();
    let text = five_lines("2024-07-01,12100,\"20,J,R2,ok");
    let outcome = f.read(text.as_bytes(), &dialect, &layout);
    insta::assert_snapshot!(f.render(&outcome), @r#"
    error[E0403]: quote opened on line 3 is never closed
      ┌─ gl.csv:3:18
      │
    3 │ 2024-07-01,12100,"20,J,R2,ok
      │                  ^ unterminated quote opened here
      │
      = the rest of the file, lines 3 to 5, would be read as one field
      = help: close the quote on the same line, or double it (`""`) if it is part of the text
    "#);
}

#[test]
fn renders_a_missing_column() {
    let mut f = Fixture::new();
    let (mut dialect, layout) = f.pluriel_b();
    dialect.encoding = Encoding::Utf8;
    let text = "Date;Compte;Debit;Crédit;No pièce;Libellé;Type mvt\n";
    let outcome = f.read(text.as_bytes(), &dialect, &layout);
    insta::assert_snapshot!(f.render(&outcome), @r#"
    error[E0404]: column `Débit` not found in the header
      ┌─ gl.csv:1:1
      │
    1 │ Date;Compte;Debit;Crédit;No pièce;Libellé;Type mvt
      │ ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ no column `Débit` in this header
      │
      ┌─ formats.rdn:5:48
      │
    5 │   columns { date "Date" account "Compte" debit "Débit" credit "Crédit" reference "No pièce" description "Libellé" movement "Type mvt" }
      │                                                ------- the format names it here
      │
      = the header has 7 columns: `Date`, `Compte`, `Debit`, `Crédit`, `No pièce`, `Libellé`, `Type mvt`
      = help: a column is named `Debit`; the format must name it exactly
    "#);
}

#[test]
fn renders_an_encoding_error() {
    let mut f = Fixture::new();
    let (dialect, layout) = f.grics_a();
    let outcome = f.read(b"Date,Poste\n2024-07-01,Caf\xE9\n", &dialect, &layout);
    insta::assert_snapshot!(f.render(&outcome), @r#"
    error[E0402]: the file is not valid UTF-8
      ┌─ gl.csv:2:15
      │
    2 │ 2024-07-01,Caf\xE9
      │               ^^^^ byte 0xE9 is not UTF-8
      │
      = help: the file is not UTF-8; if it was saved by Excel as 'CSV (séparateur: point-virgule)' declare encoding "windows-1252"
    "#);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    const HEADER: &str = "Date,Poste,Montant,Journal,Pièce,Description\n";

    proptest! {
        #[test]
        fn never_panics_on_csv_like_text(body in "[0-9a-z,;\"\r\n .\\-/é\u{a0}]{0,120}") {
            let mut f = Fixture::new();
            let (dialect, layout) = f.grics_a();
            let text = format!("{HEADER}{body}");
            let outcome = f.read(text.as_bytes(), &dialect, &layout);
            if let Ok(summary) = &outcome.result {
                prop_assert_eq!(summary.records, outcome.postings.len());
                prop_assert!(summary.header_lines + summary.blank_lines + summary.records <= summary.physical_lines);
            }
            let (dialect, layout) = f.pluriel_b();
            let _ = f.read(text.as_bytes(), &dialect, &layout);
        }

        #[test]
        fn never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut f = Fixture::new();
            let (dialect, layout) = f.grics_a();
            let mut input = HEADER.as_bytes().to_vec();
            input.extend_from_slice(&bytes);
            let _ = f.read(&input, &dialect, &layout);
            let _ = f.read(&bytes, &dialect, &layout);
            let (dialect, layout) = f.pluriel_b();
            let _ = f.read(&input, &dialect, &layout);
            let _ = f.read(&bytes, &dialect, &layout);
        }

        /// Well-written exports are read whole: every line accounted for,
        /// every amount exact, the totals equal to the sums.
        #[test]
        fn written_exports_read_back(
            rows in proptest::collection::vec(
                (1u32..=28, -10_000_000_000i64..10_000_000_000, "[a-z ,\"\n]{0,12}", 0usize..3),
                0..20,
            ),
            crlf in any::<bool>(),
        ) {
            let mut f = Fixture::new();
            let (dialect, layout) = f.grics_a();
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut text = HEADER.replace('\n', eol);
            let mut lines = 1;
            let mut blank = 0;
            let (mut debit, mut credit) = (Amount::ZERO, Amount::ZERO);
            let mut expected = Vec::new();
            for (day, cents, description, blanks) in &rows {
                for _ in 0..*blanks {
                    text.push_str(eol);
                    lines += 1;
                    blank += 1;
                }
                let value = format!("{}{}.{:02}", if *cents < 0 { "-" } else { "" }, cents.abs() / 100, cents.abs() % 100);
                let quoted = format!("\"{}\"", description.replace('"', "\"\"").replace('\n', eol));
                text.push_str(&format!("2024-07-{day:02},5100,{value},J,R,{quoted}{eol}"));
                let amount = amount(&value);
                if amount.is_negative() {
                    credit = credit.checked_add(amount.abs()).unwrap_or_default();
                } else {
                    debit = debit.checked_add(amount).unwrap_or_default();
                }
                expected.push((lines + 1, amount, description.trim_matches(' ').to_string()));
                lines += 1 + description.matches('\n').count();
            }
            let outcome = f.read(text.as_bytes(), &dialect, &layout);
            let summary = outcome.summary();
            prop_assert_eq!(summary.physical_lines, lines);
            prop_assert_eq!(summary.blank_lines, blank);
            prop_assert_eq!(summary.records, rows.len());
            prop_assert_eq!(summary.debit_total, debit);
            prop_assert_eq!(summary.credit_total, credit);
            let read: Vec<String> = outcome.postings.clone();
            let wanted: Vec<String> = expected
                .iter()
                .zip(&rows)
                .map(|((line, amount, description), (day, ..))| {
                    let description = description.replace('\n', eol);
                    let description = description.trim_matches(' ');
                    format!("{line}:12 2024-07-{day:02} 5100 {amount} j=J r=R d={description:?} m=-")
                })
                .collect();
            prop_assert_eq!(read, wanted);
        }
    }
}

#[path = "pieces.rs"]
mod pieces;
