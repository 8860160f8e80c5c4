#!/usr/bin/env python3
"""Deterministic generator of reddition's bundled sample data.

Writes, for three fictional school-service centres (DOMAIN.md §8.8):
  ledgers/<centre>/ouverture-2023-07-01.csv   opening balances, fiscal year 2024
  ledgers/<centre>/grand-livre-2023-2024.csv  prior year, condensed (monthly/quarterly summaries)
  ledgers/<centre>/ouverture-2024-07-01.csv   opening balances, fiscal year 2025 (= closing 2023-2024)
  ledgers/<centre>/grand-livre-2024-2025.csv  current year, detailed postings
  ledgers/<centre>/ajustements-2024-2025.csv  current year, year-end adjusting entries (period 13)
  ledgers/<centre>/interentites-2024-2025.csv current year, transactions with the other centres
  ledgers/<centre>/budget-2024-2025.csv       current year, adopted budget phased by month
  (the anglophone board's files are named opening-*.csv and gl-*.csv)
  reports/centres/<centre>.rdn                structure, format, crosswalk and entity
  reports/centres/reseau.rdn                  the group of the three centres
  reports/crosswalks/<centre>.csv             crosswalk rules kept in a spreadsheet
  ledgers/README.md

Usage (from the repository root):
  python3 ledgers/generate.py            regenerate every file, byte for byte
  python3 ledgers/generate.py --verify   re-read the files as the compiler would and print the figures

Python 3.11 standard library only.  Randomness comes from random.Random with fixed seeds,
amounts are integer cents, nothing depends on the clock, the locale or hash ordering.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import random
import re
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = 20250630

D = dt.date


def fy_bounds(year):
    """Fiscal year named by the year in which it ends."""
    return D(year - 1, 7, 1), D(year, 6, 30)


def fy_months(year):
    return [(year - 1, m) for m in range(7, 13)] + [(year, m) for m in range(1, 7)]


def month_end(y, m):
    if m == 12:
        return D(y, 12, 31)
    return D(y, m + 1, 1) - dt.timedelta(days=1)


def weekday_back(d):
    """Move a weekend date back to the Friday before (stays in the same month when d >= the 3rd)."""
    while d.weekday() >= 5:
        d -= dt.timedelta(days=1)
    return d


def weekday_fwd(d):
    while d.weekday() >= 5:
        d += dt.timedelta(days=1)
    return d


def bday(y, m, day):
    day = min(day, month_end(y, m).day)
    d = D(y, m, day)
    d2 = weekday_fwd(d)
    if d2.month != m:
        d2 = weekday_back(d)
    return d2


def alloc(total, weights):
    """Split integer `total` in proportion to `weights` (largest remainder, ties by index)."""
    if total < 0:
        return [-x for x in alloc(-total, weights)]
    ws = [max(0, int(round(w * 1_000_000))) for w in weights]
    s = sum(ws)
    if s == 0:
        raise ValueError("alloc: all weights are zero")
    base = [total * w // s for w in ws]
    rest = total - sum(base)
    order = sorted(range(len(ws)), key=lambda i: (-((total * ws[i]) % s), i))
    for i in order[:rest]:
        base[i] += 1
    return base


def M(x):
    """Millions of dollars to cents."""
    return int(round(x * 100_000_000))


MOIS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# ---------------------------------------------------------------------------------------------
# Abstract catalogs shared by the three centres.  Each centre spells them in its own codes.
# ---------------------------------------------------------------------------------------------

# activity key: (harmonized code, French label, English label)
ACTS = {
    "presco": (61000, "Éducation préscolaire", "Kindergarten"),
    "prim": (61000, "Enseignement primaire", "Elementary"),
    "sec": (61000, "Enseignement secondaire", "Secondary"),
    "adapt_p": (61010, "Adaptation scolaire – primaire", "Special education – elementary"),
    "adapt_s": (61010, "Adaptation scolaire – secondaire", "Special education – secondary"),
    "fga": (61020, "Formation générale des adultes", "Adult education"),
    "fp": (61030, "Formation professionnelle", "Vocational training"),
    "gest": (62000, "Gestion de l'établissement", "School administration"),
    "compl": (62010, "Services complémentaires", "Student services"),
    "perf": (62020, "Perfectionnement et animation pédagogique", "Professional development"),
    "bibli": (62030, "Bibliothèques et matériel didactique", "Libraries and learning materials"),
    "tiped": (62030, "TI pédagogiques", "Educational technology"),
    "transp": (63000, "Transport scolaire", "Student transportation"),
    "garde": (63010, "Services de garde", "Daycare"),
    "midi": (63020, "Surveillance du midi", "Lunch-hour supervision"),
    "cafe": (63020, "Cafétéria", "Cafeteria"),
    "ca": (64000, "Conseil d'administration et comités", "Council of commissioners"),
    "dg": (64010, "Direction générale et secrétariat général", "Director General and Secretary General"),
    "adm": (64020, "Services administratifs", "Administrative services"),
    "menage": (65000, "Entretien ménager et sécurité", "Custodial services and security"),
    "energie": (65010, "Consommation énergétique", "Energy"),
    "entretien": (65020, "Entretien et réparations", "Maintenance and repairs"),
    "location": (65030, "Location d'immeubles", "Building rentals"),
    "amort": (65040, "Amortissement des immobilisations", "Amortization of capital assets"),
    "entrep": (66000, "Services aux entreprises", "Business services"),
    "int_lt": (66010, "Intérêts sur dettes à long terme", "Interest on long-term debt"),
    "int_ct": (66020, "Intérêts et frais – emprunts temporaires", "Interest and charges – short-term borrowings"),
    "creances": (66030, "Créances douteuses", "Bad debts"),
    "prov": (67000, "Variation des provisions pour avantages sociaux", "Change in employee benefit provisions"),
}

# object key: (nature, channel, French label, English label)
OBJS = {
    "ens": ("N100", "pay", "Enseignants – traitements", "Teachers' salaries"),
    "supp": ("N100", "pay", "Enseignants – suppléance", "Substitute teachers"),
    "prof": ("N110", "pay", "Personnel professionnel", "Professional staff"),
    "sout": ("N120", "pay", "Personnel de soutien", "Support staff"),
    "cadre": ("N130", "pay", "Personnel cadre", "Management"),
    "charges": ("N200", "pay", "Charges sociales et avantages", "Employer contributions and benefits"),
    "depl": ("N300", "inv", "Frais de déplacement", "Travel expenses"),
    "perfo": ("N300", "inv", "Formation et perfectionnement", "Training"),
    "fourn": ("N400", "inv", "Fournitures de bureau", "Office supplies"),
    "didac": ("N400", "inv", "Matériel didactique", "Learning materials"),
    "prodent": ("N400", "stock", "Produits d'entretien", "Custodial supplies"),
    "aliment": ("N400", "inv", "Denrées alimentaires", "Food supplies"),
    "info": ("N400", "inv", "Matériel informatique et licences", "Computer equipment and licences"),
    "honor": ("N500", "inv", "Honoraires professionnels", "Professional fees"),
    "ctransp": ("N500", "inv", "Contrats de transport scolaire", "Transportation contracts"),
    "centr": ("N500", "inv", "Contrats d'entretien", "Maintenance contracts"),
    "elec": ("N500", "inv", "Électricité", "Electricity"),
    "gaz": ("N500", "inv", "Gaz naturel et mazout", "Natural gas and heating oil"),
    "loc": ("N600", "inv", "Location de locaux", "Rentals"),
    "assur": ("N600", "inv", "Assurances", "Insurance"),
    "creirr": ("N600", "special", "Créances irrécouvrables", "Bad debts"),
    "intlt": ("N700", "special", "Intérêts – dette à long terme", "Interest on long-term debt"),
    "intct": ("N700", "special", "Intérêts – marge de crédit", "Interest on line of credit"),
    "fraisb": ("N700", "special", "Frais bancaires", "Bank charges"),
    "amort": ("N800", "special", "Amortissement", "Amortization"),
    "provv": ("N900", "special", "Variation des provisions", "Change in provisions"),
}
SALARY_OBJS = ("ens", "supp", "prof", "sout", "cadre")
SCHOOL_YEAR_ACTS = ("presco", "prim", "sec", "adapt_p", "adapt_s", "garde", "midi", "cafe")
SUMMER_ACCRUAL_ACTS = ("presco", "prim", "sec", "adapt_p", "adapt_s")

# share of the activity's cost by object (before per-unit noise)
ACT_OBJ = {
    "presco": {"ens": .735, "supp": .03, "charges": .225, "didac": .01},
    "prim": {"ens": .71, "supp": .045, "charges": .225, "didac": .02},
    "sec": {"ens": .70, "supp": .045, "charges": .225, "didac": .02, "info": .01},
    "adapt_p": {"ens": .55, "sout": .215, "charges": .225, "didac": .01},
    "adapt_s": {"ens": .56, "sout": .205, "charges": .225, "didac": .01},
    "fga": {"ens": .72, "charges": .22, "didac": .04, "honor": .02},
    "fp": {"ens": .65, "sout": .06, "charges": .22, "didac": .05, "info": .02},
    "gest": {"cadre": .41, "sout": .33, "charges": .22, "fourn": .03, "depl": .01},
    "compl": {"prof": .47, "sout": .30, "charges": .215, "fourn": .015},
    "perf": {"ens": .32, "prof": .26, "charges": .17, "perfo": .20, "honor": .05},
    "bibli": {"sout": .50, "charges": .14, "didac": .36},
    "tiped": {"sout": .46, "charges": .13, "info": .36, "honor": .05},
    "transp": {"sout": .08, "cadre": .02, "charges": .04, "ctransp": .86},
    "garde": {"sout": .745, "charges": .21, "fourn": .045},
    "midi": {"sout": .80, "charges": .19, "fourn": .01},
    "cafe": {"sout": .52, "charges": .14, "aliment": .34},
    "ca": {"cadre": .55, "depl": .15, "honor": .30},
    "dg": {"cadre": .56, "sout": .15, "charges": .21, "honor": .07, "depl": .01},
    "adm": {"cadre": .20, "prof": .20, "sout": .29, "charges": .21, "honor": .035, "fourn": .01, "assur": .055},
    "menage": {"sout": .67, "charges": .19, "prodent": .10, "centr": .04},
    "energie": {"elec": .62, "gaz": .38},
    "entretien": {"sout": .40, "charges": .11, "centr": .40, "fourn": .09},
    "location": {"loc": 1.0},
    "entrep": {"ens": .56, "charges": .16, "didac": .13, "honor": .15},
}
# unit-type overrides of ACT_OBJ
UT_ACT_OBJ = {
    ("school", "entretien"): {"centr": .85, "fourn": .15},
    ("rm", "menage"): {"sout": .30, "charges": .08, "centr": .62},
    ("educ", "compl"): {"prof": .70, "charges": .22, "fourn": .08},
}

# shares of the charges (before the fixed items: amortization, interest, provisions, bad debts)
ACT_W = {
    "presco": .036, "prim": .178, "sec": .168, "adapt_p": .046, "adapt_s": .031, "fga": .018, "fp": .030,
    "gest": .081, "compl": .070, "perf": .013, "bibli": .018, "tiped": .016,
    "transp": .043, "garde": .050, "midi": .011, "cafe": .005,
    "ca": .002, "dg": .010, "adm": .031,
    "menage": .031, "energie": .017, "entretien": .017, "location": .003, "entrep": .003,
}

# unit types and the activities they carry, with the weight factor in the allocation
UT_ACTS = {
    "prim": ["presco", "prim", "adapt_p", "gest", "compl", "bibli", "garde", "midi", "menage", "energie", "entretien"],
    "sec": ["sec", "adapt_s", "gest", "compl", "bibli", "tiped", "cafe", "menage", "energie", "entretien"],
    "fga": ["fga", "gest", "compl", "menage", "energie", "entretien"],
    "fp": ["fp", "gest", "tiped", "entrep", "menage", "energie", "entretien"],
    "dg": ["ca", "dg"],
    "sg": ["dg"],
    "fin": ["adm"],
    "rh": ["adm"],
    "ti": ["adm", "tiped"],
    "rm": ["entretien", "location", "energie", "menage"],
    "transp": ["transp"],
    "educ": ["perf", "compl"],
}
# weight of a service unit in a shared activity, as a multiple of the total size of the schools
SVC_F = {
    ("entretien", "rm"): 3.0, ("energie", "rm"): 0.06, ("menage", "rm"): 0.10, ("compl", "educ"): 0.12,
    ("tiped", "ti"): 0.9, ("adm", "fin"): 0.40, ("adm", "rh"): 0.35, ("adm", "ti"): 0.25,
    ("dg", "dg"): 0.7, ("dg", "sg"): 0.3,
}
# weight factor of a school type in a shared activity
SCH_F = {("entretien", "fga"): 0.6, ("entretien", "fp"): 0.8, ("tiped", "fp"): 1.5, ("gest", "fga"): 0.8,
         ("gest", "fp"): 1.0, ("compl", "fga"): 0.3, ("energie", "sec"): 1.1, ("menage", "sec"): 1.0}

# revenue key: (harmonized code, French label, English label)
REVS = {
    "meq_base": (51000, "Allocations de base – MEQ", "MEQ basic allocations"),
    "subv_fin": (51000, "Subvention de financement – service de la dette", "MEQ financing grant – debt service"),
    "meq_mes": (51010, "Allocations supplémentaires – mesures", "MEQ additional allocations (measures)"),
    "meq_transp": (51020, "Subvention – transport scolaire", "MEQ transportation grant"),
    "equil": (51030, "Subvention d'équilibre fiscal", "Fiscal equalization grant"),
    "meq_adj": (51040, "Ajustements d'exercices antérieurs – MEQ", "MEQ prior-year adjustments"),
    "inv_dir": (51100, "Subvention d'investissement – MEQ", "MEQ capital grant"),
    "amort_sr": (51110, "Amortissement de la subvention d'investissement reportée", "Amortization of deferred capital grants"),
    "omhs": (51120, "Subvention – OMHS", "ARO grant"),
    "autmin": (51200, "Subventions – autres ministères", "Other Quebec government grants"),
    "fed": (51210, "Subventions – gouvernement du Canada", "Government of Canada grants"),
    "munic": (51220, "Contributions – municipalités et fondations", "Municipal and other contributions"),
    "taxe": (52000, "Taxe scolaire", "School tax"),
    "taxe_sup": (52010, "Taxe scolaire – rôles supplémentaires", "School tax – supplementary rolls"),
    "scol": (53000, "Droits de scolarité", "Tuition fees"),
    "garde_f": (54000, "Frais de garde", "Daycare fees"),
    "midi_f": (54010, "Frais de surveillance du midi", "Lunch supervision fees"),
    "cafe_f": (54020, "Ventes – cafétéria", "Cafeteria sales"),
    "entrep_f": (54030, "Services aux entreprises", "Business services revenue"),
    "locat_f": (54040, "Location de locaux", "Facility rentals"),
    "interet": (55000, "Revenus d'intérêts", "Interest income"),
    "dons": (55010, "Dons", "Donations"),
    "gain": (55020, "Gain sur disposition d'immobilisations", "Gain on disposal of capital assets"),
    "autres": (55090, "Revenus divers", "Other revenue"),
}
REV_W = {
    "meq_base": .540, "meq_mes": .074, "meq_transp": .031, "equil": .041, "meq_adj": .004, "inv_dir": .004,
    "autmin": .012, "fed": .002, "munic": .006, "taxe": .086, "taxe_sup": .003, "scol": .008,
    "garde_f": .030, "midi_f": .005, "cafe_f": .004, "entrep_f": .003, "locat_f": .002,
    "interet": .002, "dons": .0006, "autres": .004,
}

# balance-sheet roles: harmonized code, French label, English label
BS_ROLES = {
    "cash": (11000, "Encaisse – compte courant", "Cash – operating account"),
    "cash_pay": (11000, "Encaisse – compte de paie", "Cash – payroll account"),
    "cash_petty": (11000, "Fonds de caisse des établissements", "Petty cash – schools"),
    "st_inv": (11100, "Dépôts à terme", "Term deposits"),
    "rec_meq": (12000, "Subvention de fonctionnement à recevoir – MEQ", "Operating grant receivable – MEQ"),
    "rec_inv": (12010, "Subvention d'investissement à recevoir – MEQ", "Capital grant receivable – MEQ"),
    "rec_fin": (12020, "Subvention de financement à recevoir – MEQ", "Financing grant receivable – MEQ"),
    "rec_omhs": (12030, "Subvention à recevoir – OMHS", "ARO grant receivable"),
    "tax_cur": (12100, "Taxe scolaire à recevoir – exercice courant", "School tax receivable – current year"),
    "tax_prior": (12100, "Taxe scolaire à recevoir – exercices antérieurs", "School tax receivable – prior years"),
    "tax_allow": (12110, "Provision pour créances douteuses – taxe scolaire", "Allowance for doubtful accounts – school tax"),
    "rec_par": (12200, "Débiteurs – parents et usagers", "Accounts receivable – parents and users"),
    "rec_pub": (12210, "Débiteurs – autres organismes publics", "Accounts receivable – public bodies"),
    "rec_tps": (12220, "TPS à recevoir", "GST receivable"),
    "rec_tvq": (12220, "TVQ à recevoir", "QST receivable"),
    "rec_allow": (12290, "Provision pour créances douteuses – débiteurs", "Allowance for doubtful accounts – receivables"),
    "portf": (12300, "Placements de portefeuille", "Portfolio investments"),
    "loc": (21000, "Emprunts temporaires – marge de crédit", "Bank line of credit"),
    "ap": (21100, "Créditeurs – fournisseurs", "Accounts payable – suppliers"),
    "sal": (21110, "Salaires à payer", "Salaries payable"),
    "ded_fed": (21120, "Retenues à la source – fédéral", "Payroll deductions – federal"),
    "ded_prov": (21120, "Retenues et contributions – Québec", "Payroll deductions and contributions – Quebec"),
    "vac": (21130, "Vacances à payer", "Vacation payable"),
    "intacc": (21140, "Intérêts courus à payer", "Accrued interest payable"),
    "def_meq": (21200, "Subventions perçues d'avance – mesures", "Deferred grants – measures"),
    "def_oth": (21210, "Revenus perçus d'avance – droits de scolarité", "Deferred revenue – tuition"),
    "dgrant": (21300, "Subvention d'investissement reportée", "Deferred capital grants"),
    "dcontr": (21310, "Contributions reportées – fondations", "Deferred capital contributions – foundations"),
    "prov_sick": (21400, "Provision – congés de maladie accumulés", "Provision – accumulated sick leave"),
    "prov_ins": (21410, "Provision – assurance-salaire", "Provision – salary insurance"),
    "prov_oth": (21420, "Provision – autres avantages sociaux", "Provision – other employee benefits"),
    "ltd": (21500, "Dettes à long terme – promesse de subvention", "Long-term debt – grant-supported"),
    "ltd_oth": (21510, "Autres dettes à long terme – crédit-bail", "Other long-term debt – capital leases"),
    "aro": (21600, "Obligations liées à la mise hors service", "Asset retirement obligations"),
    "contam": (21700, "Passif au titre des sites contaminés", "Liability for contaminated sites"),
    "third": (21800, "Sommes détenues pour des tiers – fonds à destination spéciale", "Funds held in trust – special purpose funds"),
    "oth_liab": (21900, "Autres passifs – dépôts", "Other liabilities – deposits"),
    "land": (31000, "Terrains", "Land"),
    "land_impr": (31010, "Aménagement des terrains", "Land improvements"),
    "bldg": (31100, "Bâtiments", "Buildings"),
    "bldg_impr": (31110, "Améliorations majeures aux bâtiments", "Major building improvements"),
    "equip": (31200, "Matériel et équipement", "Furniture and equipment"),
    "it": (31210, "Équipement informatique", "Computer equipment"),
    "veh": (31220, "Matériel roulant", "Vehicles"),
    "wip": (31400, "Travaux en cours", "Construction in progress"),
    "soft": (31500, "Développement informatique", "Software development"),
    "aa_land": (31900, "Amortissement cumulé – aménagement des terrains", "Accumulated amortization – land improvements"),
    "aa_bldg": (31910, "Amortissement cumulé – bâtiments", "Accumulated amortization – buildings"),
    "aa_equip": (31920, "Amortissement cumulé – matériel et équipement", "Accumulated amortization – equipment"),
    "aa_soft": (31930, "Amortissement cumulé – développement informatique", "Accumulated amortization – software"),
    "stock": (32000, "Stocks de fournitures", "Inventories of supplies"),
    "prepaid": (32100, "Charges payées d'avance", "Prepaid expenses"),
    "surplus": (41000, "Excédent accumulé", "Accumulated surplus"),
}

# opening balances at 1 July 2023, in M$ for a centre of 300 M$ of revenue (debit positive).
# sal, ded_*, dgrant and surplus are derived (see design_opening).
OPEN_DESIGN = {
    "cash": 3.3, "cash_pay": 0.45, "cash_petty": 0.06, "st_inv": 1.2,
    "rec_meq": 21.5, "rec_inv": 148.0, "rec_fin": 0.45, "rec_omhs": 2.1,
    "tax_cur": 0.65, "tax_prior": 1.0, "tax_allow": -0.30, "rec_par": 1.7, "rec_pub": 2.3,
    "rec_tps": 0.13, "rec_tvq": 0.18, "rec_allow": -0.31, "portf": 0.9,
    "loc": -28.0, "ap": -5.5, "vac": -12.4, "intacc": -0.47, "def_meq": -3.9, "def_oth": -1.1,
    "dcontr": -1.4, "prov_sick": -7.6, "prov_ins": -3.7, "prov_oth": -2.2, "ltd": -186.0, "ltd_oth": -2.3,
    "aro": -9.2, "contam": -0.5, "third": -1.3, "oth_liab": -0.6,
    "land": 12.5, "land_impr": 9.0, "bldg": 298.0, "bldg_impr": 112.0, "equip": 14.2, "it": 9.4, "veh": 1.6,
    "wip": 27.5, "soft": 3.1,
    "aa_land": -3.7, "aa_bldg": -181.0, "aa_equip": -13.1, "aa_soft": -1.6,
    "stock": 1.1, "prepaid": 1.3,
}
AMORT_RATE = {"land_impr": .05, "bldg": .022, "bldg_impr": .03, "equip": .0667, "it": .20, "veh": .125, "soft": .20}
AA_OF = {"land_impr": "aa_land", "bldg": "aa_bldg", "bldg_impr": "aa_bldg", "equip": "aa_equip", "it": "aa_equip",
         "veh": "aa_equip", "soft": "aa_soft"}
CAPITAL_ROLES = ("land", "land_impr", "bldg", "bldg_impr", "equip", "it", "veh", "wip", "soft")


# ---------------------------------------------------------------------------------------------
# Centres
# ---------------------------------------------------------------------------------------------

class Unit:
    def __init__(self, key, utype, name, size=1.0, since=None):
        self.key, self.utype, self.name, self.size, self.since = key, utype, name, size, since

    @property
    def school(self):
        return self.utype in ("prim", "sec", "fga", "fp")


class Centre:
    """What differs between centres: codes, names, language, dialect."""
    id = name = code = lang = ""
    R = {}
    res = {}
    rate_ltd = .031
    sr_ratio = .55
    rev_w_override = {}
    inv_mult = .70

    def __init__(self):
        rng = random.Random(f"{SEED}-{self.id}-units")
        self.units = self.make_units(rng)
        self.scale = self.R[2024] / M(300)

    def T(self, fr, en):
        return fr if self.lang == "fr" else en

    def units_for(self, year):
        return [u for u in self.units if u.since is None or u.since <= year]

    def unit(self, utype):
        return next(u for u in self.units if u.utype == utype)

    # ---- codes ----
    def bs_codes(self, role):
        return [c for c, _ in self.bs_variants(role)]

    def bs(self, role):
        return self.bs_codes(role)[0]

    def bs_variants(self, role):
        """[(local code, share of the role's opening balance)]"""
        return [(self.bs_code(role), 1.0)]

    def variants(self, act, obj, unit):
        """[(mesure or None, object key, share)] for expense lines (centre B splits some by mesure)."""
        return [(None, obj, 1.0)]

    def rev_variants(self, key):
        return [(None, 1.0)]

    def transfer_pairs(self, dst_role):
        return [(self.bs("wip"), self.bs(dst_role), 1.0)]

    def amort_code(self, aa_role):
        raise NotImplementedError

    def special_unit(self, what):
        return {"amort": self.unit("rm"), "int_lt": self.unit("fin"), "int_ct": self.unit("fin"),
                "creances": self.unit("fin"), "prov": self.unit("rh")}[what]

    def rev_units(self, key, units):
        """[(unit or None, weight)] over which a revenue key is spread."""
        prim = [u for u in units if u.utype == "prim"]
        sec = [u for u in units if u.utype == "sec"]
        if key in ("garde_f", "midi_f"):
            return [(u, u.size) for u in prim]
        if key in ("cafe_f", "locat_f"):
            return [(u, u.size) for u in sec]
        if key == "scol":
            return [(self.unit("fga"), .45), (self.unit("fp"), .45), (None, .10)]
        if key == "entrep_f":
            return [(self.unit("fp"), 1.0)]
        return [(None, 1.0)]

    def label(self, role):
        _, fr, en = BS_ROLES[role]
        return self.T(fr, en)


# ---- centre A: DOFIN-like UUU-F-AAAAA-OOO ---------------------------------------------------

A_ACT = {"presco": "11000", "prim": "11010", "sec": "11020", "adapt_p": "12010", "adapt_s": "12020",
         "fga": "13010", "fp": "14010", "gest": "21010", "compl": "22010", "perf": "23010", "bibli": "24010",
         "tiped": "24030", "transp": "31010", "garde": "32010", "midi": "33010", "cafe": "33020", "ca": "41010",
         "dg": "42010", "adm": "43010", "menage": "51010", "energie": "52010", "entretien": "53010",
         "location": "54010", "entrep": "61010", "int_lt": "62010", "int_ct": "63010", "creances": "64010",
         "prov": "71010"}
A_OBJ = {"ens": "110", "supp": "115", "prof": "130", "sout": "140", "cadre": "150", "charges": "210",
         "depl": "310", "perfo": "320", "fourn": "410", "didac": "420", "prodent": "430", "aliment": "440",
         "info": "450", "honor": "510", "ctransp": "520", "centr": "530", "elec": "540", "gaz": "545",
         "loc": "610", "assur": "620", "creirr": "650", "intlt": "710", "intct": "720", "fraisb": "730",
         "amort": "810", "provv": "910"}
A_AMORT = {"aa_land": "55010", "aa_bldg": "55020", "aa_equip": "55030", "aa_soft": "55040"}
A_REV = {"meq_base": "81010", "meq_mes": "81020", "meq_transp": "81030", "equil": "81040", "meq_adj": "81050",
         "subv_fin": "81060", "inv_dir": "82010", "amort_sr": "82020", "omhs": "82030", "autmin": "83010",
         "fed": "83020", "munic": "83030", "garde_f": "84010", "midi_f": "84020", "cafe_f": "84030",
         "entrep_f": "84040", "locat_f": "84050", "taxe": "85010", "taxe_sup": "85020", "scol": "86010",
         "interet": "87010", "dons": "87020", "gain": "87030", "autres": "87090"}
A_BS = {"cash": "1-91010", "cash_pay": "1-91020", "cash_petty": "1-91030", "st_inv": "1-91100",
        "rec_meq": "1-92000", "rec_inv": "2-92010", "rec_fin": "2-92020", "rec_omhs": "2-92030",
        "tax_cur": "1-92100", "tax_prior": "1-92101", "tax_allow": "1-92110", "rec_par": "1-92200",
        "rec_pub": "1-92210", "rec_tps": "1-92220", "rec_tvq": "1-92221", "rec_allow": "1-92290",
        "portf": "1-92300", "loc": "1-93000", "ap": "1-93100", "sal": "1-93110", "ded_fed": "1-93120",
        "ded_prov": "1-93121", "vac": "1-93130", "intacc": "2-93140", "def_meq": "1-93200", "def_oth": "1-93210",
        "dgrant": "2-93300", "dcontr": "2-93310", "prov_sick": "1-93400", "prov_ins": "1-93410",
        "prov_oth": "1-93420", "ltd": "2-93500", "ltd_oth": "2-93510", "aro": "2-93600", "contam": "2-93700",
        "third": "4-93800", "oth_liab": "1-93900", "land": "2-94000", "land_impr": "2-94010", "bldg": "2-94100",
        "bldg_impr": "2-94110", "equip": "2-94200", "it": "2-94210", "veh": "2-94220", "wip": "2-94400",
        "soft": "2-94500", "aa_land": "2-94900", "aa_bldg": "2-94910", "aa_equip": "2-94920",
        "aa_soft": "2-94930", "stock": "1-94600", "prepaid": "1-94610", "surplus": "1-95000"}

A_PRIM = ["École des Pionniers", "École du Versant", "École de la Montagne-Verte", "École des Érables",
          "École du Ruisseau", "École Saint-Joseph", "École des Sentiers", "École Notre-Dame-des-Monts",
          "École du Boisé", "École de l'Arc-en-ciel", "École du Rocher", "École Sainte-Thérèse",
          "École des Trois-Lacs", "École du Plateau-Fleuri", "École de la Vallée", "École des Bouleaux",
          "École du Petit-Prince", "École des Hauts-Bois", "École du Mont-Joli", "École de la Source",
          "École des Mésanges", "École Saint-Michel", "École de la Clairière", "École des Explorateurs",
          "École du Sommet-Bleu", "École des Grands-Vents", "École de la Rivière-aux-Sables"]
A_SEC = ["École secondaire des Sommets", "Polyvalente de la Haute-Vallée", "École secondaire du Versant-Nord",
         "École secondaire de l'Horizon", "École secondaire des Monts-Boisés", "École secondaire La Cordée",
         "Polyvalente du Lac-Clair", "École secondaire Le Tremplin"]


class Sommets(Centre):
    id, name, code, lang = "sommets", "Centre de services scolaire des Sommets", "771", "fr"
    R = {2024: M(302.4), 2025: M(318.9)}
    res = {2024: .0068, 2025: -.0043}
    rate_ltd = .031
    sr_ratio = .55
    dirname = "sommets"
    files = ("ouverture-2023-07-01.csv", "grand-livre-2023-2024.csv", "ouverture-2024-07-01.csv",
             "grand-livre-2024-2025.csv")

    def make_units(self, rng):
        u = [Unit("010", "dg", "Direction générale"), Unit("012", "sg", "Secrétariat général"),
             Unit("020", "fin", "Service des ressources financières"),
             Unit("021", "rh", "Service des ressources humaines"),
             Unit("022", "ti", "Service des technologies de l'information"),
             Unit("030", "rm", "Service des ressources matérielles"),
             Unit("040", "transp", "Service du transport scolaire"), Unit("050", "educ", "Services éducatifs")]
        keys = [f"{201 + i}" for i in range(26)] + ["231"]
        for k, n in zip(keys, A_PRIM):
            u.append(Unit(k, "prim", n, rng.uniform(.6, 1.5)))
        u.append(Unit("236", "prim", "École du Belvédère", .9, since=2025))
        for i, n in enumerate(A_SEC):
            u.append(Unit(f"{301 + i}", "sec", n, rng.uniform(2.6, 4.4)))
        u.append(Unit("401", "fga", "Centre d'éducation des adultes des Sommets", 1.5))
        u.append(Unit("451", "fp", "Centre de formation professionnelle des Sommets", 2.0))
        # the unit of the DOMAIN example: 231 = École des Cimes
        for x in u:
            if x.key == "231":
                x.name = "École des Cimes"
        return u

    def bs_code(self, role):
        f, a = A_BS[role].split("-")
        return f"000-{f}-{a}-000"

    def pl_code(self, act, obj, unit, mesure=None, sub=None):
        if act == "amort":
            return f"{unit.key}-2-{A_AMORT[sub]}-{A_OBJ[obj]}"
        a = A_ACT[act]
        if act == "gest" and unit.utype in ("fga", "fp"):
            a = "21020"
        return f"{unit.key}-1-{a}-{A_OBJ[obj]}"

    def amort_code(self, aa_role):
        return self.pl_code("amort", "amort", self.special_unit("amort"), sub=aa_role)

    def rev_code(self, key, unit=None, mesure=None):
        f = "2" if key in ("inv_dir", "amort_sr", "omhs", "gain") else "4" if key == "dons" else "1"
        return f"{unit.key if unit else '000'}-{f}-{A_REV[key]}-000"


# ---- centre B: F.AAAA.OOOO.UUU[-MMMMM] ------------------------------------------------------

B_ACT = {"presco": "1110", "prim": "1100", "sec": "1200", "adapt_p": "1300", "adapt_s": "1310", "fga": "1400",
         "fp": "1500", "gest": "2100", "compl": "2200", "perf": "2300", "bibli": "2400", "tiped": "2420",
         "transp": "3100", "garde": "3200", "midi": "3300", "cafe": "3320", "ca": "4100", "dg": "4200",
         "adm": "4300", "menage": "5100", "energie": "5200", "entretien": "5300", "location": "5400",
         "amort": "5500", "entrep": "6100", "int_lt": "6200", "int_ct": "6300", "creances": "6400", "prov": "7100"}
B_OBJ = {k: "0" + v for k, v in A_OBJ.items()}
B_REV = {"meq_base": ("1", "0000", "8100"), "meq_mes": ("1", "0000", "8110"), "meq_transp": ("1", "0000", "8120"),
         "equil": ("1", "0000", "8130"), "meq_adj": ("1", "0000", "8140"), "subv_fin": ("1", "0000", "8150"),
         "inv_dir": ("2", "0000", "8200"), "amort_sr": ("2", "0000", "8210"), "omhs": ("2", "0000", "8220"),
         "autmin": ("1", "0000", "8300"), "fed": ("1", "0000", "8310"), "munic": ("1", "0000", "8320"),
         "taxe": ("1", "0000", "8400"), "taxe_sup": ("1", "0000", "8410"), "scol": ("1", "1400", "8500"),
         "garde_f": ("1", "3200", "8600"), "midi_f": ("1", "3300", "8610"), "cafe_f": ("1", "3320", "8620"),
         "entrep_f": ("1", "6100", "8630"), "locat_f": ("1", "5400", "8640"), "interet": ("1", "0000", "8700"),
         "dons": ("3", "0000", "8710"), "gain": ("2", "0000", "8720"), "autres": ("1", "0000", "8790")}
B_BS = {"cash": "1.1010", "cash_pay": "1.1011", "cash_petty": "1.1012", "st_inv": "1.1100", "rec_meq": "1.1200",
        "rec_inv": "2.1201", "rec_fin": "2.1202", "rec_omhs": "2.1203", "tax_cur": "1.1210", "tax_prior": "1.1211",
        "tax_allow": "1.1219", "rec_par": "1.1220", "rec_pub": "1.1221", "rec_tps": "1.1222", "rec_tvq": "1.1223",
        "rec_allow": "1.1229", "portf": "1.1230", "loc": "1.2000", "ap": "1.2100", "sal": "1.2110",
        "ded_fed": "1.2120", "ded_prov": "1.2121", "vac": "1.2130", "intacc": "2.2140", "def_meq": "1.2200",
        "def_oth": "1.2210", "dgrant": "2.2300", "dcontr": "2.2310", "prov_sick": "1.2400", "prov_ins": "1.2410",
        "prov_oth": "1.2420", "ltd": "2.2500", "ltd_oth": "2.2510", "aro": "2.2600", "contam": None,
        "third": "3.2800", "oth_liab": "1.2900", "land": "2.3000", "land_impr": "2.3010", "bldg": "2.3100",
        "bldg_impr": "2.3110", "equip": "2.3120", "it": "2.3121", "veh": "2.3122", "wip": "2.3140",
        "soft": "2.3150", "aa_land": "2.3190", "aa_bldg": "2.3191", "aa_equip": "2.3192", "aa_soft": "2.3193",
        "stock": "1.3200", "prepaid": "1.3210", "surplus": "1.4000"}
B_CAP_MES = {"wip": [(None, .6), ("50620", .25), ("50730", .15)],
             "bldg_impr": [(None, .8), ("50620", .13), ("50730", .07)],
             "equip": [(None, .85), ("30811", .15)], "it": [(None, .9), ("30812", .10)]}

B_PRIM = ["École de la Rivière", "École des Hauts-Fonds", "École du Méandre", "École des Saules", "École des Rapides",
          "École Sainte-Marie", "École de la Passerelle", "École du Quai", "École des Berges", "École du Moulin",
          "École de l'Anse", "École des Cascades", "École Saint-Jean-Baptiste", "École de la Chute",
          "École des Nénuphars", "École du Portage", "École des Castors", "École de l'Estuaire", "École du Ruisselet",
          "École Notre-Dame-du-Nord", "École des Hérons", "École de la Digue", "École des Îles", "École du Gué"]
B_SEC = ["École secondaire de la Rivière-du-Nord", "Polyvalente des Berges", "École secondaire du Confluent",
         "École secondaire des Rapides", "Polyvalente Saint-Jérôme-du-Nord", "École secondaire de l'Écluse"]
B_MES_REV = [(None, .58), ("15313", .14), ("30010", .08), ("30011", .06), ("30811", .07), ("30812", .07)]


class Riviere(Centre):
    id, name, code, lang = "riviere", "Centre de services scolaire de la Rivière-du-Nord", "772", "fr"
    R = {2024: M(268.1), 2025: M(281.6)}
    res = {2024: -.0031, 2025: .0082}
    rate_ltd = .029
    sr_ratio = .60
    inv_mult = .88
    dirname = "riviere"
    files = ("ouverture-2023-07-01.csv", "grand-livre-2023-2024.csv", "ouverture-2024-07-01.csv",
             "grand-livre-2024-2025.csv")

    def make_units(self, rng):
        u = [Unit("901", "dg", "Direction générale"), Unit("902", "sg", "Secrétariat général"),
             Unit("910", "fin", "Service des ressources financières"),
             Unit("911", "rh", "Service des ressources humaines"),
             Unit("912", "ti", "Service des technologies de l'information"),
             Unit("920", "rm", "Service des ressources matérielles"),
             Unit("930", "transp", "Service du transport scolaire"), Unit("940", "educ", "Services éducatifs")]
        nums = (1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 21, 22, 24, 25, 27, 31, 33, 36, 41, 45, 52)
        for k, n in zip(nums, B_PRIM):
            u.append(Unit(f"{k:03d}", "prim", n, rng.uniform(.6, 1.5)))
        for i, n in enumerate(B_SEC):
            u.append(Unit(f"{60 + i:03d}", "sec", n, rng.uniform(2.6, 4.4)))
        u.append(Unit("101", "fga", "Centre d'éducation des adultes du Nord", 1.4))
        u.append(Unit("102", "fp", "Centre de formation professionnelle des Rivières", 1.9))
        return u

    def bs_code(self, role):
        f, o = B_BS[role].split(".")
        return f"{f}.0000.{o}.000"

    def bs_variants(self, role):
        if B_BS.get(role) is None:
            return []
        base = self.bs_code(role)
        if role in B_CAP_MES:
            return [(base + (f"-{m}" if m else ""), s) for m, s in B_CAP_MES[role]]
        return [(base, 1.0)]

    def transfer_pairs(self, dst_role):
        if dst_role == "bldg_impr":
            return [(self.bs("wip") + s, self.bs("bldg_impr") + s, w)
                    for s, w in (("", .6), ("-50620", .25), ("-50730", .15))]
        return [(self.bs("wip"), self.bs(dst_role), 1.0)]

    def variants(self, act, obj, unit):
        prim = [u.key for u in self.units if u.utype == "prim"]
        sec = [u.key for u in self.units if u.utype == "sec"]
        if act == "adapt_p" and obj == "ens" and unit.key in prim[:7]:
            return [(None, obj, .75), ("15313", obj, .25)]
        if act == "adapt_s" and obj == "ens" and unit.key in sec[:2]:
            return [(None, obj, .8), ("15313", obj, .2)]
        if act == "prim" and obj == "didac" and unit.key in ("052", "003", "014", "027"):
            return [(None, obj, .7), ("30811", "fourn", .3)]
        if act == "garde" and obj == "sout" and unit.key in prim[:6]:
            return [(None, obj, .9), ("30011", obj, .1)]
        if act == "garde" and obj == "fourn" and unit.key in prim[:6]:
            return [(None, obj, .6), ("30010", obj, .4)]
        if act == "tiped" and obj == "info" and unit.utype == "ti":
            return [(None, obj, .8), ("30812", obj, .2)]
        return [(None, obj, 1.0)]

    def rev_variants(self, key):
        return B_MES_REV if key == "meq_mes" else [(None, 1.0)]

    def pl_code(self, act, obj, unit, mesure=None, sub=None):
        f = "2" if act in ("amort", "int_lt") else "1"
        return f"{f}.{B_ACT[act]}.{B_OBJ[obj]}.{unit.key}" + (f"-{mesure}" if mesure else "")

    def amort_code(self, aa_role):
        return self.pl_code("amort", "amort", self.special_unit("amort"))

    def rev_code(self, key, unit=None, mesure=None):
        f, a, o = B_REV[key]
        return f"{f}.{a}.{o}.{unit.key if unit else '000'}" + (f"-{mesure}" if mesure else "")


# ---- centre C: GL natural account + cost centre ----------------------------------------------

C_FUNC = {"presco": "10", "prim": "11", "sec": "12", "adapt_p": "14", "adapt_s": "15", "fga": "16", "fp": "17",
          "gest": "21", "compl": "22", "perf": "23", "bibli": "24", "tiped": "25", "transp": "31", "garde": "32",
          "midi": "33", "cafe": "34", "ca": "41", "dg": "42", "adm": "43", "menage": "51", "energie": "52",
          "entretien": "53", "location": "54", "amort": "55", "entrep": "61", "int_lt": "62", "int_ct": "63",
          "creances": "64", "prov": "71"}
C_OBJ = {"ens": "100", "supp": "110", "prof": "150", "sout": "200", "cadre": "300", "charges": "400",
         "depl": "500", "perfo": "510", "fourn": "600", "didac": "610", "prodent": "620", "aliment": "630",
         "info": "640", "honor": "700", "ctransp": "720", "centr": "730", "elec": "740", "gaz": "750",
         "loc": "800", "assur": "810", "creirr": "850", "intlt": "860", "intct": "870", "fraisb": "880",
         "amort": "900", "provv": "950"}
C_REV = {"meq_base": "401000", "subv_fin": "401500", "meq_mes": "402000", "meq_transp": "403000",
         "equil": "404000", "meq_adj": "405000", "inv_dir": "411000", "amort_sr": "412000", "omhs": "413000",
         "autmin": "421000", "fed": "422000", "munic": "423000", "taxe": "431000", "taxe_sup": "432000",
         "scol": "441000", "garde_f": "451000", "midi_f": "452000", "cafe_f": "453000", "entrep_f": "454000",
         "locat_f": "455000", "interet": "461000", "dons": "462000", "gain": "463000", "autres": "469000"}
C_BS = {"cash": "101000", "cash_pay": "101100", "cash_petty": "101200", "st_inv": "102000", "rec_meq": "111000",
        "rec_inv": "111100", "rec_fin": "111200", "rec_omhs": "111300", "tax_cur": "112000", "tax_prior": "112010",
        "tax_allow": "112900", "rec_par": "113000", "rec_pub": "113100", "rec_tps": "113500", "rec_tvq": "113510",
        "rec_allow": "113900", "portf": "114000", "loc": "201000", "ap": "210000", "sal": "211000",
        "ded_fed": "212000", "ded_prov": "212100", "vac": "213000", "intacc": "214000", "def_meq": "220000",
        "def_oth": "221000", "dgrant": "230000", "dcontr": "231000", "prov_sick": "240000", "prov_ins": "241000",
        "prov_oth": "242000", "ltd": "250000", "ltd_oth": "251000", "aro": "260000", "contam": None,
        "third": "280000", "oth_liab": "290000", "land": "161000", "land_impr": "161100", "bldg": "162000",
        "bldg_impr": "162100", "equip": "163000", "it": "163100", "veh": "163200", "wip": "164000",
        "soft": "165000", "aa_land": "169100", "aa_bldg": "169200", "aa_equip": "169300", "aa_soft": "169500",
        "stock": "170000", "prepaid": "171000", "surplus": "300000"}
C_ELEM = ["Maple Grove Elementary", "Cedar Park Elementary", "Riverview Elementary", "Willow Creek Elementary",
          "Beacon Hill Elementary", "Lakeside Heights Elementary", "Pine Ridge Elementary",
          "St. Patrick's Elementary", "Birchwood Elementary", "Valley Road Elementary", "Harbour View Elementary",
          "Orchard Hill Elementary", "Sunnydale Elementary", "Evergreen Elementary", "Greenfield Elementary",
          "Mountainview Elementary", "Westwood Elementary", "Heritage Elementary", "Clearwater Elementary",
          "Forest Hill Elementary"]
C_HIGH = ["Lakeshore Valley Regional High School", "Riverdale Heights High School", "Northview High School",
          "Bayview High School", "Hillcrest Academy", "Glenwood High School", "Summit Ridge High School"]


class Lakeshore(Centre):
    id, name, code, lang = "lakeshore", "Lakeshore Valley School Board", "881", "en"
    R = {2024: M(256.2), 2025: M(268.9)}
    res = {2024: .0054, 2025: -.0022}
    rate_ltd = .033
    sr_ratio = .50
    rev_w_override = {"fed": .007, "scol": .010, "taxe": .084}
    inv_mult = 1.05
    dirname = "lakeshore"
    files = ("opening-2023-07-01.csv", "gl-2023-2024.csv", "opening-2024-07-01.csv", "gl-2024-2025.csv")

    def make_units(self, rng):
        u = [Unit("9010", "dg", "Director General's Office"), Unit("9020", "sg", "Secretary General"),
             Unit("9040", "fin", "Financial Services"), Unit("9050", "rh", "Human Resources"),
             Unit("9060", "ti", "Information Technology"), Unit("9070", "rm", "Material Resources"),
             Unit("9080", "transp", "Transportation Services"), Unit("9090", "educ", "Educational Services")]
        for i, n in enumerate(C_ELEM):
            u.append(Unit(f"{1010 + 10 * i}", "prim", n, rng.uniform(.5, 1.3)))
        for i, n in enumerate(C_HIGH):
            u.append(Unit(f"{2010 + 10 * i}", "sec", n, rng.uniform(2.2, 4.0)))
        u.append(Unit("3010", "fga", "Lakeshore Valley Adult Education Centre", 1.3))
        u.append(Unit("3110", "fp", "Valley Vocational Training Centre", 2.2))
        return u

    def bs_code(self, role):
        return f"{C_BS[role]}/CC-0000"

    def bs_variants(self, role):
        return [] if C_BS.get(role) is None else [(self.bs_code(role), 1.0)]

    def pl_code(self, act, obj, unit, mesure=None, sub=None):
        return f"5{C_FUNC[act]}{C_OBJ[obj]}/CC-{unit.key}"

    def amort_code(self, aa_role):
        return self.pl_code("amort", "amort", self.special_unit("amort"))

    def rev_code(self, key, unit=None, mesure=None):
        return f"{C_REV[key]}/CC-{unit.key if unit else '0000'}"


CENTRES = [Sommets(), Riviere(), Lakeshore()]


# ---------------------------------------------------------------------------------------------
# Names used in descriptions
# ---------------------------------------------------------------------------------------------

SUPPLIERS = {
    "fr": {
        "elec": ["Hydro-Québec"],
        "gaz": ["Distribution gazière du Québec", "Pétroles Lacasse et fils"],
        "ctransp": ["Autobus Dufresne inc.", "Transport scolaire Gagnon et fils", "Autocars L'Étoile",
                    "Berlines Lemay inc.", "Autobus du Nord ltée"],
        "aliment": ["Aliments Fraîcheur inc.", "Distribution alimentaire Gagné"],
        "loc": ["Fabrique de la paroisse Saint-Joseph", "Immeubles Belle-Vue inc."],
        "assur": ["Mutuelle des organismes scolaires du Québec"],
        "didac": ["Librairie Le Signet inc.", "Éditions pédagogiques du Nord", "Matériel éducatif Boréal",
                  "Groupe Didacto inc."],
        "fourn": ["Papeterie L'Écolier inc.", "Bureau Plus Québec", "Fournitures de bureau Lemieux"],
        "info": ["Informatique Mégaparc inc.", "Solutions TI Horizon", "Micro-Boutique des Cantons"],
        "honor": ["Raymond, Tremblay S.E.N.C.R.L.", "Lavoie avocats inc.", "Groupe conseil Équinoxe",
                  "Bélanger, Roy architectes"],
        "centr": ["Entretien Immeubles Pro-Net", "Ascenseurs Côté inc.", "Protection incendie Vigilance",
                  "Déneigement Boucher et fils", "Ventilation Laurentide inc."],
        "depl": ["Remboursement de frais – personnel"],
        "perfo": ["Formation continue Apex", "Association québécoise des enseignants", "Université du Nord"],
        "stock": ["Produits sanitaires Lépine", "Distribution Sani-Pro inc."],
        "construction": ["Construction Bélanger inc.", "Les Entreprises Gagnon & Frères", "Constructions Sommet ltée",
                         "Toitures Laval-Nord inc.", "Groupe Axor construction"],
        "equip": ["Mobilier scolaire Harvey", "Équipements Labo-Sciences", "Informatique Mégaparc inc.",
                  "Camions Lussier ltée", "Aménagements extérieurs Jardin-Plus"],
    },
    "en": {
        "elec": ["Hydro-Québec"],
        "gaz": ["Quebec Gas Distribution", "Valley Fuel Oil Ltd."],
        "ctransp": ["Valley Bus Lines Inc.", "Lakeshore Student Transport", "Murphy & Sons Coach Lines",
                    "Westshore Minibus Ltd."],
        "aliment": ["Fresh Harvest Foods Inc.", "Lakeshore Food Distributors"],
        "loc": ["St. Andrew's United Church", "Valley Properties Inc."],
        "assur": ["School Boards Mutual Insurance"],
        "didac": ["Learning Resources Canada", "Northern Educational Publishers", "Classroom Depot Inc."],
        "fourn": ["Office Central Ltd.", "Valley Stationers", "Paper Plus Inc."],
        "info": ["TechSource Quebec Inc.", "ByteWorks Solutions", "Digital Classroom Ltd."],
        "honor": ["Smith, Tremblay LLP", "O'Brien Legal Inc.", "Northfield Consulting Group",
                  "Harris & Roy Architects"],
        "centr": ["ProClean Building Services", "Valley Elevators Inc.", "SafeGuard Fire Protection",
                  "Snow King Removal", "Lakeshore HVAC Ltd."],
        "depl": ["Staff expense claims"],
        "perfo": ["Apex Training Inc.", "Quebec Provincial Association of Teachers", "Northern University"],
        "stock": ["CleanPro Supplies Inc.", "Sani-Max Distribution"],
        "construction": ["McAllister Construction Inc.", "Valley Builders Ltd.", "Roofing Experts of Quebec",
                         "Summit General Contractors"],
        "equip": ["School Furniture Direct", "LabTech Equipment", "TechSource Quebec Inc.", "Valley Truck Centre",
                  "GreenScape Landscaping"],
    },
}
MUNICIPALITIES = {
    "sommets": ["Ville de Mont-Sommet", "Municipalité de Saint-Élie-des-Monts", "Ville de Val-des-Cimes",
                "Municipalité de Sainte-Agathe-du-Lac", "Canton de Hautbois", "Municipalité de Notre-Dame-des-Neiges",
                "Ville de Lac-Argenté", "Municipalité de Saint-Adrien-des-Crêtes", "Municipalité du Versant",
                "Ville de Pic-Rouge", "Municipalité de Saint-Rémi-des-Bois", "Paroisse de Saint-Ours-du-Mont"],
    "riviere": ["Ville de Saint-Jérôme-du-Nord", "Municipalité de Sainte-Anne-des-Rapides", "Ville de Rivière-Claire",
                "Municipalité de Saint-Colomban-des-Berges", "Ville de Val-du-Portage", "Municipalité de L'Anse-aux-Saules",
                "Municipalité de Saint-Hippolyte-du-Gué", "Ville de Prévost-Nord", "Municipalité de Sainte-Sophie-des-Îles",
                "Municipalité de Lac-Héron"],
    "lakeshore": ["City of Lakeshore Valley", "Town of Beacon Point", "Municipality of Cedar Bay", "Town of Riverdale",
                  "Village of Pine Harbour", "Municipality of Westshore", "Town of Northview", "City of Glenwood"],
}
PROJECTS = {
    "fr": ["Agrandissement – {s}", "Réfection de la toiture – {s}", "Remplacement des fenêtres – {s}",
           "Mise aux normes de la ventilation – {s}", "Réaménagement des laboratoires – {s}",
           "Construction d'un gymnase – {s}", "Réfection de la maçonnerie – {s}"],
    "en": ["Addition – {s}", "Roof replacement – {s}", "Window replacement – {s}", "Ventilation upgrade – {s}",
           "Science lab renovation – {s}", "New gymnasium – {s}", "Masonry repairs – {s}"],
}
PURCHASES = {
    "equip": ("Mobilier et équipement", "Furniture and equipment"),
    "it": ("Portables et tableaux numériques", "Laptops and interactive displays"),
    "veh": ("Camion de service", "Service truck"),
    "soft": ("Développement – système de gestion", "Software development – management system"),
    "land_impr": ("Aménagement de la cour d'école", "Schoolyard improvements"),
    "bldg_impr": ("Travaux d'amélioration", "Improvement works"),
}

PROFILES = {  # weights by fiscal month, July first
    "flat": [1] * 12,
    "school": [.2, .8, 1.3, 1.1, 1, .9, 1.1, 1, 1, 1, .9, .6],
    "winter": [1, 1, .9, 1, 1.2, 1.4, 1.6, 1.5, 1.3, 1.1, .9, .9],
    "heat": [0, 0, .2, .8, 1.3, 1.6, 1.8, 1.6, 1.2, .7, .2, 0],
    "sepjun": [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, .8],
    "didac": [.3, 2, 1.5, .8, .5, .3, 1, .6, .5, .4, .3, .2],
    "summer": [1.5, 1.5, 1, .8, .8, .7, .7, .7, .8, .9, 1, 1.2],
    "ins": [5, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0],
    "works": [2.2, 2.4, 1, .7, .6, .4, .3, .3, .4, .6, .9, 1.6],
}
# invoice lines per code: (min, max, profile, payment terms in days, taxable, one invoice per supplier and month)
INV_SPEC = {
    "elec": (12, 12, "winter", 21, True, True), "gaz": (9, 9, "heat", 21, True, True),
    "ctransp": (10, 10, "sepjun", 30, False, True), "aliment": (10, 10, "sepjun", 15, False, True),
    "loc": (12, 12, "flat", 30, False, True), "assur": (2, 2, "ins", 30, False, False),
    "didac": (4, 10, "didac", 30, True, False), "fourn": (3, 8, "school", 30, True, False),
    "info": (2, 5, "didac", 30, True, False), "honor": (3, 7, "flat", 30, True, False),
    "centr": (4, 9, "summer", 30, True, False), "depl": (3, 8, "school", 15, False, False),
    "perfo": (3, 6, "school", 30, True, False),
}


# ---------------------------------------------------------------------------------------------
# One fiscal year of postings
# ---------------------------------------------------------------------------------------------

def pay_dates(year):
    start, end = fy_bounds(year)
    d, out = D(2023, 7, 6), []
    while d <= end:
        if d >= start:
            out.append(d)
        d += dt.timedelta(days=14)
    return out


def thursdays(year):
    start, end = fy_bounds(year)
    d = start + dt.timedelta(days=(3 - start.weekday()) % 7)
    out = []
    while d <= end:
        out.append(d)
        d += dt.timedelta(days=7)
    return out


class YearGen:
    def __init__(self, cen, year, opening):
        self.c, self.y = cen, year
        self.rng = random.Random(f"{SEED}-{cen.id}-{year}")
        self.start, self.end = fy_bounds(year)
        self.months = fy_months(year)
        self.open = dict(opening)
        self.entries = []
        self.adjc = defaultdict(int)   # debits already posted on charge codes by special entries
        self.adjr = defaultdict(int)   # credits already posted on revenue codes by special entries
        self.Tc, self.Tr, self.meta, self.rmeta = {}, {}, {}, {}
        self.units = cen.units_for(year)
        self.ap_items = []             # (due date, amount, description)
        self.s = cen.scale * (1.0 if year == 2024 else 1.045)

    # ---- helpers ----
    def T(self, fr, en):
        return self.c.T(fr, en)

    def o(self, role):
        return sum(self.open.get(code, 0) for code in self.c.bs_codes(role))

    def bs(self, role):
        return self.c.bs(role)

    def U(self, a, b):
        return self.rng.uniform(a, b)

    def mlabel(self, y, m):
        return f"{MOIS[m - 1]} {y}" if self.c.lang == "fr" else f"{MONTHS[m - 1]} {y}"

    def post(self, date, jkey, lines, mvt=None, tag=None):
        ls = []
        for ln in lines:
            code, amt, desc = ln[0], ln[1], ln[2]
            typed = ln[3] if len(ln) > 3 else False
            if amt:
                ls.append((code, amt, desc, typed))
        assert sum(x[1] for x in ls) == 0, (jkey, date, ls)
        assert self.start <= date <= self.end, (jkey, date)
        assert ls, (jkey, date)
        self.entries.append({"date": date, "j": jkey, "lines": ls, "mvt": mvt, "tag": tag, "n": len(self.entries)})

    def rand_bday(self, y, m, lo=1, hi=28):
        return bday(y, m, self.rng.randint(lo, hi))

    def ap_item(self, date, days, amount, desc):
        """An amount to pay at date + days; desc is the payment line's description."""
        self.ap_items.append((date + dt.timedelta(days=days), amount, desc))

    # ---- plan ----
    def run(self):
        c = self.c
        R = c.R[self.y]
        res = int(round(R * c.res[self.y]))
        Ctot = R - res
        self.R, self.Ctot = R, Ctot
        self.plan_capital()
        self.plan_debt(Ctot)
        self.plan_misc(R)
        self.alloc_revenues(R)
        self.plan_receivables()
        self.alloc_charges(Ctot)
        self.plan_adjustments()
        self.emit_reversals()
        self.emit_payroll()
        self.emit_invoices()
        self.emit_stock()
        self.emit_revenues()
        self.emit_collections()
        self.emit_capital()
        self.emit_debt()
        self.emit_yearend()
        self.emit_misc()
        self.emit_ap_payments()
        self.emit_tax_refunds()
        self.cash_plug()
        self.entries.sort(key=lambda e: (e["date"], e["n"]))
        return self

    def plan_capital(self):
        s, y = self.s, self.y
        gross = {r: self.o(r) for r in CAPITAL_ROLES}
        self.amort = {}
        for r, rate in AMORT_RATE.items():
            a = int(round(gross[r] * rate * self.U(.985, 1.015)))
            self.amort[AA_OF[r]] = self.amort.get(AA_OF[r], 0) + a
        self.amort_total = sum(self.amort.values())
        acq = {"wip": 17.0, "bldg_impr": 2.2, "equip": 2.0, "it": 2.6, "veh": .25, "soft": .4, "land_impr": .5}
        if y == 2025:
            acq["land"] = 1.1
        self.acq = {r: M(v * s * self.U(.93, 1.07)) for r, v in acq.items()}
        if y == 2024:
            tr = [(D(2023, 8, 31), "bldg_impr", 8.5), (D(2024, 6, 28), "bldg_impr", 6.0)]
            disp = [("veh", .09, .085, .007, "Vente d'un camion de service", "Sale of a service truck"),
                    ("it", .35, .35, .018, "Vente d'un lot d'ordinateurs désuets", "Sale of obsolete computers"),
                    ("land", .22, 0, .19, "Vente d'une parcelle de terrain excédentaire", "Sale of surplus land parcel")]
        else:
            tr = [(D(2024, 8, 30), "bldg", 13.0), (D(2025, 6, 30), "bldg_impr", 5.5)]
            disp = [("veh", .11, .10, .006, "Vente d'une fourgonnette", "Sale of a van"),
                    ("it", .42, .42, .021, "Vente d'un lot de tablettes désuètes", "Sale of obsolete tablets"),
                    ("bldg", 1.8, 1.65, .28, "Vente de l'ancien centre administratif", "Sale of the former annex building")]
        self.transfers = [(d, r, M(v * s * self.U(.95, 1.05))) for d, r, v in tr]
        self.disposals = []
        for role, cost, aa, gain, fr, en in disp:
            k = M(cost * s)
            a = min(k, M(aa * s))
            g = M(gain * s * self.U(.9, 1.1))
            self.disposals.append((role, k, a, g, k - a + g, self.T(fr, en)))
        self.gain_total = sum(d[3] for d in self.disposals)

    def plan_debt(self, Ctot):
        s = self.s
        L0 = -self.o("ltd")
        self.repay = int(round(L0 * .082 * self.U(.97, 1.03)))
        self.borrow = int(round(sum(self.acq.values()) * .88))
        self.int_ltd = int(round(self.c.rate_ltd * (L0 + .5 * self.borrow - .5 * self.repay)))
        LO0 = -self.o("ltd_oth")
        self.repay_oth = int(round(LO0 * .15))
        self.borrow_oth = M(.2 * s) if self.y == 2024 else M(.3 * s)
        self.int_lt_total = self.int_ltd + int(round(.045 * LO0))
        self.intct = int(round(.0022 * Ctot * self.U(.9, 1.1)))
        self.fraisb = int(round(.00025 * Ctot))

    def plan_misc(self, R):
        U = self.U
        self.omhs_x = int(round(.0015 * R * U(.9, 1.1)))
        self.aro_settle = int(round(.5 * self.omhs_x))
        self.omhs_rcpt = int(round(.5 * self.o("rec_omhs")))
        sick, ins, oth = -self.o("prov_sick"), -self.o("prov_ins"), -self.o("prov_oth")
        self.pay_sick = int(round(sick * .07))
        self.pay_ins = int(round(ins * .25))
        self.prov_charges = {"prov_sick": self.pay_sick + int(round(sick * .035 * U(.8, 1.2))),
                             "prov_ins": self.pay_ins + int(round(ins * .02 * U(.8, 1.2))),
                             "prov_oth": int(round(oth * .03 * U(.8, 1.2)))}
        self.prov_total = sum(self.prov_charges.values())
        self.vac_delta = int(round(-self.o("vac") * .035 * U(.8, 1.2)))
        self.P0 = self.o("prepaid")
        self.P1 = int(round(self.P0 * 1.04 * U(.97, 1.03)))
        self.S0 = -self.o("sal")
        self.D0m = -self.o("def_meq")
        self.D1m = int(round(self.D0m * 1.05 * U(.95, 1.05)))
        self.D0t = -self.o("def_oth")
        self.D1t = int(round(self.D0t * 1.04 * U(.97, 1.03)))
        self.stock_K = int(round(self.o("stock") * 1.03 * U(.97, 1.03)))

    def alloc_revenues(self, R):
        c = self.c
        fixed = {"subv_fin": self.int_ltd, "amort_sr": int(round(self.amort_total * c.sr_ratio)),
                 "omhs": self.omhs_x, "gain": self.gain_total}
        w = dict(REV_W)
        w.update(c.rev_w_override)
        keys = list(w)
        amts = alloc(R - sum(fixed.values()), [w[k] * self.U(.97, 1.03) for k in keys])
        self.rev_amt = dict(zip(keys, amts))
        self.rev_amt.update(fixed)
        for key in REVS:
            amt = self.rev_amt[key]
            us = c.rev_units(key, self.units)
            parts = alloc(amt, [wt * self.U(.9, 1.1) for _, wt in us])
            for (u, _), p in zip(us, parts):
                vs = c.rev_variants(key)
                for (mes, _), p2 in zip(vs, alloc(p, [sh for _, sh in vs])):
                    code = c.rev_code(key, u, mes)
                    self.Tr[code] = self.Tr.get(code, 0) + p2
                    self.rmeta[code] = (key, u, mes)

    def rev_codes(self, key):
        return [code for code, m in self.rmeta.items() if m[0] == key]

    def plan_receivables(self):
        ra, U = self.rev_amt, self.U
        accr = sum(ra[k] for k in ("meq_base", "meq_mes", "meq_transp", "equil", "meq_adj")) - self.D0m + self.D1m
        self.K_meq = int(round(self.o("rec_meq") * U(1.02, 1.07)))
        self.coll_meq = self.o("rec_meq") + accr - self.K_meq
        self.K_taxcur = int(round(.022 * ra["taxe"] * U(.9, 1.1)))
        self.coll_taxcur = ra["taxe"] + ra["taxe_sup"] - self.K_taxcur
        P = self.o("tax_prior") + self.o("tax_cur")
        self.W_tax = int(round(.12 * P))
        self.coll_prior = int(round(.55 * P))
        K_prior = P - self.W_tax - self.coll_prior
        K_at = int(round(.45 * K_prior + .02 * self.K_taxcur))
        self.charge_tax = K_at - (-self.o("tax_allow") - self.W_tax)
        bill_par = ra["garde_f"] + ra["midi_f"] + ra["scol"] - self.D0t
        K_p = int(round(.15 * bill_par * U(.9, 1.1)))
        self.W_par = int(round(.45 * -self.o("rec_allow")))
        self.charge_par = int(round(.2 * K_p)) - (-self.o("rec_allow") - self.W_par)
        self.coll_par = self.o("rec_par") + bill_par - K_p - self.W_par
        bill_pub = sum(ra[k] for k in ("autmin", "fed", "munic", "entrep_f", "locat_f"))
        self.coll_pub = self.o("rec_pub") + bill_pub - int(round(self.o("rec_pub") * U(1.0, 1.08)))
        self.creances_total = self.charge_tax + self.charge_par
        assert self.charge_tax > 0 and self.charge_par > 0, (self.charge_tax, self.charge_par)

    def act_units(self, act):
        school_total = sum(u.size for u in self.units if u.school)
        out = []
        for u in self.units:
            if act not in UT_ACTS[u.utype]:
                continue
            if u.school:
                out.append((u, u.size * SCH_F.get((act, u.utype), 1.0)))
            else:
                out.append((u, SVC_F.get((act, u.utype), 1.0) * school_total))
        return out

    def add_charge(self, act, obj, unit, amount, mes=None, sub=None):
        code = self.c.pl_code(act, obj, unit, mes, sub) if act != "amort" else self.c.amort_code(sub)
        self.Tc[code] = self.Tc.get(code, 0) + amount
        self.meta[code] = (act, obj, unit, mes)
        return code

    def alloc_charges(self, Ctot):
        c = self.c
        fixed = self.amort_total + self.int_lt_total + self.intct + self.fraisb + self.creances_total + self.prov_total
        acts = list(ACT_W)
        amts = alloc(Ctot - fixed, [ACT_W[a] * self.U(.97, 1.03) for a in acts])
        for act, amt in zip(acts, amts):
            us = self.act_units(act)
            for (u, _), ua in zip(us, alloc(amt, [w * self.U(.9, 1.1) for _, w in us])):
                ow = (UT_ACT_OBJ.get(("school" if u.school else u.utype, act)) or ACT_OBJ[act])
                objs = list(ow)
                for obj, oa in zip(objs, alloc(ua, [ow[o] * self.U(.88, 1.12) for o in objs])):
                    vs = c.variants(act, obj, u)
                    for (mes, obj2, _), va in zip(vs, alloc(oa, [sh for _, _, sh in vs])):
                        self.add_charge(act, obj2, u, va, mes)
        for aa, a in self.amort.items():
            self.add_charge("amort", "amort", c.special_unit("amort"), a, sub=aa)
        fin = c.special_unit("int_lt")
        self.code_intlt = self.add_charge("int_lt", "intlt", fin, self.int_lt_total)
        self.code_intct = self.add_charge("int_ct", "intct", fin, self.intct)
        self.code_fraisb = self.add_charge("int_ct", "fraisb", fin, self.fraisb)
        self.code_cre_tax = self.add_charge("creances", "creirr", c.special_unit("creances"), self.charge_tax)
        prim = [u for u in self.units if u.utype == "prim"][:6]
        self.cre_par = []
        for u, a in zip(prim, alloc(self.charge_par, [u.size for u in prim])):
            self.cre_par.append((self.add_charge("garde", "creirr", u, a), a))
        self.code_prov = self.add_charge("prov", "provv", c.special_unit("prov"), self.prov_total)

    def plan_adjustments(self):
        """Special P&L postings on regular codes (accruals, deferrals, reversals)."""
        self.S1 = {}
        for code, (act, obj, u, mes) in self.meta.items():
            if obj == "ens" and act in SUMMER_ACCRUAL_ACTS:
                v = int(round(self.Tc[code] * .154 * self.U(.98, 1.02)))
                self.S1[code] = v
                self.adjc[code] += v
        gs = [code for code, m in self.meta.items() if m[0] == "gest" and m[1] == "sout"]
        self.vac_lines = list(zip(gs, alloc(self.vac_delta, [self.Tc[x] for x in gs])))
        for code, v in self.vac_lines:
            self.adjc[code] += v
        pp = [code for code, m in self.meta.items() if m[1] == "assur" or (m[1] == "info" and m[2].utype == "ti")]
        wts = [self.Tc[x] for x in pp]
        self.pp0 = list(zip(pp, alloc(self.P0, wts)))
        self.pp1 = list(zip(pp, alloc(self.P1, wts)))
        for (code, a0), (_, a1) in zip(self.pp0, self.pp1):
            self.adjc[code] += a0 - a1
        self.code_omhs_exp = self.c.pl_code("entretien", "centr", self.c.special_unit("amort"))
        self.adjc[self.code_omhs_exp] += self.omhs_x
        mm = self.rev_codes("meq_mes")
        wts = [self.Tr[x] for x in mm]
        self.dm0 = list(zip(mm, alloc(self.D0m, wts)))
        self.dm1 = list(zip(mm, alloc(self.D1m, wts)))
        for (code, a0), (_, a1) in zip(self.dm0, self.dm1):
            self.adjr[code] += a0 - a1
        sc = self.rev_codes("scol")
        self.dt0 = list(zip(sc, alloc(self.D0t, [self.Tr[x] for x in sc])))
        for code, a in self.dt0:
            self.adjr[code] += a
        for code, t in self.Tc.items():
            ch = OBJS[self.meta[code][1]][1]
            if ch in ("pay", "inv"):
                assert t - self.adjc[code] > 0, (code, t, self.adjc[code])
        for code, t in self.Tr.items():
            assert t - self.adjr[code] > 0 or self.rmeta[code][0] in ("amort_sr", "gain", "omhs"), code

    # ---- postings ----
    def emit_reversals(self):
        st, T = self.start, self.T
        tc = self.o("tax_cur")
        self.post(st, "TAXE", [(self.bs("tax_prior"), tc, T("Reclassement – taxe de l'exercice précédent",
                                                            "Reclass – prior-year school tax")),
                               (self.bs("tax_cur"), -tc, T("Reclassement – taxe de l'exercice précédent",
                                                           "Reclass – prior-year school tax"))])
        lines = [(code, a, T("Renversement – charges payées d'avance", "Reversal – prepaid expenses"))
                 for code, a in self.pp0]
        lines.append((self.bs("prepaid"), -self.P0, T("Renversement – charges payées d'avance",
                                                      "Reversal – prepaid expenses")))
        self.post(st, "GEN", lines)
        lines = [(code, -a, T("Renversement – allocations reportées", "Reversal – deferred allocations"))
                 for code, a in self.dm0]
        lines.append((self.bs("def_meq"), self.D0m, T("Renversement – subventions perçues d'avance",
                                                      "Reversal – deferred grants")))
        self.post(st, "GEN", lines)

    def emit_payroll(self):
        T = self.T
        pay = [code for code in self.Tc if OBJS[self.meta[code][1]][1] == "pay"]
        monthly = {}
        for code in pay:
            act, obj, u, _ = self.meta[code]
            if act in SCHOOL_YEAR_ACTS:
                w = [0, .35] + [1] * 10
            elif act in ("fga", "fp") and obj in ("ens", "charges"):
                w = [.4, .4] + [1] * 10
            else:
                w = [1] * 12
            w = [x * self.U(.97, 1.03) if x else 0 for x in w]
            monthly[code] = alloc(self.Tc[code] - self.adjc[code], w)
        sal, cash_pay, cash = self.bs("sal"), self.bs("cash_pay"), self.bs("cash")
        dfed, dprov = self.bs("ded_fed"), self.bs("ded_prov")
        ded = {}
        net_m = {}
        for i, (y, m) in enumerate(self.months):
            lines, gross_sal, tot = [], 0, 0
            ml = self.mlabel(y, m)
            for code in pay:
                a = monthly[code][i]
                if not a:
                    continue
                act, obj, u, _ = self.meta[code]
                lines.append((code, a, T(f"Paie {ml} – {OBJS[obj][2].lower()}", f"Payroll {ml} – {OBJS[obj][3]}")))
                tot += a
                if obj in SALARY_OBJS:
                    gross_sal += a
            net = int(round(.70 * gross_sal))
            rest = tot - net
            f = int(round(.4 * rest))
            ded[i] = [f, rest - f]
            net_m[i] = net
            lines += [(sal, -net, T(f"Paie {ml} – salaires nets", f"Payroll {ml} – net pay")),
                      (dfed, -f, T(f"Paie {ml} – retenues fédérales", f"Payroll {ml} – federal deductions")),
                      (dprov, -(rest - f), T(f"Paie {ml} – retenues et cotisations Québec",
                                             f"Payroll {ml} – Quebec deductions and contributions"))]
            self.post(month_end(y, m), "PAIE", lines, tag=("PAIE", y, m))
        pdates = pay_dates(self.y)
        summer = [d for d in pdates if d.month in (7, 8)]
        s0 = dict(zip(summer, alloc(self.S0, [1] * len(summer))))
        for i, (y, m) in enumerate(self.months):
            ds = [d for d in pdates if d.month == m]
            for k, (d, a) in enumerate(zip(ds, alloc(net_m[i], [1] * len(ds)))):
                no = pdates.index(d) + 1
                sv = s0.get(d, 0)
                sn = int(round(.70 * sv))
                sd = sv - sn
                sf = int(round(.4 * sd))
                ded[i][0] += sf
                ded[i][1] += sd - sf
                lines = [(sal, a, T(f"Paie n° {no:02d} – salaires nets", f"Pay no. {no:02d} – net pay")),
                         (cash_pay, -(a + sn), T(f"Paie n° {no:02d} – dépôts directs", f"Pay no. {no:02d} – direct deposits"))]
                if sv:
                    lines += [(sal, sv, T(f"Paie n° {no:02d} – traitements d'été des enseignants",
                                          f"Pay no. {no:02d} – teachers' summer pay")),
                              (dfed, -sf, T(f"Paie n° {no:02d} – retenues fédérales", f"Pay no. {no:02d} – federal deductions")),
                              (dprov, -(sd - sf), T(f"Paie n° {no:02d} – retenues Québec", f"Pay no. {no:02d} – Quebec deductions"))]
                self.post(d, "PAIE", lines)
                self.post(d, "TRES", [(cash_pay, a + sn, T(f"Virement au compte de paie – paie n° {no:02d}",
                                                           f"Transfer to payroll account – pay no. {no:02d}")),
                                      (cash, -(a + sn), T(f"Virement au compte de paie – paie n° {no:02d}",
                                                          f"Transfer to payroll account – pay no. {no:02d}"))])
        prev = [-self.open.get(dfed, 0), -self.open.get(dprov, 0)]
        for i, (y, m) in enumerate(self.months):
            d = bday(y, m, 15)
            ml = self.mlabel(*self.months[i - 1]) if i else T("juin", "June")
            lab = T(f"Remise des retenues à la source – {ml}", f"Remittance of source deductions – {ml}")
            self.post(d, "PMT", [(dfed, prev[0], lab), (dprov, prev[1], lab), (cash, -(prev[0] + prev[1]), lab)])
            prev = ded[i]

    def emit_invoices(self):
        c, T, rng = self.c, self.T, self.rng
        pools = SUPPLIERS[c.lang]
        groups = {}
        order = []

        def add(key, date, supplier, terms, taxable, line):
            if key not in groups:
                groups[key] = {"date": date, "supplier": supplier, "terms": terms, "taxable": taxable, "lines": []}
                order.append(key)
            groups[key]["lines"].append(line)

        gdate = {}
        for code, t in self.Tc.items():
            act, obj, u, mes = self.meta[code]
            if OBJS[obj][1] != "inv":
                continue
            reg = t - self.adjc[code]
            nmin, nmax, prof, terms, taxable, grouped = INV_SPEC[obj]
            pw = PROFILES[prof]
            pool = pools[obj]
            if obj == "ctransp":
                slots = [(sup, i) for sup in pool for i in range(12) if pw[i]]
                wts = [pw[i] * self.U(.8, 1.2) for sup, i in slots]
            elif nmin == nmax:
                sup = pool[rng.randrange(len(pool))]
                slots = [(sup, i) for i in range(12) if pw[i]]
                wts = [pw[i] * self.U(.85, 1.15) for _, i in slots]
            else:
                sup = pool[rng.randrange(len(pool))]
                n = max(1, int(round(rng.randint(nmin, nmax) * c.inv_mult)))
                slots = sorted((sup, i) for i in rng.choices(range(12), weights=pw, k=n))
                wts = [self.U(.5, 1.5) for _ in slots]
            for (sup, i), a in zip(slots, alloc(reg, wts)):
                if a <= 0:
                    continue
                y, m = self.months[i]
                ol = OBJS[obj][2] if c.lang == "fr" else OBJS[obj][3]
                desc = f"{ol} – {u.name}"
                if grouped:
                    if (sup, i) not in gdate:
                        gdate[(sup, i)] = bday(y, m, rng.randint(3, 26))
                    add(("g", sup, i), gdate[(sup, i)], sup, terms, taxable, (code, a, desc))
                else:
                    add(("u", code, i, len(order)), self.rand_bday(y, m), sup, terms, taxable, (code, a, desc))
        # inventory purchases
        cons = sum(t for code, t in self.Tc.items() if self.meta[code][1] == "prodent")
        purch = cons + self.stock_K - self.o("stock")
        for k, a in enumerate(alloc(purch, [self.U(.6, 1.4) for _ in range(18)])):
            y, m = self.months[min(11, k * 12 // 18)]
            sup = pools["stock"][k % len(pools["stock"])]
            add(("s", k), self.rand_bday(y, m), sup, 30, True,
                (self.bs("stock"), a, T("Achat pour le magasin – produits d'entretien", "Stores purchase – custodial supplies")))
        for key in order:
            g = groups[key]
            base = sum(a for _, a, _ in g["lines"])
            no = rng.randint(10000, 999999)
            lab = T(f"Fact. {no} – {g['supplier']}", f"Inv. {no} – {g['supplier']}")
            lines = list(g["lines"])
            total = base
            if g["taxable"]:
                tps, tvq = int(round(base * .034)), int(round(base * .0469))
                lines += [(self.bs("rec_tps"), tps, T(f"TPS à recouvrer – fact. {no}", f"GST rebate – inv. {no}")),
                          (self.bs("rec_tvq"), tvq, T(f"TVQ à recouvrer – fact. {no}", f"QST rebate – inv. {no}"))]
                total += tps + tvq
            lines.append((self.bs("ap"), -total, lab))
            self.post(g["date"], "FACT", lines)
            self.ap_item(g["date"], g["terms"], total, T(f"Paiement fact. {no}", f"Payment inv. {no}"))

    def emit_stock(self):
        T = self.T
        codes = [code for code in self.Tc if self.meta[code][1] == "prodent"]
        w = PROFILES["school"]
        per = {code: alloc(self.Tc[code], [x * self.U(.9, 1.1) for x in w]) for code in codes}
        for i, (y, m) in enumerate(self.months):
            lab = T(f"Sorties du magasin – {self.mlabel(y, m)}", f"Stores issues – {self.mlabel(y, m)}")
            lines = [(code, per[code][i], lab) for code in codes]
            tot = sum(x[1] for x in lines)
            lines.append((self.bs("stock"), -tot, lab))
            self.post(month_end(y, m), "GEN", lines)

    def emit_revenues(self):
        c, T = self.c, self.T
        reg = {code: self.Tr[code] - self.adjr[code] for code in self.Tr}
        by = defaultdict(list)
        for code, (key, u, mes) in self.rmeta.items():
            by[key].append(code)
        rec_meq = self.bs("rec_meq")
        # monthly MEQ allocations
        mm = {}
        for key in ("meq_base", "meq_transp", "equil", "meq_mes"):
            w = [1] * 12 if key != "meq_mes" else [0, 0, 0] + [1] * 9
            for code in by[key]:
                mm[code] = alloc(reg[code], [x * self.U(.97, 1.03) if x else 0 for x in w])
        for i, (y, m) in enumerate(self.months):
            lab = T(f"Allocations du MEQ – {self.mlabel(y, m)}", f"MEQ allocations – {self.mlabel(y, m)}")
            lines = [(code, -a[i], T(f"{REVS[self.rmeta[code][0]][1]} – {self.mlabel(y, m)}",
                                     f"{REVS[self.rmeta[code][0]][2]} – {self.mlabel(y, m)}")) for code, a in mm.items()]
            lines.append((rec_meq, -sum(x[1] for x in lines), lab))
            self.post(month_end(y, m), "REV", lines)
        y, m = self.months[7]
        for code in by["meq_adj"]:
            self.post(bday(y, m, 14), "REV", [(rec_meq, reg[code], T("Ajustement des allocations de l'exercice précédent",
                                                                      "Prior-year allocation adjustment")),
                                              (code, -reg[code], T("Ajustement des allocations de l'exercice précédent",
                                                                   "Prior-year allocation adjustment"))])
        for code in by["inv_dir"]:
            y, m = self.months[8]
            lab = T("Subvention d'investissement – équipement", "Capital grant – equipment")
            self.post(bday(y, m, 20), "REV", [(self.bs("rec_inv"), reg[code], lab), (code, -reg[code], lab)])
        # other grants, business services, rentals: billed to public bodies
        rec_pub = self.bs("rec_pub")
        for key, months in (("autmin", (3, 7, 10)), ("fed", (4, 9)), ("munic", (2, 8, 11)), ("entrep_f", (1, 3, 4, 6, 7, 8, 9, 10))):
            for code in by[key]:
                for (k, a) in zip(months, alloc(reg[code], [self.U(.6, 1.4) for _ in months])):
                    y, m = self.months[k]
                    lab = T(f"{REVS[key][1]} – {self.mlabel(y, m)}", f"{REVS[key][2]} – {self.mlabel(y, m)}")
                    self.post(self.rand_bday(y, m), "REV", [(rec_pub, a, lab), (code, -a, lab)])
        self.monthly_rev_entry("locat_f", rec_pub, [1] * 12, "REV")
        self.monthly_rev_entry("garde_f", self.bs("rec_par"), PROFILES["sepjun"], "REV")
        self.monthly_rev_entry("midi_f", self.bs("rec_par"), [0, 0, 1.1, 0, 0, 0, .9, 0, 0, 0, 0, 0], "REV")
        self.monthly_rev_entry("cafe_f", self.bs("cash"), PROFILES["sepjun"], "ENC")
        self.monthly_rev_entry("scol", self.bs("rec_par"), [0, 0, .6, 0, 0, 0, .4, 0, 0, 0, 0, 0], "REV", reg)
        # school tax
        taxc = by["taxe"][0]
        munis = MUNICIPALITIES[c.id]
        y, m = self.months[0]
        d = bday(y, m, 15)
        lines = [(taxc, -a, T(f"Rôle de perception {self.y - 1}-{self.y} – {mu}", f"{self.y - 1}-{self.y} tax roll – {mu}"))
                 for mu, a in zip(munis, alloc(reg[taxc], [self.U(.3, 2.5) for _ in munis]))]
        lines.append((self.bs("tax_cur"), reg[taxc], T(f"Comptes de taxe scolaire {self.y - 1}-{self.y}",
                                                       f"{self.y - 1}-{self.y} school tax bills")))
        self.post(d, "TAXE", lines)
        self.monthly_rev_entry("taxe_sup", self.bs("tax_cur"), PROFILES["sepjun"], "TAXE")
        for key, n, jk in (("interet", 12, "ENC"), ("dons", 5, "ENC"), ("autres", 7, "ENC")):
            for code in by[key]:
                ks = list(range(12)) if n == 12 else sorted(self.rng.sample(range(12), n))
                for k, a in zip(ks, alloc(reg[code], [self.U(.6, 1.4) for _ in ks])):
                    y, m = self.months[k]
                    lab = T(f"{REVS[key][1]} – {self.mlabel(y, m)}", f"{REVS[key][2]} – {self.mlabel(y, m)}")
                    if key == "dons":
                        lab = T(f"Don – campagne « Bouger à l'école » – {self.mlabel(y, m)}",
                                f"Donation – \"Active Schools\" campaign – {self.mlabel(y, m)}")
                    self.post(month_end(y, m) if key == "interet" else self.rand_bday(y, m), jk,
                              [(self.bs("cash"), a, lab), (code, -a, lab)])

    def monthly_rev_entry(self, key, debit_code, w, jkey, reg=None):
        T = self.T
        codes = self.rev_codes(key)
        per = {code: alloc(self.Tr[code] - self.adjr[code] if reg is None else reg[code],
                           [x * self.U(.95, 1.05) if x else 0 for x in w]) for code in codes}
        for i, (y, m) in enumerate(self.months):
            if not w[i]:
                continue
            lines = []
            for code in codes:
                u = self.rmeta[code][1]
                where = f" – {u.name}" if u else ""
                lines.append((code, -per[code][i], T(f"{REVS[key][1]}{where}", f"{REVS[key][2]}{where}")))
            tot = -sum(x[1] for x in lines)
            lines.append((debit_code, tot, T(f"{REVS[key][1]} – {self.mlabel(y, m)}", f"{REVS[key][2]} – {self.mlabel(y, m)}")))
            self.post(month_end(y, m) if key != "scol" else bday(y, m, 15), jkey, lines)

    def receipts(self, code_cr, total, dates_w, lab_fr, lab_en, jkey="ENC"):
        T = self.T
        for (d, _), a in zip(dates_w, alloc(total, [w for _, w in dates_w])):
            if a:
                lab = T(lab_fr, lab_en)
                self.post(d, jkey, [(self.bs("cash"), a, lab), (code_cr, -a, lab)])

    def emit_collections(self):
        U = self.U
        dw = []
        for i, (y, m) in enumerate(self.months):
            for day in (5, 20):
                dw.append((bday(y, m, day), (1.3 if i in (2, 3, 4) else 1.0) * U(.8, 1.2)))
        self.receipts(self.bs("rec_meq"), self.coll_meq, dw, "Versement du MEQ – subvention de fonctionnement",
                      "MEQ payment – operating grant")
        fr = []
        mw = [.3, 12, 4, 3, 9, 1.5, 1, .8, .6, .5, .4, .3]
        for d in [x + dt.timedelta(days=1) for x in thursdays(self.y)]:
            if d > self.end or d < D(self.y - 1, 7, 20):
                continue
            i = (d.month - 7) % 12
            fr.append((d, mw[i] * U(.7, 1.3)))
        self.receipts(self.bs("tax_cur"), self.coll_taxcur, fr, "Dépôt – perception de la taxe scolaire",
                      "Deposit – school tax collections")
        self.receipts(self.bs("tax_prior"), self.coll_prior, [(bday(y, m, 12), U(.5, 1.5)) for y, m in self.months],
                      "Perception – taxe des exercices antérieurs", "Collections – prior-year school tax")
        self.receipts(self.bs("rec_par"), self.coll_par,
                      [(bday(y, m, 25), w * U(.8, 1.2)) for (y, m), w in zip(self.months, [1, .3, .6] + [1] * 9)],
                      "Encaissements – parents et usagers", "Receipts – parents and users")
        self.receipts(self.bs("rec_pub"), self.coll_pub, [(bday(y, m, 18), U(.6, 1.4)) for y, m in self.months],
                      "Encaissements – organismes publics", "Receipts – public bodies")

    def emit_capital(self):
        c, T, rng = self.c, self.T, self.rng
        pools = SUPPLIERS[c.lang]
        ap, cash = self.bs("ap"), self.bs("cash")
        # major projects, paid by progress billings
        wipv = c.bs_variants("wip")
        nproj = 6
        proj_code = [wipv[0][0]] * nproj
        if len(wipv) > 1:
            proj_code = [wipv[0][0]] * 3 + [wipv[1][0]] * 2 + [wipv[2][0]]
        schools = [u for u in self.units if u.school]
        amts = alloc(self.acq["wip"], [rng.uniform(.5, 1.5) for _ in range(nproj)])
        for p in range(nproj):
            site = schools[rng.randrange(len(schools))]
            name = PROJECTS[c.lang][rng.randrange(len(PROJECTS[c.lang]))].format(s=site.name)
            contractor = pools["construction"][rng.randrange(len(pools["construction"]))]
            w = PROFILES["works"]
            for k, (i, a) in enumerate(zip(range(12), alloc(amts[p], [x * rng.uniform(.6, 1.4) for x in w]))):
                y, m = self.months[i]
                d = bday(y, m, 25)
                lab = T(f"Décompte n° {k + 1} – {name}", f"Progress billing no. {k + 1} – {name}")
                self.post(d, "IMM-ACQ", [(proj_code[p], a, lab, True),
                                         (ap, -a, T(f"{contractor} – décompte n° {k + 1}", f"{contractor} – billing no. {k + 1}"))],
                          mvt="acquisition")
                self.ap_item(d, 30, a, T(f"Paiement – {contractor}, décompte n° {k + 1}", f"Payment – {contractor}, billing no. {k + 1}"))
        nbuy = {"bldg_impr": 6, "equip": 10, "it": 8, "veh": 1, "soft": 2, "land_impr": 3, "land": 1}
        for role in ("bldg_impr", "equip", "it", "veh", "soft", "land_impr", "land"):
            if role not in self.acq:
                continue
            vs = c.bs_variants(role)
            for (code, sh), va in zip(vs, alloc(self.acq[role], [sh for _, sh in vs])):
                n = max(1, round(nbuy[role] * sh))
                fr, en = PURCHASES.get(role, ("Acquisition d'un terrain – future école", "Land purchase – future school"))
                for a in alloc(va, [rng.uniform(.5, 1.5) for _ in range(n)]):
                    y, m = self.months[rng.choice([1, 1, 2, 3, 4, 6, 8, 10, 11])]
                    d = self.rand_bday(y, m)
                    sup = pools["equip"][rng.randrange(len(pools["equip"]))]
                    lab = T(f"{fr} – {sup}", f"{en} – {sup}")
                    if role == "land":
                        lab = T("Acquisition d'un terrain – future école (acte notarié)", "Land purchase – future school (deed)")
                        self.post(d, "IMM-ACQ", [(code, a, lab, True), (cash, -a, lab)], mvt="acquisition")
                    else:
                        self.post(d, "IMM-ACQ", [(code, a, lab, True), (ap, -a, lab)], mvt="acquisition")
                        self.ap_item(d, 30, a, T(f"Paiement – {sup}", f"Payment – {sup}"))
        for d, role, amt in self.transfers:
            pairs = c.transfer_pairs(role)
            lab = T("Transfert des travaux terminés", "Transfer of completed work")
            lines = []
            for (src, dst, sh), a in zip(pairs, alloc(amt, [sh for _, _, sh in pairs])):
                lines += [(dst, a, lab, True), (src, -a, lab, True)]
            self.post(d, "IMM-TRF", lines, mvt="transfer")
        gain_code = self.rev_codes("gain")[0]
        months_d = [3, 6, 10]
        for (role, k, a, g, proceeds, desc), i in zip(self.disposals, months_d):
            y, m = self.months[i]
            lines = [(cash, proceeds, T(f"Produit – {desc}", f"Proceeds – {desc}"), True)]
            if a:
                lines.append((self.bs(AA_OF[role]), a, T(f"Amortissement cumulé – {desc}", f"Accumulated amortization – {desc}"), True))
            lines += [(self.bs(role), -k, T(f"Coût – {desc}", f"Cost – {desc}"), True),
                      (gain_code, -g, T(f"Gain – {desc}", f"Gain – {desc}"))]
            self.post(self.rand_bday(y, m), "IMM-DIS", lines, mvt="disposal")
        # amortization, monthly
        per = {aa: alloc(v, [1] * 12) for aa, v in self.amort.items()}
        sr_code = self.rev_codes("amort_sr")[0]
        sr = alloc(self.rev_amt["amort_sr"], [1] * 12)
        for i, (y, m) in enumerate(self.months):
            lab = T(f"Amortissement – {self.mlabel(y, m)}", f"Amortization – {self.mlabel(y, m)}")
            lines = []
            for aa in self.amort:
                lines += [(c.amort_code(aa), per[aa][i], T(f"Amortissement – {c.label(aa)[len(T('Amortissement cumulé – ', 'Accumulated amortization – ')):]}",
                                                            f"Amortization – {c.label(aa)[len('Accumulated amortization – '):]}")),
                          (self.bs(aa), -per[aa][i], lab)]
            self.post(month_end(y, m), "AMORT", lines)
            lab = T(f"Amortissement de la subvention reportée – {self.mlabel(y, m)}",
                    f"Amortization of deferred capital grants – {self.mlabel(y, m)}")
            self.post(month_end(y, m), "AMORT", [(self.bs("dgrant"), sr[i], lab), (sr_code, -sr[i], lab)])
        # investment grants announced by the MEQ
        grants = int(round(sum(self.acq.values()) * .85))
        for k, a in zip((3, 7, 11), alloc(grants, [.4, .35, .25])):
            y, m = self.months[k]
            lab = T(f"Subvention d'investissement autorisée – {self.mlabel(y, m)}", f"Capital grant approved – {self.mlabel(y, m)}")
            self.post(bday(y, m, 15), "GEN", [(self.bs("rec_inv"), a, lab), (self.bs("dgrant"), -a, lab)])
        self.receipts(self.bs("rec_inv"), int(round(self.repay * 1.02)), [(bday(self.y - 1, 12, 10), 1), (bday(self.y, 6, 10), 1)],
                      "Versement du MEQ – subvention d'investissement", "MEQ payment – capital grant")

    def emit_debt(self):
        T, cash = self.T, self.bs("cash")
        ltd, lo = self.bs("ltd"), self.bs("ltd_oth")
        for (y, m, day), a in zip(((self.y - 1, 11, 15), (self.y, 5, 15)), alloc(self.borrow, [.55, .45])):
            lab = T(f"Emprunt à long terme – Financement-Québec, série {y}-{m:02d}",
                    f"Long-term borrowing – Financement-Québec series {y}-{m:02d}")
            self.post(bday(y, m, day), "DLT-EMP", [(cash, a, lab), (ltd, -a, lab, True)], mvt="borrowing")
        rep = [(9, 1), (10, 15), (12, 1), (2, 1), (4, 1), (6, 1)]
        for (m, day), a in zip(rep, alloc(self.repay, [self.U(.6, 1.4) for _ in rep])):
            y = self.y - 1 if m >= 7 else self.y
            lab = T("Remboursement de capital – dette à long terme", "Principal repayment – long-term debt")
            self.post(bday(y, m, day), "DLT-REM", [(ltd, a, lab, True), (cash, -a, lab)], mvt="repayment")
        lab = T("Contrat de crédit-bail – véhicules", "Capital lease – vehicles")
        self.post(bday(self.y - 1, 10, 1), "DLT-EMP", [(cash, self.borrow_oth, lab), (lo, -self.borrow_oth, lab, True)],
                  mvt="borrowing")
        for (y, m), a in zip(self.months, alloc(self.repay_oth, [1] * 12)):
            lab = T("Versement – crédit-bail", "Lease payment – capital lease")
            self.post(bday(y, m, 1), "DLT-REM", [(lo, a, lab, True), (cash, -a, lab)], mvt="repayment")
        # interest: accrued monthly, paid in December and June; debt-service grant accrued and received alike
        ia = alloc(self.int_lt_total, [1] * 12)
        sf_code = self.rev_codes("subv_fin")[0]
        sa = alloc(self.rev_amt["subv_fin"], [1] * 12)
        for i, (y, m) in enumerate(self.months):
            lab = T(f"Intérêts courus – {self.mlabel(y, m)}", f"Accrued interest – {self.mlabel(y, m)}")
            self.post(month_end(y, m), "GEN", [(self.code_intlt, ia[i], lab), (self.bs("intacc"), -ia[i], lab)])
            lab = T(f"Subvention de financement – {self.mlabel(y, m)}", f"MEQ financing grant – {self.mlabel(y, m)}")
            self.post(month_end(y, m), "REV", [(self.bs("rec_fin"), sa[i], lab), (sf_code, -sa[i], lab)])
        p1 = -self.o("intacc") + sum(ia[:5])
        p2 = sum(ia[5:11])
        r1 = self.o("rec_fin") + sum(sa[:5])
        r2 = sum(sa[5:11])
        for (y, m), p, r in (((self.y - 1, 12), p1, r1), ((self.y, 6), p2, r2)):
            lab = T("Paiement des intérêts – dette à long terme", "Interest payment – long-term debt")
            self.post(bday(y, m, 1), "PMT", [(self.bs("intacc"), p, lab), (self.bs("cash"), -p, lab)])
            lab = T("Versement du MEQ – subvention de financement", "MEQ payment – financing grant")
            self.post(bday(y, m, 10), "ENC", [(self.bs("cash"), r, lab), (self.bs("rec_fin"), -r, lab)])
        ic = alloc(self.intct, [self.U(.7, 1.3) for _ in range(12)])
        fb = alloc(self.fraisb, [1] * 12)
        for i, (y, m) in enumerate(self.months):
            lab = T(f"Intérêts et frais bancaires – {self.mlabel(y, m)}", f"Interest and bank charges – {self.mlabel(y, m)}")
            self.post(month_end(y, m), "TRES", [(self.code_intct, ic[i], lab), (self.code_fraisb, fb[i], lab),
                                                (self.bs("cash"), -(ic[i] + fb[i]), lab)])

    def emit_yearend(self):
        T, e = self.T, self.end
        lab = T("Courus – traitements d'été des enseignants", "Accrual – teachers' summer pay")
        lines = [(code, v, lab) for code, v in self.S1.items()]
        lines.append((self.bs("sal"), -sum(self.S1.values()), lab))
        self.post(e, "FIN", lines)
        lab = T("Ajustement – vacances à payer", "Adjustment – vacation payable")
        self.post(e, "FIN", [(code, v, lab) for code, v in self.vac_lines] + [(self.bs("vac"), -self.vac_delta, lab)])
        lab = T("Charges payées d'avance au 30 juin", "Prepaid expenses at June 30")
        self.post(e, "FIN", [(code, -v, lab) for code, v in self.pp1] + [(self.bs("prepaid"), self.P1, lab)])
        lab = T("Report des allocations non utilisées", "Deferral of unspent allocations")
        self.post(e, "FIN", [(code, v, lab) for code, v in self.dm1] + [(self.bs("def_meq"), -self.D1m, lab)])
        lines = []
        for role, v in self.prov_charges.items():
            lab = T(f"Variation – {self.c.label(role)[len('Provision – '):]}", f"Change – {self.c.label(role)[len('Provision – '):]}")
            lines += [(self.code_prov, v, lab), (self.bs(role), -v, lab)]
        self.post(e, "FIN", lines)
        lab = T("Ajustement – provision pour créances douteuses (taxe)", "Adjustment – allowance for doubtful accounts (tax)")
        self.post(e, "FIN", [(self.code_cre_tax, self.charge_tax, lab), (self.bs("tax_allow"), -self.charge_tax, lab)])
        lab = T("Ajustement – provision pour créances douteuses (services de garde)",
                "Adjustment – allowance for doubtful accounts (daycare)")
        self.post(e, "FIN", [(code, a, lab) for code, a in self.cre_par] + [(self.bs("rec_allow"), -self.charge_par, lab)])
        lab = T("Révision de l'obligation – désamiantage", "ARO revision – asbestos removal")
        self.post(e, "FIN", [(self.code_omhs_exp, self.omhs_x, lab), (self.bs("aro"), -self.omhs_x, lab)])
        om = self.rev_codes("omhs")[0]
        lab = T("Subvention à recevoir – OMHS", "ARO grant receivable")
        self.post(e, "FIN", [(self.bs("rec_omhs"), self.omhs_x, lab), (om, -self.omhs_x, lab)])
        # write-offs and payouts during the year
        y, m = self.months[8]
        lab = T("Radiation – comptes de taxe irrécouvrables", "Write-off – uncollectible school tax")
        self.post(month_end(y, m), "TAXE", [(self.bs("tax_allow"), self.W_tax, lab), (self.bs("tax_prior"), -self.W_tax, lab)])
        y, m = self.months[10]
        lab = T("Radiation – comptes de frais de garde", "Write-off – daycare accounts")
        self.post(month_end(y, m), "GEN", [(self.bs("rec_allow"), self.W_par, lab), (self.bs("rec_par"), -self.W_par, lab)])
        lab = T("Monétisation des congés de maladie", "Sick leave payout")
        self.post(bday(self.y, 6, 19), "PMT", [(self.bs("prov_sick"), self.pay_sick, lab), (self.bs("cash"), -self.pay_sick, lab)])
        for (y, m), a in zip(self.months, alloc(self.pay_ins, [1] * 12)):
            lab = T(f"Prestations d'assurance-salaire – {self.mlabel(y, m)}", f"Salary insurance benefits – {self.mlabel(y, m)}")
            self.post(bday(y, m, 22), "PMT", [(self.bs("prov_ins"), a, lab), (self.bs("cash"), -a, lab)])
        y, m = self.months[1]
        d = bday(y, m, 20)
        sup = self.T("Désamiantage Expert inc.", "Asbestos Abatement Experts Inc.")
        no = self.rng.randint(10000, 99999)
        lab = T(f"Fact. {no} – {sup}, travaux de désamiantage", f"Inv. {no} – {sup}, asbestos removal")
        self.post(d, "FACT", [(self.bs("aro"), self.aro_settle, lab), (self.bs("ap"), -self.aro_settle, lab)])
        self.ap_item(d, 30, self.aro_settle, T(f"Paiement fact. {no}", f"Payment inv. {no}"))
        y, m = self.months[4]
        self.receipts(self.bs("rec_omhs"), self.omhs_rcpt, [(bday(y, m, 16), 1)], "Versement du MEQ – OMHS", "MEQ payment – ARO grant")
        # tuition: deferred part of last year recognised, next year's deposits received
        y, m = self.months[1]
        lab = T("Droits de scolarité perçus d'avance", "Tuition received in advance")
        self.post(month_end(y, m), "GEN", [(code, -a, lab) for code, a in self.dt0] + [(self.bs("def_oth"), self.D0t, lab)])
        for k, a in zip((10, 11), alloc(self.D1t, [.6, .4])):
            y, m = self.months[k]
            lab = T("Dépôts – droits de scolarité de l'automne", "Deposits – fall tuition")
            self.post(bday(y, m, 9), "ENC", [(self.bs("cash"), a, lab), (self.bs("def_oth"), -a, lab)])

    def emit_misc(self):
        T, s, U = self.T, self.s, self.U
        cash, third = self.bs("cash"), self.bs("third")
        for k in range(6):
            y, m = self.months[2 * k + 1]
            a = M(.09 * s * U(.6, 1.4))
            lab = T("Fonds à destination spéciale – campagne de financement, \"Spectacle de fin d'année\"",
                    "Special purpose fund – fundraising, \"Spring Concert\"")
            self.post(self.rand_bday(y, m), "ENC", [(cash, a, lab), (third, -a, lab)])
            y, m = self.months[2 * k]
            b = M(.085 * s * U(.6, 1.4))
            lab = T("Fonds à destination spéciale – sorties éducatives", "Special purpose fund – field trips")
            self.post(self.rand_bday(y, m, 5), "PMT", [(third, b, lab), (cash, -b, lab)])
        if self.y == 2025:
            a = M(.15 * s)
            lab = T("Contribution de la Fondation – parc-école", "Foundation contribution – schoolyard")
            self.post(bday(2024, 11, 20), "ENC", [(cash, a, lab), (self.bs("dcontr"), -a, lab)])
            a = M(.1 * s)
            lab = T("Achat d'obligations d'épargne", "Purchase of savings bonds")
            self.post(bday(2025, 3, 3), "TRES", [(self.bs("portf"), a, lab), (cash, -a, lab)])

    def emit_ap_payments(self):
        T = self.T
        runs = thursdays(self.y)
        items = sorted(self.ap_items, key=lambda x: x[0])
        ap, cash = self.bs("ap"), self.bs("cash")
        o = -self.o("ap")
        lots = alloc(o, [5, 4, 3, 2, 1])
        j = 0
        for k, r in enumerate(runs):
            lines = []
            if k < len(lots):
                lines.append((ap, lots[k], T(f"Factures au 30 juin {self.y - 1} – lot {k + 1}",
                                             f"Invoices at June 30, {self.y - 1} – batch {k + 1}")))
            while j < len(items) and items[j][0] <= r:
                lines.append((ap, items[j][1], items[j][2]))
                j += 1
            if lines:
                tot = sum(x[1] for x in lines)
                lines.append((cash, -tot, T(f"Lot de paiements n° {k + 1} – chèques et TEF", f"Payment run no. {k + 1} – cheques and EFT")))
                self.post(r, "PMT", lines)

    def emit_tax_refunds(self):
        T = self.T
        acc = {"rec_tps": [0] * 4, "rec_tvq": [0] * 4}
        codes = {self.bs("rec_tps"): "rec_tps", self.bs("rec_tvq"): "rec_tvq"}
        for e in self.entries:
            q = ((e["date"].month - 7) % 12) // 3
            for code, a, _, _ in e["lines"]:
                if code in codes and a > 0:
                    acc[codes[code]][q] += a
        for q, (y, m) in enumerate(((self.y - 1, 10), (self.y, 1), (self.y, 4))):
            tps = acc["rec_tps"][q] + (self.o("rec_tps") if q == 0 else 0)
            tvq = acc["rec_tvq"][q] + (self.o("rec_tvq") if q == 0 else 0)
            lab = T(f"Remboursement TPS/TVQ – trimestre {q + 1}", f"GST/QST rebate – quarter {q + 1}")
            self.post(bday(y, m, 20), "ENC", [(self.bs("cash"), tps + tvq, lab), (self.bs("rec_tps"), -tps, lab),
                                              (self.bs("rec_tvq"), -tvq, lab)])

    def cash_plug(self):
        T, cash = self.T, self.bs("cash")
        flows = defaultdict(int)
        for e in self.entries:
            for code, a, _, _ in e["lines"]:
                if code == cash:
                    flows[e["date"]] += a
        bal, loc, st = self.o("cash"), -self.o("loc"), self.o("st_inv")
        floor = M(.8 * self.s)
        dates = sorted(flows)
        k = 0
        for (y, m) in self.months:
            me = month_end(y, m)
            while k < len(dates) and dates[k] <= me:
                bal += flows[dates[k]]
                k += 1
            target = M(self.U(2.2, 4.2) * self.s)
            d = target - bal
            lines = []
            if d > 0:
                r = min(d, max(0, st - floor))
                if r:
                    lines.append((self.bs("st_inv"), -r, T("Encaissement de dépôts à terme", "Term deposits redeemed")))
                    st -= r
                if d - r:
                    lines.append((self.bs("loc"), -(d - r), T("Tirage sur la marge de crédit", "Draw on line of credit")))
                    loc += d - r
            elif d < 0:
                r = min(-d, loc)
                if r:
                    lines.append((self.bs("loc"), r, T("Remboursement de la marge de crédit", "Repayment of line of credit")))
                    loc -= r
                if -d - r:
                    lines.append((self.bs("st_inv"), -d - r, T("Placement en dépôts à terme", "Term deposits purchased")))
                    st += -d - r
            if lines:
                lines.append((cash, d, T("Gestion de trésorerie – fin de mois", "Cash management – month end")))
                self.post(me, "TRES", lines)
            bal += d


# ---------------------------------------------------------------------------------------------
# Opening, closing, condensed prior year
# ---------------------------------------------------------------------------------------------

AS_TARGET = {"sommets": 31.0, "riviere": 24.0, "lakeshore": 38.0}


def bs_code_list(c):
    return [code for role in BS_ROLES for code in c.bs_codes(role)]


def design_opening(c):
    rng = random.Random(f"{SEED}-{c.id}-opening")
    s = c.scale
    op = {}
    for role, v in OPEN_DESIGN.items():
        vs = c.bs_variants(role)
        if not vs:
            continue
        amt = M(v * s * rng.uniform(.97, 1.03))
        for (code, sh), a in zip(vs, alloc(amt, [sh for _, sh in vs])):
            op[code] = a
    c24 = c.R[2024] - int(round(c.R[2024] * c.res[2024]))
    s0 = int(round(.291 * c24 * .154 / 1.045 * rng.uniform(.98, 1.02)))
    op[c.bs("sal")] = -s0
    ded = int(round(.8 * c24 / 11.4 * .454 / 1.045))
    op[c.bs("ded_fed")] = -int(round(.4 * ded))
    op[c.bs("ded_prov")] = -(ded - int(round(.4 * ded)))
    AS = M(AS_TARGET[c.id] * s * rng.uniform(.98, 1.02))
    others = sum(v for k, v in op.items())
    op[c.bs("dgrant")] = AS - others
    op[c.bs("surplus")] = -AS
    return {code: op[code] for code in bs_code_list(c) if op.get(code)}


def closing(c, opening, entries):
    bal = defaultdict(int)
    for k, v in opening.items():
        bal[k] += v
    for e in entries:
        for code, a, _, _ in e["lines"]:
            bal[code] += a
    bsl = bs_code_list(c)
    bset = set(bsl)
    pl = 0
    for k in sorted(bal):
        if k not in bset:
            pl += bal[k]
    out = {code: bal.get(code, 0) for code in bsl}
    out[c.bs("surplus")] += pl
    assert sum(out.values()) == 0
    return {k: v for k, v in out.items() if v}


def opening_entry(c, year, balances):
    start = fy_bounds(year)[0]
    lines = []
    labels = {}
    for role in BS_ROLES:
        for code in c.bs_codes(role):
            labels[code] = c.label(role)
    for code, v in balances.items():
        lines.append((code, v, c.T(f"Solde d'ouverture – {labels[code]}", f"Opening balance – {labels[code]}"), False))
    assert sum(x[1] for x in lines) == 0
    return [{"date": start, "j": "OUV", "lines": lines, "mvt": None, "tag": None, "n": 0,
             "ref": c.T(f"OUV-{start.isoformat()}", f"OPEN-{start.isoformat()}")}]


JLABEL = {"PAIE": ("paie", "payroll"), "FACT": ("factures fournisseurs", "supplier invoices"),
          "PMT": ("déboursés", "disbursements"), "ENC": ("encaissements", "receipts"),
          "REV": ("facturation et allocations", "billing and allocations"), "TAXE": ("taxe scolaire", "school tax"),
          "GEN": ("écritures de journal", "journal entries"), "AMORT": ("amortissement", "amortization"),
          "IMM-ACQ": ("acquisitions d'immobilisations", "capital additions"),
          "IMM-DIS": ("dispositions d'immobilisations", "capital disposals"),
          "IMM-TRF": ("transferts d'immobilisations", "capital transfers"),
          "DLT-EMP": ("emprunts à long terme", "long-term borrowings"),
          "DLT-REM": ("remboursements de dette", "debt repayments"), "TRES": ("trésorerie", "treasury"),
          "FIN": ("écritures de fin d'exercice", "year-end entries")}
JORDER = list(JLABEL)


def condense(c, gen):
    """Prior-year ledger as summary entries: one per journal and month (quarter for payroll and invoices)."""
    groups = {}
    for e in gen.entries:
        fm = (e["date"].month - 7) % 12
        bucket = ("T", fm // 3) if e["j"] in ("PAIE", "FACT") else ("P", fm)
        g = groups.setdefault((bucket, e["j"], e["mvt"]), {})
        for code, a, _, typed in e["lines"]:
            g[(code, typed)] = g.get((code, typed), 0) + a
    out = []
    y = gen.y
    for (bucket, j, mvt), g in groups.items():
        kind, k = bucket
        last = k * 3 + 2 if kind == "T" else k
        yy, mm = gen.months[last]
        date = month_end(yy, mm)
        if kind == "T":
            per_fr, per_en, tag = f"T{k + 1}", f"Q{k + 1}", f"T{k + 1}"
        else:
            per_fr, per_en, tag = gen.mlabel(yy, mm), gen.mlabel(yy, mm), f"P{k + 1:02d}"
        jl = JLABEL[j]
        desc = c.T(f"Sommaire {per_fr} – {jl[0]}", f"Summary {per_en} – {jl[1]}")
        lines = [(code, a, desc, typed) for (code, typed), a in g.items() if a]
        if not lines:
            continue
        assert sum(x[1] for x in lines) == 0
        out.append({"date": date, "j": j, "lines": lines, "mvt": mvt, "tag": tag, "n": 0,
                    "ref": c.sum_ref(y, tag, j)})
    out.sort(key=lambda e: (e["date"], JORDER.index(e["j"]), e["ref"]))
    assert len({e["ref"] for e in out}) == len(out)
    return out


def assign_refs(c, year, entries):
    counters = defaultdict(int)
    for e in entries:
        jc = c.journal(e["j"])
        counters[jc] += 1
        e["ref"] = c.ref(jc, year, counters[jc])
    assert len({e["ref"] for e in entries}) == len(entries)


# ---------------------------------------------------------------------------------------------
# Export dialects
# ---------------------------------------------------------------------------------------------

def money(a, dec=".", th=None):
    neg = a < 0
    units, cents = divmod(abs(a), 100)
    s = str(units)
    if th:
        parts = []
        while len(s) > 3:
            parts.insert(0, s[-3:])
            s = s[:-3]
        parts.insert(0, s)
        s = th.join(parts)
    return ("-" if neg else "") + s + dec + f"{cents:02d}"


A_JOURNAL = {"OUV": "OUV", "PAIE": "PAIE", "FACT": "CF", "PMT": "DEC", "ENC": "ENC", "REV": "FACR", "TAXE": "TAXE",
             "GEN": "GEN", "AMORT": "AMO", "IMM-ACQ": "IMM-ACQ", "IMM-DIS": "IMM-DIS", "IMM-TRF": "IMM-TRF",
             "DLT-EMP": "DLT-EMP", "DLT-REM": "DLT-REM", "TRES": "TRES", "FIN": "FIN"}
B_JOURNAL = {"OUV": "OUV", "PAIE": "PAI", "FACT": "CF", "PMT": "DEB", "ENC": "ENC", "REV": "FAC", "TAXE": "TAX",
             "GEN": "GEN", "AMORT": "AMO", "IMM-ACQ": "IMM", "IMM-DIS": "IMM", "IMM-TRF": "IMM", "DLT-EMP": "DLT",
             "DLT-REM": "DLT", "TRES": "TRE", "FIN": "FIN"}
C_JOURNAL = {"OUV": "OPEN", "PAIE": "PR", "FACT": "AP", "PMT": "CD", "ENC": "CR", "REV": "AR", "TAXE": "TAX",
             "GEN": "GJ", "AMORT": "DEP", "IMM-ACQ": "FA-ADD", "IMM-DIS": "FA-DSP", "IMM-TRF": "FA-TRF",
             "DLT-EMP": "LTD-ISS", "DLT-REM": "LTD-RPY", "TRES": "TRS", "FIN": "YE"}
B_MOVEMENT = {"acquisition": "ACQ", "disposal": "ALIEN", "transfer": "TRANSF", "borrowing": "EMPR", "repayment": "REMB"}


def _journal_a(self, j):
    return A_JOURNAL[j]


def _ref_a(self, jc, year, n):
    return f"{jc.split('-')[0][:3]}{'-' + jc.split('-')[1][0] if '-' in jc else ''}-{(year - 1) % 100:02d}{year % 100:02d}-{n:05d}"


def _sumref_a(self, year, tag, j):
    return f"SOM-{(year - 1) % 100:02d}{year % 100:02d}-{tag}-{A_JOURNAL[j]}"


def _rows_a(self, entries):
    yield ["Date", "Journal", "Pièce", "Poste budgétaire", "Description", "Montant"]
    for e in entries:
        for code, a, desc, _ in e["lines"]:
            yield [e["date"].isoformat(), A_JOURNAL[e["j"]], e["ref"], code, desc, money(a)]


def _journal_b(self, j):
    return B_JOURNAL[j]


def _ref_b(self, jc, year, n):
    return f"{jc}{year}-{n:06d}"


def _sumref_b(self, year, tag, j):
    sub = j.split("-")[1][0] if j.startswith(("IMM", "DLT")) else ""
    return f"SOM{year}-{tag}-{B_JOURNAL[j]}{sub}"


def _rows_b(self, entries):
    yield ["Date", "Journal", "N° pièce", "Code budgétaire", "Libellé", "Débit", "Crédit", "Type de mouvement"]
    for e in entries:
        for code, a, desc, typed in e["lines"]:
            mv = B_MOVEMENT[e["mvt"]] if typed and e["mvt"] else ""
            yield [e["date"].strftime("%d/%m/%Y"), B_JOURNAL[e["j"]], e["ref"], code, desc,
                   money(a, ",", " ") if a > 0 else "", money(-a, ",", " ") if a < 0 else "", mv]


def _journal_c(self, j):
    return C_JOURNAL[j]


def _ref_c(self, jc, year, n):
    return f"{jc}-FY{year % 100:02d}-{n:05d}"


def _sumref_c(self, year, tag, j):
    return f"SUM-FY{year % 100:02d}-{tag.replace('T', 'Q')}-{C_JOURNAL[j]}"


def _rows_c(self, entries):
    yield ["Posting Date", "Source", "Document No.", "GL Account", "Cost Centre", "Description", "Debit", "Credit"]
    for e in entries:
        for code, a, desc, _ in e["lines"]:
            gl, cc = code.split("/")
            yield [e["date"].strftime("%Y/%m/%d"), C_JOURNAL[e["j"]], e["ref"], gl, cc, desc,
                   money(a, ".", ",") if a > 0 else "0.00", money(-a, ".", ",") if a < 0 else "0.00"]


Sommets.journal, Sommets.ref, Sommets.sum_ref, Sommets.rows = _journal_a, _ref_a, _sumref_a, _rows_a
Sommets.delimiter, Sommets.encoding, Sommets.newline = ",", "utf-8", "\n"
Riviere.journal, Riviere.ref, Riviere.sum_ref, Riviere.rows = _journal_b, _ref_b, _sumref_b, _rows_b
Riviere.delimiter, Riviere.encoding, Riviere.newline = ";", "cp1252", "\r\n"
Lakeshore.journal, Lakeshore.ref, Lakeshore.sum_ref, Lakeshore.rows = _journal_c, _ref_c, _sumref_c, _rows_c
Lakeshore.delimiter, Lakeshore.encoding, Lakeshore.newline = ",", "utf-8", "\n"


def write_bytes(path, data):
    full = os.path.join(ROOT, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(data)


def write_text(path, text, encoding="utf-8"):
    write_bytes(path, text.encode(encoding))


def write_export(c, path, entries):
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=c.delimiter, quotechar='"', quoting=csv.QUOTE_MINIMAL, lineterminator=c.newline)
    for row in c.rows(entries):
        w.writerow(row)
    write_bytes(path, buf.getvalue().encode(c.encoding))


def build_centre(c):
    """All the postings of one centre: {file name: entries}."""
    op23 = design_opening(c)
    g24 = YearGen(c, 2024, op23).run()
    cl24 = closing(c, op23, g24.entries)
    g25 = YearGen(c, 2025, cl24).run()
    assign_refs(c, 2025, g25.entries)
    f = c.files
    return {f[0]: opening_entry(c, 2024, op23), f[1]: condense(c, g24), f[2]: opening_entry(c, 2025, cl24),
            f[3]: g25.entries}, (g24, g25)


# ---------------------------------------------------------------------------------------------
# Crosswalks, formats, entities (written as reddition specification files)
# ---------------------------------------------------------------------------------------------

def V(seg, value):
    return (seg, "v", value)


def RG(seg, lo, hi):
    return (seg, "r", lo, hi)


def cond(conds, code, prio=None, note=None):
    return ("cond", conds, code, prio, note)


def pat(pattern, code, prio=None, note=None, valid=None):
    """`valid`: (from, until) as YYYY-MM-DD text, either None (open)."""
    return ("pat", pattern, code, prio, note, valid)


NATURE_3 = [((110, 129), "N100"), ((130, 139), "N110"), ((140, 149), "N120"), ((150, 159), "N130"),
            ((200, 299), "N200"), ((300, 399), "N300"), ((400, 499), "N400"), ((500, 599), "N500"),
            ((600, 699), "N600"), ((700, 799), "N700"), ((800, 899), "N800"), ((900, 999), "N900")]

EXPENSE_RANGES_A = [
    ((11000, 11999), 61000, "Enseignement – formation générale des jeunes"),
    ((12000, 12999), 61010, "Adaptation scolaire"),
    ((13000, 13999), 61020, "Formation générale des adultes"),
    ((14000, 14999), 61030, "Formation professionnelle"),
    ((21000, 21999), 62000, "Gestion des écoles et des centres"),
    ((22000, 22999), 62010, "Services complémentaires"),
    ((23000, 23999), 62020, "Perfectionnement"),
    ((24000, 24999), 62030, "Bibliothèques, matériel didactique, TI pédagogiques"),
    ((31000, 31999), 63000, "Transport scolaire"),
    ((32000, 32999), 63010, "Services de garde"),
    ((33000, 33999), 63020, "Surveillance du midi et cafétérias"),
    ((41000, 41999), 64000, "Conseil d'administration"),
    ((42000, 42999), 64010, "Direction générale et secrétariat général"),
    ((43000, 43999), 64020, "Services administratifs"),
    ((51000, 51999), 65000, "Entretien ménager et sécurité"),
    ((52000, 52999), 65010, "Énergie"),
    ((53000, 53999), 65020, "Entretien et réparations"),
    ((54000, 54999), 65030, "Location d'immeubles"),
    ((61000, 61999), 66000, "Services aux entreprises"),
    ((62000, 62999), 66010, "Intérêts sur la dette à long terme"),
    ((63000, 63999), 66020, "Intérêts et frais bancaires"),
    ((64000, 64999), 66030, "Créances douteuses"),
    ((71000, 71999), 67000, "Provisions pour avantages sociaux"),
]


def crosswalk_sommets(c):
    r = [("cmt", "Bilan (activités 9xxxx, unité 000) : table tenue par le Service des ressources financières"),
         ("inc", "reports/crosswalks/sommets.csv"),
         ("cmt", "Revenus : activités 8xxxx, unité 000 ou établissement")]
    for key, act in A_REV.items():
        if key in ("taxe", "taxe_sup", "scol"):
            continue
        r.append(cond([V("activity", act)], REVS[key][0], note=REVS[key][1]))
    r += [pat("000-1-8501?-000", 52000, note="Taxe scolaire (rôle général)"),
          pat("000-1-8502?-000", 52010, note="Taxe scolaire – rôles supplémentaires"),
          cond([RG("activity", 86000, 86999)], 53000, note="Droits de scolarité (FGA, FP, élèves étrangers)"),
          ("cmt", "Charges : l'activité donne le code ; l'objet donne la nature (plus bas)")]
    for (lo, hi), code, note in EXPENSE_RANGES_A:
        r.append(cond([RG("activity", lo, hi)], code, note=note))
    r += [pat("???-2-55???-8??", 65040, note="Amortissement (fonds 2, activités 55xxx)"),
          cond([V("object", "650")], 66030, 1, "Créances irrécouvrables, quelle que soit l'activité (services de garde)"),
          pat("020-1-43010-620", 65020, note="Assurance des biens : présentée avec les biens meubles et immeubles")]
    dims = [("copy", "etablissement", "unit"),
            ("cases", "fonds", [([V("fund", "1")], "FON"), ([V("fund", "2")], "INV"), ([V("fund", "4")], "FDS")]),
            ("cases", "nature", [([RG("object", lo, hi)], n) for (lo, hi), n in NATURE_3])]
    csvr = []
    notes = {"cash": "Encaisse – comptes courant, de paie et fonds de caisse"}
    done = set()
    for role, (code, fr, en) in BS_ROLES.items():
        lc = c.bs(role) if c.bs_variants(role) else None
        if lc is None or lc in done:
            continue
        if role in ("cash", "cash_pay", "cash_petty"):
            if "cash" not in done:
                csvr.append(("000-1-910?0-000", code, notes["cash"]))
                done.add("cash")
            continue
        if role in ("tax_cur", "tax_prior"):
            if "tax" not in done:
                csvr.append(("000-1-9210?-000", code, "Taxe scolaire à recevoir – exercice courant et exercices antérieurs"))
                done.add("tax")
            continue
        if role in ("ded_fed", "ded_prov"):
            if "ded" not in done:
                csvr.append(("000-1-9312?-000", code, "Retenues à la source, fédérales et Québec"))
                done.add("ded")
            continue
        csvr.append((lc, code, fr))
        done.add(lc)
    return r, dims, csvr


def crosswalk_riviere(c):
    r = [("cmt", "Bilan (activité 0000, unité 000) : table tenue par le Service des ressources financières"),
         ("inc", "reports/crosswalks/riviere.csv"),
         ("cmt", "Revenus : objets 8xxx")]
    for key, (_, _, o) in B_REV.items():
        if key in ("taxe", "taxe_sup"):
            continue
        r.append(cond([V("object", o)], REVS[key][0], note=REVS[key][1]))
    r += [cond([RG("object", 8400, 8409)], 52000, note="Taxe scolaire"),
          cond([RG("object", 8410, 8419)], 52010, note="Taxe scolaire – rôles supplémentaires"),
          ("cmt", "Charges : l'activité donne le code ; l'objet donne la nature (plus bas)")]
    rngs = [((1000, 1299), 61000), ((1300, 1399), 61010), ((1400, 1499), 61020), ((1500, 1599), 61030),
            ((2100, 2199), 62000), ((2200, 2299), 62010), ((2300, 2399), 62020), ((2400, 2499), 62030),
            ((3100, 3199), 63000), ((3200, 3299), 63010), ((3300, 3399), 63020), ((4100, 4199), 64000),
            ((4200, 4299), 64010), ((4300, 4399), 64020), ((5100, 5199), 65000), ((5200, 5299), 65010),
            ((5300, 5399), 65020), ((5400, 5499), 65030), ((6100, 6199), 66000), ((6200, 6299), 66010),
            ((6300, 6399), 66020), ((6400, 6499), 66030), ((7100, 7199), 67000)]
    notes = {code: note for _, code, note in EXPENSE_RANGES_A}
    notes[61000] = "Enseignement – préscolaire, primaire et secondaire"
    for (lo, hi), code in rngs:
        r.append(cond([RG("activity", lo, hi)], code, note=notes[code]))
    r += [pat("2.55??.081?.*", 65040, note="Amortissement des immobilisations (fonds 2)"),
          cond([V("object", "0650")], 66030, 1, "Créances irrécouvrables, quelle que soit l'activité"),
          cond([V("mesure", "30811"), V("fund", "1"), RG("object", 400, 499)], 61010,
               note="Mesure 30811 (mobilier et équipement adapté) : présentée en adaptation scolaire"),
          pat("1.4300.0620.910", 65020, note="Assurance des biens : présentée avec les biens meubles et immeubles",
              valid=(None, "2025-06-30")),
          ("cmt", "À compter de 2025-2026, l'assurance des biens passe aux services administratifs ; "
                  "la règle précédente reste pour rebâtir 2024-2025 tel quel"),
          pat("1.4300.0620.910", 64020, note="Assurance des biens : présentée avec les services administratifs",
              valid=("2025-07-01", None))]
    dims = [("copy", "etablissement", "unit"),
            ("cases", "fonds", [([V("fund", "1")], "FON"), ([V("fund", "2")], "INV"), ([V("fund", "3")], "FDS")]),
            ("copy", "mesure", "mesure"),
            ("cases", "nature", [([RG("object", lo, hi)], n) for (lo, hi), n in NATURE_3])]
    csvr = []
    seen = set()
    for role, (code, fr, en) in BS_ROLES.items():
        vs = c.bs_variants(role)
        if not vs:
            continue
        base = c.bs(role)
        if role in ("cash", "cash_pay", "cash_petty"):
            p, note = "?.0000.101?.000", "Encaisse – comptes courant, de paie et fonds de caisse"
        elif role in B_CAP_MES:
            p, note = base + "*", fr + " (toutes mesures)"
        else:
            p, note = base, fr
        if p in seen:
            continue
        seen.add(p)
        csvr.append((p, code, note))
    return r, dims, csvr


C_FUNC_RULES = [
    ([V("class", "5"), RG("function", 10, 12)], 61000, "Instruction – kindergarten, elementary, secondary"),
    ([V("class", "5"), RG("function", 14, 15)], 61010, "Special education"),
    ([V("class", "5"), V("function", "16")], 61020, "Adult education"),
    ([V("class", "5"), V("function", "17")], 61030, "Vocational training"),
    ([V("class", "5"), V("function", "21")], 62000, "School administration"),
    ([V("class", "5"), V("function", "22")], 62010, "Student services"),
    ([V("class", "5"), V("function", "23")], 62020, "Professional development"),
    ([V("class", "5"), RG("function", 24, 25)], 62030, "Libraries, learning materials, educational technology"),
    ([V("class", "5"), V("function", "31")], 63000, "Student transportation"),
    ([V("class", "5"), V("function", "32")], 63010, "Daycare"),
    ([V("class", "5"), RG("function", 33, 34)], 63020, "Lunch supervision and cafeterias"),
    ([V("class", "5"), V("function", "41")], 64000, "Council of commissioners"),
    ([V("class", "5"), V("function", "43")], 64020, "Administrative services"),
    ([V("class", "5"), V("function", "51")], 65000, "Custodial services"),
    ([V("class", "5"), V("function", "52")], 65010, "Energy"),
    ([V("class", "5"), V("function", "53")], 65020, "Maintenance and repairs"),
    ([V("class", "5"), V("function", "54")], 65030, "Building rentals"),
    ([V("class", "5"), V("function", "61")], 66000, "Business services"),
    ([V("class", "5"), V("function", "62")], 66010, "Interest on long-term debt"),
    ([V("class", "5"), V("function", "63")], 66020, "Interest and bank charges"),
    ([V("class", "5"), V("function", "64")], 66030, "Bad debts"),
    ([V("class", "5"), V("function", "71")], 67000, "Employee benefit provisions"),
]


def crosswalk_lakeshore(c):
    r = [("cmt", "Balance sheet and revenue accounts: table kept by Financial Services"),
         ("inc", "reports/crosswalks/lakeshore.csv"),
         ("cmt", "Expenses (class 5): the function gives the code, the object gives the nature (below)")]
    for conds, code, note in C_FUNC_RULES:
        r.append(cond(conds, code, note=note))
    r += [pat("542???/CC-*", 64010, note="Director General and Secretary General"),
          pat("555900/CC-*", 65040, note="Amortization of capital assets"),
          cond([V("class", "5"), V("object", "850")], 66030, 1, "Bad debts, whatever the function (daycare)"),
          pat("543810/CC-9040", 65020, note="Property insurance: presented with buildings")]
    nat = [((100, 149), "N100"), ((150, 199), "N110"), ((200, 299), "N120"), ((300, 399), "N130"),
           ((400, 499), "N200"), ((500, 599), "N300"), ((600, 699), "N400"), ((700, 799), "N500"),
           ((800, 899), "N600"), ((860, 869), "N700"), ((870, 879), "N700"), ((880, 889), "N700"),
           ((900, 949), "N800"), ((950, 999), "N900")]
    dims = [("copy", "etablissement", "cost_centre"),
            ("cases", "nature", [([V("class", "5"), RG("object", lo, hi)], n) for (lo, hi), n in nat])]
    csvr = []
    for role, (code, fr, en) in BS_ROLES.items():
        if c.bs_variants(role):
            csvr.append((c.bs(role), code, en))
    for key, gl in C_REV.items():
        hc, fr, en = REVS[key]
        if key in ("garde_f", "midi_f", "cafe_f", "locat_f", "scol", "entrep_f"):
            csvr.append((f"{gl}/CC-*", hc, en + " – all cost centres"))
        else:
            csvr.append((f"{gl}/CC-0000", hc, en))
    return r, dims, csvr


def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def matcher_text(conds):
    out = []
    for cnd in conds:
        if cnd[1] == "v":
            out.append(f"{cnd[0]} {q(cnd[2])}")
        else:
            out.append(f"{cnd[0]} {cnd[2]}..{cnd[3]}")
    return " and ".join(out)


def crosswalk_text(name, structure, rules, dims):
    lines = [f"crosswalk {name}: {structure} -> meq {{"]
    for r in rules:
        if r[0] == "cmt":
            lines.append(f"  # {r[1]}")
        elif r[0] == "inc":
            lines.append(f"  include {q(r[1])}")
        else:
            m = q(r[1]) if r[0] == "pat" else matcher_text(r[1])
            t = f"  {m} => {r[2]}"
            if r[3] is not None:
                t += f" priority {r[3]}"
            valid = r[5] if len(r) > 5 else None
            if valid:
                start, end = valid
                t += " valid" + (f" from {start}" if start else "") + (f" until {end}" if end else "")
            if r[4]:
                t += f" {q(r[4])}"
            lines.append(t)
    lines.append("  # Dimensions")
    for d in dims:
        if d[0] == "copy":
            lines.append(f"  dimension {d[1]} = {d[2]}")
        else:
            lines.append(f"  dimension {d[1]} {{")
            for conds, v in d[2]:
                lines.append(f"    {matcher_text(conds)} => {v}")
            lines.append("  }")
    lines.append("}")
    return "\n".join(lines)


def format_text(name, label, options, columns, mv_role, mv):
    lines = [f"format {name} {q(label)} {{"]
    for k, v in options:
        lines.append(f"  {k} {q(v)}")
    lines.append("  columns {")
    for role, heads, joined in columns:
        t = f"    {role} " + ", ".join(q(h) for h in heads)
        if joined is not None:
            t += f" joined {q(joined)}"
        lines.append(t)
    lines.append("  }")
    lines.append(f"  movements from {mv_role} {{")
    for k, v in mv.items():
        lines.append(f"    {q(k)} => {v}")
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines)


MV_FROM_J = {"IMM-ACQ": "acquisition", "IMM-DIS": "disposal", "IMM-TRF": "transfer", "DLT-EMP": "borrowing",
             "DLT-REM": "repayment"}

SPEC = {
    "sommets": {
        "structure": ("poste_sommets", "Poste budgétaire UUU-F-AAAAA-OOO",
                      'unit:3 "-" fund:1 "-" activity:5 "-" object:3'),
        "format": ("dofin_sommets", "Export DOFIN des Sommets – UTF-8, virgule, montant signé",
                   [("delimiter", ","), ("quote", '"'), ("decimal", "."), ("encoding", "utf-8"), ("date", "%Y-%m-%d")],
                   [("date", ["Date"], None), ("journal", ["Journal"], None), ("reference", ["Pièce"], None),
                    ("account", ["Poste budgétaire"], None), ("description", ["Description"], None),
                    ("amount", ["Montant"], None)],
                   "journal", {A_JOURNAL[k]: v for k, v in MV_FROM_J.items()}),
        "crosswalk": ("sommets_meq", crosswalk_sommets),
        "header": [
            "Centre de services scolaire des Sommets (code 771) – données d'exemple fictives.",
            "Poste budgétaire DOFIN UUU-F-AAAAA-OOO : unité administrative, fonds (1 fonctionnement,",
            "2 investissements, 4 destination spéciale), activité, objet. Le bilan utilise l'unité 000 et",
            "les activités 9xxxx ; les revenus, les activités 8xxxx.",
            "Export : UTF-8 sans BOM, fins de ligne LF, séparateur « , », point décimal, montant signé",
            "(débit positif), dates AAAA-MM-JJ. Le type de mouvement vient du code de journal.",
        ],
    },
    "riviere": {
        "structure": ("code_riviere", "Code budgétaire F.AAAA.OOOO.UUU[-MMMMM]",
                      'fund:1 "." activity:4 "." object:4 "." unit:3 [ "-" mesure:5 ]'),
        "format": ("export_riviere", "Export de la Rivière-du-Nord – Windows-1252, point-virgule, virgule décimale",
                   [("delimiter", ";"), ("decimal", ","), ("thousands", " "), ("encoding", "windows-1252"),
                    ("date", "%d/%m/%Y")],
                   [("date", ["Date"], None), ("journal", ["Journal"], None), ("reference", ["N° pièce"], None),
                    ("account", ["Code budgétaire"], None), ("description", ["Libellé"], None),
                    ("debit", ["Débit"], None), ("credit", ["Crédit"], None),
                    ("movement", ["Type de mouvement"], None)],
                   "movement", {v: k for k, v in B_MOVEMENT.items()}),
        "crosswalk": ("riviere_meq", crosswalk_riviere),
        "header": [
            "Centre de services scolaire de la Rivière-du-Nord (code 772) – données d'exemple fictives.",
            "Code budgétaire F.AAAA.OOOO.UUU[-MMMMM] : fonds (1 fonctionnement, 2 investissements,",
            "3 destination spéciale), activité, objet, unité, et la mesure du MEQ en suffixe facultatif.",
            "Le bilan utilise l'activité 0000 et l'unité 000 ; les revenus, les objets 8xxx.",
            "Export Windows : Windows-1252, fins de ligne CRLF, séparateur « ; », virgule décimale,",
            "espace comme séparateur de milliers, colonnes Débit et Crédit (l'une des deux vide),",
            "dates JJ/MM/AAAA. Le type de mouvement vient de sa propre colonne.",
        ],
    },
    "lakeshore": {
        "structure": ("gl_lakeshore", "GL account (class, function, object) and cost centre CC-NNNN",
                      'class:1 function:2 object:3 "/" "CC-" cost_centre:4'),
        "format": ("lakeshore_gl", "Lakeshore Valley GL export – UTF-8, comma, thousands separator",
                   [("delimiter", ","), ("decimal", "."), ("thousands", ","), ("encoding", "utf-8"),
                    ("date", "%Y/%m/%d")],
                   [("date", ["Posting Date"], None), ("journal", ["Source"], None),
                    ("reference", ["Document No."], None), ("account", ["GL Account", "Cost Centre"], "/"),
                    ("description", ["Description"], None), ("debit", ["Debit"], None), ("credit", ["Credit"], None)],
                   "journal", {C_JOURNAL[k]: v for k, v in MV_FROM_J.items()}),
        "crosswalk": ("lakeshore_meq", crosswalk_lakeshore),
        "header": [
            "Lakeshore Valley School Board (code 881) – fictional sample data.",
            "Local code = GL natural account (6 digits: class, function, object) joined with the cost",
            "centre (CC-NNNN) by \"/\", e.g. 511100/CC-1040. Balance-sheet accounts use CC-0000.",
            "Export: UTF-8 without BOM, LF line ends, delimiter \",\", decimal point, \",\" as thousands",
            "separator (amounts of 1,000 and more are quoted), Debit and Credit columns (0.00 on the",
            "other side), dates YYYY/MM/DD. The movement type comes from the Source (journal) column.",
        ],
    },
}


def rdn_text(c):
    sp = SPEC[c.id]
    sname, slabel, sbody = sp["structure"]
    fname, flabel, fopts, fcols, mvrole, mv = sp["format"]
    cname, fn = sp["crosswalk"]
    rules, dims, _ = fn(c)
    out = ["# " + h for h in sp["header"]]
    out.append("# Generated by ledgers/generate.py (python3 ledgers/generate.py); edit the generator, not this file.")
    out.append("")
    out.append(f"structure {sname} {q(slabel)} {{\n  {sbody}\n}}")
    out.append("")
    out.append(format_text(fname, flabel, fopts, fcols, mvrole, mv))
    out += extra_format_text(c)
    out.append("")
    out.append(crosswalk_text(cname, sname, rules, dims))
    out.append("")
    ent = [f"entity {c.id} {q(c.name)} {{", f"  code {q(c.code)}", f"  crosswalk {cname}"]
    kinds = ("opening", "ledger", "opening", "ledger")
    for k, f in zip(kinds, c.files):
        ent.append(f"  {k} {q('ledgers/' + c.dirname + '/' + f)} format {fname}")
    ent += extra_source_lines(c)
    ent.append("}")
    out.append("\n".join(ent))
    return "\n".join(out) + "\n"


def crosswalk_csv(c):
    _, _, rows = SPEC[c.id]["crosswalk"][1](c)
    rows = list(rows) + ie_crosswalk_rows(c)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["pattern", "code", "note"])
    for p, code, note in rows:
        w.writerow([p, code, note or ""])
    return buf.getvalue()


RESEAU = """# Regroupement des trois centres d'exemple (fictifs).
# Generated by ledgers/generate.py; edit the generator, not this file.

group reseau "Ensemble des trois centres" {
  sommets, riviere, lakeshore
  eliminate 12210 against 21100 "Créances et dettes entre centres"
  eliminate 54030, 54040, 55090 against 62020, 63000, 65030 "Services facturés entre centres"
}
"""


# ---------------------------------------------------------------------------------------------
# README
# ---------------------------------------------------------------------------------------------

README = """# Sample ledgers / Grands livres d'exemple

Three **fictional** school-service centres, built to exercise every part of reddition: three
export dialects, three code structures, crosswalks with exact codes, wildcards, segment ranges,
priorities and CSV tables, and two fiscal years that balance and reconcile to the cent.
Trois centres **fictifs** ; aucun chiffre ne provient d'un vrai centre (ordres de grandeur :
DOMAIN.md §3).

| centre | id | MEQ code | dialect | code structure |
|---|---|---|---|---|
| Centre de services scolaire des Sommets | `sommets` | 771 | UTF-8, `,`, decimal point, signed `Montant`, `%Y-%m-%d`, LF | `UUU-F-AAAAA-OOO` (unit, fund, activity, object), e.g. `231-1-11010-110` |
| Centre de services scolaire de la Rivière-du-Nord | `riviere` | 772 | Windows-1252, `;`, decimal comma, thousands ` ` (space), `Débit`/`Crédit`, `%d/%m/%Y`, CRLF | `F.AAAA.OOOO.UUU[-MMMMM]` (fund, activity, object, unit, optional MEQ *mesure*), e.g. `1.1100.0410.052-30811` |
| Lakeshore Valley School Board | `lakeshore` | 881 | UTF-8, `,`, decimal point, thousands `,` (such amounts are quoted), `Debit`/`Credit` with `0.00` on the other side, `%Y/%m/%d`, LF | GL account `class:1 function:2 object:3` and cost centre `CC-NNNN`, two columns joined by `/`, e.g. `511100/CC-1040` |

Each centre has seven sources (paths in `reports/centres/<id>.rdn`):

- opening balances at 2023-07-01 (fiscal year 2024), balance-sheet accounts only;
- the 2023-2024 ledger, **condensed**: one summary entry per journal and month (per quarter for
  payroll and supplier invoices), as a centre would hand over a closed year;
- opening balances at 2024-07-01: exactly the closing balances of 2023-2024, revenues and
  charges closed into the accumulated-surplus account;
- the 2024-2025 ledger in full detail: monthly payroll distributions (teachers on a ten-month
  pattern, their summer pay accrued at June 30 and paid in July–August), biweekly pays and
  transfers to the payroll account, remittances of source deductions, supplier invoices with
  GST/QST rebates and weekly payment runs, MEQ allocations and payments, the school-tax roll in
  July and its collections, daycare and lunch billing, capital projects with progress billings,
  transfers out of work in progress, disposals, monthly amortization, long-term borrowings and
  repayments, interest, sick-leave payouts, month-end cash management;
- the year-end adjusting entries of 2024-2025 (`ajustements-2024-2025.csv`, an `adjustments`
  source: period 13): the summer pay of teachers accrued at June 30, vacation payable, prepaid
  expenses, unspent allocations deferred, the changes in the employee-benefit provisions and in
  the allowances for doubtful accounts, the asset retirement obligation and its grant. Monthly
  columns show the books as closed each month, the year shows them adjusted;
- the inter-entity transactions of 2024-2025 (`interentites-2024-2025.csv`), in the centre's
  dialect plus a counterparty column (`Centre lié`, `Related board` at Lakeshore Valley) holding
  the other centre's MEQ code, read with the format variant `<format>_ie`. Rivière-du-Nord
  carries students of the Sommets (billed monthly, September to June, 55090 against 63000);
  Lakeshore Valley rents classrooms of Riverdale Heights High School to Rivière-du-Nord's adult
  education centre (monthly, 54040 against 65030); the Sommets' educational services train
  Lakeshore Valley's teachers (after each session, 54030 against 62020). Receivables and payables
  between centres have their own sub-accounts (12210, 21100). Both sides book each invoice and
  each payment, except the training session of June 2025: the Sommets bill it on June 30,
  Lakeshore Valley books it in July 2025, so the group's eliminations report shows that pair as
  not matched (`out/eliminations.txt`);
- the adopted budget of 2024-2025 (`budget-2024-2025.csv`, a `budget` source), phased by month:
  one line per revenue and charge code and month, dated the 1st; per code, the actual amount of
  the year times a factor between 0.96 and 1.04, spread with the centre's seasonality (teachers
  over ten months, school tax in July, energy in winter, allocations for measures from October,
  provisions and bad debts in June); the MEQ base allocation, within the same bounds, closes the
  budget on the small deficit the board adopts. It feeds `reports/suivi/suivi_budgetaire.rdn`.

Every journal entry (same reference) sums to zero, and so does every file but the budget.
Amounts are exact cents.

## Fr — ce qu'il faut savoir

- **Sommets** : poste budgétaire DOFIN, unité en tête (`000` pour le bilan, activités `9xxxx` ;
  revenus en activités `8xxxx`). Fonds 1 fonctionnement, 2 investissements, 4 destination
  spéciale. Type de mouvement tiré du **journal** (`IMM-ACQ`, `IMM-DIS`, `IMM-TRF`, `DLT-EMP`,
  `DLT-REM`). Table du bilan : `reports/crosswalks/sommets.csv`.
- **Rivière-du-Nord** : fonds en tête, mesure du MEQ en suffixe facultatif (15313, 30010, 30011,
  30811, 30812 ; 50620, 50730 en investissement). Bilan en activité `0000`, revenus en objets
  `8xxx`. Type de mouvement dans sa propre colonne (`ACQ`, `ALIEN`, `TRANSF`, `EMPR`, `REMB`),
  renseigné sur les seules lignes d'immobilisations et de dette. Fichiers en Windows-1252 avec
  fins de ligne CRLF, comme un export Windows. Table du bilan : `reports/crosswalks/riviere.csv`.
  Une règle datée : l'assurance des biens (`1.4300.0620.910`) passe de 65020 (biens meubles et
  immeubles) à 64020 (services administratifs) le 2025-07-01 ; l'ancienne règle porte
  `valid until 2025-06-30`, si bien que l'exercice 2024-2025 se rebâtit tel quel
  (`reddition diff --from 2025-06-30 --to 2025-07-01`).
- **Lakeshore Valley** : commission scolaire anglophone ; compte de grand livre à six chiffres
  (classe, fonction, objet) et centre de coûts `CC-NNNN`. Type de mouvement tiré de la colonne
  `Source` (`FA-ADD`, `FA-DSP`, `FA-TRF`, `LTD-ISS`, `LTD-RPY`). Table du bilan et des revenus :
  `reports/crosswalks/lakeshore.csv`.

Conventions communes : acquisitions au débit des comptes 31000..31500 avec le mouvement
`acquisition` ; transferts hors des travaux en cours, deux lignes `transfer` ; amortissement
sans mouvement ; dispositions (produit au débit de l'encaisse, amortissement cumulé, coût) avec
le mouvement `disposal` ; toute écriture sur 21500/21510 porte `borrowing` ou `repayment` ;
aucune écriture sur 41000/41010 en cours d'exercice. Quand le type vient du journal (Sommets,
Lakeshore), toutes les lignes de la pièce le portent, contreparties et gain compris ; à la
Rivière-du-Nord, seules les lignes d'immobilisations, de dette et le produit de disposition le
portent. Les états ne retiennent le mouvement que sur les codes visés (31000..31500, 11000,
21500/21510), ce qui donne le même résultat dans les deux cas.

Opérations entre centres (2024-2025) : sous-comptes de débiteurs et de créditeurs propres à
chaque centre (Sommets `000-1-92211-000` et `000-1-93101-000`, Rivière-du-Nord
`1.0000.1224.000` et `1.0000.2101.000`, Lakeshore Valley `113200/CC-0000` et `210100/CC-0000`,
vers 12210 et 21100, lignes ajoutées aux tables `reports/crosswalks/*.csv`) ; transport facturé
par la Rivière-du-Nord en `1.3100.8790.930` (revenus divers) et imputé aux Sommets en
`040-1-31010-520` ; loyer facturé par Lakeshore Valley en `455000/CC-2020` et imputé à la
Rivière-du-Nord en `1.5400.0610.920` ; formation facturée par les Sommets en `050-1-84040-000`
et imputée à Lakeshore Valley en `523510/CC-9090`. Seules les lignes de créances, de dettes, de
revenus et de charges portent le code du centre lié ; les lignes d'encaisse le laissent vide.

## Regenerate / vérifier

```sh
python3 ledgers/generate.py            # rewrites ledgers/, reports/centres/, reports/crosswalks/, this file
python3 ledgers/generate.py --verify   # re-reads everything as the compiler would and prints the figures
```

The generator uses the Python 3.11 standard library only, fixed seeds and integer cents: the
output is the same, byte for byte, on every run. `--verify` parses the `.rdn` files it wrote
(structure, format, crosswalk with its CSV table, entity), decodes each export with its declared
dialect, maps every local code with the crosswalk's precedence rules (the rules valid on 30 June
2025, the end of the year built), and checks: balanced
references and files, opening = prior closing, every code mapped by one best rule, the statement
of financial position, and the cash-flow and net-debt identities; it prints each budget's totals
and pairs the inter-entity postings as the group's `eliminate` rules do.

## Files

| file | postings (lines after the header) | bytes |
|---|---|---|
{files}
"""


def readme_text(stats):
    rows = "\n".join(f"| `{p}` | {n} | {b} |" for p, n, b in stats)
    return README.replace("{files}", rows)


def generate():
    stats = []
    ie = interentity_entries()
    for c in CENTRES:
        files, gens = build_centre(c)
        extras = fy25_extras(c, files, gens[1], ie[c.id])
        for name, entries in files.items():
            path = f"ledgers/{c.dirname}/{name}"
            write_export(c, path, entries)
            stats.append((path, sum(len(e["lines"]) for e in entries),
                          os.path.getsize(os.path.join(ROOT, path))))
        stats += write_extras(c, extras)
        write_text(f"reports/centres/{c.id}.rdn", rdn_text(c))
        write_text(f"reports/crosswalks/{c.id}.csv", crosswalk_csv(c))
    write_text("reports/centres/reseau.rdn", RESEAU)
    write_text("ledgers/README.md", readme_text(stats))
    for p, n, b in stats:
        print(f"{p}: {n} lines, {b} bytes")


# ---------------------------------------------------------------------------------------------
# Fiscal year 2024-2025: year-end adjustments apart, inter-entity transactions, monthly budget
# ---------------------------------------------------------------------------------------------

FY25_FILES = {"adjustments": "ajustements-2024-2025.csv", "interentity": "interentites-2024-2025.csv",
              "budget": "budget-2024-2025.csv"}
IE_HEADER = {"sommets": "Centre lié", "riviere": "Centre lié", "lakeshore": "Related board"}
# inter-entity receivable and payable sub-accounts: local code, harmonized code, French and English labels
IE_BS = {
    "sommets": {"rec": ("000-1-92211-000", 12210), "pay": ("000-1-93101-000", 21100)},
    "riviere": {"rec": ("1.0000.1224.000", 12210), "pay": ("1.0000.2101.000", 21100)},
    "lakeshore": {"rec": ("113200/CC-0000", 12210), "pay": ("210100/CC-0000", 21100)},
}
IE_BS_LABEL = {"rec": ("Débiteurs – centres de services et commissions scolaires",
                       "Accounts receivable – school service centres and boards"),
               "pay": ("Créditeurs – centres de services et commissions scolaires",
                       "Accounts payable – school service centres and boards")}
# budget phasing by fiscal month (July first)
BUDGET_PROFILES = {
    "tenmonths": [0, 0] + [1] * 10, "adult": [.4, .4] + [1] * 10, "july": [1] + [0] * 11,
    "june": [0] * 11 + [1], "measures": [0, 0, 0] + [1] * 9, "twice": [0, 0, .6, 0, 0, 0, .4, 0, 0, 0, 0, 0],
    "lunch": [0, 0, 1.1, 0, 0, 0, .9, 0, 0, 0, 0, 0], "february": [0] * 7 + [1] + [0] * 4,
    "march": [0] * 8 + [1] + [0] * 4,
}
BUDGET_REV = {"taxe": "july", "meq_mes": "measures", "taxe_sup": "sepjun", "garde_f": "sepjun", "cafe_f": "sepjun",
              "midi_f": "lunch", "scol": "twice", "meq_adj": "february", "inv_dir": "march", "gain": "june",
              "omhs": "june"}


def centre(cid):
    return next(c for c in CENTRES if c.id == cid)


class IEBook:
    """One centre's inter-entity entries, with the counterparty of each line."""

    def __init__(self, c, prefix):
        self.c, self.prefix, self.entries, self.n = c, prefix, [], defaultdict(int)

    def post(self, date, j, lines):
        """lines: (local code, cents, description, counterparty code or "")"""
        assert sum(x[1] for x in lines) == 0 and fy_bounds(2025)[0] <= date <= fy_bounds(2025)[1]
        jc = self.c.journal(j)
        self.n[jc] += 1
        ref = self.prefix(jc, self.n[jc])
        self.entries.append({"date": date, "j": j, "ref": ref, "mvt": None, "tag": None, "n": len(self.entries),
                             "lines": [(code, a, desc, False) for code, a, desc, _ in lines],
                             "cp": [cp for _, _, _, cp in lines]})


def interentity_entries():
    """Transactions of 2024-2025 between the three centres, booked by both sides.

    Rivière-du-Nord carries students of the Sommets (billed monthly, September to June); Lakeshore
    Valley rents classrooms of Riverdale Heights High School to Rivière-du-Nord's adult education
    centre (billed monthly); the Sommets' educational services train Lakeshore Valley's teachers
    (billed after each session). The session of June 2025 is billed by the Sommets on 30 June and
    only booked by Lakeshore Valley in July 2025: that pair does not match at the year end.
    """
    rng = random.Random(f"{SEED}-interentites-2025")
    som, riv, lak = centre("sommets"), centre("riviere"), centre("lakeshore")
    books = {
        "sommets": IEBook(som, lambda jc, n: f"IE-{jc}-2425-{n:04d}"),
        "riviere": IEBook(riv, lambda jc, n: f"IE{jc}2025-{n:05d}"),
        "lakeshore": IEBook(lak, lambda jc, n: f"IE-{jc}-FY25-{n:04d}"),
    }
    rec = {k: v["rec"][0] for k, v in IE_BS.items()}
    pay = {k: v["pay"][0] for k, v in IE_BS.items()}
    months = fy_months(2025)

    def fr_month(y, m):
        return f"{MOIS[m - 1]} {y}"

    def en_month(y, m):
        return f"{MONTHS[m - 1]} {y}"

    # 1. school transportation: Rivière-du-Nord bills the Sommets at each month end, paid on the 25th
    #    of the next month (the June invoice is still open at the year end, on both sides)
    rev_transp = "1.3100.8790.930"
    chg_transp = som.pl_code("transp", "ctransp", som.unit("transp"))
    for i, (y, m) in enumerate(months[2:], start=2):
        a = int(round(rng.uniform(108_000, 131_000) * 100))
        d = month_end(y, m)
        no = f"TR-{y % 100:02d}{m:02d}-{rng.randint(100, 999)}"
        lab_r = f"Fact. {no} – transport d'élèves du CSS des Sommets, {fr_month(y, m)}"
        books["riviere"].post(d, "REV", [(rec["riviere"], a, lab_r, som.code),
                                         (rev_transp, -a, lab_r, som.code)])
        lab_s = f"Fact. {no} – CSS de la Rivière-du-Nord, transport d'élèves (secteur Rivière-Claire), {fr_month(y, m)}"
        books["sommets"].post(d, "FACT", [(chg_transp, a, lab_s, riv.code), (pay["sommets"], -a, lab_s, riv.code)])
        if (y, m) != (2025, 6):
            ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
            p = bday(ny, nm, 25)
            books["sommets"].post(p, "PMT", [(pay["sommets"], a, f"Paiement fact. {no} – CSS de la Rivière-du-Nord",
                                              riv.code),
                                             (som.bs("cash"), -a, f"TEF – CSS de la Rivière-du-Nord, fact. {no}", "")])
            books["riviere"].post(p, "ENC", [(riv.bs("cash"), a, f"Encaissement – CSS des Sommets, fact. {no}", ""),
                                             (rec["riviere"], -a, f"Encaissement fact. {no} – CSS des Sommets",
                                              som.code)])
    # 2. classroom rental: Lakeshore Valley bills Rivière-du-Nord on the first business day of each
    #    month, paid thirty days later (the June rent is paid in July)
    rev_rent = "455000/CC-2020"
    chg_rent = riv.pl_code("location", "loc", riv.unit("rm"))
    rent = 3_685_000
    for i, (y, m) in enumerate(months):
        d = bday(y, m, 1)
        no = f"R{y % 100:02d}{m:02d}-0{rng.randint(10, 99)}"
        lab_l = f"Inv. {no} – classroom rental, Riverdale Heights High School – CSS de la Rivière-du-Nord, {en_month(y, m)}"
        books["lakeshore"].post(d, "REV", [(rec["lakeshore"], rent, lab_l, riv.code),
                                           (rev_rent, -rent, lab_l, riv.code)])
        lab_r = f"Fact. {no} – CS Lakeshore Valley, loyer des locaux (école Riverdale Heights), {fr_month(y, m)}"
        books["riviere"].post(d, "FACT", [(chg_rent, rent, lab_r, lak.code), (pay["riviere"], -rent, lab_r, lak.code)])
        p = d + dt.timedelta(days=30)
        if p <= D(2025, 6, 30):
            p = weekday_back(p)
            books["riviere"].post(p, "PMT", [(pay["riviere"], rent, f"Paiement fact. {no} – CS Lakeshore Valley",
                                              lak.code),
                                             (riv.bs("cash"), -rent, f"TEF – CS Lakeshore Valley, fact. {no}", "")])
            books["lakeshore"].post(p, "ENC", [(lak.bs("cash"), rent, f"EFT received – CSS de la Rivière-du-Nord, inv. {no}",
                                                ""),
                                               (rec["lakeshore"], -rent, f"Payment inv. {no} – CSS de la Rivière-du-Nord",
                                                riv.code)])
    # 3. staff training: the Sommets bill Lakeshore Valley after each session, paid thirty days later;
    #    the June session is booked by the Sommets on 30 June, by Lakeshore Valley in July 2025 only
    rev_train = som.rev_code("entrep_f", som.unit("educ"))
    chg_train = lak.pl_code("perf", "perfo", lak.unit("educ"))
    sessions = [(D(2024, 8, 30), "journées pédagogiques d'août", "August professional days", 1.3),
                (D(2024, 10, 31), "accompagnement en francisation", "French-language support", 1.0),
                (D(2025, 1, 31), "formation en adaptation scolaire", "special education training", 1.2),
                (D(2025, 3, 31), "accompagnement en francisation", "French-language support", .9),
                (D(2025, 6, 30), "formation de fin d'année", "end-of-year training", 1.1)]
    for d, fr, en, w in sessions:
        a = int(round(rng.uniform(118_000, 142_000) * w * 100))
        no = f"SE-{d.year % 100:02d}{d.month:02d}-{rng.randint(1000, 9999)}"
        lab_s = f"Fact. {no} – formation du personnel de la CS Lakeshore Valley, {fr}"
        books["sommets"].post(d, "REV", [(rec["sommets"], a, lab_s, lak.code), (rev_train, -a, lab_s, lak.code)])
        if d.month == 6:
            continue
        lab_l = f"Inv. {no} – CSS des Sommets, staff training: {en}"
        books["lakeshore"].post(d, "FACT", [(chg_train, a, lab_l, som.code), (pay["lakeshore"], -a, lab_l, som.code)])
        p = weekday_back(d + dt.timedelta(days=30))
        books["lakeshore"].post(p, "PMT", [(pay["lakeshore"], a, f"Payment inv. {no} – CSS des Sommets", som.code),
                                           (lak.bs("cash"), -a, f"EFT – CSS des Sommets, inv. {no}", "")])
        books["sommets"].post(p, "ENC", [(som.bs("cash"), a, f"Encaissement – CS Lakeshore Valley, fact. {no}", ""),
                                         (rec["sommets"], -a, f"Encaissement fact. {no} – CS Lakeshore Valley",
                                          lak.code)])
    for b in books.values():
        b.entries.sort(key=lambda e: (e["date"], e["n"]))
    return {k: b.entries for k, b in books.items()}


def ie_crosswalk_rows(c):
    """Crosswalk rows of the inter-entity receivable and payable sub-accounts."""
    return [(code, hc, c.T(*IE_BS_LABEL[k])) for k, (code, hc) in IE_BS[c.id].items()]


def budget_profile(gen, code, actual_by_month):
    if code in gen.meta:
        act, obj, u, _ = gen.meta[code]
        ch = OBJS[obj][1]
        if ch == "pay":
            if act in SCHOOL_YEAR_ACTS:
                return BUDGET_PROFILES["tenmonths"]
            if act in ("fga", "fp") and obj in ("ens", "charges"):
                return BUDGET_PROFILES["adult"]
            return PROFILES["flat"]
        if ch == "inv":
            return PROFILES[INV_SPEC[obj][2]]
        if ch == "stock":
            return PROFILES["school"]
        return BUDGET_PROFILES["june"] if obj in ("creirr", "provv") else PROFILES["flat"]
    if code in gen.rmeta:
        p = BUDGET_REV.get(gen.rmeta[code][0], "flat")
        return BUDGET_PROFILES.get(p) or PROFILES[p]
    if any(actual_by_month):
        return [abs(x) for x in actual_by_month]
    return PROFILES["flat"]


def budget_entries(c, gen, postings):
    """The adopted budget of 2024-2025, phased by month: per revenue and charge code, the actual
    amount of the year times a factor between 0.96 and 1.04, spread with the centre's seasonality."""
    rng = random.Random(f"{SEED}-{c.id}-budget-2025")
    bs = set(bs_code_list(c)) | {code for code, _ in IE_BS[c.id].values()}
    monthly = defaultdict(lambda: [0] * 12)
    for e in postings:
        i = (e["date"].month - 7) % 12
        for code, a, _, _ in e["lines"]:
            if code not in bs:
                monthly[code][i] += a
    annual = {}
    for code in sorted(monthly):
        actual = sum(monthly[code])
        f = rng.randint(9600, 10400)
        annual[code] = (1 if actual > 0 else -1) * ((abs(actual) * f + 5000) // 10000)
    # the base allocation of the MEQ closes the budget on the deficit the board adopts (an
    # appropriation of its accumulated surplus), its factor staying between 0.96 and 1.04
    base = max((code for code in gen.rmeta if gen.rmeta[code][0] == "meq_base" and code in annual),
               key=lambda code: -annual[code])
    revenue = -sum(a for code, a in annual.items() if code in gen.rmeta or a < 0)
    deficit = int(round(revenue * rng.uniform(.001, .004)))
    annual[base] -= sum(annual.values()) - deficit
    assert 9600 <= annual[base] * 10000 // sum(monthly[base]) <= 10400, (c.id, annual[base], sum(monthly[base]))
    per_month = [[] for _ in range(12)]
    for code, amount in annual.items():
        if not amount:
            continue
        for i, a in enumerate(alloc(amount, budget_profile(gen, code, monthly[code]))):
            if a:
                per_month[i].append((code, a))
    out = []
    for i, (y, m) in enumerate(fy_months(2025)):
        ml = c.T(f"{MOIS[m - 1]} {y}", f"{MONTHS[m - 1]} {y}")
        desc = c.T(f"Budget adopté 2024-2025 – {ml}", f"Adopted budget 2024-2025 – {ml}")
        ref = {"sommets": f"BUD-2425-P{i + 1:02d}", "riviere": f"BUD2025-P{i + 1:02d}",
               "lakeshore": f"BUD-FY25-P{i + 1:02d}"}[c.id]
        out.append({"date": D(y, m, 1), "j": "GEN", "ref": ref, "mvt": None, "tag": None, "n": i,
                    "lines": [(code, a, desc, False) for code, a in per_month[i]]})
    return out


def fy25_extras(c, files, gen, ie):
    """Moves the year-end adjusting entries of 2024-2025 out of the ledger (they become period 13)
    and adds the inter-entity export and the budget: {file name: (entries, journal, counterparties)}."""
    f = c.files[3]
    entries = files[f]
    files[f] = [e for e in entries if e["j"] != "FIN"]
    adj = [e for e in entries if e["j"] == "FIN"]
    return {FY25_FILES["adjustments"]: (adj, None, None),
            FY25_FILES["interentity"]: (ie, None, [cp for e in ie for cp in e["cp"]]),
            FY25_FILES["budget"]: (budget_entries(c, gen, entries + ie), "BUD", None)}


def write_extras(c, extras):
    stats = []
    for name, (entries, journal, cps) in extras.items():
        rows = list(c.rows(entries))
        if journal:
            for r in rows[1:]:
                r[1] = journal
        if cps is not None:
            rows[0].append(IE_HEADER[c.id])
            assert len(rows) == len(cps) + 1
            for r, cp in zip(rows[1:], cps):
                r.append(cp)
        buf = io.StringIO(newline="")
        w = csv.writer(buf, delimiter=c.delimiter, quotechar='"', quoting=csv.QUOTE_MINIMAL, lineterminator=c.newline)
        w.writerows(rows)
        path = f"ledgers/{c.dirname}/{name}"
        write_bytes(path, buf.getvalue().encode(c.encoding))
        stats.append((path, len(rows) - 1, os.path.getsize(os.path.join(ROOT, path))))
    return stats


def extra_format_text(c):
    """The export format of the inter-entity file: the centre's own, plus the counterparty column."""
    fname, flabel, fopts, fcols, mvrole, mv = SPEC[c.id]["format"]
    label = c.T(f"{flabel} – opérations entre centres, colonne « {IE_HEADER[c.id]} »",
                f"{flabel} – inter-board transactions, \"{IE_HEADER[c.id]}\" column")
    cols = list(fcols) + [("counterparty", [IE_HEADER[c.id]], None)]
    return ["", format_text(fname + "_ie", label, fopts, cols, mvrole, mv)]


def extra_source_lines(c):
    fname = SPEC[c.id]["format"][0]
    p = f"ledgers/{c.dirname}/"
    return [f"  adjustments {q(p + FY25_FILES['adjustments'])} format {fname}",
            f"  ledger {q(p + FY25_FILES['interentity'])} format {fname}_ie",
            f"  budget {q(p + FY25_FILES['budget'])} format {fname}"]


# ---------------------------------------------------------------------------------------------
# --verify: an independent re-reading of what was written
# ---------------------------------------------------------------------------------------------

HARMONIZED = {
    # code: (class, normal balance, cash-flow class)
    **{c: ("FA", "D", cf) for c, cf in [(11000, "CASH"), (11100, "CASH"), (12000, "OP"), (12010, "FIN"),
                                         (12020, "FIN"), (12030, "OP"), (12100, "OP"), (12200, "OP"),
                                         (12210, "OP"), (12220, "OP"), (12300, "PLA")]},
    12110: ("FA", "C", "OP"), 12290: ("FA", "C", "OP"),
    **{c: ("L", "C", "OP") for c in (21100, 21110, 21120, 21130, 21140, 21200, 21210, 21400, 21410, 21420,
                                     21600, 21700, 21800, 21900)},
    **{c: ("L", "C", "FIN") for c in (21000, 21300, 21310, 21500, 21510)},
    **{c: ("NFA", "D", "CAP") for c in (31000, 31010, 31100, 31110, 31200, 31210, 31220, 31400, 31500)},
    **{c: ("NFA", "C", "CAP") for c in (31900, 31910, 31920, 31930)},
    32000: ("NFA", "D", "OP"), 32100: ("NFA", "D", "OP"),
    **{c: ("AS", "C", None) for c in (41000, 41010, 41020)},
    **{c: ("REV", "C", None) for c in (51000, 51010, 51020, 51030, 51040, 51100, 51110, 51120, 51200, 51210,
                                       51220, 52000, 52010, 53000, 54000, 54010, 54020, 54030, 54040, 55000,
                                       55010, 55020, 55090)},
    **{c: ("CHG", "D", None) for c in (61000, 61010, 61020, 61030, 62000, 62010, 62020, 62030, 63000, 63010,
                                       63020, 64000, 64010, 64020, 65000, 65010, 65020, 65030, 65040, 66000,
                                       66010, 66020, 66030, 67000)},
}
NATURES = {"N100", "N110", "N120", "N130", "N200", "N300", "N400", "N500", "N600", "N700", "N800", "N900"}
FONDS = {"FON", "INV", "FDS"}

TOKEN = re.compile(r'(?P<ws>\s+)|(?P<cmt>#[^\n]*)|(?P<str>"(?:[^"\\\n]|\\["\\nt])*")|(?P<op>=>|->|\.\.)'
                   r'|(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})|(?P<num>[0-9][A-Za-z0-9]*)|(?P<id>[A-Za-z_][A-Za-z0-9_]*)|(?P<p>[{}\[\]():,=])')


class Fail(Exception):
    pass


def tokenize(text, path):
    toks, pos, line = [], 0, 1
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise Fail(f"{path}:{line}: cannot read {text[pos:pos + 20]!r}")
        k = m.lastgroup
        v = m.group()
        if k == "str":
            v = re.sub(r'\\(.)', lambda x: {"n": "\n", "t": "\t"}.get(x.group(1), x.group(1)), v[1:-1])
        if k not in ("ws", "cmt"):
            toks.append((k, v, line))
        line += m.group().count("\n")
        pos = m.end()
    return toks


class Parser:
    """Just enough of grammar/reddition.ebnf for the files this script writes."""

    def __init__(self, toks, path):
        self.t, self.i, self.path = toks, 0, path

    def peek(self, k=0):
        return self.t[self.i + k] if self.i + k < len(self.t) else ("eof", "", 0)

    def take(self, kind=None, value=None):
        tok = self.peek()
        if (kind and tok[0] != kind) or (value is not None and tok[1] != value):
            raise Fail(f"{self.path}:{tok[2]}: expected {value or kind}, found {tok[1]!r}")
        self.i += 1
        return tok[1]

    def file(self):
        items = []
        while self.peek()[0] != "eof":
            kw = self.take("id")
            items.append((kw, getattr(self, "p_" + kw)()))
        return items

    def p_structure(self):
        name = self.take("id")
        label = self.take("str")
        self.take("p", "{")
        rx, segs = self.seq("}")
        self.take("p", "}")
        return {"name": name, "label": label, "regex": re.compile(rx), "segments": segs}

    def seq(self, end):
        rx, segs = "", []
        while self.peek()[1] != end:
            k, v, _ = self.peek()
            if k == "str":
                self.i += 1
                rx += re.escape(v)
            elif v == "[":
                self.i += 1
                r2, s2 = self.seq("]")
                self.take("p", "]")
                rx += f"(?:{r2})?"
                segs += s2
            else:
                name = self.take("id")
                self.take("p", ":")
                n = int(self.take("num"))
                rx += f"(?P<{name}>[A-Za-z0-9]{{{n}}})"
                segs.append((name, n))
        return rx, segs

    def matcher(self):
        if self.peek()[0] == "str":
            return ("pat", self.take("str"))
        conds = [self.condition()]
        while self.peek()[1] == "and":
            self.i += 1
            conds.append(self.condition())
        return ("cond", conds)

    def condition(self):
        seg = self.take("id")
        if self.peek()[0] == "str":
            return (seg, "v", self.take("str"))
        lo = self.take("num")
        self.take("op", "..")
        hi = self.take("num")
        return (seg, "r", lo, hi)

    def p_crosswalk(self):
        name = self.take("id")
        self.take("p", ":")
        struct = self.take("id")
        self.take("op", "->")
        chart = self.take("id")
        self.take("p", "{")
        rules, dims = [], []
        while self.peek()[1] != "}":
            line = self.peek()[2]
            if self.peek()[1] == "include" and self.peek(1)[0] == "str":
                self.i += 1
                rules.append(("include", self.take("str"), line))
            elif self.peek()[1] == "dimension" and self.peek(1)[0] == "id" and self.peek(2)[1] in ("=", "{"):
                self.i += 1
                dim = self.take("id")
                if self.peek()[1] == "=":
                    self.i += 1
                    dims.append((dim, "copy", self.take("id")))
                else:
                    self.take("p", "{")
                    cases = []
                    while self.peek()[1] != "}":
                        m = self.matcher()
                        self.take("op", "=>")
                        cases.append((m, self.take()))
                    self.take("p", "}")
                    dims.append((dim, "cases", cases))
            else:
                m = self.matcher()
                self.take("op", "=>")
                code = self.take("num")
                prio = 0
                if self.peek()[1] == "priority":
                    self.i += 1
                    prio = int(self.take("num"))
                valid = [None, None]
                if self.peek()[1] == "valid" and self.peek(1)[1] in ("from", "until"):
                    self.i += 1
                    while self.peek()[1] in ("from", "until"):
                        word = self.take("id")
                        valid[word == "until"] = dt.date.fromisoformat(self.take("date"))
                # a string right after a rule is its note, unless "=>" follows (then it starts the next rule)
                note = self.take("str") if self.peek()[0] == "str" and self.peek(1)[1] != "=>" else None
                rules.append(("rule", m, int(code), prio, note, f"{self.path}:{line}", tuple(valid)))
        self.take("p", "}")
        return {"name": name, "structure": struct, "chart": chart, "rules": rules, "dims": dims}

    def p_format(self):
        name = self.take("id")
        label = self.take("str")
        self.take("p", "{")
        f = {"name": name, "label": label, "delimiter": ",", "quote": '"', "decimal": ".", "thousands": None,
             "encoding": "utf-8", "date": "%Y-%m-%d", "columns": {}, "movements": None}
        while self.peek()[1] != "}":
            kw = self.take("id")
            if kw in ("delimiter", "quote", "decimal", "thousands", "encoding", "date"):
                f[kw] = self.take("str")
            elif kw == "columns":
                self.take("p", "{")
                while self.peek()[1] != "}":
                    role = self.take("id")
                    heads = [self.take("str")]
                    while self.peek()[1] == ",":
                        self.i += 1
                        heads.append(self.take("str"))
                    joined = None
                    if self.peek()[1] == "joined":
                        self.i += 1
                        joined = self.take("str")
                    f["columns"][role] = (heads, joined)
                self.take("p", "}")
            elif kw == "movements":
                self.take("id", "from")
                role = self.take("id")
                self.take("p", "{")
                cases = {}
                while self.peek()[1] != "}":
                    v = self.take("str")
                    self.take("op", "=>")
                    cases[v] = self.take("id")
                self.take("p", "}")
                f["movements"] = (role, cases)
            else:
                raise Fail(f"{self.path}: unexpected {kw} in format")
        self.take("p", "}")
        return f

    def p_entity(self):
        name = self.take("id")
        label = self.take("str")
        self.take("p", "{")
        e = {"name": name, "label": label, "sources": []}
        while self.peek()[1] != "}":
            kw = self.take("id")
            if kw == "code":
                e["code"] = self.take("str")
            elif kw == "crosswalk":
                e["crosswalk"] = self.take("id")
            else:
                path = self.take("str")
                self.take("id", "format")
                e["sources"].append((kw, path, self.take("id")))
        self.take("p", "}")
        return e

    def p_group(self):
        name = self.take("id")
        label = self.take("str")
        self.take("p", "{")
        members = [self.take("id")]
        while self.peek()[1] == ",":
            self.i += 1
            members.append(self.take("id"))
        eliminations = []
        while self.peek()[1] == "eliminate":
            eliminations.append(self.p_elimination())
        self.take("p", "}")
        return {"name": name, "label": label, "members": members, "eliminations": eliminations}

    def p_elimination(self):
        """eliminate CODES against CODES "label", codes and inclusive ranges only"""
        self.take("id", "eliminate")
        sides = [[], []]
        for k in (0, 1):
            while True:
                lo = int(self.take("num"))
                hi = lo
                if self.peek()[1] == "..":
                    self.i += 1
                    hi = int(self.take("num"))
                sides[k].append((lo, hi))
                if self.peek()[1] != ",":
                    break
                self.i += 1
            if k == 0:
                self.take("id", "against")
        return sides[0], sides[1], self.take("str")


# The day whose crosswalk rules the compiler applies by default: the end of the fiscal year built.
AS_OF = dt.date(2025, 6, 30)


def glob_rx(p):
    return re.compile("".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in p))


class Matcher:
    def __init__(self, m):
        self.kind = m[0]
        if m[0] == "pat":
            p = m[1]
            self.rx = glob_rx(p)
            self.spec = len(p) + 1 if not any(ch in p for ch in "?*") else sum(ch not in "?*" for ch in p)
        else:
            self.conds = []
            self.spec = 0
            for cnd in m[1]:
                if cnd[1] == "v":
                    v = cnd[2]
                    wild = any(ch in v for ch in "?*")
                    self.conds.append((cnd[0], "v", glob_rx(v)))
                    self.spec += sum(ch not in "?*" for ch in v) if wild else len(v)
                else:
                    lo, hi = cnd[2], cnd[3]
                    k = 0
                    while k < min(len(lo), len(hi)) and lo[k] == hi[k]:
                        k += 1
                    self.conds.append((cnd[0], "r", int(lo), int(hi)))
                    self.spec += k

    def match(self, code, segs):
        if self.kind == "pat":
            return bool(self.rx.fullmatch(code))
        for cnd in self.conds:
            v = segs.get(cnd[0])
            if v is None:
                return False
            if cnd[1] == "v":
                if not cnd[2].fullmatch(v):
                    return False
            elif not (v.isdigit() and cnd[2] <= int(v) <= cnd[3]):
                return False
        return True


class Crosswalk:
    def __init__(self, cw, structure):
        self.structure = structure
        self.rules = []   # (matcher, code, priority, location)
        for r in cw["rules"]:
            if r[0] == "include":
                path = os.path.join(ROOT, r[1])
                with open(path, encoding="utf-8", newline="") as f:
                    rows = list(csv.reader(f))
                if rows[0][:2] != ["pattern", "code"]:
                    raise Fail(f"{r[1]}: bad header {rows[0]}")
                for n, row in enumerate(rows[1:], start=2):
                    self.rules.append((Matcher(("pat", row[0])), int(row[1]), 0, f"{r[1]}:{n}"))
            else:
                start, end = r[6]
                # Only the rules valid at the end of the fiscal year built apply (as in the compiler).
                if (start is None or start <= AS_OF) and (end is None or AS_OF <= end):
                    self.rules.append((Matcher(r[1]), r[2], r[3], r[5]))
        self.dims = []
        for dim, kind, x in cw["dims"]:
            if kind == "copy":
                self.dims.append((dim, "copy", x))
            else:
                self.dims.append((dim, "cases", [(Matcher(m), v) for m, v in x]))

    def segments(self, code):
        m = self.structure["regex"].fullmatch(code)
        if not m:
            raise Fail(f"local code {code!r} does not fit structure {self.structure['name']}")
        return {k: v for k, v in m.groupdict().items() if v is not None}

    @staticmethod
    def best(cands, what):
        if not cands:
            return None
        top = max(r for r, _, _ in cands)
        best = [(t, loc) for r, t, loc in cands if r == top]
        if len({t for t, _ in best}) > 1:
            raise Fail(f"{what}: equal-rank rules with different targets: {best}")
        return best[0]

    def map(self, code):
        segs = self.segments(code)
        cands = [((p, m.spec), c, loc) for m, c, p, loc in self.rules if m.match(code, segs)]
        b = self.best(cands, code)
        if b is None:
            raise Fail(f"unmapped local code {code}")
        dims = {}
        for dim, kind, x in self.dims:
            if kind == "copy":
                if x in segs:
                    dims[dim] = segs[x]
            else:
                bd = self.best([((0, m.spec), v, v) for m, v in x if m.match(code, segs)], f"{code} / {dim}")
                if bd:
                    dims[dim] = bd[0]
        return b[0], b[1], dims


def parse_amount(s, fmt, where):
    dec, th = fmt["decimal"], fmt["thousands"]
    ths = [th, "\u00a0", "\u202f"] if th else []
    grp = "|".join(re.escape(t) for t in ths)
    intpart = r"\d{1,3}(?:(?:" + grp + r")\d{3})*|\d+" if ths else r"\d+"
    m = re.fullmatch(r"(-?)(" + intpart + r")(?:" + re.escape(dec) + r"(\d{1,6}))?", s)
    if not m:
        raise Fail(f"{where}: bad amount {s!r}")
    digits = re.sub(r"\D", "", m.group(2))
    frac = (m.group(3) or "").ljust(6, "0")
    v = int(digits) * 1_000_000 + int(frac)
    if v % 10_000:
        raise Fail(f"{where}: more than 2 decimals in {s!r}")
    v //= 10_000
    return -v if m.group(1) else v


def parse_date(s, fmt, where):
    rx = re.escape(fmt).replace("%Y", r"(?P<Y>\d{4})").replace("%m", r"(?P<m>\d{2})").replace("%d", r"(?P<d>\d{2})")
    m = re.fullmatch(rx, s)
    if not m:
        raise Fail(f"{where}: bad date {s!r}")
    return D(int(m["Y"]), int(m["m"]), int(m["d"]))


def read_source(path, fmt):
    """[(date, local code, cents, journal, reference, movement, line no)]"""
    raw = open(os.path.join(ROOT, path), "rb").read()
    text = raw.decode({"utf-8": "utf-8", "windows-1252": "cp1252"}[fmt["encoding"]])
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=fmt["delimiter"], quotechar=fmt["quote"]))
    head = rows[0]
    col = {}
    for role, (heads, joined) in fmt["columns"].items():
        try:
            col[role] = ([head.index(h) for h in heads], joined)
        except ValueError:
            raise Fail(f"{path}: header {head} lacks {heads}")
    mv_role, mv_cases = fmt["movements"] if fmt["movements"] else (None, {})
    out = []
    for n, row in enumerate(rows[1:], start=2):
        where = f"{path}:{n}"

        def get(role):
            if role not in col:
                return ""
            idx, joined = col[role]
            return (joined or "").join(row[i] for i in idx)
        d = parse_date(get("date"), fmt["date"], where)
        if "amount" in col:
            a = parse_amount(get("amount"), fmt, where)
        else:
            dr, cr = get("debit"), get("credit")
            a = (parse_amount(dr, fmt, where) if dr else 0) - (parse_amount(cr, fmt, where) if cr else 0)
        mv = None
        if mv_role:
            v = get(mv_role)
            if v in mv_cases:
                mv = mv_cases[v]
            elif v and mv_role == "movement":
                raise Fail(f"{where}: unlisted movement {v!r}")
        out.append((d, get("account"), a, get("journal"), get("reference"), mv, n))
    return out, len(rows) - 1


def in_range(code, lo, hi):
    return lo <= code <= hi


def figures(op, fl, flmv):
    """op / fl: harmonized code -> debit-positive opening / flow; flmv: (code, movement) -> debit-positive flow."""
    def bal(c):
        return op.get(c, 0) + fl.get(c, 0)

    def nsum(codes, f):
        return sum((f(c) if HARMONIZED[c][1] == "D" else -f(c)) for c in codes)

    cls = lambda k: [c for c in HARMONIZED if HARMONIZED[c][0] == k]
    rev = -sum(fl.get(c, 0) for c in cls("REV"))
    chg = sum(fl.get(c, 0) for c in cls("CHG"))
    fa = sum(bal(c) for c in cls("FA"))
    li = -sum(bal(c) for c in cls("L"))
    nfa = sum(bal(c) for c in cls("NFA"))
    fa0 = sum(op.get(c, 0) for c in cls("FA"))
    li0 = -sum(op.get(c, 0) for c in cls("L"))
    nfa0 = sum(op.get(c, 0) for c in cls("NFA"))
    as_open = -sum(op.get(c, 0) for c in cls("AS"))
    d = lambda c: fl.get(c, 0)       # change, debit positive
    res = rev - chg
    acq = sum(v for (c, m), v in flmv.items() if 31000 <= c <= 31500 and m == "acquisition")
    proceeds = sum(v for (c, m), v in flmv.items() if c == 11000 and m == "disposal")
    borrow = -sum(v for (c, m), v in flmv.items() if c in (21500, 21510) and m == "borrowing")
    repay = sum(v for (c, m), v in flmv.items() if c in (21500, 21510) and m == "repayment")
    amort, sr, gain = d(65040), -d(51110), -d(55020)
    op_fa = [c for c in cls("FA") if HARMONIZED[c][2] == "OP"]
    op_l = [c for c in cls("L") if HARMONIZED[c][2] == "OP" and not 21400 <= c <= 21420]
    operating = (res + amort - sr - gain - sum(d(c) for c in (21400, 21410, 21420)) - d(32000) - d(32100)
                 - sum(d(c) for c in op_fa) - sum(d(c) for c in op_l))
    investing = -acq + proceeds
    placement = -d(12300)
    financing = (-(d(21300) + d(21310)) + sr) - (d(12010) + d(12020)) + borrow - repay - d(21000)
    dcash = d(11000) + d(11100)
    dnd = (fa - li) - (fa0 - li0)
    nd_stmt = res - acq + amort + proceeds - gain - d(32000) - d(32100)
    return {"revenue": rev, "charges": chg, "result": res, "financial_assets": fa, "liabilities": li,
            "net_debt": fa - li, "non_financial_assets": nfa, "accumulated_surplus": fa - li + nfa,
            "as_check": as_open + res, "operating": operating, "investing": investing, "placement": placement,
            "financing": financing, "cash_flow_total": operating + investing + placement + financing,
            "delta_cash": dcash, "acquisitions": acq, "proceeds": proceeds, "borrowings": borrow,
            "repayments": repay, "amortization": amort, "delta_net_debt": dnd, "net_debt_statement": nd_stmt,
            "net_debt_open": fa0 - li0, "nfa_open": nfa0}


def fmt_money(c):
    return money(c, ",", "\u202f") + " $"


def verify():
    paths = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(ROOT, "reports", "centres"))
                   for f in fs if f.endswith(".rdn"))
    items = []
    for p in paths:
        rel = os.path.relpath(p, ROOT)
        items += Parser(tokenize(open(p, encoding="utf-8").read(), rel), rel).file()
    by = defaultdict(dict)
    for kw, x in items:
        if x["name"] in by[kw]:
            raise Fail(f"duplicate {kw} {x['name']}")
        by[kw][x["name"]] = x
    ok = True
    group_fig = defaultdict(lambda: defaultdict(int))
    all_stats = []
    for ename, ent in by["entity"].items():
        cw_ast = by["crosswalk"][ent["crosswalk"]]
        assert cw_ast["chart"] == "meq"
        cw = Crosswalk(cw_ast, by["structure"][cw_ast["structure"]])
        mapping = {}
        per_year = defaultdict(lambda: {"op": defaultdict(int), "fl": defaultdict(int), "mv": defaultdict(int),
                                        "local_open": defaultdict(int), "local_fl": defaultdict(int),
                                        "nat": defaultdict(int), "lines": 0})
        line_counts = {}
        for kind, path, fname in ent["sources"]:
            fmt = by["format"][fname]
            postings, n = read_source(path, fmt)
            line_counts[path] = (n, os.path.getsize(os.path.join(ROOT, path)))
            if kind == "budget":
                verify_budget(ename, path, postings, cw, mapping)
                continue
            refs = defaultdict(int)
            years = set()
            for d, code, a, j, ref, mv, ln in postings:
                fy = d.year + 1 if d.month >= 7 else d.year
                years.add(fy)
                refs[ref] += a
                if code not in mapping:
                    mapping[code] = cw.map(code)
                h = mapping[code][0]
                if h not in HARMONIZED:
                    raise Fail(f"{code} maps to {h}, not a harmonized code")
                Y = per_year[fy]
                if kind == "opening":
                    if d != fy_bounds(fy)[0]:
                        raise Fail(f"{path}:{ln}: opening dated {d}")
                    Y["op"][h] += a
                    Y["local_open"][code] += a
                else:
                    if h in (41000, 41010):
                        raise Fail(f"{path}:{ln}: posting on {h} during the year")
                    if h in (21500, 21510) and mv not in ("borrowing", "repayment"):
                        raise Fail(f"{path}:{ln}: debt posting without borrowing/repayment")
                    Y["fl"][h] += a
                    Y["mv"][(h, mv)] += a
                    Y["local_fl"][code] += a
                    nat = mapping[code][2].get("nature")
                    if HARMONIZED[h][0] == "CHG":
                        if nat not in NATURES:
                            raise Fail(f"{code}: charge without a nature")
                        Y["nat"][nat] += a
                Y["lines"] += 1
            if len(years) != 1:
                raise Fail(f"{path}: spans fiscal years {years}")
            bad = {r: v for r, v in refs.items() if v}
            if bad:
                raise Fail(f"{path}: unbalanced references {list(bad.items())[:5]}")
            if sum(refs.values()):
                raise Fail(f"{path}: file does not sum to zero")
        # dimensions
        for code, (h, loc, dims) in mapping.items():
            if "fonds" in [d[0] for d in cw.dims] and dims.get("fonds") not in FONDS:
                raise Fail(f"{code}: no fonds")
            if dims.get("nature") and dims["nature"] not in NATURES:
                raise Fail(f"{code}: bad nature {dims['nature']}")
        # opening 2025 = closing 2024
        y24, y25 = per_year[2024], per_year[2025]
        surplus_codes = [c for c, m in mapping.items() if m[0] == 41000]
        clos = defaultdict(int)
        for c, v in y24["local_open"].items():
            clos[c] += v
        pl = 0
        for c, v in y24["local_fl"].items():
            if HARMONIZED[mapping[c][0]][0] in ("REV", "CHG"):
                pl += v
            else:
                clos[c] += v
        clos[surplus_codes[0]] += pl
        clos = {c: v for c, v in clos.items() if v}
        o25 = {c: v for c, v in y25["local_open"].items() if v}
        if clos != o25:
            diff = {c: (clos.get(c), o25.get(c)) for c in set(clos) | set(o25) if clos.get(c) != o25.get(c)}
            raise Fail(f"{ename}: opening 2025 differs from closing 2024: {sorted(diff.items())[:5]}")
        if any(HARMONIZED[mapping[c][0]][0] in ("REV", "CHG") for c in o25):
            raise Fail(f"{ename}: revenue or charge in the 2024-07-01 opening")
        print(f"== {ename} — {ent['label']} (code {ent['code']}, crosswalk {ent['crosswalk']})")
        print(f"   distinct local codes: {len(mapping)}; rules: {len(cw.rules)}")
        for path, (n, b) in line_counts.items():
            print(f"   {path}: {n} lines, {b} bytes")
            if path in BUDGET_NOTES:
                print(BUDGET_NOTES[path])
            all_stats.append((path, n, b))
        for fy in (2024, 2025):
            Y = per_year[fy]
            f = figures(Y["op"], Y["fl"], Y["mv"])
            for k, v in f.items():
                group_fig[fy][k] += v
            ok &= report_year(ename, fy, f, Y)
            for k, v in Y["nat"].items():
                group_fig[fy]["nat_" + k] += v
            for h, v in Y["fl"].items():
                group_fig[fy][("fl", h)] += v
    verify_interentity(by)
    for gname, g in by["group"].items():
        print(f"== group {gname} — {g['label']}: {', '.join(g['members'])}")
        for fy in (2024, 2025):
            f = {k: v for k, v in group_fig[fy].items() if isinstance(k, str) and not k.startswith("nat_")}
            Y = {"nat": {k[4:]: v for k, v in group_fig[fy].items() if isinstance(k, str) and k.startswith("nat_")},
                 "fl": {k[1]: v for k, v in group_fig[fy].items() if isinstance(k, tuple)}}
            ok &= report_year(gname, fy, f, Y)
    total = sum(b for _, _, b in all_stats)
    print(f"== total size of the ledgers: {total} bytes")
    if not ok:
        raise Fail("some identity does not hold")
    print("all checks passed")


