"""Production entry point: ``gunicorn 'server.wsgi:app'`` behind a TLS-terminating proxy.

ProductionConfig raises at import if SAFEPASSAGE_SECRET_KEY, SAFEPASSAGE_SERVER_KEY or DATABASE_URL
is missing or weak, so a misconfigured server never starts. Keep gunicorn's access log off (its
default): its format starts with the client address, which no log line here may hold.
"""
from werkzeug.middleware.proxy_fix import ProxyFix

from . import create_app
from .config import ProductionConfig

app = create_app(ProductionConfig())
# Trust exactly one proxy hop for the client address (rate limits) and the scheme (HTTPS checks).
app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]
