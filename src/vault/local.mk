# src/vault: the vault layer (see its module comments).