BUDGET_NOTES = {}


def verify_budget(ename, path, postings, cw, mapping):
    """A budget: revenue and charge codes only, dated in 2024-2025, one line per code and month."""
    start, end = fy_bounds(2025)
    seen = set()
    rev = chg = 0
    for d, code, a, j, ref, mv, ln in postings:
        if not start <= d <= end:
            raise Fail(f"{path}:{ln}: budget line dated {d}")
        if (code, d.month) in seen:
            raise Fail(f"{path}:{ln}: second budget line for {code} in month {d.month}")
        seen.add((code, d.month))
        if code not in mapping:
            mapping[code] = cw.map(code)
        kind = HARMONIZED[mapping[code][0]][0]
        if kind == "REV":
            rev -= a
        elif kind == "CHG":
            chg += a
        else:
            raise Fail(f"{path}:{ln}: budget line on balance-sheet code {code}")
    BUDGET_NOTES[path] = f"      budget: revenue {fmt_money(rev)}, charges {fmt_money(chg)}, result {fmt_money(rev - chg)}"


def verify_interentity(by):
    """Inter-entity postings (a counterparty column) paired as each group's eliminate rules pair them."""
    codes = {e["code"]: name for name, e in by["entity"].items()}
    cells = defaultdict(int)      # (entity, counterparty, harmonized code) -> debit-positive amount, 2024-2025
    for ename, ent in by["entity"].items():
        cw_ast = by["crosswalk"][ent["crosswalk"]]
        cw = Crosswalk(cw_ast, by["structure"][cw_ast["structure"]])
        for kind, path, fname in ent["sources"]:
            fmt = by["format"][fname]
            if "counterparty" not in fmt["columns"] or kind != "ledger":
                continue
            raw = open(os.path.join(ROOT, path), "rb").read()
            text = raw.decode({"utf-8": "utf-8", "windows-1252": "cp1252"}[fmt["encoding"]])
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=fmt["delimiter"], quotechar=fmt["quote"]))
            col = rows[0].index(fmt["columns"]["counterparty"][0][0])
            postings, _ = read_source(path, fmt)
            for (d, code, a, j, ref, mv, ln), row in zip(postings, rows[1:]):
                cp = row[col]
                if not cp:
                    continue
                if codes.get(cp) in (None, ename):
                    raise Fail(f"{path}:{ln}: counterparty {cp!r} is no other entity")
                cells[(ename, codes[cp], cw.map(code)[0])] += a
    for gname, g in by["group"].items():
        for left, right, label in g["eliminations"]:
            inside = lambda h, side: any(lo <= h <= hi for lo, hi in side)
            print(f"== eliminations of {gname}: {label}")
            for a in g["members"]:
                for b in g["members"]:
                    if a == b:
                        continue
                    x = sum(v for (e, cp, h), v in cells.items() if e == a and cp == b and inside(h, left))
                    y = sum(v for (e, cp, h), v in cells.items() if e == b and cp == a and inside(h, right))
                    if x or y:
                        state = "matched" if x + y == 0 else f"NOT MATCHED, difference {fmt_money(x + y)}"
                        print(f"   {a} -> {b}: {fmt_money(x)} against {fmt_money(y)}: {state}")


