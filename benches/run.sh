#!/usr/bin/env bash
# Benchmark: reddition against the tools people use today, on the same
# generated ledgers. See README.md, section "Benchmark".
#
#   benches/run.sh [LINES ...]        # default: 1000000 10000000
#
# For each LINES, generates once (deterministic) into target/bench-data/LINES:
# a reddition project with one CSV export per entity and the same postings
# as one CSV for DuckDB (all.csv). hledger reads the entities' exports
# themselves through its CSV import; ledger reads what hledger printed from
# them. Then times RUNS runs (default 5) of each tool, whole
# process, warm file cache, and prints the median wall time, lines per
# second, the median peak resident memory and the ratio of each tool's time
# to reddition trial-balance's. Every tool's balances are checked against
# the generator's own trial balance (exact, in cents): a disagreement fails
# the run (exit 1).
#
# Environment: RUNS (5), ENTITIES (5), ACCOUNTS (3000 local codes per
# entity), SEED (1), JOURNAL_MAX (1000000: hledger and ledger are run only up
# to this many lines; hledger cannot hold 10 million in 24 GiB).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-5}
ENTITIES=${ENTITIES:-5}
ACCOUNTS=${ACCOUNTS:-3000}
SEED=${SEED:-1}
JOURNAL_MAX=${JOURNAL_MAX:-1000000}
DATA=$ROOT/target/bench-data
RESULTS=$ROOT/target/bench-results
VENV=$ROOT/target/bench-venv
if [ "$#" -gt 0 ]; then sizes=("$@"); else sizes=(1000000 10000000); fi
for n in "${sizes[@]}"; do
    [[ $n =~ ^[0-9]+$ ]] || { echo "run.sh: \`$n\` is not a number of lines" >&2; exit 2; }
done

say() { printf '%s\n' "$*" >&2; }

# ---------------------------------------------------------------- tools
install_debian() {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing $* (apt-get)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq "$@" >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq "$@" >/dev/null; }
    else
        say "run.sh: please install the Debian package(s) $*"
        return 1
    fi
}
[ -x /usr/bin/time ] || install_debian time
for tool in hledger ledger; do
    command -v "$tool" >/dev/null || install_debian "$tool" || say "skipping $tool: not installed"
done
if ! "$VENV/bin/python" -c 'import duckdb' 2>/dev/null; then
    say "installing duckdb (pip, into $VENV)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q duckdb
fi
say "building reddition and the generator (release)"
cargo build --release --quiet --bin reddition --example generate_ledger
BIN=$ROOT/target/release/reddition
GEN=$ROOT/target/release/examples/generate_ledger

# ---------------------------------------------------------------- measure
# measure TOOL N OUTPUT CMD...: RUNS runs; the first run's stdout is kept in
# OUTPUT for the agreement check; one "N TOOL WALL RSS_KIB" line per run.
measure() {
    local tool=$1 n=$2 output=$3
    shift 3
    local run timing
    for run in $(seq 1 "$RUNS"); do
        timing=$(mktemp)
        if ! /usr/bin/time -f '%e %M' -o "$timing" "$@" >"$output.tmp" 2>"$output.err"; then
            say "run.sh: $tool failed on $n lines:"
            tail -5 "$output.err" >&2
            rm -f "$timing"
            return 1
        fi
        [ "$run" = 1 ] && mv "$output.tmp" "$output"
        printf '%s %s %s\n' "$n" "$tool" "$(tail -1 "$timing")" >>"$RESULTS/timings.txt"
        say "  $tool run $run: $(tail -1 "$timing") (s KiB)"
        rm -f "$timing" "$output.tmp"
    done
}

# hledger reads each entity's two exports, the very bytes reddition reads,
# through its CSV import (benches/hledger.rules), one process per entity;
# ledger reads the journal hledger printed from them. Both print
# "ENTITY<TAB>ACCOUNT<TAB>BALANCE".
HLEDGER_BALANCES='set -eo pipefail
for folder in "$1"/ledgers/*/; do
    entity=$(basename "$folder")
    LC_ALL=C.UTF-8 hledger -f "$folder/ouverture.csv" -f "$folder/grand-livre.csv" \
        --rules-file benches/hledger.rules bal --flat --no-total -O csv | sed 1d | tr -d "\"" |
        sed "s/^/$entity,/;s/,/\t/g"
done'
LEDGER_BALANCES='set -eo pipefail
for journal in "$1"/*.journal; do
    entity=$(basename "$journal" .journal)
    ledger --args-only -f "$journal" bal --flat --no-total --format "%(account)\t%(quantity(display_total))\n" |
        sed "s/^/$entity\t/"
done'

mkdir -p "$DATA" "$RESULTS"
: >"$RESULTS/timings.txt"
: >"$RESULTS/checks.txt"
for n in "${sizes[@]}"; do
    data=$DATA/$n
    stamp="lines=$n entities=$ENTITIES accounts=$ACCOUNTS seed=$SEED generator=$(sha256sum examples/generate_ledger.rs | cut -c1-16)"
    if [ "$(cat "$data/.stamp" 2>/dev/null)" != "$stamp" ]; then
        say "generating $n lines into $data"
        rm -rf "$data"
        "$GEN" --lines "$n" --entities "$ENTITIES" --accounts "$ACCOUNTS" --seed "$SEED" --out "$data"
        echo "$stamp" >"$data/.stamp"
    fi
    out=$RESULTS/$n
    rm -rf "$out"
    mkdir -p "$out"
    say "timing $n lines ($RUNS runs each)"
    # Warm the file cache.
    cat "$data"/ledgers/*/*.csv "$data/all.csv" >/dev/null
    measure cat "$n" "$out/cat.out" bash -c 'cat "$@" >/dev/null' cat "$data"/ledgers/*/*.csv
    measure reddition-trial-balance "$n" "$out/reddition-trial-balance.csv" "$BIN" trial-balance "$data"
    measure reddition-build "$n" "$out/reddition-build.out" "$BIN" build "$data" --out "$out/statements"
    measure duckdb "$n" "$out/duckdb.csv" "$VENV/bin/python" benches/duckdb_trial_balance.py "$data/all.csv"
    if [ "$n" -le "$JOURNAL_MAX" ]; then
        if command -v hledger >/dev/null; then
            measure hledger "$n" "$out/hledger.tsv" bash -c "$HLEDGER_BALANCES" hledger "$data"
            if command -v ledger >/dev/null; then
                # ledger has no CSV import: it sums the journal hledger
                # printed from the same exports (printing is not timed).
                for folder in "$data"/ledgers/*/; do
                    LC_ALL=C.UTF-8 hledger -f "$folder/ouverture.csv" -f "$folder/grand-livre.csv" \
                        --rules-file benches/hledger.rules print -x >"$out/$(basename "$folder").journal"
                done
                measure ledger "$n" "$out/ledger.tsv" bash -c "$LEDGER_BALANCES" ledger "$out"
            fi
        fi
    else
        say "  hledger and ledger skipped above JOURNAL_MAX=$JOURNAL_MAX lines"
    fi
