#!/usr/bin/env python3
"""Writes more cases in the matrix-dump layout (name, host, chain.pem, key.pem, trust):
trust-file encodings built from case 00 of a dump, and trust anchors with unusual
properties made with `openssl ca`. Run pg_matrix.py on the output directory.

usage: pg_extra_cases.py MATRIX_DUMP OUT_DIR
"""
import base64, os, subprocess, sys, tempfile

dump, out = sys.argv[1:3]
base = os.path.join(dump, "00")
root_pem = open(os.path.join(base, "trust")).read()
chain = open(os.path.join(base, "chain.pem")).read()
key = open(os.path.join(base, "key.pem")).read()
unrelated = open(os.path.join(dump, "25", "trust")).read()
work = tempfile.mkdtemp()


def ssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


def der_of(pem):
    return base64.b64decode("".join(l for l in pem.splitlines() if l and not l.startswith("-----")))


def pem_lines(der, width, label="CERTIFICATE", eol="\n", header=""):
    b = base64.b64encode(der).decode()
    body = eol.join(b[i:i + width] for i in range(0, len(b), width)) if width else b
    return f"-----BEGIN {label}-----{eol}{header}{body}{eol}-----END {label}-----{eol}"


n = 0


def case(name, trust, chain_pem=chain, key_pem=key, host="localhost"):
    global n
    d = os.path.join(out, f"{n:02}")
    n += 1
    os.makedirs(d, exist_ok=True)
    for f, data in (("name", name), ("host", host), ("chain.pem", chain_pem), ("key.pem", key_pem)):
        with open(os.path.join(d, f), "w") as fh:
            fh.write(data)
    with open(os.path.join(d, "trust"), "wb") as fh:
        fh.write(trust if isinstance(trust, bytes) else trust.encode())


root_der = der_of(root_pem)
leaf_pem = chain[:chain.index("-----END CERTIFICATE-----") + 26]
int_pem = chain[len(leaf_pem):].lstrip()
case("CRLF line ends only", root_pem.replace("\n", "\r\n"))
case("UTF-8 BOM only", "\ufeff" + root_pem)
case("trailing spaces after the END line", root_pem.rstrip("\n") + "   \n")
case("base64 on one line", pem_lines(root_der, 0))
case("base64 in 76-column lines", pem_lines(root_der, 76))
case("BEGIN TRUSTED CERTIFICATE (openssl -trustout)",
     ssl("x509", "-trustout", "-addtrust", "serverAuth", data=root_pem.encode()))
p7 = ssl("crl2pkcs7", "-nocrl", "-certfile", "/dev/stdin", data=root_pem.encode())
case("PKCS#7 bundle, PEM", p7)
case("PKCS#7 bundle, DER", ssl("pkcs7", "-outform", "DER", data=p7))
case("indented BEGIN line", "  " + root_pem)
case("PEM header line inside the block", pem_lines(root_der, 64, header="Comment: root\n\n"))
case("X509 CERTIFICATE label", pem_lines(root_der, 64, label="X509 CERTIFICATE"))
case("CR-only line ends", root_pem.replace("\n", "\r"))
case("DER root, then a PEM unrelated root", root_der + unrelated.encode())
case("only the server certificate (not self-signed) in the trust file", leaf_pem)
case("unrelated root, text, then the right root", unrelated + "some text\n" + root_pem)

# Anchors with unusual properties: ROOT (variant) -> intermediate -> leaf (DNS:localhost).
os.makedirs(os.path.join(work, "new"))
open(os.path.join(work, "index.txt"), "w").close()
open(os.path.join(work, "index.txt.attr"), "w").write("unique_subject = no\n")
open(os.path.join(work, "serial"), "w").write("5000\n")
open(os.path.join(work, "ca.cnf"), "w").write(
    f"[ca]\ndefault_ca = d\n[d]\ndatabase = {work}/index.txt\nnew_certs_dir = {work}/new\n"
    f"serial = {work}/serial\ndefault_md = sha256\npolicy = any\nunique_subject = no\n"
    "copy_extensions = none\n[any]\ncommonName = optional\norganizationName = optional\n")
keys = {}


def keyfile(name):
    if name not in keys:
        path = os.path.join(work, f"{name}.key")
        ssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path)
        keys[name] = path
    return keys[name]


count = 0


def issue(subject, keyname, issuer, ext, start="20250101000000Z", end="20450101000000Z"):
    """issuer: None (self-signed) or (cert_path, key_path). Returns (pem, cert_path)."""
    global count
    count += 1
    k = keyfile(keyname)
    csr = os.path.join(work, f"{count}.csr")
    crt = os.path.join(work, f"{count}.pem")
    extf = os.path.join(work, f"{count}.ext")
    open(extf, "w").write("[e]\n" + ext + "\n")
    ssl("req", "-new", "-key", k, "-subj", subject, "-out", csr)
    args = ["ca", "-batch", "-notext", "-preserveDN", "-config", os.path.join(work, "ca.cnf"),
            "-in", csr, "-out", crt, "-startdate", start, "-enddate", end,
            "-extfile", extf, "-extensions", "e"]
    if issuer:
        args += ["-cert", issuer[0], "-keyfile", issuer[1]]
    else:
        args += ["-selfsign", "-keyfile", k]
    ssl(*args)
    return open(crt).read(), crt


CA = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash"
LEAF = ("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost")


def anchored(name, root_ext, root_start="20250101000000Z", root_end="20450101000000Z",
             trust_int=False, int_start="20250101000000Z", int_end="20450101000000Z"):
    tag = f"a{count}"
    root, root_crt = issue(f"/CN=Anchor Root {tag}", f"root{tag}", None, root_ext, root_start, root_end)
    inter, int_crt = issue(f"/CN=Anchor Int {tag}", f"int{tag}", (root_crt, keys[f"root{tag}"]),
                           CA + "\nauthorityKeyIdentifier=keyid", int_start, int_end)
    leaf, _ = issue("/CN=localhost", f"leaf{tag}", (int_crt, keys[f"int{tag}"]),
                    LEAF + "\nauthorityKeyIdentifier=keyid")
    case(name, inter if trust_int else root, leaf + inter, open(keys[f"leaf{tag}"]).read())


anchored("root with an unknown critical extension", CA + "\n1.2.3.4=critical,DER:05:00")
anchored("v3 root without basicConstraints", "keyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash")
anchored("root with CA:FALSE", "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyCertSign,cRLSign")
anchored("root whose keyUsage lacks keyCertSign", "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature")
anchored("root not yet valid", CA, root_start="20400101000000Z", root_end="20500101000000Z")
anchored("expired intermediate as the only anchor", CA, trust_int=True,
         int_start="20150101000000Z", int_end="20210101000000Z")
print(f"{n} cases in {out}")
