# src/store: the store layer (see its module comments).