def report_year(name, fy, f, Y):
    fl = Y["fl"]
    chg, rev = f["charges"], f["revenue"]
    share = lambda lo, hi: sum(v for h, v in fl.items() if lo <= h <= hi)
    pct = lambda x, t: f"{100 * x / t:5.1f} %"
    rem = sum(v for k, v in Y["nat"].items() if k in ("N100", "N110", "N120", "N130", "N200"))
    print(f"   -- {name} fiscal year {fy} ({fy - 1}-{fy})")
    for k in ("revenue", "charges", "result", "financial_assets", "liabilities", "net_debt",
              "non_financial_assets", "accumulated_surplus"):
        print(f"      {k:22} {fmt_money(f[k]):>25}")
    print(f"      result / revenue       {pct(f['result'], rev)}; MEQ grants {pct(-share(51000, 51040), rev)},"
          f" school tax {pct(-share(52000, 52010), rev)}")
    print(f"      charges: teaching {pct(share(61000, 61030), chg)}, support {pct(share(62000, 62030), chg)},"
          f" auxiliary {pct(share(63000, 63020), chg)}, admin {pct(share(64000, 64020), chg)},"
          f" buildings {pct(share(65000, 65040), chg)}, remuneration {pct(rem, chg)}")
    ok = True
    checks = [("accumulated surplus = opening 41000 + result", f["accumulated_surplus"], f["as_check"]),
              ("cash flow: operating + investing + placement + financing = Δ cash", f["cash_flow_total"], f["delta_cash"]),
              ("net-debt statement = Δ net debt", f["net_debt_statement"], f["delta_net_debt"])]
    print(f"      cash flow: operating {fmt_money(f['operating'])}, investing {fmt_money(f['investing'])},"
          f" placement {fmt_money(f['placement'])}, financing {fmt_money(f['financing'])}")
    print(f"      acquisitions {fmt_money(f['acquisitions'])}, proceeds {fmt_money(f['proceeds'])},"
          f" borrowings {fmt_money(f['borrowings'])}, repayments {fmt_money(f['repayments'])},"
          f" amortization {fmt_money(f['amortization'])}")
    for label, a, b in checks:
        good = a == b
        ok &= good
        print(f"      {'ok ' if good else 'FAIL'} {label}: {fmt_money(a)} / {fmt_money(b)}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verify", action="store_true", help="re-read the generated files and print the figures")
    args = ap.parse_args()
    if args.verify:
        try:
            verify()
        except Fail as e:
            print(f"verify: {e}", file=sys.stderr)
            sys.exit(1)
    else:
        generate()


if __name__ == "__main__":
    main()
