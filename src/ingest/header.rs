//! The header of an export: which columns hold each role of the layout.
//!
//! Both readers resolve a header here, once per file. A header that cannot
//! be read with the layout (a column missing or named twice) is a list of
//! faults that each reader words its own way: the precise reader as located
//! diagnostics, the fast path as a doubt.

use super::amount::is_cell_space;
use super::{Amounts, ColumnRef, Layout, MovementFrom, MovementRule};

/// The header columns of one role and what joins their cells.
#[derive(Clone, Debug)]
pub struct RoleColumns<'l> {
    /// Indices of the role's columns in the header, in the layout's order.
    pub indices: Vec<usize>,
    /// Put between the cells of a role that joins several columns.
    pub joined: &'l str,
}

/// Where a posting's amount is read.
#[derive(Clone, Debug)]
pub enum AmountColumns<'l> {
    Signed(RoleColumns<'l>),
    DebitCredit {
        debit: RoleColumns<'l>,
        credit: RoleColumns<'l>,
    },
}

/// The header columns of every role of a layout.
#[derive(Clone, Debug)]
pub struct Columns<'l> {
    pub date: RoleColumns<'l>,
    pub account: RoleColumns<'l>,
    pub amount: AmountColumns<'l>,
    pub journal: Option<RoleColumns<'l>>,
    pub reference: Option<RoleColumns<'l>>,
    pub description: Option<RoleColumns<'l>>,
    pub movement: Option<RoleColumns<'l>>,
    pub counterparty: Option<RoleColumns<'l>>,
}

/// Why a header cannot be read with a layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderFault<'l> {
    /// No header cell is named `wanted`, a header the layout names.
    Missing {
        wanted: &'l str,
        column: &'l ColumnRef,
    },
    /// Two header cells (at least), `first` and `second`, are named `wanted`.
    Repeated {
        wanted: &'l str,
        first: usize,
        second: usize,
        column: &'l ColumnRef,
    },
}

/// The columns of each role, found by name among the header's trimmed
/// `names`; every fault, in the order of the layout's roles.
pub fn resolve<'l>(
    names: &[String],
    layout: &'l Layout,
) -> Result<Columns<'l>, Vec<HeaderFault<'l>>> {
    let mut faults = Vec::new();
    let mut columns_of = |column: &'l ColumnRef| find(names, column, &mut faults);
    let date = columns_of(&layout.date);
    let account = columns_of(&layout.account);
    let amount = match &layout.amounts {
        Amounts::Signed(column) => AmountColumns::Signed(columns_of(column)),
        Amounts::DebitCredit { debit, credit } => AmountColumns::DebitCredit {
            debit: columns_of(debit),
            credit: columns_of(credit),
        },
    };
    let [journal, reference, description, movement, counterparty] = [
        &layout.journal,
        &layout.reference,
        &layout.description,
        &layout.movement,
        &layout.counterparty,
    ]
    .map(|column| column.as_ref().map(&mut columns_of));
    let columns = Columns {
        date,
        account,
        amount,
        journal,
        reference,
        description,
        movement,
        counterparty,
    };
    if faults.is_empty() {
        Ok(columns)
    } else {
        Err(faults)
    }
}

/// The header indices of a column reference; a fault for each header name
/// missing or repeated.
fn find<'l>(
    names: &[String],
    column: &'l ColumnRef,
    faults: &mut Vec<HeaderFault<'l>>,
) -> RoleColumns<'l> {
    let mut indices = Vec::with_capacity(column.headers.len());
    for wanted in &column.headers {
        let wanted = wanted.trim_matches(is_cell_space);
        let mut found = (0..names.len()).filter(|index| names[*index] == wanted);
        match (found.next(), found.next()) {
            (None, _) => faults.push(HeaderFault::Missing { wanted, column }),
            (Some(index), None) => indices.push(index),
            (Some(first), Some(second)) => faults.push(HeaderFault::Repeated {
                wanted,
                first,
                second,
                column,
            }),
        }
    }
    RoleColumns {
        indices,
        joined: &column.joined,
    }
}

impl<'l> Columns<'l> {
    /// The columns that give the movement type under `rule`.
    pub fn movement_source(&self, rule: &MovementRule) -> Option<&RoleColumns<'l>> {
        match rule.from {
            MovementFrom::Journal => self.journal.as_ref(),
            MovementFrom::MovementColumn => self.movement.as_ref(),
        }
    }

    /// The only columns whose quoted cells may span lines.
    pub fn multiline(&self) -> &[usize] {
        self.description
            .as_ref()
            .map_or(&[], |description| description.indices.as_slice())
    }
}
