"""Signing and verifying a score sheet (PAdES) beside the bare signature over the same bytes.

1. Subject: ``pdfsign.sign_pdf`` (an invisible PAdES field, CMS with the certificate chain and
   revocation list) and ``pdfsign.verify_pdf`` (signature, chain to the CA, what was changed since).
2. Baseline: an ECDSA P-256 signature over the same PDF's SHA-256 with the same key, and its check
   with the certificate's public key: the cryptography a signature needs, without PDF or CMS.

Moved out of the test suite (it asserted nothing): no timing assertions in tests.
Usage: ``.venv/bin/python bench/bench_pdfsign.py [--runs 9] [--write]``
"""

from __future__ import annotations

import argparse
import io
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from perfdoc import Load, replace_section

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from inspector.crypto import keys, pdfsign
from inspector.paths import font_path

SECTION = "## PDF signatures"


def make_pdf() -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("WQY", str(font_path()), subfontIndex=0))
    buf = io.BytesIO()
    page = canvas.Canvas(buf, invariant=1)
    page.setFont("WQY", 14)
    for n in range(40):
        page.drawString(72, 800 - 18 * n, f"{n + 1}. 职业技能鉴定所质量督导评估表 第{n + 1}项 扣分理由")
    page.showPage()
    page.save()
    return buf.getvalue()


def median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    load = Load()
    with tempfile.TemporaryDirectory() as tmp:
        ca = Path(tmp) / "ca"
        info = keys.init_ca(ca, "中心", "bench-ca-passphrase")
        cred = keys.issue_certificate(ca, "bench-ca-passphrase", "张三", "SC-0001", "外督", "bench-pin-123")
        signer = keys.unlock(cred.p12, "bench-pin-123")
    pdf = make_pdf()

    def sign() -> bytes:
        return pdfsign.sign_pdf(
            pdf,
            signer,
            name="张三",
            role="外督",
            reason="确认评估结果",
            location="成都市",
            field_name="sig_1",
        )

    signed = sign()
    public = signer.certificate.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    raw_sig = signer.key.sign(pdf, ec.ECDSA(hashes.SHA256()))
    rows = [
        (
            "sign",
            median_ms(sign, args.runs),
            median_ms(lambda: signer.key.sign(pdf, ec.ECDSA(hashes.SHA256())), args.runs),
        ),
        (
            "verify",
            median_ms(lambda: pdfsign.verify_pdf(signed, [info.certificate_pem]), args.runs),
            median_ms(lambda: public.verify(raw_sig, pdf, ec.ECDSA(hashes.SHA256())), args.runs),
        ),
    ]
    lines = [
        SECTION,
        "",
        f"`bench/bench_pdfsign.py`, {args.runs} runs each, medians, {platform.python_version()},"
        f" {platform.machine()}, {load.text()}; a one-page sheet of {len(pdf) // 1024} KiB. The baseline"
        " is the bare ECDSA signature (or its check) over the same bytes with the same key: what PDF"
        " structure, CMS, the certificate chain and the what-changed checks cost on top.",
        "",
        "| step | pdfsign | bare ECDSA | difference | ratio |",
        "|---|---|---|---|---|",
    ]
    for step, subject, base in rows:
        lines.append(
            f"| {step} | {subject:.1f} ms | {base:.2f} ms | +{subject - base:.1f} ms"
            f" | {subject / base:.0f}× |"
        )
        print(f"{step}: pdfsign {subject:.1f} ms, bare ECDSA {base:.2f} ms")
    lines += [
        "",
        "Reading the figures: there is no goal on this ratio (a signature is made once per signed sheet,"
        " checked once per import or audit); the difference column is what a user waits for beyond the"
        " bare signature, a few hundredths of a second.",
    ]
    if args.write:
        replace_section(SECTION, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