done

# ---------------------------------------------------------------- agree, report
"$VENV/bin/python" - "$DATA" "$RESULTS" "${sizes[@]}" <<'PY'
import csv, statistics, sys
from decimal import Decimal
from pathlib import Path

data, results, sizes = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]

def table(rows):
    """(entity, account) -> Decimal; zero balances dropped (hledger and ledger hide them)."""
    balances = {}
    for entity, account, amount in rows:
        key = (entity, account)
        balances[key] = balances.get(key, Decimal(0)) + Decimal(amount)
    return {k: v for k, v in balances.items() if v != 0}

def entity_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return table((r["entity"], r["account"], r["balance"]) for r in csv.DictReader(f))

def statements(folder):
    rows = []
    for path in sorted(folder.glob("*/correspondances.csv")):
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            column = [c for c in reader.fieldnames if c.startswith("solde_")][-1]
            rows += [(path.parent.name, r["code_local"], r[column]) for r in reader]
    return table(rows)

def tool_tsv(path):
    """ENTITY<TAB>ACCOUNT<TAB>BALANCE, the balancing account left out."""
    rows = []
    for line in open(path, encoding="utf-8"):
        entity, account, amount = line.rstrip("\n").split("\t")
        if account != "contrepartie":
            rows.append((entity, account, amount.replace(",", "")))
    return table(rows)

readers = {
    "reddition-trial-balance": ("reddition-trial-balance.csv", entity_csv),
    "reddition-build": ("statements", statements),
    "duckdb": ("duckdb.csv", entity_csv),
    "hledger": ("hledger.tsv", tool_tsv),
    "ledger": ("ledger.tsv", tool_tsv),
}

timings = {}
for line in open(results / "timings.txt"):
    n, tool, wall, rss = line.split()
    timings.setdefault((n, tool), []).append((float(wall), int(rss)))

failed = False
agreement = {}
for n in sizes:
    expected = entity_csv(data / n / "expected.csv")
    for tool, (name, read) in readers.items():
        path = results / n / name
        if (n, tool) not in timings or not path.exists():
            continue
        got = read(path)
        wrong = [k for k in expected.keys() | got.keys() if expected.get(k, 0) != got.get(k, 0)]
        agreement[(n, tool)] = "yes" if not wrong else f"NO ({len(wrong)})"
        if wrong:
            failed = True
            for key in sorted(wrong)[:5]:
                print(f"{tool} {n}: {key}: expected {expected.get(key, 0)}, got {got.get(key, 0)}", file=sys.stderr)
    agreement[(n, "cat")] = "-"

header = ["tool", "lines", "median wall s", "lines/s", "peak MiB", "× reddition tb", "agrees"]
rows = []
for n in sizes:
    base = timings.get((n, "reddition-trial-balance"))
    base_wall = statistics.median(w for w, _ in base) if base else None
    for tool in ["cat", "reddition-trial-balance", "reddition-build", "duckdb", "hledger", "ledger"]:
        runs = timings.get((n, tool))
        if not runs:
            continue
        wall = statistics.median(w for w, _ in runs)
        rss = statistics.median(r for _, r in runs) / 1024
        speed = f"{int(n) / wall:,.0f}" if wall > 0 else "-"
        ratio = f"{wall / base_wall:.2f}" if base_wall else "-"
        rows.append([tool, f"{int(n):,}", f"{wall:.2f}", speed, f"{rss:.0f}", ratio, agreement.get((n, tool), "?")])
widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
print("  ".join("-" * w for w in widths))
for r in rows:
    print("  ".join((c.ljust(w) if i == 0 else c.rjust(w)) for i, (c, w) in enumerate(zip(r, widths))))
print(f"\nmedians of {len(next(iter(timings.values())))} runs; wall time and peak RSS from /usr/bin/time; "
      "`× reddition tb` is the tool's time over reddition trial-balance's; "
      "`agrees`: every balance equal to the generator's, to the cent.")
sys.exit(1 if failed else 0)
PY
