# src/app: the app layer (see its module comments).
