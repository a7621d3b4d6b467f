"""spcrypto — the Python implementation of the SP1 evidence format (crypto/SPEC.md).

A few safe recipes; the primitives are private (``_primitives``, ``_encoding``). Every
verification raises an ``errors.CryptoError`` subclass on failure and never returns False.
Importing this package loads neither Flask nor SQLAlchemy (tests/crypto/test_import_isolation.py).
"""

from __future__ import annotations

from .account import (
    AccountKeys,
    KdfParams,
    check_kdf_policy,
    derive_account_keys,
    format_ask,
    generate_ak,
    generate_ask,
    new_kdf_params,
    parse_ask,
    unwrap_ak,
    wrap_ak,
)
from .errors import (
    AuthError,
    ChainError,
    CryptoError,
    FormatError,
    KdfPolicyError,
    UnsupportedVersion,
)
# The evidence-bundle verifier (docs/legal-contract.md §6). Its ``verify_bundle`` is exported as
# ``verify_evidence_bundle``: ``verify_bundle`` here is the public-key bundle check of §5.3.
from .bundle import BundleCheck, BundleFacts, BundleReport, BundleUnreadable
from .bundle import verify_bundle as verify_evidence_bundle
from .identity import (
    CARD_NAME_MAX,
    Bundle,
    Card,
    Identity,
    generate_identity,
    kid_for,
    make_bundle,
    make_card,
    safety_number,
    unwrap_identity,
    verify_bundle,
    verify_card,
    wrap_identity,
)
from .padding import padme
from .receipt import make_receipt, verify_receipt
from .release import (
    release_key_id,
    release_manifest_hash,
    release_public_key,
    sign_release,
    verify_release,
)
from .record import (
    ChainHead,
    Envelope,
    Header,
    OpenedRecord,
    check_chain_link,
    new_cek,
    open_record,
    parse_header,
    seal_record,
    unwrap_owner,
    unwrap_recipient,
    verify_chain,
    verify_record,
    verify_share,
    wrap_for_owner,
    wrap_for_recipient,
)
from .sealed import open_sealed_file, open_sealed_stream, seal_file, seal_stream
from ._encoding import b64u_decode, b64u_encode
from .stream import (
    CT_CHUNK,
    AttachmentEncryptor,
    AttachmentRef,
    attachment_ct_len,
    chunk_hash,
    decrypt_attachment,
    encrypt_attachment,
    is_attachment_ct_len,
)

SUITE = "SP1"
FORMAT_VERSION = 1

__all__ = [
    "CARD_NAME_MAX",
    "CT_CHUNK",
    "FORMAT_VERSION",
    "b64u_decode",
    "b64u_encode",
    "chunk_hash",
    "is_attachment_ct_len",
    "SUITE",
    "AccountKeys",
    "AttachmentEncryptor",
    "AttachmentRef",
    "AuthError",
    "Bundle",
    "BundleCheck",
    "BundleFacts",
    "BundleReport",
    "BundleUnreadable",
    "Card",
    "ChainError",
    "ChainHead",
    "CryptoError",
    "Envelope",
    "FormatError",
    "Header",
    "Identity",
    "KdfParams",
    "KdfPolicyError",
    "OpenedRecord",
    "UnsupportedVersion",
    "attachment_ct_len",
    "check_chain_link",
    "check_kdf_policy",
    "decrypt_attachment",
    "derive_account_keys",
    "encrypt_attachment",
    "format_ask",
    "generate_ak",
    "generate_ask",
    "generate_identity",
    "kid_for",
    "make_bundle",
    "make_card",
    "make_receipt",
    "new_cek",
    "new_kdf_params",
    "open_record",
    "open_sealed_file",
    "open_sealed_stream",
    "padme",
    "parse_ask",
    "parse_header",
    "release_key_id",
    "release_manifest_hash",
    "release_public_key",
    "safety_number",
    "seal_file",
    "seal_record",
    "seal_stream",
    "sign_release",
    "unwrap_ak",
    "unwrap_identity",
    "unwrap_owner",
    "unwrap_recipient",
    "verify_bundle",
    "verify_card",
    "verify_chain",
    "verify_evidence_bundle",
    "verify_receipt",
    "verify_release",
    "verify_record",
    "verify_share",
    "wrap_ak",
    "wrap_for_owner",
    "wrap_for_recipient",
    "wrap_identity",
]
