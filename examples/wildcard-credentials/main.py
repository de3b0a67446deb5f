from fastapi import Cookie, FastAPI, Header, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel

app = FastAPI(title="Inventory API")

# Allow everything while we develop.
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)


class Item(BaseModel):
    name: str
    price: float = 0.0


items: dict[int, dict] = {1: {"id": 1, "name": "Hammer", "price": 9.5}}


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
def read_me(authorization: str | None = Header(default=None), session: str | None = Cookie(default=None)):
    if not authorization and not session:
        raise HTTPException(status_code=401, detail="Not authenticated")
    return {"email": "dev@example.com"}
