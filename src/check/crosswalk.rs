//! Checking structures and crosswalks, and loading crosswalk tables.
//!
//! This file lowers each crosswalk; `structure` checks the structures
//! (segments of a local code), `rules` the rules and dimension rules,
//! `versions` their validity dates and the versions that would apply at
//! once, and `table` reads the CSV tables a crosswalk includes.

mod rules;
mod structure;
mod table;
mod versions;

use super::{Checker, Loader};
use crate::mapping::Crosswalk;
use crate::model::{Chart, DimensionDef};
use crate::source::Sources;
use crate::syntax::ast::{self, Item};

impl Checker {
    pub(super) fn crosswalks(
        &mut self,
        sources: &mut Sources,
        items: &[&Item],
        chart: &Chart,
        dimensions: &[DimensionDef],
        loader: &Loader<'_>,
    ) -> Vec<Crosswalk> {
        let structures = self.structures(items);
        let names: Vec<String> = structures.iter().map(|s| s.name.text.clone()).collect();
        let mut crosswalks: Vec<Crosswalk> = Vec::new();
        for item in items {
            let Item::Crosswalk(crosswalk) = item else {
                continue;
            };
            if let Some(first) = crosswalks.iter().find(|c| c.name == crosswalk.name.text) {
                self.duplicate("crosswalk", &crosswalk.name, first.span);
                continue;
            }
            let Some(structure) = self.lookup(&crosswalk.structure, "structure", names.iter())
            else {
                continue;
            };
            if crosswalk.chart.text != chart.name {
                self.lookup(&crosswalk.chart, "chart", std::iter::once(&chart.name));
            }
            let structure = self.structure(structures[structure]);
            let mut lowered = Crosswalk {
                name: crosswalk.name.text.clone(),
                structure,
                rules: Vec::new(),
                dimension_rules: Vec::new(),
                versions: Vec::new(),
                span: crosswalk.name.span,
            };
            self.crosswalk_items(
                sources,
                &crosswalk.items,
                &mut lowered,
                chart,
                dimensions,
                loader,
            );
            self.overlapping_rules(&lowered, chart);
            self.overlapping_dimension_rules(&lowered, dimensions);
            crosswalks.push(lowered);
        }
        crosswalks
    }

    /// Every structure declared, in order; a second of one name is
    /// reported (a crosswalk naming it gets the first).
    fn structures<'i>(&mut self, items: &[&'i Item]) -> Vec<&'i ast::Structure> {
        let structures: Vec<&ast::Structure> = items
            .iter()
            .filter_map(|item| match item {
                Item::Structure(structure) => Some(structure),
                _ => None,
            })
            .collect();
        for (index, structure) in structures.iter().enumerate() {
            if let Some(first) = structures[..index]
                .iter()
                .find(|s| s.name.text == structure.name.text)
            {
                self.duplicate("structure", &structure.name, first.name.span);
            }
        }
        structures
    }

    /// The rules, dimension rules and included tables of a crosswalk, in
    /// the order written.
    fn crosswalk_items(
        &mut self,
        sources: &mut Sources,
        items: &[ast::CrosswalkItem],
        lowered: &mut Crosswalk,
        chart: &Chart,
        dimensions: &[DimensionDef],
        loader: &Loader<'_>,
    ) {
        for item in items {
            match item {
                ast::CrosswalkItem::Rule(rule) => {
                    lowered
                        .rules
                        .extend(self.rule(rule, &lowered.structure, chart));
                }
                ast::CrosswalkItem::Dimension(rule) => {
                    let rule = self.dimension_rule(rule, &lowered.structure, dimensions);
                    lowered.dimension_rules.extend(rule);
                }
                ast::CrosswalkItem::Include(path) => {
                    let rules = self.table(sources, path, chart, loader);
                    lowered.rules.extend(rules);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::source::Sources;

    const SPEC: &str = r#"
fiscal_year 2025
chart c "C" {
  11000 "Encaisse" actif_financier debit
  61000 "A" charge debit
  61010 "B" charge debit
}
dimension nature "Nature" { N1 "Un" N2 "Deux" }
structure s "S" { unit:3 "-" object:3 }
crosswalk x: s -> c {
  include "t.csv"
  object 600..699 => 61000 valid until 2025-06-30
  object 600..699 => 61010 valid from 2025-07-01
  dimension nature {
    object 600..699 => N1 valid until 2025-06-30
    object 600..699 => N2 valid from 2025-07-01
  }
}
report r "R" { line a "A" = sum(11000) line b "B" = sum(61000, 61010) }
"#;

    const TABLE: &str = "pattern,code,valid_from,valid_until,note\n000-110,11000,,2025-06-30,ancien\n000-110,61000,2025-07-01,,nouveau\n";

    fn checked(spec: &str, as_of: &str) -> Result<crate::model::Program, String> {
        let mut sources = Sources::default();
        let file = sources.add("spec.rdn", spec);
        let (tree, errors) = crate::syntax::parse(&sources, file);
        let rendered = crate::diagnostic::render(&sources, &errors, false);
        if !errors.is_empty() {
            return Err(rendered);
        }
        let loader = |_: &str| Ok(TABLE.as_bytes().to_vec());
        super::super::check_as_of(
            &mut sources,
            &[tree],
            &loader,
            &crate::limits::Limits::default(),
            crate::mapping::parse_date(as_of).ok(),
        )
        .map_err(|errors| crate::diagnostic::render(&sources, &errors, false))
    }

    #[test]
    fn each_date_keeps_its_own_rules_cases_and_rows() {
        for (as_of, target, nature, cash) in
            [("2025-06-30", 1, "N1", 0), ("2025-07-01", 2, "N2", 1)]
        {
            let program = checked(SPEC, as_of).expect("checks");
            let crosswalk = &program.crosswalks[0];
            let mapped = crosswalk.map("231-610").expect("maps");
            assert_eq!(mapped.target, target, "{as_of}");
            assert_eq!(mapped.dimensions, vec![(0, nature.to_string())], "{as_of}");
            let row = crosswalk.map("000-110").expect("maps");
            assert_eq!(row.target, cash, "{as_of}");
            assert_eq!(crosswalk.versions.len(), 6);
            assert_eq!(crosswalk.versions.iter().filter(|v| v.applies).count(), 3);
        }
    }

    #[test]
    fn overlapping_dimension_cases_are_refused() {
        let spec = SPEC.replace("N2 valid from 2025-07-01", "N2 valid from 2025-06-01");
        let errors = checked(&spec, "2025-06-30").expect_err("refused");
        assert!(errors.contains("E0310"), "{errors}");
        assert!(
            errors.contains("from 2025-06-01 until 2025-06-30"),
            "{errors}"
        );
    }

    #[test]
    fn two_undated_rules_for_one_dimension_are_refused() {
        let spec = SPEC.replace(
            "  dimension nature {",
            "  dimension nature = unit\n  dimension nature {",
        );
        let errors = checked(&spec, "2025-06-30").expect_err("refused");
        assert!(
            errors.contains("E0310") && errors.contains("on every date"),
            "{errors}"
        );
    }
}
