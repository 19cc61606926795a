"""Exchange between customs administrations: signed messages between two SmartCustoms
installations, pre-arrival data, electronic certificates of origin, AEO mutual recognition.

Where things are:

- ``model.py``: the envelope, key and message states, refusal reasons (pure).
- ``tables.py`` / ``repository.py``: storage.
- ``services/trust.py``: own signing keys (sealed at rest), rotation, revocation, JWKS; partner
  registry and partner keys.
- ``services/messages.py``: sign into the outbox; verify, accept (inbox) or refuse; receipts.
- ``services/delivery.py``: outbox delivery with retries, backoff and dead letters.
- ``services/handlers.py``: what each accepted message type does on arrival.
- ``queries.py``: the read API other features use.

The signing primitives themselves (Ed25519, JWS, RFC 8785) are in
:mod:`smartcustoms.core.signing`.
"""
