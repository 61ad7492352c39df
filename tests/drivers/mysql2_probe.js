#!/usr/bin/env node
// mysql2 (Node) behind the drivers' runner contract (tests/drivers/README.md):
//   mysql2_probe.js string URL                   the URL exactly as mysql2 reads it
//   mysql2_probe.js verify-full HOST PORT CAFILE ssl: {ca, verifyIdentity: true}
//   mysql2_probe.js verify-ca HOST PORT CAFILE   ssl: {ca} (mysql2's default: no name check)
// One JSON line on stdout; exit 0 connected, 1 refused or failed, 2 harness problem.
'use strict';

const fs = require('fs');
const path = require('path');

// tls: the session's cipher as the server saw it (null: plaintext or not connected).
function report(version, connected, error, code, tls = null) {
  const oneLine = error === null ? null : String(error).replace(/\s*[\r\n]+\s*/g, ' ');
  process.stdout.write(
    JSON.stringify({ client: 'mysql2', version, connected, error: oneLine, tls }) + '\n'
  );
  process.exit(code);
}

// ROOTCERT_NODE_MODULES (set by .ci/run) names the node_modules holding mysql2.
let mysql;
let version = null;
try {
  const dir = process.env.ROOTCERT_NODE_MODULES;
  const where = dir ? path.join(dir, 'mysql2') : 'mysql2';
  mysql = require(where);
  version = require(path.join(path.dirname(require.resolve(where)), 'package.json')).version;
} catch (e) {
  report(null, false, `mysql2 not found: ${e.message}`, 2);
}

const [mode, ...args] = process.argv.slice(2);
let config;
if (mode === 'string' && args.length === 1) {
  // The contract's default user, only when the URL names none (mysql2 would send '').
  let url;
  try {
    url = new URL(args[0]);
  } catch (e) {
    report(version, false, `not a URL: ${e.message}`, 2);
  }
  if (url.username === '') url.username = 'probe';
  config = url.href;
} else if ((mode === 'verify-full' || mode === 'verify-ca') && args.length === 3) {
  const [host, port, cafile] = args;
  let ca;
  try {
    ca = fs.readFileSync(cafile);
  } catch (e) {
    report(version, false, e.message, 1);
  }
  const ssl = { ca };
  // rejectUnauthorized defaults to true (ConnectionConfig); the name is checked only
  // with verifyIdentity.
  if (mode === 'verify-full') ssl.verifyIdentity = true;
  config = { host, port: Number(port), user: 'probe', password: '', ssl };
} else {
  report(version, false, 'usage: mysql2_probe.js string URL | verify-full|verify-ca HOST PORT CAFILE', 2);
}

setTimeout(() => report(version, false, 'timed out after 10 s', 1), 10000).unref();

let connection;
try {
  connection = mysql.createConnection(config);
} catch (e) {
  // A bad option (an unknown ssl profile, ssl=true in a URL) throws here.
  report(version, false, e.message, 1);
}
connection.on('error', (e) => report(version, false, e.message, 1));
connection.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'", (err, rows) => {
  if (err) report(version, false, err.message, 1);
  const cipher = rows.length && rows[0].Value ? rows[0].Value : null;
  connection.end(() => report(version, true, null, 0, cipher));
});
