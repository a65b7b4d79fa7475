"""A seller's SSL certificate store (SPEC §3): certificates with their private keys, which the seller binds
to the addresses of its pool (comptoir.hosting.ip_pools.set_certificate). The key never leaves the
store through the API; the expiry and subject are read from the certificate itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comptoir.errors import DomainError, ErrorCode
from comptoir.hosting.models import IpPoolEntry
from comptoir.hosting.server_models import SslCertificate
from comptoir.security import secrets

MAX_PEM_LENGTH = 65_536


class CertificateErrorCode(ErrorCode):
    NOT_FOUND = "not_found"
    INVALID_NAME = "invalid_name"
    NAME_TAKEN = "name_taken"
    INVALID_CERTIFICATE = "invalid_certificate"
    INVALID_PRIVATE_KEY = "invalid_private_key"
    KEY_MISMATCH = "key_mismatch"
    CERTIFICATE_IN_USE = "certificate_in_use"


E = CertificateErrorCode


@dataclass(frozen=True)
class ParsedCertificate:
    subject: str
    expires_at: datetime


def parse(certificate_pem: str, private_key_pem: str) -> ParsedCertificate:
    """Read a PEM certificate and its PEM private key; refuse a key that is not the certificate's."""
    if len(certificate_pem) > MAX_PEM_LENGTH or len(private_key_pem) > MAX_PEM_LENGTH:
        raise DomainError(E.INVALID_CERTIFICATE, "The certificate or key is too long.", field="certificatePem")
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem.encode())
    except ValueError:
        raise DomainError(E.INVALID_CERTIFICATE, "Give the certificate in PEM form.", field="certificatePem") from None
    try:
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    except (ValueError, TypeError):
        raise DomainError(E.INVALID_PRIVATE_KEY, "Give the unencrypted private key in PEM form.",
                          field="privateKeyPem") from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
                      | ed448.Ed448PrivateKey) or _public(key.public_key()) != _public(certificate.public_key()):
        raise DomainError(E.KEY_MISMATCH, "This private key does not belong to the certificate.",
                          field="privateKeyPem")
    return ParsedCertificate(certificate.subject.rfc4514_string(), certificate.not_valid_after_utc)


def _public(key: object) -> bytes:
    return key.public_bytes(serialization.Encoding.DER,  # type: ignore[attr-defined]
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def _check_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 255 or not name.isprintable():
        raise DomainError(E.INVALID_NAME, "Give the certificate a name of 1 to 255 printable characters.",
                          field="name")
    return name


def add(*, session: Session, seller_id: uuid.UUID, name: str, certificate_pem: str, private_key_pem: str
        ) -> SslCertificate:
    """Store a certificate and its key in the seller's store."""
    checked_name = _check_name(name)
    parsed = parse(certificate_pem, private_key_pem)
    row = SslCertificate(seller_id=seller_id, name=checked_name, certificate_pem=certificate_pem.strip() + "\n",
                         private_key_pem=secrets.seal(private_key_pem.strip() + "\n", seller_id=seller_id), subject=parsed.subject,
                         expires_at=parsed.expires_at)
    session.add(row)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        if "ssl_certificates_seller_id_name_key" in str(error.orig):
            raise DomainError(E.NAME_TAKEN, "A certificate of your store has this name.", field="name") from None
        raise
    return row


def get_or_raise(session: Session, *, seller_id: uuid.UUID, certificate_id: uuid.UUID) -> SslCertificate:
    row = session.scalars(select(SslCertificate).where(SslCertificate.id == certificate_id,
                                                       SslCertificate.seller_id == seller_id)).one_or_none()
    if row is None:
        raise DomainError(E.NOT_FOUND, "No such certificate in your store.", field="id")
    return row


def list_store(session: Session, *, seller_id: uuid.UUID) -> list[SslCertificate]:
    return list(session.scalars(select(SslCertificate).where(SslCertificate.seller_id == seller_id)
                                .order_by(SslCertificate.name, SslCertificate.id)))


def by_id(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, SslCertificate]:
    if not ids:
        return {}
    return {row.id: row for row in session.scalars(select(SslCertificate).where(SslCertificate.id.in_(ids)))}


def delete(*, session: Session, seller_id: uuid.UUID, certificate_id: uuid.UUID) -> uuid.UUID:
    """Remove a certificate no address of the seller uses."""
    row = get_or_raise(session, seller_id=seller_id, certificate_id=certificate_id)
    used = session.scalar(select(func.count()).select_from(IpPoolEntry).where(
        IpPoolEntry.seller_id == seller_id, IpPoolEntry.certificate_id == row.id)) or 0
    if used:
        raise DomainError(E.CERTIFICATE_IN_USE, f"{used} address(es) use this certificate.", field="id")
    session.delete(row)
    session.flush()
    return certificate_id
