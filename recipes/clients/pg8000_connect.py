# pg8000 (pure Python): an ssl.SSLContext with the root as its only CA; check_hostname is
# on by default, which makes it verify-full.
import os, ssl, pg8000.native

context = ssl.create_default_context(cafile=os.environ["ROOTCERT_FILE"])
conn = pg8000.native.Connection(
    user="postgres", host=os.environ["PGHOST"], port=int(os.environ["PGPORT"]),
    database="postgres", ssl_context=context,
)
print(conn.run("select 1")[0][0])
conn.close()
