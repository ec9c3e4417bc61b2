// A mistyped address: the page says so (rendered by the server); nothing to load.
