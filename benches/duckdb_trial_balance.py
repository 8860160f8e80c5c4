"""The trial balance with DuckDB (2 threads): `python duckdb_trial_balance.py all.csv`.

Reads the generator's all.csv (the exports' columns plus `entity`), the amount
as DECIMAL(18,2), and writes `entity,account,balance` as CSV on stdout.
"""
import sys

import duckdb

path = sys.argv[1].replace("'", "''")
con = duckdb.connect()
con.execute("SET threads=2")
con.execute(f"""
COPY (
  SELECT entity, account, sum(amount) AS balance
  FROM read_csv('{path}', header=true, delim=',', quote='"', escape='"',
       columns={{'entity': 'VARCHAR', 'date': 'DATE', 'account': 'VARCHAR',
                 'amount': 'DECIMAL(18,2)', 'reference': 'VARCHAR', 'description': 'VARCHAR'}})
  GROUP BY entity, account
  ORDER BY entity, account
) TO '/dev/stdout' (HEADER)
""")
