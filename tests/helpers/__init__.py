"""Helpers the tests share: plain functions and constants, imported by name.

Test modules never import each other; what two of them need lives here, or in a
fixture in the ``conftest.py`` of the folder that holds them both.
"""
