//! The language reference and the grammar stay true: every example of
//! grammar/REFERENCE.md parses and checks (together they form one project),
//! and every production of the EBNF has a parser function of the same name.

use crate::atomic::copy_tree;
use reddition::project::Project;
use reddition::source::Sources;

fn repository() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn reference_examples_parse_and_check() {
    let reference =
        std::fs::read_to_string(repository().join("grammar/REFERENCE.md")).expect("reference");
    let examples: Vec<&str> = reference
        .split("```rdn\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap_or(""))
        .collect();
    assert!(
        examples.len() >= 8,
        "the reference shows the language by example"
    );
    let project = tempfile::tempdir().expect("temporary folder");
    std::fs::create_dir(project.path().join("reports")).expect("reports folder");
    for (index, example) in examples.iter().enumerate() {
        let path = project
            .path()
            .join(format!("reports/example-{index:02}.rdn"));
        std::fs::write(path, example).expect("example written");
    }
    let mut sources = Sources::default();
    let result = reddition::pipeline::check_project(&Project::new(project.path()), &mut sources);
    if let Err(diagnostics) = result {
        panic!(
            "{}",
            reddition::diagnostic::render(&sources, &diagnostics, false)
        );
    }
}

#[test]
fn grammar_productions_match_parser_functions() {
    let grammar =
        std::fs::read_to_string(repository().join("grammar/reddition.ebnf")).expect("grammar");
    let parser = parser_sources();
    let productions: Vec<&str> = grammar
        .lines()
        .filter_map(|line| {
            let (name, rest) = line.split_once('=')?;
            let name = name.trim();
            let is_production = !name.is_empty()
                && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                && !rest.starts_with('=');
            is_production.then_some(name)
        })
        .collect();
    assert!(
        productions.len() > 40,
        "found {} productions",
        productions.len()
    );
    let missing: Vec<&&str> = productions
        .iter()
        .filter(|name| {
            !parser.contains(&format!("fn {name}(")) && !parser.contains(&format!("fn {name}<"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "productions without a parser function: {missing:?}"
    );
}

/// The parser's text: `parser.rs`, the files of `parser/` (one per family of
/// items) and the tokens of `lexical.rs`.
fn parser_sources() -> String {
    let syntax = repository().join("src/syntax");
    let folder = std::fs::read_dir(syntax.join("parser")).expect("parser folder");
    let mut paths: Vec<std::path::PathBuf> = folder
        .map(|entry| entry.expect("parser file").path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "rs"))
        .collect();
    paths.push(syntax.join("parser.rs"));
    paths.push(syntax.join("lexical.rs"));
    paths
        .iter()
        .map(|path| std::fs::read_to_string(path).expect("parser source"))
        .collect()
}

/// The README's example of the language is a whole report: added to the
/// sample, it checks.
#[test]
fn readme_example_checks_with_the_sample() {
    let readme = std::fs::read_to_string(repository().join("README.md")).expect("README");
    let section = readme
        .split("## The language in one example")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the README has the section");
    let example = section
        .split("```rdn\n")
        .nth(1)
        .and_then(|block| block.split("```").next())
        .expect("the section shows an rdn block");
    let project = tempfile::tempdir().expect("temporary folder");
    for folder in ["reports", "ledgers"] {
        copy_tree(&repository().join(folder), &project.path().join(folder));
    }
    std::fs::write(project.path().join("reports/readme-example.rdn"), example)
        .expect("example written");
    let mut sources = Sources::default();
    let result = reddition::pipeline::check_project(&Project::new(project.path()), &mut sources);
    match result {
        Ok(program) => assert!(
            program.reports.iter().any(|r| r.name == "resultats_abrege"),
            "the example's report is checked"
        ),
        Err(diagnostics) => panic!(
            "{}",
            reddition::diagnostic::render(&sources, &diagnostics, false)
        ),
    }
}
