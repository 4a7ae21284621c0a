# Vendored from the project brief's shared/tools/cert_handshake_check.py so a clone alone runs
# the certificate unit test (packages/server/src/tls/certs.test.ts). Keep it identical otherwise.
"""Check that a per-cluster keypair works for dask-gateway style mutual TLS.

Usage:
    python3 cert_handshake_check.py                 # generate an upstream-shaped pair and test it
    python3 cert_handshake_check.py CERT.pem KEY.pem  # test a pair produced by another implementation

The check runs a TLS handshake over a socketpair in which both sides use the same cert,
as the scheduler, workers and gateway client do. The server side requires a client cert
(as distributed's listener does). The client side uses SERVER_AUTH with the cert as CA,
CERT_REQUIRED and no hostname check, and sends SNI "daskgateway-<name>" (as the
dask_gateway client does). It runs twice: once with default verify flags, and once with
VERIFY_X509_STRICT | VERIFY_X509_PARTIAL_CHAIN, which Python 3.13+ enables by default.
"""
import os
import socket
import ssl
import sys
import tempfile
import threading


def generate_pair(name):
    from datetime import datetime, timedelta, timezone

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dask-internal")])
    now = datetime.now(timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=365))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(n) for n in (name, "dask-internal", "skein-internal")]
            ),
            critical=False,
        )
    )
    cert = builder.sign(key, hashes.SHA256())
    return (
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def handshake(cert_path, key_path, strict, sni):
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=cert_path)
    server_ctx.verify_mode = ssl.CERT_REQUIRED
    server_ctx.check_hostname = False
    server_ctx.load_cert_chain(cert_path, key_path)

    client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cert_path)
    client_ctx.verify_mode = ssl.CERT_REQUIRED
    client_ctx.check_hostname = False
    client_ctx.load_cert_chain(cert_path, key_path)

    if strict:
        extra = ssl.VERIFY_X509_STRICT | ssl.VERIFY_X509_PARTIAL_CHAIN
        server_ctx.verify_flags |= extra
        client_ctx.verify_flags |= extra

    a, b = socket.socketpair()
    result = {}

    def serve():
        try:
            conn = server_ctx.wrap_socket(a, server_side=True)
            conn.recv(1)
            result["server"] = "ok (client cert verified)"
        except Exception as exc:  # noqa: BLE001
            result["server"] = repr(exc)

    t = threading.Thread(target=serve)
    t.start()
    try:
        conn = client_ctx.wrap_socket(b, server_hostname=sni)
        conn.send(b"x")
        result["client"] = "ok (server cert verified)"
    except Exception as exc:  # noqa: BLE001
        result["client"] = repr(exc)
    t.join()
    return result


def main():
    name = "0123456789abcdef0123456789abcdef"
    tmp = tempfile.mkdtemp()
    if len(sys.argv) == 3:
        cert_path, key_path = sys.argv[1], sys.argv[2]
    else:
        cert, key = generate_pair(name)
        cert_path = os.path.join(tmp, "dask.crt")
        key_path = os.path.join(tmp, "dask.pem")
        with open(cert_path, "wb") as f:
            f.write(cert)
        with open(key_path, "wb") as f:
            f.write(key)
    ok = True
    for strict in (False, True):
        res = handshake(cert_path, key_path, strict, "daskgateway-" + name)
        label = "strict (3.13-like)" if strict else "default"
        print(f"{label}: {res}")
        ok = ok and all(v.startswith("ok") for v in res.values())
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
