// Command pgx-probe connects to PostgreSQL with pgx v4 and prints one JSON line saying
// whether pgx connected. See tests/drivers/README.md for the contract and how to build it.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v4"
)

// driverVersion is set at build time (-ldflags -X main.driverVersion=...): GOPATH builds
// carry no module versions, and pgx v4 has no version constant.
var driverVersion = "unknown"

type verdict struct {
	Client    string  `json:"client"`
	Version   string  `json:"version"`
	Connected bool    `json:"connected"`
	Error     *string `json:"error"`
}

func main() {
	connString, ok := connStringFromArgs(os.Args[1:])
	if !ok {
		fmt.Fprintln(os.Stderr, "usage: pgx-probe string CONNSTRING | verify-full HOST PORT CAFILE")
		report(false, "bad arguments", 2)
	}
	err := connect(connString)
	if err != nil {
		report(false, err.Error(), 1)
	}
	report(true, "", 0)
}

func connStringFromArgs(args []string) (string, bool) {
	switch {
	case len(args) == 2 && args[0] == "string":
		return args[1], true
	case len(args) == 4 && args[0] == "verify-full":
		// The keyword form, as a Go user writes it for pgx; values quoted so that any path works.
		return fmt.Sprintf("host=%s port=%s user=postgres dbname=postgres sslmode=verify-full sslrootcert=%s",
			quote(args[1]), quote(args[2]), quote(args[3])), true
	}
	return "", false
}

// quote makes a libpq keyword value (single quotes, backslash escapes), which pgx parses.
func quote(value string) string {
	value = strings.ReplaceAll(value, `\`, `\\`)
	return "'" + strings.ReplaceAll(value, "'", `\'`) + "'"
}

func connect(connString string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The contract's defaults, given the way pgx itself takes defaults, so that the
	// string still overrides them.
	for name, value := range map[string]string{"PGUSER": "postgres", "PGDATABASE": "postgres"} {
		if os.Getenv(name) == "" {
			os.Setenv(name, value)
		}
	}
	config, err := pgx.ParseConfig(connString)
	if err != nil {
		return err
	}
	// A harness hook like libpq's hostaddr: the TLS name stays the host of the string, only
	// the address dialled changes (for hosts such as 10.0.0.5 that are not on this machine).
	if addr := os.Getenv("ROOTCERT_PROBE_HOSTADDR"); addr != "" {
		config.LookupFunc = func(context.Context, string) ([]string, error) {
			return []string{addr}, nil
		}
	}
	conn, err := pgx.ConnectConfig(ctx, config)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	var one int
	return conn.QueryRow(ctx, "select 1").Scan(&one)
}

func report(connected bool, message string, code int) {
	v := verdict{Client: "pgx", Version: driverVersion, Connected: connected}
	if message != "" {
		line := strings.Join(strings.Fields(message), " ")
		v.Error = &line
	}
	// Plain JSON: the error text keeps its < > & as they are.
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	os.Exit(code)
}
