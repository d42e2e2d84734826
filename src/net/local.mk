# src/net: the net layer (see its module comments).
