"""The HTTP service (``entityres serve``, extra ``entityres[server]``): FastAPI over one resolver.

``POST /resolve`` (one text, or a batch of documents), ``GET|POST /match``, ``GET /entities/{id}``,
``GET /health``; OpenAPI at ``/docs`` and ``/openapi.json``. The gazetteer is loaded once, when the
app is made. Bodies over ``max_bytes`` get 413; input that does not validate gets 422 naming the
field; an unknown entity 404.
"""
from __future__ import annotations

from typing import Literal

try:
    from fastapi import FastAPI, HTTPException, Query, Request
    from fastapi.responses import JSONResponse
except ImportError:  # pragma: no cover - depends on the environment
    raise ImportError("the HTTP service needs FastAPI and uvicorn: pip install 'entityres[server]'") from None
from pydantic import BaseModel, Field, field_validator

from .. import __version__
from ..gazetteer.results import Match
from ..resolve.batch import FailedDocument
from ..resolve.resolver import Resolver, Result, check_lang
from ..text.langs import canonical_lang

MAX_BYTES = 2_000_000  # per request body
MAX_DOCUMENTS = 1000  # per batch
MAX_NAMES = 1000  # per match request
MAX_NAME_CHARS = 500


class Document(BaseModel):
    text: str
    lang: str = "auto"
    id: str | None = None

    @field_validator("lang")
    @classmethod
    def _lang(cls, lang: str) -> str:
        return check_lang(lang)


class ResolveRequest(BaseModel):
    """One document (``text``), or a batch (``documents``), not both."""

    text: str | None = None
    lang: str = "auto"
    id: str | None = None
    documents: list[Document] | None = Field(default=None, max_length=MAX_DOCUMENTS)
    merge_new: bool = Field(default=True, description="merge new names' spelling variants across the batch")

    @field_validator("lang")
    @classmethod
    def _lang(cls, lang: str) -> str:
        return check_lang(lang)


class BatchResponse(BaseModel):
    results: list[Result | FailedDocument]


class MatchRequest(BaseModel):
    names: list[str] = Field(min_length=1, max_length=MAX_NAMES)
    lang: str | None = None
    type: Literal["person", "place"] | None = None
    limit: int = Field(default=5, ge=1, le=50)

    @field_validator("names")
    @classmethod
    def _short(cls, names: list[str]) -> list[str]:
        for name in names:
            if len(name) > MAX_NAME_CHARS:
                raise ValueError(f"a name is at most {MAX_NAME_CHARS} characters")
        return names

    @field_validator("lang")
    @classmethod
    def _lang(cls, lang: str | None) -> str | None:
        return canonical_lang(lang)


def _match_json(m: Match) -> dict:
    return {"id": m.entry.id, "name": m.entry.name, "score": m.score, "accepted": m.accepted,
            "ambiguous": m.ambiguous, "explanation": m.explanation.model_dump()}


def create_app(resolver: Resolver | None = None, max_bytes: int = MAX_BYTES) -> FastAPI:
    """The app over ``resolver`` (the bundled gazetteer's by default), loaded now, once."""
    resolver = resolver or Resolver()
    app = FastAPI(title="entityres", version=__version__,
                  description="Person and place names in Persian, Dari and Arabic news, resolved to canonical IDs.")

    @app.middleware("http")
    async def limit_size(request: Request, call_next):
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > max_bytes):
            return JSONResponse({"detail": f"request body over {max_bytes} bytes"}, status_code=413)
        if length is None and request.method in ("POST", "PUT", "PATCH"):
            body = b""
            async for chunk in request.stream():  # chunked upload: count as it comes
                body += chunk
                if len(body) > max_bytes:
                    return JSONResponse({"detail": f"request body over {max_bytes} bytes"}, status_code=413)
            request._body = body
        return await call_next(request)

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok", "version": __version__, "entries": len(resolver.gazetteer)}

    @app.post("/resolve", response_model=Result | BatchResponse)
    def resolve(body: ResolveRequest):
        """``{"text", "lang", "id"}`` gives one result; ``{"documents": [...]}`` gives ``{"results"}``
        in order, a document that fails reported in its place."""
        if (body.text is None) == (body.documents is None):
            raise HTTPException(422, "give either text (one document) or documents (a batch)")
        if body.text is not None:
            return resolver.resolve(body.text, body.lang, body.id)
        docs = [(d.id, d.text, d.lang) for d in body.documents]
        return BatchResponse(results=list(resolver.resolve_many(docs, body.lang, merge_new=body.merge_new,
                                                                on_error="report")))

    @app.get("/match")
    def match_get(name: str = Query(max_length=MAX_NAME_CHARS), lang: str | None = None,
                  type: Literal["person", "place"] | None = None, limit: int = Query(5, ge=1, le=50)) -> dict:
        """Gazetteer entries ``name`` may be, best first."""
        request = _checked(MatchRequest, names=[name], lang=lang, type=type, limit=limit)
        return {"name": name, "matches": [_match_json(m) for m in resolver.gazetteer.match(
            name, request.lang, request.type, request.limit)]}

    @app.post("/match")
    def match_post(body: MatchRequest) -> dict:
        return {"results": [{"name": n, "matches": [_match_json(m) for m in resolver.gazetteer.match(
            n, body.lang, body.type, body.limit)]} for n in body.names]}

    @app.get("/entities/{entity_id}")
    def entity(entity_id: str) -> dict:
        entry = resolver.gazetteer.get(entity_id)
        if entry is None:
            raise HTTPException(404, f"no entity {entity_id!r}")
        return entry.model_dump(mode="json", exclude_defaults=True)

    return app


def _checked(model: type[BaseModel], **values) -> BaseModel:
    from pydantic import ValidationError

    try:
        return model(**values)
    except ValidationError as err:
        raise HTTPException(422, [{"loc": e["loc"], "msg": e["msg"]} for e in err.errors()]) from None


def serve(resolver: Resolver | None = None, host: str = "127.0.0.1", port: int = 8000,
          max_bytes: int = MAX_BYTES) -> None:
    """Run the service with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_app(resolver, max_bytes), host=host, port=port, log_level="info")
