"""Small PDFs for the browser tests: pages of filled shapes only (no font for pdf.js to fetch),
with a correct cross-reference table."""
from __future__ import annotations


def shapes_pdf(pages: list[bytes], width: int, height: int) -> bytes:
    """One page per content stream in `pages` (PDF drawing operators), each `width` x `height`."""
    n = len(pages)
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(n))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n),
               *(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R >>"
                 % (width, height, 3 + n + i) for i in range(n)),
               *(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(p), p) for p in pages)]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
