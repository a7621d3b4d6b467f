"""Named services: the server's behaviour, free of Flask request handling."""
