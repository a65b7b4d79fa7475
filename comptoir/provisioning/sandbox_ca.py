"""The sandbox certificate authority: issues real X.509 certificates signed by a local test CA.

It asks like a real one, one question set per round: first the CSR, the domain validation method and a
contact address; then each of `extra_questions` in turn (by default the organisation's phone, then the
DCV e-mail address chosen among admin@/webmaster@ the domain); once everything is answered it issues a
certificate for the CSR's key, valid `validity_days` from the clock's today. A CSR whose common name is
not the order's is rejected.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import BaseModel, Field, SecretStr

from comptoir import clock
from comptoir.provisioning.certificate_authority import (
    AuthoritySpec,
    CaAnswer,
    CaStatus,
    CertificateRequest,
    register_authority,
)

DRIVER = "sandbox"
FIRST_QUESTIONS = ("csr", "dcv_method", "contact_email")
DCV_METHODS = ("email", "dns", "http")


class SandboxCaSettings(BaseModel):
    api_key: SecretStr = Field(default=SecretStr(""), max_length=200)
    products: list[str] = Field(default_factory=lambda: ["dv", "ov"], min_length=1, max_length=20)
    extra_questions: list[str] = Field(default_factory=lambda: ["organisation_phone", "dcv_email"], max_length=10)
    validity_days: int = Field(default=365, ge=1, le=825)


@functools.cache
def _test_ca() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """The local test CA (one per process): an EC key and its self-signed certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Comptoir Sandbox CA")])
    now = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now)
                   .not_valid_after(now + dt.timedelta(days=365 * 30))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True).sign(key, hashes.SHA256()))
    return key, certificate


def sandbox_ca_certificate_pem() -> str:
    return _test_ca()[1].public_bytes(serialization.Encoding.PEM).decode()


class SandboxCertificateAuthority:
    def __init__(self, settings: SandboxCaSettings, test_mode: bool) -> None:
        self.settings = settings
        self.products = tuple(settings.products)

    def submit(self, request: CertificateRequest) -> CaAnswer:
        reference = request.reference or "SBX-" + hashlib.sha256(request.common_name.encode()).hexdigest()[:10].upper()
        if request.product not in self.products:
            return CaAnswer(CaStatus.REJECTED, reference, message=f"unknown product {request.product}")
        for questions in (FIRST_QUESTIONS, *((q,) for q in self.settings.extra_questions)):
            missing = tuple(q for q in questions if not request.answers.get(q))
            if missing:
                return CaAnswer(CaStatus.USER_INPUT_REQUIRED, reference, requested=missing)
        problem = self._problem(request)
        if problem:
            return CaAnswer(CaStatus.REJECTED, reference, message=problem)
        return self._issue(request, reference)

    def _problem(self, request: CertificateRequest) -> str:
        if request.answers["dcv_method"] not in DCV_METHODS:
            return f"the validation method is one of {', '.join(DCV_METHODS)}"
        dcv_email = request.answers.get("dcv_email", "")
        if dcv_email and dcv_email not in (f"admin@{request.common_name}", f"webmaster@{request.common_name}"):
            return f"the DCV address is admin@ or webmaster@{request.common_name}"
        try:
            csr = x509.load_pem_x509_csr(request.answers["csr"].encode())
        except ValueError:
            return "the CSR is not a PEM certificate signing request"
        names = csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        if not names or names[0].value != request.common_name:
            return f"the CSR is not for {request.common_name}"
        return ""

    def _issue(self, request: CertificateRequest, reference: str) -> CaAnswer:
        csr = x509.load_pem_x509_csr(request.answers["csr"].encode())
        ca_key, ca_certificate = _test_ca()
        start = dt.datetime.combine(clock.today(), dt.time(), tzinfo=dt.UTC)
        end = start + dt.timedelta(days=self.settings.validity_days)
        certificate = (x509.CertificateBuilder().subject_name(csr.subject).issuer_name(ca_certificate.subject)
                       .public_key(csr.public_key()).serial_number(x509.random_serial_number())
                       .not_valid_before(start).not_valid_after(end)
                       .add_extension(x509.SubjectAlternativeName([x509.DNSName(request.common_name)]), critical=False)
                       .sign(ca_key, hashes.SHA256()))
        return CaAnswer(CaStatus.ISSUED, reference, certificate_pem=certificate.public_bytes(
            serialization.Encoding.PEM).decode(), expires_on=end.date())


register_authority(DRIVER, AuthoritySpec(
    settings_model=SandboxCaSettings, secret_fields=("api_key",),
    factory=lambda settings, test_mode: SandboxCertificateAuthority(settings, test_mode)))  # type: ignore[arg-type]
