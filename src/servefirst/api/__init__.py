"""The HTTP adapter: the app, its errors, authentication, the request's unit of work."""
