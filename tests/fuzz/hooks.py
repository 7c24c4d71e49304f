"""Schemathesis hooks for scripts/fuzz-api: records every response the fuzzer received.

Loaded through SCHEMATHESIS_HOOKS=hooks (tests/fuzz on PYTHONPATH). For each distinct
(method, documented path, status, content type) it keeps the count and the smallest request that
produced it, and writes them as JSON to $FUZZ_OBS when schemathesis exits. summarize.py compares
them with the OpenAPI document: schemathesis itself reports only the first undocumented status or
content type per operation, this records all of them.
"""

from __future__ import annotations

import atexit
import json
import os
import shlex
import threading

import schemathesis

_LOCK = threading.Lock()
_SEEN: dict[tuple[str, str, int, str], dict] = {}
_TOTAL = [0]
_OUT = os.environ.get("FUZZ_OBS")
_BASE = os.environ.get("FUZZ_BASE_URL", "")


def _curl(request) -> str:
    """A curl command for the request; the token and the server's address left as $TOKEN, $PINGAN."""
    url = request.url or ""
    if _BASE and url.startswith(_BASE):
        url = "$PINGAN" + url[len(_BASE):]
    # Only the URL and the Authorization header are double-quoted (so that $PINGAN and $TOKEN
    # expand); a `"`, `$` or backtick in the URL is escaped for that.
    url_arg = '"' + url.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$").replace("\\$PINGAN", "$PINGAN", 1) + '"'
    parts = ["curl", "-sS", "-i", "-X", shlex.quote(request.method or "GET")]
    for name, value in (request.headers or {}).items():
        lower = name.lower()
        if lower == "authorization":
            parts += ["-H", '"Authorization: Bearer $TOKEN"']
        elif lower == "content-type" or (lower.startswith("x-") and not lower.startswith("x-schemathesis")):
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    body = request.body
    if body:
        if isinstance(body, str):
            body = body.encode("utf-8", "surrogateescape")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None and len(text) <= 4000 and "\x00" not in text:
            parts += ["--data-raw", shlex.quote(text)]
        else:
            parts += ["--data-binary", shlex.quote(f"@<{len(body)}-byte binary body>")]
    parts.append(url_arg)
    return " ".join(parts)


@schemathesis.hook
def after_call(context, case, response) -> None:
    try:
        ctype = (response.headers.get("content-type") or [""])[0].split(";")[0].strip().lower()
        # The request's own method: the coverage phase also tries methods the path does not have.
        method = (response.request.method or case.operation.method).upper()
        key = (method, case.operation.path, int(response.status_code), ctype)
        size = len(response.request.body or b"") + len(response.request.url or "")
        with _LOCK:
            _TOTAL[0] += 1
            seen = _SEEN.get(key)
            if seen is None:
                seen = _SEEN[key] = {"count": 0, "size": None}
            seen["count"] += 1
            if seen["size"] is None or size < seen["size"]:
                seen["size"] = size
                seen["curl"] = _curl(response.request)
                seen["body"] = response.content[:600].decode("utf-8", "replace")
                seen["empty"] = len(response.content) == 0
    except Exception as e:  # a recorder must never break the run
        with _LOCK:
            _SEEN.setdefault(("ERROR", repr(e)[:200], 0, ""), {"count": 0})["count"] += 1


def _dump() -> None:
    if not _OUT:
        return
    rows = [
        {"method": m, "path": p, "status": s, "content_type": c, **v}
        for (m, p, s, c), v in sorted(_SEEN.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2], kv[0][3]))
    ]
    with open(_OUT, "w", encoding="utf-8") as f:
        json.dump({"requests": _TOTAL[0], "responses": rows}, f, ensure_ascii=False, indent=1)


atexit.register(_dump)
