# src/router: the router layer (see its module comments).
