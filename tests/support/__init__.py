"""Test support shared by the sync tests and the sync benchmarks.

- ``sync_client``: a real Python client of docs/sync-api.md (devices, local store, push, pull).
- ``serve``: the real app in a subprocess that can be SIGKILLed and restarted.
- ``proxy``: a TCP proxy that cuts connections (or fires a fault) at chosen byte offsets.
"""
