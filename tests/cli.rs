//! Every integration test in one binary (compiled once): the real `rootcert` binary against
//! local HTTP(S) servers, real PostgreSQL servers and openssl, one module per command or
//! concern under `tests/cases/`, shared helpers under `tests/support/`.

mod cases;
mod support;
