"""The advisor's domain labels, shared by its pages, emails, PDF and admin.

A leaf module: it imports nothing of the project, so any floor above may read it.
"""

# The engine's answer per use case and for the whole stack ("hybrid" is a stack only).
PATH_LABELS = {
    "api": "Buy an API",
    "fine_tune": "Fine-tune a small model",
    "classical_ml": "Classical ML",
    "hybrid": "Hybrid",
}
