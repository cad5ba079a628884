"""The business layer: the tariff's rules, the state store and the nightly batch.

Never touches raw segments: it receives canonical messages from ``edi`` and hands
canonical messages back to ``edi`` for rendering.
"""
