// Command go-verify runs Go's own TLS client over the certificate cases in a directory, the
// way pgx v4 (pgconn 1.11) configures it, and prints one line per case:
// "NAME<TAB>connects" or "NAME<TAB>refuses<TAB>ERROR". Each case directory holds chain0,
// chain1, ... (DER, server certificate first), key.pem (the server certificate's key),
// trust (the sslrootcert file's bytes) and, for sslmode=verify-full, host; without host it
// is sslmode=verify-ca. Each handshake runs over a loopback connection (net.Pipe would
// deadlock: it has no buffer for the alert the client sends while the server still writes).
// tests/cases/go_stack.rs compares rootcert's model of pgx with these verdicts.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/ioutil"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go-verify DIR")
		os.Exit(2)
	}
	dirs, err := filepath.Glob(filepath.Join(os.Args[1], "*"))
	if err != nil {
		panic(err)
	}
	sort.Strings(dirs)
	for _, dir := range dirs {
		if err := verify(dir); err != nil {
			fmt.Printf("%s\trefuses\t%s\n", filepath.Base(dir), strings.ReplaceAll(err.Error(), "\n", " "))
		} else {
			fmt.Printf("%s\tconnects\n", filepath.Base(dir))
		}
	}
}

func verify(dir string) error {
	client, err := clientConfig(dir)
	if err != nil {
		return err
	}
	server, err := serverConfig(dir)
	if err != nil {
		panic(err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer listener.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		s, err := listener.Accept()
		if err != nil {
			return
		}
		// The server's side fails when the client refuses; only the client's error counts.
		_ = tls.Server(s, server).Handshake()
		s.Close()
	}()
	c, err := net.Dial("tcp", listener.Addr().String())
	if err != nil {
		panic(err)
	}
	err = tls.Client(c, client).Handshake()
	c.Close()
	<-done
	return err
}

// clientConfig is pgconn's configTLS (config.go:564) for verify-full and verify-ca with
// sslrootcert: the file through AppendCertsFromPEM; verify-ca skips crypto/tls's check and
// verifies the chain in VerifyPeerCertificate without a name.
func clientConfig(dir string) (*tls.Config, error) {
	config := &tls.Config{}
	host, err := ioutil.ReadFile(filepath.Join(dir, "host"))
	if err == nil {
		config.ServerName = string(host)
	} else {
		config.InsecureSkipVerify = true
		config.VerifyPeerCertificate = func(certificates [][]byte, _ [][]*x509.Certificate) error {
			certs := make([]*x509.Certificate, len(certificates))
			for i, asn1Data := range certificates {
				cert, err := x509.ParseCertificate(asn1Data)
				if err != nil {
					return errors.New("failed to parse certificate from server: " + err.Error())
				}
				certs[i] = cert
			}
			opts := x509.VerifyOptions{Roots: config.RootCAs, Intermediates: x509.NewCertPool()}
			for _, cert := range certs[1:] {
				opts.Intermediates.AddCert(cert)
			}
			_, err := certs[0].Verify(opts)
			return err
		}
	}
	trust, err := ioutil.ReadFile(filepath.Join(dir, "trust"))
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(trust) {
		return nil, errors.New("unable to add CA to cert pool")
	}
	config.RootCAs = pool
	return config, nil
}

func serverConfig(dir string) (*tls.Config, error) {
	keyPEM, err := ioutil.ReadFile(filepath.Join(dir, "key.pem"))
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		return nil, errors.New("key.pem holds no PEM block")
	}
	// Not tls.X509KeyPair: it parses the server certificate, which the client must meet
	// unparsed.
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	pair := tls.Certificate{PrivateKey: key}
	for i := 0; ; i++ {
		der, err := ioutil.ReadFile(filepath.Join(dir, fmt.Sprintf("chain%d", i)))
		if err != nil {
			break
		}
		pair.Certificate = append(pair.Certificate, der)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}}, nil
}
