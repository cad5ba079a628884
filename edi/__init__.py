"""The X12 4010 format layer: bytes <-> segments <-> canonical messages.

Knows X12 and the Illinois guides, and nothing about accounts or the tariff.
It never imports ``processor``.
"""
