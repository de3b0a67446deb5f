from fastapi import FastAPI, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel

app = FastAPI(title="Inventory API")

app.add_middleware(
    CORSMiddleware,
    allow_origins=["http://localhost:3000"],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)

PUBLIC_PATHS = {"/docs", "/openapi.json", "/health"}


@app.middleware("http")
async def require_bearer_token(request: Request, call_next):
    # Every API route needs a token; only docs and health checks are public.
    if request.url.path not in PUBLIC_PATHS:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return JSONResponse(status_code=401, content={"detail": "Not authenticated"})
    return await call_next(request)


class Item(BaseModel):
    name: str
    price: float = 0.0


items: dict[int, dict] = {1: {"id": 1, "name": "Hammer", "price": 9.5}}


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/items")
def list_items():
    return list(items.values())


@app.post("/items", status_code=201)
def create_item(item: Item):
    item_id = max(items) + 1
    items[item_id] = {"id": item_id, **item.dict()}
    return items[item_id]


@app.put("/items/{item_id}")
def update_item(item_id: int, item: Item):
    if item_id not in items:
        raise HTTPException(status_code=404, detail="Item not found")
    items[item_id] = {"id": item_id, **item.dict()}
    return items[item_id]


@app.get("/me")
def read_me(request: Request):
    return {"email": "dev@example.com", "token": request.headers["Authorization"][7:]}
