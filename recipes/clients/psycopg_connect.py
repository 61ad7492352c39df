# psycopg 3: libpq underneath, so the libpq settings apply as they are.
import os, psycopg

conninfo = (
    f"host={os.environ['PGHOST']} port={os.environ['PGPORT']} dbname=postgres user=postgres "
    f"sslmode=verify-full sslrootcert={os.environ['ROOTCERT_FILE']}"
)
with psycopg.connect(conninfo) as conn:
    print(conn.execute("select 1").fetchone()[0])
