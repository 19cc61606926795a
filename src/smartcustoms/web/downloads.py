"""Serving stored files (case attachments, declaration documents) safely."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import Response

__all__ = ["file_response"]


def file_response(
    data: bytes,
    content_type: str,
    filename: str,
    *,
    inline: bool = False,
    private: bool = False,
) -> Response:
    """Serve stored bytes so that no browser ever treats them as a page of this site: the
    content type the server decided, ``nosniff``, a sandboxing CSP and (unless ``inline``) a
    download. ``private``: not kept by shared caches nor on disk (a trader's papers)."""
    disposition = "inline" if inline else "attachment"
    headers = {
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    if private:
        headers["Cache-Control"] = "private, no-store"
    return Response(data, media_type=content_type, headers=headers)
