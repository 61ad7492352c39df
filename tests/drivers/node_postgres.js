#!/usr/bin/env node
// node-postgres (pg 8) as an oracle: does this driver connect and log in?
//
//   node node_postgres.js string CONNSTRING
//   node node_postgres.js verify-full HOST PORT CAFILE
//
// Prints one JSON line; exit 0 connected, 1 refused or failed, 2 harness problem.
// The pg module comes from $ROOTCERT_NODE_MODULES when set, else Node's usual lookup.
'use strict'

const path = require('path')
const fs = require('fs')

const TIMEOUT_MS = 10000

function report(version, connected, error, tls) {
  const line = {
    client: 'node-postgres',
    version,
    connected,
    error: error === null ? null : oneLine(error),
    tls,
    stack: `node ${process.versions.node}, OpenSSL ${process.versions.openssl}`,
  }
  process.stdout.write(JSON.stringify(line) + '\n')
}

function oneLine(text) {
  return String(text).replace(/\s*\n\s*/g, ' ').trim()
}

// Node's TLS errors carry the OpenSSL verify code (SELF_SIGNED_CERT_IN_CHAIN, ...) apart from
// the message: keep both, they are what a user searches for.
function describe(err) {
  const message = err && err.message ? err.message : String(err)
  if (err && err.code && !message.includes(err.code)) {
    return `${err.code}: ${message}`
  }
  return message
}

function harnessProblem(message) {
  report(null, false, message, null)
  process.exit(2)
}

function loadPg() {
  const dir = process.env.ROOTCERT_NODE_MODULES
  try {
    const pg = require(dir ? path.join(dir, 'pg') : 'pg')
    const version = require(dir ? path.join(dir, 'pg', 'package.json') : 'pg/package.json').version
    return { pg, version }
  } catch (err) {
    return harnessProblem(`cannot load pg (ROOTCERT_NODE_MODULES=${dir || ''}): ${err.message}`)
  }
}

function clientConfig(args) {
  // The default user and database when the string names none, as for every runner.
  if (!process.env.PGUSER) process.env.PGUSER = 'postgres'
  if (!process.env.PGDATABASE) process.env.PGDATABASE = 'postgres'
  const [mode, ...rest] = args
  if (mode === 'string' && rest.length === 1) {
    return () => ({ connectionString: rest[0], connectionTimeoutMillis: TIMEOUT_MS })
  }
  if (mode === 'verify-full' && rest.length === 3) {
    const [host, port, cafile] = rest
    if (!/^[0-9]+$/.test(port)) harnessProblem(`bad port: ${port}`)
    // The form the pg documentation shows: the CA file's bytes as `ssl.ca`, which replaces
    // Node's bundled roots. Reading the file is part of the user's program, so a missing
    // file is a failure (exit 1), not a harness problem.
    return () => ({
      host,
      port: Number(port),
      user: 'postgres',
      database: 'postgres',
      ssl: { ca: fs.readFileSync(cafile), rejectUnauthorized: true },
      connectionTimeoutMillis: TIMEOUT_MS,
    })
  }
  return harnessProblem('usage: node_postgres.js string CONNSTRING | verify-full HOST PORT CAFILE')
}

// A harness hook like libpq's hostaddr (see README.md): dial ADDR, while pg still verifies,
// and sends as SNI, the host it was given (upgradeToSSL receives the original host).
function withHostaddr(config) {
  const addr = process.env.ROOTCERT_PROBE_HOSTADDR
  if (!addr) return config
  const net = require('net')
  class DialAddr extends net.Socket {
    connect(port, host, ...rest) {
      return super.connect(port, addr, ...rest)
    }
  }
  return Object.assign(config, { stream: () => new DialAddr() })
}

async function main() {
  const makeConfig = clientConfig(process.argv.slice(2))
  const { pg, version } = loadPg()
  // A stuck server must not hang the caller; pg's own timeout covers the connect only.
  const deadline = setTimeout(() => {
    report(version, false, `no answer within ${TIMEOUT_MS / 1000} s`, null)
    process.exit(1)
  }, TIMEOUT_MS + 1000)
  let client
  try {
    client = new pg.Client(withHostaddr(makeConfig()))
    // An 'error' event after connect() failed must not crash the process.
    client.on('error', () => {})
    await client.connect()
    const result = await client.query('select ssl from pg_stat_ssl where pid = pg_backend_pid()')
    const tls = result.rows.length === 1 ? result.rows[0].ssl === true : null
    await client.end()
    clearTimeout(deadline)
    report(version, true, null, tls)
    process.exit(0)
  } catch (err) {
    clearTimeout(deadline)
    report(version, false, describe(err), null)
    if (client) client.end().catch(() => {})
    process.exit(1)
  }
}

main()
