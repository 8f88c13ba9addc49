"""``POST /api/documents``: extract a document and store it (bearer token; refused without one)."""
from __future__ import annotations

import hmac

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from ...model import to_jsonable
from ...store import event_code
from ...store import schema as S
from ..deps import DocumentIn, Error, Settings, settings

router = APIRouter()


def _check_token(request: Request, token: str | None) -> None:
    if not token:
        raise HTTPException(403, "writes are disabled: the server has no SITROOM_TOKEN")
    auth = request.headers.get("authorization") or ""
    scheme, _, given = auth.partition(" ")
    ok = scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
    if not ok:
        raise HTTPException(401, "a valid bearer token is needed", headers={"WWW-Authenticate": "Bearer"})


@router.post("/api/documents", tags=["documents"], status_code=201,
             summary="Extract events from a document and store them (bearer token)",
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": DocumentIn.model_json_schema()}}}},
             responses={200: {"description": "Already stored (same content): nothing changed."},
                        401: {"model": Error}, 403: {"model": Error}, 413: {"model": Error},
                        422: {"description": "Not a valid document."}})
async def post_document(request: Request) -> JSONResponse:
    s = settings(request)
    _check_token(request, s.token)
    max_body = s.max_body
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_body:
        raise HTTPException(413, f"the body is larger than {max_body} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_body:
            raise HTTPException(413, f"the body is larger than {max_body} bytes")
    try:
        doc_in = DocumentIn.model_validate_json(bytes(body))
    except ValidationError as exc:
        return JSONResponse({"detail": to_jsonable(exc.errors(include_url=False, include_context=False,
                                                            include_input=False))}, status_code=422)
    if not doc_in.text.strip():
        raise HTTPException(422, "the text is empty")
    return await run_in_threadpool(_ingest, s, doc_in)


def _ingest(s: Settings, doc_in: DocumentIn) -> JSONResponse:
    from ...ingest import document_from_text
    from ...model import content_hash

    doc_id = doc_in.id or f"api:{content_hash(doc_in.text)[:16]}"
    doc = document_from_text(doc_in.text, doc_id=doc_id, published=doc_in.published, title=doc_in.title,
                             source=doc_in.source, url=doc_in.url)
    with s.pipeline_lock:
        if s.pipeline is None:
            from ...pipeline import Pipeline
            s.pipeline = Pipeline()
        res = next(iter(s.pipeline.run([doc], batch_size=1)))
    if "error" in res:
        return JSONResponse({"detail": f"not extracted: {res['error']}", "doc_id": doc_id}, status_code=422)
    status = s.store.ingest_result(res)
    if status == "error":
        return JSONResponse({"detail": "not stored", "doc_id": doc_id}, status_code=500)
    d, m = S.documents, S.mentions
    with s.store.engine.connect() as conn:
        row = conn.execute(sa.select(d.c.id, d.c.doc_id).where(d.c.content_hash == res["content_hash"])).first()
        ids = sorted(set(conn.execute(sa.select(m.c.event_id).where(m.c.document_id == row.id)).scalars())) if row else []
    return JSONResponse({"doc_id": row.doc_id if row else doc_id, "status": status,
                         "content_hash": res["content_hash"], "events": [event_code(i) for i in ids]},
                        status_code=201 if status == "added" else 200)
