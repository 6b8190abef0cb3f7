from controlled.models.counts import Count, CountKind, CountLine, Resolution
from controlled.models.ledger import (
    Disposal,
    EntryKind,
    LedgerEntry,
    LossNotice,
    LossReport,
    Receipt,
)
from controlled.models.stock import Container, Drug, Product, ProductForm, StorageLocation, Supplier

__all__ = [
    "Container",
    "Count",
    "CountKind",
    "CountLine",
    "Disposal",
    "Drug",
    "EntryKind",
    "LedgerEntry",
    "LossNotice",
    "LossReport",
    "Product",
    "ProductForm",
    "Receipt",
    "Resolution",
    "StorageLocation",
    "Supplier",
]
