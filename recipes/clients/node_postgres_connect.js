// node-postgres: pass the root as ssl.ca. A connection string with sslmode in it would
// replace this ssl object, so use one or the other.
const fs = require("fs");
const { Client } = require("pg");

const client = new Client({
  host: process.env.PGHOST,
  port: Number(process.env.PGPORT),
  user: "postgres",
  database: "postgres",
  ssl: { ca: fs.readFileSync(process.env.ROOTCERT_FILE, "utf8"), rejectUnauthorized: true },
});
client
  .connect()
  .then(() => client.query("select 1 as one"))
  .then((r) => { console.log(r.rows[0].one); return client.end(); })
  .catch((e) => { console.error(e.message); process.exit(1); });
